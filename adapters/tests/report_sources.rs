//! The report source adapters. Security Hub `GetFindings` on moto (which pages `GetFindings` but
//! ignores its `Filters`: the adapter's own checks keep archived, suppressed and other accounts'
//! findings out), and against a local server for what moto does not check: the SigV4 signature
//! (the adapter signs this call itself), throttling and Security Hub's error answers. Savings Plans, EC2 `DescribeReservedInstances`, RDS `DescribeReservedDBInstances`
//! and Cost Explorer's two recommendation calls are not in moto (or not implemented there), so they
//! are tested against a local server answering in each API's real wire protocol (REST-JSON, EC2
//! query/XML, RDS query/XML, JSON 1.1) with the SDK pointed at it.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use cc_adapters::local_access::LocalBroker;
use cc_adapters::recommendations::CostExplorerRecommendations;
use cc_adapters::renewals::AwsRenewals;
use cc_adapters::securityhub::SecurityHubSource;
use cc_adapters::sts::StsBroker;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::access::ports::{AccessBroker, Assume};
use cc_domain::hub::{AccessMethod, Account, Customer, Environment};
use cc_domain::ids::*;
use cc_domain::reports::ReportMonth;
use cc_domain::reports::ports::{ComplianceSource, OptimisationSource, RenewalSource, ReportScope, SourceError};
use cc_domain::reports::sections;
use cc_domain::reports::snapshot::{CommitmentKind, ComplianceStatus, RecommendationKind, SeverityLabel};
use time::OffsetDateTime;
use time::macros::datetime;

fn fresh_account() -> String {
    let n = u128::from(new_ulid()) % 899_999_999_999;
    format!("{:012}", 100_000_000_000 + n as u64)
}

