//! What the end-to-end tests share: the local server on port 0 with demo data, and dev tokens.

use std::time::Duration;

use cc_domain::config::Config;
use cc_domain::identity::Role;
use cc_domain::{App, demo};

pub struct Server {
    pub base: String,
    pub app: App,
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

pub async fn start() -> Server {
    start_with(Default::default()).await
}

/// Like [`start`], serving `local`'s extras (the UI, demo sign-in).
pub async fn start_with(local: cc_cli::Local) -> Server {
    start_configured(local, |_| {}).await
}

/// Like [`start_with`], with the configuration changed by `configure` first.
pub async fn start_configured(local: cc_cli::Local, configure: impl FnOnce(&mut Config)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().display().to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| data_dir.clone())).unwrap();
    config.port = port;
    configure(&mut config);
    let app = cc_adapters::wire::local_server(config).await.unwrap();
    let seeded = demo::seed(&app, &demo::DemoSize::default()).await.unwrap();
    assert_eq!(seeded.accounts_created, 160);
    let again = demo::seed(&app, &demo::DemoSize::default()).await.unwrap();
    assert_eq!(again, demo::Seeded::default(), "seeding is idempotent");
    let api = cc_http::Api::from_app(app.clone()).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(cc_cli::serve(listener, api, local, async {
        let _ = rx.await;
    }));
    Server {
        base: format!("http://127.0.0.1:{port}"),
        app,
        stop: Some(tx),
        _dir: dir,
    }
}

#[allow(dead_code)] // not every test binary uses it
pub fn token(s: &Server, email: &str, roles: &[Role]) -> String {
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

/// Puts these people on every customer's team (breakglass is scoped to teams; the demo teams
/// hold the demo users, not the people the tests sign in as).
#[allow(dead_code)] // not every test binary uses it
pub async fn join_every_team(s: &Server, emails: &[&str]) {
    let admin = cc_domain::identity::Principal {
        email: cc_domain::ids::Email::parse("ada@example.com").unwrap(),
        subject: "test".into(),
        roles: [Role::Admin].into(),
    };
    let customers = s
        .app
        .hub
        .list_customers(&admin, &Default::default(), Some(200), None)
        .await
        .unwrap();
    for c in customers.items {
        let team = s.app.hub.team(&admin, c.code.as_str()).await.unwrap();
        let mut members = team.members.clone();
        members.extend(emails.iter().map(|e| cc_domain::ids::Email::parse(*e).unwrap()));
        let update = cc_domain::hub::TeamUpdate {
            members,
            version: team.version,
        };
        s.app.hub.put_team(&admin, c.code.as_str(), update).await.unwrap();
    }
}

/// One HTTP call with a bearer token; the status and the JSON body (or the text as a string).
#[allow(dead_code)] // not every test binary uses it
pub async fn send(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = http.request(method.parse().unwrap(), url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}
