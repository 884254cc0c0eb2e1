//! Daily cost per (account, service, day): the one shape every source (Cost Explorer, FOCUS and
//! CUR exports, the demo generator) is reduced to, and the repository that stores it.
//!
//! Stored under `COST#{customer}#{yyyy-mm}` / `{account}#{service}#{dd}` (see [`crate::keys`]), one
//! item per cell, written with unconditional puts: a re-fetch or re-import of the same cells
//! replaces them, never adds to them (Cost Explorer revises recent days, DOMAIN.md "Billing").

use std::collections::BTreeMap;

use time::Date;

use crate::error::{Error, Result};
use crate::ids::{AccountId, CustomerCode};
use crate::keys;
use crate::store::{Item, ItemStore, Write, encode};

/// Which Cost Explorer metric (FOCUS column) a customer's costs are kept in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CostMetric {
    /// What was billed for the usage that day (CE `UnblendedCost`, FOCUS `BilledCost`, CUR
    /// `lineItem/UnblendedCost`): RI / Savings Plans fees land on the day they are charged.
    #[default]
    UnblendedCost,
    /// Upfront and recurring commitment fees spread over the usage they cover (CE `AmortizedCost`,
    /// FOCUS `EffectiveCost`).
    AmortizedCost,
}

/// One cell: what `account` spent on `service` on `day` (UTC), in `currency` units (not cents).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DailyCost {
    pub account: AccountId,
    /// The service as the source names it (CE `SERVICE` dimension, FOCUS `ServiceName`).
    pub service: String,
    pub day: Date,
    pub amount: f64,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
}

/// Writes at most this many cells per store transaction (DynamoDB's limit).
const BATCH: usize = 100;

/// Stores daily costs idempotently: writing a cell again replaces it.
pub async fn upsert(items: &dyn ItemStore, customer: &CustomerCode, costs: &[DailyCost]) -> Result<usize> {
    // The last value for a cell wins, as it would across two writes; a transaction may not hold
    // the same item twice.
    let mut cells: BTreeMap<(String, String), &DailyCost> = BTreeMap::new();
    for c in costs {
        cells.insert(
            (
                keys::cost(customer.as_str(), c.day),
                keys::cost_cell(c.account.as_str(), &c.service, c.day),
            ),
            c,
        );
    }
    let written = cells.len();
    let writes: Vec<Write> = cells
        .into_iter()
        .map(|((pk, sk), c)| Ok(Write::Put(Item::new(pk, sk, encode(c)?))))
        .collect::<Result<_>>()?;
    for chunk in writes.chunks(BATCH) {
        items
            .transact(chunk.to_vec())
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("storing daily costs: {e}")))?;
    }
    Ok(written)
}
