//! Views across customers: the portfolio (every customer's current contracts and where each
//! stands, for the utilisation overview page) and the team's month (who logged what for which
//! customer). Pure functions of contracts, mappings and worklogs; the service reads them.
//!
//! The portfolio keeps a contract's figures and flags, not its monthly series or breakdowns (the
//! contract's own page has those): for a few hundred customers it stays a small answer.

use std::collections::BTreeMap;

use time::Date;

use super::Worklog;
use super::mapping::TaskCodeMap;
use super::store::StoredContract;
use super::usage::{self, UsageStatus};
use crate::ids::{ContractId, CustomerCode};

/// One contract in the portfolio: its period and where it stands (as [`usage::ContractUsage`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ContractStanding {
    #[schema(value_type = String)]
    pub contract: ContractId,
    pub name: String,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub end: Date,
    pub status: UsageStatus,
    /// Decimal hours.
    pub entitled_hours: f64,
    pub used_hours: f64,
    pub left_hours: f64,
    pub expected_hours: f64,
    pub forecast_hours: f64,
    pub burn_rate_per_week: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_allocation: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "usage::opt_day")]
    #[schema(value_type = Option<String>, format = Date)]
    pub runs_out_on: Option<Date>,
    pub consistently_exceeded: bool,
    /// Complete months of the period whose hours went over the month's allocation (the allocation
    /// in effect on each of its days, as the contract's months say), of the complete months so
    /// far that had an allocation (both 0 when no month had one).
    pub months_over_allocation: usize,
    pub months_complete: usize,
}

/// One customer in the portfolio.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CustomerPortfolio {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub name: String,
    /// Contracts not yet ended (running or not started), by end day; empty: none kept.
    pub contracts: Vec<ContractStanding>,
    /// Whether any of them needs a look: running out early, exhausted, or consistently exceeded.
    pub attention: bool,
}

/// Every customer's current contracts as of a day.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Portfolio {
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    /// Customers needing a look first, then by name.
    pub customers: Vec<CustomerPortfolio>,
}

/// Whether a contract is in the portfolio as of `as_of`: not ended.
pub fn is_current(c: &StoredContract, as_of: Date) -> bool {
    c.contract.end >= as_of
}

/// Where `c` stands, from its usage ([`usage::contract_usage`]).
pub fn standing(c: &super::Contract, u: &usage::ContractUsage) -> ContractStanding {
    ContractStanding {
        contract: c.id.clone(),
        name: c.name.clone(),
        start: c.start,
        end: c.end,
        status: u.status,
        entitled_hours: u.entitled_hours,
        used_hours: u.used_hours,
        left_hours: u.left_hours,
        expected_hours: u.expected_hours,
        forecast_hours: u.forecast_hours,
        burn_rate_per_week: u.burn_rate_per_week,
        monthly_allocation: c.monthly_allocation,
        runs_out_on: u.runs_out_on,
        consistently_exceeded: u.consistently_exceeded,
        months_over_allocation: u.months.iter().filter(|m| m.complete && m.exceeded).count(),
        // Months that had an allocation on some day (the allocation in effect each day: a month
        // before one was added, or after it was removed, is not counted).
        months_complete: u.months.iter().filter(|m| m.complete && m.allocation.is_some()).count(),
    }
}

/// The portfolio of `customers` (code and name, in the order given, then attention first) from
/// their contracts' standings (ended ones are left out: [`is_current`]).
pub fn portfolio(
    customers: &[(CustomerCode, String)],
    standings: Vec<(CustomerCode, ContractStanding)>,
    as_of: Date,
) -> Portfolio {
    let mut by_customer: BTreeMap<CustomerCode, Vec<ContractStanding>> = BTreeMap::new();
    for (customer, s) in standings.into_iter().filter(|(_, s)| s.end >= as_of) {
        by_customer.entry(customer).or_default().push(s);
    }
    let mut out: Vec<CustomerPortfolio> = customers
        .iter()
        .map(|(code, name)| {
            let mut contracts = by_customer.remove(code).unwrap_or_default();
            contracts.sort_by(|a, b| a.end.cmp(&b.end).then_with(|| a.contract.cmp(&b.contract)));
            let attention = contracts.iter().any(|c| {
                c.consistently_exceeded || matches!(c.status, UsageStatus::RunningOutEarly | UsageStatus::Exhausted)
            });
            CustomerPortfolio {
                customer: code.clone(),
                name: name.clone(),
                contracts,
                attention,
            }
        })
        .collect();
    // A stable sort keeps the given order (by name) within each group.
    out.sort_by_key(|c| !c.attention);
    Portfolio { as_of, customers: out }
}

/// Hours of one person for one customer (and contract) in the team's month.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct HoursFor {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    /// The customer's name in the hub (empty when the hub no longer has it).
    pub customer_name: String,
    /// None: the customer's hours outside any contract (a mapping without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub contract: Option<ContractId>,
    /// The contract's name, when it is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_name: Option<String>,
    pub hours: f64,
}

