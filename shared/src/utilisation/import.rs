//! CSV imports: contracts (the fallback when Salesforce is not connected) and timesheet hours (when
//! JIRA is not, or for a team that keeps hours elsewhere). Each file is read whole and validated
//! as a whole: any bad row is an [`Error::Rows`] naming the row and column, and nothing is written.
//!
//! Contracts: a header row with `contract`, `customer`, `start`, `end`, `entitled_hours` and
//! optionally `name`, `monthly_allocation`, `status` (any order, any case; unknown columns are an
//! error, so a typo in a header is not silently ignored). Dates `YYYY-MM-DD`, hours decimal.
//!
//! Worklogs: `date`, `person`, `task_code`, `hours` and optionally `note` and `id`. Without an `id`
//! column each row's id is a hash of its fields and of how many identical rows came before it in
//! the file, so importing the same file again replaces the same worklogs instead of doubling them,
//! and two identical entries of one file (two calls of an hour on one day) stay two.

use std::collections::HashMap;

use time::Date;

use super::{Contract, Worklog};
use crate::error::{Error, Result, RowError};
use crate::ids::{ContractId, CustomerCode, TaskCode};

/// The most rows one import takes (a year of a 50-person team's timesheets is about 25,000).
pub const MAX_ROWS: usize = 100_000;

const CONTRACT_COLUMNS: [&str; 8] = [
    "contract",
    "customer",
    "name",
    "start",
    "end",
    "entitled_hours",
    "monthly_allocation",
    "status",
];
const CONTRACT_REQUIRED: [&str; 5] = ["contract", "customer", "start", "end", "entitled_hours"];
const WORKLOG_COLUMNS: [&str; 6] = ["date", "person", "task_code", "hours", "note", "id"];
const WORKLOG_REQUIRED: [&str; 4] = ["date", "person", "task_code", "hours"];

/// The header's columns by name, checked against what the format knows and needs.
fn columns(headers: &csv::StringRecord, known: &[&str], required: &[&str]) -> Result<HashMap<String, usize>> {
    let mut at = HashMap::new();
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        if !known.contains(&name.as_str()) {
            errors.push(RowError {
                row: 0,
                field: Some(h.to_string()),
                message: format!("unknown column '{h}'; the columns are {}", known.join(", ")),
            });
        } else if at.insert(name.clone(), i).is_some() {
            errors.push(RowError {
                row: 0,
                field: Some(name.clone()),
                message: format!("column '{name}' appears twice"),
            });
        }
    }
    for r in required {
        if !at.contains_key(*r) {
            errors.push(RowError {
                row: 0,
                field: Some(r.to_string()),
                message: format!("missing column '{r}'"),
            });
        }
    }
    if errors.is_empty() {
        Ok(at)
    } else {
        let message = format!("the header has {} problem(s); nothing was read", errors.len());
        errors.truncate(crate::error::MAX_ROW_ERRORS);
        Err(Error::Rows { message, errors })
    }
}

/// One row's cells by column name.
struct Row<'a> {
    n: usize,
    record: &'a csv::StringRecord,
    at: &'a HashMap<String, usize>,
    errors: Vec<RowError>,
}

impl Row<'_> {
    /// The cell, trimmed; empty (or absent column) is `None`.
    fn get(&self, col: &str) -> Option<&str> {
        self.at
            .get(col)
            .and_then(|&i| self.record.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn fail(&mut self, col: &str, message: String) {
        self.errors.push(RowError {
            row: self.n,
            field: Some(col.to_string()),
            message,
        });
    }

    fn required(&mut self, col: &str) -> Option<String> {
        let v = self.get(col).map(str::to_string);
        if v.is_none() {
            self.fail(col, format!("'{col}' is empty"));
        }
        v
    }

    fn parse<T, E: std::fmt::Display>(
        &mut self,
        col: &str,
        parse: impl Fn(&str) -> std::result::Result<T, E>,
    ) -> Option<T> {
        let v = self.required(col)?;
        match parse(&v) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(col, e.to_string());
                None
            }
        }
    }

    fn day(&mut self, col: &str) -> Option<Date> {
        self.parse(col, |s| {
            Date::parse(s, &time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| format!("'{s}' is not a date like 2026-01-31"))
        })
    }

    /// A decimal number of hours; its range is the record's to check (so the message says what
    /// is wrong with `-1`, not that it is no number).
    fn hours(&mut self, col: &str) -> Option<f64> {
        self.parse(col, |s| match s.parse::<f64>() {
            Ok(h) if h.is_finite() => Ok(h),
            _ => Err(format!("'{s}' is not a number of hours (e.g. 37.5)")),
        })
    }
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(bytes)
}

