//! The generated report sources' data (the embedded default's stand-ins for Security Hub, Savings
//! Plans and reservations, and Cost Explorer's recommendations; the demo's imported findings).
//!
//! **Deterministic.** Every value is a function of the account id, the report month and a fixed
//! catalogue (an FNV-1a hash with a splitmix64 finaliser, as the local billing sources use): the
//! same month built twice gives the same sections, so two versions compare cleanly, and tests can
//! count on the numbers.

use time::{Duration, Time};

use super::month::ReportMonth;
use super::snapshot::{
    Commitment, CommitmentKind, ComplianceFinding, ComplianceStatus, Recommendation, RecommendationKind, SeverityLabel,
    WorkflowStatus,
};
use crate::hub::Account;

/// FNV-1a over the parts, then a splitmix64 finaliser: a well-spread 64-bit value per key.
pub fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let mut z = h.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The controls the local Security Hub checks: (control id, title, severity).
pub const CONTROLS: &[(&str, &str, SeverityLabel)] = &[
    (
        "S3.8",
        "S3 general purpose buckets should block public access",
        SeverityLabel::High,
    ),
    (
        "IAM.6",
        "Hardware MFA should be enabled for the root user",
        SeverityLabel::Critical,
    ),
    (
        "EC2.19",
        "Security groups should not allow unrestricted access to ports with high risk",
        SeverityLabel::Critical,
    ),
    (
        "CloudTrail.1",
        "CloudTrail should be enabled and configured with at least one multi-Region trail",
        SeverityLabel::High,
    ),
    (
        "RDS.3",
        "RDS DB instances should have encryption at-rest enabled",
        SeverityLabel::Medium,
    ),
    (
        "EC2.8",
        "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
        SeverityLabel::High,
    ),
    ("KMS.4", "AWS KMS key rotation should be enabled", SeverityLabel::Medium),
    (
        "Config.1",
        "AWS Config should be enabled and use the service-linked role",
        SeverityLabel::Medium,
    ),
    (
        "S3.5",
        "S3 general purpose buckets should require requests to use SSL",
        SeverityLabel::Medium,
    ),
    (
        "IAM.3",
        "IAM users' access keys should be rotated every 90 days or less",
        SeverityLabel::Medium,
    ),
    (
        "EC2.2",
        "VPC default security groups should not allow inbound or outbound traffic",
        SeverityLabel::High,
    ),
    (
        "Lambda.2",
        "Lambda functions should use supported runtimes",
        SeverityLabel::Medium,
    ),
    (
        "SSM.1",
        "EC2 instances should be managed by AWS Systems Manager",
        SeverityLabel::Medium,
    ),
    (
        "ELB.1",
        "Application Load Balancer should be configured to redirect all HTTP requests to HTTPS",
        SeverityLabel::Medium,
    ),
];