fn account(id: &str, region: &str, management: bool) -> Account {
    let now = OffsetDateTime::now_utc();
    Account {
        id: AccountId::parse(id).unwrap(),
        customer: CustomerCode::parse("acme").unwrap(),
        name: format!("acct-{id}"),
        alias: None,
        environment: Environment::Prod,
        region: Region::parse(region).unwrap(),
        management_account: management,
        delegated_admin_services: vec![],
        access: AccessMethod::Role {
            read_role_arn: RoleArn::parse(format!("arn:aws:iam::{id}:role/CustomerCentralRead")).unwrap(),
            breakglass_role_arn: RoleArn::parse(format!("arn:aws:iam::{id}:role/CustomerCentralBreakglass")).unwrap(),
            external_id: ExternalId::parse("cc-acme-1").unwrap(),
            max_session_seconds: 3600,
        },
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// The report scope of October 2026 for `customer`'s `accounts`.
fn october<'a>(customer: &'a Customer, accounts: &'a [Account]) -> ReportScope<'a> {
    ReportScope {
        customer,
        accounts,
        month: ReportMonth::parse("2026-10").unwrap(),
    }
}

fn customer() -> Customer {
    serde_json::from_value(serde_json::json!({
        "code": "acme", "name": "Acme", "status": "active", "notes": "", "contract": null,
        "report": {}, "account_count": 1, "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z", "version": 1
    }))
    .unwrap()
}

// ---- Security Hub on moto ---------------------------------------------------------------------

fn asff(
    id: &str,
    account: &str,
    severity: &str,
    control: Option<(&str, &str)>,
) -> aws_sdk_securityhub::types::AwsSecurityFinding {
    use aws_sdk_securityhub::types::*;
    let mut f = AwsSecurityFinding::builder()
        .schema_version("2018-10-08")
        .id(id)
        .product_arn("arn:aws:securityhub:eu-west-1::product/aws/securityhub")
        .product_name("Security Hub")
        .generator_id("security-control")
        .aws_account_id(account)
        .region("eu-west-1")
        .types("Software and Configuration Checks")
        .created_at("2026-10-01T00:00:00Z")
        .updated_at("2026-10-01T00:00:00Z")
        .title(format!("finding {id}"))
        .description("d")
        .severity(Severity::builder().label(SeverityLabel::from(severity)).build())
        .resources(Resource::builder().r#type("AwsS3Bucket").id("arn:aws:s3:::b").build())
        .record_state(RecordState::Active)
        .workflow(Workflow::builder().status(WorkflowStatus::New).build());
    if let Some((control, status)) = control {
        f = f.compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(status))
                .security_control_id(control)
                .build(),
        );
    }
    f.build()
}

#[tokio::test]
async fn security_hub_findings_are_paged_and_filtered_on_moto() {
    let Some(moto) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&moto).await;
    let broker: Arc<dyn AccessBroker> = Arc::new(StsBroker::new(aws_sdk_sts::Client::new(&sdk), "http://127.0.0.1:1"));
    let (payer, member, stranger) = (fresh_account(), fresh_account(), fresh_account());
    // Write the findings into the payer's Security Hub, as the payer's read role sees it.
    let creds = broker
        .assume(&Assume {
            role_arn: RoleArn::parse(format!("arn:aws:iam::{payer}:role/CustomerCentralRead")).unwrap(),
            external_id: Some(ExternalId::parse("cc-acme-1").unwrap()),
            session_name: "seed".into(),
            source_identity: "test".into(),
            duration_seconds: 900,
            request_id: "seed".into(),
        })
        .await
        .unwrap();
    let config = aws_sdk_securityhub::config::Builder::from(&sdk)
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_securityhub::config::Credentials::new(
            creds.access_key_id,
            creds.secret_access_key,
            Some(creds.session_token),
            None,
            "seed",
        ))
        .build();
    let seed = aws_sdk_securityhub::Client::from_conf(config);
    let mut all = Vec::new();
    // 120 active findings of the customer's two accounts: 3 controls failing, the rest passed or
    // without a control; then what the filters exclude.
    for i in 0..120 {
        let acct = if i % 2 == 0 { &payer } else { &member };
        let (sev, control) = match i % 6 {
            0 => ("CRITICAL", Some(("IAM.6", "FAILED"))),
            1 => ("HIGH", Some(("S3.8", "FAILED"))),
            2 => ("MEDIUM", Some(("S3.8", "FAILED"))),
            3 => ("LOW", Some(("KMS.4", "PASSED"))),
            4 => ("MEDIUM", Some(("EC2.8", "FAILED"))),
            _ => ("INFORMATIONAL", None),
        };
        all.push(asff(&format!("f-{i:03}"), acct, sev, control));
    }
    for i in 0..4 {
        let mut f = asff(&format!("archived-{i}"), &payer, "CRITICAL", Some(("IAM.6", "FAILED")));
        f.record_state = Some(aws_sdk_securityhub::types::RecordState::Archived);
        all.push(f);
    }
    for i in 0..3 {
        let mut f = asff(&format!("suppressed-{i}"), &payer, "HIGH", None);
        f.workflow = Some(
            aws_sdk_securityhub::types::Workflow::builder()
                .status(aws_sdk_securityhub::types::WorkflowStatus::Suppressed)
                .build(),
        );
        all.push(f);
    }
    for i in 0..3 {
        all.push(asff(
            &format!("stranger-{i}"),
            &stranger,
            "CRITICAL",
            Some(("IAM.6", "FAILED")),
        ));
    }
    for chunk in all.chunks(100) {
        let out = seed
            .batch_import_findings()
            .set_findings(Some(chunk.to_vec()))
            .send()
            .await
            .unwrap();
        assert_eq!(out.failed_count(), Some(0), "{:?}", out.failed_findings());
    }

    let accounts = vec![account(&payer, "eu-west-1", true), account(&member, "eu-west-1", false)];
    let c = customer();
    let scope = october(&c, &accounts);
    let source = SecurityHubSource::new(sdk.clone(), broker);
    let found = source.findings(&scope).await.unwrap();
    assert_eq!(found.source, format!("Security Hub (eu-west-1, account {payer})"));
    assert_eq!(
        found.findings.len(),
        120,
        "archived, suppressed and other accounts' findings are left out"
    );
    assert!(found.findings.iter().all(|f| f.id.starts_with("f-")));
    let s3 = found.findings.iter().find(|f| f.id == "f-001").unwrap();
    assert_eq!(
        (s3.severity, s3.compliance_status, s3.control_id.as_deref()),
        (SeverityLabel::High, Some(ComplianceStatus::Failed), Some("S3.8"))
    );
    assert_eq!(s3.account, member);

    // The section from them: passed checks are not open findings; S3.8 fails most.
    let section = sections::compliance(&found.source, Ok(found.findings));
    let data = section.data().unwrap();
    assert_eq!(data.open_findings, 100);
    let counts: Vec<(SeverityLabel, u32)> = data.by_severity.iter().map(|s| (s.severity, s.findings)).collect();
    assert_eq!(
        counts,
        vec![
            (SeverityLabel::Critical, 20),
            (SeverityLabel::High, 20),
            (SeverityLabel::Medium, 40),
            (SeverityLabel::Low, 0),
            (SeverityLabel::Informational, 20)
        ]
    );
    assert_eq!(data.failing_controls[0].control_id, "S3.8");
    assert_eq!(data.failing_controls[0].failed, 40);
    assert_eq!(data.failing_controls[0].accounts, 2);
}

