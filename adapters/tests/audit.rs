//! The audit log across capabilities: hub changes with who, where from and before/after; every
//! customer's events for leads and admins, newest first across months, one page at a time; the
//! single filters; unknown and deleted customers.

use crate::support;

use std::sync::atomic::Ordering;

use cc_domain::access::service::AuditQuery;
use cc_domain::audit::{AuditEvent, Origin, with_origin};
use cc_domain::hub::{AccountPatch, CustomerPatch, CustomerStatus, NewAccount, NewCustomer};
use cc_domain::identity::Role;
use cc_domain::page::PageRequest;
use cc_domain::{App, Error};
use support::*;
use time::{Duration, OffsetDateTime};

fn customer(code: &str) -> NewCustomer {
    serde_json::from_value(serde_json::json!({"code": code, "name": code.to_uppercase()})).unwrap()
}

fn account(id: &str, customer: &str) -> NewAccount {
    serde_json::from_value(serde_json::json!({
        "id": id, "customer": customer, "name": "shared services", "environment": "prod",
        "region": "eu-west-1", "access": {"method": "role",
            "read_role_arn": format!("arn:aws:iam::{id}:role/CCRead"),
            "breakglass_role_arn": format!("arn:aws:iam::{id}:role/CCBreakglass"),
            "external_id": "cc-x-1"}}))
    .unwrap()
}

fn office() -> Origin {
    Origin {
        source_ip: Some("198.51.100.9".into()),
    }
}

fn query(app: &App, since: OffsetDateTime) -> AuditQuery {
    AuditQuery {
        request: None,
        customer: None,
        account: None,
        actor: None,
        from: since,
        to: app.clock.now() + Duration::minutes(1),
    }
}

async fn list(app: &App, who: &cc_domain::identity::Principal, q: &AuditQuery) -> Vec<AuditEvent> {
    app.access().unwrap().audit(who, q, &all()).await.unwrap().items
}

/// Pages of `limit` events until the end: every page has events, the last no cursor.
async fn walk(app: &App, q: &AuditQuery, limit: usize) -> Vec<Vec<AuditEvent>> {
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = PageRequest::new(Some(limit), cursor).unwrap();
        let listed = app.access().unwrap().audit(&lead(), q, &page).await.unwrap();
        assert!(
            !listed.items.is_empty(),
            "no empty page (limit {limit}, page {})",
            pages.len() + 1
        );
        pages.push(listed.items);
        match listed.next_cursor {
            Some(c) => cursor = Some(c),
            None => return pages,
        }
    }
}

fn actions(events: &[AuditEvent]) -> Vec<&str> {
    let mut a: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    a.sort_unstable();
    a
}

