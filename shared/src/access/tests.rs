//! The breakglass rules, case by case.

use super::*;
use crate::identity::Role::*;

fn person(email: &str, roles: &[Role]) -> Principal {
    Principal {
        email: Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    }
}

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap()
}

fn requester() -> Principal {
    person("erin@example.com", &[Engineer])
}
fn senior(n: u8) -> Principal {
    person(&format!("senior{n}@example.com"), &[Engineer, Senior])
}
fn lead() -> Principal {
    person("lee@example.com", &[Engineer, Senior, Lead])
}

fn new_request(duration: u32) -> NewRequest {
    NewRequest {
        account_id: AccountId::parse("012345678901").unwrap(),
        duration_minutes: duration,
        justification: "Disk full on the payments database, need to resize the volume".into(),
        ticket: Some("OPS-1234".into()),
        starts_at: None,
        permission_set: None,
    }
}

fn request_with(policy: &ApprovalPolicy) -> AccessRequest {
    ask_as(&requester(), true, policy).unwrap()
}

/// `who` asks for an hour of acme's payments account (`on_team`: on acme's team).
fn ask_as(who: &Principal, on_team: bool, policy: &ApprovalPolicy) -> Result<AccessRequest> {
    AccessRequest::create(
        "r1".into(),
        who,
        on_team,
        new_request(60),
        CustomerCode::parse("acme").unwrap(),
        "payments prod".into(),
        (
            RoleArn::parse("arn:aws:iam::012345678901:role/CCBreakglass").unwrap(),
            None,
            3600,
        ),
        policy,
        t0(),
    )
}

fn request() -> AccessRequest {
    request_with(&ApprovalPolicy::default())
}

fn two_approvers() -> ApprovalPolicy {
    ApprovalPolicy {
        approvals_required: 2,
        ..Default::default()
    }
}

/// Decides as an approver on the customer's team, under the policy the request carries.
trait DecideNow {
    fn decide_now(self, who: &Principal, v: Verdict, comment: &str, at: OffsetDateTime) -> Result<AccessRequest>;
}

impl DecideNow for AccessRequest {
    fn decide_now(self, who: &Principal, v: Verdict, comment: &str, at: OffsetDateTime) -> Result<AccessRequest> {
        let policy = ApprovalPolicy {
            approvals_required: self.approvals_required,
            approver_roles: self.approver_roles.clone(),
            approvers_off_team: self.approvers_off_team.clone(),
            ..Default::default()
        };
        self.decide(who, true, &policy, v, comment, at)
    }
}

fn code(e: Error) -> String {
    match e {
        Error::Forbidden(_) => "forbidden".into(),
        other => other.code().to_string(),
    }
}

#[test]
fn one_senior_approval_approves_by_default() {
    let r = request().decide_now(&senior(1), Verdict::Approve, "ok", t0()).unwrap();
    assert_eq!(r.status, Status::Approved);
}

#[test]
fn requester_can_never_approve_even_as_a_lead() {
    let mut r = request();
    r.requester = lead().email;
    assert_eq!(
        code(r.decide_now(&lead(), Verdict::Approve, "", t0()).unwrap_err()),
        "forbidden"
    );
}

#[test]
fn same_approver_twice_counts_once() {
    let r = request_with(&two_approvers())
        .decide_now(&senior(1), Verdict::Approve, "", t0())
        .unwrap();
    assert_eq!(r.status, Status::Pending);
    let err = r
        .clone()
        .decide_now(&senior(1), Verdict::Approve, "", t0())
        .unwrap_err();
    assert_eq!(code(err), "already_decided");
    let r = r.decide_now(&senior(2), Verdict::Approve, "", t0()).unwrap();
    assert_eq!(r.status, Status::Approved);
    assert_eq!(r.approvals(), 2);
}

#[test]
fn engineers_and_admins_outside_the_approver_roles_do_not_count() {
    let eng = person("other@example.com", &[Engineer]);
    assert_eq!(
        code(request().decide_now(&eng, Verdict::Approve, "", t0()).unwrap_err()),
        "forbidden"
    );
    let admin = person("ada@example.com", &[Admin]);
    assert_eq!(
        code(request().decide_now(&admin, Verdict::Approve, "", t0()).unwrap_err()),
        "forbidden"
    );
    let policy = ApprovalPolicy {
        approver_roles: [Admin].into(),
        ..Default::default()
    };
    assert!(
        request_with(&policy)
            .decide_now(&admin, Verdict::Approve, "", t0())
            .is_ok()
    );
    assert_eq!(
        code(
            request_with(&policy)
                .decide_now(&senior(1), Verdict::Approve, "", t0())
                .unwrap_err()
        ),
        "forbidden"
    );
}

