//! The utilisation routes through the router with locally verified tokens, on the embedded store
//! with the demo hub and the demo contracts and timesheets seeded: the sample events; each route's
//! success and the demo's cases; the task code lifecycle with versions; CSV imports (raw and
//! multipart); sync runs; and bad input (each a 4xx with a JSON error, nothing stored).

use std::collections::BTreeSet;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cc_domain::App;
use cc_domain::config::Config;
use cc_domain::demo::{self, DemoSize};
use cc_domain::identity::Role;
use cc_domain::ids::CustomerCode;
use cc_http::testing::{Expect, err, ok};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &str = "test-secret-test-secret-test-secret-0123";

const EXPECTED: &[Expect] = &[
    ok("01-customer", 200),
    err("02-customer-missing", 400, "invalid_query"),
    err("03-customer-unknown", 404, "not_found"),
    ok("04-contract", 200),
    err("05-contract-unknown", 404, "not_found"),
    ok("06-unmapped", 200),
    err("07-unmapped-bad-date", 400, "invalid_query"),
    ok("08-task-codes", 200),
    err("09-put-task-codes-stale", 409, "version_conflict"),
    ok("10-task-code-history", 200),
    err("11-import-contracts-as-engineer", 403, "forbidden"),
    ok("12-import-worklogs", 201),
    ok("13-runs", 200),
    err("14-run-as-engineer", 403, "forbidden"),
    ok("15-run", 201),
    ok("16-portfolio", 200),
    ok("17-team", 200),
    err("18-team-bad-month", 400, "invalid_query"),
];

/// The demo customers with a contract, in the demo's order (see `cc_domain::utilisation::demo`).
const CUSTOMERS: [&str; 5] = [
    "acme-retail",
    "borealis-energy",
    "cobalt-health",
    "driftwood-media",
    "evergreen-logistics",
];

struct Harness {
    router: Router,
    app: App,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().display().to_string();
        let config = Config::from_lookup(|k| match k {
            "CC_DATA_DIR" => Some(data_dir.clone()),
            "CC_JWT_SECRET" => Some(SECRET.to_string()),
            _ => None,
        })
        .unwrap();
        let app = cc_adapters::wire::utilisation(config).await.unwrap();
        let size = DemoSize {
            customers: 6,
            accounts: 12,
        };
        demo::seed(&app, &size).await.unwrap();
        let codes: Vec<CustomerCode> = demo::customer_codes(&size)
            .iter()
            .map(|c| CustomerCode::parse(c).unwrap())
            .collect();
        assert_eq!(codes.iter().take(5).map(|c| c.as_str()).collect::<Vec<_>>(), CUSTOMERS);
        cc_domain::utilisation::demo::seed(app.items.as_ref(), &codes, app.clock.now())
            .await
            .unwrap();
        let api = cc_http::Api::from_app(app.clone()).await.unwrap();
        Harness {
            router: utilisation::router(api),
            app,
            _dir: dir,
        }
    }

    fn token(&self, email: &str, roles: &[Role]) -> String {
        let roles: BTreeSet<Role> = roles.iter().copied().collect();
        cc_http::mint_dev_token(SECRET, &self.app.config.auth, email, &roles, Duration::from_secs(600)).unwrap()
    }
    fn admin(&self) -> String {
        self.token("ada@example.com", &[Role::Admin])
    }
    fn engineer(&self) -> String {
        self.token("erin@example.com", &[Role::Engineer])
    }

    async fn raw(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        send(&self.router, method, uri, token, content_type, body).await
    }

    async fn call(&self, method: &str, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
        self.raw(method, uri, Some(token), Some("application/json"), bytes)
            .await
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call("GET", uri, &self.engineer(), None).await
    }

    async fn csv(&self, uri: &str, token: &str, csv: &str) -> (StatusCode, Value) {
        self.raw("POST", uri, Some(token), Some("text/csv"), csv.as_bytes().to_vec())
            .await
    }
}

async fn send(
    router: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)))
    };
    if status.is_client_error() || status.is_server_error() {
        assert!(
            value["error"]["code"].is_string() && value["error"]["message"].is_string(),
            "{method} {uri}: error body has a code and a message: {value}"
        );
    }
    (status, value)
}

fn message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap()
}

