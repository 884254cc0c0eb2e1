//! The report's JSON snapshot: every figure the HTML and the PDF show, and nothing that
//! depends on when or by whom it was built. Same facts in, same snapshot out (sorted lists, money
//! rounded to cents, hours and ratios to fixed places), so two versions compare field by field
//! ([`super::diff`]). Who built a version, when and why is its metadata ([`super::store`]), kept
//! beside the snapshot, never in it.
//!
//! **Schema.** [`SCHEMA`] names this shape; a reader checks it before trusting the fields. Adding
//! an optional field keeps the number; renaming, removing or changing the meaning of one raises it.
//!
//! **Sections.** Each is a [`Section`]: `{"status":"ready","data":{...}}`, or
//! `{"status":"missing","reason":"no_data"|"not_configured"|"unavailable","message":"..."}` when
//! its source has nothing for the month, is not wired, or could not be read: the report says so in
//! words rather than show a zero it does not know.

use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::month::ReportMonth;
use crate::access::EndReason;
use crate::billing::AnomalyStatus;
use crate::billing::anomaly::FindingKind;
use crate::billing::lifecycle::Transition;
use crate::utilisation::usage::UsageStatus;

/// The snapshot shape's version (see the module).
pub const SCHEMA: u32 = 1;

/// One customer's report for one month.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Snapshot {
    /// [`SCHEMA`].
    pub schema: u32,
    pub customer: ReportCustomer,
    pub month: ReportMonth,
    /// The team's words for the month (markdown, as written; rendered sanitised).
    pub summary: Section<Summary>,
    pub billing: Section<BillingSection>,
    pub compliance: Section<ComplianceSection>,
    pub renewals: Section<RenewalsSection>,
    pub optimisation: Section<OptimisationSection>,
    pub utilisation: Section<UtilisationSection>,
    pub breakglass: Section<BreakglassSection>,
}

impl Snapshot {
    /// Each section's name and whether it has data, in the report's order.
    pub fn section_status(&self) -> Vec<(&'static str, bool)> {
        vec![
            ("summary", self.summary.is_ready()),
            ("billing", self.billing.is_ready()),
            ("compliance", self.compliance.is_ready()),
            ("renewals", self.renewals.is_ready()),
            ("optimisation", self.optimisation.is_ready()),
            ("utilisation", self.utilisation.is_ready()),
            ("breakglass", self.breakglass.is_ready()),
        ]
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ReportCustomer {
    #[schema(value_type = String)]
    pub code: crate::ids::CustomerCode,
    pub name: String,
}

/// A section's data, or why there is none.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Section<T> {
    Ready { data: T },
    Missing { reason: MissingReason, message: String },
}

impl<T> Section<T> {
    pub fn ready(data: T) -> Self {
        Section::Ready { data }
    }

    /// A section without data, `message` (what the customer reads) made a sentence
    /// ([`sentence`]).
    pub fn missing(reason: MissingReason, message: impl Into<String>) -> Self {
        Section::Missing {
            reason,
            message: sentence(&message.into()),
        }
    }

    pub fn is_ready(&self) -> bool {
        matches!(self, Section::Ready { .. })
    }

