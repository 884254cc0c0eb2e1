//! Demo contracts and timesheets for `cc serve --demo`, one case per demo customer, relative to
//! today so the demo always shows them:
//!
//! | customer (place among the demo customers) | contract | what the answers show |
//! |---|---|---|
//! | 1st | 240 h a year, 20 h a month, 7 months in | on track (about 17 h a month) |
//! | 2nd | 240 h a year, 20 h a month, 6 months in | running out early (the pace doubled three months ago) |
//! | 3rd | 480 h a year, 20 h a month | allocation consistently exceeded (about 26 h a month), total on track |
//! | 4th | 120 h and 10 h a month, raised to 200 h and 16 h a month two months ago | an entitlement change in the history; the months before it judged at the 10 h they had (a little over each: consistently exceeded), the month of the change marked |
//! | 5th | 200 h | on track, while the team also logs hours on `OPS-` codes mapped to nobody (unmapped) |
//!
//! Each customer's hours are logged on its JIRA project (`{KEY}-{n}`, the key from the customer
//! code), mapped to its contract by a prefix mapping. Every value comes from a hash of (customer,
//! day, person), so the data is deterministic and a day always has the same entries (a re-seed or
//! a local sync rewrites the same worklogs).

use time::{Date, Duration, OffsetDateTime, Weekday};

use super::mapping::TaskCodeMapping;
use super::{Contract, Worklog, store};
use crate::error::Result;
use crate::ids::{ContractId, CustomerCode, TaskCode};

/// The demo team.
pub const PEOPLE: &[&str] = &[
    "erin@example.com",
    "sam@example.com",
    "lee@example.com",
    "kim@example.com",
];

/// Customers given a contract: the first five demo customers.
pub const CUSTOMERS: usize = 5;

fn unit(key: &str) -> f64 {
    crate::billing::demo::unit_seeded(0x7a11, key)
}

/// The JIRA project key of a customer: its code's first word in upper case, at most 6 letters.
pub fn project_key(customer: &CustomerCode) -> String {
    customer
        .as_str()
        .split('-')
        .next()
        .unwrap_or("DEMO")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase()
}

fn months_back(today: Date, n: i32) -> Date {
    let m = today.year() * 12 + i32::from(u8::from(today.month())) - 1 - n;
    Date::from_calendar_date(
        m.div_euclid(12),
        time::Month::try_from((m.rem_euclid(12) + 1) as u8).unwrap_or(time::Month::January),
        1,
    )
    .unwrap_or(today)
}

fn contract(
    customer: &CustomerCode,
    n: usize,
    start: Date,
    end: Date,
    entitled: f64,
    monthly: Option<f64>,
) -> Contract {
    Contract {
        id: ContractId::parse(format!("{:08}", 100 + n)).unwrap_or_else(|_| unreachable_id()),
        customer: customer.clone(),
        name: format!("Managed AWS operations {}", start.year()),
        start,
        end,
        entitled_hours: entitled,
        monthly_allocation: monthly,
        status: "Activated".into(),
    }
}

fn unreachable_id() -> ContractId {
    // Eight digits always parse; kept total rather than panicking.
    ContractId::parse("00000000").expect("a literal contract number")
}

/// The demo contracts of the first [`CUSTOMERS`] of `customers` as of `today`: (the contract as it
/// is now, and for the 4th customer the contract as it was before its entitlement change).
pub fn contracts(customers: &[CustomerCode], today: Date) -> Vec<(Contract, Option<Contract>)> {
    let year = |start: Date| {
        let end = Date::from_calendar_date(start.year() + 1, start.month(), 1).unwrap_or(start) - Duration::days(1);
        (start, end)
    };
    customers
        .iter()
        .take(CUSTOMERS)
        .enumerate()
        .map(|(i, c)| match i {
            0 => {
                let (s, e) = year(months_back(today, 7));
                (contract(c, i, s, e, 240.0, Some(20.0)), None)
            }
            1 => {
                let (s, e) = year(months_back(today, 6));
                (contract(c, i, s, e, 240.0, Some(20.0)), None)
            }
            2 => {
                let (s, e) = year(months_back(today, 8));
                (contract(c, i, s, e, 480.0, Some(20.0)), None)
            }
            3 => {
                let (s, e) = year(months_back(today, 5));
                let before = contract(c, i, s, e, 120.0, Some(10.0));
                (contract(c, i, s, e, 200.0, Some(16.0)), Some(before))
            }
            _ => {
                let (s, e) = year(months_back(today, 4));
                (contract(c, i, s, e, 200.0, None), None)
            }
        })
        .collect()
}

/// The task code mappings: each demo customer's project (`{KEY}-`) to its contract.
pub fn mappings(contracts: &[(Contract, Option<Contract>)]) -> Vec<TaskCodeMapping> {
    contracts
        .iter()
        .filter_map(|(c, _)| {
            Some(TaskCodeMapping {
                code: TaskCode::parse(format!("{}-", project_key(&c.customer))).ok()?,
                prefix: true,
                customer: c.customer.clone(),
                contract: Some(c.id.clone()),
            })
        })
        .collect()
}

/// Hours a weekday for customer `i` on `day` (by the case it shows).
fn pace(i: usize, contract: &Contract, day: Date, today: Date) -> f64 {
    match i {
        0 => 0.8,
        // The pace doubled three months ago.
        1 if (today - day).whole_days() < 92 => 2.1,
        1 => 0.9,
        2 => 1.2,
        3 if day >= months_back(today, 2) => 0.8,
        3 => 0.5,
        _ => {
            let _ = contract;
            0.7
        }
    }
}

