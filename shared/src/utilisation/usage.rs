//! The answers about one contract on one day: hours used and left, burn rate and the forecast to
//! the period's end, hours per month against the monthly allocation, per person and per task
//! code, and whether the allocation is consistently exceeded.
//!
//! Rules, and why:
//! - **Used** counts the contract's worklogs inside its period up to and including `as_of`. Hours
//!   logged to the contract's codes outside its period are counted apart (`outside_period_hours`)
//!   so that a mis-dated entry is visible, not silently added or lost.
//! - **Burn rate**: hours a day over the last [`UsageRules::burn_window_days`] days of the period
//!   up to `as_of` (90 by default: a quarter follows a change of pace within weeks, where the
//!   average since the start would lag by months), or since the start when the period is younger.
//! - **Forecast** at the period's end: used plus the burn rate times the days left. **Runs out on**:
//!   the day the hours left are used up at that rate, when that is before the period's end.
//! - **Consistently exceeded**: the monthly allocation exceeded in at least
//!   [`UsageRules::exceeded_months`] of the last [`UsageRules::of_last_months`] complete months of
//!   the period (3 of 4 by default, DOMAIN.md "Utilisation"): one busy month is normal, a pattern is
//!   a conversation with the customer. A month at either end of the period that the contract covers
//!   only partly has its allocation prorated by the days covered.
//! - **A month's allocation** is the allocation *in effect on each of its days*, from the
//!   entitlement history ([`AllocationHistory`]): Σ over the month's covered days of (the
//!   allocation that day ÷ days in the month). A raise on 15 June gives June half of each; March
//!   is still judged against March's allocation after a cut in June. Days without an allocation
//!   (before one was added, after it was removed) add nothing, and the hours logged on them are
//!   not judged: a month is *exceeded* when the hours on the days that had an allocation are above
//!   the allocation of those days.

use std::collections::BTreeMap;

use time::{Date, Duration};

use super::entitlement::AllocationHistory;
use super::{Contract, Worklog};

/// The thresholds of the answers; [`Default`] gives the documented defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UsageRules {
    /// Days of the trailing window the burn rate is measured over. Default 90.
    pub burn_window_days: u16,
    /// How many of the last `of_last_months` complete months must exceed the allocation. Default 3.
    pub exceeded_months: u8,
    /// Default 4.
    pub of_last_months: u8,
}

impl Default for UsageRules {
    fn default() -> Self {
        UsageRules {
            burn_window_days: 90,
            exceeded_months: 3,
            of_last_months: 4,
        }
    }
}

impl UsageRules {
    /// Checks the rules: a burn window of 1-366 days; 1 ≤ exceeded_months ≤ of_last_months ≤ 24.
    pub fn validate(&self) -> crate::Result<()> {
        if !(1..=366).contains(&self.burn_window_days) {
            return Err(crate::Error::validation("burn_window_days", "must be 1-366 days"));
        }
        if !(1..=24).contains(&self.of_last_months) {
            return Err(crate::Error::validation("of_last_months", "must be 1-24 months"));
        }
        if self.exceeded_months < 1 || self.exceeded_months > self.of_last_months {
            return Err(crate::Error::validation(
                "exceeded_months",
                format!("must be 1-{} (at most of_last_months)", self.of_last_months),
            ));
        }
        Ok(())
    }
}

/// Where a contract stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsageStatus {
    /// The period has not begun.
    NotStarted,
    /// At the current rate the hours last to the period's end.
    OnTrack,
    /// At the current rate the hours run out before the period's end (`runs_out_on`).
    RunningOutEarly,
    /// Every entitled hour is used (or more).
    Exhausted,
    /// The period is over (the figures are final).
    Ended,
}

/// One calendar month of the period.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct MonthUsage {
    /// `YYYY-MM`.
    pub month: String,
    pub hours: f64,
    /// The month's allocation: over the days of the month the period covers, the sum of the
    /// monthly allocation in effect each day divided by the days in the month (a whole month at
    /// one allocation is that allocation; a partly covered month, or one with a change, is
    /// prorated); none when no covered day of the month had a monthly allocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<f64>,
    /// The hours judged against `allocation`: those logged on days that had an allocation (all
    /// of `hours` unless the allocation was added or removed during the month); none without an
    /// allocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_hours: Option<f64>,
    /// The allocation in effect changed during the month (or on its first day), so `allocation`
    /// mixes two or more monthly allocations; the change is in the contract's entitlement history.
    pub allocation_changed: bool,
    /// `allocated_hours` above `allocation`.
    pub exceeded: bool,
    /// The month is over (its last day, or the period's, is before `as_of`).
    pub complete: bool,
}