/// Security Hub's findings of `accounts` for `month`, generated: per account and control, a
/// control check that fails for about a third of the pairs (one to three resources each) and passes
/// otherwise, plus a GuardDuty finding for one account in four. By id.
pub fn findings(accounts: &[Account], month: ReportMonth) -> Vec<ComplianceFinding> {
    let month = month.to_string();
    let mut out = Vec::new();
    for a in accounts {
        let id = a.id.as_str();
        let region = a.region.as_str();
        for (control, title, severity) in CONTROLS {
            let h = hash(&[id, control, &month]);
            let failed = h.is_multiple_of(3);
            let resources = if failed { 1 + (h >> 8) % 3 } else { 1 };
            for r in 0..resources {
                out.push(ComplianceFinding {
                    id: format!(
                        "arn:aws:securityhub:{region}:{id}:security-control/{control}/finding/local-{:08x}-{r}",
                        h as u32
                    ),
                    account: id.to_string(),
                    region: Some(region.to_string()),
                    title: (*title).to_string(),
                    severity: *severity,
                    compliance_status: Some(if failed {
                        ComplianceStatus::Failed
                    } else {
                        ComplianceStatus::Passed
                    }),
                    control_id: Some((*control).to_string()),
                    product: "Security Hub".into(),
                    // Security Hub resolves a control finding whose check passes.
                    workflow_status: Some(if failed {
                        WorkflowStatus::New
                    } else {
                        WorkflowStatus::Resolved
                    }),
                });
            }
        }
        let h = hash(&[id, "guardduty", &month]);
        if h.is_multiple_of(4) {
            out.push(ComplianceFinding {
                id: format!("arn:aws:guardduty:{region}:{id}:detector/local/finding/{:016x}", h),
                account: id.to_string(),
                region: Some(region.to_string()),
                title: "Unusual API calls from a Tor exit node were observed".into(),
                severity: SeverityLabel::Medium,
                compliance_status: None,
                control_id: None,
                product: "GuardDuty".into(),
                workflow_status: Some(WorkflowStatus::New),
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Savings Plans and reservations of `accounts`, generated: per account an EC2 reservation and,
/// for the management account, a Compute Savings Plan; an RDS reservation for one account in two.
/// End dates fall between 10 and 150 days after the month's end, so some are within the window.
pub fn commitments(accounts: &[Account], month: ReportMonth) -> Vec<Commitment> {
    let label = month.to_string();
    let end = month.last_day().with_time(Time::MIDNIGHT).assume_utc();
    let ends = |h: u64| end + Duration::days(10 + (h % 141) as i64);
    let mut out = Vec::new();
    for a in accounts {
        let id = a.id.as_str();
        let region = a.region.as_str().to_string();
        let h = hash(&[id, "ec2-ri", &label]);
        let types = ["m6i.large", "c6g.xlarge", "r6i.2xlarge", "t3.medium"];
        let count = 1 + (h >> 16) % 6;
        out.push(Commitment {
            kind: CommitmentKind::Ec2ReservedInstances,
            id: format!(
                "{:08x}-{:04x}-4000-8000-{:012x}",
                h as u32,
                (h >> 32) as u16,
                h >> 16 & 0xffff_ffff_ffff
            ),
            account: id.to_string(),
            region: Some(region.clone()),
            description: format!("{} × {count} Linux/UNIX", types[(h % 4) as usize]),
            count: Some(count as u32),
            ends_at: ends(h >> 4),
            state: "active".into(),
            hourly_commitment: Some(count as f64 * 0.045),
            payment_option: Some("No Upfront".into()),
            currency: Some("USD".into()),
        });
        let h = hash(&[id, "rds-ri", &label]);
        if h.is_multiple_of(2) {
            out.push(Commitment {
                kind: CommitmentKind::RdsReservedInstances,
                id: format!("ri-{}-{:06x}", month, h & 0xff_ffff),
                account: id.to_string(),
                region: Some(region.clone()),
                description: "db.r6g.large × 1 postgresql Multi-AZ".into(),
                count: Some(1),
                ends_at: ends(h >> 4),
                state: "active".into(),
                hourly_commitment: Some(0.216),
                payment_option: Some("Partial Upfront".into()),
                currency: Some("USD".into()),
            });
        }
        if a.management_account {
            let h = hash(&[id, "savings-plan", &label]);
            out.push(Commitment {
                kind: CommitmentKind::SavingsPlan,
                id: format!(
                    "{:08x}-{:04x}-4000-9000-{:012x}",
                    h as u32,
                    (h >> 32) as u16,
                    h >> 16 & 0xffff_ffff_ffff
                ),
                account: id.to_string(),
                region: None,
                description: "Compute Savings Plan".into(),
                count: None,
                ends_at: ends(h >> 4),
                state: "active".into(),
                hourly_commitment: Some(2.5 + (h % 5) as f64),
                payment_option: Some("No Upfront".into()),
                currency: Some("USD".into()),
            });
        }
    }
    out
}

/// Cost Explorer's recommendations for the organisation whose management account is `payer`,
/// generated: two or three rightsizing recommendations per account of `accounts` (one a
/// termination in four) and one Compute Savings Plan purchase.
pub fn recommendations(payer: &Account, accounts: &[Account], month: ReportMonth) -> Vec<Recommendation> {
    let month = month.to_string();
    let moves = [
        ("m5.2xlarge", "m5.xlarge", 140.16),
        ("r5.xlarge", "r5.large", 91.98),
        ("c5.4xlarge", "c5.2xlarge", 248.2),
        ("m6i.xlarge", "m6i.large", 70.08),
    ];
    let mut out = Vec::new();
    for a in accounts {
        let id = a.id.as_str();
        let n = 2 + hash(&[id, "rightsizing", &month]) % 2;
        for i in 0..n {
            let h = hash(&[id, "rightsizing", &month, &i.to_string()]);
            let instance = format!("i-{:017x}", h & 0x000f_ffff_ffff_ffff);
            let (from, to, saving) = moves[(h % 4) as usize];
            let (kind, description, saving) = if h % 4 == 3 {
                (
                    RecommendationKind::RightsizingTerminate,
                    format!("terminate {from} (idle)"),
                    saving * 2.0,
                )
            } else {
                (RecommendationKind::RightsizingModify, format!("{from} → {to}"), saving)
            };
            out.push(Recommendation {
                kind,
                account: Some(id.to_string()),
                resource: Some(instance),
                description,
                estimated_monthly_savings: saving,
                currency: "USD".into(),
            });
        }
    }
    let h = hash(&[payer.id.as_str(), "sp-purchase", &month]);
    let hourly = 1.0 + (h % 8) as f64 * 0.25;
    out.push(Recommendation {
        kind: RecommendationKind::SavingsPlansPurchase,
        account: Some(payer.id.to_string()),
        resource: None,
        description: format!("Compute Savings Plan, 1 year, No Upfront, {hourly:.2} USD/hour"),
        estimated_monthly_savings: (hourly * 730.0 * 0.28 * 100.0).round() / 100.0,
        currency: "USD".into(),
    });
    out
}
