//! Replays sample API Gateway events (`events/<function>/*.json`) through a function's router,
//! through the same Lambda entry as the functions (`crate::lambda`). Used by every function's
//! handler tests.

use std::path::{Path, PathBuf};

use axum::Router;

use crate::lambda::Adapter;

/// The sample events of one function, `events/<function>/`, from a crate inside `functions/`.
pub fn events_dir(manifest_dir: &str, function: &str) -> PathBuf {
    Path::new(manifest_dir).join("../../events").join(function)
}

/// The event names in a directory, sorted (the order they are replayed in).
pub fn event_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_stem().unwrap_or_default().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What one sample event must get back: its status and, for an error, the body's
/// `{"error":{"code":...}}`, so a router 404 (`no_such_route`) never passes for a domain 404
/// (`not_found`). Build with [`ok`] and [`err`].
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    pub name: &'static str,
    pub status: u16,
    /// Set exactly when the status is not 2xx.
    pub code: Option<&'static str>,
}

/// A success (2xx) answer.
pub const fn ok(name: &'static str, status: u16) -> Expect {
    Expect {
        name,
        status,
        code: None,
    }
}

/// An error answer with its `error.code`.
pub const fn err(name: &'static str, status: u16, code: &'static str) -> Expect {
    Expect {
        name,
        status,
        code: Some(code),
    }
}

/// Replays each expectation's event in order; panics on a parse failure, a status that differs,
/// or (for an error status) an `error.code` that differs. Returns each response body as JSON
/// (`null` when empty).
pub async fn replay(router: &Router, dir: &Path, expected: &[Expect]) -> Vec<serde_json::Value> {
    let names: Vec<String> = expected.iter().map(|e| e.name.to_string()).collect();
    assert_eq!(
        event_names(dir),
        names,
        "every event file in {} has an expectation",
        dir.display()
    );
    let adapter = Adapter::new(router.clone(), None).unwrap();
    let mut bodies = Vec::new();
    for Expect { name, status, code } in expected {
        let success = (200..300).contains(status);
        assert_eq!(
            code.is_none(),
            success,
            "{name}: an expectation names an error code exactly when its status ({status}) is not 2xx"
        );
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        let event = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let answer = adapter
            .answer(event, None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let body = answer.body_bytes();
        assert_eq!(answer.status(), *status, "{name}: {}", String::from_utf8_lossy(&body));
        let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
        if let Some(code) = code {
            assert_eq!(body["error"]["code"], *code, "{name}: {body}");
        }
        bodies.push(body);
    }
    bodies
}

/// Panics unless `file` (a function's generated `query-rules.txt`, read by its Lambda at start-up
/// through [`crate::QueryRules::generated`]) holds what `doc` (the function's own document) says
/// each route takes. With `CC_BLESS=1` in the environment it writes the file instead: run the
/// function's tests that way after changing a route's parameters.
pub fn query_rules_file_matches(doc: &utoipa::openapi::OpenApi, file: &str) {
    let want = crate::QueryRules::from_openapi(doc).to_text();
    if std::env::var_os("CC_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(file, &want).unwrap_or_else(|e| panic!("writing {file}: {e}"));
        return;
    }
    let got = std::fs::read_to_string(file).unwrap_or_default();
    assert!(
        got == want,
        "{file} is not what the function's OpenAPI document says its routes take: run its tests \
         with CC_BLESS=1 to write it again (and commit it).\n--- file\n{got}\n--- document\n{want}"
    );
}

/// Sends each operation of `doc` (a function's own document) to `router` with a query parameter
/// no route takes (`zz_unknown=1`), with `token` (one that may call every route: an admin's),
/// `{x}` for each path parameter and `{}` as a JSON body; panics unless every one is answered 400
/// `invalid_query` naming `zz_unknown` (and nothing ran: the refusal comes before the handler's
/// work). The test each function runs so that no route of it quietly ignores a parameter.
pub async fn every_route_refuses_an_unknown_query_parameter(
    router: &Router,
    doc: &utoipa::openapi::OpenApi,
    token: &str,
) {
    use tower::ServiceExt;
    let rules = crate::QueryRules::from_openapi(doc);
    let mut seen = 0;
    for (path, method, _) in rules.operations() {
        let uri = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let req = axum::http::Request::builder()
            .method(method.clone())
            .uri(format!("{uri}?zz_unknown=1"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{}"))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let res = router
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = res.status();
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(
            (status.as_u16(), &body["error"]["code"], &body["error"]["field"]),
            (
                400,
                &serde_json::json!("invalid_query"),
                &serde_json::json!("zz_unknown")
            ),
            "{method} {path}?zz_unknown=1: {body}"
        );
        seen += 1;
    }
    assert!(seen > 0, "the document has no operations");
}

/// [`every_route_refuses_an_unknown_query_parameter`] for one function: `router` (the function's
/// `router`) over `app` with a local HS256 secret, so the calls carry an admin's token.
pub async fn every_route_of_a_function_refuses_an_unknown_query_parameter(
    mut app: cc_domain::App,
    router: impl FnOnce(crate::Api) -> Router,
    doc: &utoipa::openapi::OpenApi,
) {
    let secret = "unknown-query-test-secret-0123456789abcdef";
    let mut config = (*app.config).clone();
    config.auth.jwt_secret = Some(secret.to_string());
    app.config = std::sync::Arc::new(config);
    let roles = [cc_domain::identity::Role::Admin].into_iter().collect();
    let token = crate::mint_dev_token(
        secret,
        &app.config.auth,
        "ada@example.com",
        &roles,
        std::time::Duration::from_secs(600),
    )
    .unwrap_or_else(|e| panic!("a token: {e}"));
    let api = crate::Api::from_app(app)
        .await
        .unwrap_or_else(|e| panic!("the API: {e}"));
    every_route_refuses_an_unknown_query_parameter(&router(api), doc, &token).await;
}
