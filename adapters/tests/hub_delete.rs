//! Deleting a customer with many items under its partition, on both storage backends (embedded
//! SQLite and DynamoDB on moto): 500 child items (far more than one 100-write transaction), the
//! customer gone from reads and lists at once, and a delete interrupted half-way that a second call
//! completes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::config::Config;
use cc_domain::hub::service::CustomerFilter;
use cc_domain::hub::{NewContact, NewCustomer, TeamUpdate};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::{CustomerCode, Email, new_ulid};
use cc_domain::keys;
use cc_domain::store::{Index, Item, ItemStore, Page, Query, StoreError, StoreResult, Write};
use cc_domain::{App, Clock, Error};

const CHILDREN: usize = 500;

fn admin() -> Principal {
    Principal {
        email: Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into(),
    }
}

/// An item store that fails every transaction from the `fail_from`-th on (1-based) while
/// `failing` is set: a Lambda that dies half-way through a delete.
struct Interrupted {
    inner: Arc<dyn ItemStore>,
    transactions: AtomicUsize,
    fail_from: usize,
    failing: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl ItemStore for Interrupted {
    async fn get(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>> {
        self.inner.get(pk, sk).await
    }
    async fn query(&self, query: Query) -> StoreResult<Page> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        let n = self.transactions.fetch_add(1, Ordering::SeqCst) + 1;
        if self.failing.load(Ordering::SeqCst) && n >= self.fail_from {
            return Err(StoreError::Backend(anyhow::anyhow!("the function timed out")));
        }
        self.inner.transact(writes).await
    }
    fn index_settle_time(&self) -> std::time::Duration {
        self.inner.index_settle_time()
    }
}

/// A customer with 40 contacts, a team of 40 and enough raw items under its partition to make
/// `CHILDREN` children in all.
async fn customer_with_children(app: &App, code: &str) {
    let admin = admin();
    app.hub
        .create_customer(
            &admin,
            serde_json::from_value::<NewCustomer>(serde_json::json!({"code": code, "name": format!("Big {code}")}))
                .unwrap(),
        )
        .await
        .unwrap();
    for i in 0..40 {
        let contact = NewContact {
            name: format!("Contact {i}"),
            role: "ops".into(),
            email: Email::parse(format!("c{i}@{code}.example")).unwrap(),
            phone: None,
            escalation_order: 1,
        };
        app.hub.create_contact(&admin, code, contact).await.unwrap();
    }
    let members = (0..40)
        .map(|i| Email::parse(format!("m{i}@team.example")).unwrap())
        .collect();
    app.hub
        .put_team(&admin, code, TeamUpdate { members, version: 0 })
        .await
        .unwrap();
    // 40 contacts + the team item + 40 member items = 81; the rest as raw rows.
    for i in 0..(CHILDREN - 81) {
        app.items
            .put_new(Item::new(
                keys::customer(code),
                format!("ROW#{i:04}"),
                serde_json::json!({"i": i}),
            ))
            .await
            .unwrap();
    }
    let all = app
        .items
        .query_all(Query::partition(Index::Primary, keys::customer(code)).limit(200))
        .await
        .unwrap();
    assert_eq!(all.len(), CHILDREN + 1, "the customer item and its children");
}

async fn assert_gone(app: &App, code: &str) {
    let left = app
        .items
        .query_all(Query::partition(Index::Primary, keys::customer(code)).limit(200))
        .await
        .unwrap();
    assert!(left.is_empty(), "{} items left under the customer", left.len());
    assert!(matches!(
        app.hub.get_customer(&admin(), code).await,
        Err(Error::NotFound { .. })
    ));
    let member = Email::parse("m1@team.example").unwrap();
    assert!(
        !app.hub
            .customers_of(&member)
            .await
            .unwrap()
            .iter()
            .any(|c| c.as_str() == code)
    );
}

async fn deletes_any_number_of_children(items: Arc<dyn ItemStore>) {
    let app = App::new(Config::from_lookup(|_| None).unwrap(), items, Clock::system());
    let code = format!("big-{}", new_ulid().to_string().to_lowercase());
    customer_with_children(&app, &code).await;
    app.hub.delete_customer(&admin(), &code, None).await.unwrap();
    assert_gone(&app, &code).await;
    // A second delete finds nothing.
    assert!(matches!(
        app.hub.delete_customer(&admin(), &code, None).await,
        Err(Error::NotFound { .. })
    ));
}

async fn an_interrupted_delete_hides_the_customer_and_resumes(items: Arc<dyn ItemStore>) {
    let store = Arc::new(Interrupted {
        inner: items,
        transactions: AtomicUsize::new(0),
        fail_from: usize::MAX,
        failing: false.into(),
    });
    let app = App::new(Config::from_lookup(|_| None).unwrap(), store.clone(), Clock::system());
    let code = format!("cut-{}", new_ulid().to_string().to_lowercase());
    customer_with_children(&app, &code).await;

    // The mark and two batches land, then the function dies.
    let interrupted = Arc::new(Interrupted {
        inner: store.inner.clone(),
        transactions: AtomicUsize::new(0),
        fail_from: 4,
        failing: true.into(),
    });
    let dying = App::new(Config::from_lookup(|_| None).unwrap(), interrupted, Clock::system());
    assert!(matches!(
        dying.hub.delete_customer(&admin(), &code, None).await,
        Err(Error::Internal(_))
    ));
    // Half-deleted: no longer found, listed or attachable, but items remain.
    assert!(matches!(
        app.hub.get_customer(&admin(), &code).await,
        Err(Error::NotFound { .. })
    ));
    let listed = app
        .hub
        .list_customers(&admin(), &CustomerFilter::default(), Some(100), None)
        .await
        .unwrap();
    assert!(!listed.items.iter().any(|c| c.code.as_str() == code));
    let late_contact = NewContact {
        name: "Late".into(),
        role: String::new(),
        email: Email::parse("late@example.com").unwrap(),
        phone: None,
        escalation_order: 1,
    };
    assert!(app.hub.create_contact(&admin(), &code, late_contact).await.is_err());
    let left = app
        .items
        .query_all(Query::partition(Index::Primary, keys::customer(&code)).limit(200))
        .await
        .unwrap();
    assert!(left.len() > 1 && left.len() < CHILDREN, "{} items left", left.len());
    // The same code cannot be reused until the delete is finished.
    let again: NewCustomer = serde_json::from_value(serde_json::json!({"code": code, "name": "Again"})).unwrap();
    assert!(app.hub.create_customer(&admin(), again).await.is_err());

    // Calling delete again completes it.
    app.hub.delete_customer(&admin(), &code, None).await.unwrap();
    assert_gone(&app, &code).await;
    let again: NewCustomer = serde_json::from_value(serde_json::json!({"code": code, "name": "Again"})).unwrap();
    let recreated = app.hub.create_customer(&admin(), again).await.unwrap();
    assert_eq!(recreated.code, CustomerCode::parse(&code).unwrap());
}

fn sqlite() -> (Arc<dyn ItemStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap();
    (Arc::new(store), dir)
}

async fn dynamo(url: &str) -> Arc<dyn ItemStore> {
    let sdk = emulator_sdk_config(url).await;
    let table = format!("delete-{}", new_ulid()).to_lowercase();
    let store = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    store.ensure_table().await.unwrap();
    Arc::new(store)
}

#[tokio::test]
async fn customer_with_500_children_is_deleted_on_sqlite() {
    let (items, _dir) = sqlite();
    deletes_any_number_of_children(items).await;
}

#[tokio::test]
async fn interrupted_customer_delete_resumes_on_sqlite() {
    let (items, _dir) = sqlite();
    an_interrupted_delete_hides_the_customer_and_resumes(items).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_with_500_children_is_deleted_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    deletes_any_number_of_children(dynamo(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_customer_delete_resumes_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    an_interrupted_delete_hides_the_customer_and_resumes(dynamo(&url).await).await;
}
