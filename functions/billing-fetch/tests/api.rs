//! The billing routes through the router with locally verified tokens, on the embedded store:
//! the sample events; imports of the real FOCUS sample (raw, multipart, gzip) checked against
//! independently computed sums; an anomaly's lifecycle with versions; settings; a fetch run now;
//! and bad input (each a 4xx with a JSON error, nothing stored).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cc_domain::App;
use cc_domain::billing::costs::{self, CellSource, DailyCost};
use cc_domain::config::Config;
use cc_domain::identity::Role;
use cc_domain::ids::{AccountId, CustomerCode};
use cc_http::testing::{Expect, err, ok};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use time::macros::date;
use tower::ServiceExt;

const SECRET: &str = "test-secret-test-secret-test-secret-0123";
const FOCUS_SAMPLE: &str = "../../../shared/data/focus-1.0-sample-1000.csv";

const EXPECTED: &[Expect] = &[
    ok("01-overview", 200),
    ok("02-costs-monthly", 200),
    err("03-costs-range-too-long", 400, "validation_failed"),
    err("04-costs-unknown-customer", 404, "not_found"),
    ok("05-movers", 200),
    ok("06-anomalies", 200),
    err("07-acknowledge-unknown", 404, "not_found"),
    ok("08-runs", 200),
    err("09-run-as-engineer", 403, "forbidden"),
    ok("10-get-settings", 200),
    ok("11-put-settings", 200),
    ok("12-organization", 200),
    err("13-add-discovered-unknown", 400, "validation_failed"),
    err("14-resolve-unknown", 404, "not_found"),
    err("15-import-as-engineer", 403, "forbidden"),
    ok("16-remove-imports", 200),
    err("17-remove-imports-as-engineer", 403, "forbidden"),
];

struct Harness {
    router: Router,
    app: App,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = cc_adapters::wire::billing(config_in(dir.path())).await.unwrap();
        let api = cc_http::Api::from_app(app.clone()).await.unwrap();
        let h = Harness {
            router: billing_fetch::router(api),
            app,
            _dir: dir,
        };
        let admin = h.admin();
        for code in ["events-demo", "other"] {
            let (s, v) = h
                .customers("POST", "/api/v1/customers", &admin, json!({"code": code, "name": code}))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
        h
    }

    /// Hub writes go through the hub's own routes (the customers function).
    async fn customers(&self, method: &str, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let api = cc_http::Api::from_app(self.app.clone()).await.unwrap();
        let router = customers::router(api);
        send(
            &router,
            method,
            uri,
            Some(token),
            Some("application/json"),
            serde_json::to_vec(&body).unwrap(),
        )
        .await
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

    /// `000111222335`, an account the hub has under the customer `other`.
    async fn add_other_account(&self) {
        let (s, v) = self
            .customers(
                "POST",
                "/api/v1/accounts",
                &self.admin(),
                json!({"id": "000111222335", "customer": "other", "name": "other prod", "environment": "prod",
                       "region": "eu-west-1", "access": {"method": "role",
                       "read_role_arn": "arn:aws:iam::000111222335:role/Read", "external_id": "cc-other-0001",
                       "breakglass_role_arn": "arn:aws:iam::000111222335:role/Breakglass"}}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
}

/// The embedded store in `dir`, signing with the test secret.
fn config_in(dir: &std::path::Path) -> Config {
    let data_dir = dir.display().to_string();
    Config::from_lookup(|k| match k {
        "CC_DATA_DIR" => Some(data_dir.clone()),
        "CC_JWT_SECRET" => Some(SECRET.to_string()),
        _ => None,
    })
    .unwrap()
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

fn cell(account: &str, service: &str, day: time::Date, amount: f64) -> DailyCost {
    DailyCost {
        account: AccountId::parse(account).unwrap(),
        service: service.into(),
        day,
        amount,
        currency: "USD".into(),
        estimated: false,
        source: CellSource::Import,
    }
}

async fn store(h: &Harness, customer: &str, cells: &[DailyCost]) {
    costs::upsert(h.app.items.as_ref(), &CustomerCode::parse(customer).unwrap(), cells)
        .await
        .unwrap();
}

#[tokio::test]
async fn billing_sample_events_run_through_the_lambda_router() {
    let h = Harness::new().await;
    let mut cells = vec![];
    for day in 1..=31u8 {
        let d = date!(2026 - 10 - 01).replace_day(day).unwrap();
        cells.push(cell("000111222333", "Amazon Simple Storage Service", d, 10.0));
        cells.push(cell("000111222333", "AWS Lambda", d, 2.5));
    }
    store(&h, "events-demo", &cells).await;
    let router = billing_fetch::router(cc_http::Api::new(h.app.clone(), None));
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "billing-fetch");
    let bodies = cc_http::testing::replay(&router, &events, EXPECTED).await;
    let monthly = &bodies[1];
    assert_eq!(
        monthly["total"],
        json!([{"key": "", "amount": 387.5, "currency": "USD"}])
    );
    assert_eq!(monthly["rows"].as_array().unwrap().len(), 2, "{monthly}");
    assert!(
        bodies[2]["error"]["message"].as_str().unwrap().contains("14"),
        "the range error says how far back: {}",
        bodies[2]
    );
    assert_eq!(bodies[10]["metric"], "AmortizedCost");
    assert_eq!(bodies[10]["version"], 1);
    // October's imported cells (31 days, 2 services), removed.
    assert_eq!(bodies[15]["months"], json!(["2026-10"]), "{}", bodies[15]);
    assert_eq!(bodies[15]["cells_removed"], 62, "{}", bodies[15]);
}

/// Sums of the FOCUS sample computed here, independently of the importer: AWS rows only,
/// `BilledCost` per (`SubAccountId`, `ServiceName`).
fn focus_sums() -> (BTreeMap<(String, String), f64>, f64) {
    let mut rdr = csv_reader();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (provider, account, service, cost) = (
        col("ProviderName"),
        col("SubAccountId"),
        col("ServiceName"),
        col("BilledCost"),
    );
    let mut sums = BTreeMap::new();
    let mut total = 0.0;
    for r in rdr.records() {
        let r = r.unwrap();
        if r[provider].trim() != "AWS" {
            continue;
        }
        let amount: f64 = r[cost].trim().parse().unwrap_or(0.0);
        // Account ids that lost their leading zeros in the export are 12 digits in the hub.
        *sums
            .entry((format!("{:0>12}", &r[account]), r[service].to_string()))
            .or_insert(0.0) += amount;
        total += amount;
    }
    (sums, total)
}

fn csv_reader() -> ::csv::Reader<std::fs::File> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FOCUS_SAMPLE);
    ::csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sample_bytes() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FOCUS_SAMPLE)).unwrap()
}

