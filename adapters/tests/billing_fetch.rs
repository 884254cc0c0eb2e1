//! The billing fetch on the embedded store with the local Cost Explorer and Organizations: the
//! backfill then incremental windows, requests counted (a steady daily run is one request per
//! payer), skipped and failing customers recorded without stopping the others, runs listed newest
//! first, and the organisation facts (flags written through the hub, discovered accounts).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use cc_adapters::local_billing::{LocalCostSource, LocalOrganizationSource, PAGE_CELLS};
use cc_domain::billing::costs::{CellSource, DailyCost};
use cc_domain::billing::ports::{CostPage, CostQuery, CostSource, ReadRole, SourceError};
use cc_domain::billing::{BillingPorts, FetchStatus, Scope, Trigger};
use cc_domain::config::Config;
use cc_domain::hub::{AccessMethod, Environment, NewAccount, NewCustomer};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::*;
use cc_domain::keys;
use cc_domain::page::PageRequest;
use cc_domain::store::{Index, ItemStore, Query};
use cc_domain::{App, Clock};
use time::macros::{date, datetime};

fn admin() -> Principal {
    Principal {
        email: Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into(),
    }
}

fn role(id: &str, code: &str) -> AccessMethod {
    AccessMethod::Role {
        read_role_arn: RoleArn::parse(format!("arn:aws:iam::{id}:role/CustomerCentralRead")).unwrap(),
        breakglass_role_arn: RoleArn::parse(format!("arn:aws:iam::{id}:role/CustomerCentralBreakglass")).unwrap(),
        external_id: ExternalId::parse(format!("cc-{code}")).unwrap(),
        max_session_seconds: 3600,
    }
}

fn sso() -> AccessMethod {
    serde_json::from_value(serde_json::json!({
        "method": "sso", "start_url": "https://d-1234567890.awsapps.com/start", "sso_region": "eu-west-1",
        "permission_sets": ["ReadOnlyAccess"]
    }))
    .unwrap()
}

async fn account(app: &App, id: &str, code: &str, management: bool, access: AccessMethod) {
    app.hub
        .create_account(
            &admin(),
            NewAccount {
                id: AccountId::parse(id).unwrap(),
                customer: CustomerCode::parse(code).unwrap(),
                name: format!("{code} {id}"),
                alias: None,
                environment: Environment::Prod,
                region: Region::parse("eu-west-1").unwrap(),
                management_account: management,
                delegated_admin_services: vec![],
                access,
            },
        )
        .await
        .unwrap();
}

async fn customer(app: &App, code: &str) {
    let new: NewCustomer = serde_json::from_value(serde_json::json!({"code": code, "name": code})).unwrap();
    app.hub.create_customer(&admin(), new).await.unwrap();
}

/// The local Cost Explorer, failing for one payer: how one customer's failure is isolated.
struct FailingFor {
    inner: LocalCostSource,
    payer: &'static str,
}

#[async_trait]
impl CostSource for FailingFor {
    async fn cost_page(&self, role: &ReadRole, query: &CostQuery) -> Result<CostPage, SourceError> {
        if role.account() == self.payer {
            return Err(SourceError::Throttled("LimitExceededException: Rate exceeded".into()));
        }
        self.inner.cost_page(role, query).await
    }
}

/// A hub with four customers: `acme` (role payer + 2 members, a member of it marked management by
/// mistake is not), `globex` (payer reached through SSO), `initech` (no management account) and
/// `hooli` (its Cost Explorer calls fail).
async fn app(dir: &tempfile::TempDir, now: Arc<AtomicI64>) -> App {
    app_with(dir, now, |inner| {
        Arc::new(FailingFor {
            inner,
            payer: "400000000001",
        })
    })
    .await
}

/// [`app`] with Cost Explorer built by `costs` around the local one.
async fn app_with(
    dir: &tempfile::TempDir,
    now: Arc<AtomicI64>,
    costs: impl FnOnce(LocalCostSource) -> Arc<dyn CostSource>,
) -> App {
    app_with_orgs(dir, now, costs, None).await
}