    pub fn data(&self) -> Option<&T> {
        match self {
            Section::Ready { data } => Some(data),
            Section::Missing { .. } => None,
        }
    }
}

/// `message` as a sentence: trimmed, the first letter capitalised, ending in `.`, `!` or `?` (a
/// `.` added otherwise); empty stays empty. A missing section shows its label ("No data yet.")
/// then its message, so a source's reason worded as a clause ("the customer has no accounts in
/// the hub") must read as the next sentence; made here, once, it is the same in the snapshot, the
/// page and the PDF.
pub fn sentence(message: &str) -> String {
    let m = message.trim();
    let mut chars = m.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Why a section has no data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingReason {
    /// The source is there but holds nothing for the month (no costs fetched, no contract, no
    /// summary written).
    NoData,
    /// No source is wired for the section (e.g. no compliance adapter configured).
    NotConfigured,
    /// The source failed when the report was built (the message says how); a rebuild tries again.
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Summary {
    /// Markdown, at most 20,000 characters, line breaks as `\n`.
    pub markdown: String,
}

// ---- billing -------------------------------------------------------------------------------------

/// The month's costs, per billing currency (never converted), and its cost anomalies.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct BillingSection {
    /// Largest total first (equal totals by currency code).
    pub currencies: Vec<CurrencyBilling>,
    /// Anomalies detected in the month (by detection day, then id), with what was done about them.
    pub anomalies: Vec<ReportAnomaly>,
    /// Days of the month with at least one stored cost (0 to the month's length).
    pub days_with_data: u32,
}

/// One currency's figures. Amounts in currency units (not cents), rounded to cents.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct CurrencyBilling {
    /// ISO 4217.
    pub currency: String,
    pub total: f64,
    /// The previous month's total in this currency; absent when no cost at all is stored for the
    /// previous month (nothing to compare with).
    pub previous_total: Option<f64>,
    /// `total - previous_total`.
    pub change: Option<f64>,
    /// `change / previous_total` (0.25 = +25 %), 4 decimals; absent when the previous total is 0
    /// or absent.
    pub change_ratio: Option<f64>,
    /// Cost Explorer still estimates some of the month's days (it may revise them).
    pub estimated: bool,
    /// Every account with spend, largest first (equal amounts by account id).
    pub by_account: Vec<AccountCost>,
    /// The [`TOP_SERVICES`] largest services (equal amounts by name).
    pub top_services: Vec<ServiceCost>,
    /// The services past the top, summed; absent when there are none.
    pub other_services: Option<OtherServices>,
    /// Every day of the month, in order; days without a stored cost are 0.
    pub daily: Vec<DayCost>,
}

/// How many services the billing section names; the rest are summed.
pub const TOP_SERVICES: usize = 10;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct AccountCost {
    /// 12 digits.
    pub account: String,
    /// The account's name in the hub; absent for an account only in the cost data.
    pub name: Option<String>,
    pub amount: f64,
    /// Of the currency's total, 4 decimals.
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ServiceCost {
    /// As Cost Explorer names it.
    pub service: String,
    pub amount: f64,
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct OtherServices {
    pub services: u32,
    pub amount: f64,
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct DayCost {
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    pub amount: f64,
    pub estimated: bool,
}

/// A cost anomaly as the report shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ReportAnomaly {
    pub id: String,
    pub account: String,
    pub account_name: Option<String>,
    pub service: String,
    pub kind: FindingKind,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub first_day: Date,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub detected_on: Date,
    /// Expected and actual spend on the detection day, and the money above expected over the
    /// episode, in `currency`, rounded to cents.
    pub expected: f64,
    pub actual: f64,
    pub impact: f64,
    pub currency: String,
    /// As of the build (an anomaly of the month may have been resolved since).
    pub status: AnomalyStatus,
    pub acknowledged: Option<Transition>,
    pub resolved: Option<Transition>,
}

// ---- compliance ----------------------------------------------------------------------------------

/// ASFF `Severity.Label`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeverityLabel {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl SeverityLabel {
    /// Most severe first.
    pub const ALL: [SeverityLabel; 5] = [
        SeverityLabel::Critical,
        SeverityLabel::High,
        SeverityLabel::Medium,
        SeverityLabel::Low,
        SeverityLabel::Informational,
    ];

    /// The label of an ASFF `Severity.Normalized` score (0-100), by ASFF's table: 0
    /// informational, 1-39 low, 40-69 medium, 70-89 high, 90-100 critical (above 100: critical).
    /// For findings that give only the older score.
    pub fn of_normalized(score: u8) -> SeverityLabel {
        match score {
            0 => SeverityLabel::Informational,
            1..=39 => SeverityLabel::Low,
            40..=69 => SeverityLabel::Medium,
            70..=89 => SeverityLabel::High,
            _ => SeverityLabel::Critical,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLabel::Informational => "INFORMATIONAL",
            SeverityLabel::Low => "LOW",
            SeverityLabel::Medium => "MEDIUM",
            SeverityLabel::High => "HIGH",
            SeverityLabel::Critical => "CRITICAL",
        }
    }
}

/// ASFF `Compliance.Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceStatus {
    Passed,
    Warning,
    Failed,
    NotAvailable,
}

/// ASFF `Workflow.Status`: where the investigation of a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowStatus {
    New,
    Notified,
    /// Reviewed and remediated (Security Hub also sets it when a control check passes).
    Resolved,
    /// Reviewed and not to be acted on (such findings are not read at all).
    Suppressed,
}

