//! The function on its sample events (the stream records of `events/report-pdf/`): a version built
//! with its PDF pending gets the PDF, once, whatever else the batch holds, and the PDF is the one
//! the version's own JSON snapshot and metadata give; on the embedded store and on DynamoDB + S3
//! in moto (the AWS adapters behind the function).

use std::sync::Arc;

use cc_domain::config::Config;
use cc_domain::demo::{self, DemoSize};
use cc_domain::ids::CustomerCode;
use cc_domain::reports::store::ReportVersion;
use cc_domain::reports::{ReportMonth, ReportPorts, Snapshot, Trigger};
use cc_domain::store::{ItemStore, ObjectStore};
use cc_domain::{App, Clock};
use report_pdf::{BatchResponse, HandleError, ItemFailure};
use serde_json::Value;

const ACME: &str = "acme-retail";

fn october() -> ReportMonth {
    ReportMonth::parse("2026-10").unwrap()
}

/// As `report-build` builds in AWS: the local sources, the PDF left for later.
fn deferring() -> ReportPorts {
    let mut ports = cc_adapters::wire::embedded_report_ports();
    ports.deferred = vec!["pdf"];
    ports
}

/// As this function is wired: no source, the PDF renderer.
fn rendering() -> ReportPorts {
    let mut ports = ReportPorts::unconfigured();
    ports.renderers = cc_adapters::wire::report_renderers();
    ports
}

fn app(items: Arc<dyn ItemStore>, objects: Arc<dyn ObjectStore>, ports: ReportPorts) -> App {
    let config = Config::from_lookup(|_| None).unwrap();
    App::new(
        config,
        items,
        Clock::fixed(time::macros::datetime!(2026-11-25 09:00 UTC)),
    )
    .with_objects(objects)
    .with_reports(ports)
    .unwrap()
}

fn event(name: &str) -> Value {
    let dir = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "report-pdf");
    serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.json"))).unwrap()).unwrap()
}

async fn version(app: &App) -> (ReportVersion, u64) {
    let code = CustomerCode::parse(ACME).unwrap();
    let item = app
        .items
        .get(
            &cc_domain::keys::report(ACME, "2026-10"),
            &cc_domain::keys::report_version(1),
        )
        .await
        .unwrap()
        .unwrap();
    let v = cc_domain::reports::store::get(app.items.as_ref(), &code, october(), 1)
        .await
        .unwrap();
    (v, item.version)
}

/// Seeds the demo hub (and acme-retail's costs) and builds October's version 1 with the PDF pending.
async fn build_pending(builder: &App) {
    let size = DemoSize {
        customers: 3,
        accounts: 6,
    };
    demo::seed(builder, &size).await.unwrap();
    let code = CustomerCode::parse(ACME).unwrap();
    cc_domain::billing::demo::seed(builder, std::slice::from_ref(&code))
        .await
        .unwrap();
    let snap = builder.hub.snapshot().await.unwrap();
    let customer = snap.customer(ACME).unwrap().clone();
    let accounts: Vec<_> = snap
        .accounts
        .iter()
        .filter(|a| a.customer == customer.code)
        .cloned()
        .collect();
    builder
        .reports()
        .unwrap()
        .build(
            &customer,
            &accounts,
            october(),
            Some("October went well."),
            Trigger::Schedule,
            "monthly schedule",
        )
        .await
        .unwrap();
}

/// The sample events in order against `builder` (which deferred the PDF) and `renderer` (this
/// function's wiring) on the same stores.
async fn run_events(builder: &App, renderer: &App) {
    build_pending(builder).await;
    let (v, _) = version(builder).await;
    let formats: Vec<&str> = v.outputs.iter().map(|o| o.format.as_str()).collect();
    assert_eq!(formats, ["json", "html"]);
    assert_eq!(v.pending.len(), 1);
    assert_eq!(
        (v.pending[0].format.as_str(), v.pending[0].error.as_deref()),
        ("pdf", None)
    );

    // 01: the new version's record: the PDF is rendered, stored and added to the version.
    let answer = report_pdf::handle(renderer, event("01-new-version")).await.unwrap();
    assert_eq!(answer, BatchResponse::default());
    let (v, item_version) = version(builder).await;
    assert!(v.pending.is_empty(), "{:?}", v.pending);
    let formats: Vec<&str> = v.outputs.iter().map(|o| o.format.as_str()).collect();
    assert_eq!(formats, ["json", "html", "pdf"]);
    let reports = renderer.reports().unwrap();
    let pdf = reports.content(v.output("pdf").unwrap()).await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    // The bytes the version's own snapshot and metadata give (what a build rendering it at once writes).
    let json = reports.content(v.output("json").unwrap()).await.unwrap();
    let snapshot: Snapshot = serde_json::from_slice(&json).unwrap();
    let expected = cc_adapters::wire::report_renderers()[0]
        .render(&snapshot, &v.build_info())
        .unwrap();
    assert!(pdf.as_ref() == expected.as_slice(), "the stored PDF is the snapshot's");

    // 02: the same record delivered again (a retry): nothing is written.
    let answer = report_pdf::handle(renderer, event("02-delivered-again")).await.unwrap();
    assert_eq!(answer, BatchResponse::default());
    assert_eq!(
        version(builder).await.1,
        item_version,
        "the version's item is untouched"
    );

    // 03: a modify, another item, a remove, a version that does not exist: skipped, no failure.
    let answer = report_pdf::handle(renderer, event("03-other-records")).await.unwrap();
    assert_eq!(answer, BatchResponse::default());
    assert_eq!(version(builder).await.1, item_version);

    // 04: not a stream event at all.
    let err = report_pdf::handle(renderer, event("04-not-a-stream-event"))
        .await
        .unwrap_err();
    assert!(matches!(err, HandleError::BadEvent(_)), "{err}");
    assert!(err.to_string().contains("not a DynamoDB Streams event"), "{err}");
}

