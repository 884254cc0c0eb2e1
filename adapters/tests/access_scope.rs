//! Who may ask, decide and see (team scope), one open request per person and account, requests
//! judged by the policy at decision time, accounts and customers leaving while access is open,
//! and reads that show the state as of now whatever the sweeper's period. Embedded store.

use crate::support;

use std::sync::atomic::Ordering;

use cc_domain::Error;
use cc_domain::access::policy::PolicyPatch;
use cc_domain::access::service::Scope;
use cc_domain::access::{EndReason, Status, Verdict};
use cc_domain::hub::AccountPatch;
use cc_domain::identity::Role;
use cc_domain::ids::*;
use support::*;

fn conflict_code(e: Error) -> &'static str {
    match e {
        Error::Conflict { kind, .. } => kind.code(),
        other => panic!("not a conflict: {other:?}"),
    }
}

#[tokio::test]
async fn approvers_off_the_team_neither_see_nor_decide_and_leads_do() {
    let (app, _dir) = embedded().await;
    seed(&app, "710000000001").await;
    let access = app.access().unwrap();
    let r = access.create(&erin(), ask("710000000001", 30), &o()).await.unwrap();
    let olga = person("olga@example.com", &[Role::Engineer, Role::Senior]);
    assert!(matches!(access.get(&olga, &r.id).await, Err(Error::NotFound { .. })));
    assert!(matches!(
        access.decide(&olga, &r.id, Verdict::Approve, "", &o()).await,
        Err(Error::NotFound { .. })
    ));
    let hers = access.list(&olga, Scope::ToApprove, None, &all()).await.unwrap();
    assert!(hers.items.is_empty(), "nothing to approve off her teams");
    let theirs = access.list(&senior(1), Scope::ToApprove, None, &all()).await.unwrap();
    assert_eq!(theirs.items.len(), 1, "a senior on the team has it to approve");
    // Leads decide for any customer by default; a team-only policy binds them too.
    let team_only: PolicyPatch =
        serde_json::from_value(serde_json::json!({"approvers_off_team": [], "version": 0})).unwrap();
    access.patch_policy(&admin(), "acme", team_only, &o()).await.unwrap();
    let lead_off_team = access
        .decide(&lead(), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap_err();
    assert!(
        matches!(lead_off_team, Error::Forbidden(ref m) if m.contains("team")),
        "{lead_off_team:?}"
    );
    let approved = access
        .decide(&senior(1), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    assert_eq!(approved.status, Status::Active);
    assert_eq!(approved.policy_version, 1, "the policy that decided it");
}

#[tokio::test]
async fn one_open_request_per_person_and_account_even_when_racing() {
    let (app, _dir, offset) = shifted().await;
    seed(&app, "710000000002").await;
    let access = app.access().unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                app.access()
                    .unwrap()
                    .create(&erin(), ask("710000000002", 30), &o())
                    .await
            })
        })
        .collect();
    let mut made = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => made.push(r),
            Err(e) => assert_eq!(conflict_code(e), "open_request_exists"),
        }
    }
    assert_eq!(made.len(), 1, "exactly one of twenty concurrent asks");
    let first = &made[0];
    let again = access.create(&erin(), ask("710000000002", 30), &o()).await.unwrap_err();
    assert!(again.to_string().contains(&first.id), "{again}");
    // Another person may ask for the same account.
    let sam = person("sam@example.com", &[Role::Engineer]);
    let sams = access.create(&sam, ask("710000000002", 30), &o()).await.unwrap();
    access.cancel(&sam, &sams.id, &o()).await.unwrap();
    access.create(&sam, ask("710000000002", 30), &o()).await.unwrap();
    // Past the approval window, unswept: the old request reads timed out and no longer blocks.
    offset.store(3 * 3600, Ordering::SeqCst);
    let next = access.create(&erin(), ask("710000000002", 30), &o()).await.unwrap();
    assert_ne!(next.id, first.id);
    let old = access.get(&erin(), &first.id).await.unwrap();
    assert_eq!(
        (old.status, old.end_reason),
        (Status::TimedOut, Some(EndReason::TimedOut))
    );
}

