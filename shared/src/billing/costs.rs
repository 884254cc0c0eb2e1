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
use crate::store::{Index, Item, ItemStore, Query, Write, decode, encode};

/// Which Cost Explorer metric (FOCUS column) a customer's costs are kept in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
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
    /// `YYYY-MM-DD` in JSON and in storage.
    #[serde(with = "iso_day")]
    pub day: Date,
    pub amount: f64,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
}

// Days on the wire as `YYYY-MM-DD` (time's default would be a `[year, ordinal]` pair).
time::serde::format_description!(pub iso_day, Date, "[year]-[month]-[day]");

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
    for chunk in writes.chunks(crate::store::MAX_TRANSACTION_WRITES) {
        items
            .transact(chunk.to_vec())
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("storing daily costs: {e}")))?;
    }
    Ok(written)
}

// ---- queries ---------------------------------------------------------------------------------
//
// Every query reads whole month partitions (`COST#{customer}#{yyyy-mm}`), one query per month the
// range touches, narrowed to the sort-key prefix `{account}#` (or `{account}#{service}#`) when an
// account is asked for; the days outside the range and other services are dropped as read. Amounts
// are summed per currency and never converted: a customer billed in two currencies gets two rows.

/// The most calendar months one query may touch: what Cost Explorer keeps (13 months of history
/// plus the current month, DOMAIN.md "Billing").
pub const MAX_MONTHS: i32 = 14;

/// How the costs of a range are bucketed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One row per (day, account, service).
    #[default]
    Daily,
    /// One row per (calendar month, account, service); a partial month at either end of the range
    /// holds only the range's days.
    Monthly,
}

/// What to read: a customer's costs over `[from, to]` (inclusive UTC days), optionally one account
/// and / or one service (the service as the source names it, matched exactly).
#[derive(Clone, Debug, PartialEq)]
pub struct CostQuery {
    pub customer: CustomerCode,
    pub from: Date,
    pub to: Date,
    pub account: Option<AccountId>,
    pub service: Option<String>,
    pub granularity: Granularity,
}

/// One row of a cost report: what `account` spent on `service` in the period starting `period`
/// (a day, or the first day of the month or of the range for monthly rows).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CostRow {
    #[serde(with = "iso_day")]
    #[schema(value_type = String, format = Date)]
    pub period: Date,
    pub account: AccountId,
    pub service: String,
    /// In `currency` units (e.g. USD, not cents).
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: String,
}

/// A total for one account, one service or the whole range, in one currency.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CostTotal {
    /// The account id or service name (empty for the grand total).
    pub key: String,
    pub amount: f64,
    pub currency: String,
}

/// A customer's costs over a range: the rows, totals by account and by service (largest first) and
/// the grand total per currency.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CostReport {
    #[serde(with = "iso_day")]
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[serde(with = "iso_day")]
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    pub granularity: Granularity,
    /// Sorted by period, account, service.
    pub rows: Vec<CostRow>,
    pub by_account: Vec<CostTotal>,
    pub by_service: Vec<CostTotal>,
    /// One per currency (usually one).
    pub total: Vec<CostTotal>,
}

/// The first day of `day`'s month.
pub fn month_start(day: Date) -> Date {
    day.replace_day(1).unwrap_or(day)
}

/// The first day of the month after `day`'s.
fn next_month(day: Date) -> Date {
    let first = month_start(day);
    first + time::Duration::days(i64::from(first.month().length(first.year())))
}

/// The first day of the month before `day`'s.
fn previous_month(day: Date) -> Date {
    month_start(month_start(day) - time::Duration::days(1))
}

/// Number of calendar months `[from, to]` touches.
fn months_touched(from: Date, to: Date) -> i32 {
    (to.year() - from.year()) * 12 + i32::from(u8::from(to.month())) - i32::from(u8::from(from.month())) + 1
}

/// Checks a range: `to` not before `from`, at most [`MAX_MONTHS`] calendar months touched.
pub fn validate_range(from: Date, to: Date) -> Result<()> {
    if to < from {
        return Err(Error::validation(
            "to",
            format!("'to' ({to}) is before 'from' ({from})"),
        ));
    }
    if months_touched(from, to) > MAX_MONTHS {
        return Err(Error::validation(
            "from",
            format!(
                "the range from {from} to {to} touches {} calendar months; at most {MAX_MONTHS} (what Cost Explorer keeps) may be read at once",
                months_touched(from, to)
            ),
        ));
    }
    Ok(())
}

