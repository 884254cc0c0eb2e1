//! What the billing API asks of the domain, with its authorisation: cost reports, the portfolio
//! overview, top movers, anomalies and their lifecycle, a customer's billing settings and export
//! imports. Any role may read (as in the hub: the team sees every customer); acknowledging and
//! resolving anomalies is for any role too (the engineer who looked is the one who knows);
//! settings, imports and fetch runs are for admins.
//!
//! The queries themselves are in [`super::costs`] and [`super::store`]; this module checks the
//! caller and the customer, then calls them.

use futures::StreamExt;
use time::{Date, Duration};

use super::anomaly::Thresholds;
use super::costs::{self, CostMetric, CostQuery, CostReport, MonthToDate, Mover};
use super::fetch::Billing;
use super::import::{self, ImportSummary};
use super::lifecycle::AnomalyStatus;
use super::settings::{self, BillingSettings};
use super::store::{self, Move, MoveBy, StoredAnomaly};
use crate::error::{Error, Result};
use crate::hub::{Customer, CustomerStatus};
use crate::identity::{Principal, Role};
use crate::ids::CustomerCode;
use crate::keys;
use crate::page::{Listed, PageRequest};
use crate::store::{Index, Item, Query, Write};

/// How many customers the portfolio overview reads at once.
const OVERVIEW_CONCURRENCY: usize = 8;

/// The most movers one request may ask for.
pub const MAX_MOVERS: usize = 100;

/// One customer in the portfolio overview.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CustomerCosts {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub name: String,
    pub status: CustomerStatus,
    /// Month to date against the same days of last month, one entry per billing currency (largest
    /// first); empty when no cost is stored for the two months.
    pub month_to_date: Vec<MonthToDate>,
    /// Anomalies waiting for someone (open) and being looked at (acknowledged).
    pub open_anomalies: usize,
    pub acknowledged_anomalies: usize,
    /// What the last fetch run that covered the customer did for it (absent before any): says
    /// why a customer has no data (skipped, with the reason) or stale data (failed).
    pub last_fetch: Option<super::fetch::LastFetch>,
}

/// Every customer's month to date and anomalies, as of the last complete day.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Overview {
    /// The last complete day (yesterday, UTC): Cost Explorer lags up to a day.
    #[serde(with = "costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    /// Sorted by month-to-date spend, largest first (customers without data last, by name).
    pub customers: Vec<CustomerCosts>,
    /// Month to date over every customer, per currency.
    pub totals: Vec<costs::CostTotal>,
}

/// Which anomalies to list: one customer's (any status unless given) or every customer's in one
/// status (open unless given).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnomalyFilter {
    pub customer: Option<CustomerCode>,
    pub status: Option<AnomalyStatus>,
}

/// A change of a customer's billing settings (admin). Send the `version` read (0 when the
/// customer still has the defaults).
#[derive(Clone, Debug, PartialEq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsUpdate {
    pub metric: CostMetric,
    pub thresholds: Thresholds,
    pub version: u64,
}

/// The largest absolute threshold accepted, in the billing currency.
const MAX_MIN_IMPACT: f64 = 1_000_000.0;

impl Billing {
    /// The last complete day: yesterday by the service's clock (UTC).
    pub fn as_of(&self) -> Date {
        self.clock.now().date() - Duration::days(1)
    }

    /// The customer, or 404.
    pub(super) async fn known_customer(&self, code: &CustomerCode) -> Result<Customer> {
        self.hub
            .snapshot()
            .await?
            .customer(code.as_str())
            .cloned()
            .ok_or_else(|| Error::not_found("customer", code.as_str()))
    }

    /// A customer's costs over a range (any role).
    ///
    /// Errors: 404 for an unknown customer, or an account that is not the customer's (when the
    /// hub has it under another customer; an account only in the cost data is fine: imports may
    /// hold accounts the hub lacks); 400 for a range that is reversed or longer than Cost Explorer
    /// keeps ([`costs::validate_range`]).
    pub async fn costs(&self, who: &Principal, q: &CostQuery) -> Result<CostReport> {
        who.require_any_role()?;
        self.known_customer(&q.customer).await?;
        if let Some(account) = &q.account {
            let snap = self.hub.snapshot().await?;
            if let Some(a) = snap.accounts.iter().find(|a| &a.id == account)
                && a.customer != q.customer
            {
                return Err(Error::not_found(
                    "account",
                    format!("{account} in customer {}", q.customer),
                ));
            }
        }
        costs::report(self.items.as_ref(), q).await
    }

