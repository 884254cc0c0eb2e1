//! Breakglass through the domain service on both storage backends (embedded, DynamoDB on moto):
//! the full flow, the sweeper, overlapping grants, and fifty concurrent actors on one request.

use crate::support;

use std::sync::atomic::Ordering;

use cc_adapters::wire::test_emulator_url;
use cc_domain::access::service::{AuditQuery, Scope};
use cc_domain::access::{ApprovalPolicy, EndReason, Status, Verdict};
use cc_domain::identity::Role;
use cc_domain::ids::*;
use cc_domain::{App, Error};
use support::*;
use time::{Duration, OffsetDateTime};
async fn full_flow(app: &App) {
    seed(app, "111111111111").await;
    let policy = ApprovalPolicy {
        approvals_required: 2,
        ..Default::default()
    };
    app.access()
        .unwrap()
        .put_policy(&admin(), "acme", policy, &o())
        .await
        .unwrap();
    let r = app
        .access()
        .unwrap()
        .create(&erin(), ask("111111111111", 60), &o())
        .await
        .unwrap();
    assert_eq!((r.status, r.approvals_required), (Status::Pending, 2));
    // Refused attempts: approving one's own request, an off-team senior approving, a second
    // open request on the same account.
    assert!(matches!(
        app.access()
            .unwrap()
            .decide(&erin(), &r.id, Verdict::Approve, "me", &o())
            .await,
        Err(Error::Forbidden(_))
    ));
    let off_team = person("bob@example.com", &[Role::Engineer, Role::Senior]);
    assert!(
        app.access()
            .unwrap()
            .decide(&off_team, &r.id, Verdict::Approve, "", &o())
            .await
            .is_err()
    );
    assert!(matches!(
        app.access()
            .unwrap()
            .create(&erin(), ask("111111111111", 30), &o())
            .await,
        Err(Error::Conflict { .. })
    ));
    let to_approve = app
        .access()
        .unwrap()
        .list(&senior(1), Scope::ToApprove, None, &all())
        .await
        .unwrap()
        .items;
    assert!(to_approve.iter().any(|x| x.id == r.id));
    assert!(
        app.access()
            .unwrap()
            .list(&erin(), Scope::ToApprove, None, &all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let r1 = app
        .access()
        .unwrap()
        .decide(&senior(1), &r.id, Verdict::Approve, "ok", &o())
        .await
        .unwrap();
    assert_eq!(r1.status, Status::Pending);
    let r2 = app
        .access()
        .unwrap()
        .decide(&senior(2), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    assert_eq!(r2.status, Status::Active, "the local workflow grants at once");
    let sessions = app
        .access()
        .unwrap()
        .sessions(&erin(), false, &all())
        .await
        .unwrap()
        .items;
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].ends_at.unwrap() > OffsetDateTime::now_utc() + Duration::minutes(59));
    let creds = app.access().unwrap().credentials(&erin(), &r.id, &o()).await.unwrap();
    assert!(creds.access_key_id.starts_with("LOCAL"));
    assert!(matches!(
        app.access().unwrap().credentials(&lead(), &r.id, &o()).await,
        Err(Error::Forbidden(_))
    ));
    let ended = app
        .access()
        .unwrap()
        .revoke(&lead(), &r.id, "incident over", &o())
        .await
        .unwrap();
    assert_eq!(
        (ended.status, ended.end_reason),
        (Status::Ended, Some(EndReason::Revoked))
    );
    assert!(matches!(
        app.access().unwrap().credentials(&erin(), &r.id, &o()).await,
        Err(Error::Conflict { .. })
    ));
    let deny = app
        .items
        .get(
            "ROLEGUARD#arn:aws:iam::111111111111:role/CCBreakglass",
            "DENY#erin@example.com",
        )
        .await
        .unwrap();
    assert!(deny.is_some(), "revocation denies the requester's older sessions");
    let mine = app
        .access()
        .unwrap()
        .list(&erin(), Scope::Mine, None, &all())
        .await
        .unwrap()
        .items;
    assert_eq!(mine[0].status, Status::Ended);

    let now = OffsetDateTime::now_utc();
    let q = AuditQuery {
        request: None,
        customer: Some("acme".into()),
        account: Some("111111111111".into()),
        actor: None,
        from: now - Duration::hours(1),
        to: now + Duration::minutes(1),
    };
    let events = app.access().unwrap().audit(&lead(), &q, &all()).await.unwrap().items;
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account_created",
            "request_created",
            "approve_refused",
            "approve_refused",
            "request_refused",
            "approved",
            "approved",
            "granted",
            "credentials_issued",
            "credentials_refused",
            "revoked",
            "credentials_refused"
        ],
        "the audit log tells the story in order, refusals included"
    );
    let refused = |action: &'static str| events.iter().rev().filter(move |e| e.action == action);
    let approvals: Vec<_> = refused("approve_refused").collect();
    assert_eq!(
        approvals.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>(),
        ["erin@example.com", "bob@example.com"]
    );
    assert!(
        approvals[0].detail.contains("your own request"),
        "{}",
        approvals[0].detail
    );
    assert!(refused("request_refused").all(|e| e.detail.contains("open_request_exists")));
    assert_eq!(refused("credentials_refused").next().unwrap().actor, "lee@example.com");
    assert!(
        events
            .iter()
            .filter(|e| e.action != "account_created" && e.action != "request_refused")
            .all(|e| e.request_id.as_deref() == Some(r.id.as_str()))
    );
    assert_eq!(events.first().unwrap().source_ip.as_deref(), Some("203.0.113.7"));
    assert!(
        events
            .iter()
            .filter(|e| e.action.ends_with("_refused"))
            .all(|e| e.source_ip.as_deref() == Some("203.0.113.7"))
    );
    // Everything, for a lead: every customer's events (here one), newest first, through the
    // all-customers index; the same events as the customer's listing plus its other hub changes.
    let everything = AuditQuery {
        customer: None,
        account: None,
        ..q.clone()
    };
    let all_events = app
        .access()
        .unwrap()
        .audit(&lead(), &everything, &all())
        .await
        .unwrap()
        .items;
    for e in &events {
        assert!(all_events.contains(e), "{} is listed without a filter", e.action);
    }
    for hub in ["customer_created", "team_changed", "policy_changed"] {
        assert!(all_events.iter().any(|e| e.action == hub), "{hub} in {all_events:?}");
    }
    assert!(all_events.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    let account_alone = AuditQuery {
        customer: None,
        ..q.clone()
    };
    assert_eq!(
        app.access()
            .unwrap()
            .audit(&lead(), &account_alone, &all())
            .await
            .unwrap()
            .items,
        events,
        "account= alone finds the account's customer"
    );
    let by_actor = AuditQuery {
        customer: None,
        account: None,
        actor: Some("erin@example.com".into()),
        ..q.clone()
    };
    let erins = app
        .access()
        .unwrap()
        .audit(&erin(), &by_actor, &all())
        .await
        .unwrap()
        .items;
    assert_eq!(
        erins.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        [
            "credentials_refused",
            "credentials_issued",
            "request_refused",
            "approve_refused",
            "request_created"
        ],
        "erin's own events"
    );
    assert!(matches!(
        app.access().unwrap().audit(&erin(), &q, &all()).await,
        Err(Error::Forbidden(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn full_flow_on_the_embedded_store() {
    let (app, _dir) = embedded().await;
    full_flow(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn full_flow_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    full_flow(&on_moto(&url).await).await;
}

/// 50 tasks approve, reject, cancel and revoke the same request at once.
async fn fifty_at_once(app: &App) {
    seed(app, "222222222222").await;
    let r = app
        .access()
        .unwrap()
        .create(&erin(), ask("222222222222", 60), &o())
        .await
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let app = app.clone();
            let id = r.id.clone();
            tokio::spawn(async move {
                match i % 4 {
                    0 => app
                        .access()
                        .unwrap()
                        .decide(&senior(i), &id, Verdict::Approve, "", &o())
                        .await
                        .map(|_| "approve"),
                    1 => app
                        .access()
                        .unwrap()
                        .decide(&senior(i), &id, Verdict::Reject, "no", &o())
                        .await
                        .map(|_| "reject"),
                    2 => app.access().unwrap().cancel(&erin(), &id, &o()).await.map(|_| "cancel"),
                    _ => app
                        .access()
                        .unwrap()
                        .revoke(&lead(), &id, "stop", &o())
                        .await
                        .map(|_| "revoke"),
                }
            })
        })
        .collect();
    let mut wins = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(what) => wins.push(what),
            Err(Error::Conflict { .. }) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    let last = app.access().unwrap().get(&erin(), &r.id).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let q = AuditQuery {
        request: None,
        customer: Some("acme".into()),
        account: Some("222222222222".into()),
        actor: None,
        from: now - Duration::hours(1),
        to: now + Duration::minutes(1),
    };
    let events: Vec<_> = app
        .access()
        .unwrap()
        .audit(&lead(), &q, &all())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.request_id.is_some() && !e.action.ends_with("_refused"))
        .collect();
    let count = |a: &str| events.iter().filter(|e| e.action == a).count();
    assert!(
        last.status.is_final() || last.status == Status::Active,
        "{:?}",
        last.status
    );
    // Every success is in the audit log, and nothing else is.
    for (action, win) in [
        ("approved", "approve"),
        ("rejected", "reject"),
        ("cancelled", "cancel"),
        ("revoked", "revoke"),
    ] {
        assert_eq!(
            count(action),
            wins.iter().filter(|w| **w == win).count(),
            "{action}: {wins:?}"
        );
    }
    assert!(count("granted") <= 1, "at most one grant");
    // Replaying the log through the state machine is a legal path ending in the stored state.
    let mut state = Status::Pending;
    for e in events.iter().rev() {
        state = match (e.action.as_str(), state) {
            ("request_created", Status::Pending) => Status::Pending,
            ("approved", Status::Pending) => Status::Approved, // one approval is the default policy
            ("granted", Status::Approved) => Status::Active,
            ("rejected", Status::Pending) => Status::Rejected,
            ("cancelled", Status::Pending | Status::Approved) => Status::Cancelled,
            ("revoked", Status::Active) => Status::Ended,
            (action, from) => panic!(
                "illegal step {action} from {from:?} in {:?}",
                events.iter().rev().map(|e| &e.action).collect::<Vec<_>>()
            ),
        };
    }
    assert_eq!(state, last.status);
    assert!(
        count("rejected") + count("cancelled") + count("granted") == 1,
        "exactly one outcome"
    );
    assert_eq!(
        last.history.len(),
        events.len(),
        "the request's history and the audit log agree"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_actors_on_the_embedded_store() {
    let (app, _dir) = embedded().await;
    fifty_at_once(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_actors_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    fifty_at_once(&on_moto(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweeper_times_out_grants_and_expires_idempotently() {
    let (app, _dir, offset) = shifted().await;
    seed(&app, "333333333333").await;
    let pending = app
        .access()
        .unwrap()
        .create(&erin(), ask("333333333333", 15), &o())
        .await
        .unwrap();
    // One open request per person and account: three people.
    let sam = person("sam@example.com", &[Role::Engineer]);
    let active = app
        .access()
        .unwrap()
        .create(&sam, ask("333333333333", 15), &o())
        .await
        .unwrap();
    app.access()
        .unwrap()
        .decide(&senior(1), &active.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    let mut scheduled_ask = ask("333333333333", 30);
    scheduled_ask.starts_at = Some(OffsetDateTime::now_utc() + Duration::minutes(10));
    let scheduled = app
        .access()
        .unwrap()
        .create(&senior(3), scheduled_ask, &o())
        .await
        .unwrap();
    let s = app
        .access()
        .unwrap()
        .decide(&senior(1), &scheduled.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    assert_eq!(s.status, Status::Approved, "waits for its start");

    assert_eq!(
        app.access().unwrap().sweep().await.unwrap(),
        Default::default(),
        "nothing is due yet"
    );
    // 20 minutes on: the first grant is over, the scheduled one starts.
    offset.store(20 * 60, Ordering::SeqCst);
    let report = app.access().unwrap().sweep().await.unwrap();
    assert_eq!(
        (report.expired, report.granted, report.timed_out),
        (1, 1, 0),
        "{report:?}"
    );
    let a = app.access().unwrap().get(&sam, &active.id).await.unwrap();
    assert_eq!((a.status, a.end_reason), (Status::Ended, Some(EndReason::Expired)));
    assert_eq!(
        app.access()
            .unwrap()
            .get(&senior(3), &scheduled.id)
            .await
            .unwrap()
            .status,
        Status::Active
    );
    assert!(
        app.access().unwrap().credentials(&sam, &active.id, &o()).await.is_err(),
        "no credentials after the end"
    );
    // Three hours on: the approval window has closed; the scheduled grant has ended too.
    offset.store(3 * 3600, Ordering::SeqCst);
    let report = app.access().unwrap().sweep().await.unwrap();
    assert_eq!((report.timed_out, report.expired), (1, 1), "{report:?}");
    assert_eq!(
        app.access().unwrap().get(&erin(), &pending.id).await.unwrap().status,
        Status::TimedOut
    );
    assert!(matches!(
        app.access()
            .unwrap()
            .decide(&senior(2), &pending.id, Verdict::Approve, "", &o())
            .await,
        Err(Error::Conflict { .. })
    ));
    assert_eq!(
        app.access().unwrap().sweep().await.unwrap(),
        Default::default(),
        "idempotent"
    );
    assert!(
        app.access()
            .unwrap()
            .sessions(&lead(), true, &all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// Keeps every notification's text.
struct Recorder(std::sync::Mutex<Vec<String>>);

#[async_trait::async_trait]
impl cc_domain::access::ports::Notifier for Recorder {
    async fn notify(&self, n: &cc_domain::access::ports::Notification) -> cc_domain::error::Result<()> {
        self.0.lock().unwrap().push(format!("{}: {}", n.event, n.text));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_grants_on_one_role_do_not_cut_each_other_short() {
    use cc_adapters::local_access::LocalRoleGuard;
    use cc_domain::Clock;
    use cc_domain::config::Config;
    use cc_domain::store::ItemStore;
    use std::sync::Arc;
    use std::sync::atomic::AtomicI64;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let items: Arc<dyn ItemStore> =
        Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let objects = cc_adapters::local_objects::LocalObjectStore::new(dir.path().join("o"), b"k", "http://x");
    let offset = Arc::new(AtomicI64::new(0));
    let told = Arc::new(Recorder(Default::default()));
    let mut ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
    ports.notifiers.push(told.clone());
    let app = App::new(config, items.clone(), Clock::shifted(offset.clone()))
        .with_access(ports)
        .with_objects(Arc::new(objects));
    // The same store the app's role guard writes: judges local sessions the way IAM would.
    let guard = LocalRoleGuard { store: items };
    let role = RoleArn::parse("arn:aws:iam::444444444444:role/CCBreakglass").unwrap();
    seed(&app, "444444444444").await;
    let access = app.access().unwrap();
    let a = access.create(&erin(), ask("444444444444", 60), &o()).await.unwrap();
    access
        .decide(&senior(1), &a.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    let sam = person("sam@example.com", &[Role::Engineer]);
    let b = access.create(&sam, ask("444444444444", 30), &o()).await.unwrap();
    access
        .decide(&senior(1), &b.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    let erins = access.credentials(&erin(), &a.id, &o()).await.unwrap();
    let sams = access.credentials(&sam, &b.id, &o()).await.unwrap();
    assert!(!guard.denies(&erins).await.unwrap() && !guard.denies(&sams).await.unwrap());

    // Revoking erin's grant cuts erin's session at once, although sam's grant is still active.
    access.revoke(&lead(), &a.id, "done", &o()).await.unwrap();
    assert!(
        guard.denied_before(&role, "erin@example.com").await.unwrap().is_some(),
        "the revoke asks the role guard to end erin's sessions"
    );
    assert!(guard.denies(&erins).await.unwrap(), "erin's credentials no longer work");
    assert!(
        guard.denied_before(&role, "sam@example.com").await.unwrap().is_none(),
        "nothing is denied to sam"
    );
    assert!(!guard.denies(&sams).await.unwrap(), "sam's credentials still work");
    let fresh = access.credentials(&sam, &b.id, &o()).await.unwrap();
    assert!(!guard.denies(&fresh).await.unwrap());
    assert!(
        told.0
            .lock()
            .unwrap()
            .iter()
            .any(|t| t.starts_with("revoked:") && t.contains("erin@example.com") && t.contains("sessions were cut")),
        "{:?}",
        told.0.lock().unwrap()
    );

    // Sam's grant ends naturally: credentials minted near the end (STS keeps them 900 s at least)
    // stop with it.
    offset.store(31 * 60, Ordering::SeqCst);
    assert_eq!(access.sweep().await.unwrap().expired, 1);
    assert_eq!(access.get(&sam, &b.id).await.unwrap().status, Status::Ended);
    assert!(
        guard.denies(&fresh).await.unwrap(),
        "sam's last credentials end with the grant"
    );
    assert!(guard.denies(&sams).await.unwrap());

    // One approval of two: the notification says how many are still needed (the request is
    // still pending, which "is now pending" after an approval would only confuse).
    let two = ApprovalPolicy {
        approvals_required: 2,
        ..Default::default()
    };
    access.put_policy(&admin(), "acme", two, &o()).await.unwrap();
    let c = access.create(&erin(), ask("444444444444", 30), &o()).await.unwrap();
    access
        .decide(&senior(1), &c.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    let texts = told.0.lock().unwrap().clone();
    let last = texts.last().unwrap();
    assert!(
        last.starts_with("approved:") && last.contains("1 of 2 approvals; it waits for 1 more"),
        "{texts:?}"
    );
    assert!(!texts.iter().any(|t| t.contains("is now pending")), "{texts:?}");
}

#[tokio::test]
async fn requests_are_checked_against_the_hub_and_policy() {
    let (app, _dir) = embedded().await;
    seed(&app, "555555555555").await;
    let unknown = app
        .access()
        .unwrap()
        .create(&erin(), ask("999999999999", 60), &o())
        .await;
    assert!(matches!(unknown, Err(Error::Validation { field: Some(f), .. }) if f == "account_id"));
    let too_long = app
        .access()
        .unwrap()
        .create(&erin(), ask("555555555555", 241), &o())
        .await;
    assert!(matches!(too_long, Err(Error::Validation { field: Some(f), .. }) if f == "duration_minutes"));
    let stale = ApprovalPolicy {
        version: 7,
        ..Default::default()
    };
    assert!(matches!(
        app.access().unwrap().put_policy(&admin(), "acme", stale, &o()).await,
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        app.access()
            .unwrap()
            .put_policy(&lead(), "acme", ApprovalPolicy::default(), &o())
            .await,
        Err(Error::Forbidden(_))
    ));
    let p = app
        .access()
        .unwrap()
        .put_policy(&admin(), "acme", ApprovalPolicy::default(), &o())
        .await
        .unwrap();
    assert_eq!(p.version, 1);
    let twice = app
        .access()
        .unwrap()
        .put_policy(&admin(), "acme", ApprovalPolicy::default(), &o())
        .await;
    assert!(
        matches!(twice, Err(Error::Conflict { .. })),
        "a second writer holding version 0 loses"
    );
}

/// A request is private to its requester, the people who may decide it (its approver roles),
/// leads and admins: to another engineer it does not exist, on every route that takes its id.
#[tokio::test]
async fn a_request_is_not_found_by_people_who_may_not_see_it() {
    let (app, _dir) = embedded().await;
    seed(&app, "555555555555").await;
    let access = app.access().unwrap();
    let r = access.create(&erin(), ask("555555555555", 30), &o()).await.unwrap();
    let bob = person("bob@example.com", &[Role::Engineer]);
    let not_found = |res: Result<_, Error>, what: &str| match res {
        Err(Error::NotFound { .. }) => {}
        Err(other) => panic!("{what}: {other:?}"),
        Ok(_) => panic!("{what}: answered"),
    };
    not_found(access.get(&bob, &r.id).await.map(|_| ()), "get");
    not_found(access.credentials(&bob, &r.id, &o()).await.map(|_| ()), "credentials");
    not_found(access.console_link(&bob, &r.id, &o()).await.map(|_| ()), "console link");
    not_found(access.cancel(&bob, &r.id, &o()).await.map(|_| ()), "cancel");
    not_found(access.revoke(&bob, &r.id, "", &o()).await.map(|_| ()), "revoke");
    not_found(
        access.decide(&bob, &r.id, Verdict::Approve, "", &o()).await.map(|_| ()),
        "decide",
    );
    for who in [erin(), senior(1), lead(), admin()] {
        assert_eq!(access.get(&who, &r.id).await.unwrap().id, r.id, "{}", who.email);
    }
    // Nothing changed: bob's attempts wrote nothing.
    let after = access.get(&erin(), &r.id).await.unwrap();
    assert_eq!((after.status, after.version), (Status::Pending, r.version));
}

/// Asking needs the engineer role and a place on the team; an offboarded customer's accounts
/// cannot be asked for, and offboarding with open requests is refused until they are ended.
#[tokio::test]
async fn only_team_engineers_ask_and_never_for_an_offboarded_customer() {
    let (app, _dir) = embedded().await;
    seed(&app, "666666666666").await;
    let access = app.access().unwrap();
    for who in [admin(), person("sue@example.com", &[Role::Senior])] {
        match access.create(&who, ask("666666666666", 30), &o()).await {
            Err(Error::Forbidden(m)) => assert!(m.contains("engineer"), "{m}"),
            other => panic!("{}: {:?}", who.email, other.map(|r| r.id)),
        }
    }
    match access
        .create(
            &person("bob@example.com", &[Role::Engineer]),
            ask("666666666666", 30),
            &o(),
        )
        .await
    {
        Err(Error::Forbidden(m)) => assert!(m.contains("not on customer acme's team"), "{m}"),
        other => panic!("an engineer off the team: {:?}", other.map(|r| r.id)),
    }
    let open = access.create(&erin(), ask("666666666666", 30), &o()).await.unwrap();
    let offboard: cc_domain::hub::CustomerPatch =
        serde_json::from_value(serde_json::json!({"status": "offboarded"})).unwrap();
    match app.hub.update_customer(&admin(), "acme", offboard.clone()).await {
        Err(Error::Conflict { message, .. }) => {
            assert!(
                message.contains(&open.id) && message.contains("/api/v1/customers/acme/end-access"),
                "{message}"
            )
        }
        other => panic!("offboarding with an open request: {:?}", other.map(|c| c.status)),
    }
    let code = CustomerCode::parse("acme").unwrap();
    assert_eq!(
        access
            .end_for_customer(&admin(), &code, "offboarding", &o())
            .await
            .unwrap(),
        1
    );
    let ended = access.get(&erin(), &open.id).await.unwrap();
    assert_eq!(ended.status, Status::Cancelled);
    app.hub.update_customer(&admin(), "acme", offboard).await.unwrap();
    match access.create(&erin(), ask("666666666666", 30), &o()).await {
        Err(Error::Validation { field, message }) => {
            assert_eq!(field.as_deref(), Some("account_id"));
            assert!(message.contains("offboarded"), "{message}");
        }
        other => panic!("{:?}", other.map(|r| r.id)),
    }
}