#[test]
fn approving_after_the_window_is_refused() {
    let late = t0() + Duration::minutes(120);
    let err = request()
        .decide_now(&senior(1), Verdict::Approve, "", late)
        .unwrap_err();
    assert_eq!(code(err), "request_expired");
    let r = request().time_out(late).unwrap();
    assert_eq!(r.status, Status::TimedOut);
    assert_eq!(
        code(request().time_out(late - Duration::seconds(1)).unwrap_err()),
        "not_due"
    );
}

#[test]
fn decisions_on_a_request_no_longer_pending_are_refused() {
    let approved = request().decide_now(&senior(1), Verdict::Approve, "", t0()).unwrap();
    assert_eq!(
        code(
            approved
                .clone()
                .decide_now(&senior(2), Verdict::Approve, "", t0())
                .unwrap_err()
        ),
        "request_not_pending"
    );
    let rejected = request()
        .decide_now(&senior(1), Verdict::Reject, "not needed", t0())
        .unwrap();
    assert_eq!(rejected.status, Status::Rejected);
    assert_eq!(
        code(
            rejected
                .clone()
                .decide_now(&senior(2), Verdict::Approve, "", t0())
                .unwrap_err()
        ),
        "request_not_pending"
    );
    let cancelled = request().cancel(&requester(), t0()).unwrap();
    assert_eq!(
        code(
            cancelled
                .decide_now(&senior(2), Verdict::Approve, "", t0())
                .unwrap_err()
        ),
        "request_not_pending"
    );
}

#[test]
fn a_rejection_needs_a_reason() {
    let err = request()
        .decide_now(&senior(1), Verdict::Reject, "  ", t0())
        .unwrap_err();
    assert_eq!(code(err), "validation_failed");
}

#[test]
fn durations_beyond_the_maximum_are_refused_at_request_time() {
    let policy = ApprovalPolicy::default();
    let make = |d: u32, p: &ApprovalPolicy| {
        AccessRequest::create(
            "r".into(),
            &requester(),
            true,
            new_request(d),
            CustomerCode::parse("acme").unwrap(),
            "x".into(),
            (RoleArn::parse("arn:aws:iam::012345678901:role/B").unwrap(), None, 3600),
            p,
            t0(),
        )
    };
    assert!(make(240, &policy).is_ok());
    assert!(matches!(make(241, &policy), Err(Error::Validation { field: Some(f), .. }) if f == "duration_minutes"));
    assert!(make(14, &policy).is_err());
    let strict = ApprovalPolicy {
        ticket_required: true,
        ..Default::default()
    };
    let mut no_ticket = new_request(60);
    no_ticket.ticket = None;
    let r = AccessRequest::create(
        "r".into(),
        &requester(),
        true,
        no_ticket,
        CustomerCode::parse("acme").unwrap(),
        "x".into(),
        (RoleArn::parse("arn:aws:iam::012345678901:role/B").unwrap(), None, 3600),
        &strict,
        t0(),
    );
    assert!(matches!(r, Err(Error::Validation { field: Some(f), .. }) if f == "ticket"));
}

#[test]
fn justifications_are_a_sentence_of_plain_text() {
    let create = |justification: &str| {
        let mut n = new_request(60);
        n.justification = justification.into();
        AccessRequest::create(
            "r".into(),
            &requester(),
            true,
            n,
            CustomerCode::parse("acme").unwrap(),
            "x".into(),
            (RoleArn::parse("arn:aws:iam::012345678901:role/B").unwrap(), None, 3600),
            &ApprovalPolicy::default(),
            t0(),
        )
    };
    for bad in [
        "fix",
        "a                         b   c",
        "fix - - - - - - - - - - - - - it",
        "x\u{0}\u{1} y z evil reversed text here",
        "restart the stuck \u{202E}deploy pipeline now",
        "restart the \u{2066}stuck deploy pipeline",
    ] {
        let r = create(bad);
        assert!(
            matches!(&r, Err(Error::Validation { field: Some(f), .. }) if f == "justification"),
            "{bad:?}: {r:?}"
        );
    }
    for good in ["restart the stuck deploy", "INC-42: ECS tasks\nfail health checks"] {
        assert!(create(good).is_ok(), "{good:?}");
    }
}