#[tokio::test]
async fn security_hub_access_denied_makes_the_section_unavailable() {
    // A read role that cannot be assumed: the broker's refusal is the section's reason.
    struct Refusing;
    #[async_trait::async_trait]
    impl AccessBroker for Refusing {
        async fn assume(&self, _: &Assume) -> cc_domain::error::Result<cc_domain::access::ports::Credentials> {
            Err(cc_domain::Error::Forbidden(
                "AccessDenied: not authorized to perform sts:AssumeRole".into(),
            ))
        }
        async fn console_url(
            &self,
            _: &cc_domain::access::ports::Credentials,
            _: &str,
        ) -> cc_domain::error::Result<String> {
            unreachable!()
        }
    }
    let sdk = emulator_sdk_config("http://127.0.0.1:9").await;
    let accounts = vec![account(&fresh_account(), "eu-west-1", true)];
    let c = customer();
    let scope = october(&c, &accounts);
    let err = SecurityHubSource::new(sdk, Arc::new(Refusing))
        .findings(&scope)
        .await
        .unwrap_err();
    let SourceError::Unavailable(m) = err else {
        panic!("{err:?}")
    };
    assert!(m.contains("could not be assumed") && m.contains("AccessDenied"), "{m}");
}

/// What the local Security Hub answers, in turn, and what it saw: (headers, body) of each request.
type HubSeen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A local Security Hub: each `POST /findings` gets the next of `answers` (status, error type,
/// body); the requests are kept for the test to read.
async fn fake_security_hub(answers: Vec<(StatusCode, Option<&'static str>, serde_json::Value)>) -> (String, HubSeen) {
    let seen: HubSeen = Arc::default();
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/findings",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (s, answers) = (s.clone(), answers.clone());
            async move {
                s.lock().unwrap().push((headers, body));
                let (status, error_type, body) = answers.lock().unwrap().next().expect("no more answers");
                let mut res = json(status, "application/json", body);
                if let Some(t) = error_type {
                    res.headers_mut().insert("x-amzn-errortype", t.parse().unwrap());
                }
                res
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// A broker answering the same session credentials every time, so a test knows the secret.
struct FixedBroker;

impl FixedBroker {
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE//token+with/odd=chars";
}

#[async_trait::async_trait]
impl AccessBroker for FixedBroker {
    async fn assume(&self, req: &Assume) -> cc_domain::error::Result<cc_domain::access::ports::Credentials> {
        Ok(cc_domain::access::ports::Credentials {
            access_key_id: "ASIAEXAMPLEKEY".into(),
            secret_access_key: Self::SECRET.into(),
            session_token: Self::TOKEN.into(),
            expiration: OffsetDateTime::now_utc() + time::Duration::seconds(req.duration_seconds as i64),
        })
    }
    async fn console_url(
        &self,
        _: &cc_domain::access::ports::Credentials,
        _: &str,
    ) -> cc_domain::error::Result<String> {
        unreachable!()
    }
}

/// Checks a request's SigV4 signature the way AWS does: signs the same method, URL, signed headers
/// and body again with the secret key at the request's own `x-amz-date`, and compares.
fn assert_signed(url: &str, headers: &HeaderMap, body: &str, secret: &str) {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    let text = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .to_str()
            .unwrap()
    };
    let auth = text("authorization");
    let (_, rest) = auth.split_once("Credential=").expect(auth);
    let access_key = rest.split('/').next().unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 ") && rest.contains("/eu-west-1/securityhub/aws4_request"),
        "{auth}"
    );
    let signed: Vec<&str> = auth
        .split("SignedHeaders=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .split(';')
        .collect();
    assert!(
        signed.contains(&"host") && signed.contains(&"x-amz-date") && signed.contains(&"content-type"),
        "{signed:?}"
    );
    let time = time::PrimitiveDateTime::parse(
        text("x-amz-date"),
        time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
    .unwrap()
    .assume_utc();
    let identity = aws_credential_types::Credentials::new(
        access_key,
        secret,
        Some(text("x-amz-security-token").to_string()),
        None,
        "check",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("eu-west-1")
        .name("securityhub")
        .time(time.into())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let extra = signed
        .iter()
        .filter(|h| !["host", "x-amz-date", "x-amz-security-token"].contains(h))
        .map(|h| (*h, text(h)));
    let request = SignableRequest::new("POST", url, extra, SignableBody::Bytes(body.as_bytes())).unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let expected = instructions.headers().find(|(n, _)| *n == "authorization").unwrap().1;
    assert_eq!(auth, expected, "the signature AWS would compute differs");
}

#[tokio::test]
async fn security_hub_requests_are_signed_retried_when_throttled_and_read_field_by_field() {
    let payer = fresh_account();
    let throttled = serde_json::json!({"Code": "LimitExceededException", "Message": "Rate exceeded"});
    // A finding as Security Hub writes it, with resource details the report does not read and a
    // severity given only as its normalized score.
    let finding = |id: &str, normalized: i64| {
        serde_json::json!({
            "SchemaVersion": "2018-10-08", "Id": id, "AwsAccountId": payer, "Region": "eu-west-1",
            "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
            "Title": "S3 general purpose buckets should block public access", "RecordState": "ACTIVE",
            "Severity": {"Normalized": normalized, "Original": "X"}, "Workflow": {"Status": "NEW"},
            "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8", "AssociatedStandards": [{"StandardsId": "x"}]},
            "ProductFields": {"aws/securityhub/ProductName": "Security Hub"},
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b", "Details": {"AwsS3Bucket": {"Owner": "o", "Unknown": [1, 2]}}}],
            "FindingProviderFields": {"Severity": {"Label": "HIGH"}}
        })
    };
    let (url, seen) = fake_security_hub(vec![
        (StatusCode::TOO_MANY_REQUESTS, Some("LimitExceededException"), throttled),
        (
            StatusCode::OK,
            None,
            serde_json::json!({"Findings": [finding("a", 75)], "NextToken": "page-2"}),
        ),
        (
            StatusCode::OK,
            None,
            serde_json::json!({"Findings": [finding("b", 0)], "NextToken": ""}),
        ),
    ])
    .await;
    let accounts = vec![account(&payer, "eu-west-1", true)];
    let c = customer();
    let scope = october(&c, &accounts);
    let quick = cc_adapters::http_source::RetryPolicy {
        max_retries: 2,
        max_wait: std::time::Duration::from_millis(50),
        default_wait: std::time::Duration::from_millis(10),
    };
    let found = SecurityHubSource::new(emulator_sdk_config(&url).await, Arc::new(FixedBroker))
        .with_retry(quick)
        .findings(&scope)
        .await
        .unwrap();
    let got: Vec<(&str, SeverityLabel, Option<&str>)> = found
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.severity, f.control_id.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a", SeverityLabel::High, Some("S3.8")),
            ("b", SeverityLabel::Informational, Some("S3.8"))
        ]
    );

    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.len(),
        3,
        "the throttled request is sent again, then the second page"
    );
    for (headers, body) in seen.iter() {
        assert_eq!(headers["content-type"], "application/json");
        assert_signed(&format!("{url}/findings"), headers, body, FixedBroker::SECRET);
        assert_eq!(headers["x-amz-security-token"], FixedBroker::TOKEN);
    }
    let first: serde_json::Value = serde_json::from_str(&seen[0].1).unwrap();
    assert_eq!(first["MaxResults"], 100);
    assert_eq!(first["Filters"]["AwsAccountId"][0]["Value"], payer.as_str());
    assert_eq!(first["Filters"]["RecordState"][0]["Comparison"], "EQUALS");
    assert_eq!(first["Filters"]["WorkflowStatus"][0]["Comparison"], "NOT_EQUALS");
    assert!(first.get("NextToken").is_none());
    let second: serde_json::Value = serde_json::from_str(&seen[2].1).unwrap();
    assert_eq!(second["NextToken"], "page-2");
}

#[tokio::test]
async fn security_hub_error_answers_make_the_section_unavailable_with_aws_code_and_message() {
    let payer = fresh_account();
    let accounts = vec![account(&payer, "eu-west-1", true)];
    let c = customer();
    let scope = october(&c, &accounts);
    let cases = [
        (
            StatusCode::UNAUTHORIZED,
            Some("InvalidAccessException:http://internal.amazon.com/coral/com.amazonaws.securityhub/"),
            serde_json::json!({"Code": "InvalidAccessException", "Message": format!("Account {payer} is not subscribed to AWS Security Hub")}),
            format!("InvalidAccessException: Account {payer} is not subscribed to AWS Security Hub"),
        ),
        (
            StatusCode::FORBIDDEN,
            None,
            serde_json::json!({"__type": "com.amazonaws.securityhub#AccessDeniedException", "message": "no"}),
            "access was denied (AccessDeniedException)".to_string(),
        ),
        (
            StatusCode::TOO_MANY_REQUESTS,
            Some("LimitExceededException"),
            serde_json::json!({"Message": "Rate exceeded"}),
            "still throttled (HTTP 429) after 1 retries".to_string(),
        ),
        (
            StatusCode::OK,
            None,
            serde_json::json!({"Findings": "not a list"}),
            "the answer is not a page of findings".to_string(),
        ),
    ];
    for (status, error_type, body, expected) in cases {
        let (url, _) = fake_security_hub(vec![(status, error_type, body.clone()), (status, error_type, body)]).await;
        let err = SecurityHubSource::new(emulator_sdk_config(&url).await, local_broker())
            .with_retry(cc_adapters::http_source::RetryPolicy {
                max_retries: 1,
                max_wait: std::time::Duration::from_millis(10),
                default_wait: std::time::Duration::from_millis(10),
            })
            .findings(&scope)
            .await
            .unwrap_err();
        let SourceError::Unavailable(m) = &err else {
            panic!("{err:?}")
        };
        assert!(
            m.contains("Security Hub GetFindings") && m.contains(&payer) && m.contains(&expected),
            "{m}\nwanted: {expected}"
        );
    }
}

// ---- a local server in the APIs' wire protocols -------------------------------------------------

/// What the fake AWS answered to, in order: (operation, request body as text).
type Seen = Arc<Mutex<Vec<(String, String)>>>;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Ok,
    Denied,
}