/// One finding, in the terms of the AWS Security Finding Format (Security Hub `GetFindings`, or
/// an imported ASFF export).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ComplianceFinding {
    /// ASFF `Id`.
    pub id: String,
    /// ASFF `AwsAccountId`.
    pub account: String,
    /// ASFF `Region`.
    pub region: Option<String>,
    /// ASFF `Title`.
    pub title: String,
    /// ASFF `Severity.Label`.
    pub severity: SeverityLabel,
    /// ASFF `Compliance.Status` (control checks only).
    pub compliance_status: Option<ComplianceStatus>,
    /// ASFF `Compliance.SecurityControlId` (e.g. `S3.8`), control checks only.
    pub control_id: Option<String>,
    /// ASFF `ProductName` (e.g. `Security Hub`, `GuardDuty`, `Inspector`).
    pub product: String,
    /// ASFF `Workflow.Status`, when the finding has one (absent in imports stored before it was
    /// kept: those count as open, as they did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_status: Option<WorkflowStatus>,
}

impl ComplianceFinding {
    /// Whether the finding is open, the one rule for every count of open findings (the report's
    /// compliance section and an import's answer): open unless its control check passed
    /// (`Compliance.Status` `PASSED`) or it was resolved (`Workflow.Status` `RESOLVED`), as
    /// Security Hub's own default view shows only findings still to act on. Archived and
    /// suppressed findings are never read, so they need no rule here.
    pub fn is_open(&self) -> bool {
        self.compliance_status != Some(ComplianceStatus::Passed)
            && self.workflow_status != Some(WorkflowStatus::Resolved)
    }
}

