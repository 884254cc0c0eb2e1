//! A customer's billing settings: which cost metric is kept and the cost-jump thresholds. One item
//! per customer (`BILLING#{customer}` / `SETTINGS`, versioned); a customer without one has the
//! defaults.

use crate::error::Result;
use crate::ids::CustomerCode;
use crate::keys;
use crate::store::{ItemStore, decode};

use super::anomaly::Thresholds;
use super::costs::CostMetric;

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BillingSettings {
    /// Unblended by default; amortized for customers with large RI / Savings Plans upfront fees.
    #[serde(default)]
    pub metric: CostMetric,
    /// Both must be reached for a cost jump to be raised.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// The item's version (0: never written, the defaults).
    #[serde(default)]
    pub version: u64,
    /// The metric was changed since the customer's costs were last fetched: a payer's last fetch
    /// was in the other metric, so the **next fetch** (the daily schedule, or Fetch now) reads the
    /// whole window Cost Explorer keeps again (13 months and the current one), replacing every
    /// fetched cost in `metric`. Until then the fetched costs are in the old metric. Imported
    /// costs keep the metric they were imported in (import the exports again), and fetched costs
    /// older than Cost Explorer's window keep the old one. Answered, never stored.
    #[serde(default)]
    pub backfill_pending: bool,
}

impl BillingSettings {
    /// The settings themselves, with their version (for the audit log): without what is answered
    /// only.
    pub(super) fn audited(&self) -> crate::Result<serde_json::Value> {
        let mut data = crate::store::encode(self)?;
        if let Some(o) = data.as_object_mut() {
            o.remove("backfill_pending");
        }
        Ok(data)
    }

    /// The stored form: [`Self::audited`] without the version (the item's own).
    pub(super) fn stored(&self) -> crate::Result<serde_json::Value> {
        let mut data = self.audited()?;
        if let Some(o) = data.as_object_mut() {
            o.remove("version");
        }
        Ok(data)
    }
}

/// The customer's settings, or the defaults when none were saved.
pub async fn get(items: &dyn ItemStore, customer: &CustomerCode) -> Result<BillingSettings> {
    let item = items
        .get(&keys::billing(customer.as_str()), keys::BILLING_SETTINGS)
        .await
        .map_err(|e| crate::Error::Internal(anyhow::anyhow!("reading billing settings: {e}")))?;
    item.map(decode).transpose().map(Option::unwrap_or_default)
}
