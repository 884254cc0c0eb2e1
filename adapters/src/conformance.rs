//! The one conformance suite every store adapter must pass (embedded always, AWS against moto).
//! Each check works in its own key namespace, so checks can share a table and run concurrently.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;

use cc_domain::ids::new_ulid;
use cc_domain::store::{Index, Item, ItemStore, ObjectStore, Query, StoreError, Write};

fn ns(name: &str) -> String {
    format!("T{}#{name}", new_ulid())
}

/// Runs every item-store check; panics with the failing check's message.
pub async fn item_store(store: Arc<dyn ItemStore>) {
    conditional_writes(&*store).await;
    concurrent_put_new_has_one_winner(store.clone()).await;
    concurrent_read_modify_write_loses_no_update(store.clone()).await;
    pagination_past_one_page(&*store).await;
    gsi_queries(&*store).await;
    failed_transaction_leaves_nothing(&*store).await;
    bad_cursor_is_reported(&*store).await;
}

pub async fn conditional_writes(store: &dyn ItemStore) {
    let pk = ns("cond");
    let item = Item::new(&pk, "META", json!({"n": 1}));
    store.put_new(item.clone()).await.expect("first put_new");
    assert!(
        matches!(store.put_new(item.clone()).await, Err(StoreError::ConditionFailed)),
        "put_new over an existing item"
    );
    let got = store.get(&pk, "META").await.unwrap().expect("item exists");
    assert_eq!(got.version, 1);
    assert_eq!(got.data, json!({"n": 1}));

    let mut next = got.clone();
    next.data = json!({"n": 2});
    store
        .put_if_version(next.clone(), 1)
        .await
        .expect("put at the current version");
    // A second writer that read version 1 loses.
    assert!(
        matches!(
            store.put_if_version(next.clone(), 1).await,
            Err(StoreError::ConditionFailed)
        ),
        "stale version must lose"
    );
    assert_eq!(store.get(&pk, "META").await.unwrap().unwrap().version, 2);
    // put_if_version on a missing item fails.
    let missing = Item::new(&pk, "NOPE", json!({}));
    assert!(matches!(
        store.put_if_version(missing, 1).await,
        Err(StoreError::ConditionFailed)
    ));
    // Delete with a stale version fails; with the right one succeeds.
    assert!(matches!(
        store.delete(&pk, "META", Some(1)).await,
        Err(StoreError::ConditionFailed)
    ));
    store
        .delete(&pk, "META", Some(2))
        .await
        .expect("delete at current version");
    assert!(store.get(&pk, "META").await.unwrap().is_none());
    assert!(
        matches!(
            store.delete(&pk, "META", Some(2)).await,
            Err(StoreError::ConditionFailed)
        ),
        "deleting a deleted item at a version"
    );
    store
        .delete(&pk, "META", None)
        .await
        .expect("unconditional delete of nothing is fine");
}

pub async fn concurrent_put_new_has_one_winner(store: Arc<dyn ItemStore>) {
    let pk = ns("race");
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            let pk = pk.clone();
            tokio::spawn(async move { store.put_new(Item::new(pk, "META", json!({"writer": i}))).await })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(()) => wins += 1,
            Err(StoreError::ConditionFailed) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(wins, 1, "exactly one concurrent create wins");
}