fn xml(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/xml")], body).into_response()
}

fn json(status: StatusCode, content_type: &'static str, body: serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body.to_string()).into_response()
}

const EC2_NS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

fn ec2_reserved(account: &str) -> String {
    let _ = account;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeReservedInstancesResponse xmlns="{EC2_NS}">
  <requestId>req-1</requestId>
  <reservedInstancesSet>
    <item>
      <reservedInstancesId>e0b0d1a2-1111-4222-8333-444455556666</reservedInstancesId>
      <instanceType>m6i.large</instanceType>
      <availabilityZone>eu-west-1a</availabilityZone>
      <start>2023-11-15T10:00:00.000Z</start>
      <end>2026-11-15T10:00:00.000Z</end>
      <duration>94608000</duration>
      <fixedPrice>0.0</fixedPrice>
      <usagePrice>0.0</usagePrice>
      <instanceCount>4</instanceCount>
      <productDescription>Linux/UNIX</productDescription>
      <state>active</state>
      <instanceTenancy>default</instanceTenancy>
      <currencyCode>USD</currencyCode>
      <offeringType>No Upfront</offeringType>
      <recurringCharges><item><frequency>Hourly</frequency><amount>0.124</amount></item></recurringCharges>
    </item>
  </reservedInstancesSet>
</DescribeReservedInstancesResponse>"#
    )
}