    /// Every customer's month to date (as of yesterday) and anomaly counts (any role).
    pub async fn overview(&self, who: &Principal) -> Result<Overview> {
        who.require_any_role()?;
        let snap = self.hub.snapshot().await?;
        self.overview_of(&snap.customers).await
    }

    /// [`Self::overview`] of one customer (any role; 404 for an unknown customer).
    pub async fn customer_overview(&self, who: &Principal, customer: &CustomerCode) -> Result<Overview> {
        who.require_any_role()?;
        let c = self.known_customer(customer).await?;
        self.overview_of(std::slice::from_ref(&c)).await
    }

    async fn overview_of(&self, of: &[Customer]) -> Result<Overview> {
        let as_of = self.as_of();
        let mut customers: Vec<CustomerCosts> = futures::stream::iter(of.to_vec())
            .map(|c| async move {
                let items = self.items.as_ref();
                let (mtd, counts, last_fetch) = futures::try_join!(
                    costs::month_to_date(items, &c.code, as_of),
                    store::counts(items, &c.code),
                    self.last_fetch(&c.code),
                )?;
                let count = |s| counts.get(&s).copied().unwrap_or(0);
                Ok::<_, Error>(CustomerCosts {
                    customer: c.code,
                    name: c.name,
                    status: c.status,
                    month_to_date: mtd,
                    open_anomalies: count(AnomalyStatus::Open),
                    acknowledged_anomalies: count(AnomalyStatus::Acknowledged),
                    last_fetch,
                })
            })
            .buffered(OVERVIEW_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_>>()?;
        // `snap.customers` is by name; a stable sort keeps that order among equals.
        customers.sort_by(|a, b| {
            let spend = |c: &CustomerCosts| c.month_to_date.first().map(|m| m.month_to_date);
            match (spend(a), spend(b)) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        });
        let mut totals: std::collections::BTreeMap<String, f64> = Default::default();
        for m in customers.iter().flat_map(|c| &c.month_to_date) {
            *totals.entry(m.currency.clone()).or_default() += m.month_to_date;
        }
        Ok(Overview {
            as_of,
            customers,
            totals: totals
                .into_iter()
                .map(|(currency, amount)| costs::CostTotal {
                    key: String::new(),
                    amount,
                    currency,
                })
                .collect(),
        })
    }

    /// The (account, service) cells whose spend changed most between `[from, to]` and the window
    /// of the same length before it (any role). `limit` 1-[`MAX_MOVERS`].
    pub async fn movers(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        from: Date,
        to: Date,
        limit: usize,
    ) -> Result<Vec<Mover>> {
        who.require_any_role()?;
        if !(1..=MAX_MOVERS).contains(&limit) {
            return Err(Error::validation("limit", format!("limit must be 1-{MAX_MOVERS}")));
        }
        self.known_customer(customer).await?;
        costs::top_movers(self.items.as_ref(), customer, from, to, limit).await
    }

    /// Anomalies, newest detection first (any role): one customer's ([`store::list`]), or every
    /// customer's in one status through the status index.
    pub async fn anomalies(
        &self,
        who: &Principal,
        filter: &AnomalyFilter,
        page: &PageRequest,
    ) -> Result<Listed<StoredAnomaly>> {
        who.require_any_role()?;
        if let Some(customer) = &filter.customer {
            self.known_customer(customer).await?;
            return store::list(self.items.as_ref(), customer, filter.status, page).await;
        }
        let status = filter.status.unwrap_or(AnomalyStatus::Open);
        let scope = crate::page::scope("billing-anomalies-all", &status);
        let query = Query::partition(Index::Gsi1, keys::anomalies(status.as_str())).descending();
        crate::page::query_page(self.items.as_ref(), query, &scope, page).await
    }

    /// Acknowledges or resolves one of a customer's anomalies as the caller (any role), at the
    /// version read. A resolve needs a note (what was done: the monthly report shows it).
    ///
    /// Errors: as [`store::transition`]; 400 for a note with control characters or over 2000
    /// characters, or a resolve without a note.
    pub async fn move_anomaly(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        id: &str,
        to: Move,
        note: &str,
        version: u64,
    ) -> Result<StoredAnomaly> {
        who.require_any_role()?;
        let min = match to {
            Move::Acknowledge => 0,
            Move::Resolve => 1,
        };
        crate::text::text("note", note.trim(), min, 2000)?;
        self.known_customer(customer).await?;
        store::transition(
            self.items.as_ref(),
            customer,
            id,
            MoveBy {
                to,
                by: &who.email,
                note: note.trim(),
                version,
            },
            self.clock.now(),
        )
        .await
    }

    /// A customer's billing settings (any role; the defaults when none were saved), with
    /// whether the next fetch backfills the whole window in the metric
    /// ([`BillingSettings::backfill_pending`]).
    pub async fn settings(&self, who: &Principal, customer: &CustomerCode) -> Result<BillingSettings> {
        who.require_any_role()?;
        self.known_customer(customer).await?;
        let mut s = settings::get(self.items.as_ref(), customer).await?;
        s.backfill_pending = self.backfill_pending(customer, s.metric).await?;
        Ok(s)
    }

    /// Replaces a customer's billing settings (admin), at the version read, with its audit event
    /// (`billing_settings_changed`, the settings before and after) in the same transaction.
    ///
    /// Errors: 403 for a non-admin; 404 unknown customer; 400 for a threshold out of range
    /// (`min_impact` 0-1,000,000 in the billing currency, `min_relative` 0-100, i.e. up to
    /// +10,000 %); 409 `version_conflict` when someone saved since. A metric change makes the next
    /// fetch backfill the whole window Cost Explorer keeps in the new metric
    /// ([`super::fetch::window`]); the answer says so ([`BillingSettings::backfill_pending`]).
    pub async fn put_settings(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        update: SettingsUpdate,
    ) -> Result<BillingSettings> {
        who.require(Role::Admin, "changing billing settings")?;
        let t = update.thresholds;
        if !(t.min_impact.is_finite() && (0.0..=MAX_MIN_IMPACT).contains(&t.min_impact)) {
            return Err(Error::validation(
                "thresholds.min_impact",
                "the absolute threshold is an amount from 0 to 1,000,000 in the billing currency",
            ));
        }
        if !(t.min_relative.is_finite() && (0.0..=100.0).contains(&t.min_relative)) {
            return Err(Error::validation(
                "thresholds.min_relative",
                "the relative threshold is a fraction from 0 to 100 (0.2 = 20 %)",
            ));
        }
        self.known_customer(customer).await?;
        let before = settings::get(self.items.as_ref(), customer).await?;
        let mut next = BillingSettings {
            metric: update.metric,
            thresholds: t,
            version: update.version + 1,
            backfill_pending: false,
        };
        let data = next.stored()?;
        // The audit event in the same transaction (a stale version writes neither).
        let (b, a) = (before.audited()?, next.audited()?);
        let mut event = crate::audit::AuditEvent::new(
            who.email.as_str(),
            "billing_settings_changed",
            customer.as_str(),
            self.clock.now(),
        )
        .origin(&crate::audit::current_origin());
        event.detail = match crate::audit::changed_fields(&b, &a) {
            f if f.is_empty() => "billing settings saved unchanged".to_string(),
            f => format!("billing settings: {f}"),
        };
        let event = event.before_after(Some(b), Some(a));
        let item = Item::new(keys::billing(customer.as_str()), keys::BILLING_SETTINGS, data);
        self.items
            .transact(vec![Write::at_version(item, update.version), Write::Put(event.item())])
            .await
            .map_err(|e| match e {
                crate::store::StoreError::ConditionFailed => Error::conflict(
                    crate::error::Conflict::Version,
                    format!(
                        "the billing settings of {customer} are not at version {}: someone changed them; reload and \
                         try again",
                        update.version
                    ),
                ),
                other => other.into(),
            })?;
        next.backfill_pending = self.backfill_pending(customer, next.metric).await?;
        Ok(next)
    }

    /// Imports a cost and usage export (FOCUS or CUR CSV, plain or gzip; one file or the parts
    /// of one export, `(name, reader)` each, summed before storing: [`import::parse_files`]) for
    /// a customer (admin), replacing the imported cells of the months it has costs in, then runs
    /// detection over the stored history ([`Self::store_import`]). Every file is read before
    /// anything is stored: a bad row stores nothing.
    ///
    /// Errors: 403 for a non-admin; 404 unknown customer; 400 naming the accounts of the files
    /// that the hub has under other customers, with each one's customer ([`import::check_owners`]);
    /// 400 naming the row and column of a bad
    /// value (and the file, when several), or saying a file is neither FOCUS nor CUR, or that the
    /// files expand to more than [`import::MAX_API_EXPANDED_BYTES`] together (the CLI's import
    /// has no such limit), or naming parts with the same content; 409 `fetch_running` /
    /// `import_running` while a fetch or another import writes the customer's costs.
    pub async fn import<R: std::io::Read + Send + 'static>(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        files: Vec<(String, R)>,
    ) -> Result<ImportSummary> {
        who.require(Role::Admin, "importing cost exports")?;
        self.known_customer(customer).await?;
        let metric = settings::get(self.items.as_ref(), customer).await?.metric;
        let parsed =
            tokio::task::spawn_blocking(move || import::parse_files(files, metric, import::MAX_API_EXPANDED_BYTES))
                .await
                .map_err(|e| Error::Internal(anyhow::anyhow!("the import's reader stopped: {e}")))??;
        let by = import::Importer {
            actor: who.email.as_str(),
            via: "API",
        };
        self.store_import(customer, parsed, &by).await
    }