#[test]
fn common_ticket_forms_are_accepted_and_normalised() {
    for (raw, stored) in [
        ("OPS-1234", "OPS-1234"),
        ("SRE2-7", "SRE2-7"),
        ("ops-1", "OPS-1"),
        (" INC0012345 ", "INC0012345"),
        ("ritm0012345", "RITM0012345"),
        (
            "https://acme.atlassian.net/browse/OPS-1234",
            "https://acme.atlassian.net/browse/OPS-1234",
        ),
    ] {
        assert_eq!(ticket_reference(raw).unwrap(), stored, "{raw}");
    }
    for bad in [
        "OPS1234",
        "OPS-",
        "-12",
        "OPS-12a",
        "ftp://x/1",
        "https://",
        "INC12",
        "see the ticket",
    ] {
        let err = ticket_reference(bad).unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field: Some(f), .. } if f == "ticket"),
            "{bad}: {err:?}"
        );
    }
    let huge = "A".repeat(5000);
    let message = ticket_reference(&huge).unwrap_err().to_string();
    assert!(message.len() < 120, "the error does not echo the input: {message}");
    let long_bad = format!("x{}", "y".repeat(150));
    let message = ticket_reference(&long_bad).unwrap_err().to_string();
    assert!(message.len() < 200 && message.contains('…'), "{message}");
}

#[test]
fn activation_sets_the_end_and_scheduled_starts_wait() {
    let r = request().decide_now(&senior(1), Verdict::Approve, "", t0()).unwrap();
    let active = r.activate(t0() + Duration::minutes(1)).unwrap();
    assert_eq!(active.status, Status::Active);
    assert_eq!(active.ends_at, Some(t0() + Duration::minutes(61)));
    let mut scheduled = request();
    scheduled.starts_at = Some(t0() + Duration::hours(3));
    let approved = scheduled.decide_now(&senior(1), Verdict::Approve, "", t0()).unwrap();
    assert!(!approved.start_due(t0()));
    assert_eq!(code(approved.clone().activate(t0()).unwrap_err()), "not_started");
    assert!(approved.activate(t0() + Duration::hours(3)).is_ok());
    assert_eq!(code(request().activate(t0()).unwrap_err()), "request_not_pending");
}

#[test]
fn only_the_requester_cancels_and_only_before_access_starts() {
    assert_eq!(code(request().cancel(&senior(1), t0()).unwrap_err()), "forbidden");
    let active = request()
        .decide_now(&senior(1), Verdict::Approve, "", t0())
        .unwrap()
        .activate(t0())
        .unwrap();
    assert_eq!(
        code(active.cancel(&requester(), t0()).unwrap_err()),
        "request_not_pending"
    );
}

#[test]
fn revoke_by_requester_lead_or_admin_only() {
    let active = request()
        .decide_now(&senior(1), Verdict::Approve, "", t0())
        .unwrap()
        .activate(t0())
        .unwrap();
    assert_eq!(
        code(active.clone().revoke(&senior(2), "", t0()).unwrap_err()),
        "forbidden"
    );
    for who in [requester(), lead(), person("ada@example.com", &[Admin])] {
        let ended = active.clone().revoke(&who, "done", t0()).unwrap();
        assert_eq!(
            (ended.status, ended.end_reason),
            (Status::Ended, Some(EndReason::Revoked))
        );
    }
    assert_eq!(
        code(request().revoke(&lead(), "", t0()).unwrap_err()),
        "request_not_active"
    );
}

