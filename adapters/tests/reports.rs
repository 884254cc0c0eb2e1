//! Report versions against each pair of stores: the embedded one (SQLite and the local object
//! directory) always, DynamoDB and S3 on moto when the test command started it. Build, rebuild
//! with a new summary, build concurrently: every version listed with the right metadata, each
//! one's outputs readable at the object version it wrote, download links that serve those bytes,
//! and nothing older ever replaced.

use std::sync::Arc;

use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::config::Config;
use cc_domain::demo::{self, DemoSize};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::{CustomerCode, Email};
use cc_domain::reports::{ReportMonth, ReportPorts, Trigger};
use cc_domain::store::{ItemStore, ObjectStore};
use cc_domain::{App, Clock};

const MONTH: &str = "2026-10";

fn lead() -> Principal {
    Principal {
        email: Email::parse("lee.lead@demo.customer-central.dev").unwrap(),
        subject: "lee".into(),
        roles: [Role::Engineer, Role::Lead].into(),
    }
}

fn app(items: Arc<dyn ItemStore>, objects: Arc<dyn ObjectStore>) -> App {
    let config = Config::from_lookup(|_| None).unwrap();
    App::new(
        config,
        items,
        Clock::fixed(time::macros::datetime!(2026-11-25 09:00 UTC)),
    )
    .with_objects(objects)
    .with_reports(ReportPorts::unconfigured())
    .unwrap()
}

/// Fetches a download link (S3 presigned on moto; the local store's are checked by signature).
async fn fetch(url: &str) -> Vec<u8> {
    let res = cc_tls::reqwest_client().unwrap().get(url).send().await.unwrap();
    assert!(res.status().is_success(), "{url}: {}", res.status());
    res.bytes().await.unwrap().to_vec()
}

