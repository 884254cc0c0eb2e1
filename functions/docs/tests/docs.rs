//! The docs function: the merged document is every function's own routes, served publicly; the
//! sample event through the Lambda router.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| methods.contains(&m.as_str()))
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

#[test]
fn the_merged_document_is_exactly_every_function_s_own_routes() {
    let mut union = BTreeSet::new();
    for (name, doc) in docs::by_function() {
        let ops = operations(&serde_json::to_value(doc).unwrap());
        assert!(!ops.is_empty(), "{name} documents no route");
        for op in ops {
            assert!(union.insert(op.clone()), "{op:?} is documented by two functions");
        }
    }
    let merged = serde_json::to_value(docs::merged()).unwrap();
    assert_eq!(operations(&merged), union, "merging lost or invented a route");
    assert_eq!(merged["info"]["title"], "Customer Central API");
    assert_eq!(merged["security"], serde_json::json!([{"bearer": []}]));
    assert_eq!(merged["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(
        merged["paths"]["/api/v1/openapi.json"]["get"]["security"],
        serde_json::json!([{}]),
        "the document itself needs no token"
    );
    for schema in ["Account", "AccessRequest", "ApprovalPolicy", "ErrorBody"] {
        assert!(merged["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

#[tokio::test]
async fn the_sample_event_gets_the_merged_document() {
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "docs");
    let bodies = cc_http::testing::replay(&docs::router(), &events, &[cc_http::testing::ok("01-openapi", 200)]).await;
    assert_eq!(bodies[0], serde_json::to_value(docs::merged()).unwrap());
}

#[tokio::test]
async fn other_routes_and_methods_get_json_errors() {
    for (method, uri, status, code) in [
        ("GET", "/api/v1/openapi.yaml", StatusCode::NOT_FOUND, "no_such_route"),
        (
            "POST",
            "/api/v1/openapi.json",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ] {
        let req = Request::builder().method(method).uri(uri).body(Body::empty()).unwrap();
        let res = docs::router().oneshot(req).await.unwrap();
        assert_eq!(res.status(), status, "{method} {uri}");
        let body: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert_eq!(body["error"]["code"], code, "{method} {uri}");
    }
}

/// A schema name means one schema across the API: two functions defining different schemas under
/// one name leave the merged document (and the UI's generated types) with only one of them.
#[test]
fn every_schema_name_means_the_same_schema_in_every_function() {
    let merged = serde_json::to_value(docs::merged()).unwrap();
    for (name, doc) in docs::by_function() {
        let doc = serde_json::to_value(doc).unwrap();
        let Some(schemas) = doc["components"]["schemas"].as_object() else {
            continue;
        };
        for (schema, body) in schemas {
            assert_eq!(
                &merged["components"]["schemas"][schema], body,
                "{name}'s schema {schema} is not the merged document's {schema}"
            );
        }
    }
}

/// The public route refuses a query parameter it does not take, too.
#[tokio::test]
async fn the_document_route_refuses_an_unknown_query_parameter() {
    let res = docs::router()
        .oneshot(Request::get("/api/v1/openapi.json?foo=1").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["error"]["field"], "foo", "{body}");
    let res = docs::router()
        .oneshot(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
