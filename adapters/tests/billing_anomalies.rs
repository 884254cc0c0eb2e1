//! Cost anomalies on the embedded store: detection over stored costs raises each episode once (a
//! re-run adds nothing and reopens nothing), the customer's thresholds apply, acknowledge and
//! resolve with who and a note, conditional on the version read, and lists by status, paged.

use crate::support;

use cc_domain::Error;
use cc_domain::billing::costs::{self, CellSource, DailyCost};
use cc_domain::billing::lifecycle::AnomalyStatus;
use cc_domain::billing::store::{self, Move, MoveBy};
use cc_domain::billing::{FindingKind, Thresholds};
use cc_domain::error::Conflict;
use cc_domain::ids::{AccountId, CustomerCode, Email};
use cc_domain::keys;
use cc_domain::page::PageRequest;
use cc_domain::store::{Index, Item, Query};
use time::macros::{date, datetime};
use time::{Date, Duration};

const A: &str = "111111111111";

fn acme() -> CustomerCode {
    CustomerCode::parse("acme").unwrap()
}

fn ann() -> Email {
    Email::parse("ann@example.com").unwrap()
}

/// 200 days to `as_of`: EC2 flat at 100 a day with a little deterministic noise, stepping to 300
/// from day 150; S3 flat at 20 throughout.
fn history(as_of: Date) -> Vec<DailyCost> {
    stepped(as_of, 150)
}

/// As [`history`], the step on day `step` of 200.
fn stepped(as_of: Date, step: i64) -> Vec<DailyCost> {
    let start = as_of - Duration::days(199);
    let mut out = Vec::new();
    for i in 0..200i64 {
        let day = start + Duration::days(i);
        let noise = 1.0 + 0.03 * (((i * 7919) % 11) as f64 - 5.0) / 5.0;
        let ec2 = if i >= step { 300.0 } else { 100.0 };
        for (service, amount) in [("Amazon EC2", ec2 * noise), ("Amazon S3", 20.0 * noise)] {
            out.push(DailyCost {
                account: AccountId::parse(A).unwrap(),
                service: service.into(),
                day,
                amount,
                currency: "USD".into(),
                estimated: false,
                source: CellSource::Import,
            });
        }
    }
    out
}

const AS_OF: Date = date!(2026 - 06 - 30);

#[tokio::test]
async fn billing_anomalies_detection_raises_each_episode_once_and_never_reopens_one() {
    let (app, _dir) = support::embedded().await;
    let items = app.items.as_ref();
    costs::upsert(items, &acme(), &history(AS_OF)).await.unwrap();
    let now = datetime!(2026-07-01 06:00 UTC);
    let raised = store::detect(items, &acme(), AS_OF, now).await.unwrap();
    assert_eq!(raised.len(), 1, "{raised:#?}");
    let a = &raised[0];
    assert_eq!(a.anomaly.service, "Amazon EC2");
    assert_eq!(a.anomaly.finding.kind, FindingKind::Step);
    assert_eq!(a.anomaly.finding.first_day, AS_OF - Duration::days(49));
    assert_eq!(a.status, AnomalyStatus::Open);
    assert_eq!(a.currency, "USD");
    assert!(store::valid_id(&a.id), "{}", a.id);
    assert_eq!(a.version, 1);

    // Stored under the customer and on the status index.
    let by_status = items
        .query_all(Query::partition(Index::Gsi1, keys::anomalies("open")))
        .await
        .unwrap();
    assert_eq!(by_status.len(), 1);
    assert!(
        by_status[0]
            .gsi1
            .as_ref()
            .unwrap()
            .sk
            .ends_with(&format!("#acme#{}", a.id))
    );

    // A re-run finds the same episode and adds nothing.
    assert!(store::detect(items, &acme(), AS_OF, now).await.unwrap().is_empty());
    // Resolved, then detected again: stays resolved.
    store::transition(
        items,
        &acme(),
        &a.id,
        MoveBy {
            to: Move::Resolve,
            by: &ann(),
            note: "new cluster",
            version: 1,
        },
        now,
    )
    .await
    .unwrap();
    assert!(
        store::detect(items, &acme(), AS_OF + Duration::days(0), now)
            .await
            .unwrap()
            .is_empty()
    );
    let got = store::get(items, &acme(), &a.id).await.unwrap();
    assert_eq!(got.status, AnomalyStatus::Resolved);
    assert_eq!(got.version, 2);
}

