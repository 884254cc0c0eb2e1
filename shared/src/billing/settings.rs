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
}

/// The customer's settings, or the defaults when none were saved.
pub async fn get(items: &dyn ItemStore, customer: &CustomerCode) -> Result<BillingSettings> {
    let item = items
        .get(&keys::billing(customer.as_str()), keys::BILLING_SETTINGS)
        .await
        .map_err(|e| crate::Error::Internal(anyhow::anyhow!("reading billing settings: {e}")))?;
    item.map(decode).transpose().map(Option::unwrap_or_default)
}
