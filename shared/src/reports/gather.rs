//! Reads the facts of one customer's month from what the product stores (costs, anomalies and the
//! last fetch; contracts, task codes and worklogs; access requests granted in the month) and from
//! the report's sources ([`super::ports`]), then builds the snapshot with [`super::sections`].
//! Reads only: nothing here writes.

use std::collections::{BTreeMap, BTreeSet};

use futures::StreamExt;

use super::findings::FindingsImport;
use super::month::ReportMonth;
use super::ports::{Findings, ReportPorts, ReportScope, SourceError};
use super::sections;
use super::snapshot::{
    BillingSection, BreakglassSection, ReportCustomer, SCHEMA, Section, Snapshot, UtilisationSection,
};
use crate::access::AccessRequest;
use crate::error::{Error, Result};
use crate::hub::{Account, Customer};
use crate::keys;
use crate::store::{Index, ItemStore, Query, decode};
use crate::utilisation::mapping::TaskCodeMap;
use crate::utilisation::usage::UsageRules;

/// The compliance section's message when neither Security Hub nor an imported export holds the
/// customer's findings (customer-facing).
pub const NO_FINDINGS: &str = "Security findings were not available for this month: Security Hub is not read for \
                               these accounts and no export of its findings was provided.";

/// How many reads of one kind (access requests) run at once.
const READ_CONCURRENCY: usize = 8;

/// The snapshot of `customer`'s `month` with the team's `summary` (markdown, already checked).
/// `imported`: the customer's latest imported findings ([`super::findings`]), read by the caller.
#[allow(clippy::too_many_arguments)]
pub async fn snapshot(
    items: &dyn ItemStore,
    ports: &ReportPorts,
    imported: Option<&FindingsImport>,
    customer: &Customer,
    accounts: &[Account],
    month: ReportMonth,
    summary: Option<&str>,
    rules: &UsageRules,
) -> Result<Snapshot> {
    let scope = ReportScope {
        customer,
        accounts,
        month,
    };
    let (billing, utilisation, breakglass, findings, commitments, recommendations) = futures::join!(
        billing(items, customer, accounts, month),
        utilisation(items, customer, month, rules),
        breakglass(items, customer, month),
        compliance(ports, &scope, imported),
        ports.renewals.commitments(&scope),
        ports.optimisation.recommendations(&scope),
    );
    Ok(Snapshot {
        schema: SCHEMA,
        customer: ReportCustomer {
            code: customer.code.clone(),
            name: customer.name.clone(),
        },
        month,
        summary: sections::summary(summary),
        billing: billing.map_err(own_read)?,
        compliance: match findings {
            Ok(f) => sections::compliance(&f.source, Ok(f.findings)),
            Err(e) => sections::compliance("", Err(e)),
        },
        renewals: sections::renewals(month, commitments),
        optimisation: sections::optimisation(recommendations),
        utilisation: utilisation.map_err(own_read)?,
        breakglass: breakglass.map_err(own_read)?,
    })
}

/// The reads above are given arguments the build chose (the month before, a contract's usage to
/// the month's last day, the month's audit partition), not the caller's input, which is checked
/// before anything is read. If such a read refuses its arguments, the fault is the build's: an
/// internal error (500, logged with the cause), never a 400 naming a field the caller did not
/// send (as `'from' (1999-12-01) must be between ...` once was for 2000-01).
fn own_read(e: Error) -> Error {
    match e {
        Error::Validation { field, message } => Error::Internal(anyhow::anyhow!(
            "a report read refused the arguments the build gave it ({}: {message})",
            field.as_deref().unwrap_or("-")
        )),
        Error::Rows { message, .. } => Error::Internal(anyhow::anyhow!(
            "a report read refused the arguments the build gave it ({message})"
        )),
        other => other,
    }
}

