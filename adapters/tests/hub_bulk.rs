//! Bulk account import and adding discovered accounts, on both storage backends (embedded SQLite
//! and DynamoDB on moto): validation as a whole with nothing written on error, batches of at most
//! 100 writes that keep counts, audit events and the snapshot right, and a single create racing
//! the import that neither doubles an account nor is overwritten.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use cc_adapters::local_billing::{LocalCostSource, LocalOrganizationSource};
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::billing::BillingPorts;
use cc_domain::billing::org::{AddDiscovered, DiscoveredAccount};
use cc_domain::billing::ports::OrgAccountStatus;
use cc_domain::config::Config;
use cc_domain::hub::service::AccountFilter;
use cc_domain::hub::{AccessMethod, BulkInput, Environment, Existing, NewAccount, NewCustomer, SkipCause};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::{AccountId, CustomerCode, Email, new_ulid};
use cc_domain::keys;
use cc_domain::store::{Index, Item, ItemStore, Page, Query, StoreResult, Write, encode};
use cc_domain::{App, Clock, Error};
use serde_json::json;

fn admin() -> Principal {
    Principal {
        email: Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into(),
    }
}

fn app_on(items: Arc<dyn ItemStore>) -> App {
    let app = App::new(Config::from_lookup(|_| None).unwrap(), items, Clock::system());
    let ports = BillingPorts {
        costs: Arc::new(LocalCostSource::new(app.hub.clone())),
        organizations: Arc::new(LocalOrganizationSource::new(app.hub.clone())),
    };
    app.with_billing(ports)
}

fn new_account(id: &str, customer: &str, alias: Option<&str>) -> NewAccount {
    serde_json::from_value(json!({
        "id": id, "customer": customer, "name": format!("{customer} {id}"), "alias": alias,
        "environment": "non-prod", "region": "eu-west-1",
        "access": {"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/CCRead"),
            "breakglass_role_arn": format!("arn:aws:iam::{id}:role/CCBreakglass"), "external_id": "cc-ext"}
    }))
    .unwrap()
}

/// A fresh customer code (tables are shared on moto).
async fn customer(app: &App, prefix: &str) -> String {
    let code = format!("{prefix}-{}", &new_ulid().to_string().to_lowercase()[16..]);
    let new: NewCustomer = serde_json::from_value(json!({"code": code, "name": format!("Bulk {code}")})).unwrap();
    app.hub.create_customer(&admin(), new).await.unwrap();
    code
}

/// Twelve-digit ids unique to this test run.
fn fresh_ids(n: usize) -> Vec<String> {
    let base = 100_000_000_000u64 + (rand::random::<u64>() % 800_000_000_000);
    (0..n).map(|i| format!("{:012}", base + i as u64)).collect()
}

async fn accounts_of(app: &App, code: &str) -> Vec<cc_domain::hub::Account> {
    let filter = AccountFilter {
        customer: Some(CustomerCode::parse(code).unwrap()),
        ..AccountFilter::default()
    };
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .hub
            .list_accounts(&admin(), &filter, Some(200), cursor.as_deref())
            .await
            .unwrap();
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return all,
        }
    }
}

async fn audit_events(app: &App, code: &str) -> Vec<Item> {
    app.items
        .query_all(Query::partition(Index::Primary, keys::audit(code, time::OffsetDateTime::now_utc())).limit(500))
        .await
        .unwrap()
}