#[test]
fn ended_requests_never_become_active_again() {
    let active = request()
        .decide_now(&senior(1), Verdict::Approve, "", t0())
        .unwrap()
        .activate(t0())
        .unwrap();
    let ended = active.clone().expire(t0() + Duration::minutes(60)).unwrap();
    assert_eq!(ended.end_reason, Some(EndReason::Expired));
    assert_eq!(
        code(ended.clone().activate(t0() + Duration::hours(2)).unwrap_err()),
        "request_not_pending"
    );
    assert_eq!(
        code(ended.clone().expire(t0() + Duration::hours(2)).unwrap_err()),
        "request_not_active"
    );
    assert_eq!(
        code(ended.clone().revoke(&lead(), "", t0()).unwrap_err()),
        "request_not_active"
    );
    assert_eq!(
        code(ended.decide_now(&senior(2), Verdict::Approve, "", t0()).unwrap_err()),
        "request_not_pending"
    );
    assert_eq!(
        code(active.expire(t0() + Duration::minutes(59)).unwrap_err()),
        "not_due"
    );
    for final_state in [Status::Rejected, Status::Cancelled, Status::TimedOut, Status::Ended] {
        let mut r = request();
        r.status = final_state;
        assert!(final_state.is_final());
        assert!(r.clone().activate(t0()).is_err());
        assert!(r.clone().decide_now(&senior(1), Verdict::Approve, "", t0()).is_err());
        assert!(r.clone().cancel(&requester(), t0()).is_err());
        assert!(r.time_out(t0() + Duration::days(1)).is_err());
    }
}

#[test]
fn credentials_only_for_the_grantee_while_active() {
    let active = request()
        .decide_now(&senior(1), Verdict::Approve, "", t0())
        .unwrap()
        .activate(t0())
        .unwrap();
    assert!(active.check_credentials(&requester(), t0()).is_ok());
    assert_eq!(code(active.check_credentials(&lead(), t0()).unwrap_err()), "forbidden");
    assert_eq!(
        code(
            active
                .check_credentials(&requester(), t0() + Duration::minutes(60))
                .unwrap_err()
        ),
        "grant_ended"
    );
    assert_eq!(
        code(request().check_credentials(&requester(), t0()).unwrap_err()),
        "request_not_active"
    );
}