const RDS_NS: &str = "http://rds.amazonaws.com/doc/2014-10-31/";

fn rds_page(marker: Option<&str>) -> String {
    let (items, next) = match marker {
        None => (
            vec![
                ("ri-pg-1", "2025-12-20T00:00:00Z", 31_536_000, "active"),
                ("ri-old", "2022-01-01T00:00:00Z", 31_536_000, "retired"),
            ],
            Some("page-2"),
        ),
        Some(_) => (vec![("ri-pg-2", "2024-03-01T00:00:00Z", 94_608_000, "active")], None),
    };
    let items: String = items
        .into_iter()
        .map(|(id, start, duration, state)| {
            format!(
                "<ReservedDBInstance><ReservedDBInstanceId>{id}</ReservedDBInstanceId><DBInstanceClass>db.r6g.large</DBInstanceClass>\
                 <StartTime>{start}</StartTime><Duration>{duration}</Duration><FixedPrice>1200.0</FixedPrice><UsagePrice>0.0</UsagePrice>\
                 <CurrencyCode>USD</CurrencyCode><DBInstanceCount>2</DBInstanceCount><ProductDescription>postgresql</ProductDescription>\
                 <OfferingType>Partial Upfront</OfferingType><MultiAZ>true</MultiAZ><State>{state}</State>\
                 <RecurringCharges><RecurringCharge><RecurringChargeAmount>0.108</RecurringChargeAmount>\
                 <RecurringChargeFrequency>Hourly</RecurringChargeFrequency></RecurringCharge></RecurringCharges></ReservedDBInstance>"
            )
        })
        .collect();
    let marker = next.map(|m| format!("<Marker>{m}</Marker>")).unwrap_or_default();
    format!(
        r#"<DescribeReservedDBInstancesResponse xmlns="{RDS_NS}">
  <DescribeReservedDBInstancesResult>{marker}<ReservedDBInstances>{items}</ReservedDBInstances></DescribeReservedDBInstancesResult>
  <ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata>
</DescribeReservedDBInstancesResponse>"#
    )
}