fn multipart(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "cc-test-boundary-7f3a";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n--{boundary}\r\nContent-Disposition: \
         form-data; name=\"file\"; filename=\"focus.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn billing_imports_of_the_focus_sample_match_independent_sums_by_every_upload_form() {
    let h = Harness::new().await;
    let admin = h.admin();
    let file = sample_bytes();
    let (s, summary) = h
        .raw(
            "POST",
            "/api/v1/billing/imports?customer=events-demo",
            Some(&admin),
            Some("text/csv"),
            file.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{summary}");
    assert_eq!(summary["format"], "focus");
    assert_eq!(summary["rows_read"], 1000);
    let (sums, total) = focus_sums();
    let got: f64 = summary["totals"][0]["amount"].as_f64().unwrap();
    assert!((got - total).abs() < 1e-6, "import total {got} vs independent {total}");

    // The stored costs, read back through the API, per account and service.
    let (from, to) = (
        summary["first_day"].as_str().unwrap().to_string(),
        summary["last_day"].as_str().unwrap().to_string(),
    );
    let (s, report) = h
        .get(&format!(
            "/api/v1/billing/costs?customer=events-demo&from={from}&to={to}&granularity=monthly"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let mut stored: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in report["rows"].as_array().unwrap() {
        *stored
            .entry((
                r["account"].as_str().unwrap().to_string(),
                r["service"].as_str().unwrap().to_string(),
            ))
            .or_insert(0.0) += r["amount"].as_f64().unwrap();
    }
    assert_eq!(stored.len(), sums.len(), "one series per (account, service)");
    for (k, want) in &sums {
        let have = stored.get(k).copied().unwrap_or(f64::NAN);
        assert!((have - want).abs() < 1e-6, "{k:?}: stored {have}, sum {want}");
    }

    // The same file as a multipart form, then gzip-compressed: the same cells, replaced not added.
    let (ct, body) = multipart(&file);
    let (s, again) = h
        .raw(
            "POST",
            "/api/v1/billing/imports?customer=events-demo",
            Some(&admin),
            Some(&ct),
            body,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(again["cells_written"], summary["cells_written"]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&file).unwrap();
    let (s, zipped) = h
        .raw(
            "POST",
            "/api/v1/billing/imports?customer=events-demo",
            Some(&admin),
            Some("application/gzip"),
            gz.finish().unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{zipped}");
    let (_, after) = h
        .get(&format!(
            "/api/v1/billing/costs?customer=events-demo&from={from}&to={to}&granularity=monthly"
        ))
        .await;
    assert_eq!(after["total"], report["total"], "re-imports replace cells");
}

#[tokio::test]
async fn billing_bad_imports_are_refused_and_store_nothing() {
    let h = Harness::new().await;
    let admin = h.admin();
    let url = "/api/v1/billing/imports?customer=events-demo";
    let bad_row = {
        // The fifth data row's BilledCost becomes words.
        let mut rdr = csv_reader();
        let headers = rdr.headers().unwrap().clone();
        let at = headers.iter().position(|h| h == "BilledCost").unwrap();
        let mut w = ::csv::Writer::from_writer(vec![]);
        w.write_record(&headers).unwrap();
        for (i, r) in rdr.records().enumerate() {
            let mut rec: Vec<String> = r.unwrap().iter().map(str::to_string).collect();
            if i == 4 {
                rec[at] = "twelve dollars".into();
            }
            w.write_record(&rec).unwrap();
        }
        w.into_inner().unwrap()
    };
    // What, content type, body, the status, what the message mentions.
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            "not an export",
            Some("text/csv"),
            b"name,amount\nfoo,1\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "FOCUS",
        ),
        (
            "a bad amount",
            Some("text/csv"),
            bad_row,
            StatusCode::BAD_REQUEST,
            "BilledCost",
        ),
        ("empty", Some("text/csv"), vec![], StatusCode::BAD_REQUEST, "empty"),
        (
            "JSON",
            Some("application/json"),
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "text/csv",
        ),
        (
            "no type",
            None,
            b"a,b\n".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "text/csv",
        ),
        (
            "too large",
            Some("text/csv"),
            vec![b'x'; cc_http::MAX_UPLOAD_BYTES + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger",
        ),
        (
            "a form without the file",
            Some("multipart/form-data; boundary=b"),
            b"--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "file",
        ),
        (
            // Two files are the parts of one export, read together: the bad one is named.
            "a form with two files, the first not an export",
            Some("multipart/form-data; boundary=b"),
            b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\na\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.csv\"\r\n\r\nb\r\n--b--\r\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "a.csv, row 1: the header is neither FOCUS",
        ),
    ];
    for (what, ct, body, status, says) in cases {
        let (s, v) = h.raw("POST", url, Some(&admin), ct, body).await;
        assert_eq!(s, status, "{what}: {v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{what}: '{message}' should mention {says}");
    }
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/billing/imports?customer=nobody",
            Some(&admin),
            Some("text/csv"),
            sample_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = h
        .raw("POST", url, Some(&h.engineer()), Some("text/csv"), sample_bytes())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/billing/imports",
            Some(&admin),
            Some("text/csv"),
            sample_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "no customer: {v}");
    let (s, report) = h
        .get("/api/v1/billing/costs?customer=events-demo&from=2024-01-01&to=2024-12-31&granularity=monthly")
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["rows"], json!([]), "nothing stored");
}

#[tokio::test]
async fn billing_days_near_the_ends_of_the_calendar_are_400_not_a_crash() {
    let h = Harness::new().await;
    for uri in [
        "/api/v1/billing/costs?customer=events-demo&to=9999-12-31",
        "/api/v1/billing/costs?customer=events-demo&from=9999-12-01&to=9999-12-30&granularity=monthly",
        "/api/v1/billing/costs?customer=events-demo&from=-0001-01-01&to=2026-01-01",
        "/api/v1/billing/movers?customer=events-demo&to=9999-12-31",
        "/api/v1/billing/movers?customer=events-demo&from=1999-12-01&to=2000-01-31",
    ] {
        let (s, v) = h.get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("2099-12-31"),
            "{uri}: {v}"
        );
    }
}

#[tokio::test]
async fn billing_bad_rows_store_nothing() {
    let h = Harness::new().await;
    let admin = h.admin();
    let mut file = sample_bytes();
    file.extend_from_slice(b"this,row,is,short\n");
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/billing/imports?customer=events-demo",
            Some(&admin),
            Some("text/csv"),
            file,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("1001")
            || v["error"]["message"].as_str().unwrap().contains("row"),
        "{v}"
    );
    let (s, report) = h
        .get("/api/v1/billing/costs?customer=events-demo&from=2024-01-01&to=2024-12-31&granularity=monthly")
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["rows"], json!([]), "nothing stored");
}

