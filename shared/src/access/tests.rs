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
    AccessRequest::create(
        "r1".into(),
        &requester(),
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
    .unwrap()
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

fn code(e: Error) -> String {
    match e {
        Error::Forbidden(_) => "forbidden".into(),
        other => other.code().to_string(),
    }
}

#[test]
fn one_senior_approval_approves_by_default() {
    let r = request().decide(&senior(1), Verdict::Approve, "ok", t0()).unwrap();
    assert_eq!(r.status, Status::Approved);
}

#[test]
fn requester_can_never_approve_even_as_a_lead() {
    let mut r = request();
    r.requester = lead().email;
    assert_eq!(
        code(r.decide(&lead(), Verdict::Approve, "", t0()).unwrap_err()),
        "forbidden"
    );
}

#[test]
fn same_approver_twice_counts_once() {
    let r = request_with(&two_approvers())
        .decide(&senior(1), Verdict::Approve, "", t0())
        .unwrap();
    assert_eq!(r.status, Status::Pending);
    let err = r.clone().decide(&senior(1), Verdict::Approve, "", t0()).unwrap_err();
    assert_eq!(code(err), "already_decided");
    let r = r.decide(&senior(2), Verdict::Approve, "", t0()).unwrap();
    assert_eq!(r.status, Status::Approved);
    assert_eq!(r.approvals(), 2);
}

#[test]
fn engineers_and_admins_outside_the_approver_roles_do_not_count() {
    let eng = person("other@example.com", &[Engineer]);
    assert_eq!(
        code(request().decide(&eng, Verdict::Approve, "", t0()).unwrap_err()),
        "forbidden"
    );
    let admin = person("ada@example.com", &[Admin]);
    assert_eq!(
        code(request().decide(&admin, Verdict::Approve, "", t0()).unwrap_err()),
        "forbidden"
    );
    let policy = ApprovalPolicy {
        approver_roles: [Admin].into(),
        ..Default::default()
    };
    assert!(request_with(&policy).decide(&admin, Verdict::Approve, "", t0()).is_ok());
    assert_eq!(
        code(
            request_with(&policy)
                .decide(&senior(1), Verdict::Approve, "", t0())
                .unwrap_err()
        ),
        "forbidden"
    );
}

#[test]
fn approving_after_the_window_is_refused() {
    let late = t0() + Duration::minutes(120);
    let err = request().decide(&senior(1), Verdict::Approve, "", late).unwrap_err();
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
    let approved = request().decide(&senior(1), Verdict::Approve, "", t0()).unwrap();
    assert_eq!(
        code(
            approved
                .clone()
                .decide(&senior(2), Verdict::Approve, "", t0())
                .unwrap_err()
        ),
        "request_not_pending"
    );
    let rejected = request()
        .decide(&senior(1), Verdict::Reject, "not needed", t0())
        .unwrap();
    assert_eq!(rejected.status, Status::Rejected);
    assert_eq!(
        code(
            rejected
                .clone()
                .decide(&senior(2), Verdict::Approve, "", t0())
                .unwrap_err()
        ),
        "request_not_pending"
    );
    let cancelled = request().cancel(&requester(), t0()).unwrap();
    assert_eq!(
        code(cancelled.decide(&senior(2), Verdict::Approve, "", t0()).unwrap_err()),
        "request_not_pending"
    );
}

#[test]
fn a_rejection_needs_a_reason() {
    let err = request().decide(&senior(1), Verdict::Reject, "  ", t0()).unwrap_err();
    assert_eq!(code(err), "validation_failed");
}

#[test]
fn durations_beyond_the_maximum_are_refused_at_request_time() {
    let policy = ApprovalPolicy::default();
    let make = |d: u32, p: &ApprovalPolicy| {
        AccessRequest::create(
            "r".into(),
            &requester(),
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
fn justification_and_ticket_are_checked() {
    let mut n = new_request(60);
    n.justification = "fix".into();
    let r = AccessRequest::create(
        "r".into(),
        &requester(),
        n,
        CustomerCode::parse("acme").unwrap(),
        "x".into(),
        (RoleArn::parse("arn:aws:iam::012345678901:role/B").unwrap(), None, 3600),
        &ApprovalPolicy::default(),
        t0(),
    );
    assert!(matches!(r, Err(Error::Validation { field: Some(f), .. }) if f == "justification"));
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
    let r = request().decide(&senior(1), Verdict::Approve, "", t0()).unwrap();
    let active = r.activate(t0() + Duration::minutes(1)).unwrap();
    assert_eq!(active.status, Status::Active);
    assert_eq!(active.ends_at, Some(t0() + Duration::minutes(61)));
    let mut scheduled = request();
    scheduled.starts_at = Some(t0() + Duration::hours(3));
    let approved = scheduled.decide(&senior(1), Verdict::Approve, "", t0()).unwrap();
    assert!(!approved.start_due(t0()));
    assert_eq!(code(approved.clone().activate(t0()).unwrap_err()), "not_started");
    assert!(approved.activate(t0() + Duration::hours(3)).is_ok());
    assert_eq!(code(request().activate(t0()).unwrap_err()), "request_not_pending");
}

#[test]
fn only_the_requester_cancels_and_only_before_access_starts() {
    assert_eq!(code(request().cancel(&senior(1), t0()).unwrap_err()), "forbidden");
    let active = request()
        .decide(&senior(1), Verdict::Approve, "", t0())
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
        .decide(&senior(1), Verdict::Approve, "", t0())
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
        .decide(&senior(1), Verdict::Approve, "", t0())
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
        code(ended.decide(&senior(2), Verdict::Approve, "", t0()).unwrap_err()),
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
        assert!(r.clone().decide(&senior(1), Verdict::Approve, "", t0()).is_err());
        assert!(r.clone().cancel(&requester(), t0()).is_err());
        assert!(r.time_out(t0() + Duration::days(1)).is_err());
    }
}

#[test]
fn credentials_only_for_the_grantee_while_active() {
    let active = request()
        .decide(&senior(1), Verdict::Approve, "", t0())
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