/// What one person logged in the month.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PersonMonth {
    pub person: String,
    /// Every hour logged in the month, mapped or not.
    pub hours: f64,
    /// Mapped hours per customer and contract, most first.
    pub by_customer: Vec<HoursFor>,
    /// Hours on task codes no mapping matches.
    pub unmapped_hours: f64,
}

/// Who logged what across customers in one calendar month.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TeamMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Most hours first, then by name.
    pub people: Vec<PersonMonth>,
    pub hours: f64,
    pub unmapped_hours: f64,
}

/// Names for [`team_month`]: customers' (code → name) and contracts' ((customer, contract) → name).
#[derive(Default)]
pub struct Names {
    pub customers: BTreeMap<CustomerCode, String>,
    pub contracts: BTreeMap<(CustomerCode, ContractId), String>,
}

/// The team's month `month` (its first day) from its worklogs (days outside it are ignored).
pub fn team_month(month: Date, map: &TaskCodeMap, worklogs: &[Worklog], names: &Names) -> TeamMonth {
    type Mapped<'a> = BTreeMap<(&'a CustomerCode, Option<&'a ContractId>), f64>;
    let mut people: BTreeMap<&str, (f64, Mapped, f64)> = BTreeMap::new();
    let in_month = |d: Date| d.year() == month.year() && d.month() == month.month();
    for w in worklogs.iter().filter(|w| in_month(w.day)) {
        let entry = people.entry(w.person.as_str()).or_default();
        entry.0 += w.hours;
        match map.resolve(&w.task_code) {
            Some(m) => *entry.1.entry((&m.customer, m.contract.as_ref())).or_default() += w.hours,
            None => entry.2 += w.hours,
        }
    }
    let mut out: Vec<PersonMonth> = people
        .into_iter()
        .map(|(person, (hours, mapped, unmapped_hours))| {
            let mut by_customer: Vec<HoursFor> = mapped
                .into_iter()
                .map(|((customer, contract), hours)| HoursFor {
                    customer: customer.clone(),
                    customer_name: names.customers.get(customer).cloned().unwrap_or_default(),
                    contract: contract.cloned(),
                    contract_name: contract.and_then(|c| names.contracts.get(&(customer.clone(), c.clone())).cloned()),
                    hours,
                })
                .collect();
            by_customer.sort_by(|a, b| b.hours.total_cmp(&a.hours));
            PersonMonth {
                person: person.to_string(),
                hours,
                by_customer,
                unmapped_hours,
            }
        })
        .collect();
    out.sort_by(|a, b| b.hours.total_cmp(&a.hours).then_with(|| a.person.cmp(&b.person)));
    TeamMonth {
        month: format!("{:04}-{:02}", month.year(), u8::from(month.month())),
        // From 0.0: an empty `sum()` of f64 is -0.0, which would reach the JSON.
        hours: out.iter().fold(0.0, |a, p| a + p.hours),
        unmapped_hours: out.iter().fold(0.0, |a, p| a + p.unmapped_hours),
        people: out,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::ids::TaskCode;
    use crate::utilisation::Contract;
    use crate::utilisation::mapping::TaskCodeMapping;
    use crate::utilisation::usage::UsageRules;

    fn customer(code: &str, name: &str) -> (CustomerCode, String) {
        (CustomerCode::parse(code).unwrap(), name.to_string())
    }

    fn contract(customer: &str, id: &str, start: Date, end: Date, hours: f64, monthly: Option<f64>) -> StoredContract {
        StoredContract {
            contract: Contract {
                id: ContractId::parse(id).unwrap(),
                customer: CustomerCode::parse(customer).unwrap(),
                name: format!("{id} name"),
                start,
                end,
                entitled_hours: hours,
                monthly_allocation: monthly,
                status: "Activated".into(),
            },
            source: "csv".into(),
            updated_at: datetime!(2026-01-01 0:00 UTC),
            version: 1,
        }
    }

    fn mapping(code: &str, prefix: bool, customer: &str, contract: Option<&str>) -> TaskCodeMapping {
        TaskCodeMapping {
            code: TaskCode::parse(code).unwrap(),
            prefix,
            customer: CustomerCode::parse(customer).unwrap(),
            contract: contract.map(|c| ContractId::parse(c).unwrap()),
        }
    }

    fn log(id: &str, day: Date, person: &str, code: &str, hours: f64) -> Worklog {
        Worklog {
            id: id.into(),
            day,
            person: person.into(),
            task_code: TaskCode::parse(code).unwrap(),
            hours,
            note: String::new(),
        }
    }

    #[test]
    fn utilisation_portfolio_lists_current_contracts_and_puts_those_needing_a_look_first() {
        let customers = [
            customer("acme", "Acme"),
            customer("beta", "Beta"),
            customer("zed", "Zed"),
        ];
        let contracts = [
            contract("acme", "A-1", date!(2026 - 01 - 01), date!(2026 - 12 - 31), 120.0, None),
            // Ended: left out.
            contract("acme", "A-0", date!(2025 - 01 - 01), date!(2025 - 12 - 31), 120.0, None),
            contract(
                "zed",
                "Z-1",
                date!(2026 - 01 - 01),
                date!(2026 - 12 - 31),
                100.0,
                Some(5.0),
            ),
        ];
        let map = TaskCodeMap::new([
            mapping("ACME-", true, "acme", Some("A-1")),
            mapping("ZED-", true, "zed", Some("Z-1")),
        ]);
        let mut logs = vec![log("a", date!(2026 - 03 - 02), "erin", "ACME-1", 10.0)];
        // Zed: 8 hours in each of Jan-Apr against 5 a month, and 90 of 100 used by May.
        for (i, m) in [1u8, 2, 3, 4].iter().enumerate() {
            let day = Date::from_calendar_date(2026, time::Month::try_from(*m).unwrap(), 10).unwrap();
            logs.push(log(&format!("z{i}"), day, "erin", "ZED-7", 8.0));
        }
        logs.push(log("z-big", date!(2026 - 04 - 20), "sam", "ZED-7", 20.0));
        logs.push(log("z-big2", date!(2026 - 04 - 21), "sam", "ZED-7", 20.0));
        logs.push(log("z-big3", date!(2026 - 04 - 22), "sam", "ZED-7", 18.0));
        let as_of = date!(2026 - 05 - 15);
        let standings = contracts
            .iter()
            .map(|k| {
                let c = &k.contract;
                let own = crate::utilisation::mapping::for_contract(&map, &c.customer, &c.id, &logs);
                let u = usage::contract_usage(
                    c,
                    &crate::utilisation::entitlement::AllocationHistory::constant(c.monthly_allocation),
                    own,
                    as_of,
                    &UsageRules::default(),
                );
                (c.customer.clone(), standing(c, &u))
            })
            .collect();
        let p = portfolio(&customers, standings, as_of);
        let order: Vec<&str> = p.customers.iter().map(|c| c.customer.as_str()).collect();
        assert_eq!(order, ["zed", "acme", "beta"], "attention first, then by name");
        let zed = &p.customers[0];
        assert!(zed.attention);
        assert!(zed.contracts[0].consistently_exceeded);
        assert_eq!(
            (
                zed.contracts[0].months_over_allocation,
                zed.contracts[0].months_complete
            ),
            (4, 4)
        );
        assert_eq!(zed.contracts[0].used_hours, 90.0);
        let acme = &p.customers[1];
        assert_eq!(acme.contracts.len(), 1, "the ended contract is left out");
        assert_eq!(acme.contracts[0].used_hours, 10.0);
        assert_eq!(acme.contracts[0].status, UsageStatus::OnTrack);
        assert!(!acme.attention);
        assert!(p.customers[2].contracts.is_empty());
    }

    #[test]
    fn utilisation_team_month_sums_each_person_by_customer_and_keeps_unmapped_hours() {
        let map = TaskCodeMap::new([
            mapping("ACME-", true, "acme", Some("A-1")),
            mapping("ACME-9", false, "acme", None),
            mapping("ZED-", true, "zed", Some("Z-1")),
        ]);
        let logs = [
            log("1", date!(2026 - 05 - 01), "erin", "ACME-1", 2.0),
            log("2", date!(2026 - 05 - 31), "erin", "ACME-2", 1.5),
            log("3", date!(2026 - 05 - 03), "erin", "ACME-9", 1.0),
            log("4", date!(2026 - 05 - 03), "erin", "NOPE-1", 0.5),
            log("5", date!(2026 - 05 - 04), "sam", "ZED-1", 6.0),
            // Another month: ignored.
            log("6", date!(2026 - 06 - 01), "sam", "ZED-1", 6.0),
        ];
        let mut names = Names::default();
        names
            .customers
            .insert(CustomerCode::parse("acme").unwrap(), "Acme".into());
        names.contracts.insert(
            (CustomerCode::parse("acme").unwrap(), ContractId::parse("A-1").unwrap()),
            "Managed".into(),
        );
        let t = team_month(date!(2026 - 05 - 01), &map, &logs, &names);
        assert_eq!(t.month, "2026-05");
        assert_eq!(t.hours, 11.0);
        assert_eq!(t.unmapped_hours, 0.5);
        let people: Vec<&str> = t.people.iter().map(|p| p.person.as_str()).collect();
        assert_eq!(people, ["sam", "erin"]);
        let erin = &t.people[1];
        assert_eq!(erin.hours, 5.0);
        assert_eq!(erin.unmapped_hours, 0.5);
        let got: Vec<(&str, Option<&str>, f64)> = erin
            .by_customer
            .iter()
            .map(|h| (h.customer.as_str(), h.contract.as_ref().map(|c| c.as_str()), h.hours))
            .collect();
        assert_eq!(got, [("acme", Some("A-1"), 3.5), ("acme", None, 1.0)]);
        assert_eq!(erin.by_customer[0].customer_name, "Acme");
        assert_eq!(erin.by_customer[0].contract_name.as_deref(), Some("Managed"));
        assert_eq!(erin.by_customer[1].contract_name, None);
        // Nothing logged: zeros, not -0.0.
        let empty = team_month(date!(2001 - 01 - 01), &map, &logs, &names);
        assert!(empty.people.is_empty());
        assert!(empty.hours == 0.0 && empty.hours.is_sign_positive());
        assert!(empty.unmapped_hours.is_sign_positive());
    }
}