async fn imports_in_batches_keeping_counts_audit_and_snapshot(items: Arc<dyn ItemStore>) {
    let app = app_on(items);
    let a = customer(&app, "bulk-a").await;
    let b = customer(&app, "bulk-b").await;
    // Loaded before the import: the import must move the revision so this cache is refreshed.
    assert!(accounts_of(&app, &a).await.is_empty());
    let ids = fresh_ids(230);
    let news: Vec<NewAccount> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let code = if i % 2 == 0 { &a } else { &b };
            let alias = (i % 5 == 0).then(|| format!("bulk-{id}"));
            new_account(id, code, alias.as_deref())
        })
        .collect();
    let outcome = app
        .hub
        .create_accounts(&admin(), BulkInput::from_accounts(news).unwrap())
        .await
        .unwrap();
    assert_eq!(outcome.created, 230);
    assert!(outcome.skipped.is_empty());
    assert!(outcome.transactions >= 5, "{} transactions", outcome.transactions);
    let got: Vec<String> = outcome.ids.iter().map(|id| id.to_string()).collect();
    assert_eq!(got, ids, "ids in input order");
    for code in [&a, &b] {
        assert_eq!(accounts_of(&app, code).await.len(), 115);
        assert_eq!(app.hub.get_customer(&admin(), code).await.unwrap().account_count, 115);
        let events = audit_events(&app, code).await;
        let created = events.iter().filter(|e| e.data["action"] == "account_created").count();
        assert_eq!(created, 115, "one audit event per account");
    }
    // Aliases are reserved like a single create's: a single create with one is refused.
    let clash = new_account(&fresh_ids(1)[0], &a, Some(&format!("BULK-{}", ids[0])));
    let err = app.hub.create_account(&admin(), clash).await.unwrap_err();
    assert_eq!(err.code(), "duplicate_alias");
    // And the import again is refused as a whole: every id is in the hub now.
    let again: Vec<NewAccount> = ids.iter().take(3).map(|id| new_account(id, &a, None)).collect();
    let Error::Rows { errors, .. } = app
        .hub
        .create_accounts(&admin(), BulkInput::from_accounts(again).unwrap())
        .await
        .unwrap_err()
    else {
        panic!("not a rows error")
    };
    assert_eq!(errors.len(), 3);
    assert!(
        errors
            .iter()
            .all(|e| e.field.as_deref() == Some("id") && e.message.contains("already in the hub"))
    );
    // Re-run with Existing::Skip: the three present are listed (one differs), the new one written.
    let extra = fresh_ids(1)[0].clone();
    let again = vec![
        new_account(&ids[0], &a, Some(&format!("bulk-{}", ids[0]))), // as stored, its own alias: no clash
        new_account(&ids[1], &b, None),                              // as stored
        new_account(&ids[2], &b, None),                              // stored under a (its name too): differs
        new_account(&extra, &b, None),                               // new
    ];
    let outcome = app
        .hub
        .create_accounts_with(&admin(), BulkInput::from_accounts(again).unwrap(), Existing::Skip)
        .await
        .unwrap();
    assert_eq!(outcome.created, 1);
    assert_eq!(outcome.ids[0].as_str(), extra);
    let s: Vec<(usize, SkipCause, Option<bool>, Vec<String>)> = outcome
        .skipped
        .iter()
        .map(|s| (s.row, s.cause, s.matches, s.differs.clone()))
        .collect();
    assert_eq!(
        s,
        [
            (1, SkipCause::InHub, Some(true), vec![]),
            (2, SkipCause::InHub, Some(true), vec![]),
            (
                3,
                SkipCause::InHub,
                Some(false),
                vec!["customer".to_string(), "name".to_string()]
            ),
        ],
        "{:?}",
        outcome.skipped
    );
    assert_eq!(app.hub.get_customer(&admin(), &a).await.unwrap().account_count, 115);
    assert_eq!(app.hub.get_customer(&admin(), &b).await.unwrap().account_count, 116);
    assert_eq!(accounts_of(&app, &b).await.len(), 116, "the snapshot sees the new one");
}