/// Security Hub when one of the customer's accounts is reached through a read role (the source
/// decides which account and region to ask); otherwise, or when no Security Hub adapter is wired,
/// the latest imported export; neither: no data. The section's message is read by the customer:
/// it says what is missing, not how the team provides it (the README and the UI say that).
async fn compliance(
    ports: &ReportPorts,
    scope: &ReportScope<'_>,
    imported: Option<&FindingsImport>,
) -> std::result::Result<Findings, SourceError> {
    let from_import = |i: &FindingsImport| Findings {
        source: i.source_name(),
        findings: i.findings.clone(),
    };
    let has_role = scope
        .accounts
        .iter()
        .any(|a| matches!(a.access, crate::hub::AccessMethod::Role { .. }));
    if has_role {
        match ports.compliance.findings(scope).await {
            Err(SourceError::NotConfigured(m)) => match imported {
                Some(i) => Ok(from_import(i)),
                None => Err(SourceError::NotConfigured(m)),
            },
            other => other,
        }
    } else {
        match imported {
            Some(i) => Ok(from_import(i)),
            None => Err(SourceError::NoData(NO_FINDINGS.into())),
        }
    }
}

async fn billing(
    items: &dyn ItemStore,
    customer: &Customer,
    accounts: &[Account],
    month: ReportMonth,
) -> Result<Section<BillingSection>> {
    let code = &customer.code;
    let (cells, anomalies, last_fetch) = futures::try_join!(
        crate::billing::costs::cells(
            items,
            code,
            month.previous().map_or(month.first_day(), ReportMonth::first_day),
            month.last_day(),
            None,
            None
        ),
        crate::billing::store::all(items, code),
        crate::billing::fetch::last_fetch(items, code),
    )?;
    let names: BTreeMap<String, String> = accounts.iter().map(|a| (a.id.to_string(), a.name.clone())).collect();
    // The store answers a month's cells in key order, but two months' reads may interleave: sort
    // so that sums add in one order whatever the reads did.
    let mut cells = cells;
    cells.sort_by(|a, b| {
        (a.day, a.account.as_str(), &a.service, &a.currency).cmp(&(b.day, b.account.as_str(), &b.service, &b.currency))
    });
    Ok(sections::billing(&sections::BillingFacts {
        month,
        cells: &cells,
        anomalies: &anomalies,
        account_names: &names,
        last_fetch: last_fetch.as_ref(),
    }))
}

async fn utilisation(
    items: &dyn ItemStore,
    customer: &Customer,
    month: ReportMonth,
    rules: &UsageRules,
) -> Result<Section<UtilisationSection>> {
    use crate::utilisation::{service, store};
    let contracts = store::contracts(items, &customer.code).await?;
    let overlapping: Vec<_> = contracts
        .into_iter()
        .filter(|c| c.contract.start <= month.last_day() && c.contract.end >= month.first_day())
        .collect();
    let mut found = Vec::with_capacity(overlapping.len());
    if !overlapping.is_empty() {
        let codes = store::task_codes(items).await?.mappings;
        let map = TaskCodeMap::new(codes.clone());
        let mut changes = store::customer_changes(items, &customer.code).await?;
        for c in overlapping {
            let history = changes.remove(&c.contract.id).unwrap_or_default();
            let r = service::contract_report(items, c, &history, &map, &codes, month.last_day(), rules).await?;
            found.push((r.contract.contract, r.usage));
        }
    }
    Ok(sections::utilisation(month, &found))
}

async fn breakglass(
    items: &dyn ItemStore,
    customer: &Customer,
    month: ReportMonth,
) -> Result<Section<BreakglassSection>> {
    let at = month.first_day().midnight().assume_utc();
    let events = items
        .query_all(Query::partition(Index::Primary, keys::audit(customer.code.as_str(), at)).limit(1000))
        .await?;
    // Every grant writes a `granted` event under the request's customer and month; the request
    // itself holds who, where, how long and why.
    let ids: BTreeSet<String> = events
        .iter()
        .filter(|e| e.data.get("action").and_then(|a| a.as_str()) == Some("granted"))
        .filter_map(|e| e.data.get("request_id").and_then(|r| r.as_str()).map(String::from))
        .collect();
    let requests: Vec<AccessRequest> = futures::stream::iter(ids)
        .map(|id| async move {
            match items.get(&keys::request(&id), keys::META).await? {
                Some(item) => decode::<AccessRequest>(item).map(Some),
                None => {
                    tracing::warn!(request = %id, "a granted event names a request that is not stored");
                    Ok(None)
                }
            }
        })
        .buffered(READ_CONCURRENCY)
        .collect::<Vec<Result<Option<AccessRequest>>>>()
        .await
        .into_iter()
        .filter_map(|r| r.transpose())
        .collect::<Result<_, Error>>()?;
    Ok(sections::breakglass(month, customer.code.as_str(), &requests))
}