/// Every stored cell of `customer` in `[from, to]`, of `account` / `service` when given, in no
/// particular order. The range must be valid ([`validate_range`]).
pub async fn cells(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    from: Date,
    to: Date,
    account: Option<&AccountId>,
    service: Option<&str>,
) -> Result<Vec<DailyCost>> {
    validate_range(from, to)?;
    let prefix = match (account, service) {
        (Some(a), Some(s)) => Some(format!("{}#{s}#", a.as_str())),
        (Some(a), None) => Some(format!("{}#", a.as_str())),
        _ => None,
    };
    let mut out = Vec::new();
    let mut month = month_start(from);
    while month <= to {
        let mut q = Query::partition(Index::Primary, keys::cost(customer.as_str(), month)).limit(1000);
        if let Some(p) = &prefix {
            q = q.prefix(p.clone());
        }
        let found = items.query_all(q).await?;
        for item in found {
            let c: DailyCost = decode(item)?;
            if c.day < from || c.day > to || service.is_some_and(|s| s != c.service) {
                continue;
            }
            out.push(c);
        }
        month = next_month(month);
    }
    Ok(out)
}

/// Deletes the stored cells of `accounts` in `[from, to]` that `kept` does not hold: what a source
/// answered for a period replaces what was stored for it, so a charge the source no longer reports
/// (revised away, e.g. a refunded usage) disappears rather than stays at its old amount. Cells of
/// other accounts (another payer's, an import's) are left alone. Returns how many were deleted.
pub async fn remove_missing(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    (from, to): (Date, Date),
    accounts: &std::collections::BTreeSet<AccountId>,
    kept: &std::collections::BTreeSet<(AccountId, String, Date)>,
) -> Result<usize> {
    if accounts.is_empty() {
        return Ok(0);
    }
    let stale: Vec<Write> = cells(items, customer, from, to, None, None)
        .await?
        .into_iter()
        .filter(|c| accounts.contains(&c.account) && !kept.contains(&(c.account.clone(), c.service.clone(), c.day)))
        .map(|c| Write::Delete {
            pk: keys::cost(customer.as_str(), c.day),
            sk: keys::cost_cell(c.account.as_str(), &c.service, c.day),
            expected: None,
        })
        .collect();
    for chunk in stale.chunks(crate::store::MAX_TRANSACTION_WRITES) {
        items
            .transact(chunk.to_vec())
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("removing revised daily costs: {e}")))?;
    }
    Ok(stale.len())
}

fn totals(map: BTreeMap<(String, String), f64>) -> Vec<CostTotal> {
    let mut v: Vec<CostTotal> = map
        .into_iter()
        .map(|((key, currency), amount)| CostTotal { key, amount, currency })
        .collect();
    v.sort_by(|a, b| b.amount.total_cmp(&a.amount).then_with(|| a.key.cmp(&b.key)));
    v
}

/// The costs `q` asks for, bucketed by its granularity, with totals.
///
/// Errors: `to` before `from` (validation, field `to`); more than [`MAX_MONTHS`] calendar months
/// (validation, field `from`).
pub async fn report(items: &dyn ItemStore, q: &CostQuery) -> Result<CostReport> {
    let cells = cells(
        items,
        &q.customer,
        q.from,
        q.to,
        q.account.as_ref(),
        q.service.as_deref(),
    )
    .await?;
    let mut rows: BTreeMap<(Date, String, String, String), f64> = BTreeMap::new();
    let mut by_account = BTreeMap::new();
    let mut by_service = BTreeMap::new();
    let mut total = BTreeMap::new();
    for c in cells {
        let period = match q.granularity {
            Granularity::Daily => c.day,
            Granularity::Monthly => month_start(c.day).max(q.from),
        };
        *rows
            .entry((
                period,
                c.account.as_str().to_string(),
                c.service.clone(),
                c.currency.clone(),
            ))
            .or_default() += c.amount;
        *by_account
            .entry((c.account.as_str().to_string(), c.currency.clone()))
            .or_default() += c.amount;
        *by_service.entry((c.service.clone(), c.currency.clone())).or_default() += c.amount;
        *total.entry((String::new(), c.currency)).or_default() += c.amount;
    }
    let rows = rows
        .into_iter()
        .map(|((period, account, service, currency), amount)| {
            Ok(CostRow {
                period,
                account: AccountId::parse(&account).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?,
                service,
                amount,
                currency,
            })
        })
        .collect::<Result<_>>()?;
    Ok(CostReport {
        from: q.from,
        to: q.to,
        granularity: q.granularity,
        rows,
        by_account: totals(by_account),
        by_service: totals(by_service),
        total: totals(total),
    })
}

