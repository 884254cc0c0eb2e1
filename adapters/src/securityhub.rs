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
//!
//! **Why not the SDK's `get_findings`.** Its answer type is the whole AWS Security Finding Format:
//! every finding with the details of every kind of resource Security Hub knows (hundreds of
//! shapes). The SDK's generated deserializer for it is 2.3 MB of machine code, linked into every
//! function that builds reports (`report-build`, `jobs`): alone it put them over the 4 MB package
//! budget (issue #16). The report reads ten fields of a finding. So this module makes the one
//! REST-JSON call itself, with the SDK's parts for everything that is AWS's: the endpoint from
//! the Security Hub SDK's own resolver (partitions, FIPS, dual-stack, `AWS_ENDPOINT_URL`), the
//! request signed by `aws-sigv4` (the SDK's SigV4 signer), and the answer read by serde into
//! [`Finding`], which skips every field the report does not use (a page of 100 findings with
//! their resources is megabytes; only the fields read are kept in memory). Throttling (HTTP 429
//! `LimitExceededException`, 503) is waited on and retried as [`http_source::send`] does.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_securityhub::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use serde::Deserialize;
use serde_json::json;

use crate::http_source::{self, RetryPolicy};
use crate::lazy_http::LazyHttp;
use crate::report_role::{self, ReportSessions};
use cc_domain::access::ports::{AccessBroker, Credentials};
use cc_domain::hub::Account;
use cc_domain::reports::ports::{ComplianceSource, Findings, ReportScope, SourceError};
use cc_domain::reports::snapshot::{ComplianceFinding, SeverityLabel, WorkflowStatus as Workflow};

/// The delegated administrator service principal of Security Hub.
pub const SERVICE_PRINCIPAL: &str = "securityhub.amazonaws.com";

/// What each call is named in messages.
const OPERATION: &str = "Security Hub GetFindings";

/// The SigV4 signing name of Security Hub.
const SIGNING_NAME: &str = "securityhub";

/// `MaxResults` per page (Security Hub's largest).
const PAGE: i32 = 100;

/// Values per `AwsAccountId` filter (Security Hub's limit for a string filter).
const ACCOUNTS_PER_QUERY: usize = 20;

/// At most this many pages per customer (100,000 findings): a guard against a token that loops.
const MAX_PAGES: usize = 1000;

/// The longest one request may take, answer included (a page of 100 findings is a few MB).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

pub struct SecurityHubSource {
    sdk: aws_config::SdkConfig,
    sessions: ReportSessions,
    http: LazyHttp,
    retry: RetryPolicy,
}

/// One page of a `GetFindings` answer: the fields read, every other one skipped.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    #[serde(default)]
    findings: Vec<Finding>,
    next_token: Option<String>,
}

/// The fields of an ASFF finding the report reads (names as in the AWS Security Finding Format).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Finding {
    pub id: Option<String>,
    pub aws_account_id: Option<String>,
    pub region: Option<String>,
    pub title: Option<String>,
    /// `ACTIVE` or `ARCHIVED`.
    pub record_state: Option<String>,
    pub workflow: Option<Status>,
    pub severity: Option<Severity>,
    pub compliance: Option<Compliance>,
    pub product_name: Option<String>,
    #[serde(default)]
    pub product_fields: BTreeMap<String, String>,
}

/// `Workflow` (`Status`: `NEW`, `NOTIFIED`, `RESOLVED`, `SUPPRESSED`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Status {
    pub status: Option<String>,
}

/// `Severity`: `Label` (`INFORMATIONAL` to `CRITICAL`), else `Normalized` (0–100).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Severity {
    pub label: Option<String>,
    pub normalized: Option<i64>,
}

/// `Compliance`: `Status` (`PASSED`, `WARNING`, `FAILED`, `NOT_AVAILABLE`) and the control.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Compliance {
    pub status: Option<String>,
    pub security_control_id: Option<String>,
}

/// A Security Hub error answer (REST-JSON: the code in `x-amzn-errortype` or the body's `__type`
/// / `Code`, the text in `Message` or `message`).
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(rename = "__type", alias = "Code", alias = "code")]
    code: Option<String>,
    #[serde(rename = "Message", alias = "message")]
    message: Option<String>,
}

