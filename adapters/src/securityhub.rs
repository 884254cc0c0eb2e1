//! Security Hub `GetFindings` for the report's compliance section, through a customer's read role.
//!
//! **Which account and region.** Security Hub aggregates an organisation's findings in its
//! delegated administrator account (the hub account with `securityhub.amazonaws.com` among its
//! delegated administrator services), so that account is asked first, else the management account;
//! a customer with neither behind a read role has each read-role account asked for its own
//! findings. Each in the account's home region in the hub (the aggregation region when the
//! customer set one up there).
//!
//! **Filters.** `RecordState` `ACTIVE`, `WorkflowStatus` not `SUPPRESSED`, `AwsAccountId` one of
//! the customer's accounts (at most 20 values per filter, so one query per 20 accounts), pages of
//! 100 following `NextToken`. The same conditions are checked again on every finding answered
//! (an emulator, or an older endpoint, may ignore filters): a finding of another account is never
//! counted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, ComplianceStatus as SdkCompliance, RecordState,
    SeverityLabel as SdkSeverity, StringFilter, StringFilterComparison, WorkflowStatus,
};

use crate::report_role::{self, ReportSessions};
use cc_domain::access::ports::AccessBroker;
use cc_domain::hub::Account;
use cc_domain::reports::ports::{ComplianceSource, Findings, ReportScope, SourceError};
use cc_domain::reports::snapshot::{ComplianceFinding, ComplianceStatus, SeverityLabel, WorkflowStatus as Workflow};

/// The delegated administrator service principal of Security Hub.
pub const SERVICE_PRINCIPAL: &str = "securityhub.amazonaws.com";

/// `MaxResults` per page (Security Hub's largest).
const PAGE: i32 = 100;

/// Values per `AwsAccountId` filter (Security Hub's limit for a string filter).
const ACCOUNTS_PER_QUERY: usize = 20;

/// At most this many pages per customer (100,000 findings): a guard against a token that loops.
const MAX_PAGES: usize = 1000;

pub struct SecurityHubSource {
    sdk: aws_config::SdkConfig,
    sessions: ReportSessions,
}

impl SecurityHubSource {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>) -> Self {
        SecurityHubSource {
            sdk,
            sessions: ReportSessions::new(broker),
        }
    }

    async fn client(&self, account: &Account) -> Result<aws_sdk_securityhub::Client, SourceError> {
        let role = report_role::read_role(account)
            .ok_or_else(|| SourceError::Unavailable(format!("account {} has no read role", account.id)))?;
        let c = self.sessions.credentials(&role).await?;
        let creds = aws_sdk_securityhub::config::Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            None,
            report_role::SESSION_NAME,
        );
        let config = aws_sdk_securityhub::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(account.region.as_str().to_string()))
            .credentials_provider(creds)
            .build();
        Ok(aws_sdk_securityhub::Client::from_conf(config))
    }

    /// Every active finding `account`'s Security Hub holds for `wanted`.
    async fn read(&self, account: &Account, wanted: &BTreeSet<String>) -> Result<Vec<ComplianceFinding>, SourceError> {
        let client = self.client(account).await?;
        let text = |comparison: StringFilterComparison, value: &str| {
            StringFilter::builder().comparison(comparison).value(value).build()
        };
        let ids: Vec<&String> = wanted.iter().collect();
        let mut out = BTreeMap::new();
        for chunk in ids.chunks(ACCOUNTS_PER_QUERY) {
            let filters = AwsSecurityFindingFilters::builder()
                .record_state(text(StringFilterComparison::Equals, RecordState::Active.as_str()))
                .workflow_status(text(
                    StringFilterComparison::NotEquals,
                    WorkflowStatus::Suppressed.as_str(),
                ))
                .set_aws_account_id(Some(
                    chunk.iter().map(|a| text(StringFilterComparison::Equals, a)).collect(),
                ))
                .build();
            let mut token: Option<String> = None;
            for page in 0.. {
                if page == MAX_PAGES {
                    return Err(SourceError::Unavailable(format!(
                        "Security Hub GetFindings in account {} answered more than {MAX_PAGES} pages",
                        account.id
                    )));
                }
                let answer = client
                    .get_findings()
                    .filters(filters.clone())
                    .max_results(PAGE)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| crate::sdk_unavailable!("Security Hub GetFindings", account.id.as_str(), e))?;
                for f in answer.findings() {
                    if let Some(finding) = convert(f, wanted) {
                        out.insert(finding.id.clone(), finding);
                    }
                }
                token = answer.next_token().filter(|t| !t.is_empty()).map(String::from);
                if token.is_none() {
                    break;
                }
            }
        }
        Ok(out.into_values().collect())
    }
}