    /// Stores an export read for `customer` ([`import::store`]: the imported cells of each month
    /// it has costs in replaced, then detection) as the one writer of the customer's costs: under
    /// the customer's lease ([`super::fetch::Lease`]), so a fetch or another import cannot write
    /// the same months meanwhile. For the API ([`Self::import`]) and `cc billing import`; the
    /// caller checks who may.
    ///
    /// Errors: 409 `fetch_running` / `import_running` while a fetch or another import holds the
    /// lease (nothing written); as [`import::store`].
    pub async fn store_import(
        &self,
        customer: &CustomerCode,
        parsed: import::Parsed,
        by: &import::Importer<'_>,
    ) -> Result<ImportSummary> {
        let snap = self.hub.snapshot().await?;
        let now = self.clock.now();
        self.writing_costs(
            customer,
            by.actor,
            import::store(self.items.as_ref(), customer, parsed, &snap.accounts, by, now),
        )
        .await
    }

    /// Removes a customer's imported costs in the months `from` to `to` (`YYYY-MM`, inclusive;
    /// admin), then runs detection ([`Self::remove_imported_costs`]).
    ///
    /// Errors: 403 for a non-admin; 404 unknown customer; 400 for a month that is not `YYYY-MM`
    /// from 2000-01 to 2099-12 (field `from` / `to`) or `to` before `from`; 409 `fetch_running` /
    /// `import_running` while a fetch or an import writes the customer's costs.
    pub async fn remove_imports(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        from: &str,
        to: Option<&str>,
    ) -> Result<ImportsRemoved> {
        who.require(Role::Admin, "removing imported costs")?;
        let (from, to) = month_range(from, to)?;
        self.known_customer(customer).await?;
        let by = import::Importer {
            actor: who.email.as_str(),
            via: "API",
        };
        self.remove_imported_costs(customer, (from, to), &by).await
    }

