//! Daily cost per (account, service, day): the one shape every source (Cost Explorer, FOCUS and
//! CUR exports, the demo generator) is reduced to, and the repository that stores it.
//!
//! Stored under `COST#{customer}#{yyyy-mm}` / `{account}#{service}#{dd}` (see [`crate::keys`]), one
//! item per cell, written with unconditional puts: a re-fetch or re-import of the same cells
//! replaces them, never adds to them (Cost Explorer revises recent days, DOMAIN.md "Billing").
//!
//! **Sources.** Each cell records what wrote it ([`CellSource`]: `cost_explorer`, `import`,
//! `demo`). The cells are one set whatever their source: when an import and a fetch write the same
//! (account, service, day), the **later write wins** (whole, with its source). A fetch then removes
//! the cells of its period that Cost Explorer no longer reports ([`remove_missing`]), but only
//! cells a fetch wrote: an import's or the demo's cells are never removed by a fetch. Likewise an
//! import replaces only imported cells (the months it has: [`remove_imported`], with the cells it
//! lacks), and so does removing a customer's imported costs: a fetch's and the demo's cells stay.
//! A cell stored before the source was recorded reads as `cost_explorer` when it is flagged
//! estimated (only Cost Explorer flags days) and otherwise as `import`: what cannot be told apart
//! is kept rather than deleted, by a fetch and by an import alike (a legacy fetched cell that Cost
//! Explorer revised away stays at its amount until written again; an imported one deleted by a
//! fetch would be lost, and a fetched one deleted by an import would not come back until a fetch
//! reads its day again).

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

/// What wrote a cell (stored with it as `source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellSource {
    /// The billing fetch (Cost Explorer `GetCostAndUsage`).
    CostExplorer,
    /// A cost and usage export (FOCUS or CUR) imported by an admin.
    Import,
    /// The demo history (`cc serve --demo`).
    Demo,
}

/// A cell as stored, the source absent on cells written before it was recorded.
#[derive(serde::Deserialize)]
struct StoredCell {
    account: AccountId,
    service: String,
    #[serde(with = "iso_day")]
    day: Date,
    amount: f64,
    currency: String,
    #[serde(default)]
    estimated: bool,
    #[serde(default)]
    source: Option<CellSource>,
}

impl From<StoredCell> for DailyCost {
    fn from(c: StoredCell) -> Self {
        DailyCost {
            // See the module: only Cost Explorer flags days estimated; the rest is kept as imported.
            source: c.source.unwrap_or(if c.estimated {
                CellSource::CostExplorer
            } else {
                CellSource::Import
            }),
            account: c.account,
            service: c.service,
            day: c.day,
            amount: c.amount,
            currency: c.currency,
            estimated: c.estimated,
        }
    }
}

/// One cell: what `account` spent on `service` on `day` (UTC), in `currency` units (not cents).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(from = "StoredCell")]
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
    /// Cost Explorer flagged the day `Estimated` (`ResultsByTime[].Estimated`): not final, it may
    /// still revise the amount. A later fetch that answers the day as final writes the cell again
    /// without the flag; imports and the demo's older days are never estimated. Stored only when
    /// true, so cells stored before the flag existed read as final.
    #[serde(default, skip_serializing_if = "is_false")]
    pub estimated: bool,
    /// What wrote the cell (see the module on legacy cells without it).
    pub source: CellSource,
}

fn is_false(b: &bool) -> bool {
    !*b
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
    // A marker per month touched, so the customer's cost partitions can be found again.
    let months: std::collections::BTreeSet<String> = cells.values().map(|c| keys::cost_month(c.day)).collect();
    let mut writes: Vec<Write> = months
        .into_iter()
        .map(|m| Write::Put(Item::new(keys::billing(customer.as_str()), m, serde_json::json!({}))))
        .collect();
    writes.extend(
        cells
            .into_iter()
            .map(|((pk, sk), c)| Ok(Write::Put(Item::new(pk, sk, encode(c)?))))
            .collect::<Result<Vec<_>>>()?,
    );
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

/// What the rows are per, besides the period (`group` in the API).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CostGroup {
    /// One row per (period, account, service): every cell as stored, bucketed.
    #[default]
    None,
    /// One row per (period, service), summed over the accounts.
    Service,
    /// One row per (period, account), summed over the services.
    Account,
}

/// The most groups [`Grouping`] keeps by name (`top` in the API).
pub const MAX_TOP: usize = 50;