/// Two customers' hub changes in one month and changes in the next; a request.
async fn two_months(app: &App, offset: &std::sync::atomic::AtomicI64) -> OffsetDateTime {
    // Two days before the next month begins.
    let now = OffsetDateTime::now_utc();
    let (y, m) = match now.month() as u8 {
        12 => (now.year() + 1, 1),
        m => (now.year(), m + 1),
    };
    let next_month = time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), 1)
        .unwrap()
        .midnight()
        .assume_utc();
    offset.store((next_month - Duration::days(2) - now).whole_seconds(), Ordering::SeqCst);
    let since = app.clock.now() - Duration::minutes(1);
    seed(app, "111111111111").await;
    app.hub.create_customer(&admin(), customer("globex")).await.unwrap();
    app.hub
        .create_account(&admin(), account("222222222222", "globex"))
        .await
        .unwrap();
    offset.fetch_add(3 * 86_400, Ordering::SeqCst);
    assert_eq!(app.clock.now().month() as u8, m, "the clock is in the next month");
    with_origin(office(), async {
        let alias = AccountPatch {
            alias: Some(Some("pay-prod".into())),
            ..Default::default()
        };
        app.hub.update_account(&admin(), "111111111111", alias).await.unwrap();
        let to_acme = AccountPatch {
            customer: Some(cc_domain::ids::CustomerCode::parse("acme").unwrap()),
            ..Default::default()
        };
        app.hub.update_account(&admin(), "222222222222", to_acme).await.unwrap();
        let offboard = CustomerPatch {
            status: Some(CustomerStatus::Offboarded),
            ..Default::default()
        };
        app.hub.update_customer(&admin(), "globex", offboard).await.unwrap();
    })
    .await;
    app.access()
        .unwrap()
        .create(&erin(), ask("111111111111", 60), &o())
        .await
        .unwrap();
    since
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_lists_every_customer_newest_first_across_months_one_page_at_a_time() {
    let (app, _dir, offset) = shifted().await;
    let since = two_months(&app, &offset).await;
    let q = query(&app, since);
    let everything = list(&app, &lead(), &q).await;
    assert_eq!(
        actions(&everything),
        [
            "account_created",
            "account_created",
            "account_moved",
            "account_updated",
            "customer_created",
            "customer_created",
            "customer_offboarded",
            "request_created",
            "team_changed"
        ],
        "each event once, the move too: {everything:#?}"
    );
    assert!(everything.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert_eq!(everything[0].action, "request_created");
    assert!(everything.iter().any(|e| e.customer == "globex") && everything.iter().any(|e| e.customer == "acme"));
    for limit in [1, 2, 3, 4, 9, 10] {
        let pages = walk(&app, &q, limit).await;
        assert_eq!(pages.len(), everything.len().div_ceil(limit), "limit {limit}");
        assert_eq!(
            pages.concat(),
            everything,
            "limit {limit}: every event exactly once, in order"
        );
    }
    // An admin lists everything too; an engineer only their own.
    assert_eq!(list(&app, &admin(), &q).await, everything);
    assert!(matches!(
        app.access().unwrap().audit(&erin(), &q, &all()).await,
        Err(Error::Forbidden(_))
    ));
    let own = AuditQuery {
        actor: Some("erin@example.com".into()),
        ..q.clone()
    };
    assert_eq!(actions(&list(&app, &erin(), &own).await), ["request_created"]);
    // Any single filter.
    let by_customer = |c: &str| AuditQuery {
        customer: Some(c.into()),
        ..q.clone()
    };
    assert_eq!(
        actions(&list(&app, &lead(), &by_customer("globex")).await),
        [
            "account_created",
            "account_moved",
            "customer_created",
            "customer_offboarded"
        ],
        "the account that moved away is in the history it left"
    );
    let by_account = |a: &str| AuditQuery {
        account: Some(a.into()),
        ..q.clone()
    };
    assert_eq!(
        actions(&list(&app, &lead(), &by_account("111111111111")).await),
        ["account_created", "account_updated", "request_created"]
    );
    assert_eq!(
        actions(&list(&app, &lead(), &by_account("222222222222")).await),
        ["account_moved"],
        "account= alone reads its current customer's history"
    );
    let by_actor = AuditQuery {
        actor: Some("ada@example.com".into()),
        ..q.clone()
    };
    assert_eq!(list(&app, &lead(), &by_actor).await.len(), 8);
    // A time range: only the second month.
    let second = AuditQuery {
        from: app.clock.now() - Duration::hours(1),
        ..q.clone()
    };
    assert_eq!(walk(&app, &second, 2).await.concat(), everything[..4].to_vec());
    // A cursor belongs to its query.
    let first = app
        .access()
        .unwrap()
        .audit(&lead(), &q, &PageRequest::new(Some(2), None).unwrap())
        .await
        .unwrap();
    let foreign = PageRequest::new(Some(2), first.next_cursor).unwrap();
    assert!(matches!(
        app.access()
            .unwrap()
            .audit(&lead(), &by_customer("acme"), &foreign)
            .await,
        Err(Error::Validation { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_changes_are_audited_with_actor_origin_and_before_after() {
    let (app, _dir, offset) = shifted().await;
    let since = two_months(&app, &offset).await;
    let events = list(&app, &lead(), &query(&app, since)).await;
    let find = |action: &str| events.iter().find(|e| e.action == action).unwrap().clone();
    let alias = find("account_updated");
    assert_eq!(
        (
            alias.actor.as_str(),
            alias.source_ip.as_deref(),
            alias.account_id.as_deref()
        ),
        ("ada@example.com", Some("198.51.100.9"), Some("111111111111"))
    );
    assert_eq!(alias.before.as_ref().unwrap()["alias"], serde_json::Value::Null);
    assert_eq!(alias.after.as_ref().unwrap()["alias"], "pay-prod");
    assert_eq!(alias.detail, "alias");
    let moved = find("account_moved");
    assert_eq!(
        (moved.customer.as_str(), moved.source_ip.as_deref()),
        ("acme", Some("198.51.100.9"))
    );
    assert_eq!(moved.before.as_ref().unwrap()["customer"], "globex");
    assert_eq!(moved.after.as_ref().unwrap()["customer"], "acme");
    let offboarded = find("customer_offboarded");
    assert_eq!(offboarded.before.as_ref().unwrap()["status"], "active");
    assert_eq!(offboarded.after.as_ref().unwrap()["status"], "offboarded");
    // Outside a request (seeding) there is no origin.
    let created = find("account_created");
    assert_eq!(
        (created.actor.as_str(), created.source_ip.as_deref()),
        ("ada@example.com", None)
    );
    assert!(created.before.is_none() && created.after.is_some());
    let team = find("team_changed");
    assert!(team.detail.contains("erin@example.com"), "{}", team.detail);
    assert_eq!(team.before.as_ref().unwrap()["members"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_deletes_and_unknown_customers() {
    let (app, _dir) = embedded().await;
    let since = app.clock.now() - Duration::minutes(1);
    app.hub.create_customer(&admin(), customer("gone")).await.unwrap();
    with_origin(office(), async {
        let new =
            serde_json::from_value(serde_json::json!({"name": "Pat", "role": "CTO", "email": "pat@gone.example"}))
                .unwrap();
        let contact = app.hub.create_contact(&admin(), "gone", new).await.unwrap();
        let patch = serde_json::from_value(serde_json::json!({"phone": "+44 20 7946 0000"})).unwrap();
        app.hub
            .update_contact(&admin(), "gone", &contact.id, patch)
            .await
            .unwrap();
        app.hub
            .delete_contact(&admin(), "gone", &contact.id, None)
            .await
            .unwrap();
        app.hub.delete_customer(&admin(), "gone", None).await.unwrap();
    })
    .await;
    let q = AuditQuery {
        customer: Some("gone".into()),
        ..query(&app, since)
    };
    let history = list(&app, &lead(), &q).await;
    assert_eq!(
        actions(&history),
        [
            "contact_created",
            "contact_deleted",
            "contact_updated",
            "customer_created",
            "customer_deleted"
        ],
        "a deleted customer's history stays listable"
    );
    let updated = history.iter().find(|e| e.action == "contact_updated").unwrap();
    assert_eq!(updated.detail, "phone");
    assert_eq!(updated.source_ip.as_deref(), Some("198.51.100.9"));
    let unknown = AuditQuery {
        customer: Some("nosuch".into()),
        ..q.clone()
    };
    match app.access().unwrap().audit(&lead(), &unknown, &all()).await {
        Err(Error::NotFound { kind, id }) => assert_eq!((kind, id.as_str()), ("customer", "nosuch")),
        other => panic!("{other:?}"),
    }
    // An engineer without actor=themselves is refused whatever the filter.
    let engineer = person("eve@example.com", &[Role::Engineer]);
    assert!(matches!(
        app.access().unwrap().audit(&engineer, &q, &all()).await,
        Err(Error::Forbidden(_))
    ));
}