/// [`app_with`], with `orgs` for Organizations instead of the local one.
async fn app_with_orgs(
    dir: &tempfile::TempDir,
    now: Arc<AtomicI64>,
    costs: impl FnOnce(LocalCostSource) -> Arc<dyn CostSource>,
    orgs: Option<Arc<dyn cc_domain::billing::ports::OrganizationSource>>,
) -> App {
    let d = dir.path().display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let items: Arc<dyn ItemStore> =
        Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let app = App::new(config, items, Clock::shifted(now));
    let ports = BillingPorts {
        costs: costs(LocalCostSource::new(app.hub.clone())),
        organizations: orgs.unwrap_or_else(|| Arc::new(LocalOrganizationSource::new(app.hub.clone()))),
    };
    let app = app.with_billing(ports);
    for code in ["acme", "globex", "initech", "hooli"] {
        customer(&app, code).await;
    }
    account(&app, "100000000001", "acme", true, role("100000000001", "acme")).await;
    account(&app, "100000000002", "acme", false, role("100000000002", "acme")).await;
    account(&app, "100000000003", "acme", false, role("100000000003", "acme")).await;
    account(&app, "200000000001", "globex", true, sso()).await;
    account(&app, "300000000001", "initech", false, role("300000000001", "initech")).await;
    account(&app, "400000000001", "hooli", true, role("400000000001", "hooli")).await;
    app
}

fn by_customer(run: &cc_domain::billing::BillingRun) -> BTreeMap<String, cc_domain::billing::CustomerFetch> {
    run.customers
        .iter()
        .map(|c| (c.customer.to_string(), c.clone()))
        .collect()
}

async fn stored_cells(app: &App, code: &str, month: time::Date) -> Vec<DailyCost> {
    app.items
        .query_all(Query::partition(Index::Primary, keys::cost(code, month)).limit(1000))
        .await
        .unwrap()
        .into_iter()
        .map(|i| cc_domain::store::decode(i).unwrap())
        .collect()
}