impl SecurityHubSource {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>) -> Self {
        SecurityHubSource {
            sdk,
            sessions: ReportSessions::new(broker),
            http: LazyHttp::new(Some(REQUEST_TIMEOUT)),
            retry: RetryPolicy::default(),
        }
    }

    /// The same source waiting on throttling as `retry` says (the default: 3 retries, 2 s doubled).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The `GetFindings` URL of Security Hub in `region`, as the SDK resolves it.
    async fn url(&self, region: &str) -> Result<String, SourceError> {
        let params = Params::builder()
            .region(region)
            .use_fips(self.sdk.use_fips().unwrap_or(false))
            .use_dual_stack(self.sdk.use_dual_stack().unwrap_or(false))
            .set_endpoint(self.sdk.endpoint_url().map(String::from))
            .build()
            .map_err(|e| SourceError::Unavailable(format!("{OPERATION}: no endpoint for region {region}: {e}")))?;
        let endpoint = DefaultResolver::new()
            .resolve_endpoint(&params)
            .await
            .map_err(|e| SourceError::Unavailable(format!("{OPERATION}: no endpoint for region {region}: {e}")))?;
        Ok(format!("{}/findings", endpoint.url().trim_end_matches('/')))
    }

    /// One page: the signed POST, retried while throttled, and its answer read.
    async fn page(
        &self,
        account: &Account,
        url: &str,
        creds: &Credentials,
        body: &serde_json::Value,
    ) -> Result<Page, SourceError> {
        let body = serde_json::to_vec(body).map_err(|e| SourceError::Unavailable(e.to_string()))?;
        let headers = sign(url, account.region.as_str(), creds, &body)
            .map_err(|e| SourceError::Unavailable(format!("{OPERATION}: the request could not be signed: {e}")))?;
        let http = self
            .http
            .client()
            .map_err(|e| SourceError::Unavailable(format!("{OPERATION}: no HTTP client: {e}")))?;
        let mut tries = 0;
        let what = format!("in account {}", account.id);
        let res = http_source::send(
            || http.post(url).headers(headers.clone()).body(body.clone()),
            &self.retry,
            &mut tries,
            OPERATION,
            &what,
        )
        .await
        .map_err(|e| SourceError::Unavailable(format!("{OPERATION} in account {} failed: {e}", account.id)))?;
        let status = res.status();
        let error_type = res
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_string());
        let bytes = res
            .bytes()
            .await
            .map_err(|e| SourceError::Unavailable(format!("{OPERATION} in account {} failed: {e}", account.id)))?;
        if !status.is_success() {
            return Err(error(account, status.as_u16(), error_type, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            SourceError::Unavailable(format!(
                "{OPERATION} in account {} failed: the answer is not a page of findings: {e}",
                account.id
            ))
        })
    }

    /// Every active finding `account`'s Security Hub holds for `wanted`.
    async fn read(&self, account: &Account, wanted: &BTreeSet<String>) -> Result<Vec<ComplianceFinding>, SourceError> {
        let role = report_role::read_role(account)
            .ok_or_else(|| SourceError::Unavailable(format!("account {} has no read role", account.id)))?;
        let creds = self.sessions.credentials(&role).await?;
        let url = self.url(account.region.as_str()).await?;
        let ids: Vec<&String> = wanted.iter().collect();
        let mut out = BTreeMap::new();
        for chunk in ids.chunks(ACCOUNTS_PER_QUERY) {
            let text = |comparison: &str, value: &str| json!({ "Comparison": comparison, "Value": value });
            let filters = json!({
                "RecordState": [text("EQUALS", "ACTIVE")],
                "WorkflowStatus": [text("NOT_EQUALS", "SUPPRESSED")],
                "AwsAccountId": chunk.iter().map(|a| text("EQUALS", a)).collect::<Vec<_>>(),
            });
            let mut token: Option<String> = None;
            for page in 0.. {
                if page == MAX_PAGES {
                    return Err(SourceError::Unavailable(format!(
                        "{OPERATION} in account {} answered more than {MAX_PAGES} pages",
                        account.id
                    )));
                }
                let mut body = json!({ "Filters": filters, "MaxResults": PAGE });
                if let Some(t) = &token {
                    body["NextToken"] = json!(t);
                }
                let answer = self.page(account, &url, &creds, &body).await?;
                for f in &answer.findings {
                    if let Some(finding) = convert(f, wanted) {
                        out.insert(finding.id.clone(), finding);
                    }
                }
                token = answer.next_token.filter(|t| !t.is_empty());
                if token.is_none() {
                    break;
                }
            }
        }
        Ok(out.into_values().collect())
    }
}