#[tokio::test]
async fn a_stricter_policy_applies_to_pending_requests() {
    let (app, _dir) = embedded().await;
    seed(&app, "710000000003").await;
    let access = app.access().unwrap();
    let r = access.create(&erin(), ask("710000000003", 60), &o()).await.unwrap();
    let stricter: PolicyPatch =
        serde_json::from_value(serde_json::json!({"approvals_required": 2, "version": 0})).unwrap();
    access.patch_policy(&admin(), "acme", stricter, &o()).await.unwrap();
    let once = access
        .decide(&senior(1), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    assert_eq!(once.status, Status::Pending, "two approvals are needed now");
    assert_eq!((once.approvals_required, once.policy_version), (2, 1));
    let shorter: PolicyPatch =
        serde_json::from_value(serde_json::json!({"max_duration_minutes": 30, "version": 1})).unwrap();
    access.patch_policy(&admin(), "acme", shorter, &o()).await.unwrap();
    let refused = access
        .decide(&senior(2), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap_err();
    assert_eq!(conflict_code(refused), "policy_not_met");
}

#[tokio::test]
async fn accounts_leaving_the_hub_end_their_access() {
    let (app, _dir) = embedded().await;
    seed(&app, "710000000004").await;
    let access = app.access().unwrap();
    let r = access.create(&erin(), ask("710000000004", 60), &o()).await.unwrap();
    access
        .decide(&senior(1), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    // Deleting the account is refused while the grant is open, naming it and the way out.
    let refused = app
        .hub
        .delete_account(&admin(), "710000000004", None)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains(&r.id) && refused.to_string().contains("end-access"),
        "{refused}"
    );
    assert_eq!(conflict_code(refused), "open_access");
    let id = AccountId::parse("710000000004").unwrap();
    assert_eq!(
        access
            .end_for_account(&admin(), &id, "account leaves the hub", &o())
            .await
            .unwrap(),
        1
    );
    let ended = access.get(&erin(), &r.id).await.unwrap();
    assert_eq!(
        (ended.status, ended.end_reason),
        (Status::Ended, Some(EndReason::Revoked))
    );
    assert!(matches!(
        access.end_for_account(&erin(), &id, "x", &o()).await,
        Err(Error::Forbidden(_))
    ));
    app.hub.delete_account(&admin(), "710000000004", None).await.unwrap();

    // Moving an account or changing its access waits for open requests too.
    seed(&app, "710000000005").await;
    let other: cc_domain::hub::NewCustomer =
        serde_json::from_value(serde_json::json!({"code": "globex", "name": "Globex"})).unwrap();
    app.hub.create_customer(&admin(), other).await.unwrap();
    let pending = access.create(&erin(), ask("710000000005", 60), &o()).await.unwrap();
    let sam = person("sam@example.com", &[Role::Engineer]);
    let active = access.create(&sam, ask("710000000005", 60), &o()).await.unwrap();
    access
        .decide(&senior(1), &active.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    let moved = AccountPatch {
        customer: Some(CustomerCode::parse("globex").unwrap()),
        ..Default::default()
    };
    let refused = app
        .hub
        .update_account(&admin(), "710000000005", moved)
        .await
        .unwrap_err();
    assert_eq!(conflict_code(refused), "open_access");

    // Should the account vanish anyway (a race with a delete), approving is refused and using
    // a grant ends it.
    app.items.delete("ACCOUNT#710000000005", "META", None).await.unwrap();
    let approve = access
        .decide(&senior(1), &pending.id, Verdict::Approve, "", &o())
        .await
        .unwrap_err();
    assert_eq!(conflict_code(approve), "account_unavailable");
    let use_it = access.credentials(&sam, &active.id, &o()).await.unwrap_err();
    assert_eq!(conflict_code(use_it), "account_unavailable");
    let after = access.get(&sam, &active.id).await.unwrap();
    assert_eq!(
        (after.status, after.end_reason),
        (Status::Ended, Some(EndReason::Revoked))
    );
}

#[tokio::test]
async fn a_revoke_racing_credentials_never_leaves_a_session_alive() {
    // Thirty credential calls and one revoke at once: every credential answered before the
    // revoke is covered by a deny written after it, and none is answered after the grant ended
    // without a later deny.
    let (app, _dir) = embedded().await;
    seed(&app, "710000000007").await;
    let access = app.access().unwrap();
    let r = access.create(&erin(), ask("710000000007", 60), &o()).await.unwrap();
    access
        .decide(&senior(1), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..31 {
        let app = app.clone();
        let id = r.id.clone();
        tasks.push(tokio::spawn(async move {
            let access = app.access().unwrap();
            if i == 15 {
                access.revoke(&erin(), &id, "done", &o()).await.map(|_| None)
            } else {
                access.credentials(&erin(), &id, &o()).await.map(Some)
            }
        }));
    }
    let mut issued = Vec::new();
    for t in tasks {
        if let Ok(Some(c)) = t.await.unwrap() {
            issued.push(c);
        }
    }
    let guard = cc_adapters::local_access::LocalRoleGuard {
        store: app.items.clone(),
    };
    for c in &issued {
        assert!(
            guard.denies(c).await.unwrap(),
            "a session issued around the revoke is cut"
        );
    }
}

#[tokio::test]
async fn reads_show_the_state_as_of_now_between_sweeps() {
    let (app, _dir, offset) = shifted().await;
    seed(&app, "710000000006").await;
    let access = app.access().unwrap();
    let pending = access.create(&erin(), ask("710000000006", 60), &o()).await.unwrap();
    let sam = person("sam@example.com", &[Role::Engineer]);
    let active = access.create(&sam, ask("710000000006", 15), &o()).await.unwrap();
    access
        .decide(&senior(1), &active.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    // 20 minutes on, no sweep: the grant reads ended and leaves the sessions list.
    offset.store(20 * 60, Ordering::SeqCst);
    let a = access.get(&sam, &active.id).await.unwrap();
    assert_eq!(
        (a.status, a.end_reason, a.ended_at),
        (Status::Ended, Some(EndReason::Expired), a.ends_at)
    );
    assert!(access.sessions(&lead(), true, &all()).await.unwrap().items.is_empty());
    // Three hours on, no sweep: the pending request reads timed out everywhere.
    offset.store(3 * 3600, Ordering::SeqCst);
    let p = access.get(&erin(), &pending.id).await.unwrap();
    assert_eq!(
        (p.status, p.ended_at),
        (Status::TimedOut, Some(pending.approval_deadline))
    );
    let mine = access.list(&erin(), Scope::Mine, None, &all()).await.unwrap();
    assert_eq!(mine.items[0].status, Status::TimedOut);
    let open = access
        .list(&lead(), Scope::All, Some(Status::Pending), &all())
        .await
        .unwrap();
    assert!(open.items.is_empty(), "not listed as pending");
    let to_approve = access.list(&senior(1), Scope::ToApprove, None, &all()).await.unwrap();
    assert!(to_approve.items.is_empty());
}

#[tokio::test]
async fn leaving_the_team_or_a_shorter_window_applies_to_open_requests_at_once() {
    let (app, _dir, offset) = shifted().await;
    seed(&app, "710000000008").await;
    let access = app.access().unwrap();
    let sam = person("sam@example.com", &[Role::Engineer]);
    let active = access.create(&sam, ask("710000000008", 60), &o()).await.unwrap();
    access
        .decide(&senior(1), &active.id, Verdict::Approve, "", &o())
        .await
        .unwrap();
    let pending = access.create(&erin(), ask("710000000008", 60), &o()).await.unwrap();
    // Both leave acme's team.
    let team = app.hub.team(&admin(), "acme").await.unwrap();
    let members = team
        .members
        .iter()
        .filter(|m| ![erin().email, sam.email.clone()].contains(m))
        .cloned()
        .collect();
    let update = cc_domain::hub::TeamUpdate {
        members,
        version: team.version,
    };
    app.hub.put_team(&admin(), "acme", update).await.unwrap();
    let approve = access
        .decide(&senior(1), &pending.id, Verdict::Approve, "", &o())
        .await
        .unwrap_err();
    assert_eq!(conflict_code(approve), "policy_not_met");
    let use_it = access.credentials(&sam, &active.id, &o()).await.unwrap_err();
    assert_eq!(conflict_code(use_it), "policy_not_met");
    assert_eq!(access.get(&sam, &active.id).await.unwrap().status, Status::Ended);

    // A window shortened to 5 minutes closes a 6-minute-old request.
    seed(&app, "710000000009").await;
    let r = access.create(&senior(3), ask("710000000009", 60), &o()).await.unwrap();
    let shorter: PolicyPatch =
        serde_json::from_value(serde_json::json!({"approval_window_minutes": 5, "version": 0})).unwrap();
    access.patch_policy(&admin(), "acme", shorter, &o()).await.unwrap();
    offset.store(6 * 60, Ordering::SeqCst);
    let late = access
        .decide(&senior(1), &r.id, Verdict::Approve, "", &o())
        .await
        .unwrap_err();
    assert_eq!(conflict_code(late), "request_expired");
}

#[tokio::test]
async fn my_requests_filtered_by_status_page_after_filtering() {
    let (app, _dir) = embedded().await;
    let access = app.access().unwrap();
    let mut ids = Vec::new();
    for account in ["710000000010", "710000000011", "710000000012", "710000000013"] {
        seed(&app, account).await;
        ids.push(access.create(&erin(), ask(account, 60), &o()).await.unwrap().id);
    }
    // The newest three are cancelled: the one pending request is the oldest.
    for id in &ids[1..] {
        access.cancel(&erin(), id, &o()).await.unwrap();
    }
    let one = cc_domain::page::PageRequest::new(Some(1), None).unwrap();
    let page = access
        .list(&erin(), Scope::Mine, Some(Status::Pending), &one)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "the first page holds the match");
    assert_eq!(page.items[0].id, ids[0]);
    assert!(page.next_cursor.is_none());
    let cancelled = access
        .list(&erin(), Scope::Mine, Some(Status::Cancelled), &all())
        .await
        .unwrap();
    assert_eq!(cancelled.items.len(), 3);
}
