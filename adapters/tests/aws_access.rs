//! The breakglass AWS adapters against moto: STS AssumeRole (external id, SourceIdentity, session
//! tag), the federation sign-in link against a local server playing the endpoint, and the role
//! guard's inline deny policy (scoped per person, bounded in size, safe under concurrent writes).

use std::sync::Arc;

use cc_adapters::iam::{IamRoleGuard, POLICY_NAME};
use cc_adapters::revoke_policy;
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
    let (name, role) = role_on_moto(&iam).await;

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

    // A second person holds an overlapping grant on the same role.
    let franks = broker
        .assume(&Assume {
            role_arn: role.clone(),
            external_id: Some(ExternalId::parse("cc-acme-1").unwrap()),
            session_name: "cc-frank@example.com".into(),
            source_identity: "frank@example.com".into(),
            duration_seconds: 900,
            request_id: "01jother".into(),
        })
        .await
        .unwrap();
    assert!(!franks.session_token.is_empty());

    // Revoking erin's grant writes a deny for erin's sessions only.
    let guard = IamRoleGuard::new(sdk.clone(), broker.clone()).with_settle(std::time::Duration::ZERO);
    let at = time::OffsetDateTime::now_utc();
    guard
        .end_sessions(
            &role,
            Some(&ExternalId::parse("cc-acme-1").unwrap()),
            "erin@example.com",
            at,
        )
        .await
        .unwrap();
    let doc = policy_on(&iam, &name).await;
    let st = doc["Statement"].as_array().unwrap();
    assert_eq!(st.len(), 1, "{doc}");
    assert_eq!(st[0]["Effect"], "Deny");
    assert_eq!(
        st[0]["Condition"]["StringEquals"],
        serde_json::json!({"aws:SourceIdentity": "erin@example.com"}),
        "names erin's sessions only"
    );
    let cutoff = st[0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
        .as_str()
        .unwrap();
    let cutoff = time::OffsetDateTime::parse(cutoff, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(cutoff >= at && cutoff <= at + time::Duration::seconds(1), "{cutoff}");
    assert!(!doc.to_string().contains("frank"), "frank's grant keeps working: {doc}");
    assert!(!revoke_policy::denies_role_guard(&doc.to_string()));
    assert!(
        !doc.to_string().contains(revoke_policy::ROLE_GUARD_SOURCE_IDENTITY),
        "the role guard's own session is never named"
    );
}

/// The role guard's inline policy on `role`, as JSON.
async fn policy_on(iam: &aws_sdk_iam::Client, role: &str) -> serde_json::Value {
    let policy = iam
        .get_role_policy()
        .role_name(role)
        .policy_name(POLICY_NAME)
        .send()
        .await
        .unwrap();
    serde_json::from_str(&cc_adapters::iam::decode_document(policy.policy_document())).unwrap()
}

async fn role_on_moto(iam: &aws_sdk_iam::Client) -> (String, RoleArn) {
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
    (name, role)
}

#[tokio::test]
async fn two_hundred_ends_on_one_role_stay_within_iams_limit_on_moto() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let (name, role) = role_on_moto(&iam).await;
    let broker: Arc<dyn AccessBroker> = Arc::new(StsBroker::new(aws_sdk_sts::Client::new(&sdk), "http://127.0.0.1:1"));
    let guard = IamRoleGuard::new(sdk.clone(), broker).with_settle(std::time::Duration::ZERO);
    let start = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let mut latest = std::collections::BTreeMap::new();
    for i in 0..200i64 {
        let who = format!("engineer.{:02}@customer-example.com", (i * 7) % 60);
        let at = start + time::Duration::seconds(i * 30);
        guard.end_sessions(&role, None, &who, at).await.unwrap();
        latest.insert(who, at);
    }
    let doc = policy_on(&iam, &name).await.to_string();
    let size = revoke_policy::iam_size(&doc);
    assert!(
        size <= revoke_policy::BUDGET,
        "{size} characters (the budget is under IAM's {})",
        revoke_policy::IAM_ROLE_INLINE_LIMIT
    );
    assert_eq!(latest.len(), 60);
    for (who, at) in &latest {
        assert!(
            revoke_policy::denies(Some(&doc), who, *at),
            "{who}'s end at {at} is still denied"
        );
    }
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert!(
        doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["Condition"]["StringEquals"]["aws:SourceIdentity"].is_array()),
        "the oldest ends were merged into one statement: {doc}"
    );
    assert!(!revoke_policy::denies_role_guard(&doc.to_string()));
}

#[tokio::test]
async fn concurrent_ends_on_one_role_lose_no_statement_on_moto() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let (name, role) = role_on_moto(&iam).await;
    let broker: Arc<dyn AccessBroker> = Arc::new(StsBroker::new(aws_sdk_sts::Client::new(&sdk), "http://127.0.0.1:1"));
    let guard = Arc::new(IamRoleGuard::new(sdk.clone(), broker)); // the default settle time
    let at = time::OffsetDateTime::now_utc();
    let ends: Vec<_> = (0..6)
        .map(|i| {
            let (guard, role) = (guard.clone(), role.clone());
            tokio::spawn(async move {
                guard
                    .end_sessions(&role, None, &format!("person{i}@example.com"), at)
                    .await
            })
        })
        .collect();
    for end in ends {
        end.await.unwrap().unwrap();
    }
    let doc = policy_on(&iam, &name).await.to_string();
    for i in 0..6 {
        assert!(
            revoke_policy::denies(Some(&doc), &format!("person{i}@example.com"), at),
            "person{i}'s statement survived the concurrent writes: {doc}"
        );
    }
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
