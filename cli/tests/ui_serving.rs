//! `cc serve` serves the built web UI at `/` (files, else `index.html` for the UI's own routes)
//! while `/api/...` stays the API with its JSON errors; with the demo data, the sign-in page's
//! routes list the demo users and mint their tokens (with their own roles, never chosen ones).

// Each test binary uses part of the shared support.
#[allow(dead_code)]
use crate::support;

use serde_json::{Value, json};

fn ui_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><div id=root></div>").unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets").join("app-1234.js"), "console.log(1)").unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_is_served_at_the_root_and_the_api_keeps_its_errors() {
    let ui = ui_dir();
    let server = support::start_with(cc_cli::Local {
        ui_dir: Some(ui.path().to_path_buf()),
        demo_sign_in: true,
    })
    .await;
    let http = cc_tls::reqwest_client().unwrap();
    let get = |path: &str| http.get(format!("{}{path}", server.base)).send();
    for path in ["/", "/customers/acme-retail", "/breakglass/requests/01J"] {
        let res = get(path).await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.text().await.unwrap().contains("<div id=root>"),
            "{path}: index.html"
        );
    }
    let js = get("/assets/app-1234.js").await.unwrap();
    assert_eq!(js.status(), 200);
    assert!(
        js.headers()["content-type"].to_str().unwrap().contains("javascript"),
        "{:?}",
        js.headers()
    );
    // A path naming a file (a dot in its last segment) that isn't there is a 404, never the UI's
    // page: the deployed UI's CloudFront function follows the same rule.
    for path in [
        "/manifest.json",
        "/assets/app-0000.js",
        "/favicon.ico",
        "/customers/a.b",
    ] {
        let res = get(path).await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    // The UI's configuration: here, the API on this origin and no identity provider.
    let config: Value = get("/config.json").await.unwrap().json().await.unwrap();
    assert_eq!(config, json!({"api_base": "/api/v1", "oidc": null}));
    for path in ["/api/v1/no-such-thing", "/api", "/local/nothing"] {
        let res = get(path).await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "no_such_route", "{path}: {body}");
    }

    // Demo sign-in: the listed users, a token with the user's own roles that the API accepts.
    let users: Value = get("/api/v1/dev/users").await.unwrap().json().await.unwrap();
    let erin = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "erin.engineer@demo.customer-central.dev")
        .unwrap();
    assert_eq!(erin["roles"], json!(["engineer"]));
    let post = |body: Value| {
        http.post(format!("{}/api/v1/dev/token", server.base))
            .json(&body)
            .send()
    };
    let minted: Value = post(json!({"email": "ADA.admin@demo.customer-central.dev"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = minted["token"].as_str().unwrap();
    let customers = http
        .get(format!("{}/api/v1/customers", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(customers.status(), 200);
    let unknown = post(json!({"email": "mallory@example.com"})).await.unwrap();
    assert_eq!(unknown.status(), 404);
    let chosen_roles = post(json!({"email": "erin.engineer@demo.customer-central.dev", "roles": ["admin"]}))
        .await
        .unwrap();
    assert_eq!(chosen_roles.status(), 400, "roles can't be chosen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_built_ui_the_root_says_how_to_build_it_and_there_is_no_demo_sign_in() {
    let server = support::start().await;
    let http = cc_tls::reqwest_client().unwrap();
    let root = http.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(root.status(), 404);
    assert!(root.text().await.unwrap().contains("scripts/dev"));
    let users = http
        .get(format!("{}/api/v1/dev/users", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 404, "only with the demo data");
}
