//! The sample events of `access-request` through the Lambda router, with the claims API
//! Gateway's authorizer would pass, against a hub holding the events' customer and account.

use cc_domain::App;
use cc_domain::config::Config;
use cc_http::testing::{Expect, err, ok};

const EXPECTED: &[Expect] = &[
    ok("01-get-approval-policy", 200),
    ok("02-put-approval-policy", 200),
    ok("03-create-request", 201),
    err("04-create-request-without-ticket", 400, "validation_failed"),
    ok("05-list-my-requests", 200),
    ok("06-list-to-approve", 200),
    err("07-list-all-as-engineer", 403, "forbidden"),
    err("08-get-unknown-request", 404, "not_found"),
    err("09-cancel-unknown-request", 404, "not_found"),
    err("10-revoke-unknown-request", 404, "not_found"),
    err("11-credentials-unknown-request", 404, "not_found"),
    err("12-console-link-unknown-request", 404, "not_found"),
    ok("13-my-sessions", 200),
    ok("14-all-sessions", 200),
    ok("15-audit", 200),
    ok("16-patch-approval-policy", 200),
    ok("17-end-access-account", 200),
    ok("18-end-access-customer", 200),
    ok("19-list-approval-policies", 200),
    err("20-audit-of-unknown-request", 404, "not_found"),
];

/// The customer and account the sample events name.
async fn events_hub(app: &App) {
    let admin = cc_domain::identity::Principal {
        email: cc_domain::ids::Email::parse("ada.admin@demo.customer-central.dev").unwrap(),
        subject: "seed".into(),
        roles: [cc_domain::identity::Role::Admin].into(),
    };
    let customer = serde_json::from_value(serde_json::json!({"code": "events-demo", "name": "Events Demo"})).unwrap();
    app.hub.create_customer(&admin, customer).await.unwrap();
    let account = serde_json::from_value(serde_json::json!({
        "id": "000111222333", "customer": "events-demo", "name": "payments prod", "environment": "prod",
        "region": "eu-west-1", "access": {"method": "role",
            "read_role_arn": "arn:aws:iam::000111222333:role/CustomerCentralRead",
            "breakglass_role_arn": "arn:aws:iam::000111222333:role/CustomerCentralBreakglass",
            "external_id": "cc-events-demo-1"}}))
    .unwrap();
    app.hub.create_account(&admin, account).await.unwrap();
    let team = cc_domain::hub::TeamUpdate {
        members: [
            "erin.engineer@demo.customer-central.dev",
            "sam.senior@demo.customer-central.dev",
        ]
        .map(|e| cc_domain::ids::Email::parse(e).unwrap())
        .to_vec(),
        version: 0,
    };
    app.hub.put_team(&admin, "events-demo", team).await.unwrap();
}

#[tokio::test]
async fn sample_events_run_through_the_lambda_router() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let app = cc_adapters::wire::access(Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap())
        .await
        .unwrap();
    events_hub(&app).await;
    let router = access_request::router(cc_http::Api::new(app.clone(), None));
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "access-request");
    let bodies = cc_http::testing::replay(&router, &events, EXPECTED).await;
    assert_eq!(bodies[2]["status"], "pending");
    assert_eq!(
        bodies[3]["error"]["field"], "ticket",
        "the policy set by event 02 requires a ticket"
    );
    assert_eq!(
        bodies[5]["items"][0]["id"], bodies[2]["id"],
        "the senior sees the request to approve"
    );
    let audit = bodies[14]["items"].as_array().unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "request_refused",
            "request_created",
            "policy_changed",
            "team_changed",
            "account_created",
            "customer_created"
        ],
        "the hub's set-up, the policy change, the request and the one refused for its missing ticket"
    );
    assert_eq!(
        audit[0]["source_ip"], "203.0.113.10",
        "API Gateway's sourceIp is audited"
    );
    assert!(audit[0]["detail"].as_str().unwrap().contains("ticket"), "{}", audit[0]);
    assert_eq!(audit[2]["before"]["ticket_required"], false);
    assert_eq!(audit[2]["after"]["ticket_required"], true);
    assert_eq!(bodies[15]["max_duration_minutes"], 120, "PATCH changes what it names");
    assert_eq!(bodies[15]["ticket_required"], true, "and keeps the rest");
    assert_eq!(bodies[15]["version"], 2);
    assert_eq!(bodies[16]["ended"], 1, "event 03's pending request is cancelled");
    assert_eq!(bodies[17]["ended"], 0, "nothing left open");
}

/// An export that outgrows its budget stops at a page boundary with the cursor to go on from; the
/// pieces together are the whole log.
#[tokio::test]
async fn an_export_over_budget_continues_from_its_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let app = cc_adapters::wire::access(Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap())
        .await
        .unwrap();
    events_hub(&app).await;
    let lead = cc_domain::identity::Principal {
        email: cc_domain::ids::Email::parse("lee.lead@demo.customer-central.dev").unwrap(),
        subject: "lead".into(),
        roles: [cc_domain::identity::Role::Lead].into(),
    };
    let now = app.clock.now();
    let q = cc_domain::access::service::AuditQuery {
        request: None,
        customer: None,
        account: None,
        actor: None,
        from: now - time::Duration::hours(1),
        to: now + time::Duration::minutes(1),
    };
    let access = app.access().unwrap();
    let page = |cursor| cc_domain::page::PageRequest::new(Some(2), cursor).unwrap();
    let (whole, next) = access_request::export_ndjson(access, &lead, &q, page(None), usize::MAX)
        .await
        .unwrap();
    assert!(next.is_none());
    assert_eq!(whole.lines().count(), 3, "customer, account and team: {whole}");
    let mut pieces = String::new();
    let mut cursor = None;
    let mut responses = 0;
    loop {
        let (body, next) = access_request::export_ndjson(access, &lead, &q, page(cursor), 1)
            .await
            .unwrap();
        responses += 1;
        pieces.push_str(&body);
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(responses, 2, "a budget of one byte answers one page per response");
    assert_eq!(pieces, whole);
}

/// Every route of the function refuses a query parameter it does not take (400 naming it), those
/// that take none too: a typo'd filter never quietly does nothing.
#[tokio::test]
async fn every_route_refuses_an_unknown_query_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = cc_domain::config::Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let app = cc_adapters::wire::access(config).await.unwrap();
    cc_http::testing::every_route_of_a_function_refuses_an_unknown_query_parameter(
        app,
        access_request::router,
        &access_request::openapi(),
    )
    .await;
}

#[test]
fn query_rules_file_matches_the_document() {
    cc_http::testing::query_rules_file_matches(
        &access_request::openapi(),
        concat!(env!("CARGO_MANIFEST_DIR"), "/query-rules.txt"),
    );
}