/// The demo worklogs from `from` to `today` (inclusive): each contract's customer's hours on its
/// project, on weekdays inside the contract's period, plus unmapped `OPS-` hours for the 5th.
pub fn worklogs(contracts: &[(Contract, Option<Contract>)], from: Date, today: Date) -> Vec<Worklog> {
    let mut out = Vec::new();
    for (i, (c, _)) in contracts.iter().enumerate() {
        let key = project_key(&c.customer);
        let mut day = from.max(c.start);
        while day <= today.min(c.end) {
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                let expected = pace(i, c, day, today);
                for (pi, person) in PEOPLE.iter().enumerate() {
                    let u = unit(&format!("{}#{day}#{person}", c.customer));
                    // Each of the four logs on about one weekday in four, 0.5-1.5 times the pace
                    // (quarter hours): the team's day averages the pace.
                    if u < 0.25 {
                        let hours = ((expected * (0.5 + u / 0.25)) * 4.0).round() / 4.0;
                        if hours > 0.0 {
                            let issue = 1 + (unit(&format!("{}#{day}#{person}#issue", c.customer)) * 40.0) as u32;
                            out.push(entry(&format!("{key}-{issue}"), day, person, hours, pi));
                        }
                    }
                }
                if i == 4 && unit(&format!("ops#{day}")) < 0.3 {
                    let issue = 100 + (unit(&format!("ops#{day}#issue")) * 5.0) as u32;
                    out.push(entry(&format!("OPS-{issue}"), day, PEOPLE[0], 1.5, 9));
                }
            }
            day += Duration::days(1);
        }
    }
    out
}

fn entry(code: &str, day: Date, person: &str, hours: f64, n: usize) -> Worklog {
    Worklog {
        id: format!("demo:{code}-{day}-{n}"),
        day,
        person: person.to_string(),
        task_code: TaskCode::parse(code).unwrap_or_else(|_| TaskCode::parse("DEMO").expect("a literal code")),
        hours,
        note: String::new(),
    }
}

/// What [`seed`] wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seeded {
    pub contracts: usize,
    pub worklogs: usize,
}

/// Writes the demo contracts (with the 4th customer's earlier entitlement first, so its history
/// shows the change), the mappings (when none are kept yet) and a year of worklogs.
pub async fn seed(
    items: &dyn crate::store::ItemStore,
    customers: &[CustomerCode],
    now: OffsetDateTime,
) -> Result<Seeded> {
    let today = now.date();
    let all = contracts(customers, today);
    for (c, before) in &all {
        if let Some(b) = before {
            let at = now - Duration::days(120);
            store::upsert_contracts(items, std::slice::from_ref(b), "demo", at).await?;
            store::upsert_contracts(items, std::slice::from_ref(c), "demo", now - Duration::days(60)).await?;
        } else {
            store::upsert_contracts(items, std::slice::from_ref(c), "demo", now - Duration::days(200)).await?;
        }
    }
    let kept = store::task_codes(items).await?;
    if kept.version == 0 {
        store::put_task_codes(items, mappings(&all), 0, "demo-seed", now).await?;
    }
    let logs = worklogs(&all, today - Duration::days(400), today);
    let n = store::put_worklogs(items, &logs).await?;
    Ok(Seeded {
        contracts: all.len(),
        worklogs: n,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::utilisation::mapping::{TaskCodeMap, for_contract, unmapped};
    use crate::utilisation::usage::{UsageRules, UsageStatus, contract_usage};

    fn customers() -> Vec<CustomerCode> {
        [
            "acme-retail",
            "globex-media",
            "initech",
            "umbrella-health",
            "wayne-logistics",
        ]
        .iter()
        .map(|c| CustomerCode::parse(*c).unwrap())
        .collect()
    }

    #[test]
    fn utilisation_demo_shows_each_case() {
        for today in [date!(2026 - 11 - 30), date!(2027 - 03 - 01), date!(2026 - 07 - 15)] {
            let all = contracts(&customers(), today);
            let map = TaskCodeMap::new(mappings(&all));
            let logs = worklogs(&all, today - Duration::days(400), today);
            let usage: Vec<_> = all
                .iter()
                .map(|(c, _)| {
                    let mine: Vec<&Worklog> = for_contract(&map, &c.customer, &c.id, &logs).collect();
                    contract_usage(
                        c,
                        &crate::utilisation::entitlement::AllocationHistory::constant(c.monthly_allocation),
                        mine,
                        today,
                        &UsageRules::default(),
                    )
                })
                .collect();
            assert_eq!(usage[0].status, UsageStatus::OnTrack, "{today}: {:?}", usage[0]);
            assert!(!usage[0].consistently_exceeded, "{today}");
            assert_eq!(usage[1].status, UsageStatus::RunningOutEarly, "{today}: {:?}", usage[1]);
            assert!(usage[2].consistently_exceeded, "{today}: {:?}", usage[2].months);
            assert_eq!(usage[2].status, UsageStatus::OnTrack, "{today}");
            assert_eq!(usage[4].status, UsageStatus::OnTrack, "{today}: {:?}", usage[4]);
            assert!(all[3].1.is_some());
            let loose = unmapped(&map, &logs);
            assert!(
                !loose.is_empty() && loose.iter().all(|u| u.task_code.as_str().starts_with("OPS-")),
                "{today}"
            );
        }
    }
}