    /// Removes every imported cell of `customer` in the months `from..=to` (first days)
    /// ([`costs::remove_imported`]; a fetch's and the demo's cells stay), as the one writer of the
    /// customer's costs (its lease), records it in the customer's audit log
    /// (`imported_costs_removed`: the range, the months that held costs, the cells removed) and
    /// runs detection over the history up to the range's last day (at most yesterday) when any
    /// cell was removed. For the API ([`Self::remove_imports`]) and `cc billing remove-imported`;
    /// the caller checks who may.
    ///
    /// Errors: 409 `fetch_running` / `import_running` while a fetch or an import holds the
    /// lease (nothing removed).
    pub async fn remove_imported_costs(
        &self,
        customer: &CustomerCode,
        (from, to): (Date, Date),
        by: &import::Importer<'_>,
    ) -> Result<ImportsRemoved> {
        let items = self.items.as_ref();
        let now = self.clock.now();
        self.writing_costs(customer, by.actor, async {
            let months = costs::months_stored(items, customer, from, to).await?;
            let removed = costs::remove_imported(items, customer, &months, &Default::default()).await?;
            let mut out = ImportsRemoved {
                customer: customer.clone(),
                from: costs::month_name(from),
                to: costs::month_name(to),
                months: months.iter().map(|m| costs::month_name(*m)).collect(),
                cells_removed: removed,
                anomalies_raised: 0,
            };
            let mut event = crate::audit::AuditEvent::new(by.actor, "imported_costs_removed", customer.as_str(), now)
                .origin(&crate::audit::current_origin())
                .before_after(
                    None,
                    Some(serde_json::json!({
                        "from": out.from,
                        "to": out.to,
                        "months": out.months,
                        "cells_removed": removed,
                    })),
                );
            event.detail = format!(
                "imported costs of {}{} removed via {}: {removed} cells",
                out.from,
                if from == to {
                    String::new()
                } else {
                    format!(" to {}", out.to)
                },
                by.via
            );
            items
                .transact(vec![Write::Put(event.item())])
                .await
                .map_err(|e| Error::Internal(anyhow::anyhow!("recording the removal in the audit log: {e}")))?;
            if removed > 0 {
                let last = to + Duration::days(i64::from(to.month().length(to.year())) - 1);
                let as_of = last.min(now.date() - Duration::days(1));
                out.anomalies_raised = store::detect(items, customer, as_of, now).await?.len();
            }
            Ok(out)
        })
        .await
    }