#[tokio::test]
async fn billing_anomalies_detection_follows_the_customers_thresholds() {
    let (app, _dir) = support::embedded().await;
    let items = app.items.as_ref();
    costs::upsert(items, &acme(), &history(AS_OF)).await.unwrap();
    // A customer who only wants to hear of jumps of 5x: the 3x step is not raised.
    let settings = serde_json::json!({"metric": "UnblendedCost",
        "thresholds": Thresholds { min_impact: 50.0, min_relative: 4.0 }});
    items
        .put_new(Item::new(keys::billing("acme"), keys::BILLING_SETTINGS, settings))
        .await
        .unwrap();
    let raised = store::detect(items, &acme(), AS_OF, datetime!(2026-07-01 06:00 UTC))
        .await
        .unwrap();
    assert!(raised.is_empty(), "{raised:#?}");
}

#[tokio::test]
async fn billing_anomalies_move_with_who_and_note_on_the_version_read() {
    let (app, _dir) = support::embedded().await;
    let items = app.items.as_ref();
    costs::upsert(items, &acme(), &history(AS_OF)).await.unwrap();
    let now = datetime!(2026-07-01 06:00 UTC);
    let id = store::detect(items, &acme(), AS_OF, now).await.unwrap()[0].id.clone();

    let acked = store::transition(
        items,
        &acme(),
        &id,
        MoveBy {
            to: Move::Acknowledge,
            by: &ann(),
            note: "looking",
            version: 1,
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(acked.status, AnomalyStatus::Acknowledged);
    assert_eq!(acked.version, 2);
    let t = store::last_transition(&acked).unwrap();
    assert_eq!(
        (t.by.as_str(), t.note.as_str(), t.at),
        ("ann@example.com", "looking", now)
    );

    // Someone acting on what they read at version 1 loses.
    let stale = store::transition(
        items,
        &acme(),
        &id,
        MoveBy {
            to: Move::Resolve,
            by: &ann(),
            note: "done",
            version: 1,
        },
        now,
    )
    .await;
    assert_eq!(stale.unwrap_err().conflict_kind(), Some(Conflict::Version));
    // Acknowledging twice is not a lifecycle move.
    let twice = store::transition(
        items,
        &acme(),
        &id,
        MoveBy {
            to: Move::Acknowledge,
            by: &ann(),
            note: "",
            version: 2,
        },
        now,
    )
    .await;
    assert_eq!(twice.unwrap_err().conflict_kind(), Some(Conflict::AnomalyState));
    let done = store::transition(
        items,
        &acme(),
        &id,
        MoveBy {
            to: Move::Resolve,
            by: &ann(),
            note: "rightsized",
            version: 2,
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(done.status, AnomalyStatus::Resolved);
    // The status index moved along.
    assert!(
        items
            .query_all(Query::partition(Index::Gsi1, keys::anomalies("open")))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        items
            .query_all(Query::partition(Index::Gsi1, keys::anomalies("resolved")))
            .await
            .unwrap()
            .len(),
        1
    );

    match store::transition(
        items,
        &acme(),
        "20260101-0000000000000000",
        MoveBy {
            to: Move::Resolve,
            by: &ann(),
            note: "",
            version: 1,
        },
        now,
    )
    .await
    {
        Err(Error::NotFound { kind, .. }) => assert_eq!(kind, "anomaly"),
        other => panic!("{other:?}"),
    }
    match store::get(items, &acme(), "../x").await {
        Err(Error::Validation { field, .. }) => assert_eq!(field.as_deref(), Some("id")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn billing_anomalies_list_by_status_newest_first_in_pages() {
    let (app, _dir) = support::embedded().await;
    let items = app.items.as_ref();
    // Five accounts, each with its own step on a different day.
    let mut all = Vec::new();
    for n in 0..5i64 {
        let account = AccountId::parse(format!("{:012}", 100 + n)).unwrap();
        for c in stepped(AS_OF, 150 - n * 3) {
            all.push(DailyCost {
                account: account.clone(),
                service: c.service,
                day: c.day,
                amount: c.amount,
                currency: c.currency,
                estimated: false,
                source: CellSource::Import,
            });
        }
    }
    costs::upsert(items, &acme(), &all).await.unwrap();
    let now = datetime!(2026-07-01 06:00 UTC);
    let raised = store::detect(items, &acme(), AS_OF, now).await.unwrap();
    let n = raised.len();
    assert!(
        raised.iter().filter(|a| a.anomaly.service == "Amazon EC2").count() >= 5,
        "{raised:#?}"
    );
    store::transition(
        items,
        &acme(),
        &raised[0].id,
        MoveBy {
            to: Move::Acknowledge,
            by: &ann(),
            note: "",
            version: 1,
        },
        now,
    )
    .await
    .unwrap();

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store::list(
            items,
            &acme(),
            Some(AnomalyStatus::Open),
            &PageRequest::new(Some(2), cursor).unwrap(),
        )
        .await
        .unwrap();
        seen.extend(page.items.iter().map(|a| (a.anomaly.finding.detected_on, a.id.clone())));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), n - 1);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first: {seen:?}");
    assert_eq!(store::count(items, &acme(), AnomalyStatus::Open).await.unwrap(), n - 1);
    let everything = store::list(items, &acme(), None, &PageRequest::new(Some(50), None).unwrap())
        .await
        .unwrap();
    assert_eq!(everything.items.len(), n);
    let other = store::list(
        items,
        &CustomerCode::parse("globex").unwrap(),
        None,
        &PageRequest::default(),
    )
    .await
    .unwrap();
    assert!(other.items.is_empty());
}

#[tokio::test]
async fn billing_demo_history_is_written_once_a_day_with_its_planted_anomalies_open() {
    use cc_domain::demo;
    let (app, _dir) = support::embedded().await;
    let size = demo::DemoSize {
        customers: 4,
        accounts: 16,
    };
    demo::seed(&app, &size).await.unwrap();
    let codes: Vec<CustomerCode> = demo::customer_codes(&size)
        .iter()
        .map(|c| CustomerCode::parse(c).unwrap())
        .collect();
    let started = std::time::Instant::now();
    let seeded = cc_domain::billing::demo::seed(&app, &codes).await.unwrap();
    eprintln!("demo cost history: {seeded:?} in {:?}", started.elapsed());
    assert_eq!(seeded.customers, 4);
    assert!(seeded.cells_written > 4 * 4 * 2 * 390, "{seeded:?}");
    let mut kinds = Vec::new();
    for code in &codes {
        let open = store::list(
            app.items.as_ref(),
            code,
            Some(AnomalyStatus::Open),
            &PageRequest::default(),
        )
        .await
        .unwrap();
        kinds.extend(open.items.iter().map(|a| a.anomaly.finding.kind));
    }
    for kind in [FindingKind::Step, FindingKind::NewService, FindingKind::Spike] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    // Each planted customer has its jump open (the drift may read as a drift or a step).
    for code in &codes {
        assert!(
            store::count(app.items.as_ref(), code, AnomalyStatus::Open)
                .await
                .unwrap()
                >= 1,
            "{code}"
        );
    }
    assert_eq!(seeded.anomalies_raised, kinds.len());
    // Again the same day: nothing written, nothing raised.
    let again = cc_domain::billing::demo::seed(&app, &codes).await.unwrap();
    assert_eq!(again, Default::default());
}
