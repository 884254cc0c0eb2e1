//! The outside systems utilisation reads: a contract source (Salesforce; the CSV import is the
//! fallback) and a timesheet source (JIRA Cloud worklogs; likewise a CSV import). Each has a real
//! adapter (`cc-adapters`, features `salesforce` and `jira`, tested against a local HTTP server
//! that speaks the wire format) and an embedded one for the local default.
//!
//! A record the source returns that cannot be read (a missing field, a date that is not a date) is
//! reported as [`Rejected`] with its id and the reason and skipped: one bad record never stops a
//! sync, and nothing else is lost.

use time::OffsetDateTime;

use super::{Contract, Worklog};
use crate::error::Result;

/// A record of the source that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Rejected {
    /// The source's id of the record (Salesforce `Id`, JIRA worklog id), or its position.
    pub id: String,
    /// What was wrong, naming the field.
    pub reason: String,
}

/// Every contract the source has, read in full on each sync (contracts are few: hundreds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContractBatch {
    pub contracts: Vec<Contract>,
    pub rejected: Vec<Rejected>,
    /// HTTP requests made (token, query pages, retries), for the sync summary.
    pub requests: u32,
}

/// What changed in the timesheets since a point in time.
#[derive(Clone, Debug, PartialEq)]
pub struct WorklogChanges {
    /// Worklogs created or edited since then (an edit replaces the one kept, by id).
    pub updated: Vec<Worklog>,
    /// Ids ([`Worklog::id`]) of worklogs deleted since then.
    pub deleted: Vec<String>,
    pub rejected: Vec<Rejected>,
    /// Where the next sync starts: the source's own high-water mark (JIRA's `until`), so that an
    /// entry written while this sync ran is read next time, not lost.
    pub until: OffsetDateTime,
    pub requests: u32,
}

/// Contracts from the contract source of record.
#[async_trait::async_trait]
pub trait ContractSource: Send + Sync {
    /// Every contract (all pages). A failure of the source as a whole (unreachable, refused
    /// credentials after a token refresh, throttled beyond the retries) is an error; a bad record
    /// is a [`Rejected`] entry.
    async fn contracts(&self) -> Result<ContractBatch>;
}

/// Worklogs from the timesheet system.
#[async_trait::async_trait]
pub trait TimesheetSource: Send + Sync {
    /// Worklogs created, edited or deleted since `since` (all pages).
    async fn changes_since(&self, since: OffsetDateTime) -> Result<WorklogChanges>;
}
