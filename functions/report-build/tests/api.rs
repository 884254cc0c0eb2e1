//! The report routes through the router with locally verified tokens, on the embedded store (SQLite
//! and the local object directory) with the demo hub, the demo cost history and the demo contracts,
//! on a clock fixed at 2026-11-25: the sample events; building and rebuilding (both versions
//! listed and readable, their metadata, the diff); the report's figures against the stored costs;
//! concurrent builds; and bad input (each a 4xx with a JSON error, nothing stored).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cc_domain::config::Config;
use cc_domain::demo::{self, DemoSize};
use cc_domain::identity::Role;
use cc_domain::ids::CustomerCode;
use cc_domain::reports::{ReportMonth, Trigger};
use cc_domain::store::{ItemStore, ObjectStore};
use cc_domain::{App, Clock};
use cc_http::testing::{Expect, err, ok};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &str = "test-secret-test-secret-test-secret-0123";
const ACME: &str = "acme-retail";
const OCTOBER: &str = "2026-10";
const ERIN: &str = "erin.engineer@demo.customer-central.dev";

const EXPECTED: &[Expect] = &[
    ok("01-list-customer", 200),
    err("02-list-without-filter", 400, "validation_failed"),
    ok("03-build", 201),
    err("04-build-open-month", 400, "validation_failed"),
    err("05-build-future-month", 400, "validation_failed"),
    err("06-build-unknown-customer", 404, "not_found"),
    err("07-build-summary-too-long", 400, "validation_failed"),
    err("08-build-off-team", 403, "forbidden"),
    ok("09-versions", 200),
    ok("10-version-html", 200),
    ok("11-version-json", 200),
    ok("12-version-pdf", 200),
    err("13-version-unknown", 404, "not_found"),
    ok("14-download", 200),
    ok("15-diff", 200),
    ok("16-runs", 200),
    err("17-versions-bad-month", 400, "validation_failed"),
    err("18-import-findings-not-json", 400, "validation_failed"),
    err("19-import-findings-other-account", 400, "validation_failed"),
    err("20-import-findings-engineer", 403, "forbidden"),
];

struct Harness {
    router: Router,
    app: App,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// The demo, and October's version 1 built by the schedule, with the embedded default's ports.
    async fn new() -> Self {
        Self::with_ports(cc_adapters::wire::embedded_report_ports()).await
    }

    /// The same with other report ports.
    async fn with_ports(ports: cc_domain::reports::ReportPorts) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().display().to_string();
        let config = Config::from_lookup(|k| match k {
            "CC_DATA_DIR" => Some(data_dir.clone()),
            "CC_JWT_SECRET" => Some(SECRET.to_string()),
            _ => None,
        })
        .unwrap();
        let items: Arc<dyn ItemStore> =
            Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
        let objects: Arc<dyn ObjectStore> = Arc::new(cc_adapters::local_objects::LocalObjectStore::new(
            dir.path().join("objects"),
            SECRET.as_bytes(),
            "http://127.0.0.1:1",
        ));
        let clock = Clock::fixed(time::macros::datetime!(2026-11-25 09:00 UTC));
        // The embedded default's generated sources, as `cc serve` wires them.
        let app = App::new(config, items, clock)
            .with_objects(objects)
            .with_reports(ports)
            .unwrap();
        let size = DemoSize {
            customers: 6,
            accounts: 12,
        };
        demo::seed(&app, &size).await.unwrap();
        let codes: Vec<CustomerCode> = demo::customer_codes(&size)
            .iter()
            .map(|c| CustomerCode::parse(c).unwrap())
            .collect();
        cc_domain::billing::demo::seed(&app, &codes[..1]).await.unwrap();
        cc_domain::utilisation::demo::seed(app.items.as_ref(), &codes, app.clock.now())
            .await
            .unwrap();
        let h = Harness {
            router: report_build::router(cc_http::Api::new(app.clone(), None)),
            app,
            _dir: dir,
        };
        let (customer, accounts) = h.customer(ACME).await;
        h.app
            .reports()
            .unwrap()
            .build(
                &customer,
                &accounts,
                month(OCTOBER),
                None,
                Trigger::Schedule,
                "monthly schedule",
            )
            .await
            .unwrap();
        let api = cc_http::Api::from_app(h.app.clone()).await.unwrap();
        Harness {
            router: report_build::router(api),
            ..h
        }
    }

    async fn customer(&self, code: &str) -> (cc_domain::hub::Customer, Vec<cc_domain::hub::Account>) {
        let snap = self.app.hub.snapshot().await.unwrap();
        let c = snap.customer(code).unwrap().clone();
        let accounts = snap.accounts.iter().filter(|a| a.customer == c.code).cloned().collect();
        (c, accounts)
    }

    fn token(&self, email: &str, roles: &[Role]) -> String {
        let roles: BTreeSet<Role> = roles.iter().copied().collect();
        cc_http::mint_dev_token(SECRET, &self.app.config.auth, email, &roles, Duration::from_secs(600)).unwrap()
    }
    fn erin(&self) -> String {
        self.token(ERIN, &[Role::Engineer])
    }
    fn lead(&self) -> String {
        self.token("lee.lead@demo.customer-central.dev", &[Role::Lead])
    }

    async fn call(&self, method: &str, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value, String) {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(bytes)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_client_error() || status.is_server_error() {
            assert!(
                value["error"]["code"].is_string() && value["error"]["message"].is_string(),
                "{method} {uri}: error body has a code and a message: {text}"
            );
        }
        (status, value, format!("{ct}\n{text}"))
    }

    async fn versions(&self) -> Vec<Value> {
        let (s, v, _) = self
            .call(
                "GET",
                &format!("/api/v1/reports/{ACME}/{OCTOBER}/versions"),
                &self.erin(),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["items"].as_array().unwrap().clone()
    }
}