#[tokio::test]
async fn backfill_then_one_request_a_day_with_failures_and_skips_recorded() {
    let dir = tempfile::tempdir().unwrap();
    // 2026-03-15 12:00 UTC; the clock moves by a day below.
    let start = datetime!(2026-03-15 12:00 UTC);
    let offset = Arc::new(AtomicI64::new(0));
    let app = app(&dir, offset.clone()).await;
    let base = time::OffsetDateTime::now_utc();
    offset.store((start - base).whole_seconds(), Ordering::SeqCst);
    let billing = app.billing().unwrap();

    let first = billing.run(Scope::All, Trigger::Schedule).await.unwrap();
    let c = by_customer(&first);
    let acme = &c["acme"];
    assert_eq!(acme.status, FetchStatus::Ok, "{acme:?}");
    assert!(acme.backfill);
    assert_eq!(acme.period_start, Some(date!(2025 - 12 - 15)), "90 days back");
    assert_eq!(acme.period_end, Some(date!(2026 - 03 - 15)), "up to today, exclusive");
    assert_eq!(acme.days_fetched, 90);
    // 3 hub accounts + the organisation's active account the hub lacks, 3-7 services each, 90
    // days: more than one page of 1,000 cells, every page one request.
    assert!(acme.cells_written > PAGE_CELLS, "{acme:?}");
    assert_eq!(
        acme.requests as usize,
        acme.cells_written.div_ceil(PAGE_CELLS),
        "{acme:?}"
    );
    assert_eq!(acme.cost_usd, f64::from(acme.requests) * 0.01);
    assert_eq!(c["globex"].status, FetchStatus::Skipped);
    assert!(
        c["globex"].reason.as_deref().unwrap().contains("SSO"),
        "{:?}",
        c["globex"]
    );
    assert_eq!(c["initech"].status, FetchStatus::Skipped);
    assert!(c["initech"].reason.as_deref().unwrap().contains("no management"));
    assert_eq!(c["hooli"].status, FetchStatus::Failed);
    assert!(c["hooli"].reason.as_deref().unwrap().contains("LimitExceeded"));
    assert_eq!(c["hooli"].requests, 1, "the failed call is counted");
    assert_eq!((first.failed, first.skipped), (1, 2));
    assert_eq!(first.requests, acme.requests + 1);

    // The cells are stored: March 1-14 for the payer's three hub accounts.
    let march = stored_cells(&app, "acme", date!(2026 - 03 - 01)).await;
    let days: std::collections::BTreeSet<_> = march.iter().map(|c| c.day).collect();
    assert_eq!(days.len(), 14);
    for id in ["100000000001", "100000000002", "100000000003"] {
        assert!(march.iter().any(|c| c.account.as_str() == id));
    }

    // A charge Cost Explorer will no longer report (revised away) in the window the next run
    // re-fetches, a cell of an account this payer does not answer for, and imported and demo
    // cells of the payer's own account that Cost Explorer does not report.
    let acme_code = CustomerCode::parse("acme").unwrap();
    let stale = |account: &str, service: &str, source| DailyCost {
        account: AccountId::parse(account).unwrap(),
        service: service.into(),
        day: date!(2026 - 03 - 14),
        amount: 12.5,
        currency: "USD".into(),
        estimated: false,
        source,
    };
    let planted = [
        stale("100000000001", "Refunded Service", CellSource::CostExplorer),
        stale(
            "999900000001",
            "Amazon Simple Storage Service",
            CellSource::CostExplorer,
        ),
        stale("100000000001", "Imported Marketplace Charge", CellSource::Import),
        stale("100000000002", "Demo Service", CellSource::Demo),
    ];
    cc_domain::billing::costs::upsert(app.items.as_ref(), &acme_code, &planted)
        .await
        .unwrap();
    // An import of a cell the fetch reports too: the later write wins (here the next fetch's).
    let reported = march
        .iter()
        .find(|c| c.account.as_str() == "100000000001" && c.day == date!(2026 - 03 - 14))
        .unwrap()
        .clone();
    let imported = DailyCost {
        amount: 999.0,
        source: CellSource::Import,
        ..reported.clone()
    };
    cc_domain::billing::costs::upsert(app.items.as_ref(), &acme_code, std::slice::from_ref(&imported))
        .await
        .unwrap();

    // The next day: only the last 3 days, one request for acme; hooli backfills (never fetched).
    offset.fetch_add(86_400, Ordering::SeqCst);
    let second = billing.run(Scope::All, Trigger::Schedule).await.unwrap();
    let c = by_customer(&second);
    let acme = &c["acme"];
    assert_eq!(acme.cells_removed, 1, "{acme:?}");
    let kept = stored_cells(&app, "acme", date!(2026 - 03 - 01)).await;
    assert!(!kept.contains(&planted[0]), "the revised-away charge is gone");
    assert!(kept.contains(&planted[1]), "another account's cell stays");
    assert!(
        kept.contains(&planted[2]),
        "an imported cell stays: a fetch removes only what a fetch wrote"
    );
    assert!(kept.contains(&planted[3]), "a demo cell stays");
    let rewritten = kept
        .iter()
        .find(|c| (&c.account, &c.service, c.day) == (&reported.account, &reported.service, reported.day))
        .unwrap();
    assert_eq!(
        rewritten.source,
        CellSource::CostExplorer,
        "the fetch, written last, replaced the import"
    );
    assert!((rewritten.amount - reported.amount).abs() < 1.0, "{rewritten:?}");
    assert!(!acme.backfill);
    assert_eq!(
        (acme.period_start, acme.period_end),
        (Some(date!(2026 - 03 - 13)), Some(date!(2026 - 03 - 16))),
        "the last 3 days up to today (exclusive)"
    );
    assert_eq!(acme.requests, 1, "a steady daily run: one request per payer");
    assert_eq!(acme.cost_usd, 0.01);
    assert!(c["hooli"].backfill);
    // Re-fetching replaced cells, it did not add any.
    let again = stored_cells(&app, "acme", date!(2026 - 03 - 01)).await;
    assert_eq!(again.len(), march.len() + 3 + acme.cells_written / 3);

    // Runs are listed newest first, one per page here.
    let page = billing
        .list_runs(&admin(), &PageRequest::new(Some(1), None).unwrap())
        .await
        .unwrap();
    assert_eq!(page.items[0].id, second.id);
    let next = billing
        .list_runs(&admin(), &PageRequest::new(Some(1), page.next_cursor).unwrap())
        .await
        .unwrap();
    assert_eq!(next.items[0].id, first.id);
    assert!(next.items[0].finished_at.is_some());

    // One customer on demand, by an admin only.
    let one = billing
        .run_as(&admin(), Scope::Customer(CustomerCode::parse("acme").unwrap()))
        .await
        .unwrap();
    assert_eq!(one.customers.len(), 1);
    assert_eq!(
        one.trigger,
        Trigger::Admin {
            email: "ada@example.com".into()
        }
    );
    let engineer = Principal {
        roles: [Role::Engineer].into(),
        ..admin()
    };
    assert!(matches!(
        billing.run_as(&engineer, Scope::All).await,
        Err(cc_domain::Error::Forbidden(_))
    ));
    assert!(matches!(
        billing
            .run_as(&admin(), Scope::Customer(CustomerCode::parse("nobody").unwrap()))
            .await,
        Err(cc_domain::Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn organisation_facts_update_the_hub_and_list_discovered_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, Arc::new(AtomicI64::new(0))).await;
    // The hub records a delegated administrator the organisation does not have.
    let patch: cc_domain::hub::AccountPatch =
        serde_json::from_value(serde_json::json!({"delegated_admin_services": ["guardduty.amazonaws.com"]})).unwrap();
    app.hub.update_account(&admin(), "100000000002", patch).await.unwrap();
    let before = app.hub.get_account(&admin(), "100000000002").await.unwrap();

    let run = app
        .billing()
        .unwrap()
        .run(Scope::Customer(CustomerCode::parse("acme").unwrap()), Trigger::Schedule)
        .await
        .unwrap();
    let org = run.customers[0].organization.clone().unwrap();
    assert_eq!(org.status, FetchStatus::Ok, "{org:?}");
    assert_eq!(
        org.management_account.as_ref().map(|a| a.as_str()),
        Some("100000000001")
    );
    // The local organisation: the 3 hub accounts + 2 the hub lacks (one suspended).
    assert_eq!(org.accounts_in_organization, 5);
    assert_eq!(org.discovered, 2);
    assert_eq!(org.flagged, 1);

    let view = app
        .billing()
        .unwrap()
        .organization(&admin(), &CustomerCode::parse("acme").unwrap())
        .await
        .unwrap();
    assert_eq!(view.discovered.len(), 2);
    assert_eq!(view.discovered.iter().filter(|d| d.flagged).count(), 1);
    assert_eq!(view.organizations.len(), 1);
    assert_eq!(view.organizations[0].discovered, 2);

    // The local organisation's delegated administrators are the hub's own: nothing changes, and
    // a second run writes nothing to the hub.
    let after = app.hub.get_account(&admin(), "100000000002").await.unwrap();
    assert_eq!(after.version, before.version);
    let again = app
        .billing()
        .unwrap()
        .run(Scope::Customer(CustomerCode::parse("acme").unwrap()), Trigger::Schedule)
        .await
        .unwrap();
    assert!(
        again.customers[0]
            .organization
            .as_ref()
            .unwrap()
            .hub_accounts_updated
            .is_empty()
    );
}

/// The demo history and the local Cost Explorer are one generator: fetching the demo customers
/// (the backfill window, as "fetch now" does on a fresh demo) rewrites their cells with the same
/// amounts and raises no anomaly beyond the demo's planted ones.
#[tokio::test]
async fn a_local_fetch_over_the_demo_history_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let app = cc_adapters::wire::local_server(config).await.unwrap();
    let size = cc_domain::demo::DemoSize::default();
    cc_domain::demo::seed(&app, &size).await.unwrap();
    let codes: Vec<CustomerCode> = cc_domain::demo::customer_codes(&size)
        .iter()
        .map(|c| CustomerCode::parse(c).unwrap())
        .collect();
    let seeded = cc_domain::billing::demo::seed(&app, &codes).await.unwrap();
    assert_eq!(seeded.anomalies_raised, 4, "{seeded:?}");
    let this_month = app.clock.now().date() - time::Duration::days(1);
    let mut before = BTreeMap::new();
    for c in &codes {
        before.insert(c.to_string(), stored_cells(&app, c.as_str(), this_month).await);
    }
    let run = app.billing().unwrap().run(Scope::All, Trigger::Schedule).await.unwrap();
    let fetched: Vec<_> = run.customers.iter().filter(|c| c.status == FetchStatus::Ok).collect();
    assert!(fetched.len() >= 4, "demo customers with a role-reached payer: {run:?}");
    for f in fetched {
        assert!(f.backfill && f.cells_written > 0, "{f:?}");
        assert_eq!(f.anomalies_raised, 0, "{f:?}");
        let after = stored_cells(&app, f.customer.as_str(), this_month).await;
        // The same cells, now Cost Explorer's.
        let as_fetched: Vec<DailyCost> = before[f.customer.as_str()]
            .iter()
            .map(|c| DailyCost {
                source: CellSource::CostExplorer,
                ..c.clone()
            })
            .collect();
        assert_eq!(after, as_fetched, "{}: the same cells", f.customer);
    }
}

/// The local Cost Explorer, holding acme's payer's requests until the test lets them go (a run
/// stays mid-fetch while others start) and counting them.
struct Gated {
    inner: LocalCostSource,
    entered: Arc<tokio::sync::Notify>,
    gate: Arc<tokio::sync::Semaphore>,
    requests: Arc<std::sync::atomic::AtomicU32>,
}

#[async_trait]
impl CostSource for Gated {
    async fn cost_page(&self, role: &ReadRole, query: &CostQuery) -> Result<CostPage, SourceError> {
        if role.account() == "100000000001" {
            self.requests.fetch_add(1, Ordering::SeqCst);
            self.entered.notify_one();
            self.gate.acquire().await.unwrap().forget();
        }
        self.inner.cost_page(role, query).await
    }
}

#[tokio::test]
async fn a_customer_being_fetched_is_not_fetched_twice_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let entered = Arc::new(tokio::sync::Notify::new());
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let requests = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let (e, g, r) = (entered.clone(), gate.clone(), requests.clone());
    let app = app_with(&dir, Arc::new(AtomicI64::new(0)), move |inner| {
        Arc::new(Gated {
            inner,
            entered: e,
            gate: g,
            requests: r,
        })
    })
    .await;
    let billing = app.billing().unwrap();
    let acme = CustomerCode::parse("acme").unwrap();

    // An admin's "Fetch now", held inside its first Cost Explorer request, while the rest runs.
    let ada = admin();
    let first = billing.run_as(&ada, Scope::Customer(acme.clone()));
    let meanwhile = async {
        entered.notified().await;

        // "Fetch now" again: 409, nothing recorded, no request made.
        let second = billing.run_as(&admin(), Scope::Customer(acme.clone())).await;
        let err = second.unwrap_err();
        assert_eq!(
            err.conflict_kind(),
            Some(cc_domain::error::Conflict::FetchRunning),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("acme is being fetched by another run (ada@example.com"),
            "{err}"
        );
        assert_eq!(requests.load(Ordering::SeqCst), 1);

        // The daily job meanwhile: acme skipped with the reason, the others fetched.
        let daily = billing.run(Scope::All, Trigger::Schedule).await.unwrap();
        let c = by_customer(&daily);
        assert_eq!(c["acme"].status, FetchStatus::Skipped, "{:?}", c["acme"]);
        assert_eq!(c["acme"].reason.as_deref(), Some("another run is fetching it"));
        assert_eq!(c["acme"].requests, 0);
        assert_eq!(c["hooli"].status, FetchStatus::Ok, "{:?}", c["hooli"]);
        assert_eq!(requests.load(Ordering::SeqCst), 1, "acme's pages were asked for once");
        gate.add_permits(10_000);
    };
    let (first, ()) = tokio::join!(first, meanwhile);
    let first = first.unwrap();
    assert_eq!(first.customers[0].status, FetchStatus::Ok, "{first:?}");
    assert!(first.customers[0].backfill);

    // Released at the end: the next run fetches (incrementally: the backfill happened once).
    let again = billing.run_as(&admin(), Scope::Customer(acme.clone())).await.unwrap();
    assert_eq!(again.customers[0].status, FetchStatus::Ok);
    assert!(!again.customers[0].backfill);
    assert!(
        app.items
            .get(&keys::billing("acme"), keys::BILLING_FETCH_LEASE)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn an_expired_fetch_lease_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, Arc::new(AtomicI64::new(0))).await;
    let billing = app.billing().unwrap();
    let acme = CustomerCode::parse("acme").unwrap();
    // A run that died 21 minutes ago without releasing its lease, and one still going.
    let now = app.clock.now();
    let lease = |taken: time::OffsetDateTime| {
        let lease = cc_domain::billing::fetch::Lease {
            run: "01DEAD".into(),
            trigger: Trigger::Schedule,
            taken_at: taken,
            expires_at: taken + time::Duration::seconds(cc_domain::billing::fetch::LEASE_SECONDS),
            work: cc_domain::billing::fetch::LeaseWork::Fetch,
        };
        cc_domain::store::Item::new(
            keys::billing("acme"),
            keys::BILLING_FETCH_LEASE,
            serde_json::to_value(lease).unwrap(),
        )
    };
    app.items
        .transact(vec![cc_domain::store::Write::Put(lease(
            now - time::Duration::minutes(21),
        ))])
        .await
        .unwrap();
    let run = billing.run_as(&admin(), Scope::Customer(acme.clone())).await.unwrap();
    assert_eq!(run.customers[0].status, FetchStatus::Ok, "{run:?}");

    app.items
        .transact(vec![cc_domain::store::Write::Put(lease(
            now - time::Duration::minutes(5),
        ))])
        .await
        .unwrap();
    let held = billing.run_as(&admin(), Scope::Customer(acme)).await.unwrap_err();
    assert_eq!(held.conflict_kind(), Some(cc_domain::error::Conflict::FetchRunning));
    assert!(held.to_string().contains("the daily schedule"), "{held}");
}