#[test]
fn policy_bounds() {
    assert!(ApprovalPolicy::default().validate().is_ok());
    for bad in [
        ApprovalPolicy {
            approvals_required: 0,
            ..Default::default()
        },
        ApprovalPolicy {
            approvals_required: 4,
            ..Default::default()
        },
        ApprovalPolicy {
            approver_roles: [Engineer].into(),
            ..Default::default()
        },
        ApprovalPolicy {
            approver_roles: BTreeSet::new(),
            ..Default::default()
        },
        ApprovalPolicy {
            max_duration_minutes: 721,
            ..Default::default()
        },
        ApprovalPolicy {
            approval_window_minutes: 1,
            ..Default::default()
        },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
}

#[test]
fn asking_needs_a_requester_role_and_a_place_on_the_team() {
    let policy = ApprovalPolicy::default();
    let ask = ask_as;
    assert!(ask(&requester(), true, &policy).is_ok());
    let off_team = ask(&requester(), false, &policy).unwrap_err();
    assert!(
        off_team.to_string().contains("not on customer acme's team"),
        "{off_team}"
    );
    let admin = person("ada@example.com", &[Admin]);
    assert_eq!(code(ask(&admin, true, &policy).unwrap_err()), "forbidden");
    let seniors_only = ApprovalPolicy {
        requester_roles: [Senior].into(),
        ..Default::default()
    };
    assert_eq!(code(ask(&requester(), true, &seniors_only).unwrap_err()), "forbidden");
    assert!(ask(&senior(1), true, &seniors_only).is_ok());
}

#[test]
fn approvers_decide_for_their_teams_and_leads_for_any_customer_by_default() {
    let policy = ApprovalPolicy::default();
    let off = request().decide(&senior(1), false, &policy, Verdict::Approve, "", t0());
    assert_eq!(code(off.unwrap_err()), "forbidden", "a senior off the team");
    assert!(
        request()
            .decide(&lead(), false, &policy, Verdict::Approve, "", t0())
            .is_ok()
    );
    let team_only = ApprovalPolicy {
        approvers_off_team: BTreeSet::new(),
        ..Default::default()
    };
    let lead_off = request().decide(&lead(), false, &team_only, Verdict::Approve, "", t0());
    assert_eq!(
        code(lead_off.unwrap_err()),
        "forbidden",
        "a team-only policy binds leads too"
    );
}

#[test]
fn requests_are_seen_by_the_requester_their_deciders_leads_and_admins() {
    let r = request();
    assert!(r.visible_to(&requester(), false));
    assert!(r.visible_to(&senior(1), true), "a senior on the team may decide it");
    assert!(!r.visible_to(&senior(1), false), "a senior off the team may not");
    assert!(!r.visible_to(&person("eve@example.com", &[Engineer]), true));
    assert!(r.visible_to(&lead(), false));
    assert!(r.visible_to(&person("ada@example.com", &[Admin]), false));
    assert_eq!(code(r.seen_by(&senior(1), false).unwrap_err()), "not_found");
}

#[test]
fn pending_requests_are_judged_by_the_policy_at_decision_time() {
    let stricter = ApprovalPolicy {
        approvals_required: 2,
        version: 7,
        ..Default::default()
    };
    let r = request()
        .decide(&senior(1), true, &stricter, Verdict::Approve, "", t0())
        .unwrap();
    assert_eq!(r.status, Status::Pending, "two approvals are needed now");
    assert_eq!((r.approvals_required, r.policy_version), (2, 7));

    let ticket_now_required = ApprovalPolicy {
        ticket_required: true,
        ..Default::default()
    };
    let mut no_ticket = request();
    no_ticket.ticket = None;
    let err = no_ticket
        .clone()
        .decide(&senior(1), true, &ticket_now_required, Verdict::Approve, "", t0())
        .unwrap_err();
    assert_eq!(code(err), "policy_not_met");
    let rejected = no_ticket
        .decide(
            &senior(1),
            true,
            &ticket_now_required,
            Verdict::Reject,
            "no ticket",
            t0(),
        )
        .unwrap();
    assert_eq!(rejected.status, Status::Rejected, "rejecting is always possible");
    assert_eq!(rejected.end_reason, Some(EndReason::Rejected));

    let shorter = ApprovalPolicy {
        max_duration_minutes: 30,
        ..Default::default()
    };
    let err = request()
        .decide(&senior(1), true, &shorter, Verdict::Approve, "", t0())
        .unwrap_err();
    assert_eq!(code(err), "policy_not_met");
    let pattern = ApprovalPolicy {
        ticket_pattern: Some("CHG[0-9]{7}".into()),
        ..Default::default()
    };
    let err = request()
        .decide(&senior(1), true, &pattern, Verdict::Approve, "", t0())
        .unwrap_err();
    assert_eq!(code(err), "policy_not_met", "OPS-1234 does not match CHGnnnnnnn");
}

#[test]
fn a_customer_ticket_pattern_replaces_the_common_forms() {
    let policy = ApprovalPolicy {
        ticket_pattern: Some("CHG[0-9]{7}".into()),
        ..Default::default()
    };
    policy.validate().unwrap();
    assert_eq!(policy.ticket(" chg0034567 ").unwrap(), "chg0034567");
    let err = policy.ticket("OPS-1234").unwrap_err();
    assert!(matches!(&err, Error::Validation { field: Some(f), .. } if f == "ticket"));
    assert!(err.to_string().contains("CHG[0-9]{7}"), "{err}");
    let long = format!("CHG{}", "1".repeat(500));
    let message = policy.ticket(&long).unwrap_err().to_string();
    assert!(message.len() < 200, "never echoes the input whole: {message}");
    for bad in ["(", "", "x".repeat(201).as_str()] {
        let p = ApprovalPolicy {
            ticket_pattern: Some(bad.to_string()),
            ..Default::default()
        };
        let err = p.validate().unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field: Some(f), .. } if f == "ticket_pattern"),
            "{bad}: {err}"
        );
    }
    assert_eq!(ApprovalPolicy::default().ticket("ops-1").unwrap(), "OPS-1");
}

#[test]
fn reads_show_the_state_as_of_now() {
    let r = request();
    let late = r.approval_deadline + Duration::seconds(5);
    let shown = r.clone().as_of(late);
    assert_eq!(shown.status, Status::TimedOut);
    assert_eq!(shown.ended_at, Some(r.approval_deadline));
    assert_eq!(shown.end_reason, Some(EndReason::TimedOut));
    assert_eq!(r.clone().as_of(t0()).status, Status::Pending);

    let active = request_with(&ApprovalPolicy::default())
        .decide_now(&senior(1), Verdict::Approve, "", t0())
        .unwrap()
        .activate(t0())
        .unwrap();
    let end = active.ends_at.unwrap();
    let shown = active.clone().as_of(end + Duration::minutes(3));
    assert_eq!(shown.status, Status::Ended);
    assert_eq!(
        (shown.ended_at, shown.end_reason),
        (Some(end), Some(EndReason::Expired))
    );
    assert_eq!(active.clone().as_of(end - Duration::seconds(1)).status, Status::Active);
}

