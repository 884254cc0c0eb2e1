//! Monthly reports (issue #15): per customer and month, one document that says what the team did
//! and what the customer's AWS estate cost and looked like, built on a schedule and on demand.
//!
//! Why it is shaped so:
//! - **A snapshot first** ([`snapshot`]): the report is data before it is a page. The JSON snapshot
//!   holds every figure; the HTML ([`html`]) and the PDF (a [`ports::Renderer`], `cc-report-pdf`) are drawn from
//!   it and nothing else, so what a customer reads is what the JSON says, and two versions compare
//!   by their JSON ([`diff`]).
//! - **Honest gaps**: a section whose source has nothing, is not wired or failed says so
//!   ([`snapshot::Section::Missing`]) instead of showing zeros it does not know.
//! - **Facts, then rules**: [`gather`] reads what the product stores (billing's costs and
//!   anomalies, utilisation's contracts and worklogs, breakglass's requests) and asks the ports
//!   ([`ports`]: compliance, renewals, optimisation); [`sections`] turns facts into sections with
//!   pure functions. No clock is read while building the snapshot: the build's time and author are
//!   metadata ([`BuildInfo`], [`store::ReportVersion`]), outside it.
//! - **Versions are kept**: outputs go to the object store under a stable key per customer and
//!   month (every object version kept), each version's metadata to the item store with a
//!   conditional create ([`store`]); rebuilding adds a version and never removes one.

pub mod demo;
pub mod diff;
pub mod findings;
pub mod gather;
pub mod html;
pub mod markdown;
pub mod month;
pub mod ports;
pub mod sections;
pub mod service;
pub mod snapshot;
pub mod sources_demo;
pub mod store;

pub use month::ReportMonth;
pub use ports::ReportPorts;
pub use service::Reports;
pub use snapshot::Snapshot;

use time::OffsetDateTime;

/// Who started a build: the monthly schedule, or a person on demand.
// `ReportTrigger` in the API's documents: `Trigger` there is who started a job's run
// (`crate::trigger::Trigger`, which the run records share), a different schema.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[schema(as = ReportTrigger)]
pub enum Trigger {
    /// The `reports.monthly` job.
    Schedule,
    /// A person, on demand.
    Person { email: String },
}

/// A build's metadata, which the rendered outputs show (the HTML's footer) but the snapshot does
/// not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildInfo {
    pub version: u32,
    pub built_at: OffsetDateTime,
    pub trigger: Trigger,
    pub reason: String,
}

#[cfg(test)]
mod tests;
