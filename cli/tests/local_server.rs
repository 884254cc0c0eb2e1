//! End to end through the local server (`cc serve` minus the CLI parsing): a real TCP listener on
//! port 0, demo data, driven with an HTTP client.

use std::collections::BTreeMap;
use std::time::Duration;

use cc_domain::config::Config;
use cc_domain::identity::Role;
use cc_domain::{App, demo};
use serde_json::{Value, json};

struct Server {
    base: String,
    app: App,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().display().to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| data_dir.clone())).unwrap();
    config.port = port;
    let app = App::from_config(config).await.unwrap();
    let seeded = demo::seed(&app, &demo::DemoSize::default()).await.unwrap();
    assert_eq!(seeded.accounts_created, 160);
    let again = demo::seed(&app, &demo::DemoSize::default()).await.unwrap();
    assert_eq!(again, demo::Seeded::default(), "seeding is idempotent");
    let api = cc_http::Api::from_app(app.clone()).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(cc_cli::serve(listener, api, async {
        let _ = rx.await;
    }));
    Server {
        base: format!("http://127.0.0.1:{port}"),
        app,
        stop: Some(tx),
        _dir: dir,
    }
}

fn token(s: &Server, email: &str, roles: &[Role]) -> String {
    let secret = s.app.config.auth.jwt_secret.clone().unwrap();
    cc_http::mint_dev_token(
        &secret,
        &s.app.config.auth,
        email,
        &roles.iter().copied().collect(),
        Duration::from_secs(60),
    )
    .unwrap()
}

async fn get_json(http: &reqwest::Client, url: &str, token: &str) -> Value {
    let res = http.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {url}");
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_hub_end_to_end_over_tcp() {
    let s = start().await;
    let http = reqwest::Client::new();
    let health = http.get(format!("{}/healthz", s.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);

    let engineer = token(&s, "erin@example.com", &[Role::Engineer]);
    let admin = token(&s, "ada@example.com", &[Role::Admin]);
    let page = get_json(&http, &format!("{}/api/v1/customers?limit=5", s.base), &engineer).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert!(page["next_cursor"].is_string());

    let accounts = get_json(&http, &format!("{}/api/v1/accounts?limit=200", s.base), &engineer).await;
    let items = accounts["items"].as_array().unwrap();
    assert_eq!(items.len(), 160);
    let sso = items.iter().filter(|a| a["access"]["method"] == "sso").count();
    assert!(sso > 20 && sso < 140, "demo mixes SSO ({sso}) and role access");

    // A write shows up in quick find at once (the snapshot follows the hub revision).
    let created = http
        .post(format!("{}/api/v1/accounts", s.base))
        .bearer_auth(&admin)
        .json(
            &json!({"id": "000000000042", "customer": "acme-retail", "name": "quantum lab", "environment": "non-prod",
            "region": "eu-west-1", "access": {"method": "role", "read_role_arn": "arn:aws:iam::000000000042:role/R",
            "breakglass_role_arn": "arn:aws:iam::000000000042:role/B", "external_id": "cc-q-1"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let found = get_json(&http, &format!("{}/api/v1/search?q=quantum", s.base), &engineer).await;
    assert_eq!(found["accounts"][0]["id"], "000000000042");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_download_links_serve_the_version_until_they_expire() {
    let s = start().await;
    let v1 = s
        .app
        .objects
        .put(
            "reports/acme/2026-10/report.html",
            "one".into(),
            "text/html",
            BTreeMap::new(),
        )
        .await
        .unwrap();
    s.app
        .objects
        .put(
            "reports/acme/2026-10/report.html",
            "two".into(),
            "text/html",
            BTreeMap::new(),
        )
        .await
        .unwrap();
    let url = s
        .app
        .objects
        .download_url(
            "reports/acme/2026-10/report.html",
            Some(&v1.version_id),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(url.starts_with(&s.base), "{url}");
    let res = reqwest::get(&url).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/html");
    assert_eq!(res.text().await.unwrap(), "one");
    let tampered = url.replace("report.html", "other.html");
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403);
}
