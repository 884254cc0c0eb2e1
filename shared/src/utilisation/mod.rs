//! Utilisation: what a customer's contract entitles it to (hours of the team's time over a
//! period, and often a monthly allocation) against the hours the team logged on its task codes.
//!
//! The sources (DOMAIN.md "Utilisation"): contracts from Salesforce (or a CSV import), hours from
//! JIRA worklogs (or a CSV import), each worklog carrying a task code (the issue key, or a
//! configured field) that the hub maps to a customer and contract ([`mapping`]). The answers are
//! pure functions of those facts and the day they are asked on ([`usage`]): no clock is read here,
//! so every answer is reproducible and table-tested.
//!
//! Hours are decimal hours (1.5 = 1 h 30 min), as JIRA's `timeSpentSeconds` / 3600 and the CSV's
//! `hours` column give them. Days are calendar days: a worklog's as the source dates it (JIRA's
//! `started` at its own offset, the CSV's `date`); a contract's `start` and `end` are both
//! inclusive, as Salesforce's `StartDate` and `EndDate` are.

pub mod demo;
pub mod entitlement;
pub mod import;
pub mod mapping;
pub mod portfolio;
pub mod ports;
pub mod service;
pub mod store;
pub mod usage;

use time::Date;

use crate::ids::{ContractId, CustomerCode, TaskCode};

/// A customer's contract as the contract source gives it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Contract {
    pub id: ContractId,
    pub customer: CustomerCode,
    /// What the contract is called in the source (Salesforce `Description` or `Name`).
    #[serde(default)]
    pub name: String,
    /// First day covered (inclusive).
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    /// Last day covered (inclusive).
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub end: Date,
    /// Hours the customer is entitled to over the whole period.
    pub entitled_hours: f64,
    /// Hours a month the hours are planned at, when the contract says so (e.g. 20 of 240 a year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_allocation: Option<f64>,
    /// The source's status, as it says it (Salesforce: `Draft`, `In Approval Process`,
    /// `Activated`, or an org's own values).
    #[serde(default)]
    pub status: String,
}

impl Contract {
    /// Checks what the answers rely on: `end` not before `start`, at most 10 years; hours more
    /// than 0 and at most [`MAX_ENTITLED_HOURS`], the monthly allocation no more than the whole;
    /// a name of at most 200 and a status of at most 80 characters on one line.
    pub fn validate(&self) -> crate::Result<()> {
        if self.end < self.start {
            return Err(crate::Error::validation(
                "end",
                format!("contract {}: end {} is before start {}", self.id, self.end, self.start),
            ));
        }
        if (self.end - self.start).whole_days() > MAX_CONTRACT_DAYS {
            return Err(crate::Error::validation(
                "end",
                format!(
                    "contract {}: {} to {} is longer than 10 years; give the period the contract really covers",
                    self.id, self.start, self.end
                ),
            ));
        }
        check_hours("entitled_hours", self.entitled_hours)?;
        if let Some(a) = self.monthly_allocation {
            check_hours("monthly_allocation", a)?;
            if a > self.entitled_hours {
                return Err(crate::Error::validation(
                    "monthly_allocation",
                    format!(
                        "contract {}: a monthly allocation of {a} hours is more than the {} hours entitled in all",
                        self.id, self.entitled_hours
                    ),
                ));
            }
        }
        crate::text::line("name", &self.name, 0, 200)?;
        crate::text::line("status", &self.status, 0, 80)?;
        Ok(())
    }

    /// Whether `day` is inside the contract's period.
    pub fn covers(&self, day: Date) -> bool {
        (self.start..=self.end).contains(&day)
    }
}

/// The longest contract period (10 years): an open-ended contract is given its real term, and
/// dates far in the future are typing errors.
pub const MAX_CONTRACT_DAYS: i64 = 3653;

/// The most hours one worklog may hold (a day and a night): more is a typing error in the source.
pub const MAX_WORKLOG_HOURS: f64 = 24.0;

/// One entry of a timesheet: who worked how long on which task code on which day.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Worklog {
    /// Stable across re-syncs: `jira:{worklog id}`, or `csv:{hash of the row}` for imports.
    pub id: String,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    /// Who logged it (e-mail, or the source's display name when it gives no e-mail).
    pub person: String,
    pub task_code: TaskCode,
    /// Decimal hours, more than 0 and at most [`MAX_WORKLOG_HOURS`].
    pub hours: f64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Worklog {
    /// Checks what the answers and the pages rely on: hours finite, more than 0, at most
    /// [`MAX_WORKLOG_HOURS`]; a person of 1-254 characters on one line and a note of at most
    /// 2,000, neither with control or bidirectional-override characters ([`crate::text`]); a day
    /// no later than tomorrow (a time zone ahead of UTC) and no earlier than the longest contract
    /// before `today` (a year typed as 9999 or 0001 is a typing error, not work done).
    pub fn validate(&self, today: Date) -> crate::Result<()> {
        if !(self.hours.is_finite() && self.hours > 0.0 && self.hours <= MAX_WORKLOG_HOURS) {
            return Err(crate::Error::validation(
                "hours",
                format!(
                    "{} hours: must be more than 0 and at most {MAX_WORKLOG_HOURS}",
                    self.hours
                ),
            ));
        }
        crate::text::line("person", &self.person, 1, 254)?;
        crate::text::text("note", &self.note, 0, 2000)?;
        let (first, last) = (
            today - time::Duration::days(MAX_CONTRACT_DAYS),
            today + time::Duration::days(1),
        );
        if !(first..=last).contains(&self.day) {
            return Err(crate::Error::validation(
                "date",
                format!("{}: must be between {first} and {last} (tomorrow)", self.day),
            ));
        }
        Ok(())
    }
}

/// Who logged a worklog as the answers count people: an e-mail address in lower case (JIRA and
/// spreadsheets spell the same address in different cases), anything else as given, trimmed.
pub fn person(raw: &str) -> String {
    let p = raw.trim();
    if p.contains('@') && !p.contains(char::is_whitespace) {
        p.to_lowercase()
    } else {
        p.to_string()
    }
}

/// The most hours a contract may entitle (about 48 person-years): more is a typing error.
pub const MAX_ENTITLED_HOURS: f64 = 100_000.0;

fn check_hours(field: &str, hours: f64) -> crate::Result<()> {
    if hours.is_finite() && hours > 0.0 && hours <= MAX_ENTITLED_HOURS {
        Ok(())
    } else {
        Err(crate::Error::validation(
            field,
            format!("'{field}' must be more than 0 and at most {MAX_ENTITLED_HOURS} hours (got {hours})"),
        ))
    }
}
