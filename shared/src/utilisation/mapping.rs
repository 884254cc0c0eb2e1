//! Which customer and contract a task code's hours count for.
//!
//! A mapping names a task code exactly (`OPS-1234`) or as a prefix (`ACME-` for every issue of a
//! JIRA project whose key is `ACME`). The exact mapping of a code wins; otherwise the longest
//! prefix that matches: a team can map a whole project to a customer and single issues of it to
//! a particular contract. Hours whose code no mapping matches are *unmapped*: reported with their
//! code, hours and people ([`unmapped`]), never dropped silently.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use super::Worklog;
use crate::ids::{ContractId, CustomerCode, TaskCode};

/// One task code mapping, as an admin keeps it in the hub.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskCodeMapping {
    pub code: TaskCode,
    /// `true`: every code starting with `code` (`ACME-` maps `ACME-1`, `ACME-22`, ...).
    #[serde(default)]
    pub prefix: bool,
    pub customer: CustomerCode,
    /// The contract the hours count against; none: the customer's hours, outside any contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractId>,
}

/// The mappings, ready to resolve codes.
#[derive(Clone, Debug, Default)]
pub struct TaskCodeMap {
    exact: BTreeMap<TaskCode, TaskCodeMapping>,
    /// Longest prefix first.
    prefixes: Vec<TaskCodeMapping>,
}

impl TaskCodeMap {
    /// Builds the map. Two mappings of the same code and kind: the later one wins (as a PUT of
    /// the whole list would keep it).
    pub fn new(mappings: impl IntoIterator<Item = TaskCodeMapping>) -> Self {
        let mut exact = BTreeMap::new();
        let mut prefixes: BTreeMap<TaskCode, TaskCodeMapping> = BTreeMap::new();
        for m in mappings {
            if m.prefix {
                prefixes.insert(m.code.clone(), m);
            } else {
                exact.insert(m.code.clone(), m);
            }
        }
        let mut prefixes: Vec<TaskCodeMapping> = prefixes.into_values().collect();
        prefixes.sort_by(|a, b| {
            b.code
                .as_str()
                .len()
                .cmp(&a.code.as_str().len())
                .then(a.code.cmp(&b.code))
        });
        TaskCodeMap { exact, prefixes }
    }

    /// The mapping `code`'s hours follow: the exact one, else the longest matching prefix.
    pub fn resolve(&self, code: &TaskCode) -> Option<&TaskCodeMapping> {
        self.exact.get(code).or_else(|| {
            self.prefixes
                .iter()
                .find(|m| code.as_str().starts_with(m.code.as_str()))
        })
    }
}

/// Hours on task codes that no mapping matches, per code.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UnmappedCode {
    pub task_code: TaskCode,
    pub hours: f64,
    pub worklogs: usize,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub first_day: Date,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub last_day: Date,
    /// Who logged them, sorted.
    pub people: Vec<String>,
}

/// Unmapped hours per code, added up one worklog at a time: what [`unmapped`] and the service's
/// page-by-page read build, keeping per code only its sums and its people (never the worklogs).
#[derive(Clone, Debug, Default)]
pub struct UnmappedTally {
    by_code: std::collections::HashMap<TaskCode, CodeTally>,
}

#[derive(Clone, Debug)]
struct CodeTally {
    hours: f64,
    worklogs: usize,
    first: Date,
    last: Date,
    people: BTreeSet<String>,
}

impl UnmappedTally {
    /// Counts `w` (whose code the caller found unmapped).
    pub fn add(&mut self, w: &Worklog) {
        let t = match self.by_code.get_mut(&w.task_code) {
            Some(t) => t,
            None => self.by_code.entry(w.task_code.clone()).or_insert(CodeTally {
                hours: 0.0,
                worklogs: 0,
                first: w.day,
                last: w.day,
                people: BTreeSet::new(),
            }),
        };
        t.hours += w.hours;
        t.worklogs += 1;
        t.first = t.first.min(w.day);
        t.last = t.last.max(w.day);
        if !t.people.contains(&w.person) {
            t.people.insert(w.person.clone());
        }
    }

    /// Adds another tally's counts (of other worklogs) to this one.
    pub fn merge(&mut self, other: UnmappedTally) {
        for (code, o) in other.by_code {
            match self.by_code.get_mut(&code) {
                Some(t) => {
                    t.hours += o.hours;
                    t.worklogs += o.worklogs;
                    t.first = t.first.min(o.first);
                    t.last = t.last.max(o.last);
                    t.people.extend(o.people);
                }
                None => {
                    self.by_code.insert(code, o);
                }
            }
        }
    }

    /// The codes, most hours first, then by code.
    pub fn finish(self) -> Vec<UnmappedCode> {
        let mut out: Vec<UnmappedCode> = self
            .by_code
            .into_iter()
            .map(|(code, t)| UnmappedCode {
                task_code: code,
                hours: t.hours,
                worklogs: t.worklogs,
                first_day: t.first,
                last_day: t.last,
                people: t.people.into_iter().collect(),
            })
            .collect();
        out.sort_by(|a, b| b.hours.total_cmp(&a.hours).then_with(|| a.task_code.cmp(&b.task_code)));
        out
    }
}

/// The worklogs whose code `map` does not resolve, per code (most hours first, then by code).
pub fn unmapped<'a>(map: &TaskCodeMap, worklogs: impl IntoIterator<Item = &'a Worklog>) -> Vec<UnmappedCode> {
    let mut tally = UnmappedTally::default();
    for w in worklogs {
        if map.resolve(&w.task_code).is_none() {
            tally.add(w);
        }
    }
    tally.finish()
}