/// Two organisations, one per management account, with disjoint members and one account each
/// that the hub does not have.
struct TwoOrgs;

impl TwoOrgs {
    fn of(payer: &str) -> (&'static str, Vec<&'static str>) {
        match payer {
            "100000000001" => (
                "o-one",
                vec!["100000000001", "100000000002", "100000000003", "910000000001"],
            ),
            _ => ("o-two", vec!["500000000001", "920000000001"]),
        }
    }
}

#[async_trait]
impl cc_domain::billing::ports::OrganizationSource for TwoOrgs {
    async fn organization(&self, role: &ReadRole) -> Result<cc_domain::billing::ports::Organization, SourceError> {
        Ok(cc_domain::billing::ports::Organization {
            id: Self::of(role.account()).0.into(),
            management_account: AccountId::parse(role.account()).unwrap(),
        })
    }
    async fn accounts(&self, role: &ReadRole) -> Result<Vec<cc_domain::billing::ports::OrgAccount>, SourceError> {
        Ok(Self::of(role.account())
            .1
            .into_iter()
            .map(|id| cc_domain::billing::ports::OrgAccount {
                id: AccountId::parse(id).unwrap(),
                name: format!("account {id}"),
                email: format!("aws+{id}@example.com"),
                status: cc_domain::billing::ports::OrgAccountStatus::Active,
            })
            .collect())
    }
    async fn delegated_administrators(&self, _: &ReadRole) -> Result<BTreeMap<AccountId, Vec<String>>, SourceError> {
        Ok(BTreeMap::new())
    }
}

