//! Entitlement history: every change of what a contract entitles the customer to, kept as a row of
//! its own (what, when, from, to, from which source), never overwritten. A sync compares the
//! contract as the source has it now with the one kept ([`changes`]) and appends the differences.
//!
//! The history also says what held on a past day: [`AllocationHistory`] is the monthly allocation
//! in effect on each day, so a past month is judged against the allocation of its own days, not
//! against today's (a raise in June does not make March look under its allocation).

use time::{Date, OffsetDateTime};

use super::Contract;

/// A contract field whose changes are kept.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EntitlementField {
    EntitledHours,
    MonthlyAllocation,
    Start,
    End,
    Status,
}

/// One change of one field of one contract.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct EntitlementChange {
    pub field: EntitlementField,
    /// The value before, as text (`240`, `2026-12-31`, `Activated`); none when the contract was
    /// first seen or the field was empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The value after; none when the field was emptied (a monthly allocation removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// When the change was seen (the sync's or import's time, UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Where it came from: `salesforce`, `csv` (an admin's import) or `demo`.
    pub source: String,
}

fn hours(h: f64) -> String {
    // Whole hours without a fraction, others as given (240, 37.5).
    if h.fract() == 0.0 && h.abs() < 1e15 {
        format!("{}", h as i64)
    } else {
        format!("{h}")
    }
}

/// The changes from `before` (the contract as kept; none: first seen) to `after`, each stamped
/// `at` and `source`. A first sighting records each entitlement field's initial value (from
/// none), so the history starts with what the contract was when it was first seen.
pub fn changes(
    before: Option<&Contract>,
    after: &Contract,
    at: OffsetDateTime,
    source: &str,
) -> Vec<EntitlementChange> {
    let fields = |c: &Contract| -> [(EntitlementField, Option<String>); 5] {
        [
            (EntitlementField::EntitledHours, Some(hours(c.entitled_hours))),
            (EntitlementField::MonthlyAllocation, c.monthly_allocation.map(hours)),
            (EntitlementField::Start, Some(c.start.to_string())),
            (EntitlementField::End, Some(c.end.to_string())),
            (
                EntitlementField::Status,
                Some(c.status.clone()).filter(|s| !s.is_empty()),
            ),
        ]
    };
    let new = fields(after);
    let old: [(EntitlementField, Option<String>); 5] = match before {
        Some(b) => fields(b),
        None => new.clone().map(|(f, _)| (f, None)),
    };
    old.into_iter()
        .zip(new)
        .filter(|((_, from), (_, to))| from != to)
        .map(|((field, from), (_, to))| EntitlementChange {
            field,
            from,
            to,
            at,
            source: source.to_string(),
        })
        .collect()
}

/// The monthly allocation in effect on each day, read from a contract's entitlement history.
///
/// Rules, and why:
/// - A change takes effect on the UTC day it was seen (its `at`), for the whole of that day: the
///   sync runs early in the morning, so what it sees was decided the day before or earlier, and a
///   CSV import is an admin's word that holds from that day. Several changes in one day: the last
///   holds for the day.
/// - Before the first change, the value the first change started `from`; but the values a
///   contract was first seen with (the first sighting's records, [`changes`] from none) hold back
///   to the start of time: a contract imported in March for a period from January had its
///   allocation in January too.
/// - After the last change, the contract's current allocation (what the history ends with, unless
///   the history is incomplete: the contract as kept is the truth about today).
/// - None on a day: no monthly allocation that day (never set, or removed).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AllocationHistory {
    /// In effect before the first step.
    initial: Option<f64>,
    /// (first day in effect, value), by day, one per day, each different from the one before.
    steps: Vec<(Date, Option<f64>)>,
}

impl AllocationHistory {
    /// One allocation on every day (a contract without recorded changes, or tests).
    pub fn constant(allocation: Option<f64>) -> Self {
        AllocationHistory {
            initial: allocation,
            steps: Vec::new(),
        }
    }