/// The SigV4 headers (`authorization`, `x-amz-date`, `x-amz-security-token`) and the content type
/// of a `GetFindings` POST of `body` to `url`, signed now with the session's credentials.
fn sign(url: &str, region: &str, creds: &Credentials, body: &[u8]) -> Result<reqwest::header::HeaderMap, String> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

    let identity = aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.clone(),
        Some(creds.session_token.clone()),
        None,
        report_role::SESSION_NAME,
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SIGNING_NAME)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let content_type = ("content-type", "application/json");
    let request = SignableRequest::new("POST", url, std::iter::once(content_type), SignableBody::Bytes(body))
        .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(request, &params).map_err(|e| e.to_string())?.into_parts();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in instructions.headers() {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
        headers.insert(name, value);
    }
    Ok(headers)
}

/// An error answer in the report's words ([`report_role::unavailable`]): the code from the
/// `x-amzn-errortype` header or the body, and the body's message.
fn error(account: &Account, status: u16, header_code: Option<String>, body: &[u8]) -> SourceError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (body_code, message) = parsed.map(|b| (b.code, b.message)).unwrap_or((None, None));
    // `__type` may be namespaced (`com.amazonaws.securityhub#InvalidAccessException`).
    let code = header_code
        .or(body_code)
        .map(|c| c.rsplit('#').next().unwrap_or(&c).to_string())
        .filter(|c| !c.is_empty());
    let raw = format!(
        "HTTP {status}: {}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    report_role::unavailable(
        OPERATION,
        account.id.as_str(),
        code.as_deref(),
        message.as_deref(),
        &raw,
    )
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
/// Values are ASFF's enumerations, read as the snapshot types (whose serde names are ASFF's); one
/// they do not know is left unset (a severity falls back to its normalized score).
fn convert(f: &Finding, wanted: &BTreeSet<String>) -> Option<ComplianceFinding> {
    let account = f.aws_account_id.as_deref()?;
    if !wanted.contains(account) {
        return None;
    }
    if f.record_state.as_deref().is_some_and(|s| s != "ACTIVE") {
        return None;
    }
    let workflow: Option<Workflow> = asff(f.workflow.as_ref().and_then(|w| w.status.as_deref()));
    if workflow == Some(Workflow::Suppressed) {
        return None;
    }
    let severity = f.severity.as_ref();
    // ASFF: a finding without a label has the label of its normalized score.
    let severity = asff(severity.and_then(|s| s.label.as_deref())).unwrap_or_else(|| {
        let score = severity.and_then(|s| s.normalized).unwrap_or(0);
        SeverityLabel::of_normalized(score.clamp(0, 100) as u8)
    });
    let compliance = f.compliance.as_ref();
    let status = asff(compliance.and_then(|c| c.status.as_deref()));
    let control = compliance
        .and_then(|c| c.security_control_id.clone())
        .or_else(|| f.product_fields.get("ControlId").cloned());
    Some(ComplianceFinding {
        id: f.id.clone()?,
        account: account.to_string(),
        region: f.region.clone(),
        title: f.title.clone().unwrap_or_else(|| "(untitled finding)".into()),
        severity,
        compliance_status: status,
        control_id: control,
        product: f
            .product_name
            .clone()
            .or_else(|| f.product_fields.get("aws/securityhub/ProductName").cloned())
            .unwrap_or_else(|| "Security Hub".into()),
        workflow_status: workflow,
    })
}

/// An ASFF enumeration's value as its snapshot type, `None` when absent or not one of its values.
fn asff<T: serde::de::DeserializeOwned>(value: Option<&str>) -> Option<T> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(
        value?,
    ))
    .ok()
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