fn form_value(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn answer(mode: Mode, seen: Seen, account: String, uri: Uri, headers: HeaderMap, body: String) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let op = if uri.path() == "/DescribeSavingsPlans" {
        "DescribeSavingsPlans".to_string()
    } else if let Some(t) = target.strip_prefix("AWSInsightsIndexService.") {
        t.to_string()
    } else {
        form_value(&body, "Action").unwrap_or_else(|| format!("? {}", uri.path()))
    };
    seen.lock().unwrap().push((op.clone(), body.clone()));
    let ce = "application/x-amz-json-1.1";
    match (op.as_str(), mode) {
        ("DescribeReservedInstances", Mode::Denied) => xml(
            StatusCode::FORBIDDEN,
            "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>".into(),
        ),
        ("DescribeReservedInstances", Mode::Ok) => xml(StatusCode::OK, ec2_reserved(&account)),
        ("DescribeReservedDBInstances", _) => xml(StatusCode::OK, rds_page(form_value(&body, "Marker").as_deref())),
        ("DescribeSavingsPlans", _) => {
            let token = serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|b| b["nextToken"].as_str().map(String::from));
            let (plans, next) = match token {
                None => (
                    serde_json::json!([{
                        "savingsPlanId": "sp-1", "savingsPlanArn": format!("arn:aws:savingsplans::{account}:savingsplan/sp-1"),
                        "savingsPlanType": "Compute", "state": "active", "paymentOption": "No Upfront",
                        "start": "2023-12-01T00:00:00.000Z", "end": "2026-12-01T00:00:00.000Z",
                        "currency": "USD", "commitment": "2.5", "termDurationInSeconds": 94608000
                    }]),
                    serde_json::json!("sp-page-2"),
                ),
                Some(_) => (
                    serde_json::json!([{
                        "savingsPlanId": "sp-2", "savingsPlanArn": format!("arn:aws:savingsplans::{account}:savingsplan/sp-2"),
                        "savingsPlanType": "EC2Instance", "ec2InstanceFamily": "m6i", "region": "eu-west-1", "state": "active",
                        "paymentOption": "All Upfront", "start": "2025-06-01T00:00:00.000Z", "end": "2028-06-01T00:00:00.000Z",
                        "currency": "USD", "commitment": "0.75"
                    }]),
                    serde_json::Value::Null,
                ),
            };
            json(StatusCode::OK, "application/json", serde_json::json!({"savingsPlans": plans, "nextToken": next}))
        }
        ("GetRightsizingRecommendation", Mode::Denied) => json(
            StatusCode::BAD_REQUEST,
            ce,
            serde_json::json!({"__type": "AccessDeniedException", "message": "User is not authorized to perform ce:GetRightsizingRecommendation"}),
        ),
        ("GetRightsizingRecommendation", Mode::Ok) => {
            let token = serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|b| b["NextPageToken"].as_str().map(String::from));
            let ec2 = |t: &str| serde_json::json!({"EC2ResourceDetails": {"InstanceType": t, "Region": "EU (Ireland)"}});
            let page = match token {
                None => serde_json::json!({
                    "RightsizingRecommendations": [{
                        "AccountId": account, "RightsizingType": "MODIFY",
                        "CurrentInstance": {"ResourceId": "i-0abc", "InstanceName": "batch", "ResourceDetails": ec2("m5.2xlarge"), "CurrencyCode": "USD", "MonthlyCost": "280.32"},
                        "ModifyRecommendationDetail": {"TargetInstances": [
                            {"EstimatedMonthlySavings": "60.00", "CurrencyCode": "USD", "DefaultTargetInstance": false, "ResourceDetails": ec2("m5.large")},
                            {"EstimatedMonthlySavings": "140.16", "CurrencyCode": "USD", "DefaultTargetInstance": true, "ResourceDetails": ec2("m5.xlarge")}
                        ]}
                    }],
                    "NextPageToken": "rs-page-2",
                    "Configuration": {"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": true}
                }),
                Some(_) => serde_json::json!({
                    "RightsizingRecommendations": [{
                        "AccountId": account, "RightsizingType": "TERMINATE",
                        "CurrentInstance": {"ResourceId": "i-0idle", "ResourceDetails": ec2("t3.large"), "CurrencyCode": "USD"},
                        "TerminateRecommendationDetail": {"EstimatedMonthlySavings": "60.74", "CurrencyCode": "USD"}
                    }]
                }),
            };
            json(StatusCode::OK, ce, page)
        }
        ("GetSavingsPlansPurchaseRecommendation", _) => json(
            StatusCode::OK,
            ce,
            serde_json::json!({
                "Metadata": {"RecommendationId": "r-1", "GenerationTimestamp": "2026-11-01T00:00:00Z", "LookbackPeriodInDays": "THIRTY_DAYS"},
                "SavingsPlansPurchaseRecommendation": {
                    "AccountScope": "PAYER", "SavingsPlansType": "COMPUTE_SP", "TermInYears": "ONE_YEAR",
                    "PaymentOption": "NO_UPFRONT", "LookbackPeriodInDays": "THIRTY_DAYS",
                    "SavingsPlansPurchaseRecommendationDetails": [{
                        "AccountId": account, "HourlyCommitmentToPurchase": "1.75", "CurrencyCode": "USD",
                        "EstimatedMonthlySavingsAmount": "357.70", "EstimatedSavingsPercentage": "28"
                    }]
                }
            }),
        ),
        (other, _) => json(
            StatusCode::BAD_REQUEST,
            ce,
            serde_json::json!({"__type": "UnknownOperationException", "message": format!("the fake does not answer {other}")}),
        ),
    }
}

