//! The sample events of `approval` through the Lambda router.

use cc_domain::config::Config;
use cc_http::testing::{Expect, err};

const EXPECTED: &[Expect] = &[
    err("01-decide-unknown-request", 404, "not_found"),
    err("02-decide-malformed-id", 400, "validation_failed"),
    err("03-decide-bad-verdict", 400, "invalid_field"),
];

#[tokio::test]
async fn sample_events_run_through_the_lambda_router() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let app = cc_adapters::wire::access(Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap())
        .await
        .unwrap();
    let router = approval::router(cc_http::Api::new(app, None));
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "approval");
    let bodies = cc_http::testing::replay(&router, &events, EXPECTED).await;
    assert_eq!(bodies[2]["error"]["field"], "decision");
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
        approval::router,
        &approval::openapi(),
    )
    .await;
}

#[test]
fn query_rules_file_matches_the_document() {
    cc_http::testing::query_rules_file_matches(
        &approval::openapi(),
        concat!(env!("CARGO_MANIFEST_DIR"), "/query-rules.txt"),
    );
}