#[tokio::test]
async fn a_customer_with_two_payers_keeps_each_organisations_facts() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with_orgs(
        &dir,
        Arc::new(AtomicI64::new(0)),
        |inner| {
            Arc::new(FailingFor {
                inner,
                payer: "400000000001",
            })
        },
        Some(Arc::new(TwoOrgs)),
    )
    .await;
    account(&app, "500000000001", "acme", true, role("500000000001", "acme")).await;
    let acme = CustomerCode::parse("acme").unwrap();
    // Facts stored before they were kept per organisation: shown until that organisation's refresh.
    let legacy = serde_json::json!({"customer": "acme", "organization_id": "o-one", "management_account": "100000000001",
        "accounts_in_organization": 3, "flagged_hub_accounts": [], "discovered": 0, "refreshed_at": "2026-01-01T00:00:00Z"});
    app.items
        .transact(vec![cc_domain::store::Write::Put(cc_domain::store::Item::new(
            keys::organization("acme"),
            keys::META,
            legacy,
        ))])
        .await
        .unwrap();
    let billing = app.billing().unwrap();
    let view = billing.organization(&admin(), &acme).await.unwrap();
    assert_eq!(view.organizations.len(), 1);

    for _ in 0..2 {
        let run = billing
            .run(Scope::Customer(acme.clone()), Trigger::Schedule)
            .await
            .unwrap();
        assert_eq!(run.customers.len(), 2, "one entry per payer: {run:?}");
        let view = billing.organization(&admin(), &acme).await.unwrap();
        let orgs: Vec<(&str, &str, usize, usize)> = view
            .organizations
            .iter()
            .map(|f| {
                (
                    f.organization_id.as_str(),
                    f.management_account.as_str(),
                    f.accounts_in_organization,
                    f.discovered,
                )
            })
            .collect();
        assert_eq!(
            orgs,
            vec![("o-one", "100000000001", 4, 1), ("o-two", "500000000001", 2, 1)]
        );
        // Each organisation's discovered account stays: one refresh does not remove the other's.
        let discovered: Vec<(&str, Option<&str>)> = view
            .discovered
            .iter()
            .map(|d| (d.id.as_str(), d.management_account.as_ref().map(|m| m.as_str())))
            .collect();
        assert_eq!(
            discovered,
            vec![
                ("910000000001", Some("100000000001")),
                ("920000000001", Some("500000000001"))
            ]
        );
    }
    assert!(
        app.items
            .get(&keys::organization("acme"), keys::META)
            .await
            .unwrap()
            .is_none(),
        "the legacy item is replaced"
    );
}