/// Hours per key (a person, a task code), most first.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct HoursBy {
    pub key: String,
    pub hours: f64,
}

/// Everything about one contract as of one day. Hours are decimal hours.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ContractUsage {
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    pub status: UsageStatus,
    pub entitled_hours: f64,
    pub used_hours: f64,
    /// Entitled less used; negative when more was used than entitled.
    pub left_hours: f64,
    /// What an even pace would have used by `as_of` (entitled × days elapsed / days in the period).
    pub expected_hours: f64,
    /// Days of the period up to `as_of` (0 before it starts), and in all.
    pub elapsed_days: u32,
    pub period_days: u32,
    /// Hours a week at the burn rate (see the module docs).
    pub burn_rate_per_week: f64,
    /// Hours used by the period's end at the burn rate.
    pub forecast_hours: f64,
    /// When the hours left run out at the burn rate, if before the period's end; for an exhausted
    /// contract, the day the used hours reached the entitlement.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_day")]
    #[schema(value_type = Option<String>, format = Date)]
    pub runs_out_on: Option<Date>,
    pub months: Vec<MonthUsage>,
    /// See the module docs; false without a monthly allocation.
    pub consistently_exceeded: bool,
    pub by_person: Vec<HoursBy>,
    pub by_task_code: Vec<HoursBy>,
    /// Hours logged to the contract's codes on days outside its period.
    pub outside_period_hours: f64,
}

pub(crate) mod opt_day {
    use time::Date;

    pub fn serialize<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => crate::billing::costs::iso_day::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        #[derive(serde::Deserialize)]
        struct Day(#[serde(with = "crate::billing::costs::iso_day")] Date);
        Ok(<Option<Day> as serde::Deserialize>::deserialize(d)?.map(|Day(d)| d))
    }
}

fn days_between(from: Date, to: Date) -> i64 {
    (to - from).whole_days()
}

/// The answers for `contract` as of `as_of`, from the worklogs that count for it (see
/// [`super::mapping::for_contract`]; others' hours would be counted too), with each month judged
/// against `allocation`, the monthly allocation in effect on each day
/// ([`AllocationHistory::from_changes`] of the contract's history;
/// [`AllocationHistory::constant`] of its current allocation when there is none).
pub fn contract_usage<'a>(
    contract: &Contract,
    allocation: &AllocationHistory,
    worklogs: impl IntoIterator<Item = &'a Worklog>,
    as_of: Date,
    rules: &UsageRules,
) -> ContractUsage {
    let period_days = (days_between(contract.start, contract.end) + 1).max(1) as u32;
    let last_counted = as_of.min(contract.end);
    let elapsed_days = if as_of < contract.start {
        0
    } else {
        (days_between(contract.start, last_counted) + 1) as u32
    };

    let mut used = 0.0;
    let mut outside = 0.0;
    let mut per_day: BTreeMap<Date, f64> = BTreeMap::new();
    let mut by_person: BTreeMap<&str, f64> = BTreeMap::new();
    let mut by_code: BTreeMap<&str, f64> = BTreeMap::new();
    for w in worklogs {
        if !contract.covers(w.day) {
            outside += w.hours;
            continue;
        }
        if w.day > as_of {
            continue;
        }
        used += w.hours;
        *per_day.entry(w.day).or_default() += w.hours;
        *by_person.entry(&w.person).or_default() += w.hours;
        *by_code.entry(w.task_code.as_str()).or_default() += w.hours;
    }

    // Burn rate over the trailing window inside the period.
    let window_days = i64::from(rules.burn_window_days.max(1)).min(i64::from(elapsed_days));
    let rate_per_day = if window_days > 0 {
        let from = last_counted - Duration::days(window_days - 1);
        per_day.range(from..=last_counted).fold(0.0, |a, (_, h)| a + h) / window_days as f64
    } else {
        0.0
    };
    let days_left = if as_of < contract.start {
        i64::from(period_days)
    } else {
        days_between(last_counted, contract.end)
    };
    let forecast = used + rate_per_day * days_left as f64;
    let left = contract.entitled_hours - used;

    let runs_out_on = if left <= 0.0 {
        // The day the running total reached the entitlement.
        let mut total = 0.0;
        per_day
            .iter()
            .find(|(_, h)| {
                total += **h;
                total >= contract.entitled_hours
            })
            .map(|(d, _)| *d)
    } else if rate_per_day > 0.0 && as_of >= contract.start && as_of < contract.end {
        let days = (left / rate_per_day).ceil();
        (days < days_left as f64).then(|| as_of + Duration::days(days as i64))
    } else {
        None
    };

    let status = if as_of < contract.start {
        UsageStatus::NotStarted
    } else if left <= 0.0 {
        UsageStatus::Exhausted
    } else if as_of > contract.end {
        UsageStatus::Ended
    } else if runs_out_on.is_some() {
        UsageStatus::RunningOutEarly
    } else {
        UsageStatus::OnTrack
    };

    let months = months(contract, allocation, &per_day, as_of);
    let consistently_exceeded = consistently_exceeded(&months, rules);

    ContractUsage {
        as_of,
        status,
        entitled_hours: contract.entitled_hours,
        used_hours: used,
        left_hours: left,
        expected_hours: contract.entitled_hours * f64::from(elapsed_days) / f64::from(period_days),
        elapsed_days,
        period_days,
        burn_rate_per_week: rate_per_day * 7.0,
        forecast_hours: forecast,
        runs_out_on,
        months,
        consistently_exceeded,
        by_person: sorted(by_person),
        by_task_code: sorted(by_code),
        outside_period_hours: outside,
    }
}

