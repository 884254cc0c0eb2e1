//! Report versions' metadata in the item store, and where their outputs are in the object store.
//!
//! One item per version, `REPORT#{customer}#{yyyy-mm}` / `{version:06}` (see [`crate::keys`]),
//! created with a conditional put. A version, once written, stays as it was, with one exception: an
//! output rendered after the build (the PDF in AWS, [`PendingOutput`]) is added to it once, by a
//! write conditional on the item's version.
//! The outputs are objects under a stable key per customer, month and format
//! (`reports/{customer}/{yyyy-mm}/report.{html,json,pdf}`) in a store that keeps every
//! version of a key (S3 with versioning; the local directory): each version's item names the
//! object version ids it wrote, so rebuilding adds object versions and never touches older ones.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use utoipa::ToSchema;

use super::Trigger;
use super::month::ReportMonth;
use super::snapshot::MissingReason;
use crate::error::{Error, Result};
use crate::ids::CustomerCode;
use crate::keys;
use crate::store::{Index, Item, ItemStore, Query};

/// One built version: who or what built it, when, why, with which summary, and its outputs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ReportVersion {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub month: ReportMonth,
    /// 1, 2, ... per customer and month.
    pub version: u32,
    /// This build's id (a ULID), also in its objects' metadata.
    pub build_id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub built_at: OffsetDateTime,
    pub trigger: Trigger,
    /// Why it was built (`monthly schedule`, or what the person said).
    pub reason: String,
    /// The team's summary it was built with (markdown); absent when none.
    pub summary: Option<String>,
    /// The snapshot's schema ([`super::snapshot::SCHEMA`]).
    pub schema: u32,
    /// Each section and whether it had data, in the report's order.
    pub sections: Vec<SectionState>,
    /// What was written (`json`, `html`, and `pdf` when the PDF renderer is wired).
    pub outputs: Vec<ReportOutput>,
    /// Outputs still to come: rendered after the build by another process (in AWS the PDF, by the
    /// `report-pdf` function, which the new version's item starts through the table's stream).
    /// Absent or empty when every output is in `outputs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingOutput>,
}

/// An output of a version that is rendered after the build.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct PendingOutput {
    /// `pdf`.
    pub format: String,
    /// Why rendering it failed (it is not tried again: a new build is); absent while it is on its way.
    pub error: Option<String>,
}

impl ReportVersion {
    /// The output in `format`, when this version has it.
    pub fn output(&self, format: &str) -> Option<&ReportOutput> {
        self.outputs.iter().find(|o| o.format == format)
    }

    /// The output in `format` when it is still to be rendered (or failed to be).
    pub fn pending(&self, format: &str) -> Option<&PendingOutput> {
        self.pending.iter().find(|p| p.format == format)
    }