/// How rows are grouped: by [`CostGroup`], and optionally only the `top` groups kept by name with
/// the rest summed into one `other` row per period and currency. Built by [`Grouping::new`], which
/// refuses a `top` without a group or outside 1..=[`MAX_TOP`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grouping {
    by: CostGroup,
    top: Option<usize>,
}

impl Grouping {
    /// Every cell as stored (`group=none`, no `top`).
    pub const NONE: Grouping = Grouping {
        by: CostGroup::None,
        top: None,
    };

    /// Checks `group` and `top` together (absent `group`: [`CostGroup::None`]).
    ///
    /// Errors (validation, field `top`): `top` with no group (or `group=none`: there is nothing
    /// to rank); `top` outside 1..=[`MAX_TOP`].
    pub fn new(group: Option<CostGroup>, top: Option<usize>) -> Result<Grouping> {
        let by = group.unwrap_or_default();
        if let Some(n) = top {
            if by == CostGroup::None {
                return Err(Error::validation(
                    "top",
                    "'top' needs 'group' (service or account): it keeps the largest groups and sums the rest into Other",
                ));
            }
            if !(1..=MAX_TOP).contains(&n) {
                return Err(Error::validation("top", format!("'top' must be 1-{MAX_TOP} (was {n})")));
            }
        }
        Ok(Grouping { by, top })
    }

    pub fn by(&self) -> CostGroup {
        self.by
    }

    pub fn top(&self) -> Option<usize> {
        self.top
    }
}

/// What to read: a customer's costs over `[from, to]` (inclusive UTC days), optionally one account
/// and / or one service (the service as the source names it, matched exactly), bucketed by
/// `granularity` and grouped by `grouping`.
#[derive(Clone, Debug, PartialEq)]
pub struct CostQuery {
    pub customer: CustomerCode,
    pub from: Date,
    pub to: Date,
    pub account: Option<AccountId>,
    pub service: Option<String>,
    pub granularity: Granularity,
    pub grouping: Grouping,
}

/// One row of a cost report: what was spent in the period starting `period` (a day, or the first
/// day of the month or of the range for monthly rows), by `account` on `service`.
///
/// Which of `account` and `service` a row has depends on the report's `group`: both for `none`;
/// only `service` for `service` (summed over the accounts); only `account` for `account` (summed
/// over the services). The row of the groups past `top` (summed) has `other: true` and neither, so
/// it cannot be mistaken for a real service or account (one may well be called "Other").
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CostRow {
    #[serde(with = "iso_day")]
    #[schema(value_type = String, format = Date)]
    pub period: Date,
    /// The account (12 digits); absent when grouped by service, and on the `other` row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
    /// The service as Cost Explorer names it; absent when grouped by account, and on the `other`
    /// row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The groups past `top`, summed ("Other" in the chart); false on every other row.
    pub other: bool,
    /// In `currency` units (e.g. USD, not cents).
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: String,
    /// Any of the row's days is still estimated by Cost Explorer (it may revise them): for a daily
    /// row of one account and service, that day; for a month or a group, any day or cell in it.
    pub estimated: bool,
}

/// A total for one account, one service or the whole range, in one currency.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CostTotal {
    /// The account id or service name (empty for the grand total).
    pub key: String,
    pub amount: f64,
    pub currency: String,
}

/// A customer's costs over a range: the rows (as grouped), totals by account and by service
/// (largest first) and the grand total per currency. The totals are over every cell of the range,
/// whatever `group` and `top`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CostReport {
    #[serde(with = "iso_day")]
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[serde(with = "iso_day")]
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    pub granularity: Granularity,
    pub group: CostGroup,
    /// The `top` asked for (grouped reports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 50)]
    pub top: Option<u32>,
    /// `group=none`: sorted by period, account, service, currency. Grouped: by period, currency,
    /// then the group's total over the range (largest first; equal totals by name), the `other`
    /// row last.
    pub rows: Vec<CostRow>,
    pub by_account: Vec<CostTotal>,
    pub by_service: Vec<CostTotal>,
    /// One per currency (usually one).
    pub total: Vec<CostTotal>,
}