/// The accounts to ask: the delegated administrator, else the management account, else every
/// read-role account (see the module).
pub fn accounts_to_ask(accounts: &[Account]) -> Vec<&Account> {
    let with_role = report_role::role_accounts(accounts);
    if let Some((a, _)) = with_role
        .iter()
        .find(|(a, _)| a.delegated_admin_services.iter().any(|s| s == SERVICE_PRINCIPAL))
    {
        return vec![a];
    }
    if let Some((a, _)) = with_role.iter().find(|(a, _)| a.management_account) {
        return vec![a];
    }
    with_role.into_iter().map(|(a, _)| a).collect()
}

/// A finding in the report's terms, or `None` when it is not active or not the customer's.
fn convert(f: &AwsSecurityFinding, wanted: &BTreeSet<String>) -> Option<ComplianceFinding> {
    let account = f.aws_account_id()?;
    if !wanted.contains(account) {
        return None;
    }
    if f.record_state().is_some_and(|s| *s != RecordState::Active) {
        return None;
    }
    let workflow = match f.workflow().and_then(|w| w.status()) {
        Some(WorkflowStatus::Suppressed) => return None,
        Some(WorkflowStatus::New) => Some(Workflow::New),
        Some(WorkflowStatus::Notified) => Some(Workflow::Notified),
        Some(WorkflowStatus::Resolved) => Some(Workflow::Resolved),
        _ => None,
    };
    let severity = match f.severity().and_then(|s| s.label()) {
        Some(SdkSeverity::Critical) => SeverityLabel::Critical,
        Some(SdkSeverity::High) => SeverityLabel::High,
        Some(SdkSeverity::Medium) => SeverityLabel::Medium,
        Some(SdkSeverity::Low) => SeverityLabel::Low,
        Some(SdkSeverity::Informational) => SeverityLabel::Informational,
        // ASFF: a finding without a label has the label of its normalized score.
        _ => match f.severity().and_then(|s| s.normalized()).unwrap_or(0) {
            0 => SeverityLabel::Informational,
            1..=39 => SeverityLabel::Low,
            40..=69 => SeverityLabel::Medium,
            70..=89 => SeverityLabel::High,
            _ => SeverityLabel::Critical,
        },
    };
    let compliance = f.compliance();
    let status = compliance.and_then(|c| c.status()).and_then(|s| match s {
        SdkCompliance::Passed => Some(ComplianceStatus::Passed),
        SdkCompliance::Warning => Some(ComplianceStatus::Warning),
        SdkCompliance::Failed => Some(ComplianceStatus::Failed),
        SdkCompliance::NotAvailable => Some(ComplianceStatus::NotAvailable),
        _ => None,
    });
    let control = compliance
        .and_then(|c| c.security_control_id())
        .map(String::from)
        .or_else(|| f.product_fields().and_then(|p| p.get("ControlId")).cloned());
    Some(ComplianceFinding {
        id: f.id()?.to_string(),
        account: account.to_string(),
        region: f.region().map(String::from),
        title: f.title().unwrap_or("(untitled finding)").to_string(),
        severity,
        compliance_status: status,
        control_id: control,
        product: f
            .product_name()
            .map(String::from)
            .or_else(|| {
                f.product_fields()
                    .and_then(|p| p.get("aws/securityhub/ProductName"))
                    .cloned()
            })
            .unwrap_or_else(|| "Security Hub".into()),
        workflow_status: workflow,
    })
}

#[async_trait]
impl ComplianceSource for SecurityHubSource {
    async fn findings(&self, scope: &ReportScope<'_>) -> Result<Findings, SourceError> {
        let ask = accounts_to_ask(scope.accounts);
        if ask.is_empty() {
            return Err(SourceError::NoData(report_role::NO_ROLE_FINDINGS.into()));
        }
        let wanted: BTreeSet<String> = scope.accounts.iter().map(|a| a.id.to_string()).collect();
        let mut all = BTreeMap::new();
        for a in &ask {
            for f in self.read(a, &wanted).await? {
                all.insert(f.id.clone(), f);
            }
        }
        let source = match ask.as_slice() {
            [one] => format!("Security Hub ({}, account {})", one.region.as_str(), one.id),
            many => format!("Security Hub ({} accounts)", many.len()),
        };
        Ok(Findings {
            source,
            findings: all.into_values().collect(),
        })
    }
}