/// Open findings ([`ComplianceFinding::is_open`]) per severity: one entry per ASFF severity, most
/// severe first, zeros included. Returns the number open and the counts.
pub fn open_by_severity(findings: &[ComplianceFinding]) -> (u32, Vec<SeverityCount>) {
    let open: Vec<&ComplianceFinding> = findings.iter().filter(|f| f.is_open()).collect();
    let counts = SeverityLabel::ALL
        .iter()
        .map(|s| SeverityCount {
            severity: *s,
            findings: open.iter().filter(|f| f.severity == *s).count() as u32,
        })
        .collect();
    (open.len() as u32, counts)
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ComplianceSection {
    /// Where the findings came from (e.g. `Security Hub`).
    pub source: String,
    /// Open findings: every one but those whose control check passed or that were resolved
    /// (`ComplianceFinding::is_open`).
    pub open_findings: u32,
    /// One entry per ASFF severity, most severe first (zeros included).
    pub by_severity: Vec<SeverityCount>,
    /// The controls with the most failed checks (at most [`TOP_CONTROLS`]; equal counts by the most
    /// severe, then control id).
    pub failing_controls: Vec<FailingControl>,
}

/// How many failing controls the compliance section names.
pub const TOP_CONTROLS: usize = 10;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct SeverityCount {
    pub severity: SeverityLabel,
    pub findings: u32,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct FailingControl {
    pub control_id: String,
    /// The title of its first failed finding (by id).
    pub title: String,
    pub severity: SeverityLabel,
    pub failed: u32,
    /// Accounts with a failed check of it.
    pub accounts: u32,
}

// ---- renewals ------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentKind {
    /// `savingsplans:DescribeSavingsPlans`.
    SavingsPlan,
    /// `ec2:DescribeReservedInstances`.
    Ec2ReservedInstances,
    /// `rds:DescribeReservedDBInstances`.
    RdsReservedInstances,
}

/// A commitment that ends: a Savings Plan or a reservation, as its describe call gives it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Commitment {
    pub kind: CommitmentKind,
    /// `savingsPlanId`, `ReservedInstancesId`, `ReservedDBInstanceId`.
    pub id: String,
    pub account: String,
    pub region: Option<String>,
    /// What is reserved, in words (`Compute Savings Plan`, `m5.large × 4 Linux/UNIX`,
    /// `db.r6g.large postgres Multi-AZ`).
    pub description: String,
    /// Instances reserved (reservations only).
    pub count: Option<u32>,
    /// `end` (Savings Plans), `End` (EC2), `StartTime + Duration` (RDS).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: OffsetDateTime,
    /// `state` / `State` as the API says it (`active`, `retired`, ...).
    pub state: String,
    /// The Savings Plan's hourly commitment, or the reservation's recurring hourly charge.
    pub hourly_commitment: Option<f64>,
    /// `paymentOption` / `OfferingType` (`No Upfront`, `All Upfront`, ...).
    pub payment_option: Option<String>,
    pub currency: Option<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct RenewalsSection {
    /// The window: commitments ending after the month's last day and at most
    /// [`RENEWAL_WINDOW_DAYS`] days after it.
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub window_from: Date,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub window_to: Date,
    /// Soonest first (then kind, then id).
    pub ending: Vec<Commitment>,
}

/// How far ahead the renewals section looks (DOMAIN.md / issue: 90 days).
pub const RENEWAL_WINDOW_DAYS: i64 = 90;

// ---- cost optimisation ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationKind {
    /// CE `GetRightsizingRecommendation`, `RightsizingType: MODIFY`.
    RightsizingModify,
    /// CE `GetRightsizingRecommendation`, `RightsizingType: TERMINATE`.
    RightsizingTerminate,
    /// CE `GetSavingsPlansPurchaseRecommendation`.
    SavingsPlansPurchase,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Recommendation {
    pub kind: RecommendationKind,
    pub account: Option<String>,
    /// The instance id (rightsizing), absent for a purchase.
    pub resource: Option<String>,
    /// What to do, in words (`m5.2xlarge → m5.xlarge`, `Compute Savings Plan, 1 year, No Upfront,
    /// 2.50/hour`).
    pub description: String,
    /// `EstimatedMonthlySavings`, in `currency`.
    pub estimated_monthly_savings: f64,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct OptimisationSection {
    /// Largest saving first (then kind, account, resource), at most [`TOP_RECOMMENDATIONS`].
    pub recommendations: Vec<Recommendation>,
    /// Recommendations past the top, not listed.
    pub more: u32,
    /// The estimated monthly savings of every recommendation, per currency (by code).
    pub total_monthly_savings: Vec<Money>,
}

/// How many recommendations the section lists.
pub const TOP_RECOMMENDATIONS: usize = 20;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

// ---- utilisation ---------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct UtilisationSection {
    /// The contracts whose period overlaps the month, by start then id.
    pub contracts: Vec<ReportContract>,
}

/// A contract as of the month's last day (or its own end, if earlier). Decimal hours, 2 places.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ReportContract {
    pub id: String,
    pub name: String,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub end: Date,
    pub status: UsageStatus,
    pub entitled_hours: f64,
    /// Used from the period's start to the month's last day.
    pub used_hours: f64,
    pub left_hours: f64,
    /// Logged in the report's month.
    pub month_hours: f64,
    /// The month's allocation (prorated when the contract covers the month only partly).
    pub month_allocation: Option<f64>,
    pub month_exceeded: bool,
    /// Each month of the period up to the report's, oldest first.
    pub months: Vec<MonthHours>,
    /// The allocation was exceeded in 3 of the last 4 complete months (see utilisation).
    pub consistently_exceeded: bool,
    /// Hours used by the period's end at the recent pace.
    pub forecast_hours: f64,
    #[serde(default, with = "crate::utilisation::usage::opt_day")]
    #[schema(value_type = Option<String>, format = Date)]
    pub runs_out_on: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct MonthHours {
    pub month: ReportMonth,
    pub hours: f64,
    pub allocation: Option<f64>,
    pub exceeded: bool,
}

// ---- breakglass ----------------------------------------------------------------------------------

/// Breakglass (write) access granted to the customer's accounts in the month.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct BreakglassSection {
    /// Sessions granted in the month, by grant time then request id.
    pub sessions: Vec<ReportSession>,
    /// Minutes over every session.
    pub total_minutes: u64,
    /// Per person (most minutes first, then name).
    pub by_person: Vec<SessionTotal>,
    /// Per account (most minutes first, then id).
    pub by_account: Vec<SessionTotal>,
}