/// The worklogs that count for `contract` of `customer` under `map`.
pub fn for_contract<'a>(
    map: &'a TaskCodeMap,
    customer: &'a CustomerCode,
    contract: &'a ContractId,
    worklogs: impl IntoIterator<Item = &'a Worklog> + 'a,
) -> impl Iterator<Item = &'a Worklog> + 'a {
    worklogs.into_iter().filter(move |w| {
        map.resolve(&w.task_code)
            .is_some_and(|m| &m.customer == customer && m.contract.as_ref() == Some(contract))
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn code(s: &str) -> TaskCode {
        TaskCode::parse(s).unwrap()
    }

    fn mapping(c: &str, prefix: bool, customer: &str, contract: Option<&str>) -> TaskCodeMapping {
        TaskCodeMapping {
            code: code(c),
            prefix,
            customer: CustomerCode::parse(customer).unwrap(),
            contract: contract.map(|c| ContractId::parse(c).unwrap()),
        }
    }

    fn log(id: &str, day: Date, person: &str, c: &str, hours: f64) -> Worklog {
        Worklog {
            id: id.into(),
            day,
            person: person.into(),
            task_code: code(c),
            hours,
            note: String::new(),
        }
    }

    #[test]
    fn utilisation_exact_mapping_beats_the_longest_prefix_which_beats_a_shorter_one() {
        let map = TaskCodeMap::new([
            mapping("ACME-", true, "acme-retail", Some("00000100")),
            mapping("ACME-9", true, "acme-retail", Some("00000200")),
            mapping("ACME-42", false, "acme-retail", None),
            mapping("OPS-1", false, "globex", Some("G-1")),
        ]);
        let cases = [
            ("ACME-42", Some(None)),
            ("acme-7", Some(Some("00000100"))),
            ("ACME-91", Some(Some("00000200"))),
            ("ACME-420", Some(Some("00000100"))),
            ("OPS-1", Some(Some("G-1"))),
            ("OPS-12", None),
            ("ACM", None),
        ];
        for (given, want) in cases {
            let got = map
                .resolve(&code(given))
                .map(|m| m.contract.as_ref().map(|c| c.as_str()));
            assert_eq!(got, want, "{given}");
        }
    }

    #[test]
    fn utilisation_unmapped_hours_are_reported_per_code_never_dropped() {
        let map = TaskCodeMap::new([mapping("ACME-", true, "acme-retail", Some("00000100"))]);
        let logs = [
            log("1", date!(2026 - 10 - 01), "erin@example.com", "ACME-1", 2.0),
            log("2", date!(2026 - 10 - 03), "sam@example.com", "XYZ-9", 1.5),
            log("3", date!(2026 - 10 - 02), "erin@example.com", "XYZ-9", 0.5),
            log("4", date!(2026 - 10 - 05), "erin@example.com", "INTERNAL", 3.0),
        ];
        let got = unmapped(&map, &logs);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].task_code.as_str(), "INTERNAL");
        assert_eq!(got[0].hours, 3.0);
        assert_eq!(got[1].task_code.as_str(), "XYZ-9");
        assert_eq!((got[1].hours, got[1].worklogs), (2.0, 2));
        assert_eq!(
            (got[1].first_day, got[1].last_day),
            (date!(2026 - 10 - 02), date!(2026 - 10 - 03))
        );
        assert_eq!(got[1].people, ["erin@example.com", "sam@example.com"]);
        // Every hour is either mapped or reported.
        let mapped: f64 = logs
            .iter()
            .filter(|w| map.resolve(&w.task_code).is_some())
            .map(|w| w.hours)
            .sum();
        let reported: f64 = got.iter().map(|u| u.hours).sum();
        assert_eq!(mapped + reported, logs.iter().map(|w| w.hours).sum::<f64>());
    }

    #[test]
    fn utilisation_unmapped_tallies_of_parts_merge_into_the_tally_of_the_whole() {
        let logs: Vec<Worklog> = (0..40)
            .map(|i| {
                let day = date!(2026 - 10 - 01) + time::Duration::days(i % 9);
                log(
                    &i.to_string(),
                    day,
                    &format!("p{}", i % 5),
                    &format!("X-{}", i % 4),
                    0.25 * (i % 7) as f64 + 0.5,
                )
            })
            .collect();
        let map = TaskCodeMap::default();
        let whole = unmapped(&map, &logs);
        let (mut a, mut b) = (UnmappedTally::default(), UnmappedTally::default());
        for (i, w) in logs.iter().enumerate() {
            if i % 3 == 0 { a.add(w) } else { b.add(w) }
        }
        a.merge(b);
        let merged = a.finish();
        assert_eq!(merged.len(), whole.len());
        for (m, w) in merged.iter().zip(&whole) {
            assert_eq!(
                (&m.task_code, m.worklogs, m.first_day, m.last_day, &m.people),
                (&w.task_code, w.worklogs, w.first_day, w.last_day, &w.people)
            );
            assert!((m.hours - w.hours).abs() < 1e-9);
        }
    }

    #[test]
    fn utilisation_hours_count_for_the_contract_their_code_maps_to() {
        let map = TaskCodeMap::new([
            mapping("ACME-", true, "acme-retail", Some("00000100")),
            mapping("ACME-9", false, "acme-retail", Some("00000200")),
        ]);
        let logs = [
            log("1", date!(2026 - 10 - 01), "a", "ACME-1", 2.0),
            log("2", date!(2026 - 10 - 01), "a", "ACME-9", 1.0),
            log("3", date!(2026 - 10 - 01), "a", "OTHER-1", 1.0),
        ];
        let customer = CustomerCode::parse("acme-retail").unwrap();
        let contract = ContractId::parse("00000100").unwrap();
        let ids: Vec<&str> = for_contract(&map, &customer, &contract, &logs)
            .map(|w| w.id.as_str())
            .collect();
        assert_eq!(ids, ["1"]);
    }
}