async fn versions_are_kept(app: &App, links_fetchable: bool) {
    let size = DemoSize {
        customers: 2,
        accounts: 4,
    };
    demo::seed(app, &size).await.unwrap();
    let code = CustomerCode::parse(&demo::customer_codes(&size)[0]).unwrap();
    // September and October costs in two accounts (a handful of transactions, quick on moto too).
    let snap = app.hub.snapshot().await.unwrap();
    let ids: Vec<_> = snap
        .accounts
        .iter()
        .filter(|a| a.customer == code)
        .map(|a| a.id.clone())
        .take(2)
        .collect();
    let first = time::macros::date!(2026 - 09 - 01);
    let cells: Vec<cc_domain::billing::costs::DailyCost> = (0..61)
        .flat_map(|d| {
            ids.iter()
                .enumerate()
                .map(move |(i, a)| cc_domain::billing::costs::DailyCost {
                    account: a.clone(),
                    service: format!("Service {i}"),
                    day: first + time::Duration::days(d),
                    amount: 10.0 + d as f64 + i as f64,
                    currency: "USD".into(),
                    estimated: false,
                    source: cc_domain::billing::costs::CellSource::Import,
                })
        })
        .collect();
    cc_domain::billing::costs::upsert(app.items.as_ref(), &code, &cells)
        .await
        .unwrap();
    let reports = app.reports().unwrap();
    let month = ReportMonth::parse(MONTH).unwrap();
    let snap = app.hub.snapshot().await.unwrap();
    let customer = snap.customer(code.as_str()).unwrap().clone();
    let accounts: Vec<_> = snap.accounts.iter().filter(|a| a.customer == code).cloned().collect();

    let v1 = reports
        .build(&customer, &accounts, month, None, Trigger::Schedule, "monthly schedule")
        .await
        .unwrap();
    let v2 = reports
        .build_as(&lead(), &code, month, Some("New **summary**."), Some("summary written"))
        .await
        .unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(
        v2.trigger,
        Trigger::Person {
            email: "lee.lead@demo.customer-central.dev".into()
        }
    );
    assert_eq!(
        (v2.reason.as_str(), v2.summary.as_deref()),
        ("summary written", Some("New **summary**."))
    );
    assert_eq!((v1.reason.as_str(), v1.summary.as_deref()), ("monthly schedule", None));
    assert_ne!(v1.build_id, v2.build_id);

    // Both listed, newest first, exactly as built.
    let listed = reports.versions(&lead(), &code, month).await.unwrap();
    assert_eq!(listed, vec![v2.clone(), v1.clone()]);
    // Each version's outputs are the object versions it wrote: the same key, different versions.
    for format in ["html", "json"] {
        let (a, b) = (v1.output(format).unwrap(), v2.output(format).unwrap());
        assert_eq!(a.key, b.key, "{format}: one stable key");
        assert_eq!(a.key, format!("reports/{code}/{MONTH}/report.{format}"));
        assert_ne!(a.version_id, b.version_id, "{format}: its own object version");
        let kept = app.objects().unwrap().list_versions(&a.key).await.unwrap();
        assert_eq!(kept.len(), 2, "{format}: both object versions kept");
    }
    let html1 = String::from_utf8(reports.content(v1.output("html").unwrap()).await.unwrap().to_vec()).unwrap();
    let html2 = String::from_utf8(reports.content(v2.output("html").unwrap()).await.unwrap().to_vec()).unwrap();
    assert!(html1.contains("The team has not written a summary") && html1.contains("Version 1 ·"));
    assert!(html2.contains("New <strong>summary</strong>.") && html2.contains("Version 2 ·"));
    let json2 = reports.content(v2.output("json").unwrap()).await.unwrap();
    let snapshot: serde_json::Value = serde_json::from_slice(&json2).unwrap();
    assert_eq!(snapshot["summary"]["data"]["markdown"], "New **summary**.");
    let october: f64 = (30..61).map(|d| f64::from(21 + 2 * d)).sum();
    assert_eq!(
        snapshot["billing"]["data"]["currencies"][0]["total"].as_f64(),
        Some(october)
    );
    let diff = reports.diff(&lead(), &code, month, 1, 2).await.unwrap();
    let paths: Vec<&str> = diff.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        ["summary.data", "summary.message", "summary.reason", "summary.status"]
    );

    // A link to version 1 serves version 1's bytes, not the newest.
    let link = reports.download(v1.output("json").unwrap()).await.unwrap();
    if links_fetchable {
        let got = fetch(&link.url).await;
        assert_eq!(got, reports.content(v1.output("json").unwrap()).await.unwrap().to_vec());
    } else {
        assert!(
            link.url.contains(&v1.output("json").unwrap().version_id),
            "{}",
            link.url
        );
    }

    // Builds at once each take their own number; none is lost, and the first two are unchanged.
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let app = app.clone();
            let code = code.clone();
            tokio::spawn(async move {
                app.reports()
                    .unwrap()
                    .build_as(&lead(), &code, month, Some(&format!("take {i}")), None)
                    .await
                    .map(|v| v.version)
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, [3, 4, 5, 6]);
    let all = reports.versions(&lead(), &code, month).await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all[4], v2);
    assert_eq!(all[5], v1);
    let months = reports
        .list(&lead(), Some(&code), None, &Default::default())
        .await
        .unwrap();
    assert_eq!(months.items.len(), 1);
    assert_eq!((months.items[0].versions, months.items[0].latest.version), (6, 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn report_versions_are_kept_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let items = Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let objects = Arc::new(cc_adapters::local_objects::LocalObjectStore::new(
        dir.path().join("objects"),
        b"secret",
        "http://127.0.0.1:1",
    ));
    versions_are_kept(&app(items, objects), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn report_versions_are_kept_on_dynamodb_and_s3() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let items = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), "reports-versions");
    items.ensure_table().await.unwrap();
    let conf = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
    let objects = cc_adapters::s3::S3Store::new(aws_sdk_s3::Client::from_conf(conf), "reports-versions");
    objects.ensure_bucket().await.unwrap();
    versions_are_kept(&app(Arc::new(items), Arc::new(objects)), true).await;
}