/// The local organisation after one of its discovered accounts is added to the hub: the account
/// is a hub account of the organisation, counted once, and no longer discovered.
#[tokio::test]
async fn billing_local_organisation_counts_an_account_added_from_discovered_once() {
    use cc_domain::billing::ports::OrganizationSource;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, Arc::new(AtomicI64::new(0))).await;
    let billing = app.billing().unwrap();
    let acme = CustomerCode::parse("acme").unwrap();
    let facts = |view: &cc_domain::billing::org::OrgView| {
        let f = &view.organizations[0];
        (f.accounts_in_organization, f.discovered, view.discovered.len())
    };
    billing
        .run(Scope::Customer(acme.clone()), Trigger::Schedule)
        .await
        .unwrap();
    let view = billing.organization(&admin(), &acme).await.unwrap();
    assert_eq!(facts(&view), (5, 2, 2), "3 hub accounts and 2 discovered");
    let active = view
        .discovered
        .iter()
        .find(|d| !d.flagged)
        .map(|d| d.id.clone())
        .unwrap();
    let added: cc_domain::billing::org::AddDiscovered =
        serde_json::from_value(serde_json::json!({"accounts": [active.as_str()]})).unwrap();
    billing.add_discovered(&admin(), &acme, added).await.unwrap();

    // The local Organizations lists each member once.
    let role = ReadRole {
        role_arn: RoleArn::parse("arn:aws:iam::100000000001:role/CustomerCentralRead").unwrap(),
        external_id: None,
        session_name: "test".into(),
    };
    let members = LocalOrganizationSource::new(app.hub.clone())
        .accounts(&role)
        .await
        .unwrap();
    let ids: std::collections::BTreeSet<&AccountId> = members.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), members.len(), "{members:?}");
    assert_eq!(members.len(), 5);

    let run = billing
        .run(Scope::Customer(acme.clone()), Trigger::Schedule)
        .await
        .unwrap();
    let org = run.customers[0].organization.clone().unwrap();
    assert_eq!((org.accounts_in_organization, org.discovered), (5, 1), "{org:?}");
    let view = billing.organization(&admin(), &acme).await.unwrap();
    assert_eq!(facts(&view), (5, 1, 1), "4 hub accounts and 1 discovered, 5 in all");
    assert!(view.discovered.iter().all(|d| d.id != active));
}