fn sorted(map: BTreeMap<&str, f64>) -> Vec<HoursBy> {
    let mut v: Vec<HoursBy> = map
        .into_iter()
        .map(|(k, h)| HoursBy {
            key: k.to_string(),
            hours: h,
        })
        .collect();
    v.sort_by(|a, b| b.hours.total_cmp(&a.hours).then_with(|| a.key.cmp(&b.key)));
    v
}

/// Each calendar month of the period from its start to `as_of` (or the period's end).
fn months(
    contract: &Contract,
    allocation: &AllocationHistory,
    per_day: &BTreeMap<Date, f64>,
    as_of: Date,
) -> Vec<MonthUsage> {
    let mut out = Vec::new();
    if as_of < contract.start {
        return out;
    }
    let last = as_of.min(contract.end);
    let mut first = contract.start;
    while first <= last {
        let month_first = first.replace_day(1).unwrap_or(first);
        let month_days = month_first.month().length(month_first.year());
        let month_last = month_first + Duration::days(i64::from(month_days) - 1);
        let covered_last = month_last.min(contract.end);
        // A fold from +0.0: `sum` of nothing is -0.0.
        let hours = per_day
            .range(first..=covered_last.min(last))
            .fold(0.0, |a, (_, h)| a + h);
        // Day by day: the allocation in effect that day, and the hours it judges.
        let (mut allocated, mut judged, mut any) = (0.0, 0.0, false);
        let mut day = first;
        while day <= covered_last {
            if let Some(a) = allocation.on(day) {
                any = true;
                allocated += a;
                judged += per_day.get(&day).copied().unwrap_or(0.0);
            }
            day = match day.next_day() {
                Some(d) => d,
                None => break,
            };
        }
        // Divided once: 31 days of 30 h a month make exactly 30.
        let allocation_in_month = any.then_some(allocated / f64::from(month_days));
        let allocated_hours = any.then_some(judged);
        // A change on the period's first day is where the period starts, not a change in it.
        let changed_from = if first == contract.start {
            first.next_day().unwrap_or(first)
        } else {
            first
        };
        out.push(MonthUsage {
            month: format!("{:04}-{:02}", month_first.year(), u8::from(month_first.month())),
            hours,
            allocation: allocation_in_month,
            allocated_hours,
            allocation_changed: changed_from <= covered_last && allocation.changes_within(changed_from, covered_last),
            exceeded: match (allocation_in_month, allocated_hours) {
                (Some(a), Some(h)) => h > a + 1e-9,
                _ => false,
            },
            complete: covered_last < as_of,
        });
        first = covered_last + Duration::days(1);
    }
    out
}