/// Many customers of different sizes, written in concurrent lanes while single creates race them
/// on the same customers: every count right, one audit event per account.
async fn concurrent_lanes_keep_every_customers_count(items: Arc<dyn ItemStore>) {
    let app = app_on(items);
    let mut codes = Vec::new();
    for i in 0..11 {
        codes.push(customer(&app, &format!("lane{i}")).await);
    }
    let ids = fresh_ids(700);
    let mut news = Vec::new();
    let mut expected: std::collections::HashMap<String, u32> = Default::default();
    for (i, id) in ids.iter().enumerate().take(660) {
        // Customer k gets k*12 accounts: 0, 12, ..., 120 (660 in all).
        let mut k = 0;
        let mut bound = 0;
        while i >= bound + k * 12 {
            bound += k * 12;
            k += 1;
        }
        let alias = (i % 4 == 0).then(|| format!("lane-{id}"));
        news.push(new_account(id, &codes[k], alias.as_deref()));
        *expected.entry(codes[k].clone()).or_default() += 1;
    }
    let singles = ids[660..].to_vec();
    let racers = futures::future::join_all(singles.iter().enumerate().map(|(i, id)| {
        let app = app.clone();
        let code = codes[1 + i % 10].clone();
        async move {
            app.hub
                .create_account(&admin(), new_account(id, &code, None))
                .await
                .map(|_| code)
        }
    }));
    let ada = admin();
    let import = app.hub.create_accounts(&ada, BulkInput::from_accounts(news).unwrap());
    let (outcome, racers) = tokio::join!(import, racers);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.created, 660);
    assert!(outcome.skipped.is_empty());
    for code in racers {
        *expected.entry(code.unwrap()).or_default() += 1;
    }
    for code in &codes {
        let want = expected.get(code).copied().unwrap_or(0);
        assert_eq!(
            app.hub.get_customer(&admin(), code).await.unwrap().account_count,
            want,
            "{code}"
        );
        assert_eq!(accounts_of(&app, code).await.len() as u32, want, "{code}");
        let events = audit_events(&app, code).await;
        let created = events.iter().filter(|e| e.data["action"] == "account_created").count();
        assert_eq!(created as u32, want, "{code}: one audit event per account");
    }
}

async fn invalid_imports_write_nothing(items: Arc<dyn ItemStore>) {
    let app = app_on(items);
    let a = customer(&app, "bulk-bad").await;
    let existing = fresh_ids(1)[0].clone();
    app.hub
        .create_account(&admin(), new_account(&existing, &a, Some("taken-alias")))
        .await
        .unwrap();
    let fresh = fresh_ids(6);
    let mut bad_arn = new_account(&fresh[3], &a, None);
    if let AccessMethod::Role { read_role_arn, .. } = &mut bad_arn.access {
        *read_role_arn = cc_domain::ids::RoleArn::parse("arn:aws:iam::999999999999:role/CCRead").unwrap();
    }
    let news = vec![
        new_account(&fresh[0], &a, None),                 // row 1: fine
        new_account(&fresh[0], &a, None),                 // row 2: twice in the input
        new_account(&existing, &a, None),                 // row 3: in the hub
        bad_arn,                                          // row 4: role elsewhere
        new_account(&fresh[4], "no-such-customer", None), // row 5: unknown customer
        new_account(&fresh[5], &a, Some("TAKEN-alias")),  // row 6: alias held
    ];
    let err = app
        .hub
        .create_accounts(&admin(), BulkInput::from_accounts(news).unwrap())
        .await
        .unwrap_err();
    let Error::Rows { errors, message } = err else {
        panic!("{err:?}")
    };
    let found: Vec<(usize, &str)> = errors
        .iter()
        .map(|e| (e.row, e.field.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            (2, "id"),
            (3, "id"),
            (4, "access.read_role_arn"),
            (5, "customer"),
            (6, "alias")
        ],
        "{errors:?}"
    );
    assert!(message.contains("nothing was written"), "{message}");
    assert_eq!(accounts_of(&app, &a).await.len(), 1, "nothing written");
    assert_eq!(app.hub.get_customer(&admin(), &a).await.unwrap().account_count, 1);
    // Non-admins are refused before anything is read.
    let erin = Principal {
        roles: [Role::Engineer].into(),
        ..admin()
    };
    let one = BulkInput::from_accounts(vec![new_account(&fresh[0], &a, None)]).unwrap();
    assert!(matches!(
        app.hub.create_accounts(&erin, one).await,
        Err(Error::Forbidden(_))
    ));
}

