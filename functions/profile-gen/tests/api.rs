//! The profile routes through the Lambda router with the sample events, and the rules around
//! them: whose accounts, bad templates, unknown customers, preferences with versions.

use cc_domain::App;
use cc_domain::config::Config;
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::Email;
use cc_http::testing::{Expect, err, ok};
use serde_json::json;

const EXPECTED: &[Expect] = &[
    ok("01-get-preferences", 200),
    ok("02-put-preferences", 200),
    ok("03-profiles-ini", 200),
    ok("04-profiles-json-filtered", 200),
    err("05-profiles-unknown-placeholder", 400, "validation_failed"),
    err("06-profiles-unknown-customer", 404, "not_found"),
    err("07-profiles-all-as-engineer", 403, "forbidden"),
    ok("08-profiles-all-as-lead", 200),
];

fn person(email: &str, roles: &[Role]) -> Principal {
    Principal {
        email: Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    }
}

async fn app() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let app = cc_adapters::wire::hub(Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap())
        .await
        .unwrap();
    let admin = person("ada.admin@demo.customer-central.dev", &[Role::Admin]);
    for code in ["events-demo", "other"] {
        let c = serde_json::from_value(json!({"code": code, "name": code})).unwrap();
        app.hub.create_customer(&admin, c).await.unwrap();
    }
    // Aliases are unique across the hub.
    for (id, customer, alias) in [
        ("000111222333", "events-demo", "pay"),
        ("000111222334", "other", "pay-other"),
    ] {
        let a = serde_json::from_value(json!({
            "id": id, "customer": customer, "name": "payments prod", "alias": alias, "environment": "prod", "region": "eu-west-1",
            "access": {"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/R"),
                       "breakglass_role_arn": format!("arn:aws:iam::{id}:role/B"), "external_id": "cc-ext-1"}}))
        .unwrap();
        app.hub.create_account(&admin, a).await.unwrap();
    }
    let team = cc_domain::hub::TeamUpdate {
        members: vec![Email::parse("erin.engineer@demo.customer-central.dev").unwrap()],
        version: 0,
    };
    app.hub.put_team(&admin, "events-demo", team).await.unwrap();
    (app, dir)
}

#[tokio::test]
async fn sample_events_run_through_the_lambda_router() {
    let (app, _dir) = app().await;
    let router = profile_gen::router(cc_http::Api::new(app, None));
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "profile-gen");
    let bodies = cc_http::testing::replay(&router, &events, EXPECTED).await;
    assert_eq!(bodies[1]["version"], 1);
    let filtered = &bodies[3];
    let names: Vec<&str> = filtered["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["events-demo-pay-breakglass", "events-demo-pay-read"],
        "erin's team only, her template"
    );
    assert_eq!(
        filtered["profiles"][1]["settings"][1],
        json!(["source_profile", "sre-hub"])
    );
    assert_eq!(
        bodies[7]["profiles"].as_array().unwrap().len(),
        4,
        "a lead asking for all sees every customer"
    );
}

#[tokio::test]
async fn people_see_only_their_teams_and_bad_input_is_refused() {
    let (app, _dir) = app().await;
    let erin = person("erin.engineer@demo.customer-central.dev", &[Role::Engineer]);
    let q = cc_domain::profiles::service::ProfileQuery::default();
    let set = app.profiles.generate(&erin, &q).await.unwrap();
    assert!(set.profiles.iter().all(|p| p.customer == "events-demo"));
    let not_mine = cc_domain::profiles::service::ProfileQuery {
        customers: Some(vec!["other".into()]),
        ..Default::default()
    };
    assert!(matches!(
        app.profiles.generate(&erin, &not_mine).await,
        Err(cc_domain::Error::Forbidden(_))
    ));
    let other_template = cc_domain::profiles::service::ProfileQuery {
        template: Some("{env}-{id}-{role}".into()),
        ..Default::default()
    };
    assert!(app.profiles.generate(&erin, &other_template).await.is_ok());
    let stranger = person("nobody@example.com", &[Role::Engineer]);
    assert!(
        app.profiles.generate(&stranger, &q).await.unwrap().profiles.is_empty(),
        "no team, no profiles"
    );
    // Preferences: validated, versioned.
    let mut prefs = app.profiles.preferences(&erin).await.unwrap();
    prefs.template = "{customer}-{nope}".into();
    assert!(matches!(
        app.profiles.put_preferences(&erin, prefs.clone()).await,
        Err(cc_domain::Error::Validation { .. })
    ));
    prefs.template = "{id}-{role}".into();
    let saved = app.profiles.put_preferences(&erin, prefs.clone()).await.unwrap();
    assert_eq!(saved.version, 1);
    // Version 0 again (also what a body without `version` means) says to send the version read.
    let err = app.profiles.put_preferences(&erin, prefs.clone()).await.unwrap_err();
    assert!(matches!(err, cc_domain::Error::Conflict { .. }), "stale version: {err}");
    assert!(err.to_string().contains("send the version you read"), "{err}");
    let mut later = saved.clone();
    later.template = "{id}".into();
    app.profiles.put_preferences(&erin, later).await.unwrap();
    let err = app.profiles.put_preferences(&erin, saved).await.unwrap_err();
    assert!(err.to_string().contains("changed elsewhere"), "{err}");
    let set = app.profiles.generate(&erin, &q).await.unwrap();
    assert_eq!(
        set.profiles[1].name, "000111222333--breakglass",
        "regeneration uses the stored template (the id twice told nothing; the role does)"
    );
}

/// Every route of the function refuses a query parameter it does not take (400 naming it), those
/// that take none too: a typo'd filter never quietly does nothing.
#[tokio::test]
async fn every_route_refuses_an_unknown_query_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = cc_domain::config::Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let app = cc_adapters::wire::hub(config).await.unwrap();
    cc_http::testing::every_route_of_a_function_refuses_an_unknown_query_parameter(
        app,
        profile_gen::router,
        &profile_gen::openapi(),
    )
    .await;
}

#[test]
fn query_rules_file_matches_the_document() {
    cc_http::testing::query_rules_file_matches(
        &profile_gen::openapi(),
        concat!(env!("CARGO_MANIFEST_DIR"), "/query-rules.txt"),
    );
}