/// Whether at least `exceeded_months` of the last `of_last_months` complete months exceeded the
/// allocation (false while fewer than `exceeded_months` months are complete).
pub fn consistently_exceeded(months: &[MonthUsage], rules: &UsageRules) -> bool {
    let complete: Vec<&MonthUsage> = months.iter().filter(|m| m.complete).collect();
    let recent = &complete[complete.len().saturating_sub(usize::from(rules.of_last_months))..];
    recent.iter().filter(|m| m.exceeded).count() >= usize::from(rules.exceeded_months.max(1))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::ids::{ContractId, CustomerCode, TaskCode};
    use crate::utilisation::entitlement::{EntitlementChange, EntitlementField};

    fn contract(start: Date, end: Date, entitled: f64, monthly: Option<f64>) -> Contract {
        Contract {
            id: ContractId::parse("00000100").unwrap(),
            customer: CustomerCode::parse("acme-retail").unwrap(),
            name: String::new(),
            start,
            end,
            entitled_hours: entitled,
            monthly_allocation: monthly,
            status: "Activated".into(),
        }
    }

    /// `hours` on every weekday (Mon-Fri) from `from` to `to`, by `person` on `code`.
    fn weekdays(from: Date, to: Date, hours: f64, person: &str, code: &str) -> Vec<Worklog> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            if d.weekday().number_days_from_monday() < 5 {
                out.push(Worklog {
                    id: format!("{person}-{d}"),
                    day: d,
                    person: person.into(),
                    task_code: TaskCode::parse(code).unwrap(),
                    hours,
                    note: String::new(),
                });
            }
            d += Duration::days(1);
        }
        out
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn utilisation_usage_table() {
        let year = |monthly| contract(date!(2026 - 01 - 01), date!(2026 - 12 - 31), 240.0, monthly);
        struct Case {
            name: &'static str,
            contract: Contract,
            logs: Vec<Worklog>,
            as_of: Date,
            status: UsageStatus,
            used: f64,
            runs_out_on: Option<Date>,
            consistently_exceeded: bool,
        }
        let cases = [
            Case {
                name: "not started",
                contract: year(None),
                logs: vec![],
                as_of: date!(2025 - 12 - 15),
                status: UsageStatus::NotStarted,
                used: 0.0,
                runs_out_on: None,
                consistently_exceeded: false,
            },
            Case {
                // About 1 h a weekday: ~21 h a month, 252 a year: just over; ~0.2 h/weekday is on track.
                name: "on track",
                contract: year(Some(20.0)),
                logs: weekdays(date!(2026 - 01 - 01), date!(2026 - 06 - 30), 0.8, "erin", "ACME-1"),
                as_of: date!(2026 - 06 - 30),
                status: UsageStatus::OnTrack,
                used: 0.8 * 129.0,
                runs_out_on: None,
                consistently_exceeded: false,
            },
            Case {
                // 2 h a weekday from April: 240 h run out in early autumn.
                name: "running out early",
                contract: year(Some(20.0)),
                logs: weekdays(date!(2026 - 04 - 01), date!(2026 - 06 - 30), 2.0, "sam", "ACME-2"),
                as_of: date!(2026 - 07 - 01),
                status: UsageStatus::RunningOutEarly,
                used: 2.0 * 65.0,
                // The last 90 days are 3 April - 1 July: 63 weekdays, 126 h (1.4 h a day); the
                // 110 h left last 78.6 days, so they are gone on the 79th day after 1 July.
                runs_out_on: Some(date!(2026 - 09 - 18)),
                // Complete months March (0 h), April, May, June (over 20 h): 3 of the last 4.
                consistently_exceeded: true,
            },
            Case {
                name: "exhausted: the day the total reached the entitlement",
                contract: contract(date!(2026 - 01 - 01), date!(2026 - 12 - 31), 20.0, None),
                logs: weekdays(date!(2026 - 03 - 02), date!(2026 - 03 - 31), 2.0, "sam", "ACME-2"),
                as_of: date!(2026 - 04 - 15),
                status: UsageStatus::Exhausted,
                used: 44.0,
                // 10 weekdays × 2 h from Monday 2 March: the 10th is Friday 13 March.
                runs_out_on: Some(date!(2026 - 03 - 13)),
                consistently_exceeded: false,
            },
            Case {
                name: "ended: final figures, later logs outside the period",
                contract: contract(date!(2026 - 01 - 01), date!(2026 - 03 - 31), 100.0, Some(30.0)),
                logs: weekdays(date!(2026 - 01 - 01), date!(2026 - 04 - 30), 1.0, "erin", "ACME-1"),
                as_of: date!(2026 - 05 - 10),
                status: UsageStatus::Ended,
                used: 64.0,
                runs_out_on: None,
                consistently_exceeded: false,
            },
        ];
        for c in cases {
            let u = contract_usage(
                &c.contract,
                &AllocationHistory::constant(c.contract.monthly_allocation),
                &c.logs,
                c.as_of,
                &UsageRules::default(),
            );
            assert_eq!(u.status, c.status, "{}", c.name);
            assert!(close(u.used_hours, c.used), "{}: used {}", c.name, u.used_hours);
            assert!(close(u.left_hours, c.contract.entitled_hours - c.used), "{}", c.name);
            assert_eq!(u.runs_out_on, c.runs_out_on, "{}", c.name);
            assert_eq!(
                u.consistently_exceeded, c.consistently_exceeded,
                "{}: {:?}",
                c.name, u.months
            );
        }
    }

    #[test]
    fn utilisation_burn_rate_is_the_trailing_window_and_the_forecast_follows_it() {
        let c = contract(date!(2026 - 01 - 01), date!(2026 - 12 - 31), 1000.0, None);
        // Quiet Q1 (0.5 h a weekday), busy Q2 (3 h a weekday).
        let mut logs = weekdays(date!(2026 - 01 - 01), date!(2026 - 03 - 31), 0.5, "a", "X");
        logs.extend(weekdays(date!(2026 - 04 - 01), date!(2026 - 06 - 29), 3.0, "a", "X"));
        let u = contract_usage(
            &c,
            &AllocationHistory::constant(c.monthly_allocation),
            &logs,
            date!(2026 - 06 - 29),
            &UsageRules::default(),
        );
        // The last 90 days (1 April - 29 June) are all Q2: 64 weekdays × 3 h / 90 days.
        let rate = 64.0 * 3.0 / 90.0;
        assert!(close(u.burn_rate_per_week, rate * 7.0), "{}", u.burn_rate_per_week);
        assert!(
            close(u.forecast_hours, u.used_hours + rate * 185.0),
            "{}",
            u.forecast_hours
        );
        // Since the start would be much lower: the window follows the change of pace.
        assert!(u.burn_rate_per_week > 1.5 * u.used_hours / 180.0 * 7.0);
        // A young period: the rate is over the days since its start.
        let u = contract_usage(
            &c,
            &AllocationHistory::constant(c.monthly_allocation),
            &logs,
            date!(2026 - 01 - 09),
            &UsageRules::default(),
        );
        assert_eq!(u.elapsed_days, 9);
        assert!(close(u.burn_rate_per_week, 7.0 * 0.5 * 7.0 / 9.0));
    }

    #[test]
    fn utilisation_months_prorate_partial_months_and_only_complete_months_count() {
        // From 16 January: January's allocation is 16/31 of 31 h = 16 h.
        let c = contract(date!(2026 - 01 - 16), date!(2027 - 01 - 15), 372.0, Some(31.0));
        let mut logs = weekdays(date!(2026 - 01 - 16), date!(2026 - 01 - 31), 1.5, "a", "X");
        // Feb-May: Feb and Apr and May over 31 h, Mar under.
        logs.extend(weekdays(date!(2026 - 02 - 01), date!(2026 - 02 - 28), 2.0, "a", "X"));
        logs.extend(weekdays(date!(2026 - 03 - 01), date!(2026 - 03 - 31), 1.0, "a", "X"));
        logs.extend(weekdays(date!(2026 - 04 - 01), date!(2026 - 05 - 31), 2.0, "a", "X"));
        // June so far: far over, but not complete.
        logs.extend(weekdays(date!(2026 - 06 - 01), date!(2026 - 06 - 10), 8.0, "a", "X"));
        let u = contract_usage(
            &c,
            &AllocationHistory::constant(c.monthly_allocation),
            &logs,
            date!(2026 - 06 - 10),
            &UsageRules::default(),
        );
        let got: Vec<(&str, bool, bool)> = u
            .months
            .iter()
            .map(|m| (m.month.as_str(), m.exceeded, m.complete))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-01", true, true),
                ("2026-02", true, true),
                ("2026-03", false, true),
                ("2026-04", true, true),
                ("2026-05", true, true),
                ("2026-06", true, false),
            ]
        );
        assert!(close(u.months[0].allocation.unwrap(), 16.0));
        // Last 4 complete months: Feb, Mar, Apr, May: 3 exceeded.
        assert!(u.consistently_exceeded);
        let strict = UsageRules {
            exceeded_months: 4,
            ..UsageRules::default()
        };
        assert!(!consistently_exceeded(&u.months, &strict));
        // Two complete months only: never "consistently".
        let early = contract_usage(
            &c,
            &AllocationHistory::constant(c.monthly_allocation),
            &logs,
            date!(2026 - 03 - 05),
            &UsageRules::default(),
        );
        assert!(!early.consistently_exceeded);
    }

    #[test]
    fn utilisation_leap_years_count_29_february_and_366_days() {
        // A leap year's contract: 366 days; 29 February is in it and in February's allocation.
        let c = contract(date!(2028 - 01 - 01), date!(2028 - 12 - 31), 366.0, Some(29.0));
        let logs = weekdays(date!(2028 - 02 - 28), date!(2028 - 02 - 29), 4.0, "a", "X");
        let u = contract_usage(
            &c,
            &AllocationHistory::constant(c.monthly_allocation),
            &logs,
            date!(2028 - 02 - 29),
            &UsageRules::default(),
        );
        assert_eq!((u.elapsed_days, u.period_days), (60, 366));
        assert!(close(u.expected_hours, 60.0), "{}", u.expected_hours);
        assert!(close(u.used_hours, 8.0), "both days count: {}", u.used_hours);
        let feb = u.months.iter().find(|m| m.month == "2028-02").unwrap();
        assert!(close(feb.hours, 8.0) && close(feb.allocation.unwrap(), 29.0));
        assert!(!feb.complete, "29 February is still under way on 29 February");
        let next = contract_usage(
            &c,
            &AllocationHistory::constant(c.monthly_allocation),
            &logs,
            date!(2028 - 03 - 01),
            &UsageRules::default(),
        );
        assert!(next.months.iter().any(|m| m.month == "2028-02" && m.complete));
        // A period that ends on 29 February: February is whole.
        let short = contract(date!(2028 - 02 - 15), date!(2028 - 02 - 29), 15.0, Some(29.0));
        let u = contract_usage(
            &short,
            &AllocationHistory::constant(short.monthly_allocation),
            &logs,
            date!(2028 - 03 - 01),
            &UsageRules::default(),
        );
        assert_eq!(u.status, UsageStatus::Ended);
        assert!(
            close(u.months[0].allocation.unwrap(), 15.0),
            "15 of 29 days: {:?}",
            u.months
        );
    }

    #[test]
    fn utilisation_an_entitlement_raised_mid_month_counts_every_hour_against_the_new_total() {
        // Hours logged before and after a change on 15 March: the answers are of the contract as
        // it now stands (the change is kept in the history, `entitlement::changes`).
        let before = contract(date!(2026 - 01 - 01), date!(2026 - 12 - 31), 100.0, None);
        let after = Contract {
            entitled_hours: 200.0,
            ..before.clone()
        };
        let mut logs = weekdays(date!(2026 - 03 - 02), date!(2026 - 03 - 13), 5.0, "a", "X");
        logs.extend(weekdays(date!(2026 - 03 - 16), date!(2026 - 03 - 27), 5.0, "a", "X"));
        let was = contract_usage(
            &before,
            &AllocationHistory::constant(before.monthly_allocation),
            &logs,
            date!(2026 - 03 - 31),
            &UsageRules::default(),
        );
        let now = contract_usage(
            &after,
            &AllocationHistory::constant(after.monthly_allocation),
            &logs,
            date!(2026 - 03 - 31),
            &UsageRules::default(),
        );
        assert!(close(was.used_hours, 100.0) && close(now.used_hours, 100.0));
        assert_eq!(was.status, UsageStatus::Exhausted);
        assert!(close(now.left_hours, 100.0));
        assert_ne!(now.status, UsageStatus::Exhausted);
        let changes = crate::utilisation::entitlement::changes(
            Some(&before),
            &after,
            time::macros::datetime!(2026-03-15 10:00 UTC),
            "csv",
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(
            (changes[0].from.as_deref(), changes[0].to.as_deref()),
            (Some("100"), Some("200"))
        );
    }

    fn allocation_change(from: Option<&str>, to: Option<&str>, at: time::OffsetDateTime) -> EntitlementChange {
        EntitlementChange {
            field: EntitlementField::MonthlyAllocation,
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            at,
            source: "salesforce".into(),
        }
    }

    /// The history of a contract first seen at `seen` with `first` as its allocation, then each
    /// of `changes`.
    fn history(
        c: &Contract,
        first: Option<f64>,
        seen: time::OffsetDateTime,
        changes: Vec<EntitlementChange>,
    ) -> AllocationHistory {
        let as_first = Contract {
            monthly_allocation: first,
            ..c.clone()
        };
        let mut all = crate::utilisation::entitlement::changes(None, &as_first, seen, "salesforce");
        all.extend(changes);
        AllocationHistory::from_changes(c.monthly_allocation, &all)
    }

    type Row = (String, Option<f64>, Option<f64>, bool, bool);

    /// `(month, allocation, allocated hours, changed, exceeded)` of each month.
    fn rows(u: &ContractUsage) -> Vec<Row> {
        let round = |v: Option<f64>| v.map(|v| (v * 1000.0).round() / 1000.0);
        u.months
            .iter()
            .map(|m| {
                (
                    m.month.clone(),
                    round(m.allocation),
                    round(m.allocated_hours),
                    m.allocation_changed,
                    m.exceeded,
                )
            })
            .collect()
    }

    #[test]
    fn utilisation_each_month_is_judged_against_the_allocation_in_effect_on_its_days() {
        use time::macros::datetime;
        // A year from January, 30 h a month at first; 1 h on every day of the year (30 or 31 h
        // a month, 28 in February).
        let year = |now: Option<f64>| contract(date!(2026 - 01 - 01), date!(2026 - 12 - 31), 400.0, now);
        let every_day = |from: Date, to: Date| {
            let mut out = Vec::new();
            let mut d = from;
            while d <= to {
                out.push(Worklog {
                    id: d.to_string(),
                    day: d,
                    person: "a".into(),
                    task_code: TaskCode::parse("X").unwrap(),
                    hours: 1.0,
                    note: String::new(),
                });
                d += Duration::days(1);
            }
            out
        };
        let logs = every_day(date!(2026 - 01 - 01), date!(2026 - 05 - 31));
        let as_of = date!(2026 - 06 - 01);
        let seen = datetime!(2026-01-05 06:00 UTC);
        let rules = UsageRules::default();

        // Raised from 30 to 62 on 16 March (seen that morning): March is 15 days at 30 and 16 at
        // 62 (≈ 46.5 h), so its 31 hours are under it; January and February stay judged at 30.
        let c = year(Some(62.0));
        let h = history(
            &c,
            Some(30.0),
            seen,
            vec![allocation_change(
                Some("30"),
                Some("62"),
                datetime!(2026-03-16 05:00 UTC),
            )],
        );
        let u = contract_usage(&c, &h, &logs, as_of, &rules);
        assert_eq!(
            rows(&u)[..5],
            [
                ("2026-01".into(), Some(30.0), Some(31.0), false, true),
                ("2026-02".into(), Some(30.0), Some(28.0), false, false),
                ("2026-03".into(), Some(46.516), Some(31.0), true, false),
                ("2026-04".into(), Some(62.0), Some(30.0), false, false),
                ("2026-05".into(), Some(62.0), Some(31.0), false, false),
            ]
        );
        // Against today's 62 every month would look under it: January would not be over.
        let flat = contract_usage(&c, &AllocationHistory::constant(Some(62.0)), &logs, as_of, &rules);
        assert!(flat.months.iter().all(|m| !m.exceeded));

        // Cut from 30 to 20 on 1 April: January, March and the later months over, but February
        // (28 of 30) not; April and May over 20: 3 of the last 4 complete months (Feb-May) are
        // over, so consistently exceeded, as the portfolio shows.
        let c = year(Some(20.0));
        let h = history(
            &c,
            Some(30.0),
            seen,
            vec![allocation_change(
                Some("30"),
                Some("20"),
                datetime!(2026-04-01 05:00 UTC),
            )],
        );
        let u = contract_usage(&c, &h, &logs, as_of, &rules);
        let over: Vec<bool> = u.months.iter().map(|m| m.exceeded).collect();
        assert_eq!(over, [true, false, true, true, true, false], "June has just begun");
        assert!(u.months[3].allocation_changed, "the cut took effect on 1 April");
        assert!(u.consistently_exceeded);
        let standing = crate::utilisation::portfolio::standing(&c, &u);
        assert_eq!((standing.months_over_allocation, standing.months_complete), (4, 5));
        // Judged against today's 20 all five would be over, February too.
        let flat = contract_usage(&c, &AllocationHistory::constant(Some(20.0)), &logs, as_of, &rules);
        assert_eq!(flat.months.iter().filter(|m| m.exceeded).count(), 5);

        // Removed on 16 April: April has 15 days at 30 (15 h) and judges only their 15 hours;
        // May has none, and is neither over nor counted (January and March are over).
        let c = year(None);
        let h = history(
            &c,
            Some(30.0),
            seen,
            vec![allocation_change(Some("30"), None, datetime!(2026-04-16 05:00 UTC))],
        );
        let u = contract_usage(&c, &h, &logs, as_of, &rules);
        assert_eq!(
            rows(&u)[3..5],
            [
                ("2026-04".into(), Some(15.0), Some(15.0), true, false),
                ("2026-05".into(), None, None, false, false),
            ]
        );
        assert_eq!(u.months[3].hours, 30.0, "every hour of April is still shown");
        let standing = crate::utilisation::portfolio::standing(&c, &u);
        assert_eq!((standing.months_over_allocation, standing.months_complete), (2, 4));

        // Added on 16 April to a contract first seen without one: only the hours from 16 April
        // are judged, against 15 days of 15 h a month (7.5 h): over.
        let c = year(Some(15.0));
        let h = history(
            &c,
            None,
            seen,
            vec![allocation_change(None, Some("15"), datetime!(2026-04-16 05:00 UTC))],
        );
        let u = contract_usage(&c, &h, &logs, as_of, &rules);
        assert_eq!(
            rows(&u)[2..4],
            [
                ("2026-03".into(), None, None, false, false),
                ("2026-04".into(), Some(7.5), Some(15.0), true, true),
            ]
        );

        // Changes before the start: first seen in November at 10, raised to 30 in December; the
        // period from January is at 30 from its first day, and no month shows a change.
        let c = year(Some(30.0));
        let h = history(
            &c,
            Some(10.0),
            datetime!(2025-11-03 09:00 UTC),
            vec![allocation_change(
                Some("10"),
                Some("30"),
                datetime!(2025-12-15 09:00 UTC),
            )],
        );
        let u = contract_usage(&c, &h, &logs, as_of, &rules);
        assert!(
            u.months
                .iter()
                .all(|m| m.allocation == Some(30.0) && !m.allocation_changed),
            "{:?}",
            u.months
        );

        // A change on the period's first day is where it starts: January is whole at the new value.
        let h = history(
            &c,
            Some(10.0),
            datetime!(2025-11-03 09:00 UTC),
            vec![allocation_change(
                Some("10"),
                Some("30"),
                datetime!(2026-01-01 05:00 UTC),
            )],
        );
        let u = contract_usage(&c, &h, &logs, as_of, &rules);
        assert_eq!(
            (u.months[0].allocation, u.months[0].allocation_changed),
            (Some(30.0), false)
        );
    }

    #[test]
    fn utilisation_breakdowns_add_up_and_are_sorted_most_first() {
        let c = contract(date!(2026 - 01 - 01), date!(2026 - 12 - 31), 240.0, None);
        let mut logs = weekdays(date!(2026 - 02 - 02), date!(2026 - 02 - 06), 1.0, "erin", "ACME-1");
        logs.extend(weekdays(
            date!(2026 - 02 - 02),
            date!(2026 - 02 - 06),
            2.0,
            "sam",
            "ACME-2",
        ));
        logs.extend(weekdays(
            date!(2026 - 02 - 09),
            date!(2026 - 02 - 09),
            4.0,
            "erin",
            "ACME-2",
        ));
        let u = contract_usage(
            &c,
            &AllocationHistory::constant(c.monthly_allocation),
            &logs,
            date!(2026 - 03 - 01),
            &UsageRules::default(),
        );
        assert_eq!(
            u.by_person
                .iter()
                .map(|h| (h.key.as_str(), h.hours))
                .collect::<Vec<_>>(),
            [("sam", 10.0), ("erin", 9.0)]
        );
        assert_eq!(
            u.by_task_code
                .iter()
                .map(|h| (h.key.as_str(), h.hours))
                .collect::<Vec<_>>(),
            [("ACME-2", 14.0), ("ACME-1", 5.0)]
        );
        let months: f64 = u.months.iter().map(|m| m.hours).sum();
        assert!(close(months, u.used_hours));
        // Logs after as_of are not counted yet.
        let before = contract_usage(
            &c,
            &AllocationHistory::constant(c.monthly_allocation),
            &logs,
            date!(2026 - 02 - 06),
            &UsageRules::default(),
        );
        assert!(close(before.used_hours, 15.0));
    }

    #[test]
    fn utilisation_rules_are_validated() {
        assert!(UsageRules::default().validate().is_ok());
        for bad in [
            UsageRules {
                burn_window_days: 0,
                ..UsageRules::default()
            },
            UsageRules {
                exceeded_months: 5,
                ..UsageRules::default()
            },
            UsageRules {
                of_last_months: 0,
                ..UsageRules::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