type Hook = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// An item store that, just before its `at`-th transaction, lets `before` run (on the inner
/// store): another writer that creates an account while the import is half-way.
struct Racing {
    inner: Arc<dyn ItemStore>,
    transactions: AtomicUsize,
    at: usize,
    before: OnceLock<Box<dyn Fn() -> Hook + Send + Sync>>,
}

#[async_trait]
impl ItemStore for Racing {
    async fn get(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>> {
        self.inner.get(pk, sk).await
    }
    async fn query(&self, query: Query) -> StoreResult<Page> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        if self.transactions.fetch_add(1, Ordering::SeqCst) + 1 == self.at
            && let Some(before) = self.before.get()
        {
            before().await;
        }
        self.inner.transact(writes).await
    }
    fn index_settle_time(&self) -> std::time::Duration {
        self.inner.index_settle_time()
    }
}

async fn a_concurrent_single_create_is_neither_doubled_nor_overwritten(items: Arc<dyn ItemStore>) {
    let plain = app_on(items.clone());
    let a = customer(&plain, "bulk-race").await;
    let ids = fresh_ids(150);
    let racing = Arc::new(Racing {
        inner: items.clone(),
        transactions: AtomicUsize::new(0),
        at: 2,
        before: OnceLock::new(),
    });
    let contested = ids[140].clone();
    {
        let other = plain.clone();
        let (a, contested) = (a.clone(), contested.clone());
        let _ = racing.before.set(Box::new(move || {
            let (other, a, contested) = (other.clone(), a.clone(), contested.clone());
            Box::pin(async move {
                let mut single = new_account(&contested, &a, None);
                single.name = "created one by one".into();
                other.hub.create_account(&admin(), single).await.unwrap();
            })
        }));
    }
    let app = app_on(racing);
    let news: Vec<NewAccount> = ids.iter().map(|id| new_account(id, &a, None)).collect();
    let outcome = app
        .hub
        .create_accounts(&admin(), BulkInput::from_accounts(news).unwrap())
        .await
        .unwrap();
    assert_eq!(outcome.created, 149);
    assert_eq!(outcome.skipped.len(), 1, "{:?}", outcome.skipped);
    assert_eq!(outcome.skipped[0].id.as_str(), contested);
    assert_eq!(outcome.skipped[0].row, 141);
    assert!(!outcome.ids.iter().any(|id| id.as_str() == contested));
    let all = accounts_of(&plain, &a).await;
    assert_eq!(all.len(), 150, "each account once");
    let single = all.iter().find(|x| x.id.as_str() == contested).unwrap();
    assert_eq!(single.name, "created one by one", "the single create's account stays");
    assert_eq!(plain.hub.get_customer(&admin(), &a).await.unwrap().account_count, 150);
}

/// A store whose multi-write transactions take `delay` (DynamoDB's 100-300 ms, scaled down), and
/// that records how many run at once and whether two at once ever share a customer's item.
struct Slow {
    inner: Arc<dyn ItemStore>,
    delay: std::time::Duration,
    in_flight: std::sync::Mutex<Vec<std::collections::BTreeSet<String>>>,
    most: AtomicUsize,
    shared_customer: AtomicUsize,
}

