//! A demo cost history for `cc serve --demo`: [`DAYS`] days of daily costs ending yesterday for
//! the demo customers' accounts, with a few planted cost jumps, and the detector run over it so
//! open anomalies show.
//!
//! The same generator answers the embedded Cost Explorer stand-in (`cc_adapters::local_billing`), so
//! a local fetch (`cc jobs run billing.fetch`, an admin's "fetch now") rewrites the demo's cells
//! with the same amounts and raises nothing the history does not hold.
//!
//! Each (account, service) series has a level (log-uniform, 2 to 400 a day), a weekly pattern
//! (compute dips at weekends, storage does not), a slow growth, and multiplicative noise (about
//! ±6 %); management accounts pay a support fee on the 1st of each month. Every value comes from a
//! hash of (account, service, day), so the history is deterministic and the same day always has
//! the same amount. The last two days are flagged estimated, as Cost Explorer flags its most
//! recent days ([`ESTIMATED_DAYS`]). Planted, relative to yesterday: a step (×2.5, from 20 days ago) at the first
//! customer, a drift (+6 % a week for 16 weeks, on storage) at the second, a new service (from 12 days ago) at
//! the third, a two-day spike (×6, 6 days ago) at the fourth.

use std::collections::BTreeMap;

use time::{Date, Duration, OffsetDateTime, Weekday};

use super::costs::{self, CellSource, DailyCost};
use super::store;
use crate::App;
use crate::error::Result;
use crate::ids::{AccountId, CustomerCode};
use crate::keys;

/// Days of history written.
pub const DAYS: i64 = 400;

/// The last days of a history flagged estimated, as Cost Explorer flags the most recent days
/// (`ResultsByTime[].Estimated`) until it has the final amounts.
pub const ESTIMATED_DAYS: i64 = 2;

/// Accounts per customer given costs (the first by id; a customer's others have none).
pub const ACCOUNTS_PER_CUSTOMER: usize = 4;

/// (service, weekend factor).
const SERVICES: &[(&str, f64)] = &[
    ("Amazon Elastic Compute Cloud - Compute", 0.75),
    ("Amazon Simple Storage Service", 1.0),
    ("Amazon Relational Database Service", 0.95),
    ("AWS Lambda", 0.6),
    ("Amazon CloudWatch", 0.9),
    ("Amazon DynamoDB", 0.8),
];

const SUPPORT: &str = "AWS Support (Business)";
const NEW_SERVICE: &str = "Amazon SageMaker";

/// splitmix64 of a string key: a uniform value in [0, 1).
fn unit(key: &str) -> f64 {
    unit_seeded(0x5eed, key)
}

/// [`unit`] from another seed (each demo generator its own stream).
pub(crate) fn unit_seeded(seed: u64, key: &str) -> f64 {
    let mut z: u64 = seed;
    for b in key.bytes() {
        z = (z ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// What is planted where: by the customer's place among the demo customers
/// ([`crate::demo::customer_codes`]); other customers get nothing planted.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Plant {
    Step,
    Drift,
    NewService,
    Spike,
}

fn plant_for(customer_index: usize) -> Option<Plant> {
    match customer_index {
        0 => Some(Plant::Step),
        1 => Some(Plant::Drift),
        2 => Some(Plant::NewService),
        3 => Some(Plant::Spike),
        _ => None,
    }
}

fn plant_of(customer: &CustomerCode) -> Option<Plant> {
    crate::demo::customer_codes(&crate::demo::DemoSize::default())
        .iter()
        .position(|c| c == customer.as_str())
        .and_then(plant_for)
}

/// The accounts of a customer that have costs: the first [`ACCOUNTS_PER_CUSTOMER`] by id.
pub fn billed_accounts(mut accounts: Vec<AccountId>) -> Vec<AccountId> {
    accounts.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    accounts.truncate(ACCOUNTS_PER_CUSTOMER);
    accounts
}

/// The history of one customer's `accounts` over the [`DAYS`] days ending `last` (the first account
/// pays the monthly support fee; the plant, if the customer has one, goes on the second, else the
/// first). The last [`ESTIMATED_DAYS`] days are estimated. Sorted by account, service, day.
pub fn history(customer: &CustomerCode, accounts: &[AccountId], last: Date) -> Vec<DailyCost> {
    let first = last - Duration::days(DAYS - 1);
    let plant = plant_of(customer);
    let target = accounts.get(1).or(accounts.first());
    let mut out = Vec::new();
    for (ai, account) in accounts.iter().enumerate() {
        let a = account.as_str();
        let n_services = 2 + (unit(&format!("{a}#n")) * 3.0) as usize;
        let mut services: Vec<(&str, f64)> = SERVICES.iter().copied().take(n_services.min(SERVICES.len())).collect();
        if plant == Some(Plant::NewService) && Some(account) == target {
            services.push((NEW_SERVICE, 1.0));
        }
        for (service, weekend) in services {
            let level = 2.0 * 200f64.powf(unit(&format!("{a}#{service}#level")));
            let growth = 0.0003 * unit(&format!("{a}#{service}#growth"));
            for i in 0..DAYS {
                let day = first + Duration::days(i);
                let from_end = (last - day).whole_days();
                let mut amount = level * (1.0 + growth).powf(i as f64);
                if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    amount *= weekend;
                }
                // Noise: the sum of three uniforms, about ±6 %.
                let u: f64 = (0..3).map(|k| unit(&format!("{a}#{service}#{day}#{k}"))).sum::<f64>() - 1.5;
                amount *= 1.0 + 0.08 * u;
                if Some(account) == target && service == SERVICES[0].0 {
                    match plant {
                        Some(Plant::Step) if from_end < 20 => amount *= 2.5,
                        Some(Plant::Spike) if (5..=6).contains(&from_end) => amount *= 6.0,
                        _ => {}
                    }
                }
                if plant == Some(Plant::Drift) && Some(account) == target && service == SERVICES[1].0 && from_end < 112
                {
                    amount *= 1.06f64.powf((112 - from_end) as f64 / 7.0);
                }
                if service == NEW_SERVICE {
                    amount = if from_end < 12 { 40.0 * (1.0 + 0.08 * u) } else { 0.0 };
                }
                if amount > 0.0 {
                    out.push(DailyCost {
                        account: account.clone(),
                        service: service.to_string(),
                        day,
                        amount: (amount * 100.0).round() / 100.0,
                        currency: "USD".into(),
                        estimated: from_end < ESTIMATED_DAYS,
                        source: CellSource::Demo,
                    });
                }
            }
        }
        if ai == 0 {
            let fee = 100.0 + (unit(&format!("{a}#support")) * 400.0).round();
            let mut day = costs::month_start(first);
            while day <= last {
                if day >= first {
                    out.push(DailyCost {
                        account: account.clone(),
                        service: SUPPORT.into(),
                        day,
                        amount: fee,
                        currency: "USD".into(),
                        estimated: (last - day).whole_days() < ESTIMATED_DAYS,
                        source: CellSource::Demo,
                    });
                }
                day = costs::month_start(day + Duration::days(32));
            }
        }
    }
    out
}

/// What [`seed`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeededCosts {
    pub customers: usize,
    pub cells_written: usize,
    pub anomalies_raised: usize,
}