fn month(m: &str) -> ReportMonth {
    ReportMonth::parse(m).unwrap()
}

fn message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap()
}

/// Every missing section of a snapshot reads as a sentence to the customer: a capital first, a
/// full stop last, and none of the team's instructions (commands, routes, variables).
fn assert_customer_facing(snap: &Value) {
    let mut missing = 0;
    for (name, section) in snap.as_object().unwrap() {
        if section["status"] != "missing" {
            continue;
        }
        missing += 1;
        let m = section["message"].as_str().unwrap();
        assert!(
            m.chars().next().is_some_and(char::is_uppercase) && m.ends_with(['.', '!', '?']),
            "{name}: not a sentence: {m}"
        );
        for operator in ["`", "cc ", "/api/", "POST ", "CC_", "cargo", "--customer"] {
            assert!(
                !m.contains(operator),
                "{name}: {operator:?} in the customer's text: {m}"
            );
        }
    }
    assert!(missing > 0, "no missing section to check");
}

#[tokio::test]
async fn report_sample_events_run_through_the_lambda_router() {
    let h = Harness::new().await;
    let router = report_build::router(cc_http::Api::new(h.app.clone(), None));
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "report-build");
    let bodies = cc_http::testing::replay(&router, &events, EXPECTED).await;
    assert_eq!(bodies[0]["items"][0]["month"], OCTOBER, "{}", bodies[0]);
    assert_eq!(bodies[2]["version"], 2, "{}", bodies[2]);
    assert_eq!(bodies[2]["trigger"], json!({"kind": "person", "email": ERIN}));
    assert!(message(&bodies[3]).contains("has not ended yet"), "{}", bodies[3]);
    assert!(message(&bodies[4]).contains("is in the future"), "{}", bodies[4]);
    assert!(
        message(&bodies[6]).contains("20001 characters; at most 20000"),
        "{}",
        bodies[6]
    );
    assert_eq!(bodies[8]["items"].as_array().unwrap().len(), 2, "{}", bodies[8]);
    assert_eq!(
        bodies[10]["customer"]["code"], ACME,
        "the JSON snapshot: {}",
        bodies[10]
    );
    // The PDF (not JSON: every_version_has_its_pdf_to_read_and_download reads it).
    assert!(bodies[11].get("error").is_none(), "{}", bodies[11]);
    assert!(
        bodies[13]["url"]
            .as_str()
            .unwrap()
            .contains("/local/objects/reports/acme-retail/2026-10/report.json")
    );
    let changes: Vec<&str> = bodies[14]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert!(changes.contains(&"summary.data"), "{changes:?}");
}

