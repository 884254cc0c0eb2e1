//! End to end through the local server (`cc serve` minus the CLI parsing): a real TCP listener on
//! port 0, demo data, driven with an HTTP client.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support;
use support::{send, start, token};

use cc_domain::config::Config;
use cc_domain::identity::Role;
use cc_domain::{App, demo};
use serde_json::{Value, json};

async fn get_json(http: &reqwest::Client, url: &str, token: &str) -> Value {
    let res = http.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {url}");
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_hub_end_to_end_over_tcp() {
    let s = start().await;
    let http = cc_tls::reqwest_client().unwrap();
    let health = http.get(format!("{}/healthz", s.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let doc = http
        .get(format!("{}/api/v1/openapi.json", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200, "the document needs no token");
    let doc: Value = doc.json().await.unwrap();
    assert_eq!(
        doc,
        serde_json::to_value(docs::merged()).unwrap(),
        "the docs function's merged document"
    );

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
    // Demo aliases agree with the accounts they name.
    for a in items {
        let alias = a["alias"].as_str().unwrap();
        let agrees = if a["management_account"] == true {
            alias.ends_with("-management")
        } else {
            let env = a["environment"].as_str().unwrap();
            let base = alias.rsplit_once('-').unwrap().0;
            base.ends_with(&format!("-{env}")) && !(env == "prod" && base.ends_with("-non-prod"))
        };
        assert!(agrees, "{alias} on {a}");
    }

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
        .objects()
        .unwrap()
        .put(
            "reports/acme/2026-10/report.html",
            "one".into(),
            "text/html",
            BTreeMap::new(),
        )
        .await
        .unwrap();
    s.app
        .objects()
        .unwrap()
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
        .objects()
        .unwrap()
        .download_url(
            "reports/acme/2026-10/report.html",
            Some(&v1.version_id),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(url.starts_with(&s.base), "{url}");
    let res = cc_tls::reqwest_client().unwrap().get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/html");
    assert_eq!(res.text().await.unwrap(), "one");
    let tampered = url.replace("report.html", "other.html");
    assert_eq!(
        cc_tls::reqwest_client()
            .unwrap()
            .get(&tampered)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let unsigned = cc_tls::reqwest_client()
        .unwrap()
        .get(format!("{}/local/objects/reports/acme/2026-10/report.html", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unsigned.status(),
        400,
        "a link without its signature is a 4xx with a JSON error"
    );
    let body: Value = unsigned.json().await.unwrap();
    assert!(body["error"]["message"].is_string());
}

/// request → two approvals (the customer's policy says 2) → active session with its expiry →
/// credentials for credential_process → early revoke → ended; the audit log exports as JSON lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breakglass_end_to_end_over_tcp() {
    let s = start().await;
    let http = cc_tls::reqwest_client().unwrap();
    let api = format!("{}/api/v1", s.base);
    let admin = token(&s, "ada@example.com", &[Role::Admin]);
    let erin = token(&s, "erin@example.com", &[Role::Engineer]);
    let sam = token(&s, "sam@example.com", &[Role::Engineer, Role::Senior]);
    let sasha = token(&s, "sasha@example.com", &[Role::Engineer, Role::Senior]);
    let lee = token(&s, "lee@example.com", &[Role::Engineer, Role::Senior, Role::Lead]);

    // A role-access demo account of acme-retail (every third customer uses SSO; acme is one).
    let (_, accounts) = send(
        &http,
        "GET",
        &format!("{api}/accounts?access=role&limit=1"),
        &erin,
        None,
    )
    .await;
    let account = accounts["items"][0].clone();
    let customer = account["customer"].as_str().unwrap().to_string();
    let account_id = account["id"].as_str().unwrap().to_string();

    // Breakglass is for the customer's team: off it, erin may not ask.
    let ask_first = json!({"account_id": account_id, "duration_minutes": 30,
        "justification": "Rotate the leaked database password on the payments cluster", "ticket": "OPS-1"});
    let (st, body) = send(&http, "POST", &format!("{api}/access-requests"), &erin, Some(ask_first)).await;
    assert_eq!(st, 403, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("team"), "{body}");
    let (_, team) = send(&http, "GET", &format!("{api}/customers/{customer}/team"), &admin, None).await;
    let members =
        json!({"members": ["erin@example.com", "sam@example.com", "sasha@example.com"], "version": team["version"]});
    let (st, _) = send(
        &http,
        "PUT",
        &format!("{api}/customers/{customer}/team"),
        &admin,
        Some(members),
    )
    .await;
    assert_eq!(st, 200);

    let (st, policy) = send(
        &http,
        "GET",
        &format!("{api}/customers/{customer}/approval-policy"),
        &erin,
        None,
    )
    .await;
    assert_eq!((st, policy["approvals_required"].as_u64()), (200, Some(1)));
    let mut two = policy.clone();
    two["approvals_required"] = json!(2);
    let (st, _) = send(
        &http,
        "PUT",
        &format!("{api}/customers/{customer}/approval-policy"),
        &lee,
        Some(two.clone()),
    )
    .await;
    assert_eq!(st, 403, "policies are for admins");
    let (st, saved) = send(
        &http,
        "PUT",
        &format!("{api}/customers/{customer}/approval-policy"),
        &admin,
        Some(two),
    )
    .await;
    assert_eq!((st, saved["version"].as_u64()), (200, Some(1)));

    let ask = json!({"account_id": account_id, "duration_minutes": 60,
        "justification": "Rotate the leaked database password on the payments cluster", "ticket": "OPS-1234"});
    let (st, too_long) = send(
        &http,
        "POST",
        &format!("{api}/access-requests"),
        &erin,
        Some(json!({"account_id": account_id,
        "duration_minutes": 600, "justification": "Rotate the leaked database password now"})),
    )
    .await;
    assert_eq!(
        (st, too_long["error"]["field"].as_str()),
        (400, Some("duration_minutes"))
    );
    let (st, req) = send(&http, "POST", &format!("{api}/access-requests"), &erin, Some(ask)).await;
    assert_eq!(st, 201, "{req}");
    assert_eq!(req["status"], "pending");
    let id = req["id"].as_str().unwrap().to_string();
    let decide = |who: &str, verdict: &str| {
        let http = http.clone();
        let url = format!("{api}/access-requests/{id}/decisions");
        let who = who.to_string();
        let body = json!({"decision": verdict, "comment": "looks right"});
        async move { send(&http, "POST", &url, &who, Some(body)).await }
    };
    assert_eq!(decide(&erin, "approve").await.0, 403, "the requester never approves");
    let (st, after_one) = decide(&sam, "approve").await;
    assert_eq!((st, after_one["status"].as_str()), (200, Some("pending")));
    assert_eq!(decide(&sam, "approve").await.0, 409, "one person counts once");
    let (st, after_two) = decide(&sasha, "approve").await;
    assert_eq!((st, after_two["status"].as_str()), (200, Some("active")), "{after_two}");
    assert_eq!(decide(&lee, "reject").await.0, 409, "no longer pending");

    let (_, sessions) = send(&http, "GET", &format!("{api}/sessions"), &erin, None).await;
    assert_eq!(sessions["items"][0]["request_id"], id.as_str());
    let left = sessions["items"][0]["seconds_left"].as_i64().unwrap();
    assert_eq!(
        (
            sessions["items"][0]["kind"].as_str(),
            &sessions["items"][0]["permission_set"]
        ),
        (Some("role"), &Value::Null)
    );
    assert!((3500..=3600).contains(&left), "{left}");
    assert_eq!(
        send(&http, "GET", &format!("{api}/sessions?scope=all"), &erin, None)
            .await
            .0,
        403
    );
    let (_, all) = send(&http, "GET", &format!("{api}/sessions?scope=all"), &lee, None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    let (st, creds) = send(
        &http,
        "POST",
        &format!("{api}/access-requests/{id}/credentials"),
        &erin,
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(creds["Version"], 1);
    assert!(creds["AccessKeyId"].as_str().unwrap().starts_with("LOCAL"));
    assert!(creds["Expiration"].is_string());
    assert_eq!(
        send(
            &http,
            "POST",
            &format!("{api}/access-requests/{id}/credentials"),
            &sam,
            None
        )
        .await
        .0,
        403
    );
    let (st, link) = send(
        &http,
        "POST",
        &format!("{api}/access-requests/{id}/console-link"),
        &erin,
        None,
    )
    .await;
    assert_eq!(st, 200);
    let console = link["url"].as_str().unwrap();
    assert!(console.starts_with(&format!("{}/local/console?", s.base)), "{console}");
    let page = http.get(console).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Local breakglass session LOCAL"));

    assert_eq!(
        send(&http, "POST", &format!("{api}/access-requests/{id}/revoke"), &sam, None)
            .await
            .0,
        403
    );
    let (st, ended) = send(
        &http,
        "POST",
        &format!("{api}/access-requests/{id}/revoke"),
        &lee,
        Some(json!({"reason": "done"})),
    )
    .await;
    assert_eq!(
        (st, ended["status"].as_str(), ended["end_reason"].as_str()),
        (200, Some("ended"), Some("revoked"))
    );
    assert_eq!(
        send(
            &http,
            "POST",
            &format!("{api}/access-requests/{id}/credentials"),
            &erin,
            None
        )
        .await
        .0,
        409
    );
    let (_, sessions) = send(&http, "GET", &format!("{api}/sessions"), &erin, None).await;
    assert_eq!(sessions["items"], json!([]));
    let (_, mine) = send(&http, "GET", &format!("{api}/access-requests?scope=mine"), &erin, None).await;
    assert_eq!(mine["items"][0]["status"], "ended");

    let res = http
        .get(format!("{api}/audit?customer={customer}&account={account_id}"))
        .bearer_auth(&lee)
        .header("accept", "application/x-ndjson")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = res
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = lines.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "account_created",
            "request_refused",
            "request_refused",
            "request_created",
            "approve_refused",
            "approved",
            "approve_refused",
            "approved",
            "granted",
            "reject_refused",
            "credentials_issued",
            "credentials_refused",
            "console_link_issued",
            "revoke_refused",
            "revoked",
            "credentials_refused"
        ],
        "the story, refused attempts included"
    );
    // Everything a person did over the API names where they were; the demo seeding and the
    // workflow's grant ran outside any request.
    for e in &lines {
        let through_api = e["actor"] != "system" && e["action"] != "account_created";
        assert_eq!(e["source_ip"] == "127.0.0.1", through_api, "{e}");
    }

    // Bad input is a 4xx with a message.
    for (method, path, body, status) in [
        ("GET", "/access-requests/not-an-id", None, 400),
        ("GET", "/access-requests/01jzzzzzzzzzzzzzzzzzzzzzzz", None, 404),
        (
            "POST",
            "/access-requests/01jzzzzzzzzzzzzzzzzzzzzzzz/decisions",
            Some(json!({"decision": "maybe"})),
            400,
        ),
        (
            "POST",
            "/access-requests",
            Some(json!({"account_id": "1", "duration_minutes": 60, "justification": "x"})),
            400,
        ),
        ("GET", "/access-requests?scope=everything", None, 400),
        ("GET", "/audit?customer=acme-retail&from=yesterday", None, 400),
    ] {
        let (st, v) = send(&http, method, &format!("{api}{path}"), &lee, body).await;
        assert_eq!(st, status, "{method} {path}: {v}");
        assert!(v["error"]["message"].is_string());
    }
}

/// The local server's sweeper ends a grant soon after its end (here: the clock jumps past it).
/// The local server's app on a clock the test moves (seconds in the offset), seeded with demo
/// data, and a role account whose customer's team holds erin (asks) and sam (approves).
async fn sweeper_app(
    sweep_seconds: &str,
) -> (
    App,
    tempfile::TempDir,
    std::sync::Arc<std::sync::atomic::AtomicI64>,
    cc_domain::ids::AccountId,
) {
    use std::sync::Arc;
    use std::sync::atomic::AtomicI64;

    use cc_domain::store::ItemStore;

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::from_lookup(|k| (k == "CC_SWEEP_SECONDS").then(|| sweep_seconds.to_string())).unwrap();
    config.data_dir = dir.path().to_path_buf();
    let items: Arc<dyn ItemStore> =
        Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let offset = Arc::new(AtomicI64::new(0));
    let ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
    let objects = cc_adapters::local_objects::LocalObjectStore::new(dir.path().join("o"), b"k", "http://x");
    let app = App::new(config, items, cc_domain::Clock::shifted(offset.clone()))
        .with_access(ports)
        .with_objects(Arc::new(objects));
    demo::seed(
        &app,
        &demo::DemoSize {
            customers: 3,
            accounts: 6,
        },
    )
    .await
    .unwrap();
    let admin = person("ada@example.com", &[Role::Admin]);
    let filter = cc_domain::hub::service::AccountFilter {
        access: Some("role".into()),
        ..Default::default()
    };
    let account = app
        .hub
        .list_accounts(&admin, &filter, Some(1), None)
        .await
        .unwrap()
        .items
        .remove(0);
    let team = app.hub.team(&admin, account.customer.as_str()).await.unwrap();
    let update = cc_domain::hub::TeamUpdate {
        members: [
            person("erin@example.com", &[]).email,
            person("sam@example.com", &[]).email,
        ]
        .to_vec(),
        version: team.version,
    };
    app.hub
        .put_team(&admin, account.customer.as_str(), update)
        .await
        .unwrap();
    (app, dir, offset, account.id)
}

fn person(email: &str, roles: &[Role]) -> cc_domain::identity::Principal {
    cc_domain::identity::Principal {
        email: cc_domain::ids::Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    }
}

fn ask(account: &cc_domain::ids::AccountId, starts_at: Option<time::OffsetDateTime>) -> cc_domain::access::NewRequest {
    cc_domain::access::NewRequest {
        account_id: account.clone(),
        duration_minutes: 15,
        justification: "Clear the stuck deployment lock in production".into(),
        ticket: None,
        starts_at,
        permission_set: None,
    }
}

/// Polls the stored (swept) state of a request for up to `seconds`.
async fn stored_status_becomes(app: &App, id: &str, want: cc_domain::access::Status, seconds: u64) -> bool {
    for _ in 0..seconds * 10 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if app.access().unwrap().find(id).await.unwrap().status == want {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_sweeper_ends_grants_past_their_end() {
    use cc_domain::access::service::Origin;
    use cc_domain::access::{Status, Verdict};
    use std::sync::atomic::Ordering;

    let (app, _dir, offset, account) = sweeper_app("1").await;
    let erin = person("erin@example.com", &[Role::Engineer]);
    let access = app.access().unwrap();
    let r = access
        .create(&erin, ask(&account, None), &Origin::default())
        .await
        .unwrap();
    let senior = person("sam@example.com", &[Role::Senior]);
    let active = access
        .decide(&senior, &r.id, Verdict::Approve, "", &Origin::default())
        .await
        .unwrap();
    assert_eq!(active.status, Status::Active);
    let sweeper = cc_cli::spawn_sweeper(app.clone()).unwrap();
    offset.store(16 * 60, Ordering::SeqCst);
    let ended = stored_status_becomes(&app, &r.id, Status::Ended, 5).await;
    sweeper.abort();
    assert!(ended, "the sweeper ended the grant within seconds of its end");
}

/// With a one-minute sweep period, a scheduled start is still granted within moments of its
/// time: the sweeper sleeps until the next due time and wakes when a request changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_sweeper_wakes_for_the_next_due_time() {
    use cc_domain::access::service::Origin;
    use cc_domain::access::{Status, Verdict};

    let (app, _dir, _offset, account) = sweeper_app("60").await;
    let sweeper = cc_cli::spawn_sweeper(app.clone()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // its first, idle sweep
    let erin = person("erin@example.com", &[Role::Engineer]);
    let access = app.access().unwrap();
    let start = app.clock.now() + time::Duration::seconds(2);
    let r = access
        .create(&erin, ask(&account, Some(start)), &Origin::default())
        .await
        .unwrap();
    let senior = person("sam@example.com", &[Role::Senior]);
    let approved = access
        .decide(&senior, &r.id, Verdict::Approve, "", &Origin::default())
        .await
        .unwrap();
    assert_eq!(approved.status, Status::Approved, "waits for its start");
    let granted = stored_status_becomes(&app, &r.id, Status::Active, 6).await;
    sweeper.abort();
    assert!(granted, "granted within seconds of its start, not at the next minute");
    let r = access.find(&r.id).await.unwrap();
    let late = (r.granted_at.unwrap() - start).whole_milliseconds();
    assert!((0..3000).contains(&late), "granted {late} ms after its start");
}

/// The README's walk-through on the demo data: the demo engineer asks for a Borealis Energy
/// role account, the demo senior approves, the grant is active.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_breakglass_walk_through_works_on_the_demo_data() {
    let s = start().await;
    let http = cc_tls::reqwest_client().unwrap();
    let api = format!("{}/api/v1", s.base);
    let erin = token(&s, "erin.engineer@demo.customer-central.dev", &[Role::Engineer]);
    let sam = token(
        &s,
        "sam.senior@demo.customer-central.dev",
        &[Role::Engineer, Role::Senior],
    );
    let (_, accounts) = send(
        &http,
        "GET",
        &format!("{api}/accounts?customer=borealis-energy&access=role&limit=1"),
        &erin,
        None,
    )
    .await;
    let account = accounts["items"][0]["id"].as_str().unwrap().to_string();
    let ask = json!({"account_id": account, "duration_minutes": 60,
        "justification": "Rotate the leaked DB password", "ticket": "OPS-1234"});
    let (st, req) = send(&http, "POST", &format!("{api}/access-requests"), &erin, Some(ask)).await;
    assert_eq!(st, 201, "{req}");
    let id = req["id"].as_str().unwrap();
    let (st, decided) = send(
        &http,
        "POST",
        &format!("{api}/access-requests/{id}/decisions"),
        &sam,
        Some(json!({"decision": "approve", "comment": "ok"})),
    )
    .await;
    assert_eq!((st, decided["status"].as_str()), (200, Some("active")), "{decided}");
}

/// Issue 12: a customer code in any case names the same customer on every function's routes
/// (approval policy, audit filter, profiles, accounts), and answers carry it in lower case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_codes_are_case_insensitive_on_every_function() {
    let s = start().await;
    let http = cc_tls::reqwest_client().unwrap();
    let api = format!("{}/api/v1", s.base);
    let admin = token(&s, "ada@example.com", &[Role::Admin]);
    let lead = token(&s, "lee@example.com", &[Role::Lead]);

    let policy = get_json(&http, &format!("{api}/customers/ACME-Retail/approval-policy"), &admin).await;
    let res = http
        .patch(format!("{api}/customers/ACME-RETAIL/approval-policy"))
        .bearer_auth(&admin)
        .json(&json!({"approvals_required": 2, "version": policy["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let again = get_json(&http, &format!("{api}/customers/acme-retail/approval-policy"), &admin).await;
    assert_eq!(
        again["approvals_required"], 2,
        "one customer's policy, whatever the case"
    );

    // The customer page's overview (customers function) reads the policy the access-request
    // function wrote.
    let overview = get_json(&http, &format!("{api}/customers/Acme-Retail/overview"), &admin).await;
    assert_eq!(overview["customer"]["code"], "acme-retail");
    assert_eq!(
        (
            &overview["policy"]["approvals_required"],
            &overview["policy"]["customised"]
        ),
        (&json!(2), &json!(true))
    );
    assert_eq!(overview["contacts"].as_array().unwrap().len(), 3);
    assert_eq!(overview["accounts"]["total"], overview["customer"]["account_count"]);

    let audit = get_json(&http, &format!("{api}/audit?customer=ACME-Retail"), &admin).await;
    let events = audit["items"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "policy_changed" && e["customer"] == "acme-retail"),
        "{audit}"
    );

    let accounts = get_json(&http, &format!("{api}/accounts?customer=Acme-Retail&limit=200"), &lead).await;
    let accounts = accounts["items"].as_array().unwrap();
    assert!(!accounts.is_empty() && accounts.iter().all(|a| a["customer"] == "acme-retail"));

    let profiles = get_json(
        &http,
        &format!("{api}/profiles?format=json&all=true&customer=ACME-RETAIL"),
        &lead,
    )
    .await;
    assert_eq!(
        profiles["selection"]["customers"],
        json!(["acme-retail"]),
        "{}",
        profiles["selection"]
    );
    assert!(!profiles["profiles"].as_array().unwrap().is_empty());
}
