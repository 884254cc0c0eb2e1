//! The storage conformance suites against every adapter: embedded always, AWS on moto.

use std::sync::Arc;

use cc_adapters::conformance;
use cc_adapters::dynamo::DynamoStore;
use cc_adapters::local_objects::LocalObjectStore;
use cc_adapters::s3::S3Store;
use cc_adapters::sqlite::SqliteStore;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_item_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap();
    conformance::item_store(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_store_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("items.sqlite3");
    {
        let store = SqliteStore::open(&path).unwrap();
        use cc_domain::store::{Item, ItemStore};
        store
            .put_new(Item::new("P", "S", serde_json::json!({"kept": true})))
            .await
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    use cc_domain::store::ItemStore;
    assert_eq!(store.get("P", "S").await.unwrap().unwrap().data["kept"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn local_object_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalObjectStore::new(dir.path(), b"secret", "http://127.0.0.1:1"));
    conformance::object_store(store.clone()).await;
}

#[tokio::test]
async fn local_download_links_are_signed_and_expire() {
    use cc_domain::store::ObjectStore;
    let dir = tempfile::tempdir().unwrap();
    let store = LocalObjectStore::new(dir.path(), b"secret", "http://127.0.0.1:9");
    let v = store
        .put(
            "r/a.txt",
            bytes::Bytes::from_static(b"hi"),
            "text/plain",
            Default::default(),
        )
        .await
        .unwrap();
    let url = store
        .download_url("r/a.txt", None, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    let parsed = url::Url::parse(&url).unwrap();
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q["version"], v.version_id);
    let expires: i64 = q["expires"].parse().unwrap();
    assert!(store.verify_link("r/a.txt", &v.version_id, expires, &q["signature"]));
    assert!(
        !store.verify_link("r/b.txt", &v.version_id, expires, &q["signature"]),
        "other key"
    );
    assert!(
        !store.verify_link("r/a.txt", &v.version_id, expires + 1, &q["signature"]),
        "tampered expiry"
    );
    let past = time::OffsetDateTime::now_utc().unix_timestamp() - 1;
    let expired = LocalObjectStore::new(dir.path(), b"secret", "http://x");
    assert!(!expired.verify_link("r/a.txt", &v.version_id, past, "00"), "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_item_store_conforms_on_moto() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), "conformance");
    store.ensure_table().await.unwrap();
    conformance::item_store(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s3_object_store_conforms_on_moto() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let conf = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
    let store = S3Store::new(aws_sdk_s3::Client::from_conf(conf), "conformance-reports");
    store.ensure_bucket().await.unwrap();
    conformance::object_store(Arc::new(store)).await;
}

/// `cc serve --create-resources` outside us-east-1: S3 needs the region as the bucket's location
/// constraint there (moto answers as S3 does: IllegalLocationConstraintException without it).
#[tokio::test]
async fn s3_bucket_is_created_in_any_region() {
    let Some(url) = test_emulator_url() else { return };
    for region in ["eu-west-1", "ap-southeast-2", "us-east-1"] {
        let sdk = emulator_sdk_config(&url).await;
        let conf = aws_sdk_s3::config::Builder::from(&sdk)
            .region(aws_config::Region::new(region))
            .force_path_style(true)
            .build();
        let bucket = format!("cc-region-{region}");
        let store = S3Store::new(aws_sdk_s3::Client::from_conf(conf.clone()), bucket.as_str());
        store
            .ensure_bucket()
            .await
            .unwrap_or_else(|e| panic!("{region}: {e:#}"));
        // Again: an existing bucket is kept.
        store.ensure_bucket().await.unwrap();
        let located = aws_sdk_s3::Client::from_conf(conf)
            .get_bucket_location()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let want = if region == "us-east-1" { None } else { Some(region) };
        let got = located
            .location_constraint()
            .map(|l| l.as_str())
            .filter(|l| !l.is_empty());
        assert_eq!(got, want, "{region}");
    }
}
