//! The breakglass AWS adapters against moto: STS AssumeRole (external id, SourceIdentity, session
//! tag), the federation sign-in link against a local server playing the endpoint, and IAM's
//! "revoke older sessions" inline policy.

use std::sync::Arc;

use cc_adapters::iam::{IamRoleGuard, POLICY_NAME};
use cc_adapters::sts::StsBroker;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::access::ports::{AccessBroker, Assume, RoleGuard};
use cc_domain::ids::{ExternalId, RoleArn, new_ulid};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"]}]}"#;

async fn federation_server() -> String {
    use axum::extract::Query;
    use std::collections::HashMap;
    let app = axum::Router::new().route(
        "/federation",
        axum::routing::get(|Query(q): Query<HashMap<String, String>>| async move {
            let session: serde_json::Value =
                serde_json::from_str(q.get("Session").map(String::as_str).unwrap_or("{}")).unwrap_or_default();
            let ok = q.get("Action").map(String::as_str) == Some("getSigninToken")
                && session["sessionId"].is_string()
                && session["sessionKey"].is_string()
                && session["sessionToken"].is_string();
            if ok {
                (
                    axum::http::StatusCode::OK,
                    r#"{"SigninToken":"token-from-test-endpoint"}"#,
                )
            } else {
                (axum::http::StatusCode::BAD_REQUEST, "{}")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn sts_broker_and_iam_role_guard_on_moto() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let name = format!("CCBreakglass{}", &new_ulid().to_string()[18..]);
    let created = iam
        .create_role()
        .role_name(&name)
        .assume_role_policy_document(TRUST)
        .max_session_duration(3600)
        .send()
        .await
        .unwrap();
    let role = RoleArn::parse(created.role().unwrap().arn()).unwrap();

    let broker: Arc<dyn AccessBroker> = Arc::new(StsBroker::new(
        aws_sdk_sts::Client::new(&sdk),
        federation_server().await,
    ));
    let before = time::OffsetDateTime::now_utc();
    let creds = broker
        .assume(&Assume {
            role_arn: role.clone(),
            external_id: Some(ExternalId::parse("cc-acme-1").unwrap()),
            session_name: "cc-erin@example.com".into(),
            source_identity: "erin@example.com".into(),
            duration_seconds: 1800,
            request_id: "01jrequest".into(),
        })
        .await
        .unwrap();
    assert!(!creds.access_key_id.is_empty() && !creds.secret_access_key.is_empty() && !creds.session_token.is_empty());
    let lifetime = (creds.expiration - before).whole_seconds();
    assert!(
        (1700..=1900).contains(&lifetime),
        "DurationSeconds honoured: {lifetime}"
    );

    let link = broker
        .console_url(&creds, "https://console.aws.amazon.com/")
        .await
        .unwrap();
    assert!(link.contains("/federation?Action=login"), "{link}");
    assert!(link.contains("SigninToken=token-from-test-endpoint"));
    assert!(link.contains("Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F"));

    let guard = IamRoleGuard::new(sdk.clone(), broker.clone());
    let at = time::OffsetDateTime::now_utc();
    guard
        .deny_sessions_issued_before(&role, Some(&ExternalId::parse("cc-acme-1").unwrap()), at)
        .await
        .unwrap();
    let policy = iam
        .get_role_policy()
        .role_name(&name)
        .policy_name(POLICY_NAME)
        .send()
        .await
        .unwrap();
    let doc = policy.policy_document();
    let doc = url::form_urlencoded::parse(format!("d={doc}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let doc: serde_json::Value =
        serde_json::from_str(&doc).unwrap_or_else(|_| serde_json::from_str(policy.policy_document()).unwrap());
    assert_eq!(doc["Statement"][0]["Effect"], "Deny");
    let cutoff = doc["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
        .as_str()
        .unwrap();
    let cutoff = time::OffsetDateTime::parse(cutoff, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(
        cutoff >= at.replace_nanosecond(0).unwrap() && cutoff <= at + time::Duration::seconds(2),
        "{cutoff}"
    );
}

#[tokio::test]
async fn sns_notifier_publishes_to_the_topic_on_moto() {
    use cc_domain::access::ports::{Notification, Notifier};
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let sns = aws_sdk_sns::Client::new(&sdk);
    let topic = sns
        .create_topic()
        .name(format!("approvers-{}", new_ulid()))
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();
    let n = Notification {
        event: "request_created",
        request_id: "01jabc".into(),
        customer: "acme".into(),
        account_id: "012345678901".into(),
        text: "erin asks for 60 minutes of write access".into(),
    };
    cc_adapters::sns::SnsNotifier::new(sns.clone(), &topic)
        .notify(&n)
        .await
        .unwrap();
    let missing = topic.replace("approvers-", "missing-");
    assert!(
        cc_adapters::sns::SnsNotifier::new(sns, missing)
            .notify(&n)
            .await
            .is_err(),
        "an unknown topic is an error"
    );
}