/// The first day a cost may have: AWS billing data starts in the 2000s (Cost Explorer keeps 13
/// months; exports go back further). Days outside [`FIRST_DAY`, `LAST_DAY`] are typing errors,
/// and refusing them keeps every date computation here in range.
pub const FIRST_DAY: Date = time::macros::date!(2000 - 01 - 01);
/// The last day a cost may have (see [`FIRST_DAY`]).
pub const LAST_DAY: Date = time::macros::date!(2099 - 12 - 31);

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
    for (field, day) in [("from", from), ("to", to)] {
        if !(FIRST_DAY..=LAST_DAY).contains(&day) {
            return Err(Error::validation(
                field,
                format!("'{field}' ({day}) must be between {FIRST_DAY} and {LAST_DAY}"),
            ));
        }
    }
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

/// Deletes the stored cells of `accounts` in `[from, to]` that Cost Explorer wrote and `kept` does
/// not hold: what Cost Explorer answered for a period replaces what it answered before, so a
/// charge it no longer reports (revised away, e.g. a refunded usage) disappears rather than stays
/// at its old amount. Cells of other accounts (another payer's) and cells of any other source (an
/// import's, the demo's; [`CellSource`]) are left alone. Returns how many were deleted.
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
        .filter(|c| {
            c.source == CellSource::CostExplorer
                && accounts.contains(&c.account)
                && !kept.contains(&(c.account.clone(), c.service.clone(), c.day))
        })
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

/// Deletes the stored cells of `customer` in the months `months` (any day of each) that an import
/// wrote (stored source `import`: not legacy cells without a source, see the module) and `kept`
/// does not hold: an export is per billing month, so a corrected export of a month replaces that
/// month's imported cells, and removing a customer's imported costs is this with nothing kept.
/// Cells of a fetch or of the demo are left alone. Returns how many were deleted.
pub async fn remove_imported(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    months: &std::collections::BTreeSet<Date>,
    kept: &std::collections::BTreeSet<(AccountId, String, Date)>,
) -> Result<usize> {
    let internal = |e| Error::Internal(anyhow::anyhow!("removing imported daily costs: {e}"));
    let mut stale = Vec::new();
    let partitions: std::collections::BTreeSet<String> =
        months.iter().map(|m| keys::cost(customer.as_str(), *m)).collect();
    for pk in partitions {
        let found = items
            .query_all(Query::partition(Index::Primary, pk).limit(1000))
            .await
            .map_err(internal)?;
        for item in found {
            let (pk, sk) = (item.pk.clone(), item.sk.clone());
            let c: StoredCell = decode(item)?;
            if c.source == Some(CellSource::Import) && !kept.contains(&(c.account, c.service, c.day)) {
                stale.push(Write::Delete { pk, sk, expected: None });
            }
        }
    }
    for chunk in stale.chunks(crate::store::MAX_TRANSACTION_WRITES) {
        items.transact(chunk.to_vec()).await.map_err(internal)?;
    }
    Ok(stale.len())
}

/// The months (first days) of `customer` that hold costs, from the markers [`upsert`] writes,
/// within `[from, to]` (first days of months).
pub async fn months_stored(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    from: Date,
    to: Date,
) -> Result<std::collections::BTreeSet<Date>> {
    let markers = items
        .query_all(Query::partition(Index::Primary, keys::billing(customer.as_str())).prefix(keys::COST_MONTH_PREFIX))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("reading a customer's cost months: {e}")))?;
    Ok(markers
        .iter()
        .filter_map(|m| m.sk.strip_prefix(keys::COST_MONTH_PREFIX))
        .filter_map(|m| parse_month(m).ok())
        .filter(|m| (from..=to).contains(m))
        .collect())
}

