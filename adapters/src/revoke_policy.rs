//! The IAM role guard's policy document, as pure functions: which sessions of a breakglass role are
//! denied, one statement per person whose grant ended.
//!
//! Why: STS sessions cannot be cancelled, and credentials minted near the end of a grant live on
//! (STS's minimum is 900 s). So ending a grant (early revoke or natural end) writes a Deny on the
//! role for the sessions that carry the grant's requester as `aws:SourceIdentity` (the broker sets
//! it on every AssumeRole, and role chaining cannot change it) and were issued before the end
//! (`aws:TokenIssueTime`). Other people's overlapping grants on the same role keep working, and the
//! same person's later grant works too: its sessions are issued after the end.
//!
//! The document lives in one inline policy ([`POLICY_NAME`]) and is rewritten whole on every end
//! (read, [`with_deny`], write), so it must stay small. IAM limits the inline policies of a role to
//! 10,240 characters in aggregate, not counting white space (the "Role policy size" quota,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>). This policy keeps to
//! [`BUDGET`], which leaves room for the role's other inline policies (onboarding's own, granting
//! the role `iam:GetRolePolicy`/`iam:PutRolePolicy` on itself). To stay inside it:
//! 1. one statement per source identity: a later end for the same person replaces the earlier
//!    statement, whose sessions it covers;
//! 2. statements older than the longest a session can live ([`LONGEST_SESSION`], the IAM ceiling
//!    for a role's maximum session duration, plus [`MARGIN`]) are dropped: every session they deny
//!    has expired anyway;
//! 3. if the document is still over budget, the oldest statements are merged into one that lists
//!    their identities with the latest of their times. This errs towards denying: a person in the
//!    merged statement who holds a newer grant that started before the merged time loses the
//!    sessions minted before it and must fetch new credentials. As a last resort (hundreds of
//!    distinct people within 12 hours) the merged statement drops the identity list and denies
//!    every session issued before its time except the role guard's own.
//!
//! The role guard's own session (source identity [`ROLE_GUARD_SOURCE_IDENTITY`]) is never denied:
//! that identity is refused as a target and the catch-all statement excludes it by name.
//! Statement ids encode nothing (`CCEnd0`, `CCEnd1`, ...; IAM allows only `[A-Za-z0-9]` in a `Sid`).
//! Statements this module did not write are kept as they are.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

pub use cc_domain::access::ports::ROLE_GUARD_SOURCE_IDENTITY;

/// The inline policy's name (kept from the earlier role-wide deny, which [`with_deny`] takes over).
pub const POLICY_NAME: &str = "CustomerCentralRevokeOlderSessions";
/// IAM's limit for all inline policies of a role together, in non-white-space characters.
pub const IAM_ROLE_INLINE_LIMIT: usize = 10_240;
/// What this policy may use of [`IAM_ROLE_INLINE_LIMIT`]; the rest is left to the role's other
/// inline policies.
pub const BUDGET: usize = 8_192;
const _: () = assert!(BUDGET <= IAM_ROLE_INLINE_LIMIT);
/// The longest any role session can live: IAM's ceiling for a role's maximum session duration
/// (12 h). Sessions Customer Central mints are role-chained and last at most 1 h, but the ceiling
/// holds whatever the role's setting and however a session was obtained.
pub const LONGEST_SESSION: Duration = Duration::seconds(43_200);
/// Slack for clock differences before a statement is considered spent.
pub const MARGIN: Duration = Duration::minutes(10);

const SID_PREFIX: &str = "CCEnd";
const SOURCE_IDENTITY: &str = "aws:SourceIdentity";
const TOKEN_ISSUE_TIME: &str = "aws:TokenIssueTime";

#[derive(Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// The role guard's own session is never denied.
    GuardIdentity,
    EmptyIdentity,
    /// The current document is not JSON.
    Unreadable(String),
    /// Over [`BUDGET`] even after compaction (statements of others take the room).
    TooLarge(usize),
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::GuardIdentity => {
                write!(
                    f,
                    "the role guard's own session ({ROLE_GUARD_SOURCE_IDENTITY}) is never denied"
                )
            }
            PolicyError::EmptyIdentity => write!(f, "a source identity is required"),
            PolicyError::Unreadable(e) => write!(f, "the role's revocation policy is not a policy document: {e}"),
            PolicyError::TooLarge(n) => {
                write!(
                    f,
                    "the revocation policy needs {n} characters, over its budget of {BUDGET}"
                )
            }
        }
    }
}