fn embedded(dir: &tempfile::TempDir) -> (Arc<dyn ItemStore>, Arc<dyn ObjectStore>) {
    let items: Arc<dyn ItemStore> =
        Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let objects: Arc<dyn ObjectStore> = Arc::new(cc_adapters::local_objects::LocalObjectStore::new(
        dir.path().join("objects"),
        b"test-secret-test-secret-test-secret-0123",
        "http://127.0.0.1:1",
    ));
    (items, objects)
}

#[tokio::test]
async fn sample_events_render_the_pending_pdf_once() {
    let dir = tempfile::tempdir().unwrap();
    let (items, objects) = embedded(&dir);
    let builder = app(items.clone(), objects.clone(), deferring());
    let renderer = app(items, objects, rendering());
    run_events(&builder, &renderer).await;
}

/// The same on DynamoDB and S3 in moto.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_events_render_the_pending_pdf_once_on_dynamodb_and_s3_in_moto() {
    let Some(url) = cc_adapters::wire::test_emulator_url() else {
        return;
    };
    let table = format!("reports-{}", cc_domain::ids::new_ulid()).to_lowercase();
    let bucket = format!("reports-{}", cc_domain::ids::new_ulid()).to_lowercase();
    let sdk = cc_adapters::wire::emulator_sdk_config(&url).await;
    let dynamo = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    dynamo.ensure_table().await.unwrap();
    let s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
    let s3 = cc_adapters::s3::S3Store::new(aws_sdk_s3::Client::from_conf(s3), &bucket);
    s3.ensure_bucket().await.unwrap();
    let (items, objects): (Arc<dyn ItemStore>, Arc<dyn ObjectStore>) = (Arc::new(dynamo), Arc::new(s3));
    let builder = app(items.clone(), objects.clone(), deferring());
    let renderer = app(items, objects, rendering());
    run_events(&builder, &renderer).await;
}

/// Two deliveries of the same record at once (two pollers, a retry overlapping a slow first try):
/// the version gets one PDF, and neither fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_add_the_pdf_once() {
    let dir = tempfile::tempdir().unwrap();
    let (items, objects) = embedded(&dir);
    let builder = app(items.clone(), objects.clone(), deferring());
    let renderer = app(items, objects, rendering());
    build_pending(&builder).await;
    let (a, b) = tokio::join!(
        report_pdf::handle(&renderer, event("01-new-version")),
        report_pdf::handle(&renderer, event("01-new-version")),
    );
    assert_eq!(a.unwrap(), BatchResponse::default());
    assert_eq!(b.unwrap(), BatchResponse::default());
    let (v, _) = version(&builder).await;
    assert_eq!(
        v.outputs.iter().filter(|o| o.format == "pdf").count(),
        1,
        "{:?}",
        v.outputs
    );
    assert!(v.pending.is_empty());
}

/// A store that fails makes the record a batch item failure (Lambda retries from it), and the
/// version keeps its PDF pending.
#[tokio::test]
async fn a_failing_store_names_the_record_for_a_retry() {
    let dir = tempfile::tempdir().unwrap();
    let (items, objects) = embedded(&dir);
    let builder = app(items.clone(), objects, deferring());
    build_pending(&builder).await;
    // The objects of another, empty directory: the version's JSON snapshot is not there.
    let elsewhere = tempfile::tempdir().unwrap();
    let (_, missing) = embedded(&elsewhere);
    let renderer = app(items, missing, rendering());
    let answer = report_pdf::handle(&renderer, event("01-new-version")).await.unwrap();
    assert_eq!(
        answer.batch_item_failures,
        [ItemFailure {
            item_identifier: "000000000000000000100".into()
        }]
    );
    let (v, _) = version(&builder).await;
    assert_eq!(v.pending.len(), 1);
    assert_eq!(
        v.pending[0].error, None,
        "not recorded as a rendering failure: it is retried"
    );
}