    /// The build's metadata, as the outputs show it.
    pub fn build_info(&self) -> super::BuildInfo {
        super::BuildInfo {
            version: self.version,
            built_at: self.built_at,
            trigger: self.trigger.clone(),
            reason: self.reason.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct SectionState {
    pub section: String,
    pub ready: bool,
    /// Why it had no data (absent when ready).
    pub missing: Option<MissingReason>,
}

/// One stored output of a version.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ReportOutput {
    /// `json`, `html`, `pdf`.
    pub format: String,
    pub content_type: String,
    /// The object key (stable per customer, month and format).
    pub key: String,
    /// The object version this report version wrote.
    pub version_id: String,
    /// Bytes.
    pub size: u64,
}

/// The object key of a customer's month's output in `format`.
pub fn object_key(customer: &CustomerCode, month: ReportMonth, format: &str) -> String {
    format!("reports/{}/{month}/report.{format}", customer.as_str())
}

/// The customer, month and version a report version item's keys name (`REPORT#{customer}#{yyyy-mm}`,
/// `{version:06}`), or `None` for any other item's keys (a stream record names only keys).
pub fn version_of_keys(pk: &str, sk: &str) -> Option<(CustomerCode, ReportMonth, u32)> {
    let (customer, month) = pk.strip_prefix("REPORT#")?.rsplit_once('#')?;
    let customer = CustomerCode::parse(customer).ok()?;
    let month = ReportMonth::parse(month).ok()?;
    let version: u32 = sk.parse().ok().filter(|v| *v > 0)?;
    (keys::report(customer.as_str(), &month.to_string()) == pk && keys::report_version(version) == sk)
        .then_some((customer, month, version))
}

pub(super) fn item(v: &ReportVersion) -> Result<Item> {
    let data = serde_json::to_value(v).map_err(|e| Error::Internal(e.into()))?;
    let (customer, month) = (v.customer.as_str(), v.month.to_string());
    Ok(
        Item::new(keys::report(customer, &month), keys::report_version(v.version), data)
            .with_gsi1(keys::reports_of(customer), keys::report_of_customer(&month, v.version))
            .with_gsi2(
                keys::reports_in_month(&month),
                keys::report_in_month(customer, v.version),
            ),
    )
}

/// The item's record. Not [`crate::store::decode`]: that writes the item's own version over the
/// `version` field, which here is the report's version number.
pub(super) fn decode(item: Item) -> Result<ReportVersion> {
    serde_json::from_value(item.data)
        .map_err(|e| Error::Internal(anyhow::anyhow!("corrupt report version {}/{}: {e}", item.pk, item.sk)))
}

/// Every version of a customer's month, newest first.
pub async fn versions(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    month: ReportMonth,
) -> Result<Vec<ReportVersion>> {
    let found = items
        .query_all(
            Query::partition(Index::Primary, keys::report(customer.as_str(), &month.to_string()))
                .descending()
                .limit(500),
        )
        .await?;
    found.into_iter().map(decode).collect()
}

/// The newest version of a customer's month, if any.
pub async fn latest(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    month: ReportMonth,
) -> Result<Option<ReportVersion>> {
    let page = items
        .query(
            Query::partition(Index::Primary, keys::report(customer.as_str(), &month.to_string()))
                .descending()
                .limit(1),
        )
        .await?;
    page.items.into_iter().next().map(decode).transpose()
}

/// One version; 404 when it does not exist.
pub async fn get(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    month: ReportMonth,
    version: u32,
) -> Result<ReportVersion> {
    let item = items
        .get(
            &keys::report(customer.as_str(), &month.to_string()),
            &keys::report_version(version),
        )
        .await?
        .ok_or_else(|| Error::not_found("report version", format!("{customer} {month} version {version}")))?;
    decode(item)
}

/// A month's reports of a customer: how many versions, and the newest.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct MonthReports {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub month: ReportMonth,
    pub versions: u32,
    pub latest: ReportVersion,
}

fn group(found: Vec<ReportVersion>) -> Vec<MonthReports> {
    let mut by: BTreeMap<(String, ReportMonth), MonthReports> = BTreeMap::new();
    for v in found {
        let k = (v.customer.to_string(), v.month);
        match by.get_mut(&k) {
            Some(m) => {
                m.versions += 1;
                if v.version > m.latest.version {
                    m.latest = v;
                }
            }
            None => {
                by.insert(
                    k,
                    MonthReports {
                        customer: v.customer.clone(),
                        month: v.month,
                        versions: 1,
                        latest: v,
                    },
                );
            }
        }
    }
    by.into_values().collect()
}

/// A customer's months with reports, newest month first (through the customer's index partition).
pub async fn months_of(items: &dyn ItemStore, customer: &CustomerCode) -> Result<Vec<MonthReports>> {
    let found = items
        .query_all(Query::partition(Index::Gsi1, keys::reports_of(customer.as_str())).limit(1000))
        .await?;
    let mut out = group(found.into_iter().map(decode).collect::<Result<_>>()?);
    out.reverse();
    Ok(out)
}

/// Every customer's reports of one month, by customer code (through the month's index partition).
pub async fn customers_in(items: &dyn ItemStore, month: ReportMonth) -> Result<Vec<MonthReports>> {
    let found = items
        .query_all(Query::partition(Index::Gsi2, keys::reports_in_month(&month.to_string())).limit(1000))
        .await?;
    Ok(group(found.into_iter().map(decode).collect::<Result<_>>()?))
}

/// Deletes every report version item of `customer` (the objects stay in the bucket, unreachable
/// through the API). Part of deleting a customer, so a new customer given the same code does not
/// inherit its reports. Idempotent.
pub async fn purge_customer(items: &dyn ItemStore, customer: &CustomerCode) -> Result<()> {
    let found = items
        .query_all(Query::partition(Index::Gsi1, keys::reports_of(customer.as_str())).limit(1000))
        .await?;
    crate::store::delete_all(items, found)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("deleting a customer's report versions: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_keys_are_read_back_and_other_keys_are_not_versions() {
        let (c, m, v) = version_of_keys(&keys::report("acme-retail", "2026-10"), &keys::report_version(12)).unwrap();
        assert_eq!((c.as_str(), m.to_string().as_str(), v), ("acme-retail", "2026-10", 12));
        for (pk, sk) in [
            ("REPORTRUN", "0001767225600000#01j"),
            ("REPORTS#acme-retail", "2026-10#000001"),
            ("REPORT#acme-retail#2026-13", "000001"),
            ("REPORT#acme-retail#2026-10", "000000"),
            ("REPORT#acme-retail#2026-10", "1"),
            ("REPORT#acme-retail#2026-10", "x"),
            ("REPORT#2026-10", "000001"),
            ("REPORT#Acme-Retail#2026-10", "000001"),
            ("CUSTOMER#acme-retail", "META"),
        ] {
            assert_eq!(version_of_keys(pk, sk), None, "{pk} / {sk}");
        }
    }
}