#[async_trait]
impl ItemStore for Slow {
    async fn get(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>> {
        self.inner.get(pk, sk).await
    }
    async fn query(&self, query: Query) -> StoreResult<Page> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        if writes.len() < 2 {
            return self.inner.transact(writes).await;
        }
        let customers: std::collections::BTreeSet<String> = writes
            .iter()
            .filter_map(|w| match w {
                Write::PutIfVersion { item, .. } if item.pk.starts_with("CUSTOMER#") => Some(item.pk.clone()),
                _ => None,
            })
            .collect();
        {
            let mut now = self.in_flight.lock().unwrap();
            if now.iter().any(|other| !other.is_disjoint(&customers)) {
                self.shared_customer.fetch_add(1, Ordering::SeqCst);
            }
            now.push(customers.clone());
            self.most.fetch_max(now.len(), Ordering::SeqCst);
        }
        tokio::time::sleep(self.delay).await;
        let result = self.inner.transact(writes).await;
        let mut now = self.in_flight.lock().unwrap();
        if let Some(i) = now.iter().position(|c| *c == customers) {
            now.remove(i);
        }
        result
    }
    fn index_settle_time(&self) -> std::time::Duration {
        self.inner.index_settle_time()
    }
}

#[tokio::test]
async fn customers_are_written_in_concurrent_lanes_never_one_customer_twice_at_once() {
    let (items, _dir) = sqlite();
    let plain = app_on(items.clone());
    let mut codes = Vec::new();
    for i in 0..20 {
        codes.push(customer(&plain, &format!("slow{i}")).await);
    }
    const { assert!(cc_domain::hub::MAX_BULK_ACCOUNTS_PER_CUSTOMER >= 300) };
    // 1,300 accounts: one customer of 300, nineteen of about 53; a quarter with aliases.
    let ids = fresh_ids(1300);
    let news: Vec<NewAccount> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let code = if i < 300 { &codes[0] } else { &codes[1 + i % 19] };
            let alias = (i % 4 == 0).then(|| format!("slow-{id}"));
            new_account(id, code, alias.as_deref())
        })
        .collect();
    let delay = std::time::Duration::from_millis(100);
    let slow = Arc::new(Slow {
        inner: items,
        delay,
        in_flight: Default::default(),
        most: AtomicUsize::new(0),
        shared_customer: AtomicUsize::new(0),
    });
    let app = app_on(slow.clone());
    let started = std::time::Instant::now();
    let outcome = app
        .hub
        .create_accounts(&admin(), BulkInput::from_accounts(news).unwrap())
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(outcome.created, 1300);
    let serial = delay * outcome.transactions as u32;
    println!(
        "{} transactions of {delay:?}: {elapsed:?} (serial: {serial:?}), at most {} at once",
        outcome.transactions,
        slow.most.load(Ordering::SeqCst)
    );
    assert_eq!(
        slow.shared_customer.load(Ordering::SeqCst),
        0,
        "a customer's batches never overlap"
    );
    let most = slow.most.load(Ordering::SeqCst);
    assert!(most > 1 && most <= cc_domain::hub::BULK_LANES, "{most} at once");
    // The 300-account customer is one serial lane of 7-10 transactions: the import takes about
    // that long, not the serial sum of ~35.
    assert!(elapsed < serial / 2, "{elapsed:?} vs {serial:?} serial");
    for code in &codes {
        let n = accounts_of(&plain, code).await.len() as u32;
        assert_eq!(
            plain.hub.get_customer(&admin(), code).await.unwrap().account_count,
            n,
            "{code}"
        );
    }
}