    /// The allocation over time from `changes` (a contract's entitlement changes, any order; other
    /// fields are ignored) and `current` (the contract's monthly allocation as kept).
    pub fn from_changes(current: Option<f64>, changes: &[EntitlementChange]) -> Self {
        let parse = |v: &Option<String>| -> Result<Option<f64>, ()> {
            match v {
                None => Ok(None),
                Some(s) => s.trim().parse::<f64>().map(Some).map_err(|_| ()),
            }
        };
        // The first sighting: the moment the entitled hours, which a contract always has, were
        // recorded from nothing.
        let first_seen = changes
            .iter()
            .filter(|c| c.field == EntitlementField::EntitledHours && c.from.is_none())
            .map(|c| c.at)
            .min();
        let mut allocation: Vec<&EntitlementChange> = changes
            .iter()
            .filter(|c| c.field == EntitlementField::MonthlyAllocation)
            .collect();
        allocation.sort_by_key(|c| c.at);
        let mut initial = current;
        let mut steps: Vec<(Date, Option<f64>)> = Vec::new();
        let mut started = false;
        for c in allocation {
            let Ok(to) = parse(&c.to) else { continue };
            if !started {
                started = true;
                if c.from.is_none() && Some(c.at) == first_seen {
                    // The value first seen holds back to the start.
                    initial = to;
                    continue;
                }
                initial = parse(&c.from).unwrap_or(to);
            }
            let day = c.at.to_offset(time::UtcOffset::UTC).date();
            match steps.last_mut() {
                Some((d, v)) if *d == day => *v = to,
                _ => steps.push((day, to)),
            }
        }
        // The contract as kept is what holds after the last change.
        match steps.last_mut() {
            Some((_, v)) => *v = current,
            None => initial = current,
        }
        // Drop steps that change nothing, so every step is a change.
        let mut last = initial;
        steps.retain(|(_, v)| {
            let keep = !same(*v, last);
            last = *v;
            keep
        });
        AllocationHistory { initial, steps }
    }

    /// The monthly allocation in effect on `day` (hours a month).
    pub fn on(&self, day: Date) -> Option<f64> {
        match self.steps.partition_point(|(d, _)| *d <= day) {
            0 => self.initial,
            n => self.steps[n - 1].1,
        }
    }

    /// Whether the allocation in effect on some day of `first..=last` differs from the day
    /// before's (a change took effect in those days).
    pub fn changes_within(&self, first: Date, last: Date) -> bool {
        self.steps.iter().any(|(d, _)| (first..=last).contains(d))
    }
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::ids::{ContractId, CustomerCode};

    fn contract() -> Contract {
        Contract {
            id: ContractId::parse("00000100").unwrap(),
            customer: CustomerCode::parse("acme-retail").unwrap(),
            name: "Managed AWS 2026".into(),
            start: date!(2026 - 01 - 01),
            end: date!(2026 - 12 - 31),
            entitled_hours: 240.0,
            monthly_allocation: Some(20.0),
            status: "Activated".into(),
        }
    }

    #[test]
    fn utilisation_entitlement_changes_are_each_field_that_moved() {
        let at = datetime!(2026-06-01 06:00 UTC);
        let before = contract();
        let mut after = contract();
        after.entitled_hours = 300.0;
        after.monthly_allocation = None;
        after.name = "renamed: not an entitlement".into();
        let got = changes(Some(&before), &after, at, "salesforce");
        let got: Vec<_> = got
            .iter()
            .map(|c| (c.field, c.from.as_deref(), c.to.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (EntitlementField::EntitledHours, Some("240"), Some("300")),
                (EntitlementField::MonthlyAllocation, Some("20"), None),
            ]
        );
        assert!(changes(Some(&before), &before, at, "salesforce").is_empty());
    }

    #[test]
    fn utilisation_first_sighting_records_the_initial_entitlement() {
        let mut c = contract();
        c.entitled_hours = 37.5;
        let got = changes(None, &c, datetime!(2026-01-02 00:00 UTC), "csv");
        assert_eq!(got.len(), 5);
        assert!(got.iter().all(|c| c.from.is_none() && c.source == "csv"));
        assert_eq!(got[0].to.as_deref(), Some("37.5"));
    }

    fn change(field: EntitlementField, from: Option<&str>, to: Option<&str>, at: OffsetDateTime) -> EntitlementChange {
        EntitlementChange {
            field,
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            at,
            source: "csv".into(),
        }
    }

    /// What a contract first seen at `at` with these values records.
    fn first_seen(allocation: Option<&str>, at: OffsetDateTime) -> Vec<EntitlementChange> {
        let mut c = contract();
        c.monthly_allocation = allocation.map(|a| a.parse().unwrap());
        changes(None, &c, at, "csv")
    }