/// One grant: who, on which account and role, from when to when, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ReportSession {
    pub request_id: String,
    pub requester: String,
    pub account: String,
    pub account_name: String,
    /// The role's name (or the SSO permission set's).
    pub role: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub granted_at: OffsetDateTime,
    /// When it ended; absent while it is still active (then `minutes` counts to its planned end).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<OffsetDateTime>,
    pub end_reason: Option<EndReason>,
    /// Whole minutes from the grant to its end (rounded up).
    pub minutes: u64,
    pub ticket: Option<String>,
    pub justification: String,
    /// Who approved it, in decision order.
    pub approvers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct SessionTotal {
    /// The person's e-mail, or the account id.
    pub key: String,
    /// The account's name (per account only).
    pub name: Option<String>,
    pub sessions: u32,
    pub minutes: u64,
}

// ---- rounding ------------------------------------------------------------------------------------

fn round_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    let r = (x * f).round() / f;
    // Never -0.0: it would print as "-0.00" and differ from 0.0 in a diff.
    if r == 0.0 || !r.is_finite() { 0.0 } else { r }
}

/// Money in currency units, to cents.
pub fn cents(x: f64) -> f64 {
    round_to(x, 2)
}

/// Decimal hours, to 2 places.
pub fn hours(x: f64) -> f64 {
    round_to(x, 2)
}

/// Ratios and shares, to 4 places.
pub fn ratio(x: f64) -> f64 {
    round_to(x, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_scores_map_to_asff_labels_at_each_bound() {
        let labels: Vec<(u8, SeverityLabel)> = [0, 1, 39, 40, 69, 70, 89, 90, 100, 255]
            .into_iter()
            .map(|n| (n, SeverityLabel::of_normalized(n)))
            .collect();
        use SeverityLabel::*;
        assert_eq!(
            labels,
            vec![
                (0, Informational),
                (1, Low),
                (39, Low),
                (40, Medium),
                (69, Medium),
                (70, High),
                (89, High),
                (90, Critical),
                (100, Critical),
                (255, Critical)
            ]
        );
    }

    #[test]
    fn rounding_is_fixed_and_never_negative_zero() {
        assert_eq!(cents(1.005_000_1), 1.01);
        assert_eq!(cents(-0.001), 0.0);
        assert!(cents(-0.001).is_sign_positive());
        assert_eq!(ratio(0.123_456), 0.1235);
        assert_eq!(hours(f64::NAN), 0.0);
    }

    #[test]
    fn a_missing_sections_message_is_made_a_sentence() {
        for (given, sentence_) in [
            (
                "the customer has no accounts in the hub",
                "The customer has no accounts in the hub.",
            ),
            (
                "  throttled (Throttling); try later  ",
                "Throttled (Throttling); try later.",
            ),
            ("Already one.", "Already one."),
            ("Is it?", "Is it?"),
            ("élan", "Élan."),
            ("", ""),
        ] {
            assert_eq!(sentence(given), sentence_, "{given:?}");
        }
    }

    #[test]
    fn sections_read_as_ready_or_missing_with_a_reason() {
        let s: Section<Summary> = Section::ready(Summary { markdown: "Hi".into() });
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            serde_json::json!({"status": "ready", "data": {"markdown": "Hi"}})
        );
        let m: Section<Summary> = Section::missing(MissingReason::NotConfigured, "no source");
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            serde_json::json!({"status": "missing", "reason": "not_configured", "message": "No source."}),
            "the message is stored as the sentence the page shows"
        );
        assert_eq!(
            serde_json::from_value::<Section<Summary>>(serde_json::to_value(&m).unwrap()).unwrap(),
            m
        );
    }
}