/// Writes the demo cost history of `customers` (their first [`ACCOUNTS_PER_CUSTOMER`] accounts),
/// ending yesterday by the app's clock, and runs detection. A customer whose history already
/// reaches yesterday is left as it is (a restart the same day writes nothing).
pub async fn seed(app: &App, customers: &[CustomerCode]) -> Result<SeededCosts> {
    let now: OffsetDateTime = app.clock.now();
    let last = now.date() - Duration::days(1);
    let mut out = SeededCosts::default();
    for customer in customers {
        let accounts = billed_accounts(app.hub.account_ids_of(customer).await?);
        let Some(first) = accounts.first() else { continue };
        let marker = app
            .items
            .get(
                &keys::cost(customer.as_str(), last),
                &keys::cost_cell(first.as_str(), SERVICES[0].0, last),
            )
            .await?;
        if marker.is_some() {
            continue;
        }
        let cells = history(customer, &accounts, last);
        out.cells_written += costs::upsert(app.items.as_ref(), customer, &cells).await?;
        out.anomalies_raised += store::detect(app.items.as_ref(), customer, last, now).await?.len();
        out.customers += 1;
    }
    Ok(out)
}

/// The total of each planted series' history by service (for tests and the README).
pub fn totals(cells: &[DailyCost]) -> BTreeMap<String, f64> {
    let mut t = BTreeMap::new();
    for c in cells {
        *t.entry(c.service.clone()).or_insert(0.0) += c.amount;
    }
    t
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::billing::{FindingKind, Thresholds, anomaly};

    fn accounts() -> Vec<AccountId> {
        ["100000000001", "100000000002", "100000000003"]
            .iter()
            .map(|a| AccountId::parse(*a).unwrap())
            .collect()
    }

    fn series(cells: &[DailyCost], account: &AccountId, service: &str, first: Date) -> anomaly::DailySeries {
        let mut amounts = vec![0.0; DAYS as usize];
        for c in cells.iter().filter(|c| &c.account == account && c.service == service) {
            amounts[(c.day - first).whole_days() as usize] += c.amount;
        }
        anomaly::DailySeries {
            account: account.clone(),
            service: service.into(),
            start: first,
            amounts,
        }
    }

    #[test]
    fn billing_demo_history_is_deterministic_and_plants_what_it_says() {
        let last = date!(2026 - 11 - 29);
        let first = last - Duration::days(DAYS - 1);
        let a = accounts();
        let demo = |ci: usize| CustomerCode::parse(&crate::demo::customer_codes(&Default::default())[ci]).unwrap();
        assert_eq!(history(&demo(0), &a, last), history(&demo(0), &a, last));
        for (ci, service, kind) in [
            (0, SERVICES[0].0, FindingKind::Step),
            (1, SERVICES[1].0, FindingKind::Drift),
            (2, NEW_SERVICE, FindingKind::NewService),
            (3, SERVICES[0].0, FindingKind::Spike),
        ] {
            let cells = history(&demo(ci), &a, last);
            let found = anomaly::detect(&series(&cells, &a[1], service, first), &Thresholds::default());
            assert!(
                found
                    .iter()
                    .any(|f| f.kind == kind && (last - f.detected_on).whole_days() < 90),
                "{kind:?} not found: {found:?}"
            );
        }
        // Customers with nothing planted (a later demo customer, one of the team's own): no
        // anomaly on their busiest series.
        assert_eq!(
            history(&demo(5), &a, last),
            history(&CustomerCode::parse("own-customer").unwrap(), &a, last)
        );
        let cells = history(&demo(5), &a, last);
        for account in &a {
            let found = anomaly::detect(&series(&cells, account, SERVICES[0].0, first), &Thresholds::default());
            assert!(found.is_empty(), "{found:?}");
        }
        // The monthly support fee on the management account, on the 1st only.
        let fees: Vec<Date> = cells.iter().filter(|c| c.service == SUPPORT).map(|c| c.day).collect();
        assert!(fees.iter().all(|d| d.day() == 1) && (13..=14).contains(&fees.len()));
        assert!(cells.iter().all(|c| c.day >= first && c.day <= last));
    }
}