/// Serves the fake on a free port; answers its URL and what it saw.
async fn fake_aws(mode: Mode, account: &str) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let (s, a) = (seen.clone(), account.to_string());
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
        let (s, a) = (s.clone(), a.clone());
        async move { answer(mode, s, a, uri, headers, body).await }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn local_broker() -> Arc<dyn AccessBroker> {
    Arc::new(LocalBroker {
        base_url: "http://127.0.0.1:1".into(),
    })
}

#[tokio::test]
async fn renewals_read_savings_plans_and_ec2_and_rds_reservations_in_their_wire_protocols() {
    let payer = fresh_account();
    let (url, seen) = fake_aws(Mode::Ok, &payer).await;
    let sdk = emulator_sdk_config(&url).await;
    let accounts = vec![account(&payer, "eu-west-1", true)];
    let c = customer();
    let month = ReportMonth::parse("2026-10").unwrap();
    let scope = ReportScope {
        customer: &c,
        accounts: &accounts,
        month,
    };
    let found = AwsRenewals::new(sdk, local_broker()).commitments(&scope).await.unwrap();
    let mut ids: Vec<(&str, CommitmentKind)> = found.iter().map(|c| (c.id.as_str(), c.kind)).collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![
            (
                "e0b0d1a2-1111-4222-8333-444455556666",
                CommitmentKind::Ec2ReservedInstances
            ),
            ("ri-pg-1", CommitmentKind::RdsReservedInstances),
            ("ri-pg-2", CommitmentKind::RdsReservedInstances),
            ("sp-1", CommitmentKind::SavingsPlan),
            ("sp-2", CommitmentKind::SavingsPlan),
        ],
        "both pages of Savings Plans and RDS, the retired reservation left out"
    );
    let ec2 = found
        .iter()
        .find(|c| c.kind == CommitmentKind::Ec2ReservedInstances)
        .unwrap();
    assert_eq!(ec2.description, "m6i.large × 4 Linux/UNIX");
    assert_eq!((ec2.count, ec2.ends_at), (Some(4), datetime!(2026-11-15 10:00 UTC)));
    assert_eq!(
        (ec2.hourly_commitment, ec2.payment_option.as_deref()),
        (Some(0.124), Some("No Upfront"))
    );
    let rds = found.iter().find(|c| c.id == "ri-pg-1").unwrap();
    assert_eq!(rds.ends_at, datetime!(2026-12-20 00:00 UTC), "StartTime + Duration");
    assert_eq!(rds.description, "db.r6g.large × 2 postgresql Multi-AZ");
    let sp = found.iter().find(|c| c.id == "sp-1").unwrap();
    assert_eq!(
        (sp.description.as_str(), sp.hourly_commitment, sp.account.as_str()),
        ("Compute Savings Plan", Some(2.5), payer.as_str())
    );
    assert_eq!(
        found.iter().find(|c| c.id == "sp-2").unwrap().description,
        "EC2 Instance Savings Plan (m6i)"
    );

    // What was asked: only active commitments, every page.
    let seen = seen.lock().unwrap().clone();
    let ec2_req = &seen.iter().find(|(op, _)| op == "DescribeReservedInstances").unwrap().1;
    assert_eq!(form_value(ec2_req, "Filter.1.Name").as_deref(), Some("state"));
    assert_eq!(form_value(ec2_req, "Filter.1.Value.1").as_deref(), Some("active"));
    assert_eq!(
        seen.iter()
            .filter(|(op, _)| op == "DescribeReservedDBInstances")
            .count(),
        2
    );
    let sp_reqs: Vec<&String> = seen
        .iter()
        .filter(|(op, _)| op == "DescribeSavingsPlans")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(sp_reqs.len(), 2);
    assert!(sp_reqs[0].contains(r#""states":["active"]"#), "{}", sp_reqs[0]);

    // The section keeps those ending within 90 days of the month's end, soonest first.
    let section = sections::renewals(month, Ok(found));
    let ending: Vec<&str> = section.data().unwrap().ending.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ending, vec!["e0b0d1a2-1111-4222-8333-444455556666", "sp-1", "ri-pg-1"]);
}