/// The latency budget at full size (slow: run with `--ignored --nocapture`): 10,000 accounts, the
/// worst case the per-customer limit allows (one customer of 2,000, all with aliases: 61 serial
/// transactions) next to 8,000 of 39 customers, each multi-write transaction taking 300 ms (the
/// upper end of DynamoDB's 100-item TransactWriteItems), on the embedded store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn ten_thousand_accounts_fit_in_29_seconds_at_300_ms_a_transaction() {
    let (items, _dir) = sqlite();
    let plain = app_on(items.clone());
    let mut codes = Vec::new();
    for i in 0..40 {
        codes.push(customer(&plain, &format!("budget{i}")).await);
    }
    let ids = fresh_ids(10_000);
    let news: Vec<NewAccount> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (code, alias) = if i < 2000 {
                (&codes[0], true)
            } else {
                (&codes[1 + i % 39], i % 4 == 0)
            };
            let alias = alias.then(|| format!("budget-{id}"));
            new_account(id, code, alias.as_deref())
        })
        .collect();
    let delay = std::time::Duration::from_millis(300);
    let slow = Arc::new(Slow {
        inner: items,
        delay,
        in_flight: Default::default(),
        most: AtomicUsize::new(0),
        shared_customer: AtomicUsize::new(0),
    });
    let app = app_on(slow.clone());
    let started = std::time::Instant::now();
    let outcome = app
        .hub
        .create_accounts(&admin(), BulkInput::from_accounts(news).unwrap())
        .await
        .unwrap();
    let elapsed = started.elapsed();
    println!(
        "10,000 accounts: {} transactions of {delay:?} in {elapsed:?} (serial: {:?}), at most {} at once",
        outcome.transactions,
        delay * outcome.transactions as u32,
        slow.most.load(Ordering::SeqCst)
    );
    assert_eq!(outcome.created, 10_000);
    assert_eq!(slow.shared_customer.load(Ordering::SeqCst), 0);
    assert!(elapsed < std::time::Duration::from_secs(29), "{elapsed:?}");
}

async fn discovered(app: &App, code: &str, id: &str, name: &str) {
    let d = DiscoveredAccount {
        id: AccountId::parse(id).unwrap(),
        customer: CustomerCode::parse(code).unwrap(),
        management_account: None,
        name: name.into(),
        email: format!("aws+{id}@example.com"),
        status: OrgAccountStatus::Active,
        flagged: false,
        first_seen: time::OffsetDateTime::now_utc(),
        last_seen: time::OffsetDateTime::now_utc(),
    };
    app.items
        .put_new(Item::new(
            keys::organization(code),
            keys::discovered(id),
            encode(&d).unwrap(),
        ))
        .await
        .unwrap();
}