/// A change of the cost metric on the local default: the settings say the next fetch backfills,
/// and it reads the whole window Cost Explorer keeps again, so no fetched cell of that window is
/// left in the old metric (an imported one stays as imported).
#[tokio::test]
async fn billing_a_metric_change_refetches_the_whole_window_in_the_new_metric() {
    let dir = tempfile::tempdir().unwrap();
    let start = datetime!(2026-03-15 12:00 UTC);
    let offset = Arc::new(AtomicI64::new(0));
    let app = app(&dir, offset.clone()).await;
    offset.store(
        (start - time::OffsetDateTime::now_utc()).whole_seconds(),
        Ordering::SeqCst,
    );
    let billing = app.billing().unwrap();
    let acme = CustomerCode::parse("acme").unwrap();
    let entry = |run: &cc_domain::billing::BillingRun| run.customers[0].clone();

    let first = billing
        .run(Scope::Customer(acme.clone()), Trigger::Schedule)
        .await
        .unwrap();
    assert_eq!(
        entry(&first).period_start,
        Some(date!(2025 - 12 - 15)),
        "the usual 90 days"
    );
    // Older days an earlier backfill stored in the old metric (before the usual 90 days, within
    // the 13 months Cost Explorer keeps): a cell Cost Explorer still reports, one it no longer
    // does, and an imported one.
    let old_day = date!(2025 - 06 - 10);
    let stale = |service: &str, source| DailyCost {
        account: AccountId::parse("100000000001").unwrap(),
        service: service.into(),
        day: old_day,
        amount: 999.0,
        currency: "USD".into(),
        estimated: false,
        source,
    };
    cc_domain::billing::costs::upsert(
        app.items.as_ref(),
        &acme,
        &[
            stale("Amazon Simple Storage Service", CellSource::CostExplorer),
            stale("Old Metric Only", CellSource::CostExplorer),
            stale("Imported", CellSource::Import),
        ],
    )
    .await
    .unwrap();
    assert!(!billing.settings(&admin(), &acme).await.unwrap().backfill_pending);

    let update: cc_domain::billing::service::SettingsUpdate = serde_json::from_value(serde_json::json!(
        {"metric": "AmortizedCost", "thresholds": {"min_impact": 50.0, "min_relative": 0.2}, "version": 0}
    ))
    .unwrap();
    let saved = billing.put_settings(&admin(), &acme, update).await.unwrap();
    assert!(saved.backfill_pending, "{saved:?}");
    assert!(billing.settings(&admin(), &acme).await.unwrap().backfill_pending);

    offset.fetch_add(86_400, Ordering::SeqCst);
    let second = billing
        .run(Scope::Customer(acme.clone()), Trigger::Schedule)
        .await
        .unwrap();
    let e = entry(&second);
    assert_eq!(e.status, FetchStatus::Ok, "{e:?}");
    assert!(e.backfill);
    assert_eq!(
        (e.period_start, e.period_end),
        (Some(date!(2025 - 02 - 01)), Some(date!(2026 - 03 - 16))),
        "the whole window Cost Explorer keeps: the first of the month 13 months back"
    );
    assert_eq!(e.metric, Some(cc_domain::billing::costs::CostMetric::AmortizedCost));
    let june = stored_cells(&app, "acme", old_day).await;
    let on = |service: &str| june.iter().find(|c| c.service == service && c.day == old_day);
    let s3 = on("Amazon Simple Storage Service").unwrap();
    assert!(
        s3.source == CellSource::CostExplorer && s3.amount != 999.0,
        "fetched again: {s3:?}"
    );
    assert!(on("Old Metric Only").is_none(), "no longer reported: removed");
    assert_eq!(on("Imported").map(|c| c.amount), Some(999.0), "an import's cell stays");
    assert!(e.cells_removed >= 1, "{e:?}");
    assert!(!billing.settings(&admin(), &acme).await.unwrap().backfill_pending);

    // Then the usual daily run again.
    offset.fetch_add(86_400, Ordering::SeqCst);
    let third = billing
        .run(Scope::Customer(acme.clone()), Trigger::Schedule)
        .await
        .unwrap();
    assert!(!entry(&third).backfill);
    assert_eq!(entry(&third).days_fetched, 3);
}