#[tokio::test]
async fn a_rebuild_with_a_new_summary_adds_a_version_and_keeps_the_first_readable() {
    let h = Harness::new().await;
    let body = json!({"customer": ACME, "month": OCTOBER, "summary": "First **draft**.", "reason": "draft"});
    let (s, v2, _) = h.call("POST", "/api/v1/reports", &h.erin(), Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v2}");
    let body = json!({"customer": ACME, "month": OCTOBER, "summary": "Final words.\n\n<script>alert(1)</script>"});
    let (s, v3, _) = h.call("POST", "/api/v1/reports", &h.lead(), Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v3}");
    // Absent summary: the newest version's is kept.
    let (s, v4, _) = h
        .call(
            "POST",
            "/api/v1/reports",
            &h.erin(),
            Some(json!({"customer": ACME, "month": OCTOBER})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v4}");

    let versions = h.versions().await;
    let listed: Vec<(u64, Value, Value, Value)> = versions
        .iter()
        .map(|v| {
            (
                v["version"].as_u64().unwrap(),
                v["trigger"].clone(),
                v["reason"].clone(),
                v["summary"].clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                4,
                json!({"kind": "person", "email": ERIN}),
                json!("on demand"),
                json!("Final words.\n\n<script>alert(1)</script>")
            ),
            (
                3,
                json!({"kind": "person", "email": "lee.lead@demo.customer-central.dev"}),
                json!("on demand"),
                json!("Final words.\n\n<script>alert(1)</script>")
            ),
            (
                2,
                json!({"kind": "person", "email": ERIN}),
                json!("draft"),
                json!("First **draft**.")
            ),
            (1, json!({"kind": "schedule"}), json!("monthly schedule"), Value::Null),
        ]
    );
    for v in &versions {
        assert_eq!(v["built_at"], "2026-11-25T09:00:00Z");
        let formats: Vec<&str> = v["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["format"].as_str().unwrap())
            .collect();
        assert_eq!(formats, ["json", "html", "pdf"]);
    }
    // Every version's page is still there, each its own; the script is gone from the page.
    let h = &h;
    let page = |n: u64| async move {
        let (s, _, text) = h
            .call(
                "GET",
                &format!("/api/v1/reports/{ACME}/{OCTOBER}/versions/{n}"),
                &h.erin(),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        text
    };
    let p1 = page(1).await;
    assert!(p1.starts_with("text/html"), "{}", &p1[..40]);
    assert!(
        p1.contains("The team has not written a summary"),
        "version 1 has no summary"
    );
    assert!(p1.contains("Version 1 · built 2026-11-25 09:00 UTC by the monthly schedule"));
    let p2 = page(2).await;
    assert!(p2.contains("First <strong>draft</strong>."));
    let p3 = page(3).await;
    assert!(p3.contains("Final words.") && !p3.contains("<script") && !p3.contains("alert(1)"));
    // The objects keep every version: the store lists them all under the one key.
    let objects = h.app.objects().unwrap();
    let html_versions = objects
        .list_versions("reports/acme-retail/2026-10/report.html")
        .await
        .unwrap();
    assert_eq!(html_versions.len(), 4);
    // Same facts, same snapshot: versions 3 and 4 differ in nothing.
    let (s, d, _) = h
        .call(
            "GET",
            &format!("/api/v1/reports/{ACME}/{OCTOBER}/diff?from=3&to=4"),
            &h.erin(),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["changes"], json!([]));
    let (_, d, _) = h
        .call(
            "GET",
            &format!("/api/v1/reports/{ACME}/{OCTOBER}/diff?from=2&to=3"),
            &h.erin(),
            None,
        )
        .await;
    assert_eq!(
        d["changes"],
        json!([{"path": "summary.data.markdown", "kind": "changed", "from": "First **draft**.", "to": "Final words.\n\n<script>alert(1)</script>"}])
    );
    // The month's list shows the newest version and the count.
    let (_, l, _) = h.call("GET", "/api/v1/reports?month=2026-10", &h.erin(), None).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(
        (
            l["items"][0]["versions"].clone(),
            l["items"][0]["latest"]["version"].clone()
        ),
        (json!(4), json!(4))
    );
    // Each build is audited.
    let events = h
        .app
        .items
        .query_all(cc_domain::store::Query::partition(
            cc_domain::store::Index::Primary,
            cc_domain::keys::audit(ACME, time::macros::datetime!(2026-11-25 09:00 UTC)),
        ))
        .await
        .unwrap();
    let built = events.iter().filter(|e| e.data["action"] == "report_built").count();
    assert_eq!(built, 4);
}

#[tokio::test]
async fn the_reports_costs_are_the_stored_cells_of_the_month() {
    let h = Harness::new().await;
    let code = CustomerCode::parse(ACME).unwrap();
    let oct = month(OCTOBER);
    let (items, code) = (&h.app.items, &code);
    let sum = |from, to| async move {
        let cells = cc_domain::billing::costs::cells(items.as_ref(), code, from, to, None, None)
            .await
            .unwrap();
        assert!(!cells.is_empty());
        cells.iter().map(|c| c.amount).sum::<f64>()
    };
    let total = sum(oct.first_day(), oct.last_day()).await;
    let sept = oct.previous().unwrap();
    let previous = sum(sept.first_day(), sept.last_day()).await;
    let (s, snap, _) = h
        .call(
            "GET",
            &format!("/api/v1/reports/{ACME}/{OCTOBER}/versions/1?format=json"),
            &h.erin(),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let usd = &snap["billing"]["data"]["currencies"][0];
    assert_eq!(usd["total"].as_f64().unwrap(), (total * 100.0).round() / 100.0);
    assert_eq!(
        usd["previous_total"].as_f64().unwrap(),
        (previous * 100.0).round() / 100.0
    );
    assert_eq!(usd["daily"].as_array().unwrap().len(), 31);
    assert_eq!(
        snap["utilisation"]["status"], "ready",
        "acme-retail's demo contract covers October"
    );
    assert_eq!(snap["breakglass"]["status"], "ready");
    for s in ["renewals", "optimisation"] {
        assert_eq!(
            snap[s]["status"], "ready",
            "{s}: the embedded default's generated sources"
        );
    }
    // acme-retail reaches its accounts through SSO (no read role) and has imported nothing: the
    // section says so to the customer, without the team's instructions.
    assert_eq!(snap["compliance"]["reason"], "no_data");
    assert_eq!(snap["compliance"]["message"], cc_domain::reports::gather::NO_FINDINGS);
    assert_customer_facing(&snap);
    let (_, _, page) = h
        .call(
            "GET",
            &format!("/api/v1/reports/{ACME}/{OCTOBER}/versions/1"),
            &h.erin(),
            None,
        )
        .await;
    let shown = cc_domain::reports::html::money((total * 100.0).round() / 100.0, "USD");
    assert!(page.contains(&shown), "{shown} not in the page");
}

#[tokio::test]
async fn every_version_has_its_pdf_to_read_and_download() {
    let h = Harness::new().await;
    let (s, pdf, ct) = h
        .call(
            "GET",
            &format!("/api/v1/reports/{ACME}/{OCTOBER}/versions/1?format=pdf"),
            &h.erin(),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("application/pdf\n%PDF-"), "{}", &ct[..ct.len().min(80)]);
    assert_eq!(pdf, Value::Null);
    let versions = h.versions().await;
    let formats: BTreeSet<&str> = versions[0]["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, BTreeSet::from(["html", "json", "pdf"]));
    let (s, link, _) = h
        .call(
            "GET",
            &format!("/api/v1/reports/{ACME}/{OCTOBER}/versions/1/download?format=pdf"),
            &h.erin(),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{link}");
    assert!(link["url"].as_str().unwrap().contains("report.pdf"), "{link}");
}

/// A renderer that always fails.
struct Broken;

impl cc_domain::reports::ports::Renderer for Broken {
    fn format(&self) -> &'static str {
        "pdf"
    }
    fn content_type(&self) -> &'static str {
        "application/pdf"
    }
    fn render(&self, _: &cc_domain::reports::Snapshot, _: &cc_domain::reports::BuildInfo) -> anyhow::Result<Vec<u8>> {
        anyhow::bail!("the page engine broke")
    }
}

/// As in AWS, where the `report-pdf` function renders the PDF after the build: until it has, the
/// version lists it as pending and asking for it is a 409 that says it is on its way; when
/// rendering failed, a 409 that says why and that a new build tries again. The other outputs are
/// there from the start.
#[tokio::test]
async fn a_pdf_still_to_come_or_that_failed_is_a_409_saying_which() {
    let mut ports = cc_adapters::wire::embedded_report_ports();
    ports.deferred = vec!["pdf"];
    let h = Harness::with_ports(ports).await;
    let versions = h.versions().await;
    assert_eq!(
        versions[0]["pending"],
        json!([{"format": "pdf", "error": null}]),
        "{}",
        versions[0]
    );
    let version = format!("/api/v1/reports/{ACME}/{OCTOBER}/versions/1");
    for uri in [
        format!("{version}?format=pdf"),
        format!("{version}/download?format=pdf"),
    ] {
        let (s, v, _) = h.call("GET", &uri, &h.erin(), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{uri}: {v}");
        assert_eq!(v["error"]["code"], "output_pending");
        assert!(message(&v).contains("still being rendered"), "{v}");
    }
    for format in ["html", "json"] {
        let (s, _, _) = h
            .call("GET", &format!("{version}?format={format}"), &h.erin(), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{format}");
    }
    // Past the time a render takes (15 minutes), the PDF is reported as not rendered.
    let mut later = h.app.clone();
    later.clock = Clock::fixed(time::macros::datetime!(2026-11-25 09:16 UTC));
    let late = Harness {
        router: report_build::router(cc_http::Api::from_app(later.clone()).await.unwrap()),
        app: later,
        _dir: tempfile::tempdir().unwrap(),
    };
    let (s, v, _) = late
        .call("GET", &format!("{version}?format=pdf"), &h.erin(), None)
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(message(&v).contains("was not rendered in time"), "{v}");

    let mut broken = cc_domain::reports::ReportPorts::unconfigured();
    broken.renderers = vec![Arc::new(Broken)];
    let renderer = h.app.clone().with_reports(broken).unwrap();
    let code = CustomerCode::parse(ACME).unwrap();
    // Recorded, and not tried again by another delivery: the failure stays as it was.
    for _ in 0..2 {
        let v = renderer
            .reports()
            .unwrap()
            .render_pending(&code, month(OCTOBER), 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v.pending[0].error.as_deref(), Some("the page engine broke"));
        assert!(v.output("pdf").is_none());
    }
    let (s, v, _) = h.call("GET", &format!("{version}?format=pdf"), &h.erin(), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(
        message(&v).contains("could not be rendered (the page engine broke)"),
        "{v}"
    );
    assert!(message(&v).contains("a new build tries again"), "{v}");
}

#[tokio::test]
async fn concurrent_builds_each_get_their_own_version() {
    let h = Harness::new().await;
    let n = 6;
    let calls = (0..n).map(|i| {
        let body = json!({"customer": ACME, "month": OCTOBER, "summary": format!("take {i}")});
        let token = h.lead();
        let h = &h;
        async move { h.call("POST", "/api/v1/reports", &token, Some(body)).await }
    });
    let answers = futures::future::join_all(calls).await;
    let mut numbers: Vec<u64> = answers
        .iter()
        .map(|(s, v, _)| {
            assert_eq!(*s, StatusCode::CREATED, "{v}");
            v["version"].as_u64().unwrap()
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (2..=n + 1).collect::<Vec<u64>>());
    let versions = h.versions().await;
    assert_eq!(versions.len() as u64, n + 1);
    let summaries: BTreeSet<String> = versions
        .iter()
        .filter_map(|v| v["summary"].as_str().map(String::from))
        .collect();
    assert_eq!(summaries.len() as u64, n, "every build's summary kept: {summaries:?}");
}

/// The first month of the range builds (month over month has no month before it, and no read the
/// build makes for it is refused); the last is refused naming `month` while it is in the future;
/// neither answers about a field the caller did not send.
#[tokio::test]
async fn the_first_and_last_months_of_the_range_build_or_name_the_month() {
    let h = Harness::new().await;
    let (s, v, _) = h
        .call(
            "POST",
            "/api/v1/reports",
            &h.lead(),
            Some(json!({"customer": ACME, "month": "2000-01"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, snap, _) = h
        .call(
            "GET",
            &format!("/api/v1/reports/{ACME}/2000-01/versions/1?format=json"),
            &h.erin(),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(snap["month"], "2000-01");
    assert_eq!(
        snap["billing"]["reason"], "no_data",
        "no costs in 2000: {}",
        snap["billing"]
    );
    assert_customer_facing(&snap);
    let (s, v, _) = h
        .call(
            "POST",
            "/api/v1/reports",
            &h.lead(),
            Some(json!({"customer": ACME, "month": "2099-12"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["field"], "month", "{v}");
    assert!(message(&v).contains("is in the future"), "{v}");
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx_and_stores_nothing() {
    let h = Harness::new().await;
    let erin = h.erin();
    let cases: Vec<(&str, &str, Option<Value>, StatusCode, &str)> = vec![
        // A mistyped customer in a path is named as the unknown customer.
        (
            "GET",
            "/api/v1/reports/nope-co/2026-10/versions",
            None,
            StatusCode::NOT_FOUND,
            "customer 'nope-co'",
        ),
        (
            "GET",
            "/api/v1/reports/nope-co/2026-10/versions/1",
            None,
            StatusCode::NOT_FOUND,
            "customer 'nope-co'",
        ),
        (
            "GET",
            "/api/v1/reports/acme-retail/2026-10/versions/99999999999",
            None,
            StatusCode::BAD_REQUEST,
            "up to 4294967295",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": ACME, "month": "2026-11"})),
            StatusCode::BAD_REQUEST,
            "has not ended yet",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": ACME, "month": "2031-01"})),
            StatusCode::BAD_REQUEST,
            "is in the future",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": ACME, "month": "2026-1"})),
            StatusCode::BAD_REQUEST,
            "YYYY-MM",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": ACME, "month": "1999-12"})),
            StatusCode::BAD_REQUEST,
            "YYYY-MM",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": "nobody", "month": OCTOBER})),
            StatusCode::NOT_FOUND,
            "nobody",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": "Not A Code", "month": OCTOBER})),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": ACME, "month": OCTOBER, "summary": "é".repeat(20_001)})),
            StatusCode::BAD_REQUEST,
            "at most 20000",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": ACME, "month": OCTOBER, "summary": "text \u{202E} reversed"})),
            StatusCode::BAD_REQUEST,
            "text-direction",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": ACME, "month": OCTOBER, "reason": "two\nlines"})),
            StatusCode::BAD_REQUEST,
            "one line",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": ACME, "month": OCTOBER, "pdf": true})),
            StatusCode::BAD_REQUEST,
            "pdf",
        ),
        (
            "POST",
            "/api/v1/reports",
            Some(json!({"customer": "driftwood-media", "month": OCTOBER})),
            StatusCode::FORBIDDEN,
            "team",
        ),
        (
            "GET",
            "/api/v1/reports/acme-retail/2026-10/versions/0",
            None,
            StatusCode::BAD_REQUEST,
            "version",
        ),
        (
            "GET",
            "/api/v1/reports/acme-retail/2026-10/versions/1?format=xml",
            None,
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            "GET",
            "/api/v1/reports/acme-retail/2026-09/versions",
            None,
            StatusCode::NOT_FOUND,
            "2026-09",
        ),
        (
            "GET",
            "/api/v1/reports/acme-retail/2026-10/diff?from=1&to=x",
            None,
            StatusCode::BAD_REQUEST,
            "version number",
        ),
        (
            "GET",
            "/api/v1/reports/acme-retail/2026-10/diff?from=1&to=7",
            None,
            StatusCode::NOT_FOUND,
            "version 7",
        ),
        (
            "GET",
            "/api/v1/reports?customer=nobody",
            None,
            StatusCode::NOT_FOUND,
            "nobody",
        ),
        (
            "GET",
            "/api/v1/reports?month=2026-13",
            None,
            StatusCode::BAD_REQUEST,
            "YYYY-MM",
        ),
    ];
    for (method, uri, body, status, says) in cases {
        let (s, v, _) = h.call(method, uri, &erin, body.clone()).await;
        assert_eq!(s, status, "{method} {uri} {body:?}: {v}");
        assert!(message(&v).contains(says), "{method} {uri}: '{says}' not in {v}");
    }
    assert_eq!(h.versions().await.len(), 1, "nothing was built");
    // Without a role: 403 on reads too.
    let nobody = h.token("nobody@example.com", &[]);
    let (s, _, _) = h
        .call("GET", "/api/v1/reports?customer=acme-retail", &nobody, None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// Every route of the function refuses a query parameter it does not take (400 naming it), those
/// that take none too: a typo'd filter never quietly does nothing.
#[tokio::test]
async fn every_route_refuses_an_unknown_query_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let app = cc_adapters::wire::reports(config).await.unwrap();
    cc_http::testing::every_route_of_a_function_refuses_an_unknown_query_parameter(
        app,
        report_build::router,
        &report_build::openapi(),
    )
    .await;
}

impl Harness {
    async fn post_raw(&self, uri: &str, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

/// An imported ASFF export is checked whole (a bad one is a 400 naming the finding and field,
/// and stores nothing), then becomes the compliance section of a customer without a read role,
/// which says where it came from.
#[tokio::test]
async fn imported_findings_are_checked_whole_and_feed_the_compliance_section() {
    let h = Harness::new().await;
    let (_, accounts) = h.customer(ACME).await;
    let ids: Vec<String> = accounts.iter().map(|a| a.id.to_string()).collect();
    let finding = |id: &str, account: &str, severity: &str, control: &str, status: &str| {
        json!({"SchemaVersion": "2018-10-08", "Id": id, "AwsAccountId": account, "Title": format!("{control} check"),
               "ProductName": "Security Hub", "Region": "eu-west-1", "Severity": {"Label": severity},
               "RecordState": "ACTIVE", "Workflow": {"Status": "NEW"},
               "Compliance": {"Status": status, "SecurityControlId": control}})
    };
    let good = json!({"Findings": [
        finding("a", &ids[0], "CRITICAL", "IAM.6", "FAILED"),
        finding("b", &ids[1], "HIGH", "S3.8", "FAILED"),
        finding("c", &ids[0], "HIGH", "S3.8", "FAILED"),
        finding("d", &ids[0], "LOW", "KMS.4", "PASSED"),
        {"Id": "e", "AwsAccountId": &ids[0], "Title": "old", "Severity": {"Label": "HIGH"}, "RecordState": "ARCHIVED"},
    ]});
    let uri = format!("/api/v1/reports/findings?customer={ACME}&file_name=october.json");
    let key = cc_domain::reports::findings::key(&CustomerCode::parse(ACME).unwrap());

    // Refused whole: a finding without a title, another customer's account, not JSON, an engineer.
    let mut bad = good.clone();
    bad["Findings"][2].as_object_mut().unwrap().remove("Title");
    let (s, v) = h.post_raw(&uri, &h.lead(), serde_json::to_vec(&bad).unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["field"], "findings[2].Title", "{v}");
    let mut other = good.clone();
    other["Findings"][1]["AwsAccountId"] = json!("999999999999");
    let (s, v) = h.post_raw(&uri, &h.lead(), serde_json::to_vec(&other).unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"]["field"], "findings[1].AwsAccountId", "{v}");
    // Another media type is a 415, as for every JSON body of the API.
    let req = Request::builder()
        .method("POST")
        .uri(&uri)
        .header("authorization", format!("Bearer {}", h.lead()))
        .header("content-type", "text/plain")
        .body(Body::from(serde_json::to_vec(&good).unwrap()))
        .unwrap();
    let res = h.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, v) = h.post_raw(&uri, &h.lead(), b"{\"Findings\": [".to_vec()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap().contains("not JSON"), "{v}");
    // A value outside ASFF's (an archived finding's too), a repeated Id, a control character in
    // text the report shows: each a 400 naming the finding and field.
    for (pointer, value, field) in [
        ("/Findings/1/RecordState", json!("WEIRD"), "findings[1].RecordState"),
        ("/Findings/4/RecordState", json!("archived"), "findings[4].RecordState"),
        (
            "/Findings/0/Workflow/Status",
            json!("OPEN"),
            "findings[0].Workflow.Status",
        ),
        (
            "/Findings/3/Compliance/Status",
            json!("OK"),
            "findings[3].Compliance.Status",
        ),
        (
            "/Findings/2/Severity/Label",
            json!("SEVERE"),
            "findings[2].Severity.Label",
        ),
        ("/Findings/2/Title", json!("S3 \u{7} check"), "findings[2].Title"),
        (
            "/Findings/1/ProductName",
            json!("Hub\u{202E}buh"),
            "findings[1].ProductName",
        ),
        ("/Findings/3/Id", json!("a"), "findings[3].Id"),
        ("/Findings/4/Id", json!("b"), "findings[4].Id"),
    ] {
        let mut bad = good.clone();
        *bad.pointer_mut(pointer).unwrap() = value;
        let (s, v) = h.post_raw(&uri, &h.lead(), serde_json::to_vec(&bad).unwrap()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{pointer}: {v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    let mut twice = good.clone();
    twice["Findings"][3]["Id"] = json!("a");
    let (_, v) = h.post_raw(&uri, &h.lead(), serde_json::to_vec(&twice).unwrap()).await;
    let m = message(&v);
    assert!(
        m.contains("findings[0]") && m.contains("findings[3]") && m.contains("'a'"),
        "{m}"
    );
    let (s, _) = h.post_raw(&uri, &h.erin(), serde_json::to_vec(&good).unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = h
        .post_raw(&uri, &h.lead(), vec![b' '; cc_http::MAX_UPLOAD_BYTES + 1])
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let objects = h.app.objects().unwrap().clone();
    assert!(
        objects.get(&key, None).await.unwrap().is_none(),
        "nothing stored by a refused import"
    );

    let (s, v) = h.post_raw(&uri, &h.lead(), serde_json::to_vec(&good).unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (
            v["read"].as_u64(),
            v["stored"].as_u64(),
            v["dropped"].as_u64(),
            v["open"].as_u64()
        ),
        (Some(5), Some(4), Some(1), Some(3)),
        "d passed its check: stored, not open"
    );
    assert_eq!(v["file_name"], "october.json");
    let answered = v;

    let (s, built, _) = h
        .call(
            "POST",
            "/api/v1/reports",
            &h.lead(),
            Some(json!({"customer": ACME, "month": OCTOBER})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{built}");
    let version = built["version"].as_u64().unwrap();
    let (_, snap, _) = h
        .call(
            "GET",
            &format!("/api/v1/reports/{ACME}/{OCTOBER}/versions/{version}?format=json"),
            &h.erin(),
            None,
        )
        .await;
    let c = &snap["compliance"];
    assert_eq!(c["status"], "ready", "{c}");
    let source = c["data"]["source"].as_str().unwrap();
    assert!(
        source.starts_with("ASFF import (october.json, 2026-11-25 by lee.lead@"),
        "{source}"
    );
    assert_eq!(c["data"]["open_findings"], 3);
    assert_eq!(
        answered["by_severity"], c["data"]["by_severity"],
        "the import's answer counts as the report does"
    );
    assert_eq!(answered["open"], c["data"]["open_findings"]);
    assert_eq!(c["data"]["failing_controls"][0]["control_id"], "S3.8");
    assert_eq!(c["data"]["failing_controls"][0]["accounts"], 2);
    // Audited.
    let at = h.app.clock.now();
    let events = h
        .app
        .items
        .query_all(cc_domain::store::Query::partition(
            cc_domain::store::Index::Primary,
            cc_domain::keys::audit(ACME, at),
        ))
        .await
        .unwrap();
    assert!(events.iter().any(|e| e.data["action"] == "findings_imported"));
}

#[test]
fn query_rules_file_matches_the_document() {
    cc_http::testing::query_rules_file_matches(
        &report_build::openapi(),
        concat!(env!("CARGO_MANIFEST_DIR"), "/query-rules.txt"),
    );
}