/// A month as `YYYY-MM` (its first day), between [`FIRST_DAY`] and [`LAST_DAY`]'s months.
///
/// Errors: anything else (validation, field `month`; callers name their own field).
pub fn parse_month(s: &str) -> Result<Date> {
    let day = Date::parse(
        &format!("{s}-01"),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
    .filter(|d| (FIRST_DAY..=LAST_DAY).contains(d) && s.len() == 7)
    .ok_or_else(|| {
        Error::validation(
            "month",
            format!(
                "'{}' is not a month from {} to {} as YYYY-MM",
                s.chars().take(20).collect::<String>(),
                &FIRST_DAY.to_string()[..7],
                &LAST_DAY.to_string()[..7]
            ),
        )
    })?;
    Ok(day)
}

/// `day`'s month as `YYYY-MM`.
pub fn month_name(day: Date) -> String {
    format!("{:04}-{:02}", day.year(), u8::from(day.month()))
}

fn totals(map: BTreeMap<(String, String), f64>) -> Vec<CostTotal> {
    let mut v: Vec<CostTotal> = map
        .into_iter()
        .map(|((key, currency), amount)| CostTotal { key, amount, currency })
        .collect();
    v.sort_by(|a, b| b.amount.total_cmp(&a.amount).then_with(|| a.key.cmp(&b.key)));
    v
}

/// A row's group: (account, service), either left out by the grouping.
type GroupKey = (Option<AccountId>, Option<String>);

/// Sum and estimated flag of one bucket.
#[derive(Clone, Copy, Default)]
struct Sum {
    amount: f64,
    estimated: bool,
}

impl Sum {
    fn add(&mut self, amount: f64, estimated: bool) {
        self.amount += amount;
        self.estimated |= estimated;
    }
}

/// The rows of a report: `cells` bucketed by `granularity` (a monthly period starts at its month's
/// first day, or at `from` for the range's first month) and grouped by `grouping`. Pure: [`report`]
/// reads the cells. A row is estimated when any of its cells is.
///
/// With `top` (grouped only): per currency, the groups are ranked by their total over all of
/// `cells` (largest first; equal totals by name, so the answer does not depend on the order the
/// cells were read); the first `top` keep their rows and the rest are summed into one row per
/// (period, currency) with `other: true`. When exactly one group is past the top it keeps its own
/// rows instead (an Other of one would only hide its name). So a currency has at most `top + 1`
/// rows a period. Amounts in different currencies are never summed together: each currency has
/// its own ranking and its own Other.
///
/// Sorted as [`CostReport::rows`] says.
pub fn rows(cells: &[DailyCost], from: Date, granularity: Granularity, grouping: Grouping) -> Vec<CostRow> {
    let period_of = |day: Date| match granularity {
        Granularity::Daily => day,
        Granularity::Monthly => month_start(day).max(from),
    };
    let key_of = |c: &DailyCost| -> GroupKey {
        match grouping.by {
            CostGroup::None => (Some(c.account.clone()), Some(c.service.clone())),
            CostGroup::Service => (None, Some(c.service.clone())),
            CostGroup::Account => (Some(c.account.clone()), None),
        }
    };
    // (currency, group) → period → sum.
    let mut buckets: BTreeMap<(String, GroupKey), BTreeMap<Date, Sum>> = BTreeMap::new();
    for c in cells {
        buckets
            .entry((c.currency.clone(), key_of(c)))
            .or_default()
            .entry(period_of(c.day))
            .or_default()
            .add(c.amount, c.estimated);
    }
    // Which groups go into Other: per currency, those ranked past `top` (when two or more are).
    let mut other: std::collections::BTreeSet<(String, GroupKey)> = Default::default();
    // The rank of each kept group within its currency (for the order of grouped rows).
    let mut rank: BTreeMap<(String, GroupKey), usize> = BTreeMap::new();
    if grouping.by != CostGroup::None {
        let mut per_currency: BTreeMap<&str, Vec<(f64, &GroupKey)>> = BTreeMap::new();
        for ((currency, key), periods) in &buckets {
            let total: f64 = periods.values().map(|s| s.amount).sum();
            per_currency.entry(currency).or_default().push((total, key));
        }
        for (currency, mut groups) in per_currency {
            groups.sort_by(|(ta, ka), (tb, kb)| tb.total_cmp(ta).then_with(|| ka.cmp(kb)));
            let keep = match grouping.top {
                Some(n) if groups.len() > n + 1 => n,
                _ => groups.len(),
            };
            for (i, (_, key)) in groups.into_iter().enumerate() {
                let k = (currency.to_string(), key.clone());
                if i < keep {
                    rank.insert(k, i);
                } else {
                    other.insert(k);
                }
            }
        }
    }
    // Each row with its group's rank (Other last).
    let mut out: Vec<(usize, CostRow)> = Vec::new();
    let mut others: BTreeMap<(Date, String), Sum> = BTreeMap::new();
    for (k, periods) in buckets {
        if other.contains(&k) {
            for (period, sum) in periods {
                others
                    .entry((period, k.0.clone()))
                    .or_default()
                    .add(sum.amount, sum.estimated);
            }
            continue;
        }
        let r = rank.get(&k).copied().unwrap_or(0);
        let (currency, (account, service)) = k;
        out.extend(periods.into_iter().map(|(period, sum)| {
            let row = CostRow {
                period,
                account: account.clone(),
                service: service.clone(),
                other: false,
                amount: sum.amount,
                currency: currency.clone(),
                estimated: sum.estimated,
            };
            (r, row)
        }));
    }
    out.extend(others.into_iter().map(|((period, currency), sum)| {
        let row = CostRow {
            period,
            account: None,
            service: None,
            other: true,
            amount: sum.amount,
            currency,
            estimated: sum.estimated,
        };
        (usize::MAX, row)
    }));
    match grouping.by {
        CostGroup::None => out.sort_by(|(_, a), (_, b)| {
            (a.period, &a.account, &a.service, &a.currency).cmp(&(b.period, &b.account, &b.service, &b.currency))
        }),
        _ => out.sort_by(|(ra, a), (rb, b)| (a.period, &a.currency, ra).cmp(&(b.period, &b.currency, rb))),
    }
    out.into_iter().map(|(_, row)| row).collect()
}

/// The costs `q` asks for, bucketed by its granularity and grouped by its grouping ([`rows`]),
/// with totals by account, by service and overall over every cell (whatever the grouping).
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
    let mut by_account = BTreeMap::new();
    let mut by_service = BTreeMap::new();
    let mut total = BTreeMap::new();
    for c in &cells {
        *by_account
            .entry((c.account.as_str().to_string(), c.currency.clone()))
            .or_default() += c.amount;
        *by_service.entry((c.service.clone(), c.currency.clone())).or_default() += c.amount;
        *total.entry((String::new(), c.currency.clone())).or_default() += c.amount;
    }
    Ok(CostReport {
        from: q.from,
        to: q.to,
        granularity: q.granularity,
        group: q.grouping.by(),
        top: q.grouping.top().map(|n| n as u32),
        rows: rows(&cells, q.from, q.granularity, q.grouping),
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

/// Deletes every stored cost of `customer` (the months its markers name, and the 15 months up to
/// `today` for costs stored before the markers existed) and the markers. For deleting a customer:
/// its code may be given to a new customer, who must not inherit the costs.
pub async fn purge(items: &dyn ItemStore, customer: &CustomerCode, today: Date) -> Result<usize> {
    let internal = |e| Error::Internal(anyhow::anyhow!("deleting a customer's costs: {e}"));
    let billing = keys::billing(customer.as_str());
    let markers = items
        .query_all(Query::partition(Index::Primary, billing.clone()).prefix(keys::COST_MONTH_PREFIX))
        .await
        .map_err(internal)?;
    let mut months: std::collections::BTreeSet<String> = markers
        .iter()
        .filter_map(|m| m.sk.strip_prefix(keys::COST_MONTH_PREFIX))
        .map(|m| format!("COST#{}#{m}", customer.as_str()))
        .collect();
    let mut month = month_start(today);
    for _ in 0..15 {
        months.insert(keys::cost(customer.as_str(), month));
        month = previous_month(month);
    }
    let mut deleted = 0;
    for pk in months {
        let found = items
            .query_all(Query::partition(Index::Primary, pk).limit(1000))
            .await
            .map_err(internal)?;
        deleted += found.len();
        crate::store::delete_all(items, found).await.map_err(internal)?;
    }
    crate::store::delete_all(items, markers).await.map_err(internal)?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const A: &str = "111111111111";
    const B: &str = "222222222222";
    const C: &str = "333333333333";
    const D: &str = "444444444444";

    fn cell(account: &str, service: &str, day: Date, amount: f64, currency: &str, estimated: bool) -> DailyCost {
        DailyCost {
            account: AccountId::parse(account).unwrap(),
            service: service.into(),
            day,
            amount,
            currency: currency.into(),
            estimated,
            source: CellSource::CostExplorer,
        }
    }

    /// In USD: EC2 130 (A and B), S3 63 (A and D; A's on the 2nd estimated), Lambda 40 and RDS 40
    /// (a tie), CloudWatch 5; one April day. In EUR: EC2 1000 (more than any USD group), Tax 2, S3 1.
    fn fixture() -> Vec<DailyCost> {
        let (d1, d2, d3) = (date!(2026 - 03 - 01), date!(2026 - 03 - 02), date!(2026 - 04 - 01));
        vec![
            cell(A, "EC2", d1, 50.0, "USD", false),
            cell(A, "EC2", d2, 50.0, "USD", false),
            cell(B, "EC2", d1, 20.0, "USD", false),
            cell(A, "S3", d1, 30.0, "USD", false),
            cell(A, "S3", d2, 30.0, "USD", true),
            cell(D, "S3", d1, 3.0, "USD", false),
            cell(B, "RDS", d1, 40.0, "USD", false),
            cell(B, "Lambda", d2, 40.0, "USD", false),
            cell(A, "CloudWatch", d1, 5.0, "USD", false),
            cell(A, "EC2", d3, 10.0, "USD", false),
            cell(C, "EC2", d1, 1000.0, "EUR", false),
            cell(C, "S3", d1, 1.0, "EUR", false),
            cell(C, "Tax", d2, 2.0, "EUR", false),
        ]
    }

    /// `2026-03-01 USD EC2 70.00`, the key being the account and / or service, or `Other`.
    fn show(r: &CostRow) -> String {
        let key = match (&r.account, &r.service, r.other) {
            (_, _, true) => "Other".to_string(),
            (Some(a), Some(s), _) => format!("{a}/{s}"),
            (Some(a), None, _) => a.to_string(),
            (None, Some(s), _) => s.clone(),
            (None, None, false) => "?".into(),
        };
        let est = if r.estimated { " estimated" } else { "" };
        format!("{} {} {key} {:.2}{est}", r.period, r.currency, r.amount)
    }

    fn sums_by_currency<'a>(amounts: impl Iterator<Item = (&'a str, f64)>) -> BTreeMap<&'a str, f64> {
        let mut m = BTreeMap::new();
        for (c, a) in amounts {
            *m.entry(c).or_insert(0.0) += a;
        }
        m
    }

    #[test]
    fn billing_ranges_are_refused_outside_2000_to_2099_not_crashed_on() {
        for (from, to, field) in [
            (date!(9999 - 12 - 01), date!(9999 - 12 - 31), "from"),
            (date!(2026 - 11 - 01), date!(9999 - 12 - 31), "to"),
            (date!(-0001 - 01 - 01), date!(2026 - 01 - 01), "from"),
            (date!(1999 - 12 - 31), date!(2000 - 01 - 31), "from"),
        ] {
            match validate_range(from, to) {
                Err(Error::Validation {
                    field: Some(f),
                    message,
                }) => {
                    assert_eq!(f, field, "{from}..{to}: {message}");
                    assert!(message.contains("between 2000-01-01 and 2099-12-31"), "{message}");
                }
                other => panic!("{from}..{to}: {other:?}"),
            }
        }
        assert!(validate_range(date!(2099 - 12 - 01), date!(2099 - 12 - 31)).is_ok());
        assert_eq!(
            next_month(LAST_DAY),
            date!(2100 - 01 - 01),
            "the month after the last is in range"
        );
    }

    #[test]
    fn grouped_rows_keep_the_top_groups_per_currency_and_sum_the_rest_into_other() {
        let grouping = |group, top| Grouping::new(Some(group), top).unwrap();
        let from = date!(2026 - 03 - 01);
        let cases: &[(&str, Grouping, Granularity, &[&str])] = &[
            (
                "by service, top 2: Lambda, RDS and CloudWatch are Other; EUR has one past the top, kept",
                grouping(CostGroup::Service, Some(2)),
                Granularity::Daily,
                &[
                    "2026-03-01 EUR EC2 1000.00",
                    "2026-03-01 EUR S3 1.00",
                    "2026-03-01 USD EC2 70.00",
                    "2026-03-01 USD S3 33.00",
                    "2026-03-01 USD Other 45.00",
                    "2026-03-02 EUR Tax 2.00",
                    "2026-03-02 USD EC2 50.00",
                    "2026-03-02 USD S3 30.00 estimated",
                    "2026-03-02 USD Other 40.00",
                    "2026-04-01 USD EC2 10.00",
                ],
            ),
            (
                "by service, top 3: Lambda and RDS tie at 40, the name decides (Lambda kept)",
                grouping(CostGroup::Service, Some(3)),
                Granularity::Daily,
                &[
                    "2026-03-01 EUR EC2 1000.00",
                    "2026-03-01 EUR S3 1.00",
                    "2026-03-01 USD EC2 70.00",
                    "2026-03-01 USD S3 33.00",
                    "2026-03-01 USD Other 45.00",
                    "2026-03-02 EUR Tax 2.00",
                    "2026-03-02 USD EC2 50.00",
                    "2026-03-02 USD S3 30.00 estimated",
                    "2026-03-02 USD Lambda 40.00",
                    "2026-04-01 USD EC2 10.00",
                ],
            ),
            (
                "by service, no top: every service, largest total first",
                grouping(CostGroup::Service, None),
                Granularity::Daily,
                &[
                    "2026-03-01 EUR EC2 1000.00",
                    "2026-03-01 EUR S3 1.00",
                    "2026-03-01 USD EC2 70.00",
                    "2026-03-01 USD S3 33.00",
                    "2026-03-01 USD RDS 40.00",
                    "2026-03-01 USD CloudWatch 5.00",
                    "2026-03-02 EUR Tax 2.00",
                    "2026-03-02 USD EC2 50.00",
                    "2026-03-02 USD S3 30.00 estimated",
                    "2026-03-02 USD Lambda 40.00",
                    "2026-04-01 USD EC2 10.00",
                ],
            ),
            (
                "by account, top 1, monthly: B and D are Other; a month with an estimated day is estimated",
                grouping(CostGroup::Account, Some(1)),
                Granularity::Monthly,
                &[
                    "2026-03-01 EUR 333333333333 1003.00",
                    "2026-03-01 USD 111111111111 165.00 estimated",
                    "2026-03-01 USD Other 103.00",
                    "2026-04-01 USD 111111111111 10.00",
                ],
            ),
            (
                "by service, top 1, monthly: Other is estimated when a cell in it is",
                grouping(CostGroup::Service, Some(1)),
                Granularity::Monthly,
                &[
                    "2026-03-01 EUR EC2 1000.00",
                    "2026-03-01 EUR Other 3.00",
                    "2026-03-01 USD EC2 120.00",
                    "2026-03-01 USD Other 148.00 estimated",
                    "2026-04-01 USD EC2 10.00",
                ],
            ),
            (
                "none, monthly: per account and service",
                Grouping::NONE,
                Granularity::Monthly,
                &[
                    "2026-03-01 USD 111111111111/CloudWatch 5.00",
                    "2026-03-01 USD 111111111111/EC2 100.00",
                    "2026-03-01 USD 111111111111/S3 60.00 estimated",
                    "2026-03-01 USD 222222222222/EC2 20.00",
                    "2026-03-01 USD 222222222222/Lambda 40.00",
                    "2026-03-01 USD 222222222222/RDS 40.00",
                    "2026-03-01 EUR 333333333333/EC2 1000.00",
                    "2026-03-01 EUR 333333333333/S3 1.00",
                    "2026-03-01 EUR 333333333333/Tax 2.00",
                    "2026-03-01 USD 444444444444/S3 3.00",
                    "2026-04-01 USD 111111111111/EC2 10.00",
                ],
            ),
        ];
        let cells = fixture();
        let want_sums = sums_by_currency(cells.iter().map(|c| (c.currency.as_str(), c.amount)));
        for (name, grouping, granularity, want) in cases {
            let got = rows(&cells, from, *granularity, *grouping);
            let shown: Vec<String> = got.iter().map(show).collect();
            assert_eq!(shown, *want, "{name}");
            // Whatever the grouping, each currency's rows add up to its cells, never mixed.
            let sums = sums_by_currency(got.iter().map(|r| (r.currency.as_str(), r.amount)));
            assert_eq!(
                sums.keys().collect::<Vec<_>>(),
                want_sums.keys().collect::<Vec<_>>(),
                "{name}"
            );
            for (c, s) in &sums {
                assert!((s - want_sums[c]).abs() < 1e-9, "{name}: {c} {s} vs {}", want_sums[c]);
            }
            // The order the cells are read in does not matter (ties included).
            let mut reversed = cells.clone();
            reversed.reverse();
            assert_eq!(
                rows(&reversed, from, *granularity, *grouping),
                got,
                "{name}: reversed input"
            );
            // Other rows name nothing; the others name what they are grouped by.
            for r in &got {
                let named = match grouping.by() {
                    CostGroup::None => r.account.is_some() && r.service.is_some(),
                    CostGroup::Service => r.account.is_none() && r.service.is_some(),
                    CostGroup::Account => r.account.is_some() && r.service.is_none(),
                };
                assert!(
                    if r.other {
                        r.account.is_none() && r.service.is_none()
                    } else {
                        named
                    },
                    "{name}: {r:?}"
                );
            }
        }
    }

    #[test]
    fn other_is_the_sum_of_every_group_past_the_top_in_each_period() {
        // 12 services with distinct totals over 20 days: top 8 keeps the 8 largest, Other holds
        // exactly the 4 smallest, day by day.
        let mut cells = Vec::new();
        for day in 0..20i64 {
            for s in 0..12u32 {
                let d = date!(2026 - 05 - 01) + time::Duration::days(day);
                cells.push(cell(
                    A,
                    &format!("svc-{s:02}"),
                    d,
                    f64::from(s + 1) * 1.5 + day as f64,
                    "USD",
                    false,
                ));
                cells.push(cell(B, &format!("svc-{s:02}"), d, 0.25, "USD", day == 19));
            }
        }
        let got = rows(
            &cells,
            date!(2026 - 05 - 01),
            Granularity::Daily,
            Grouping::new(Some(CostGroup::Service), Some(8)).unwrap(),
        );
        assert_eq!(got.len(), 20 * 9, "8 services and Other a day");
        for r in got.iter().filter(|r| r.other) {
            let want: f64 = cells
                .iter()
                .filter(|c| c.day == r.period && c.service.as_str() < "svc-04")
                .map(|c| c.amount)
                .sum();
            assert!((r.amount - want).abs() < 1e-9, "{r:?} vs {want}");
            assert_eq!(r.estimated, r.period == date!(2026 - 05 - 20));
        }
        let kept: std::collections::BTreeSet<String> = got.iter().filter_map(|r| r.service.clone()).collect();
        assert_eq!(kept, (4..12).map(|s| format!("svc-{s:02}")).collect());
    }

    #[test]
    fn top_needs_a_group_and_is_1_to_50() {
        let field = |r: Result<Grouping>| match r {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(Grouping::new(None, Some(8))).as_deref(), Some("top"));
        assert_eq!(
            field(Grouping::new(Some(CostGroup::None), Some(8))).as_deref(),
            Some("top")
        );
        assert_eq!(
            field(Grouping::new(Some(CostGroup::Service), Some(0))).as_deref(),
            Some("top")
        );
        assert_eq!(
            field(Grouping::new(Some(CostGroup::Account), Some(51))).as_deref(),
            Some("top")
        );
        assert_eq!(Grouping::new(None, None).unwrap(), Grouping::NONE);
        let g = Grouping::new(Some(CostGroup::Service), Some(50)).unwrap();
        assert_eq!((g.by(), g.top()), (CostGroup::Service, Some(50)));
        assert_eq!(Grouping::new(Some(CostGroup::Account), None).unwrap().top(), None);
    }

    #[test]
    fn stored_cells_without_the_estimated_flag_read_as_final_and_final_cells_store_none() {
        let old = r#"{"account":"111111111111","service":"EC2","day":"2026-03-01","amount":1.5,"currency":"USD"}"#;
        let c: DailyCost = serde_json::from_str(old).unwrap();
        assert!(!c.estimated);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            old.replace('}', r#","source":"import"}"#)
        );
        let est = DailyCost { estimated: true, ..c };
        assert!(serde_json::to_string(&est).unwrap().contains(r#""estimated":true"#));
    }

    #[test]
    fn stored_cells_without_a_source_read_as_cost_explorer_when_estimated_else_as_imported() {
        let legacy = |estimated: &str| {
            let json = format!(
                r#"{{"account":"111111111111","service":"EC2","day":"2026-03-01","amount":1.5,"currency":"USD"{estimated}}}"#
            );
            serde_json::from_str::<DailyCost>(&json).unwrap().source
        };
        assert_eq!(legacy(""), CellSource::Import);
        assert_eq!(legacy(r#","estimated":true"#), CellSource::CostExplorer);
        for (source, name) in [
            (CellSource::CostExplorer, "cost_explorer"),
            (CellSource::Import, "import"),
            (CellSource::Demo, "demo"),
        ] {
            let c = DailyCost {
                source,
                ..cell(A, "EC2", date!(2026 - 03 - 01), 1.0, "USD", false)
            };
            let json = serde_json::to_string(&c).unwrap();
            assert!(json.contains(&format!(r#""source":"{name}""#)), "{json}");
            assert_eq!(serde_json::from_str::<DailyCost>(&json).unwrap(), c);
        }
    }
}