#[tokio::test]
async fn utilisation_sample_events_run_through_the_lambda_router() {
    let h = Harness::new().await;
    let router = utilisation::router(cc_http::Api::new(h.app.clone(), None));
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "utilisation");
    let bodies = cc_http::testing::replay(&router, &events, EXPECTED).await;
    assert_eq!(bodies[0]["customer"], "acme-retail");
    assert!(message(&bodies[1]).contains("customer"), "{}", bodies[1]);
    assert_eq!(bodies[3]["contract"]["id"], "00000100", "{}", bodies[3]);
    assert_eq!(bodies[11]["rows"], 1, "{}", bodies[11]);
    assert_eq!(bodies[11]["worklogs"], 1, "{}", bodies[11]);
    assert_eq!(
        bodies[14]["trigger"],
        json!({"kind": "admin", "email": "ada.admin@demo.customer-central.dev"})
    );
}

#[tokio::test]
async fn utilisation_reports_show_the_demo_cases() {
    let h = Harness::new().await;
    let mut status = Vec::new();
    for c in CUSTOMERS {
        let (s, v) = h.get(&format!("/api/v1/utilisation?customer={c}")).await;
        assert_eq!(s, StatusCode::OK, "{c}: {v}");
        assert_eq!(v["customer"], c);
        assert!(v["as_of"].is_string(), "{v}");
        let contracts = v["contracts"].as_array().unwrap();
        assert_eq!(contracts.len(), 1, "{c}: {v}");
        let first = &contracts[0];
        assert!(first["usage"]["used_hours"].as_f64().unwrap() > 0.0, "{c}: {first}");
        assert_eq!(first["task_codes"].as_array().unwrap().len(), 1, "{c}: {first}");
        status.push((
            first["usage"]["status"].as_str().unwrap().to_string(),
            first["usage"]["consistently_exceeded"].as_bool().unwrap(),
        ));
    }
    assert_eq!(status[0], ("on_track".to_string(), false));
    assert_eq!(status[1].0, "running_out_early");
    assert_eq!(status[2], ("on_track".to_string(), true));
    assert_eq!(status[4].0, "on_track");

    // A customer without contracts: an empty list, not a 404.
    let codes = demo::customer_codes(&DemoSize {
        customers: 6,
        accounts: 12,
    });
    let (s, v) = h.get(&format!("/api/v1/utilisation?customer={}", codes[5])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["contracts"], json!([]));

    // The 4th customer's entitlement went from 120 to 200 hours.
    let (s, v) = h.get("/api/v1/utilisation/contracts/driftwood-media/00000103").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["contract"]["customer"], "driftwood-media");
    assert_eq!(v["contract"]["entitled_hours"], 200.0);
    assert!(!v["changes"].as_array().unwrap().is_empty(), "{v}");
    assert!(v["usage"]["months"].as_array().is_some_and(|m| !m.is_empty()), "{v}");

    // The 5th customer's team also logs hours on OPS- codes mapped to nobody.
    let (s, v) = h.get("/api/v1/utilisation/unmapped").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let loose = v.as_array().unwrap();
    assert!(!loose.is_empty(), "{v}");
    assert!(
        loose
            .iter()
            .all(|u| u["task_code"].as_str().unwrap().starts_with("OPS-") && u["hours"].as_f64().unwrap() > 0.0),
        "{v}"
    );
    let today = h.app.clock.now().date();
    let (s, v) = h
        .get(&format!("/api/v1/utilisation/unmapped?from={today}&to={today}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v.as_array().unwrap().len() <= loose.len());
}

#[tokio::test]
async fn utilisation_portfolio_and_team_month_show_every_customer_and_person() {
    let h = Harness::new().await;
    let (s, v) = h.get("/api/v1/utilisation/portfolio").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let customers = v["customers"].as_array().unwrap();
    // Every demo customer, those needing a look first.
    assert_eq!(customers.len(), 6, "{v}");
    let attention: Vec<bool> = customers.iter().map(|c| c["attention"].as_bool().unwrap()).collect();
    assert!(attention.windows(2).all(|w| w[0] >= w[1]), "{attention:?}");
    let by_code = |code: &str| customers.iter().find(|c| c["customer"] == code).unwrap();
    // The demo's cases, as the customer's own report says them.
    assert_eq!(
        by_code("borealis-energy")["contracts"][0]["status"],
        "running_out_early"
    );
    assert_eq!(by_code("cobalt-health")["contracts"][0]["consistently_exceeded"], true);
    assert_eq!(by_code("acme-retail")["attention"], false);
    for c in CUSTOMERS {
        let (_, own) = h.get(&format!("/api/v1/utilisation?customer={c}")).await;
        let summary = &by_code(c)["contracts"][0];
        assert_eq!(summary["used_hours"], own["contracts"][0]["usage"]["used_hours"], "{c}");
        assert_eq!(summary["contract"], own["contracts"][0]["contract"]["id"], "{c}");
    }

    // Last month, whole: this month may be a day old, before the demo's OPS- hours of it.
    let today = h.app.clock.now().date();
    let last = today.replace_day(1).unwrap().previous_day().unwrap();
    let month = format!("{:04}-{:02}", last.year(), u8::from(last.month()));
    let this_month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let (s, v) = h.get(&format!("/api/v1/utilisation/team?month={month}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["month"], month.as_str());
    let people = v["people"].as_array().unwrap();
    assert!(!people.is_empty(), "{v}");
    let total: f64 = people.iter().map(|p| p["hours"].as_f64().unwrap()).sum();
    assert!((total - v["hours"].as_f64().unwrap()).abs() < 1e-9, "{v}");
    assert!(
        v["unmapped_hours"].as_f64().unwrap() > 0.0,
        "the demo's OPS- hours: {v}"
    );
    // The default is this month.
    let (_, this) = h.get("/api/v1/utilisation/team").await;
    assert_eq!(this["month"], this_month.as_str());
    // Before anything was logged: nobody.
    let (s, v) = h.get("/api/v1/utilisation/team?month=2001-01").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["people"], json!([]));
}

#[tokio::test]
async fn utilisation_bad_reads_are_400_or_404() {
    let h = Harness::new().await;
    let cases = [
        ("/api/v1/utilisation", StatusCode::BAD_REQUEST, "customer"),
        (
            "/api/v1/utilisation?customer=Not%20A%20Code",
            StatusCode::BAD_REQUEST,
            "customer",
        ),
        ("/api/v1/utilisation?customer=nobody", StatusCode::NOT_FOUND, "nobody"),
        (
            "/api/v1/utilisation?customer=acme-retail&extra=1",
            StatusCode::BAD_REQUEST,
            "extra",
        ),
        (
            "/api/v1/utilisation/contracts/nobody/00000100",
            StatusCode::NOT_FOUND,
            "nobody",
        ),
        (
            "/api/v1/utilisation/contracts/acme-retail/00000101",
            StatusCode::NOT_FOUND,
            "00000101",
        ),
        (
            "/api/v1/utilisation/contracts/acme-retail/no%20such",
            StatusCode::BAD_REQUEST,
            "contract",
        ),
        (
            "/api/v1/utilisation/unmapped?from=2026-02-30",
            StatusCode::BAD_REQUEST,
            "from",
        ),
        (
            "/api/v1/utilisation/unmapped?to=yesterday",
            StatusCode::BAD_REQUEST,
            "to",
        ),
        (
            "/api/v1/utilisation/unmapped?from=2026-11-02&to=2026-11-01",
            StatusCode::BAD_REQUEST,
            "after",
        ),
        (
            "/api/v1/utilisation/unmapped?from=2024-01-01&to=2026-11-01",
            StatusCode::BAD_REQUEST,
            "months",
        ),
        (
            "/api/v1/utilisation/team?month=2026-13",
            StatusCode::BAD_REQUEST,
            "month",
        ),
        (
            "/api/v1/utilisation/team?month=2026-1",
            StatusCode::BAD_REQUEST,
            "month",
        ),
        (
            "/api/v1/utilisation/team?month=2026-11-01",
            StatusCode::BAD_REQUEST,
            "month",
        ),
        ("/api/v1/task-codes/history?limit=0", StatusCode::BAD_REQUEST, "limit"),
        ("/api/v1/utilisation/runs?limit=101", StatusCode::BAD_REQUEST, "limit"),
        ("/api/v1/utilisation/runs?limit=ten", StatusCode::BAD_REQUEST, "limit"),
    ];
    for (uri, status, says) in cases {
        let (s, v) = h.get(uri).await;
        assert_eq!(s, status, "{uri}: {v}");
        let m = message(&v);
        let field = v["error"]["field"].as_str().unwrap_or_default();
        assert!(
            m.contains(says) || field == says,
            "{uri}: '{m}' (field '{field}') should name {says}"
        );
    }
}

#[tokio::test]
async fn utilisation_task_codes_change_at_the_version_read() {
    let h = Harness::new().await;
    let admin = h.admin();
    let (s, kept) = h.get("/api/v1/task-codes").await;
    assert_eq!(s, StatusCode::OK, "{kept}");
    assert_eq!(kept["version"], 1, "the demo seed wrote them once: {kept}");
    let mut mappings = kept["mappings"].as_array().unwrap().clone();
    assert_eq!(mappings.len(), 5, "{kept}");

    // The OPS- hours go to the 5th customer, outside any contract.
    mappings.push(json!({"code": "OPS-", "prefix": true, "customer": "evergreen-logistics"}));
    let body = json!({"mappings": mappings, "version": 1});
    let (s, v) = h
        .call("PUT", "/api/v1/task-codes", &h.engineer(), Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = h.call("PUT", "/api/v1/task-codes", &admin, Some(body.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["version"], 2);
    assert_eq!(v["mappings"].as_array().unwrap().len(), 6);
    let (s, v) = h.get("/api/v1/utilisation/unmapped").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!([]), "every code is mapped now");

    // The same write again, at the version it read: stale.
    let (s, v) = h.call("PUT", "/api/v1/task-codes", &admin, Some(body)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "version_conflict");

    let (s, v) = h.get("/api/v1/task-codes/history?limit=10").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let changes = v.as_array().unwrap();
    assert_eq!(changes.len(), 2, "{v}");
    assert_eq!(changes[0]["by"], "ada@example.com");
    assert_eq!(
        changes[0]["added"],
        json!([{"code": "OPS-", "prefix": true, "customer": "evergreen-logistics"}])
    );
    assert_eq!(changes[0]["removed"], json!([]));
    let (s, v) = h.get("/api/v1/task-codes/history?limit=1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 1);

    // Bad rows: each named; nothing written.
    let bad = json!({"version": 2, "mappings": [
        {"code": "ACME-", "prefix": true, "customer": "acme-retail", "contract": "00000100"},
        {"code": "X-", "prefix": true, "customer": "nobody"},
        {"code": "Y-1", "customer": "acme-retail", "contract": "00000104"},
        {"code": "ACME-", "prefix": true, "customer": "acme-retail"},
    ]});
    let (s, v) = h.call("PUT", "/api/v1/task-codes", &admin, Some(bad)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "validation_failed");
    let rows: Vec<(u64, &str)> = v["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [(2, "customer"), (3, "contract"), (4, "code")], "{v}");
    let (_, v) = h.get("/api/v1/task-codes").await;
    assert_eq!(v["version"], 2, "nothing written: {v}");

    // Malformed bodies.
    for (what, body, says) in [
        ("not JSON", b"{\"mappings\": [".to_vec(), "JSON"),
        ("no version", br#"{"mappings": []}"#.to_vec(), "version"),
        (
            "a bad code",
            br#"{"mappings": [{"code": "no spaces", "customer": "acme-retail"}], "version": 2}"#.to_vec(),
            "code",
        ),
        (
            "an unknown field",
            br#"{"mappings": [], "version": 2, "x": 1}"#.to_vec(),
            "x",
        ),
    ] {
        let (s, v) = h
            .raw(
                "PUT",
                "/api/v1/task-codes",
                Some(&admin),
                Some("application/json"),
                body,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{what}: {v}");
        let m = message(&v);
        let field = v["error"]["field"].as_str().unwrap_or_default();
        assert!(
            m.contains(says) || field.contains(says),
            "{what}: '{m}' (field '{field}') should name {says}"
        );
    }
}

const CONTRACTS_CSV: &str = "contract,customer,name,start,end,entitled_hours,monthly_allocation,status\n\
    C-1,cobalt-health,Extra support,2026-01-01,2026-12-31,100,8,Activated\n\
    00000100,acme-retail,Managed AWS operations,2026-04-01,2027-03-31,300,25,Activated\n";

#[tokio::test]
async fn utilisation_imports_read_csv_raw_or_multipart() {
    let h = Harness::new().await;
    let admin = h.admin();
    let url = "/api/v1/utilisation/imports/contracts";
    let (s, v) = h.csv(url, &h.engineer(), CONTRACTS_CSV).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = h.csv(url, &admin, CONTRACTS_CSV).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["rows"], 2, "{v}");
    assert!(v["contracts"].is_object(), "{v}");
    assert!(v.get("worklogs").is_none(), "{v}");
    let (s, v) = h.get("/api/v1/utilisation/contracts/cobalt-health/C-1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["contract"]["source"], "csv");
    assert_eq!(v["contract"]["monthly_allocation"], 8.0);
    let (s, v) = h.get("/api/v1/utilisation?customer=cobalt-health").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["contracts"].as_array().unwrap().len(), 2, "{v}");
    let (_, v) = h.get("/api/v1/utilisation/contracts/acme-retail/00000100").await;
    assert_eq!(v["contract"]["entitled_hours"], 300.0, "{v}");
    assert!(
        v["changes"].as_array().is_some_and(|c| !c.is_empty()),
        "the import's entitlement change is in the history: {v}"
    );

    // Worklogs as a multipart form: hours on a fresh code, which shows as unmapped.
    let today = h.app.clock.now().date();
    let csv = format!(
        "date,person,task_code,hours,note\n{today},kim@example.com,zzz-1,2.5,on call\n{today},kim@example.com,ZZZ-1,1,\n"
    );
    let form = format!(
        "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hours.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--b--\r\n"
    );
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/utilisation/imports/worklogs",
            Some(&admin),
            Some("multipart/form-data; boundary=b"),
            form.clone().into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v, json!({"rows": 2, "worklogs": 2, "worklogs_removed": 0}));
    let (_, v) = h.get("/api/v1/utilisation/unmapped").await;
    let zzz: Vec<&Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["task_code"] == "ZZZ-1")
        .collect();
    assert_eq!(zzz.len(), 1, "{v}");
    assert_eq!(zzz[0]["hours"], 3.5);
    // The same file again replaces the same worklogs.
    let (s, _) = h
        .raw(
            "POST",
            "/api/v1/utilisation/imports/worklogs",
            Some(&admin),
            Some("multipart/form-data; boundary=b"),
            form.into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v) = h.get("/api/v1/utilisation/unmapped").await;
    let zzz: Vec<&Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["task_code"] == "ZZZ-1")
        .collect();
    assert_eq!(zzz[0]["hours"], 3.5, "not doubled: {v}");

    // A corrected day replaces kim's day (not added to it); a 0-hour row clears it.
    let zzz_hours = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|u| u["task_code"] == "ZZZ-1")
            .map(|u| u["hours"].as_f64().unwrap())
    };
    let fixed = format!("date,person,task_code,hours\n{today},KIM@example.com,ZZZ-1,3\n");
    let (s, v) = h.csv("/api/v1/utilisation/imports/worklogs", &admin, &fixed).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v, json!({"rows": 1, "worklogs": 1, "worklogs_removed": 2}));
    let (_, v) = h.get("/api/v1/utilisation/unmapped").await;
    assert_eq!(
        zzz_hours(&v),
        Some(3.0),
        "replaced, and the e-mail's case does not matter: {v}"
    );
    let clear = format!("date,person,task_code,hours\n{today},kim@example.com,ZZZ-1,0\n");
    let (s, v) = h.csv("/api/v1/utilisation/imports/worklogs", &admin, &clear).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v, json!({"rows": 1, "worklogs": 0, "worklogs_removed": 1}));
    let (_, v) = h.get("/api/v1/utilisation/unmapped").await;
    assert_eq!(zzz_hours(&v), None, "cleared: {v}");

    // A contracts file without the optional columns keeps the kept name and allocation.
    let bare = "contract,customer,start,end,entitled_hours\nC-1,cobalt-health,2026-01-01,2026-12-31,90\n";
    let (s, v) = h.csv("/api/v1/utilisation/imports/contracts", &admin, bare).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = h.get("/api/v1/utilisation/contracts/cobalt-health/C-1").await;
    assert_eq!(v["contract"]["entitled_hours"], 90.0, "{v}");
    assert_eq!(v["contract"]["monthly_allocation"], 8.0, "{v}");
    assert!(!v["contract"]["name"].as_str().unwrap().is_empty(), "{v}");
}