    /// Runs `work` as the one writer of `customer`'s costs (`actor`, an import's): under the
    /// customer's lease, released when it is done; refused while a fetch or another import holds
    /// it.
    async fn writing_costs<T>(
        &self,
        customer: &CustomerCode,
        actor: &str,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let id = format!("import-{}", crate::ids::new_ulid());
        let trigger = super::fetch::Trigger::Admin {
            email: actor.to_string(),
        };
        let version = match self
            .take_lease_for(customer, &id, &trigger, super::fetch::LeaseWork::Import)
            .await?
        {
            Ok(version) => version,
            Err(other) => return Err(other.refusal(customer)),
        };
        let out = work.await;
        self.release_lease(customer, version).await;
        out
    }
}

/// What removing a customer's imported costs did.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportsRemoved {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    /// The first and last month asked for (`YYYY-MM`).
    pub from: String,
    pub to: String,
    /// The months of the range that held any of the customer's costs (`YYYY-MM`): their imported
    /// cells were removed (a fetch's and the demo's stay).
    pub months: Vec<String>,
    /// Imported daily cells removed.
    pub cells_removed: usize,
    /// Anomalies raised by the detection run after the removal (over the stored history up to the
    /// range's last day, or yesterday; only when a cell was removed).
    pub anomalies_raised: usize,
}

/// `from` and `to` (`YYYY-MM`; `to` defaults to `from`) as the first days of their months.
///
/// Errors (validation): a month that is not `YYYY-MM` from 2000-01 to 2099-12 (field `from` or
/// `to`); `to` before `from` (field `to`).
pub fn month_range(from: &str, to: Option<&str>) -> Result<(Date, Date)> {
    let month = |field: &str, s: &str| {
        costs::parse_month(s).map_err(|e| match e {
            Error::Validation { message, .. } => Error::validation(field, format!("'{field}': {message}")),
            other => other,
        })
    };
    let from_day = month("from", from)?;
    let to_day = match to {
        Some(t) => month("to", t)?,
        None => from_day,
    };
    if to_day < from_day {
        return Err(Error::validation(
            "to",
            format!("'to' ({}) is before 'from' ({from})", to.unwrap_or(from)),
        ));
    }
    Ok((from_day, to_day))
}