/// 90 days of a steady service, then a lasting step: the detector raises one anomaly.
async fn planted_step(h: &Harness) -> Value {
    let yesterday = time::OffsetDateTime::now_utc().date() - time::Duration::days(1);
    let mut cells = vec![];
    for back in 0..90 {
        let day = yesterday - time::Duration::days(back);
        let amount = if back < 10 { 400.0 } else { 100.0 };
        cells.push(cell(
            "000111222333",
            "Amazon Elastic Compute Cloud - Compute",
            day,
            amount,
        ));
    }
    store(h, "events-demo", &cells).await;
    let customer = CustomerCode::parse("events-demo").unwrap();
    let raised = cc_domain::billing::store::detect(
        h.app.items.as_ref(),
        &customer,
        yesterday,
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    assert_eq!(raised.len(), 1, "{raised:?}");
    let (s, v) = h.get("/api/v1/billing/anomalies?customer=events-demo").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");
    v["items"][0].clone()
}

#[tokio::test]
async fn billing_anomalies_move_through_their_lifecycle_at_the_version_read() {
    let h = Harness::new().await;
    let a = planted_step(&h).await;
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(a["status"], "open");
    assert_eq!(a["finding"]["kind"], "step");
    assert_eq!(a["version"], 1);
    let ack = format!("/api/v1/billing/anomalies/{id}/acknowledge");
    let resolve = format!("/api/v1/billing/anomalies/{id}/resolve");
    let eng = h.engineer();

    // Every customer's open anomalies, through the status index.
    let (_, open) = h.get("/api/v1/billing/anomalies").await;
    assert_eq!(open["items"][0]["id"], id.as_str());
    let (_, overview) = h.get("/api/v1/billing/overview?customer=events-demo").await;
    assert_eq!(overview["customers"][0]["open_anomalies"], 1, "{overview}");

    let body = |customer: &str, note: &str, version: u64| {
        Some(json!({"customer": customer, "note": note, "version": version}))
    };
    let (s, v) = h.call("POST", &ack, &eng, body("events-demo", "", 7)).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict")),
        "{v}"
    );
    let (s, v) = h.call("POST", &ack, &eng, body("other", "", 1)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another customer's id: {v}");
    let (s, v) = h
        .call("POST", &ack, &eng, body("events-demo", "looking\u{202e}", 1))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "bidi characters: {v}");
    let (s, v) = h
        .call("POST", &ack, &eng, body("events-demo", "checking the ASG", 1))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "acknowledged");
    assert_eq!(v["acknowledged"]["by"], "erin@example.com");
    let (s, v) = h.call("POST", &ack, &eng, body("events-demo", "", 2)).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("anomaly_state")),
        "{v}"
    );
    let (s, v) = h.call("POST", &resolve, &eng, body("events-demo", "   ", 2)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a resolve needs a note: {v}");
    let (s, v) = h
        .call(
            "POST",
            &resolve,
            &eng,
            body("events-demo", "scaled the ASG back down", 2),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "resolved");
    let (_, resolved) = h.get("/api/v1/billing/anomalies?status=resolved").await;
    assert_eq!(resolved["items"][0]["resolved"]["note"], "scaled the ASG back down");
    let (_, open) = h.get("/api/v1/billing/anomalies").await;
    assert_eq!(open["items"], json!([]), "no longer open");
    // A detection run again raises nothing new for the same episode.
    let customer = CustomerCode::parse("events-demo").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let again = cc_domain::billing::store::detect(
        h.app.items.as_ref(),
        &customer,
        now.date() - time::Duration::days(1),
        now,
    )
    .await
    .unwrap();
    assert!(again.is_empty());

    for (uri, why) in [
        ("/api/v1/billing/anomalies/not-an-id/acknowledge", "a malformed id"),
        (
            "/api/v1/billing/anomalies/20261020-0123456789abcdeg/acknowledge",
            "not hex",
        ),
    ] {
        let (s, v) = h.call("POST", uri, &eng, body("events-demo", "", 1)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{why}: {v}");
    }
    let (s, v) = h
        .raw(
            "POST",
            &ack,
            Some(&eng),
            Some("application/json"),
            b"{\"customer\":".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = h
        .call("POST", &ack, &eng, Some(json!({"customer": "events-demo"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "no version: {v}");
}

#[tokio::test]
async fn billing_overview_costs_and_movers_answer_per_customer() {
    let h = Harness::new().await;
    let yesterday = time::OffsetDateTime::now_utc().date() - time::Duration::days(1);
    let mut cells = vec![];
    for back in 0..70 {
        let day = yesterday - time::Duration::days(back);
        cells.push(cell(
            "000111222333",
            "AWS Lambda",
            day,
            if back < 7 { 30.0 } else { 10.0 },
        ));
        cells.push(cell("000111222334", "Amazon Simple Storage Service", day, 5.0));
    }
    store(&h, "events-demo", &cells).await;
    store(&h, "other", &[cell("000111222335", "AWS Lambda", yesterday, 1.0)]).await;
    let (s, o) = h.get("/api/v1/billing/overview").await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(o["as_of"], yesterday.to_string());
    let order: Vec<&str> = o["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customer"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["events-demo", "other"], "largest month to date first");
    let mtd = &o["customers"][0]["month_to_date"][0];
    let want: f64 = cells
        .iter()
        .filter(|c| c.day >= yesterday.replace_day(1).unwrap())
        .map(|c| c.amount)
        .sum();
    assert!((mtd["month_to_date"].as_f64().unwrap() - want).abs() < 1e-9, "{mtd}");

    let (s, m) = h.get("/api/v1/billing/movers?customer=events-demo").await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["items"].as_array().unwrap().len(), 1, "S3 did not move: {m}");
    assert_eq!(m["items"][0]["change"], 140.0);
    assert_eq!(m["to"], yesterday.to_string());

    let (s, r) = h
        .get("/api/v1/billing/costs?customer=events-demo&account=000111222334")
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["by_service"][0]["key"], "Amazon Simple Storage Service");
    assert_eq!(
        r["rows"].as_array().unwrap().len(),
        31,
        "30 days before yesterday, inclusive"
    );

    for (uri, status) in [
        (
            "/api/v1/billing/costs?customer=events-demo&from=2026-13-01",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/billing/costs?customer=events-demo&from=2026-10-31&to=2026-10-01",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/billing/costs?customer=events-demo&granularity=hourly",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/billing/costs?customer=events-demo&account=12",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/billing/costs?customer=events-demo&colour=red",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/billing/costs", StatusCode::BAD_REQUEST),
        ("/api/v1/billing/costs?customer=Not%20A%20Code", StatusCode::BAD_REQUEST),
        (
            "/api/v1/billing/movers?customer=events-demo&limit=0",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/billing/movers?customer=events-demo&limit=101",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/billing/overview?customer=nobody", StatusCode::NOT_FOUND),
        ("/api/v1/billing/anomalies?customer=nobody", StatusCode::NOT_FOUND),
        ("/api/v1/billing/anomalies?status=closed", StatusCode::BAD_REQUEST),
        ("/api/v1/billing/anomalies?cursor=garbage", StatusCode::BAD_REQUEST),
    ] {
        let (s, v) = h.get(uri).await;
        assert_eq!(s, status, "{uri}: {v}");
    }
    // Someone else's account (the hub knows it under another customer).
    h.add_other_account().await;
    let (s, v) = h
        .get("/api/v1/billing/costs?customer=events-demo&account=000111222335")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = h.raw("GET", "/api/v1/billing/overview", None, None, vec![]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
}

#[tokio::test]
async fn billing_costs_grouped_by_service_keep_the_top_and_sum_the_rest_into_other() {
    let h = Harness::new().await;
    let (d1, d2) = (date!(2026 - 10 - 01), date!(2026 - 10 - 02));
    // Twelve services over two accounts, service n costing n + 1 a day on each; the 2nd estimated.
    let mut cells = vec![];
    for n in 0..12u32 {
        for (account, day) in [("000111222333", d1), ("000111222334", d1), ("000111222333", d2)] {
            let mut c = cell(account, &format!("Service {n:02}"), day, f64::from(n + 1));
            c.estimated = day == d2;
            cells.push(c);
        }
    }
    store(&h, "events-demo", &cells).await;
    let base = "/api/v1/billing/costs?customer=events-demo&from=2026-10-01&to=2026-10-02";
    let (s, all) = h.get(base).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    assert_eq!(all["group"], "none");
    assert_eq!(all["rows"].as_array().unwrap().len(), 36);
    assert_eq!(all["rows"][0]["account"], "000111222333");
    assert_eq!(all["rows"][0]["estimated"], false);

    let (s, top) = h.get(&format!("{base}&group=service&top=8")).await;
    assert_eq!(s, StatusCode::OK, "{top}");
    assert_eq!((top["group"].as_str(), top["top"].as_u64()), (Some("service"), Some(8)));
    let rows = top["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 18, "8 services and Other a day: {top}");
    // The first day: Service 11 (the largest) first, 2 accounts × 12; Other last, the four
    // smallest services (1 + 2 + 3 + 4) on both accounts; no account on any row.
    assert_eq!(
        (&rows[0]["service"], &rows[0]["amount"], &rows[0]["other"]),
        (&json!("Service 11"), &json!(24.0), &json!(false))
    );
    assert_eq!(rows[8]["other"], true);
    assert_eq!(rows[8]["amount"], 20.0);
    assert!(rows[8].get("service").is_none() && rows.iter().all(|r| r.get("account").is_none()));
    assert!(
        rows.iter().all(|r| r["estimated"] == (r["period"] == "2026-10-02")),
        "{top}"
    );
    // The totals are as without grouping.
    for k in ["by_account", "by_service", "total"] {
        assert_eq!(top[k], all[k], "{k}");
    }
    let sum = |v: &Value| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["amount"].as_f64().unwrap())
            .sum::<f64>()
    };
    assert!((sum(&top) - sum(&all)).abs() < 1e-9);

    let (s, by_account) = h.get(&format!("{base}&group=account&granularity=monthly")).await;
    assert_eq!(s, StatusCode::OK, "{by_account}");
    assert_eq!(
        by_account["rows"],
        json!([
            {"period": "2026-10-01", "account": "000111222333", "other": false, "amount": 156.0, "currency": "USD", "estimated": true},
            {"period": "2026-10-01", "account": "000111222334", "other": false, "amount": 78.0, "currency": "USD", "estimated": false}
        ])
    );

    for (query, field) in [
        ("&top=8", "top"),
        ("&group=none&top=8", "top"),
        ("&group=service&top=0", "top"),
        ("&group=service&top=51", "top"),
        ("&group=service&top=many", "top"),
        ("&group=services", "group"),
    ] {
        let (s, v) = h.get(&format!("{base}{query}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {v}");
        assert_eq!(v["error"]["field"], field, "{query}: {v}");
    }
}

#[tokio::test]
async fn billing_settings_are_versioned_and_validated() {
    let h = Harness::new().await;
    let admin = h.admin();
    let url = "/api/v1/billing/settings/events-demo";
    let (s, v) = h.get(url).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"metric": "UnblendedCost", "thresholds": {"min_impact": 50.0, "min_relative": 0.2}, "version": 0,
               "backfill_pending": false})
    );
    let put = |metric: &str, impact: Value, relative: Value, version: u64| {
        Some(
            json!({"metric": metric, "thresholds": {"min_impact": impact, "min_relative": relative}, "version": version}),
        )
    };
    let (s, v) = h
        .call(
            "PUT",
            url,
            &h.engineer(),
            put("UnblendedCost", json!(10), json!(0.1), 0),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    for (impact, relative) in [
        (json!(-1), json!(0.2)),
        (json!(2e6), json!(0.2)),
        (json!(50), json!(-0.5)),
        (json!(50), json!(1000)),
    ] {
        let (s, v) = h
            .call(
                "PUT",
                url,
                &admin,
                put("UnblendedCost", impact.clone(), relative.clone(), 0),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{impact} {relative}: {v}");
    }
    let (s, v) = h
        .call("PUT", url, &admin, put("Blended", json!(10), json!(0.1), 0))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "unknown metric: {v}");
    let (s, v) = h
        .call("PUT", url, &admin, put("AmortizedCost", json!(10), json!(0.1), 0))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = h
        .call("PUT", url, &admin, put("UnblendedCost", json!(10), json!(0.1), 0))
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict")),
        "{v}"
    );
    let (_, v) = h.get(url).await;
    assert_eq!(v["metric"], "AmortizedCost");
    assert_eq!(v["version"], 1);
    let (s, v) = h.get("/api/v1/billing/settings/nobody").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
}

#[tokio::test]
async fn billing_runs_now_fetch_through_the_local_sources_and_are_listed() {
    let h = Harness::new().await;
    let admin = h.admin();
    let (s, v) = h
        .customers(
            "POST",
            "/api/v1/accounts",
            &admin,
            json!({"id": "000111222333", "customer": "events-demo", "name": "events payer", "environment": "prod",
                   "region": "eu-west-1", "management_account": true, "access": {"method": "role",
                   "read_role_arn": "arn:aws:iam::000111222333:role/Read", "external_id": "cc-events-0001",
                   "breakglass_role_arn": "arn:aws:iam::000111222333:role/Breakglass"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, run) = h
        .call(
            "POST",
            "/api/v1/billing/runs",
            &admin,
            Some(json!({"customer": "events-demo"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let entry = &run["customers"][0];
    assert_eq!(entry["status"], "ok", "{run}");
    assert_eq!(entry["backfill"], true);
    assert!(entry["cells_written"].as_u64().unwrap() > 0, "{run}");
    assert!(run["requests"].as_u64().unwrap() >= 1);
    assert!(entry["organization"]["discovered"].as_u64().unwrap() >= 1, "{run}");
    let (_, org) = h.get("/api/v1/billing/organizations/events-demo").await;
    assert_eq!(org["organizations"][0]["management_account"], "000111222333", "{org}");
    let discovered = org["discovered"].as_array().unwrap().clone();
    let active = discovered
        .iter()
        .find(|d| d["flagged"] == false)
        .expect("an active discovered account");
    // Added to the hub in one step, with the payer's access method: it leaves the list.
    let url = "/api/v1/billing/organizations/events-demo/discovered";
    let (s, v) = h
        .call("POST", url, &h.engineer(), Some(json!({"accounts": [active["id"]]})))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, added) = h
        .call("POST", url, &admin, Some(json!({"accounts": [active["id"]]})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    assert_eq!(added["created"], 1, "{added}");
    let (_, org) = h.get("/api/v1/billing/organizations/events-demo").await;
    assert_eq!(
        org["discovered"].as_array().unwrap().len(),
        discovered.len() - 1,
        "{org}"
    );
    let (s, v) = h
        .call("POST", url, &admin, Some(json!({"accounts": [active["id"]]})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "no longer discovered: {v}");
    let (s, runs) = h.get("/api/v1/billing/runs").await;
    assert_eq!(s, StatusCode::OK, "{runs}");
    assert_eq!(runs["items"][0]["id"], run["id"]);
    let (_, report) = h.get("/api/v1/billing/costs?customer=events-demo").await;
    assert!(!report["rows"].as_array().unwrap().is_empty(), "the fetch stored costs");

    // "other" has no payer: skipped with the reason.
    let (s, other) = h
        .call(
            "POST",
            "/api/v1/billing/runs",
            &admin,
            Some(json!({"customer": "other"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    assert_eq!(other["skipped"], 1, "{other}");
    assert!(
        other["customers"][0]["reason"].as_str().unwrap().contains("management"),
        "{other}"
    );
    // Each customer's page says what its last fetch did.
    let (_, o) = h.get("/api/v1/billing/overview?customer=other").await;
    let last = &o["customers"][0]["last_fetch"];
    assert_eq!(last["run"], other["id"], "{o}");
    assert_eq!(last["entries"][0]["status"], "skipped", "{o}");
    let (_, o) = h.get("/api/v1/billing/overview?customer=events-demo").await;
    assert_eq!(o["customers"][0]["last_fetch"]["run"], run["id"], "{o}");
    assert_eq!(o["customers"][0]["last_fetch"]["entries"][0]["status"], "ok", "{o}");
    for (body, status) in [
        (json!({}), StatusCode::BAD_REQUEST),
        (json!({"customer": "nobody"}), StatusCode::NOT_FOUND),
        (json!({"customer": 7}), StatusCode::BAD_REQUEST),
        (json!({"customers": ["events-demo"]}), StatusCode::BAD_REQUEST),
    ] {
        let (s, v) = h.call("POST", "/api/v1/billing/runs", &admin, Some(body.clone())).await;
        assert_eq!(s, status, "{body}: {v}");
    }
}

/// A multipart form of `files` (name, bytes), each a `file` part.
fn multipart_files(files: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "cc-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, text) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{text}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

const HEADER: &str = "ProviderName,SubAccountId,BillingAccountId,ServiceName,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,BillingCurrency";

/// A FOCUS file of hourly rows of EC2 in `account` on 2026-09-01, hours `hours`, 1 USD each.
fn hourly(account: &str, hours: std::ops::Range<u32>) -> String {
    let mut s = String::from(HEADER);
    for h in hours {
        s.push_str(&format!(
            "\nAWS,{account},999999999999,Amazon EC2,2026-09-01T{h:02}:00:00Z,2026-09-01T{:02}:00:00Z,1,1,USD",
            h + 1
        ));
    }
    s.push('\n');
    s
}

async fn ec2_on_sep_1(h: &Harness) -> Value {
    let (s, report) = h
        .get("/api/v1/billing/costs?customer=events-demo&from=2026-09-01&to=2026-09-01")
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    report["rows"].clone()
}

#[tokio::test]
async fn billing_the_parts_of_one_export_are_summed_in_one_import() {
    let h = Harness::new().await;
    let admin = h.admin();
    let url = "/api/v1/billing/imports?customer=events-demo";
    // AWS Data Exports split the month: hours 0-11 in one part, 12-23 (and 23:00 written as
    // 23-24 spills nothing past midnight) in the other.
    let (one, two) = (hourly("000111222333", 0..12), hourly("000111222333", 12..23));
    let (ct, body) = multipart_files(&[("export-00001.csv", &one), ("export-00002.csv", &two)]);
    let (s, v) = h.raw("POST", url, Some(&admin), Some(&ct), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["files"],
        json!([{"name": "export-00001.csv", "rows_read": 12}, {"name": "export-00002.csv", "rows_read": 11}])
    );
    assert_eq!(v["rows_read"], 23);
    assert_eq!(v["cells_written"], 1, "one cell: the parts summed");
    let rows = ec2_on_sep_1(&h).await;
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["amount"], 23.0, "both parts' hours: {rows}");

    // One part alone replaces the cell (what importing the parts one by one did).
    let (s, v) = h
        .raw("POST", url, Some(&admin), Some("text/csv"), two.into_bytes())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(ec2_on_sep_1(&h).await[0]["amount"], 11.0);
}

#[tokio::test]
async fn billing_imports_refuse_accounts_the_hub_has_under_another_customer() {
    let h = Harness::new().await;
    let admin = h.admin();
    h.add_other_account().await;
    let url = "/api/v1/billing/imports?customer=events-demo";
    let mut mixed = hourly("000111222333", 0..2);
    mixed.push_str(&hourly("000111222335", 0..2).replacen(&format!("{HEADER}\n"), "", 1));
    let (s, v) = h
        .raw("POST", url, Some(&admin), Some("text/csv"), mixed.into_bytes())
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("000111222335 (other)"), "{message}");
    assert!(
        !message.contains("000111222333"),
        "an account in no hub is allowed: {message}"
    );
    assert_eq!(ec2_on_sep_1(&h).await, json!([]), "nothing stored");

    // Accounts in no customer's hub are stored and listed.
    let (s, v) = h
        .raw(
            "POST",
            url,
            Some(&admin),
            Some("text/csv"),
            hourly("000111222333", 0..2).into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["accounts_not_in_hub"], json!(["000111222333"]));
}

/// events-demo's audit log, newest first, through the audit route (the access-request
/// function's) on the same store.
async fn audit_log(h: &Harness) -> Value {
    let app = cc_adapters::wire::access(config_in(h._dir.path())).await.unwrap();
    let audit = access_request::router(cc_http::Api::from_app(app).await.unwrap());
    let (s, log) = send(
        &audit,
        "GET",
        "/api/v1/audit?customer=events-demo",
        Some(&h.admin()),
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{log}");
    log
}

#[tokio::test]
async fn billing_changes_are_in_the_customers_audit_log() {
    let h = Harness::new().await;
    let admin = h.admin();
    // Settings, before and after.
    let (s, v) = h
        .call(
            "PUT",
            "/api/v1/billing/settings/events-demo",
            &admin,
            Some(json!({"metric": "AmortizedCost", "thresholds": {"min_impact": 50.0, "min_relative": 0.5}, "version": 0})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // An import (the parts of one export), an on-demand fetch, an anomaly acknowledged and resolved.
    let (ct, body) = multipart_files(&[
        ("export-00001.csv", &hourly("000111222333", 0..2)),
        ("export-00002.csv", &hourly("000111222333", 2..4)),
    ]);
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/billing/imports?customer=events-demo",
            Some(&admin),
            Some(&ct),
            body,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, run) = h
        .call(
            "POST",
            "/api/v1/billing/runs",
            &admin,
            Some(json!({"customer": "events-demo"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let a = planted_step(&h).await;
    let id = a["id"].as_str().unwrap();
    let eng = h.engineer();
    let (s, v) = h
        .call(
            "POST",
            &format!("/api/v1/billing/anomalies/{id}/acknowledge"),
            &eng,
            Some(json!({"customer": "events-demo", "note": "checking the ASG", "version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = h
        .call(
            "POST",
            &format!("/api/v1/billing/anomalies/{id}/resolve"),
            &eng,
            Some(json!({"customer": "events-demo", "note": "scaled back", "version": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let log = audit_log(&h).await;
    let events = log["items"].as_array().unwrap();
    let find = |action: &str| {
        events
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {log}"))
    };
    let settings = find("billing_settings_changed");
    assert_eq!(settings["actor"], "ada@example.com");
    assert_eq!(settings["before"]["metric"], "UnblendedCost");
    assert_eq!(settings["after"]["metric"], "AmortizedCost");
    assert!(
        settings["detail"].as_str().unwrap().contains("metric, thresholds"),
        "{settings}"
    );
    let import = find("costs_imported");
    assert_eq!(import["actor"], "ada@example.com");
    assert_eq!(import["after"]["format"], "focus");
    assert_eq!(import["after"]["rows_read"], 4);
    assert_eq!(import["after"]["accounts"], json!(["000111222333"]));
    assert_eq!(import["after"]["totals"][0]["amount"], 4.0);
    assert!(
        import["detail"]
            .as_str()
            .unwrap()
            .contains("export-00001.csv, export-00002.csv"),
        "{import}"
    );
    let fetch = find("billing_fetch_started");
    assert_eq!(fetch["actor"], "ada@example.com");
    assert_eq!(fetch["after"]["run"], run["id"]);
    assert_eq!(fetch["after"]["scope"], "customer events-demo");
    let ack = find("anomaly_acknowledged");
    assert_eq!(
        (ack["actor"].as_str(), ack["after"]["note"].as_str()),
        (Some("erin@example.com"), Some("checking the ASG"))
    );
    assert_eq!(ack["account_id"], "000111222333");
    let resolved = find("anomaly_resolved");
    assert_eq!(resolved["before"]["status"], "acknowledged");
    assert_eq!(resolved["after"]["status"], "resolved");
    assert!(
        resolved["detail"].as_str().unwrap().ends_with("scaled back"),
        "{resolved}"
    );
}

/// Every route of the function refuses a query parameter it does not take (400 naming it), those
/// that take none too: a typo'd filter never quietly does nothing.
#[tokio::test]
async fn every_route_refuses_an_unknown_query_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = cc_domain::config::Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let app = cc_adapters::wire::billing(config).await.unwrap();
    cc_http::testing::every_route_of_a_function_refuses_an_unknown_query_parameter(
        app,
        billing_fetch::router,
        &billing_fetch::openapi(),
    )
    .await;
}

/// A FOCUS file of `rows` (account, service, day, amount), one daily row each.
fn daily(rows: &[(&str, &str, &str, f64)]) -> String {
    let mut s = String::from(HEADER);
    for (account, service, day, amount) in rows {
        s.push_str(&format!(
            "\nAWS,{account},999999999999,{service},{day}T00:00:00Z,{day}T23:00:00Z,{amount},{amount},USD"
        ));
    }
    s.push('\n');
    s
}

/// The stored cells of events-demo from 2026-09-01 to 2026-10-31, as `account service day amount
/// source`.
async fn september_and_october(h: &Harness) -> Vec<String> {
    let customer = CustomerCode::parse("events-demo").unwrap();
    let mut cells = costs::cells(
        h.app.items.as_ref(),
        &customer,
        date!(2026 - 09 - 01),
        date!(2026 - 10 - 31),
        None,
        None,
    )
    .await
    .unwrap();
    cells.sort_by(|a, b| (a.day, &a.service).cmp(&(b.day, &b.service)));
    cells
        .iter()
        .map(|c| format!("{} {} {} {:.1} {:?}", c.account, c.service, c.day, c.amount, c.source))
        .collect()
}

#[tokio::test]
async fn billing_an_import_replaces_the_imported_costs_of_the_months_it_has() {
    let h = Harness::new().await;
    let admin = h.admin();
    let url = "/api/v1/billing/imports?customer=events-demo";
    let a = "000111222333";
    let first = daily(&[
        (a, "Amazon EC2", "2026-09-01", 10.0),
        (a, "Amazon S3", "2026-09-02", 5.0),
        (a, "Amazon EC2", "2026-10-01", 7.0),
    ]);
    let (s, v) = h
        .raw("POST", url, Some(&admin), Some("text/csv"), first.into_bytes())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["months_replaced"], json!(["2026-09", "2026-10"]));
    assert_eq!(v["cells_removed"], 0);
    // Cells of September that are not an import's: Cost Explorer's, the demo's, and one stored
    // before cells recorded their source (kept: it cannot be told apart from a fetched one).
    let other = |service: &str, source| DailyCost {
        source,
        ..cell(a, service, date!(2026 - 09 - 03), 1.0)
    };
    store(
        &h,
        "events-demo",
        &[
            other("Fetched", CellSource::CostExplorer),
            other("Demo", CellSource::Demo),
        ],
    )
    .await;
    let legacy = cc_domain::store::Item::new(
        cc_domain::keys::cost("events-demo", date!(2026 - 09 - 04)),
        cc_domain::keys::cost_cell(a, "Legacy", date!(2026 - 09 - 04)),
        json!({"account": a, "service": "Legacy", "day": "2026-09-04", "amount": 1.0, "currency": "USD"}),
    );
    h.app
        .items
        .transact(vec![cc_domain::store::Write::Put(legacy)])
        .await
        .unwrap();

    // A corrected September: S3 dropped, EC2 corrected. October is not in it and stays.
    let corrected = daily(&[(a, "Amazon EC2", "2026-09-01", 12.0)]);
    let (s, v) = h
        .raw("POST", url, Some(&admin), Some("text/csv"), corrected.into_bytes())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["months_replaced"], json!(["2026-09"]));
    assert_eq!(v["cells_removed"], 1, "{v}");
    assert_eq!(
        september_and_october(&h).await,
        vec![
            "000111222333 Amazon EC2 2026-09-01 12.0 Import",
            "000111222333 Demo 2026-09-03 1.0 Demo",
            "000111222333 Fetched 2026-09-03 1.0 CostExplorer",
            "000111222333 Legacy 2026-09-04 1.0 Import",
            "000111222333 Amazon EC2 2026-10-01 7.0 Import",
        ]
    );
    let log = audit_log(&h).await;
    let last = &log["items"][0];
    assert_eq!(last["action"], "costs_imported", "{log}");
    assert_eq!(last["after"]["months_replaced"], json!(["2026-09"]));
    assert_eq!(last["after"]["cells_removed"], 1);
    assert!(
        last["detail"]
            .as_str()
            .unwrap()
            .contains("1 cells written and 1 removed in 2026-09"),
        "{last}"
    );
}

#[tokio::test]
async fn billing_the_same_part_twice_in_one_import_is_refused_and_stores_nothing() {
    let h = Harness::new().await;
    let url = "/api/v1/billing/imports?customer=events-demo";
    let part = hourly("000111222333", 0..12);
    let (ct, body) = multipart_files(&[("export-00001.csv", &part), ("export-00001.csv", &part)]);
    let (s, v) = h.raw("POST", url, Some(&h.admin()), Some(&ct), body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "validation_failed");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("part 1 (export-00001.csv) and part 2 (export-00001.csv) have the same content"),
        "{message}"
    );
    assert_eq!(ec2_on_sep_1(&h).await, json!([]), "nothing stored");
}

#[tokio::test]
async fn billing_imported_costs_of_a_range_of_months_are_removed_by_an_admin() {
    let h = Harness::new().await;
    let admin = h.admin();
    let a = "000111222333";
    let file = daily(&[
        (a, "Amazon EC2", "2026-08-31", 3.0),
        (a, "Amazon EC2", "2026-09-01", 10.0),
        (a, "Amazon S3", "2026-09-02", 5.0),
        (a, "Amazon EC2", "2026-10-01", 7.0),
    ]);
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/billing/imports?customer=events-demo",
            Some(&admin),
            Some("text/csv"),
            file.into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    store(
        &h,
        "events-demo",
        &[DailyCost {
            source: CellSource::CostExplorer,
            ..cell(a, "Fetched", date!(2026 - 09 - 03), 1.0)
        }],
    )
    .await;
    let url = |q: &str| format!("/api/v1/billing/imports?{q}");
    // Bad input and the wrong role: each a 4xx, nothing removed.
    for (q, token, status, says) in [
        (
            "customer=events-demo&from=2026-09",
            h.engineer(),
            StatusCode::FORBIDDEN,
            "admin",
        ),
        (
            "customer=events-demo&from=2026-9",
            admin.clone(),
            StatusCode::BAD_REQUEST,
            "YYYY-MM",
        ),
        (
            "customer=events-demo&from=2026-13",
            admin.clone(),
            StatusCode::BAD_REQUEST,
            "YYYY-MM",
        ),
        (
            "customer=events-demo&from=1999-12",
            admin.clone(),
            StatusCode::BAD_REQUEST,
            "2000-01",
        ),
        (
            "customer=events-demo&from=2026-10&to=2026-09",
            admin.clone(),
            StatusCode::BAD_REQUEST,
            "before",
        ),
        ("customer=events-demo", admin.clone(), StatusCode::BAD_REQUEST, "from"),
        (
            "customer=nobody&from=2026-09",
            admin.clone(),
            StatusCode::NOT_FOUND,
            "nobody",
        ),
        (
            "customer=events-demo&from=2026-09&extra=1",
            admin.clone(),
            StatusCode::BAD_REQUEST,
            "extra",
        ),
    ] {
        let (s, v) = h.call("DELETE", &url(q), &token, None).await;
        assert_eq!(s, status, "{q}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(says), "{q}: {v}");
    }
    assert_eq!(september_and_october(&h).await.len(), 4);

    // September to October: the imported cells go, the fetched one stays; August is not touched.
    let (s, v) = h
        .call(
            "DELETE",
            &url("customer=events-demo&from=2026-09&to=2026-10"),
            &admin,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"customer": "events-demo", "from": "2026-09", "to": "2026-10", "months": ["2026-09", "2026-10"],
               "cells_removed": 3, "anomalies_raised": 0})
    );
    assert_eq!(
        september_and_october(&h).await,
        vec!["000111222333 Fetched 2026-09-03 1.0 CostExplorer"]
    );
    let (_, august) = h
        .get("/api/v1/billing/costs?customer=events-demo&from=2026-08-01&to=2026-08-31")
        .await;
    assert_eq!(august["total"][0]["amount"], 3.0, "{august}");
    // Again: nothing left to remove.
    let (s, v) = h
        .call("DELETE", &url("customer=events-demo&from=2026-09"), &admin, None)
        .await;
    assert_eq!((s, v["cells_removed"].as_u64()), (StatusCode::OK, Some(0)), "{v}");

    // In the customer's audit log, by whom.
    let log = audit_log(&h).await;
    let removed: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "imported_costs_removed")
        .collect();
    assert_eq!(removed.len(), 2, "{log}");
    let first = removed[1];
    assert_eq!(first["actor"], "ada@example.com");
    assert_eq!(first["after"]["cells_removed"], 3);
    assert_eq!(
        first["detail"],
        "imported costs of 2026-09 to 2026-10 removed via API: 3 cells"
    );
}

#[tokio::test]
async fn billing_one_writer_of_a_customers_costs_at_a_time() {
    let h = Harness::new().await;
    let admin = h.admin();
    let billing = h.app.billing().unwrap();
    let customer = CustomerCode::parse("events-demo").unwrap();
    let import = || {
        h.raw(
            "POST",
            "/api/v1/billing/imports?customer=events-demo",
            Some(&admin),
            Some("text/csv"),
            hourly("000111222333", 0..2).into_bytes(),
        )
    };
    let remove = || {
        h.call(
            "DELETE",
            "/api/v1/billing/imports?customer=events-demo&from=2026-09",
            &admin,
            None,
        )
    };

    // While a fetch run holds the customer's lease: imports and removals are refused, nothing written.
    let fetching = billing
        .take_lease(&customer, "run-1", &cc_domain::billing::Trigger::Schedule)
        .await
        .unwrap()
        .unwrap();
    let (s, v) = import().await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("fetch_running")),
        "{v}"
    );
    assert_eq!(ec2_on_sep_1(&h).await, json!([]), "nothing stored");
    let (s, v) = remove().await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("fetch_running")),
        "{v}"
    );
    billing.release_lease(&customer, fetching).await;
    let (s, v) = import().await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // While an import holds it: a fetch now is refused, the schedule skips the customer, and
    // another import is refused, each saying so.
    let importing = billing
        .take_lease_for(
            &customer,
            "import-1",
            &cc_domain::billing::Trigger::Admin { email: "system".into() },
            cc_domain::billing::fetch::LeaseWork::Import,
        )
        .await
        .unwrap()
        .unwrap();
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/billing/runs",
            &admin,
            Some(json!({"customer": "events-demo"})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("import_running")),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("system"), "{v}");
    let run = billing
        .run(cc_domain::billing::Scope::All, cc_domain::billing::Trigger::Schedule)
        .await
        .unwrap();
    let entry = run.customers.iter().find(|c| c.customer == customer).unwrap();
    assert_eq!(
        entry.reason.as_deref(),
        Some(cc_domain::billing::fetch::IMPORT_LEASED_REASON),
        "{entry:?}"
    );
    let (s, v) = import().await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("import_running")),
        "{v}"
    );
    billing.release_lease(&customer, importing).await;
    // Each import and removal releases the lease when done (or refused).
    let (s, v) = remove().await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = import().await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(
        billing
            .take_lease(&customer, "run-2", &cc_domain::billing::Trigger::Schedule)
            .await
            .unwrap()
            .is_ok()
    );
}

#[test]
fn query_rules_file_matches_the_document() {
    cc_http::testing::query_rules_file_matches(
        &billing_fetch::openapi(),
        concat!(env!("CARGO_MANIFEST_DIR"), "/query-rules.txt"),
    );
}