#[tokio::test]
async fn utilisation_bad_imports_are_refused_with_nothing_stored() {
    let h = Harness::new().await;
    let admin = h.admin();
    let contracts = "/api/v1/utilisation/imports/contracts";
    let worklogs = "/api/v1/utilisation/imports/worklogs";

    // Bad rows: named by row and column.
    let bad = "contract,customer,start,end,entitled_hours\n\
        OK-1,acme-retail,2026-01-01,2026-12-31,10\n\
        BAD-1,acme-retail,2026-13-01,2026-12-31,10\n\
        BAD-2,acme-retail,2026-01-01,2026-12-31,lots\n\
        BAD-3,nobody,2026-01-01,2026-12-31,10\n";
    let (s, v) = h.csv(contracts, &admin, bad).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "validation_failed");
    let rows: Vec<(u64, String)> = v["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap().to_string()))
        .collect();
    assert!(rows.contains(&(2, "start".into())), "{v}");
    assert!(rows.contains(&(3, "entitled_hours".into())), "{v}");
    let (s, v) = h
        .csv(
            contracts,
            &admin,
            "contract,customer,start,end,entitled_hours\nX-1,nobody,2026-01-01,2026-12-31,10\n",
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["errors"][0]["row"], 1, "{v}");
    assert_eq!(v["error"]["errors"][0]["field"], "customer", "{v}");
    let (s, _) = h.get("/api/v1/utilisation/contracts/acme-retail/OK-1").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing stored");

    let (s, v) = h
        .csv(
            worklogs,
            &admin,
            "date,person,task_code,hours\n2026-11-02,kim@example.com,OPS-1,25\n",
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["errors"][0]["field"], "hours", "{v}");
    let (s, v) = h.csv(worklogs, &admin, "when,who\n2026-11-02,kim\n").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v.to_string().contains("when"), "the unknown column is named: {v}");

    for (what, url, ct, body, status, says) in [
        (
            "empty",
            contracts,
            Some("text/csv"),
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "empty",
        ),
        (
            "JSON",
            worklogs,
            Some("application/json"),
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "text/csv",
        ),
        (
            "no type",
            contracts,
            None,
            b"a,b\n".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "text/csv",
        ),
        (
            "too large",
            worklogs,
            Some("text/csv"),
            vec![b'x'; cc_http::MAX_UPLOAD_BYTES + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger",
        ),
        (
            "a form without the file",
            contracts,
            Some("multipart/form-data; boundary=b"),
            b"--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "file",
        ),
    ] {
        let (s, v) = h.raw("POST", url, Some(&admin), ct, body).await;
        assert_eq!(s, status, "{what}: {v}");
        let m = message(&v);
        assert!(m.contains(says), "{what}: '{m}' should mention {says}");
    }

    // Between the general limit and the upload limit: read, then refused as CSV (not 413).
    let mut big = String::from("date,person,task_code,hours\n");
    while big.len() <= cc_http::MAX_BODY_BYTES {
        big.push_str("2026-11-02,kim@example.com,OPS-1,x\n");
    }
    let (s, v) = h.csv(worklogs, &admin, &big).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{}", message(&v));
}