pub async fn concurrent_read_modify_write_loses_no_update(store: Arc<dyn ItemStore>) {
    let pk = ns("counter");
    store
        .put_new(Item::new(&pk, "META", json!({"count": 0})))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let store = store.clone();
            let pk = pk.clone();
            tokio::spawn(async move {
                for attempt in 0..500 {
                    let mut item = store.get(&pk, "META").await.unwrap().unwrap();
                    let expected = item.version;
                    item.data["count"] = json!(item.data["count"].as_u64().unwrap() + 1);
                    match store.put_if_version(item, expected).await {
                        Ok(()) => return attempt,
                        Err(StoreError::ConditionFailed) => {
                            tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % 5)).await
                        }
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                }
                panic!("no progress after 500 attempts");
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    let item = store.get(&pk, "META").await.unwrap().unwrap();
    assert_eq!(item.data["count"], json!(32), "every increment survives");
    assert_eq!(item.version, 33);
}

pub async fn pagination_past_one_page(store: &dyn ItemStore) {
    let pk = ns("pages");
    for i in 0..25 {
        store
            .put_new(Item::new(&pk, format!("ROW#{i:03}"), json!({"i": i})))
            .await
            .unwrap();
    }
    store.put_new(Item::new(&pk, "OTHER#1", json!({}))).await.unwrap();
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = store
            .query(
                Query::partition(Index::Primary, &pk)
                    .prefix("ROW#")
                    .limit(10)
                    .after(cursor),
            )
            .await
            .unwrap();
        pages += 1;
        assert!(page.items.len() <= 10);
        seen.extend(page.items.iter().map(|i| i.data["i"].as_i64().unwrap()));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, (0..25).collect::<Vec<_>>(), "every row once, in sort-key order");
    assert!(pages >= 3);
    let desc = store
        .query(
            Query::partition(Index::Primary, &pk)
                .prefix("ROW#")
                .limit(3)
                .descending(),
        )
        .await
        .unwrap();
    let ids: Vec<_> = desc.items.iter().map(|i| i.data["i"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![24, 23, 22]);
    let all = store
        .query_all(Query::partition(Index::Primary, &pk).limit(7))
        .await
        .unwrap();
    assert_eq!(all.len(), 26);
}

pub async fn gsi_queries(store: &dyn ItemStore) {
    let owner = ns("owner");
    let other = ns("other");
    for i in 0..12 {
        let g = if i % 3 == 0 { &other } else { &owner };
        let item = Item::new(ns("acct"), "META", json!({"i": i}))
            .with_gsi1(
                g,
                format!("ACCOUNT#{}#{i:02}", if i % 2 == 0 { "prod" } else { "non-prod" }),
            )
            .with_gsi2(format!("{owner}#KIND"), format!("{i:02}"));
        store.put_new(item).await.unwrap();
    }
    let mine = store
        .query_all(Query::partition(Index::Gsi1, &owner).limit(3))
        .await
        .unwrap();
    assert_eq!(mine.len(), 8);
    let prod = store
        .query_all(Query::partition(Index::Gsi1, &owner).prefix("ACCOUNT#prod#").limit(2))
        .await
        .unwrap();
    let ids: Vec<_> = prod.iter().map(|i| i.data["i"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![2, 4, 8, 10]);
    let page = store
        .query(Query::partition(Index::Gsi2, format!("{owner}#KIND")).limit(5))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 5);
    let rest = store
        .query_all(
            Query::partition(Index::Gsi2, format!("{owner}#KIND"))
                .limit(5)
                .after(page.next_cursor),
        )
        .await
        .unwrap();
    assert_eq!(rest.len(), 7);
    assert_eq!(rest[0].data["i"], json!(5));
}

pub async fn failed_transaction_leaves_nothing(store: &dyn ItemStore) {
    let pk = ns("tx");
    store
        .put_new(Item::new(&pk, "EXISTING", json!({"v": 1})))
        .await
        .unwrap();
    let writes = vec![
        Write::PutNew(Item::new(&pk, "A", json!({}))),
        Write::PutIfVersion {
            item: Item::new(&pk, "EXISTING", json!({"v": 2})),
            expected: 1,
        },
        Write::PutNew(Item::new(&pk, "EXISTING2", json!({}))),
        Write::Check {
            pk: pk.clone(),
            sk: "EXISTING3".into(),
            expected: 1,
        },
    ];
    assert!(matches!(store.transact(writes).await, Err(StoreError::ConditionFailed)));
    assert!(store.get(&pk, "A").await.unwrap().is_none(), "no partial write");
    let existing = store.get(&pk, "EXISTING").await.unwrap().unwrap();
    assert_eq!(existing.version, 1);
    assert_eq!(existing.data, json!({"v": 1}));

    let ok = vec![
        Write::PutNew(Item::new(&pk, "A", json!({}))),
        Write::PutIfVersion {
            item: Item::new(&pk, "EXISTING", json!({"v": 2})),
            expected: 1,
        },
        Write::Check {
            pk: pk.clone(),
            sk: "A2".into(),
            expected: 1,
        },
    ];
    assert!(
        matches!(store.transact(ok).await, Err(StoreError::ConditionFailed)),
        "check on a missing item fails"
    );
    let ok = vec![
        Write::PutNew(Item::new(&pk, "A", json!({}))),
        Write::PutIfVersion {
            item: Item::new(&pk, "EXISTING", json!({"v": 2})),
            expected: 1,
        },
        Write::Delete {
            pk: pk.clone(),
            sk: "NOTHING".into(),
            expected: None,
        },
    ];
    store.transact(ok).await.expect("all conditions hold");
    assert!(store.get(&pk, "A").await.unwrap().is_some());
    assert_eq!(store.get(&pk, "EXISTING").await.unwrap().unwrap().version, 2);
}

pub async fn bad_cursor_is_reported(store: &dyn ItemStore) {
    let r = store
        .query(Query::partition(Index::Primary, ns("c")).after(Some("not a cursor!".into())))
        .await;
    assert!(
        matches!(r, Err(StoreError::BadCursor)),
        "got {:?}",
        r.map(|p| p.items.len())
    );
}

/// Runs every object-store check.
pub async fn object_store(store: Arc<dyn ObjectStore>) {
    let key = format!("conformance/{}/report.html", new_ulid());
    assert!(store.get(&key, None).await.unwrap().is_none());
    assert!(store.list_versions(&key).await.unwrap().is_empty());
    let mut written = Vec::new();
    for i in 0..3 {
        let meta = BTreeMap::from([("built-by".to_string(), format!("user{i}"))]);
        let v = store
            .put(&key, Bytes::from(format!("version {i}")), "text/html", meta)
            .await
            .unwrap();
        assert!(!v.version_id.is_empty());
        written.push(v.version_id);
        // S3 orders versions by time; keep writes apart so the order is well-defined everywhere.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    // A longer key sharing the prefix is not a version of this key.
    store
        .put(
            &format!("{key}.bak"),
            Bytes::from_static(b"x"),
            "text/plain",
            BTreeMap::new(),
        )
        .await
        .unwrap();
    let versions = store.list_versions(&key).await.unwrap();
    let ids: Vec<_> = versions.iter().map(|v| v.version_id.clone()).collect();
    let newest_first: Vec<_> = written.iter().rev().cloned().collect();
    assert_eq!(ids, newest_first, "versions newest first");
    for (i, id) in written.iter().enumerate() {
        let obj = store
            .get(&key, Some(id))
            .await
            .unwrap()
            .expect("each version retrievable");
        assert_eq!(obj.body, Bytes::from(format!("version {i}")));
        assert_eq!(obj.version.metadata.get("built-by"), Some(&format!("user{i}")));
        assert_eq!(obj.version.content_type, "text/html");
    }
    let latest = store.get(&key, None).await.unwrap().unwrap();
    assert_eq!(latest.body, Bytes::from("version 2"));
    assert!(
        store
            .get(&key, Some("00000000000000000000000000"))
            .await
            .unwrap()
            .is_none()
    );
    let url = store
        .download_url(&key, Some(&written[0]), Duration::from_secs(60))
        .await
        .unwrap();
    assert!(url.starts_with("http"), "{url}");
    assert!(
        store
            .put("../escape", Bytes::new(), "text/plain", BTreeMap::new())
            .await
            .is_err()
    );
}
