//! What a report reads from outside the product's own store, and renders with: small ports, each
//! shaped after the AWS API an adapter will call, so an adapter only translates.
//!
//! | port | AWS source (later adapters) | section |
//! |---|---|---|
//! | [`ComplianceSource`] | Security Hub `GetFindings` through the customer's read role, or an imported ASFF export | compliance |
//! | [`RenewalSource`] | `savingsplans:DescribeSavingsPlans`, `ec2:DescribeReservedInstances`, `rds:DescribeReservedDBInstances` | renewals |
//! | [`OptimisationSource`] | Cost Explorer `GetRightsizingRecommendation`, `GetSavingsPlansPurchaseRecommendation` | cost optimisation |
//! | [`Renderer`] | (in process: the PDF, Typst in `cc-report-pdf`) | one more output format |
//!
//! Until an adapter is wired, [`NotConfigured`] answers for a source, and its section says "not
//! configured" in the report instead of inventing an empty list. A source that fails answers
//! [`SourceError::Unavailable`]: the report is still built, the section says why it is missing,
//! and a rebuild tries again.

use std::sync::Arc;

use async_trait::async_trait;

use super::month::ReportMonth;
use super::snapshot::{Commitment, ComplianceFinding, Recommendation, Snapshot};
use crate::hub::{Account, Customer};

/// What a source is asked about: one customer, its accounts in the hub, one month.
#[derive(Clone, Copy, Debug)]
pub struct ReportScope<'a> {
    pub customer: &'a Customer,
    /// The customer's accounts, by id.
    pub accounts: &'a [Account],
    pub month: ReportMonth,
}

/// Why a source gave nothing. The message becomes the missing section's text in the report the
/// customer reads ([`super::snapshot::Section::missing`] makes it a sentence): it says what is
/// missing and why in the customer's terms, never how the team fixes it (no commands, routes,
/// cargo features or environment variables; those belong in the README and the logs).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// No adapter is wired for it (the message says what the report does not hold).
    #[error("{0}")]
    NotConfigured(String),
    /// It failed (throttled, access denied, malformed answer): in words for the report, no secrets.
    #[error("{0}")]
    Unavailable(String),
    /// Nothing to read for this customer (no read role and no imported export): the message says
    /// what was not available.
    #[error("{0}")]
    NoData(String),
}

/// Findings and where they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Findings {
    /// Shown as the section's source (`Security Hub (eu-west-1, account 111111111111)`).
    pub source: String,
    pub findings: Vec<ComplianceFinding>,
}

/// Security findings of the customer's accounts (ASFF shape, [`ComplianceFinding`]): those active
/// when asked (`RecordState` `ACTIVE`, `Workflow.Status` not `SUPPRESSED`). Asked only for a
/// customer with an account reached through a read role; the others' reports use their latest
/// imported export ([`super::findings`]).
#[async_trait]
pub trait ComplianceSource: Send + Sync {
    async fn findings(&self, scope: &ReportScope<'_>) -> Result<Findings, SourceError>;
}

/// Savings Plans and reserved instances of the customer's accounts, active at the end of the
/// month (the report keeps those ending within the window, [`super::snapshot::RENEWAL_WINDOW_DAYS`]).
#[async_trait]
pub trait RenewalSource: Send + Sync {
    async fn commitments(&self, scope: &ReportScope<'_>) -> Result<Vec<Commitment>, SourceError>;
}

/// Cost Explorer's rightsizing and Savings Plans purchase recommendations for the customer's
/// management (payer) account, with their estimated monthly savings.
#[async_trait]
pub trait OptimisationSource: Send + Sync {
    async fn recommendations(&self, scope: &ReportScope<'_>) -> Result<Vec<Recommendation>, SourceError>;
}

/// A report output besides the built-in HTML and JSON (the PDF). Pure and CPU-bound: the
/// service runs it on the blocking pool. `render` gets the snapshot and the build's metadata (the
/// HTML shows both; a renderer must not read the clock or anything else).
pub trait Renderer: Send + Sync {
    /// The `format` query value and file extension (`pdf`).
    fn format(&self) -> &'static str;
    fn content_type(&self) -> &'static str;
    fn render(&self, snapshot: &Snapshot, build: &super::BuildInfo) -> anyhow::Result<Vec<u8>>;
}

/// The outside systems a report reads, and the extra renderers.
#[derive(Clone)]
pub struct ReportPorts {
    pub compliance: Arc<dyn ComplianceSource>,
    pub renewals: Arc<dyn RenewalSource>,
    pub optimisation: Arc<dyn OptimisationSource>,
    /// Extra outputs rendered during the build (the PDF on the embedded default,
    /// `cc_adapters::wire`), and by [`super::Reports::render_pending`].
    pub renderers: Vec<Arc<dyn Renderer>>,
    /// Formats another process renders after the build (in AWS the PDF: the `report-pdf` function,
    /// so that Typst's size stays out of `report-build` and `jobs`). A new version lists them as
    /// [`super::store::PendingOutput`]s.
    pub deferred: Vec<&'static str>,
}

impl ReportPorts {
    /// Every source "not configured", no extra renderer (the wiring adds the PDF's).
    pub fn unconfigured() -> Self {
        ReportPorts {
            compliance: Arc::new(NotConfigured),
            renewals: Arc::new(NotConfigured),
            optimisation: Arc::new(NotConfigured),
            renderers: Vec::new(),
            deferred: Vec::new(),
        }
    }
}

/// What [`NotConfigured`] answers for compliance, renewals and optimisation (customer-facing).
pub const NOT_CONFIGURED: [&str; 3] = [
    "Security findings are not part of this report yet.",
    "Savings Plans and reservations are not part of this report yet.",
    "Cost optimisation recommendations are not part of this report yet.",
];

/// The stand-in for every source until its adapter exists: each call answers
/// [`SourceError::NotConfigured`] naming what the report does not hold ([`NOT_CONFIGURED`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct NotConfigured;

#[async_trait]
impl ComplianceSource for NotConfigured {
    async fn findings(&self, _: &ReportScope<'_>) -> Result<Findings, SourceError> {
        Err(SourceError::NotConfigured(NOT_CONFIGURED[0].into()))
    }
}

#[async_trait]
impl RenewalSource for NotConfigured {
    async fn commitments(&self, _: &ReportScope<'_>) -> Result<Vec<Commitment>, SourceError> {
        Err(SourceError::NotConfigured(NOT_CONFIGURED[1].into()))
    }
}

#[async_trait]
impl OptimisationSource for NotConfigured {
    async fn recommendations(&self, _: &ReportScope<'_>) -> Result<Vec<Recommendation>, SourceError> {
        Err(SourceError::NotConfigured(NOT_CONFIGURED[2].into()))
    }
}