/// Month-to-date spend against the same days of last month, and a forecast to the month's end, in
/// one currency.
///
/// Method: `as_of` is the last complete day (yesterday: Cost Explorer lags up to a day). Month to
/// date sums the 1st of `as_of`'s month to `as_of`; last month sums the 1st of the previous month to
/// the same day number (capped at that month's length, so 31 March compares with all of February).
/// The forecast is month to date plus the trailing 7-day daily average (the 7 days ending `as_of`,
/// which may reach into last month: a whole week, so weekend dips average out) times the days left
/// in the month after `as_of`. Straight-line, like a person's "where do we land at this rate"; it
/// does not know about fees still to come.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct MonthToDate {
    #[serde(with = "iso_day")]
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    pub currency: String,
    pub month_to_date: f64,
    /// The same days of last month.
    pub last_month_same_days: f64,
    /// `month_to_date - last_month_same_days`.
    pub change: f64,
    /// `change / last_month_same_days` (0.25 = +25 %); absent when last month had no spend.
    pub change_ratio: Option<f64>,
    /// The trailing 7-day daily average.
    pub daily_average_7d: f64,
    /// Month to date plus the 7-day average times the days left.
    pub forecast: f64,
}

/// Month to date as of `as_of` (normally yesterday), one entry per currency, largest first.
pub async fn month_to_date(items: &dyn ItemStore, customer: &CustomerCode, as_of: Date) -> Result<Vec<MonthToDate>> {
    let this_month = month_start(as_of);
    let last_month = previous_month(as_of);
    let last_len = last_month.month().length(last_month.year());
    let last_to = last_month + time::Duration::days(i64::from(as_of.day().min(last_len)) - 1);
    let week_from = as_of - time::Duration::days(6);
    let from = last_month.min(week_from);
    let cells = cells(items, customer, from, as_of, None, None).await?;
    let mut per: BTreeMap<String, [f64; 3]> = BTreeMap::new();
    for c in cells {
        let e = per.entry(c.currency.clone()).or_default();
        if c.day >= this_month {
            e[0] += c.amount;
        }
        if c.day >= last_month && c.day <= last_to {
            e[1] += c.amount;
        }
        if c.day >= week_from {
            e[2] += c.amount;
        }
    }
    let days_left = i64::from(as_of.month().length(as_of.year()) - as_of.day());
    let mut out: Vec<MonthToDate> = per
        .into_iter()
        .map(|(currency, [mtd, last, week])| {
            let avg = week / 7.0;
            MonthToDate {
                as_of,
                currency,
                month_to_date: mtd,
                last_month_same_days: last,
                change: mtd - last,
                change_ratio: (last.abs() > f64::EPSILON).then(|| (mtd - last) / last),
                daily_average_7d: avg,
                forecast: mtd + avg * days_left as f64,
            }
        })
        .collect();
    out.sort_by(|a, b| b.month_to_date.total_cmp(&a.month_to_date));
    Ok(out)
}

/// An (account, service) cell whose spend changed between two equal windows.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Mover {
    pub account: AccountId,
    pub service: String,
    pub currency: String,
    /// Spend in the earlier window.
    pub previous: f64,
    /// Spend in `[from, to]`.
    pub current: f64,
    /// `current - previous` (negative: spend fell).
    pub change: f64,
}

/// The `limit` (account, service) cells whose spend changed most in money (by absolute change,
/// largest first) between `[from, to]` and the window of the same length just before it.
///
/// Errors: as [`validate_range`], over the two windows together.
pub async fn top_movers(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    from: Date,
    to: Date,
    limit: usize,
) -> Result<Vec<Mover>> {
    validate_range(from, to)?;
    let len = (to - from).whole_days() + 1;
    let prev_from = from - time::Duration::days(len);
    let cells = cells(items, customer, prev_from, to, None, None).await?;
    let mut per: BTreeMap<(String, String, String), (f64, f64)> = BTreeMap::new();
    for c in cells {
        let e = per
            .entry((c.account.as_str().to_string(), c.service.clone(), c.currency.clone()))
            .or_default();
        if c.day >= from {
            e.1 += c.amount;
        } else {
            e.0 += c.amount;
        }
    }
    let mut out = per
        .into_iter()
        .filter(|(_, (p, c))| (c - p).abs() > f64::EPSILON)
        .map(|((account, service, currency), (previous, current))| {
            Ok(Mover {
                account: AccountId::parse(&account).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?,
                service,
                currency,
                previous,
                current,
                change: current - previous,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| {
        b.change
            .abs()
            .total_cmp(&a.change.abs())
            .then_with(|| (a.account.as_str(), &a.service).cmp(&(b.account.as_str(), &b.service)))
    });
    out.truncate(limit);
    Ok(out)
}