#[tokio::test]
async fn utilisation_runs_are_admin_started_and_listed() {
    let h = Harness::new().await;
    let (s, v) = h.get("/api/v1/utilisation/runs").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!([]));
    let (s, v) = h.call("POST", "/api/v1/utilisation/runs", &h.engineer(), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, run) = h.call("POST", "/api/v1/utilisation/runs", &h.admin(), None).await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    assert_eq!(run["trigger"], json!({"kind": "admin", "email": "ada@example.com"}));
    assert_eq!(run["contracts"]["status"], "ok", "{run}");
    assert_eq!(run["worklogs"]["status"], "ok", "{run}");
    let (s, v) = h.get("/api/v1/utilisation/runs?limit=5").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], run["id"]);
    // The local sources write the demo's own data: the reports stay as they were.
    let (_, v) = h.get("/api/v1/utilisation?customer=borealis-energy").await;
    assert_eq!(v["contracts"][0]["usage"]["status"], "running_out_early", "{v}");
}

/// Every route of the function refuses a query parameter it does not take (400 naming it), those
/// that take none too: a typo'd filter never quietly does nothing.
#[tokio::test]
async fn every_route_refuses_an_unknown_query_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = cc_domain::config::Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let app = cc_adapters::wire::utilisation(config).await.unwrap();
    cc_http::testing::every_route_of_a_function_refuses_an_unknown_query_parameter(
        app,
        utilisation::router,
        &utilisation::openapi(),
    )
    .await;
}