/// Reads every row with `row`, collecting each row's errors; the whole file or an error.
fn read_all<T>(
    bytes: &[u8],
    known: &[&str],
    required: &[&str],
    what: &str,
    mut row: impl FnMut(&mut Row<'_>) -> Option<T>,
) -> Result<Vec<T>> {
    let mut rdr = reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| Error::validation("file", format!("not a CSV file: {e}")))?
        .clone();
    if headers
        .iter()
        .all(|h| h.trim_start_matches('\u{feff}').trim().is_empty())
    {
        return Err(Error::validation(
            "file",
            format!(
                "the file is empty: a CSV of {what} starts with its header row ({})",
                required.join(", ")
            ),
        ));
    }
    let at = columns(&headers, known, required)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut bad = 0;
    let mut total = 0;
    for (i, record) in rdr.records().enumerate() {
        total += 1;
        if total > MAX_ROWS {
            return Err(Error::validation(
                "file",
                format!("more than {MAX_ROWS} rows; split the file"),
            ));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                bad += 1;
                errors.push(RowError {
                    row: i + 1,
                    field: None,
                    message: format!("not readable as CSV: {e}"),
                });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            total -= 1;
            continue;
        }
        // More cells than columns: a stray comma shifts what the row means; fewer is fine
        // (trailing optional cells left out).
        if record.len() > headers.len() {
            bad += 1;
            errors.push(RowError {
                row: i + 1,
                field: None,
                message: format!(
                    "the row has {} fields; the header has {} (a comma in a value needs quotes)",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let mut r = Row {
            n: i + 1,
            record: &record,
            at: &at,
            errors: Vec::new(),
        };
        let value = row(&mut r);
        if r.errors.is_empty()
            && let Some(v) = value
        {
            out.push(v);
        } else {
            bad += 1;
            errors.append(&mut r.errors);
        }
    }
    if total == 0 {
        return Err(Error::validation(
            "file",
            format!("the file has a header but no {what}"),
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::rows(errors, bad, total, what))
    }
}

/// What a batch of contract records gives: the optional columns a file has (a column it lacks
/// leaves the kept value alone: a file of just the required columns updates dates and hours,
/// never blanks a name), and whether its spelling of each contract number is the source's own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContractColumns {
    pub name: bool,
    pub monthly_allocation: bool,
    pub status: bool,
    /// The records spell contract numbers as the contract source does (Salesforce's
    /// `ContractNumber`): a kept contract takes that spelling. False for typed records (a CSV
    /// file): a number typed in another case (`c-100`) updates the kept contract (`C-100`,
    /// [`ContractId`]'s rule) and leaves its spelling alone.
    pub number_spelling: bool,
}

impl ContractColumns {
    /// Every column and the source's spelling: a source that always gives the whole record
    /// (Salesforce).
    pub const ALL: ContractColumns = ContractColumns {
        name: true,
        monthly_allocation: true,
        status: true,
        number_spelling: true,
    };

    /// `c` with what these records lack taken from `kept`.
    pub fn merged(&self, mut c: Contract, kept: Option<&Contract>) -> Contract {
        if let Some(k) = kept {
            if !self.number_spelling {
                c.id.clone_from(&k.id);
            }
            if !self.name {
                c.name.clone_from(&k.name);
            }
            if !self.monthly_allocation {
                c.monthly_allocation = k.monthly_allocation;
            }
            if !self.status {
                c.status.clone_from(&k.status);
            }
        }
        c
    }
}

/// The contracts of a CSV file, each validated ([`Contract::validate`]), and which optional
/// columns it has.
pub fn contracts_csv(bytes: &[u8]) -> Result<(Vec<Contract>, ContractColumns)> {
    let mut seen: HashMap<(CustomerCode, ContractId), usize> = HashMap::new();
    let mut has = ContractColumns::default();
    let contracts = read_all(bytes, &CONTRACT_COLUMNS, &CONTRACT_REQUIRED, "contracts", |r| {
        has = ContractColumns {
            name: r.at.contains_key("name"),
            monthly_allocation: r.at.contains_key("monthly_allocation"),
            status: r.at.contains_key("status"),
            number_spelling: false,
        };
        let id = r.parse("contract", |s| ContractId::parse(s));
        let customer = r.parse("customer", |s| CustomerCode::parse(s));
        let start = r.day("start");
        let end = r.day("end");
        let entitled = r.hours("entitled_hours");
        let monthly = if r.get("monthly_allocation").is_some() {
            Some(r.hours("monthly_allocation")?)
        } else {
            None
        };
        let c = Contract {
            id: id?,
            customer: customer?,
            name: r.get("name").unwrap_or_default().to_string(),
            start: start?,
            end: end?,
            entitled_hours: entitled?,
            monthly_allocation: monthly,
            status: r.get("status").unwrap_or_default().to_string(),
        };
        if let Err(Error::Validation { field, message }) = c.validate() {
            r.fail(field.as_deref().unwrap_or("contract"), message);
            return None;
        }
        if let Some(first) = seen.insert((c.customer.clone(), c.id.clone()), r.n) {
            r.fail(
                "contract",
                format!("contract {} of {} is also on row {first}", c.id, c.customer),
            );
            return None;
        }
        Some(c)
    })?;
    Ok((contracts, has))
}

/// What a worklogs file says: its worklogs, and every (person, day) it covers. An import
/// replaces the worklogs a CSV import kept for those people and days, so a corrected day is
/// imported again to correct it, and a row of 0 hours clears a person's day (nothing else has
/// 0 hours). Worklogs from JIRA are never touched by an import.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorklogsFile {
    /// Data rows read (blank lines left out).
    pub rows: usize,
    pub worklogs: Vec<Worklog>,
    pub days: std::collections::BTreeSet<(String, Date)>,
}

/// The worklogs of a CSV file, each validated ([`Worklog::validate`] as of `today`).
pub fn worklogs_csv(bytes: &[u8], today: Date) -> Result<WorklogsFile> {
    let mut occurrences: HashMap<u64, usize> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut days = std::collections::BTreeSet::new();
    let rows = read_all(bytes, &WORKLOG_COLUMNS, &WORKLOG_REQUIRED, "worklogs", |r| {
        let day = r.day("date");
        let person = r.required("person").map(|p| super::person(&p));
        let code = r.parse("task_code", |s| TaskCode::parse(s));
        let hours = r.hours("hours");
        let note = r.get("note").unwrap_or_default().to_string();
        let given = r.get("id").map(str::to_string);
        let (day, person, code, hours) = (day?, person?, code?, hours?);
        if hours == 0.0 {
            // Clears the person's day (below); validated as any row is, but for its hours.
            let probe = Worklog {
                id: String::new(),
                day,
                person: person.clone(),
                task_code: code,
                hours: 1.0,
                note: String::new(),
            };
            if let Err(Error::Validation { field, message }) = probe.validate(today) {
                r.fail(field.as_deref().unwrap_or("person"), message);
                return None;
            }
            return Some((person, day, None));
        }
        let id = match given {
            Some(id) if super::store::valid_worklog_id(&format!("csv:{id}")) => format!("csv:{id}"),
            Some(id) => {
                r.fail(
                    "id",
                    format!("'{id}' is not a usable id (at most 120 characters, no '#')"),
                );
                return None;
            }
            None => {
                let key = fnv(&[&day.to_string(), &person, code.as_str(), &hours.to_string(), &note]);
                let n = occurrences.entry(key).or_insert(0);
                *n += 1;
                format!("csv:{key:016x}-{n}")
            }
        };
        if let Some(first) = ids.insert(id.clone(), r.n) {
            r.fail("id", format!("id {id} is also on row {first}"));
            return None;
        }
        let w = Worklog {
            id,
            day,
            person,
            task_code: code,
            hours,
            note,
        };
        if let Err(Error::Validation { field, message }) = w.validate(today) {
            r.fail(field.as_deref().unwrap_or("hours"), message);
            return None;
        }
        Some((w.person.clone(), w.day, Some(w)))
    })?;
    let n = rows.len();
    let mut worklogs = Vec::with_capacity(n);
    for (person, day, w) in rows {
        days.insert((person, day));
        worklogs.extend(w);
    }
    Ok(WorklogsFile {
        rows: n,
        worklogs,
        days,
    })
}

/// FNV-1a over the fields, each followed by a unit separator.
fn fnv(fields: &[&str]) -> u64 {
    crate::ids::fnv1a(fields.iter().flat_map(|f| f.bytes().chain([0x1f])))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 30);

    fn rows(e: Error) -> Vec<(usize, Option<String>)> {
        match e {
            Error::Rows { errors, .. } => errors.into_iter().map(|e| (e.row, e.field)).collect(),
            other => panic!("not a rows error: {other:?}"),
        }
    }

    #[test]
    fn utilisation_contracts_csv_reads_any_column_order_and_optional_columns() {
        let csv = "Customer,Contract,Start,End,Entitled_Hours,Monthly_Allocation\n\
                   acme-retail,00000100,2026-01-01,2026-12-31,240,20\n\
                   globex,G-7,2026-03-01,2027-02-28,37.5,\n";
        let (got, _) = contracts_csv(csv.as_bytes()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].monthly_allocation, Some(20.0));
        assert_eq!(got[1].monthly_allocation, None);
        assert_eq!(got[1].entitled_hours, 37.5);
        assert_eq!(got[1].end, date!(2027 - 02 - 28));
    }

    #[test]
    fn utilisation_contracts_csv_names_each_bad_row_and_column_and_keeps_nothing() {
        let csv = "contract,customer,start,end,entitled_hours\n\
                   00000100,acme-retail,2026-01-01,2026-12-31,240\n\
                   00000101,Not A Code!,2026-01-01,2026-12-31,ten\n\
                   00000102,acme-retail,2026-12-31,2026-01-01,10\n\
                   00000103,acme-retail,2026-01-01,9999-12-31,10\n\
                   00000100,acme-retail,2026-01-01,2026-12-31,240\n";
        let got = rows(contracts_csv(csv.as_bytes()).unwrap_err());
        assert_eq!(
            got,
            [
                (2, Some("customer".into())),
                (2, Some("entitled_hours".into())),
                (3, Some("end".into())),
                (4, Some("end".into())),
                (5, Some("contract".into())),
            ]
        );
    }

    #[test]
    fn utilisation_csv_headers_are_checked() {
        let e = contracts_csv(b"contract,customer,start,end,entitled_hour\nx,y,z,w,v\n").unwrap_err();
        let got = rows(e);
        assert!(got.contains(&(0, Some("entitled_hour".into()))), "{got:?}");
        assert!(got.contains(&(0, Some("entitled_hours".into()))), "{got:?}");
        assert!(contracts_csv(b"contract,customer,start,end,entitled_hours\n").is_err());
        for empty in [&b""[..], b"\n", b"\xEF\xBB\xBF"] {
            let e = worklogs_csv(empty, TODAY).unwrap_err().to_string();
            assert!(e.contains("the file is empty: a CSV of worklogs"), "{empty:?}: {e}");
            let e = contracts_csv(empty).unwrap_err().to_string();
            assert!(e.contains("the file is empty: a CSV of contracts"), "{empty:?}: {e}");
        }
    }

    #[test]
    fn utilisation_worklogs_csv_ids_are_stable_and_identical_rows_stay_apart() {
        let csv = "date,person,task_code,hours,note\n\
                   2026-10-01,erin@example.com,acme-1,1.5,call\n\
                   2026-10-01,erin@example.com,ACME-1,1.5,call\n\
                   2026-10-02,sam@example.com,OPS-9,8,\n";
        let a = worklogs_csv(csv.as_bytes(), TODAY).unwrap().worklogs;
        let b = worklogs_csv(csv.as_bytes(), TODAY).unwrap().worklogs;
        assert_eq!(a, b, "the same file gives the same ids");
        assert_eq!(a.len(), 3);
        assert_ne!(a[0].id, a[1].id, "two identical entries stay two");
        assert_eq!(a[0].task_code.as_str(), "ACME-1");
        assert!(a.iter().all(|w| w.id.starts_with("csv:")));
    }

    #[test]
    fn utilisation_worklogs_csv_refuses_bad_hours_dates_and_codes() {
        let csv = "date,person,task_code,hours\n\
                   2026-10-01,erin,ACME-1,-1\n\
                   2026-13-01,erin,ACME-1,1\n\
                   2026-10-01,erin,ACME 1,1\n\
                   2026-10-01,,ACME-1,25\n";
        let got = rows(worklogs_csv(csv.as_bytes(), TODAY).unwrap_err());
        assert_eq!(
            got,
            [
                (1, Some("hours".into())),
                (2, Some("date".into())),
                (3, Some("task_code".into())),
                (4, Some("person".into())),
            ]
        );
    }

    #[test]
    fn utilisation_worklogs_csv_refuses_implausible_days_and_unprintable_people() {
        let csv = "date,person,task_code,hours,note\n\
                   9999-12-31,erin,ACME-1,1,\n\
                   0001-01-01,erin,ACME-1,1,\n\
                   2026-12-02,erin,ACME-1,1,\n\
                   2026-12-01,erin,ACME-1,1,\n\
                   2026-10-01,\"evil\u{202e}person\",ACME-1,1,\n\
                   2026-10-01,erin,ACME-1,1,\"bell\u{7}\"\n\
                   2026-10-01,erin,ACME-1,24.5,\n";
        let got = rows(worklogs_csv(csv.as_bytes(), TODAY).unwrap_err());
        assert_eq!(
            got,
            [
                (1, Some("date".into())),
                (2, Some("date".into())),
                (3, Some("date".into())),
                (5, Some("person".into())),
                (6, Some("note".into())),
                (7, Some("hours".into())),
            ],
            "tomorrow (row 4) is fine: a time zone ahead of UTC"
        );
    }

    #[test]
    fn utilisation_csv_rows_with_more_fields_than_the_header_are_refused() {
        let csv = "date,person,task_code,hours\n2026-10-01,erin,ACME-1,1,extra\n2026-10-01,erin,ACME-1,1\n";
        let got = rows(worklogs_csv(csv.as_bytes(), TODAY).unwrap_err());
        assert_eq!(got, [(1, None)]);
        // Fewer is fine: the optional note left out.
        let csv = "date,person,task_code,hours,note\n2026-10-01,erin,ACME-1,1\n";
        assert_eq!(worklogs_csv(csv.as_bytes(), TODAY).unwrap().worklogs.len(), 1);
    }

    #[test]
    fn utilisation_worklogs_csv_covers_its_people_and_days_and_zero_hours_clear_a_day() {
        let csv = "date,person,task_code,hours\n\
                   2026-10-01,Erin@Example.com,ACME-1,2\n\
                   2026-10-02,erin@example.com,ACME-1,0\n\
                   2026-10-02,Sam Jones,OPS-1,1\n";
        let f = worklogs_csv(csv.as_bytes(), TODAY).unwrap();
        assert_eq!(f.worklogs.len(), 2, "the 0-hour row writes nothing");
        assert_eq!(f.worklogs[0].person, "erin@example.com", "e-mails in lower case");
        assert_eq!(f.worklogs[1].person, "Sam Jones");
        let days: Vec<(&str, Date)> = f.days.iter().map(|(p, d)| (p.as_str(), *d)).collect();
        assert_eq!(
            days,
            [
                ("Sam Jones", date!(2026 - 10 - 02)),
                ("erin@example.com", date!(2026 - 10 - 01)),
                ("erin@example.com", date!(2026 - 10 - 02)),
            ]
        );
    }

    #[test]
    fn utilisation_contracts_csv_bounds_hours_and_says_which_columns_it_has() {
        let csv = "contract,customer,start,end,entitled_hours,monthly_allocation\n\
                   C-1,acme,2026-01-01,2026-12-31,1e300,\n\
                   C-2,acme,2026-01-01,2026-12-31,0,\n\
                   C-3,acme,2026-01-01,2026-12-31,100,200\n\
                   C-4,acme,2026-01-01,2026-12-31,-5,\n";
        let got = rows(contracts_csv(csv.as_bytes()).unwrap_err());
        assert_eq!(
            got,
            [
                (1, Some("entitled_hours".into())),
                (2, Some("entitled_hours".into())),
                (3, Some("monthly_allocation".into())),
                (4, Some("entitled_hours".into())),
            ]
        );
        let (_, has) =
            contracts_csv(b"contract,customer,start,end,entitled_hours\nC-1,acme,2026-01-01,2026-12-31,10\n").unwrap();
        assert_eq!(has, ContractColumns::default());
        let kept = Contract {
            id: ContractId::parse("C-1").unwrap(),
            customer: CustomerCode::parse("acme").unwrap(),
            name: "Managed".into(),
            start: date!(2026 - 01 - 01),
            end: date!(2026 - 12 - 31),
            entitled_hours: 10.0,
            monthly_allocation: Some(2.0),
            status: "Activated".into(),
        };
        let new = Contract {
            name: String::new(),
            monthly_allocation: None,
            status: String::new(),
            entitled_hours: 20.0,
            ..kept.clone()
        };
        let merged = has.merged(new, Some(&kept));
        assert_eq!(
            (merged.name.as_str(), merged.monthly_allocation, merged.status.as_str()),
            ("Managed", Some(2.0), "Activated")
        );
        assert_eq!(merged.entitled_hours, 20.0);
        // A number typed in another case is the kept contract, spelt as kept.
        let typed = Contract {
            id: ContractId::parse("c-1").unwrap(),
            ..kept.clone()
        };
        assert_eq!(has.merged(typed.clone(), Some(&kept)).id.as_str(), "C-1");
        assert_eq!(
            ContractColumns::ALL.merged(typed, Some(&kept)).id.as_str(),
            "c-1",
            "the source's spelling"
        );
    }

    #[test]
    fn utilisation_a_contract_number_in_two_cases_is_one_contract_in_a_file() {
        let csv = "contract,customer,start,end,entitled_hours\n\
                   C-100,acme,2026-01-01,2026-12-31,10\n\
                   c-100,acme,2026-01-01,2026-12-31,20\n";
        match contracts_csv(csv.as_bytes()).unwrap_err() {
            Error::Rows { errors, .. } => {
                assert_eq!((errors[0].row, errors[0].field.as_deref()), (2, Some("contract")));
                assert!(errors[0].message.contains("also on row 1"), "{}", errors[0].message);
            }
            other => panic!("not a rows error: {other:?}"),
        }
    }
}