impl std::error::Error for PolicyError {}

/// Whose sessions a statement denies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    /// Sessions whose source identity is one of these.
    People(BTreeSet<String>),
    /// Every session but the role guard's own (the last resort of compaction; also how the earlier
    /// role-wide statement is read).
    Everyone,
}

impl Who {
    fn includes(&self, identity: &str) -> bool {
        match self {
            Who::People(p) => p.contains(identity),
            Who::Everyone => true,
        }
    }
    fn union(self, other: Who) -> Who {
        match (self, other) {
            (Who::People(mut a), Who::People(b)) => {
                a.extend(b);
                Who::People(a)
            }
            _ => Who::Everyone,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Deny {
    who: Who,
    /// Whole seconds.
    issued_before: OffsetDateTime,
}

#[derive(Debug, Default)]
struct Policy {
    denies: Vec<Deny>,
    /// Statements this module did not write, kept verbatim.
    other: Vec<Value>,
}

/// The deny time for sessions issued before `t`: rounded up to the next whole second, so a session
/// issued in the same second as the end is denied too (`aws:TokenIssueTime` has whole seconds).
pub fn deny_time(t: OffsetDateTime) -> OffsetDateTime {
    match t.nanosecond() {
        0 => t,
        _ => t.replace_nanosecond(0).unwrap_or(t) + Duration::seconds(1),
    }
}

/// Size as IAM counts it: characters that are not white space.
pub fn iam_size(doc: &str) -> usize {
    doc.chars().filter(|c| !c.is_whitespace()).count()
}

/// The document after denying `source_identity`'s sessions issued before `issued_before`, given the
/// current document (`None`: the policy does not exist yet) and the time now. Minified JSON.
pub fn with_deny(
    current: Option<&str>,
    source_identity: &str,
    issued_before: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<String, PolicyError> {
    check_identity(source_identity)?;
    let mut policy = parse(current)?;
    let at = deny_time(issued_before);
    if !policy.covers(source_identity, at) {
        for d in &mut policy.denies {
            if let Who::People(p) = &mut d.who
                && d.issued_before <= at
            {
                p.remove(source_identity);
            }
        }
        policy.denies.retain(|d| d.who != Who::People(BTreeSet::new()));
        policy.denies.push(Deny {
            who: Who::People(BTreeSet::from([source_identity.to_string()])),
            issued_before: at,
        });
    }
    policy.prune(now);
    policy.compact()
}

/// Whether `doc` denies `source_identity`'s sessions issued before `issued_before` (a statement
/// naming the identity, or the catch-all, with the same or a later time). The role guard reads the
/// policy back with this after writing it.
pub fn denies(doc: Option<&str>, source_identity: &str, issued_before: OffsetDateTime) -> bool {
    parse(doc).is_ok_and(|p| p.covers(source_identity, deny_time(issued_before)))
}

/// Whether `doc` could deny the role guard's own session: any statement of ours naming its
/// identity (there is none by construction; tests and the role guard check).
pub fn denies_role_guard(doc: &str) -> bool {
    parse(Some(doc)).is_ok_and(|p| {
        p.denies
            .iter()
            .any(|d| matches!(&d.who, Who::People(people) if people.contains(ROLE_GUARD_SOURCE_IDENTITY)))
    })
}

fn check_identity(identity: &str) -> Result<(), PolicyError> {
    if identity.is_empty() {
        return Err(PolicyError::EmptyIdentity);
    }
    if identity == ROLE_GUARD_SOURCE_IDENTITY {
        return Err(PolicyError::GuardIdentity);
    }
    Ok(())
}

impl Policy {
    fn covers(&self, identity: &str, at: OffsetDateTime) -> bool {
        self.denies
            .iter()
            .any(|d| d.issued_before >= at && d.who.includes(identity))
    }

    fn prune(&mut self, now: OffsetDateTime) {
        let spent = now - LONGEST_SESSION - MARGIN;
        self.denies.retain(|d| d.issued_before >= spent);
    }

    /// Renders the document, merging the oldest statements until it fits the budget.
    fn compact(mut self) -> Result<String, PolicyError> {
        self.denies
            .sort_by(|a, b| (a.issued_before, &a.who).cmp(&(b.issued_before, &b.who)));
        loop {
            let doc = self.render();
            let size = iam_size(&doc);
            if size <= BUDGET {
                return Ok(doc);
            }
            match self.denies.len() {
                0 => return Err(PolicyError::TooLarge(size)),
                1 if self.denies[0].who == Who::Everyone => return Err(PolicyError::TooLarge(size)),
                1 => self.denies[0].who = Who::Everyone,
                _ => {
                    // Sorted by time: the merged statement takes the second's (later) time and
                    // stays first.
                    let oldest = self.denies.remove(0);
                    let next = &mut self.denies[0];
                    next.who = oldest.who.union(std::mem::replace(&mut next.who, Who::Everyone));
                }
            }
        }
    }

    fn render(&self) -> String {
        let mut statements: Vec<Value> = self.other.clone();
        for (i, d) in self.denies.iter().enumerate() {
            let who = match &d.who {
                Who::People(p) if p.len() == 1 => {
                    json!({"StringEquals": {SOURCE_IDENTITY: p.iter().next().cloned().unwrap_or_default()}})
                }
                Who::People(p) => json!({"StringEquals": {SOURCE_IDENTITY: p}}),
                Who::Everyone => json!({"StringNotEquals": {SOURCE_IDENTITY: ROLE_GUARD_SOURCE_IDENTITY}}),
            };
            let mut condition = who;
            condition["DateLessThan"] = json!({TOKEN_ISSUE_TIME: cc_domain::access::rfc3339(d.issued_before)});
            statements.push(json!({
                "Sid": format!("{SID_PREFIX}{i}"),
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": condition,
            }));
        }
        json!({"Version": "2012-10-17", "Statement": statements}).to_string()
    }
}

fn parse(doc: Option<&str>) -> Result<Policy, PolicyError> {
    let Some(doc) = doc.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(Policy::default());
    };
    let value: Value = serde_json::from_str(doc).map_err(|e| PolicyError::Unreadable(e.to_string()))?;
    let statements = match &value["Statement"] {
        Value::Array(list) => list.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    };
    let mut policy = Policy::default();
    for s in statements {
        match read_deny(&s) {
            Some(d) => policy.denies.push(d),
            None => policy.other.push(s),
        }
    }
    Ok(policy)
}

/// A statement this module writes (or the earlier role-wide "revoke older sessions" statement):
/// Deny `*` on `*`, a `DateLessThan aws:TokenIssueTime`, and either `StringEquals
/// aws:SourceIdentity` (who), `StringNotEquals aws:SourceIdentity` = the role guard (everyone
/// else), or nothing more (everyone: the earlier statement).
fn read_deny(s: &Value) -> Option<Deny> {
    let all = |v: &Value| v == "*" || *v == json!(["*"]);
    if s["Effect"] != "Deny" || !all(&s["Action"]) || !all(&s["Resource"]) {
        return None;
    }
    let condition = s["Condition"].as_object()?;
    let time = condition.get("DateLessThan")?.as_object()?;
    if time.len() != 1 {
        return None;
    }
    let time = time.get(TOKEN_ISSUE_TIME)?.as_str()?;
    let time = OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339).ok()?;
    let who = match condition.len() {
        1 => Who::Everyone,
        2 => {
            if let Some(equals) = condition.get("StringEquals") {
                let equals = equals.as_object().filter(|o| o.len() == 1)?;
                let people: BTreeSet<String> = match equals.get(SOURCE_IDENTITY)? {
                    Value::String(one) => BTreeSet::from([one.clone()]),
                    Value::Array(many) => many
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<_>>()?,
                    _ => return None,
                };
                if people.is_empty() {
                    return None;
                }
                Who::People(people)
            } else {
                let not = condition.get("StringNotEquals")?.as_object().filter(|o| o.len() == 1)?;
                if not.get(SOURCE_IDENTITY)? != ROLE_GUARD_SOURCE_IDENTITY {
                    return None;
                }
                Who::Everyone
            }
        }
        _ => return None,
    };
    Some(Deny {
        who,
        issued_before: deny_time(time),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-29 10:00:00 UTC);

    fn doc(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    fn statements(s: &str) -> Vec<Value> {
        doc(s)["Statement"].as_array().unwrap().clone()
    }

    /// Every identity a statement names under `StringEquals aws:SourceIdentity`.
    fn named(st: &Value) -> Vec<String> {
        match &st["Condition"]["StringEquals"][SOURCE_IDENTITY] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn one_end_denies_that_persons_sessions_only() {
        let d = with_deny(None, "erin@example.com", T0, T0).unwrap();
        assert_eq!(
            doc(&d),
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "CCEnd0", "Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceIdentity": "erin@example.com"},
                    "DateLessThan": {"aws:TokenIssueTime": "2026-11-29T10:00:00Z"}
                }
            }]})
        );
        assert!(!d.contains(' ') && !d.contains('\n'), "minified: {d}");
        assert!(denies(Some(&d), "erin@example.com", T0));
        assert!(
            !denies(Some(&d), "frank@example.com", T0),
            "frank's sessions are not denied"
        );
        assert!(!denies(Some(&d), "erin@example.com", T0 + Duration::seconds(5)));
    }

    #[test]
    fn a_part_second_rounds_up() {
        let d = with_deny(None, "erin@example.com", T0 + Duration::milliseconds(300), T0).unwrap();
        assert_eq!(
            statements(&d)[0]["Condition"]["DateLessThan"][TOKEN_ISSUE_TIME],
            "2026-11-29T10:00:01Z"
        );
    }

    #[test]
    fn one_statement_per_identity_and_a_later_end_replaces_the_earlier() {
        let d = with_deny(None, "erin@example.com", T0, T0).unwrap();
        let d = with_deny(Some(&d), "frank@example.com", T0 + Duration::minutes(1), T0).unwrap();
        let d = with_deny(Some(&d), "erin@example.com", T0 + Duration::minutes(2), T0).unwrap();
        let st = statements(&d);
        assert_eq!(st.len(), 2, "{d}");
        let erin: Vec<&Value> = st.iter().filter(|s| named(s) == ["erin@example.com"]).collect();
        assert_eq!(erin.len(), 1);
        assert_eq!(
            erin[0]["Condition"]["DateLessThan"][TOKEN_ISSUE_TIME],
            "2026-11-29T10:02:00Z"
        );
        assert!(denies(Some(&d), "frank@example.com", T0 + Duration::minutes(1)));
        let sids: BTreeSet<&str> = st.iter().map(|s| s["Sid"].as_str().unwrap()).collect();
        assert_eq!(sids.len(), st.len(), "unique sids");
        assert!(
            sids.iter().all(|s| s.chars().all(|c| c.is_ascii_alphanumeric())),
            "{sids:?}"
        );
    }

    #[test]
    fn an_earlier_end_arriving_late_changes_nothing() {
        let d = with_deny(None, "erin@example.com", T0 + Duration::minutes(5), T0).unwrap();
        let again = with_deny(Some(&d), "erin@example.com", T0, T0).unwrap();
        assert_eq!(d, again);
        assert_eq!(
            with_deny(Some(&d), "erin@example.com", T0 + Duration::minutes(5), T0).unwrap(),
            d
        );
    }

    #[test]
    fn statements_whose_sessions_have_all_expired_are_dropped() {
        let d = with_deny(None, "old@example.com", T0, T0).unwrap();
        let d = with_deny(Some(&d), "recent@example.com", T0 + Duration::hours(6), T0).unwrap();
        let still = T0 + LONGEST_SESSION + MARGIN;
        let kept = with_deny(Some(&d), "erin@example.com", still, still).unwrap();
        assert!(
            denies(Some(&kept), "old@example.com", T0),
            "a 12 h session may still be alive"
        );
        let later = still + Duration::seconds(1);
        let pruned = with_deny(Some(&d), "erin@example.com", later, later).unwrap();
        assert!(!pruned.contains("old@example.com"), "{pruned}");
        assert!(denies(Some(&pruned), "recent@example.com", T0 + Duration::hours(6)));
        assert!(denies(Some(&pruned), "erin@example.com", later));
    }

    #[test]
    fn compaction_keeps_the_document_within_budget_and_everyone_denied() {
        let mut d: Option<String> = None;
        let mut latest = std::collections::BTreeMap::new();
        for i in 0..400 {
            let who = format!("first.last.{:02}@customer-example.com", (i * 7) % 60);
            let at = T0 + Duration::seconds(i * 20);
            d = Some(with_deny(d.as_deref(), &who, at, at).unwrap());
            latest.insert(who, at);
            let size = iam_size(d.as_deref().unwrap());
            assert!(size <= BUDGET, "{size}");
        }
        let d = d.unwrap();
        for (who, at) in &latest {
            assert!(denies(Some(&d), who, *at), "{who} at {at} is covered");
        }
        let st = statements(&d);
        assert!(
            st.iter().any(|s| named(s).len() > 1),
            "merged into a statement with a list: {d}"
        );
        // The newest ends keep their own statements.
        let newest = latest.iter().max_by_key(|(_, at)| **at).unwrap().0;
        assert!(st.iter().any(|s| named(s) == [newest.clone()]));
        assert!(!denies_role_guard(&d));
    }

    #[test]
    fn merged_statements_take_the_latest_time() {
        let mut d: Option<String> = None;
        for i in 0..120 {
            let at = T0 + Duration::seconds(i);
            d = Some(with_deny(d.as_deref(), &format!("p{i:03}@example.com"), at, at).unwrap());
        }
        let st = statements(d.as_deref().unwrap());
        let merged: Vec<&Value> = st.iter().filter(|s| named(s).len() > 1).collect();
        assert_eq!(merged.len(), 1);
        let people = named(merged[0]);
        assert!(people.contains(&"p000@example.com".to_string()));
        let newest_merged = people.iter().max().unwrap();
        let n: i64 = newest_merged[1..4].parse().unwrap();
        assert_eq!(
            merged[0]["Condition"]["DateLessThan"][TOKEN_ISSUE_TIME],
            cc_domain::access::rfc3339(T0 + Duration::seconds(n)).as_str()
        );
    }

    #[test]
    fn the_role_guards_own_session_is_never_denied() {
        assert_eq!(
            with_deny(None, ROLE_GUARD_SOURCE_IDENTITY, T0, T0),
            Err(PolicyError::GuardIdentity)
        );
        assert_eq!(with_deny(None, "", T0, T0), Err(PolicyError::EmptyIdentity));
        // Even the last-resort catch-all leaves it out.
        let mut d: Option<String> = None;
        for i in 0..600 {
            let who = format!("{i:04}{}@example.com", "x".repeat(40));
            d = Some(with_deny(d.as_deref(), &who, T0, T0).unwrap());
        }
        let d = d.unwrap();
        let st = statements(&d);
        assert!(iam_size(&d) <= BUDGET);
        assert!(
            st.iter()
                .all(|s| !named(s).contains(&ROLE_GUARD_SOURCE_IDENTITY.to_string())),
            "{d}"
        );
        let everyone: Vec<&Value> = st
            .iter()
            .filter(|s| s["Condition"].get("StringNotEquals").is_some())
            .collect();
        assert_eq!(everyone.len(), 1, "{d}");
        assert_eq!(
            everyone[0]["Condition"]["StringNotEquals"][SOURCE_IDENTITY],
            ROLE_GUARD_SOURCE_IDENTITY
        );
        assert!(denies(
            Some(&d),
            "0000xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@example.com",
            T0
        ));
        assert!(!denies_role_guard(&d));
        // Every statement carries a source identity condition, so no statement matches a session
        // by time alone.
        assert!(st.iter().all(|s| {
            let c = s["Condition"].as_object().unwrap();
            c.contains_key("StringEquals") || c.contains_key("StringNotEquals")
        }));
    }

    #[test]
    fn the_earlier_role_wide_statement_is_taken_over_until_it_is_spent() {
        let legacy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"CustomerCentralRevokeOlderSessions","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-29T09:00:00Z"}}}]}"#;
        let d = with_deny(Some(legacy), "erin@example.com", T0, T0).unwrap();
        assert!(denies(
            Some(&d),
            "anyone@example.com",
            datetime!(2026-11-29 09:00:00 UTC)
        ));
        assert!(!denies(Some(&d), "anyone@example.com", T0));
        assert!(!d.contains("CustomerCentralRevokeOlderSessions"), "{d}");
        let late = T0 + Duration::hours(13);
        let d = with_deny(Some(&d), "frank@example.com", late, late).unwrap();
        assert!(!denies(
            Some(&d),
            "anyone@example.com",
            datetime!(2026-11-29 09:00:00 UTC)
        ));
    }

    #[test]
    fn statements_of_others_are_kept_and_unreadable_documents_refused() {
        let foreign =
            r#"{"Version":"2012-10-17","Statement":{"Sid":"Theirs","Effect":"Deny","Action":"s3:*","Resource":"*"}}"#;
        let d = with_deny(Some(foreign), "erin@example.com", T0, T0).unwrap();
        let st = statements(&d);
        assert_eq!(st[0]["Sid"], "Theirs");
        assert_eq!(st.len(), 2);
        assert!(matches!(
            with_deny(Some("not json"), "erin@example.com", T0, T0),
            Err(PolicyError::Unreadable(_))
        ));
    }
}