#[test]
fn withdrawing_revokes_grants_and_cancels_requests() {
    let pending = request().withdraw("ada@example.com", "account deleted", t0()).unwrap();
    assert_eq!(
        (pending.status, pending.end_reason),
        (Status::Cancelled, Some(EndReason::Cancelled))
    );
    let active = request()
        .decide_now(&senior(1), Verdict::Approve, "", t0())
        .unwrap()
        .activate(t0())
        .unwrap()
        .withdraw(SYSTEM, "customer offboarded", t0())
        .unwrap();
    assert_eq!(
        (active.status, active.end_reason),
        (Status::Ended, Some(EndReason::Revoked))
    );
    assert!(active.history.last().unwrap().what.contains("customer offboarded"));
    assert_eq!(
        code(active.withdraw(SYSTEM, "again", t0()).unwrap_err()),
        "request_not_pending"
    );
}

#[test]
fn a_policy_patch_changes_only_what_it_names() {
    let current = ApprovalPolicy {
        approvals_required: 2,
        ticket_required: true,
        ticket_pattern: Some("OPS-[0-9]+".into()),
        version: 3,
        ..Default::default()
    };
    let patch: policy::PolicyPatch = serde_json::from_str(r#"{"max_duration_minutes": 60, "version": 3}"#).unwrap();
    let after = patch.apply(current.clone());
    assert_eq!(after.max_duration_minutes, 60);
    assert_eq!((after.approvals_required, after.ticket_required), (2, true));
    assert_eq!(after.ticket_pattern.as_deref(), Some("OPS-[0-9]+"), "left out: kept");
    let clear: policy::PolicyPatch = serde_json::from_str(r#"{"ticket_pattern": null, "version": 3}"#).unwrap();
    assert_eq!(
        clear.apply(current).ticket_pattern,
        None,
        "null: back to the common forms"
    );
    let missing_version = serde_json::from_str::<policy::PolicyPatch>(r#"{"ticket_required": false}"#);
    assert!(missing_version.is_err());
    let put_without_pattern = serde_json::from_str::<ApprovalPolicy>(
        r#"{"approvals_required":1,"approver_roles":["senior"],"max_duration_minutes":60,"approval_window_minutes":60,"ticket_required":false,"requester_roles":["engineer"],"approvers_off_team":[]}"#,
    );
    assert!(
        put_without_pattern.unwrap_err().to_string().contains("ticket_pattern"),
        "a PUT names every field"
    );
}

#[test]
fn off_team_approvers_must_be_able_to_approve_when_either_list_changes() {
    let before = ApprovalPolicy::default();
    assert!(
        before.approvers_off_team.is_subset(&before.approver_roles),
        "the defaults mean what they say"
    );
    let idle = ApprovalPolicy {
        approvers_off_team: [Role::Lead, Role::Admin].into(),
        ..Default::default()
    };
    let err = idle.validate_change(&before).unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field: Some(f), .. } if f == "approvers_off_team"),
        "{err}"
    );
    assert!(err.to_string().contains("admin"), "{err}");
    let narrowed = ApprovalPolicy {
        approver_roles: [Role::Senior].into(),
        ..Default::default()
    };
    assert!(
        narrowed.validate_change(&before).is_err(),
        "lead off-team but no longer an approver"
    );
    let with_admin = ApprovalPolicy {
        approver_roles: [Role::Senior, Role::Lead, Role::Admin].into(),
        approvers_off_team: [Role::Lead, Role::Admin].into(),
        ..Default::default()
    };
    with_admin.validate_change(&before).unwrap();
    // A policy stored before the rule stays editable in its other fields.
    let stored = ApprovalPolicy {
        approvers_off_team: [Role::Lead, Role::Admin].into(),
        ..Default::default()
    };
    let patched = ApprovalPolicy {
        approvals_required: 2,
        ..stored.clone()
    };
    patched.validate_change(&stored).unwrap();
}