/// A typo'd filter is a 400 naming it (not an unfiltered answer), on routes that take parameters
/// and those that take none; authentication and, on admin routes, the role come first.
#[tokio::test]
async fn utilisation_unknown_query_parameters_are_400_after_the_token_and_the_role() {
    let h = Harness::new().await;
    for (uri, field, takes) in [
        ("/api/v1/utilisation/portfolio?foo=1", "foo", "no query parameters"),
        (
            "/api/v1/task-codes?customer=acme-retail",
            "customer",
            "no query parameters",
        ),
        (
            "/api/v1/utilisation?customer=acme-retail&custmer=x",
            "custmer",
            "customer",
        ),
        ("/api/v1/utilisation/unmapped?form=2026-01-01", "form", "from, to"),
    ] {
        let (s, v) = h.get(uri).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{uri}: {v}"
        );
        assert_eq!(v["error"]["code"], "invalid_query");
        assert!(message(&v).contains(takes), "{uri}: {v}");
    }
    // No token: 401 first; an engineer on an admin route: 403, not the 400.
    let (s, _) = h
        .raw("GET", "/api/v1/utilisation/portfolio?foo=1", None, None, vec![])
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = h
        .call("POST", "/api/v1/utilisation/runs?dry_run=1", &h.engineer(), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // An admin's is the 400, and nothing ran.
    let (_, before) = h.get("/api/v1/utilisation/runs").await;
    let (s, v) = h
        .call("POST", "/api/v1/utilisation/runs?dry_run=1", &h.admin(), None)
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("dry_run")),
        "{v}"
    );
    let (_, after) = h.get("/api/v1/utilisation/runs").await;
    assert_eq!(before, after, "no sync ran");
}