    #[test]
    fn utilisation_allocation_history_gives_the_allocation_in_effect_each_day() {
        use EntitlementField::MonthlyAllocation as A;
        let seen = datetime!(2026-03-15 09:00 UTC);
        let raised = datetime!(2026-06-10 05:00 UTC);
        struct Case {
            name: &'static str,
            current: Option<f64>,
            changes: Vec<EntitlementChange>,
            /// (day, allocation in effect)
            want: Vec<(Date, Option<f64>)>,
        }
        let cases = [
            Case {
                name: "no history: the current allocation throughout",
                current: Some(20.0),
                changes: vec![],
                want: vec![(date!(2020 - 01 - 01), Some(20.0)), (date!(2030 - 01 - 01), Some(20.0))],
            },
            Case {
                name: "first seen after the start: its values hold back to the start",
                current: Some(20.0),
                changes: first_seen(Some("20"), seen),
                want: vec![(date!(2026 - 01 - 01), Some(20.0)), (date!(2026 - 03 - 16), Some(20.0))],
            },
            Case {
                name: "a raise takes effect on the day it was seen, for the whole day",
                current: Some(30.0),
                changes: [
                    first_seen(Some("20"), seen),
                    vec![change(A, Some("20"), Some("30"), raised)],
                ]
                .concat(),
                want: vec![
                    (date!(2026 - 01 - 01), Some(20.0)),
                    (date!(2026 - 06 - 09), Some(20.0)),
                    (date!(2026 - 06 - 10), Some(30.0)),
                    (date!(2026 - 12 - 31), Some(30.0)),
                ],
            },
            Case {
                name: "a cut, then a removal",
                current: None,
                changes: [
                    first_seen(Some("20"), seen),
                    vec![
                        change(A, Some("20"), Some("10"), raised),
                        change(A, Some("10"), None, datetime!(2026-09-01 00:00 UTC)),
                    ],
                ]
                .concat(),
                want: vec![
                    (date!(2026 - 06 - 09), Some(20.0)),
                    (date!(2026 - 06 - 10), Some(10.0)),
                    (date!(2026 - 08 - 31), Some(10.0)),
                    (date!(2026 - 09 - 01), None),
                ],
            },
            Case {
                name: "added to a contract first seen without one",
                current: Some(15.0),
                changes: [first_seen(None, seen), vec![change(A, None, Some("15"), raised)]].concat(),
                want: vec![(date!(2026 - 01 - 01), None), (date!(2026 - 06 - 10), Some(15.0))],
            },
            Case {
                name: "several changes in one day: the last holds that day",
                current: Some(25.0),
                changes: vec![
                    change(A, Some("20"), Some("40"), datetime!(2026-06-10 05:00 UTC)),
                    change(A, Some("40"), Some("25"), datetime!(2026-06-10 16:00 UTC)),
                ],
                want: vec![(date!(2026 - 06 - 09), Some(20.0)), (date!(2026 - 06 - 10), Some(25.0))],
            },
            Case {
                name: "a change seen at 23:30 at +10:00 is the UTC day's",
                current: Some(30.0),
                changes: vec![change(A, Some("20"), Some("30"), datetime!(2026-06-10 23:30 +10:00))],
                want: vec![(date!(2026 - 06 - 09), Some(20.0)), (date!(2026 - 06 - 10), Some(30.0))],
            },
            Case {
                name: "a history that does not end at the kept value: the kept value holds after its last change",
                current: Some(50.0),
                changes: vec![change(A, Some("20"), Some("30"), raised)],
                want: vec![(date!(2026 - 06 - 09), Some(20.0)), (date!(2026 - 06 - 10), Some(50.0))],
            },
        ];
        for c in cases {
            let h = AllocationHistory::from_changes(c.current, &c.changes);
            for (day, want) in c.want {
                assert_eq!(h.on(day), want, "{}: {day}", c.name);
            }
        }
        // Changes within a span of days.
        let h = AllocationHistory::from_changes(
            Some(30.0),
            &[
                first_seen(Some("20"), seen),
                vec![change(A, Some("20"), Some("30"), raised)],
            ]
            .concat(),
        );
        assert!(h.changes_within(date!(2026 - 06 - 01), date!(2026 - 06 - 30)));
        assert!(
            !h.changes_within(date!(2026 - 03 - 01), date!(2026 - 03 - 31)),
            "first seen is not a change"
        );
        assert!(!h.changes_within(date!(2026 - 07 - 01), date!(2026 - 07 - 31)));
    }
}