#[tokio::test]
async fn an_access_denied_reservation_call_makes_renewals_unavailable_with_the_reason() {
    let payer = fresh_account();
    let (url, _) = fake_aws(Mode::Denied, &payer).await;
    let accounts = vec![account(&payer, "eu-west-1", true)];
    let c = customer();
    let scope = october(&c, &accounts);
    let err = AwsRenewals::new(emulator_sdk_config(&url).await, local_broker())
        .commitments(&scope)
        .await
        .unwrap_err();
    let SourceError::Unavailable(m) = &err else {
        panic!("{err:?}")
    };
    assert!(
        m.contains("EC2 DescribeReservedInstances")
            && m.contains("access was denied (UnauthorizedOperation)")
            && m.contains(&payer),
        "{m}"
    );
    let section = sections::renewals(scope.month, Err(err));
    assert!(!section.is_ready());
}

#[tokio::test]
async fn recommendations_read_rightsizing_and_purchases_over_json_1_1() {
    let payer = fresh_account();
    let member = fresh_account();
    let (url, seen) = fake_aws(Mode::Ok, &payer).await;
    let accounts = vec![account(&member, "eu-west-1", false), account(&payer, "us-east-1", true)];
    let c = customer();
    let scope = october(&c, &accounts);
    let found = CostExplorerRecommendations::new(emulator_sdk_config(&url).await, local_broker())
        .recommendations(&scope)
        .await
        .unwrap();
    let got: Vec<(RecommendationKind, Option<&str>, &str, f64)> = found
        .iter()
        .map(|r| {
            (
                r.kind,
                r.resource.as_deref(),
                r.description.as_str(),
                r.estimated_monthly_savings,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                RecommendationKind::RightsizingModify,
                Some("i-0abc"),
                "m5.2xlarge → m5.xlarge (batch)",
                140.16
            ),
            (
                RecommendationKind::RightsizingTerminate,
                Some("i-0idle"),
                "terminate t3.large",
                60.74
            ),
            (
                RecommendationKind::SavingsPlansPurchase,
                None,
                "Compute Savings Plan, 1 year, No Upfront, 1.75 USD/hour",
                357.7
            ),
        ]
    );
    let seen = seen.lock().unwrap().clone();
    let rs: Vec<&String> = seen
        .iter()
        .filter(|(op, _)| op == "GetRightsizingRecommendation")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(rs.len(), 2, "the second page is followed");
    assert!(rs[0].contains(r#""Service":"AmazonEC2""#), "{}", rs[0]);
    let sp = &seen
        .iter()
        .find(|(op, _)| op == "GetSavingsPlansPurchaseRecommendation")
        .unwrap()
        .1;
    assert!(
        sp.contains(r#""AccountScope":"PAYER""#) && sp.contains(r#""SavingsPlansType":"COMPUTE_SP""#),
        "{sp}"
    );
    let section = sections::optimisation(Ok(found));
    let data = section.data().unwrap();
    assert_eq!(data.total_monthly_savings[0].amount, 558.6);
    assert_eq!(
        data.recommendations[0].kind,
        RecommendationKind::SavingsPlansPurchase,
        "largest saving first"
    );
}

#[tokio::test]
async fn a_denied_cost_explorer_makes_optimisation_unavailable_and_no_payer_is_no_data() {
    let payer = fresh_account();
    let (url, _) = fake_aws(Mode::Denied, &payer).await;
    let accounts = vec![account(&payer, "us-east-1", true)];
    let c = customer();
    let month = ReportMonth::parse("2026-10").unwrap();
    let scope = ReportScope {
        customer: &c,
        accounts: &accounts,
        month,
    };
    let source = CostExplorerRecommendations::new(emulator_sdk_config(&url).await, local_broker());
    let err = source.recommendations(&scope).await.unwrap_err();
    let SourceError::Unavailable(m) = &err else {
        panic!("{err:?}")
    };
    assert!(
        m.contains("access was denied (AccessDeniedException)") && m.contains("GetRightsizingRecommendation"),
        "{m}"
    );
    let members = vec![account(&payer, "us-east-1", false)];
    let scope = ReportScope {
        customer: &c,
        accounts: &members,
        month,
    };
    assert!(matches!(
        source.recommendations(&scope).await,
        Err(SourceError::NoData(_))
    ));
}