/// A CSV (or JSON) body in another charset than UTF-8 is a 415 asking for UTF-8, raw or as a
/// form's file part, and nothing is stored; a non-admin still gets 403.
#[tokio::test]
async fn utilisation_a_body_in_another_charset_is_415_asking_for_utf_8() {
    let h = Harness::new().await;
    let latin1: Vec<u8> =
        b"contract,customer,start,end,entitled_hours,name\nC-9,acme-retail,2026-01-01,2026-12-31,10,Caf\xe9\n".to_vec();
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/utilisation/imports/contracts",
            Some(&h.admin()),
            Some("text/csv; charset=iso-8859-1"),
            latin1.clone(),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")),
        "{v}"
    );
    assert!(message(&v).contains("UTF-8"), "{v}");
    let mut form = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv; charset=windows-1252\r\n\r\n".to_vec();
    form.extend_from_slice(&latin1);
    form.extend_from_slice(b"\r\n--b--\r\n");
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/utilisation/imports/contracts",
            Some(&h.admin()),
            Some("multipart/form-data; boundary=b"),
            form,
        )
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    let (s, _) = h
        .raw(
            "PUT",
            "/api/v1/task-codes",
            Some(&h.admin()),
            Some("application/json; charset=utf-16"),
            br#"{"mappings":[],"version":0}"#.to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, _) = h
        .raw(
            "POST",
            "/api/v1/utilisation/imports/contracts",
            Some(&h.engineer()),
            Some("text/csv; charset=iso-8859-1"),
            latin1,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = h.get("/api/v1/utilisation/contracts/acme-retail/C-9").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing stored");
    // UTF-8 said so, or said nothing: read.
    let utf8 = "contract,customer,start,end,entitled_hours,name\nC-9,acme-retail,2026-01-01,2026-12-31,10,Café\n";
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/utilisation/imports/contracts",
            Some(&h.admin()),
            Some("text/csv; charset=UTF-8"),
            utf8.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = h.get("/api/v1/utilisation/contracts/acme-retail/C-9").await;
    assert_eq!(v["contract"]["name"], "Café");
}

/// Contract numbers are matched without case where people type them (routes, mappings, CSV
/// imports) and shown as the contract spells them; an unknown one is refused with the
/// customer's contracts named.
#[tokio::test]
async fn utilisation_contract_numbers_are_matched_without_case_and_shown_as_spelt() {
    let h = Harness::new().await;
    let admin = h.admin();
    let csv = "contract,customer,start,end,entitled_hours\nAB-100,acme-retail,2026-01-01,2026-12-31,100\n";
    let (s, v) = h.csv("/api/v1/utilisation/imports/contracts", &admin, csv).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Typed in lower case: the same contract, updated, still spelt AB-100.
    let lower = csv.replace("AB-100", "ab-100").replace(",100\n", ",120\n");
    let (s, v) = h.csv("/api/v1/utilisation/imports/contracts", &admin, &lower).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["contracts"]["created"].as_u64(), v["contracts"]["updated"].as_u64()),
        (Some(0), Some(1)),
        "{v}"
    );
    let (s, v) = h.get("/api/v1/utilisation/contracts/acme-retail/ab-100").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["contract"]["id"], "AB-100");
    assert_eq!(v["contract"]["entitled_hours"], 120.0);
    let (_, v) = h.get("/api/v1/utilisation?customer=acme-retail").await;
    let ids: Vec<&str> = v["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["contract"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.iter().filter(|id| id.eq_ignore_ascii_case("ab-100")).count(),
        1,
        "{ids:?}"
    );

    // A mapping typed in lower case is kept as the contract spells it.
    let (_, codes) = h.get("/api/v1/task-codes").await;
    let mut mappings = codes["mappings"].as_array().unwrap().clone();
    mappings.push(json!({"code": "AB-", "prefix": true, "customer": "acme-retail", "contract": "ab-100"}));
    let (s, v) = h
        .call(
            "PUT",
            "/api/v1/task-codes",
            &admin,
            Some(json!({"mappings": mappings, "version": codes["version"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let saved = v["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "AB-")
        .unwrap()
        .clone();
    assert_eq!(saved["contract"], "AB-100");
    // An unknown contract: refused, with the customer's contracts to pick from.
    let mut bad = v["mappings"].as_array().unwrap().clone();
    bad.push(json!({"code": "AB-9", "customer": "acme-retail", "contract": "AB-10"}));
    let (s, v) = h
        .call(
            "PUT",
            "/api/v1/task-codes",
            &admin,
            Some(json!({"mappings": bad, "version": v["version"]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let said = v["error"]["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(said.contains("no contract 'AB-10'") && said.contains("AB-100"), "{v}");
}

/// A past month is judged against the allocation in effect on its days (the entitlement history),
/// not today's: a cut from 30 to 10 two months ago leaves the months before it judged at 30, and
/// the month of the cut says the allocation changed.
#[tokio::test]
async fn utilisation_months_are_judged_against_the_allocation_of_their_own_days() {
    use cc_domain::utilisation::{Contract, Worklog, store};
    let h = Harness::new().await;
    let items = h.app.items.as_ref();
    let now = h.app.clock.now();
    let today = now.date();
    let first = |d: time::Date| d.replace_day(1).unwrap();
    // Four whole months ago to the end of the year after.
    let start = first(first(today) - time::Duration::days(100));
    let cut_day = first(first(today) - time::Duration::days(40)) + time::Duration::days(14);
    let contract = |allocation: f64| Contract {
        id: cc_domain::ids::ContractId::parse("HIST-1").unwrap(),
        customer: CustomerCode::parse("acme-retail").unwrap(),
        name: "History".into(),
        start,
        end: start + time::Duration::days(500),
        entitled_hours: 1000.0,
        monthly_allocation: Some(allocation),
        status: "Activated".into(),
    };
    let seen = time::OffsetDateTime::new_utc(start - time::Duration::days(10), time::Time::MIDNIGHT);
    store::upsert_contracts(items, &[contract(30.0)], "salesforce", seen)
        .await
        .unwrap();
    let cut = time::OffsetDateTime::new_utc(cut_day, time::Time::from_hms(5, 0, 0).unwrap());
    store::upsert_contracts(items, &[contract(10.0)], "salesforce", cut)
        .await
        .unwrap();
    // 20 hours in every month so far: under 30, over 10.
    let mut logs = Vec::new();
    let mut m = start;
    while m <= today {
        logs.push(Worklog {
            id: format!("hist-{m}"),
            day: m + time::Duration::days(1),
            person: "erin@example.com".into(),
            task_code: cc_domain::ids::TaskCode::parse("HIST-1").unwrap(),
            hours: 20.0,
            note: String::new(),
        });
        m = first(m + time::Duration::days(32));
    }
    let logs: Vec<Worklog> = logs.into_iter().filter(|w| w.day <= today).collect();
    store::put_worklogs(items, &logs).await.unwrap();
    let (_, codes) = h.get("/api/v1/task-codes").await;
    let mut mappings = codes["mappings"].as_array().unwrap().clone();
    mappings.push(json!({"code": "HIST-", "prefix": true, "customer": "acme-retail", "contract": "HIST-1"}));
    let (s, v) = h
        .call(
            "PUT",
            "/api/v1/task-codes",
            &h.admin(),
            Some(json!({"mappings": mappings, "version": codes["version"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let (s, v) = h.get("/api/v1/utilisation/contracts/acme-retail/HIST-1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let months = v["usage"]["months"].as_array().unwrap();
    let cut_month = format!("{:04}-{:02}", cut_day.year(), u8::from(cut_day.month()));
    for m in months.iter().filter(|m| m["complete"] == true) {
        let name = m["month"].as_str().unwrap();
        let allocation = m["allocation"].as_f64().unwrap();
        if name < cut_month.as_str() {
            assert!((allocation - 30.0).abs() < 1e-9 && m["exceeded"] == false, "{m}");
            assert_eq!(m["allocation_changed"], false, "{m}");
        } else if name == cut_month {
            assert!(allocation > 10.0 && allocation < 30.0, "part of each: {m}");
            assert_eq!(m["allocation_changed"], true, "{m}");
        } else {
            assert!((allocation - 10.0).abs() < 1e-9 && m["exceeded"] == true, "{m}");
        }
    }
    // The portfolio counts the same months over.
    let over = months
        .iter()
        .filter(|m| m["complete"] == true && m["exceeded"] == true)
        .count();
    let (_, p) = h.get("/api/v1/utilisation/portfolio").await;
    let acme = p["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["customer"] == "acme-retail")
        .unwrap();
    let standing = acme["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contract"] == "HIST-1")
        .unwrap();
    assert_eq!(
        standing["months_over_allocation"].as_u64(),
        Some(over as u64),
        "{standing}"
    );
    assert!(
        over >= 1 && over < months.iter().filter(|m| m["complete"] == true).count(),
        "{months:?}"
    );
}

#[test]
fn query_rules_file_matches_the_document() {
    cc_http::testing::query_rules_file_matches(
        &utilisation::openapi(),
        concat!(env!("CARGO_MANIFEST_DIR"), "/query-rules.txt"),
    );
}