async fn discovered_accounts_are_added_in_one_step(items: Arc<dyn ItemStore>) {
    let app = app_on(items);
    let billing = app.billing().unwrap();
    let code = customer(&app, "bulk-org").await;
    let c = CustomerCode::parse(&code).unwrap();
    let ids = fresh_ids(4);
    let (payer, prod, dev, left) = (&ids[0], &ids[1], &ids[2], &ids[3]);

    // No accounts yet: an access method must be given.
    discovered(&app, &code, prod, "Payments Prod").await;
    let ask = |accounts: Vec<&String>, access: Option<AccessMethod>| AddDiscovered {
        accounts: accounts.into_iter().map(|id| AccountId::parse(id).unwrap()).collect(),
        access,
        environment: None,
        region: None,
    };
    let err = billing
        .add_discovered(&admin(), &c, ask(vec![prod], None))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field: Some(f), message } if f == "access" && message.contains("give `access`")),
        "{err:?}"
    );

    // The management account's method is the default, retargeted at each account.
    let mut management = new_account(payer, &code, None);
    management.management_account = true;
    management.region = cc_domain::ids::Region::parse("eu-central-1").unwrap();
    app.hub.create_account(&admin(), management).await.unwrap();
    discovered(&app, &code, dev, "payments-dev").await;
    discovered(&app, &code, left, "Left alone").await;
    let err = billing
        .add_discovered(&admin(), &c, ask(vec![prod, dev, prod, payer], None))
        .await
        .unwrap_err();
    let Error::Rows { errors, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        errors.iter().map(|e| e.row).collect::<Vec<_>>(),
        [3, 4],
        "listed twice; not discovered: {errors:?}"
    );
    assert_eq!(accounts_of(&app, &code).await.len(), 1, "nothing written");

    let outcome = billing
        .add_discovered(&admin(), &c, ask(vec![prod, dev], None))
        .await
        .unwrap();
    assert_eq!(outcome.created, 2);
    let all = accounts_of(&app, &code).await;
    let added = |id: &str| all.iter().find(|a| a.id.as_str() == id).unwrap().clone();
    let p = added(prod);
    assert_eq!((p.name.as_str(), p.environment), ("Payments Prod", Environment::Prod));
    assert_eq!(p.region.as_str(), "eu-central-1");
    let AccessMethod::Role { read_role_arn, .. } = &p.access else {
        panic!()
    };
    assert_eq!(read_role_arn.as_str(), format!("arn:aws:iam::{prod}:role/CCRead"));
    assert_eq!(added(dev).environment, Environment::NonProd);
    let view = billing.organization(&admin(), &c).await.unwrap();
    let still: Vec<&str> = view.discovered.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(still, [left.as_str()], "added ones leave the discovered list");
    // Audited by the hub's bulk path: an account_created event per account, by the admin.
    let events = app
        .items
        .query_all(
            cc_domain::store::Query::partition(
                cc_domain::store::Index::Primary,
                cc_domain::keys::audit(code.as_str(), app.clock.now()),
            )
            .limit(1000),
        )
        .await
        .unwrap();
    for id in [prod, dev] {
        assert!(
            events.iter().any(|e| e.data["action"] == "account_created"
                && e.data["account_id"] == id.as_str()
                && e.data["actor"] == "ada@example.com"),
            "no account_created for {id}"
        );
    }

    // Non-admins and unknown customers.
    let erin = Principal {
        roles: [Role::Engineer].into(),
        ..admin()
    };
    assert!(matches!(
        billing.add_discovered(&erin, &c, ask(vec![left], None)).await,
        Err(Error::Forbidden(_))
    ));
    let nobody = CustomerCode::parse("no-such-customer").unwrap();
    assert!(matches!(
        billing.add_discovered(&admin(), &nobody, ask(vec![left], None)).await,
        Err(Error::NotFound { .. })
    ));
}

fn sqlite() -> (Arc<dyn ItemStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap();
    (Arc::new(store), dir)
}

async fn dynamo(url: &str) -> Arc<dyn ItemStore> {
    let sdk = emulator_sdk_config(url).await;
    let table = format!("bulk-{}", new_ulid()).to_lowercase();
    let store = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    store.ensure_table().await.unwrap();
    Arc::new(store)
}

#[tokio::test]
async fn bulk_import_writes_batches_on_sqlite() {
    let (items, _dir) = sqlite();
    imports_in_batches_keeping_counts_audit_and_snapshot(items).await;
}

#[tokio::test]
async fn concurrent_lanes_keep_counts_on_sqlite() {
    let (items, _dir) = sqlite();
    concurrent_lanes_keep_every_customers_count(items).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_lanes_keep_counts_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    concurrent_lanes_keep_every_customers_count(dynamo(&url).await).await;
}

#[tokio::test]
async fn invalid_bulk_import_writes_nothing_on_sqlite() {
    let (items, _dir) = sqlite();
    invalid_imports_write_nothing(items).await;
}

#[tokio::test]
async fn bulk_import_racing_a_single_create_on_sqlite() {
    let (items, _dir) = sqlite();
    a_concurrent_single_create_is_neither_doubled_nor_overwritten(items).await;
}

#[tokio::test]
async fn discovered_accounts_are_added_on_sqlite() {
    let (items, _dir) = sqlite();
    discovered_accounts_are_added_in_one_step(items).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_import_writes_batches_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    imports_in_batches_keeping_counts_audit_and_snapshot(dynamo(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_bulk_import_writes_nothing_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    invalid_imports_write_nothing(dynamo(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_import_racing_a_single_create_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    a_concurrent_single_create_is_neither_doubled_nor_overwritten(dynamo(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovered_accounts_are_added_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    discovered_accounts_are_added_in_one_step(dynamo(&url).await).await;
}
