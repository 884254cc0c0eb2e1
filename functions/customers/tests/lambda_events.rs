//! Every sample event in `events/customers/` through the same router and Lambda entry
//! (`cc_http::lambda`) the function runs, with the claims API Gateway's JWT authorizer puts in
//! the request context (no local verifier).

use std::sync::Arc;

use cc_domain::App;
use cc_domain::config::Config;
use cc_http::testing::{Expect, err, ok};

const EXPECTED: &[Expect] = &[
    ok("01-get-me", 200),
    ok("02-create-customer", 201),
    ok("03-list-customers", 200),
    ok("04-get-customer", 200),
    ok("05-update-customer", 200),
    ok("06-create-contact", 201),
    ok("07-list-contacts", 200),
    err("08-update-unknown-contact", 404, "not_found"),
    err("09-delete-unknown-contact", 404, "not_found"),
    ok("10-create-account", 201),
    ok("11-list-accounts", 200),
    ok("12-get-account", 200),
    ok("13-update-account", 200),
    ok("14-console-links", 200),
    ok("15-search", 200),
    err("16-create-customer-as-engineer", 403, "forbidden"),
    err("17-delete-customer-with-accounts", 409, "customer_has_accounts"),
    ok("18-delete-account", 204),
    ok("19-delete-customer", 204),
    ok("20-put-team", 200),
    ok("21-get-team", 200),
    err("22-put-team-stale-version", 409, "version_conflict"),
    ok("23-put-person", 201),
    ok("24-get-person", 200),
    ok("25-list-people", 200),
    err("26-put-person-email-taken", 409, "email_taken"),
    err("27-list-people-as-engineer", 403, "forbidden"),
    ok("28-delete-person", 204),
    err("29-get-deleted-person", 404, "not_found"),
    ok("30-customer-overview", 200),
    err("31-customer-overview-unknown", 404, "not_found"),
    ok("32-bulk-accounts", 201),
    err("33-bulk-accounts-invalid", 400, "validation_failed"),
];

#[tokio::test]
async fn sample_events_run_through_the_lambda_router_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| data_dir.clone())).unwrap();
    run_events(cc_adapters::wire::hub(config).await.unwrap()).await;
}

/// The same events with the hub on DynamoDB and S3 (moto): the AWS adapters behind the same routes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_events_run_against_dynamodb_on_moto() {
    let Some(url) = cc_adapters::wire::test_emulator_url() else {
        return;
    };
    let table = format!("hub-{}", cc_domain::ids::new_ulid()).to_lowercase();
    let bucket = format!("reports-{}", cc_domain::ids::new_ulid()).to_lowercase();
    let config = Config::from_lookup(|k| match k {
        "CC_STORE" => Some("aws".into()),
        "CC_TABLE" => Some(table.clone()),
        "CC_BUCKET" => Some(bucket.clone()),
        "AWS_ENDPOINT_URL" => Some(url.clone()),
        _ => None,
    })
    .unwrap();
    let sdk = cc_adapters::wire::emulator_sdk_config(&url).await;
    let items = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    items.ensure_table().await.unwrap();
    let s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
    let objects = cc_adapters::s3::S3Store::new(aws_sdk_s3::Client::from_conf(s3), &bucket);
    objects.ensure_bucket().await.unwrap();
    let items: Arc<dyn cc_domain::store::ItemStore> = Arc::new(items);
    run_events(App::new(config, items, cc_domain::Clock::system()).with_objects(Arc::new(objects))).await;
}

async fn run_events(app: App) {
    // As in Lambda: API Gateway verified the token; the function has no verifier of its own.
    let admin = cc_domain::identity::Principal {
        email: cc_domain::ids::Email::parse("ada.admin@demo.customer-central.dev").unwrap(),
        subject: "seed".into(),
        roles: [cc_domain::identity::Role::Admin].into(),
    };
    let acme = serde_json::from_value(serde_json::json!({"code": "acme-retail", "name": "Acme Retail"})).unwrap();
    app.hub.create_customer(&admin, acme).await.unwrap();
    let router = customers::router(cc_http::Api::new(app.clone(), None));
    let dir = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "customers");
    let bodies = cc_http::testing::replay(&router, &dir, EXPECTED).await;
    assert_eq!(
        bodies[0]["roles"],
        serde_json::json!(["admin"]),
        "groups claim as API Gateway renders arrays"
    );
    assert_eq!(bodies[14]["accounts"][0]["id"], "000111222333");
    assert_eq!(bodies[23]["email"], "erin.engineer@demo.customer-central.dev");
    assert_eq!(bodies[24]["items"][0]["subject"], "00u1a2b3c4D5e6F7g8h9");
    assert_eq!(bodies[20]["members"].as_array().unwrap().len(), 2);
    assert_eq!(
        bodies[20]["history"][0]["added"].as_array().unwrap().len(),
        2,
        "the change is kept"
    );
    // Every change is audited with who made it and from where (API Gateway's sourceIp, set for
    // the request by the router's origin layer), on the all-customers monthly index.
    let month = cc_domain::keys::audit_month(app.clock.now());
    let events: Vec<cc_domain::audit::AuditEvent> = app
        .items
        .query_all(cc_domain::store::Query::partition(cc_domain::store::Index::Gsi2, month).limit(100))
        .await
        .unwrap()
        .into_iter()
        .map(|i| serde_json::from_value(i.data).unwrap())
        .filter(|e: &cc_domain::audit::AuditEvent| e.source_ip.is_some())
        .collect();
    let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "account_created",
            // The two of 32-bulk-accounts: one event per account, with the caller's origin.
            "account_created",
            "account_created",
            "account_deleted",
            "account_updated",
            "contact_created",
            "customer_created",
            "customer_deleted",
            "customer_updated",
            "person_created",
            "person_deleted",
            "team_changed"
        ],
        "{events:#?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e.source_ip.as_deref() == Some("203.0.113.10") && e.actor == "ada.admin@demo.customer-central.dev"),
        "{events:#?}"
    );
}
