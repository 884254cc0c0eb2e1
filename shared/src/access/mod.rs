//! Breakglass access: temporary write access to a customer account, approved by other people.
//!
//! The rules are pure functions on [`AccessRequest`] (`decide`, `cancel`, `activate`, `revoke`,
//! `expire`, `time_out`), each returning the next state or an error in the user's terms. The
//! service persists every transition with a conditional write on the request's version, so
//! concurrent callers get exactly one outcome. Invariants that never bend:
//! - the requester never approves their own request; one person counts once;
//! - only holders of an approver role count;
//! - nothing is granted past the policy's maximum duration;
//! - a rejected, cancelled, timed-out or ended request never becomes active again;
//! - when a grant ends (revoke or natural end) its sessions end too: the role guard denies the
//!   sessions carrying its requester as source identity issued before the end, and no one else's.

use std::collections::BTreeSet;

use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use crate::error::{Conflict, Error, Result};
use crate::identity::{Principal, Role};
use crate::ids::{AccountId, CustomerCode, Email, ExternalId, RoleArn};

pub mod audit;
pub mod decisions;
pub mod grants;
pub mod policy;
pub mod ports;
pub mod requests;
pub mod service;
pub mod sso;
pub mod sweeper;

pub use policy::ApprovalPolicy;
pub use ports::StepError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Approved,
    Active,
    Ended,
    Rejected,
    Cancelled,
    TimedOut,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Active => "active",
            Status::Ended => "ended",
            Status::Rejected => "rejected",
            Status::Cancelled => "cancelled",
            Status::TimedOut => "timed_out",
        }
    }
    /// Final states: nothing moves a request out of them.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Ended | Status::Rejected | Status::Cancelled | Status::TimedOut
        )
    }
}

impl std::str::FromStr for Status {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        [
            Status::Pending,
            Status::Approved,
            Status::Active,
            Status::Ended,
            Status::Rejected,
            Status::Cancelled,
            Status::TimedOut,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| Error::validation("status", format!("'{s}' is not a request status")))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The grant ran its full time.
    Expired,
    /// Ended early by the requester, a lead or an admin.
    Revoked,
    /// An approver rejected the request.
    Rejected,
    /// Withdrawn before it became active (by the requester, or by an admin removing the account).
    Cancelled,
    /// Nobody decided within the approval window.
    TimedOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Reject,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Decision {
    pub by: Email,
    pub verdict: Verdict,
    pub comment: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// One line of a request's history, as shown to people.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct HistoryEntry {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// A person's e-mail, or `system` for the sweeper and the workflow.
    pub by: String,
    pub what: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct AccessRequest {
    pub id: String,
    pub customer: CustomerCode,
    pub account_id: AccountId,
    pub account_name: String,
    /// The account's breakglass role, and the external id it trusts.
    pub role_arn: RoleArn,
    pub external_id: Option<ExternalId>,
    /// The role's maximum session length (caps each minted session).
    pub max_session_seconds: u32,
    /// SSO accounts: the breakglass permission set assigned through the customer's IAM Identity
    /// Center, and how its assignment stands (`sso::SsoGrant`). `role_arn` is then the permission
    /// set's reserved role path in the account, for display only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso: Option<sso::SsoGrant>,
    pub requester: Email,
    pub justification: String,
    pub ticket: Option<String>,
    pub duration_minutes: u32,
    /// When access should start; `None` means as soon as it is approved.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// After this the request times out unless it has been decided.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub approval_deadline: OffsetDateTime,
    /// The policy in force: set when the request is made and renewed at each decision, so
    /// pending requests are judged by the policy in force when they are decided.
    pub approvals_required: u8,
    pub approver_roles: BTreeSet<Role>,
    /// Approver roles that may decide without being on the customer's team.
    #[serde(default = "default_off_team")]
    pub approvers_off_team: BTreeSet<Role>,
    /// The version of the customer's approval policy last applied (0: the defaults).
    #[serde(default)]
    pub policy_version: u64,
    pub status: Status,
    pub decisions: Vec<Decision>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub granted_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<OffsetDateTime>,
    /// When the request reached a final state (ended, rejected, cancelled, timed out).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<OffsetDateTime>,
    pub end_reason: Option<EndReason>,
    pub history: Vec<HistoryEntry>,
    #[serde(default)]
    pub version: u64,
}

/// What a person asks for; the service fills in the account's details and the policy.
#[derive(Clone, Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub account_id: AccountId,
    pub duration_minutes: u32,
    pub justification: String,
    #[serde(default)]
    pub ticket: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<OffsetDateTime>,
    /// SSO accounts: which breakglass permission set (optional when the account has one).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub permission_set: Option<crate::ids::PermissionSetName>,
}

pub const SYSTEM: &str = "system";

fn default_off_team() -> BTreeSet<Role> {
    ApprovalPolicy::default().approvers_off_team
}

/// Request ids are lower-case ULIDs; anything else names no request (400 rather than 404).
pub fn parse_request_id(id: &str) -> Result<&str> {
    if id.len() == 26 && id.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()) {
        Ok(id)
    } else {
        Err(Error::validation("id", format!("'{id}' is not a request id")))
    }
}

fn conflict_not(status: Status, wanted: &str) -> Error {
    Error::conflict(
        Conflict::RequestNotPending,
        format!("the request is {}, so it can no longer be {wanted}", status.as_str()),
    )
}

/// The longest ticket reference accepted (a ticket URL included).
pub const MAX_TICKET_CHARS: usize = 200;

/// A ticket reference in one of the forms teams use, normalised:
/// - a Jira-style issue key, `OPS-1234` (project key: a letter, then letters, digits or `_`, at
///   most 20; a dash; 1-10 digits), any case, stored upper-case;
/// - a ServiceNow-style number, `INC0012345` / `CHG0034567` / `RITM0012345` (2-6 letters, then
///   7-12 digits), any case, stored upper-case;
/// - a link to the ticket, an `https://` or `http://` URL with a host.
///
/// Errors name the field and quote at most a short prefix of the input.
pub fn ticket_reference(raw: &str) -> Result<String> {
    let t = raw.trim();
    if t.chars().count() > MAX_TICKET_CHARS {
        return Err(Error::validation(
            "ticket",
            format!("a ticket reference has at most {MAX_TICKET_CHARS} characters"),
        ));
    }
    let upper = t.to_ascii_uppercase();
    let jira = upper.split_once('-').is_some_and(|(key, num)| {
        (1..=20).contains(&key.len())
            && key.starts_with(|c: char| c.is_ascii_uppercase())
            && key
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && (1..=10).contains(&num.len())
            && num.chars().all(|c| c.is_ascii_digit())
    });
    let letters = upper.chars().take_while(char::is_ascii_uppercase).count();
    let digits = &upper[letters..];
    let service_now =
        (2..=6).contains(&letters) && (7..=12).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit());
    if jira || service_now {
        return Ok(upper);
    }
    if let Ok(url) = url::Url::parse(t)
        && matches!(url.scheme(), "https" | "http")
        && url.host_str().is_some_and(|h| !h.is_empty())
    {
        return Ok(t.to_string());
    }
    Err(Error::validation(
        "ticket",
        format!(
            "'{}' is not a ticket reference: use a key like OPS-1234, a number like INC0012345 or the ticket's URL",
            short(t)
        ),
    ))
}

/// At most 40 characters of bad input, for error messages (never echo a whole payload).
pub(crate) fn short(t: &str) -> String {
    let shown: String = t.chars().take(40).collect();
    if t.chars().count() > 40 {
        format!("{shown}…")
    } else {
        shown
    }
}

impl AccessRequest {
    /// A new pending request, checked against the policy.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        id: String,
        by: &Principal,
        on_team: bool,
        new: NewRequest,
        customer: CustomerCode,
        account_name: String,
        role: (RoleArn, Option<ExternalId>, u32),
        policy: &ApprovalPolicy,
        now: OffsetDateTime,
    ) -> Result<Self> {
        if !by.roles.iter().any(|r| policy.requester_roles.contains(r)) {
            return Err(Error::Forbidden(format!(
                "asking for access to {customer}'s accounts needs one of the roles: {}",
                role_list(&policy.requester_roles)
            )));
        }
        if !on_team {
            return Err(Error::Forbidden(format!(
                "you are not on customer {customer}'s team; ask an admin to add you first"
            )));
        }
        let justification = new.justification.trim().to_string();
        crate::text::text("justification", &justification, 0, 2000)?;
        // Words with a letter or digit, counted without the spaces between them: padding and
        // punctuation don't make a sentence.
        let words: Vec<&str> = justification
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect();
        if words.len() < 3 || words.iter().map(|w| w.chars().count()).sum::<usize>() + words.len() - 1 < 15 {
            return Err(Error::validation(
                "justification",
                "say why in at least a sentence (3+ words, 15+ characters not counting extra spaces)",
            ));
        }
        let ticket = new
            .ticket
            .filter(|t| !t.trim().is_empty())
            .map(|t| policy.ticket(&t))
            .transpose()?;
        match &ticket {
            None if policy.ticket_required => {
                return Err(Error::validation(
                    "ticket",
                    format!("customer {customer} requires a ticket reference"),
                ));
            }
            _ => {}
        }
        if new.duration_minutes < 15 {
            return Err(Error::validation(
                "duration_minutes",
                "the shortest grant is 15 minutes",
            ));
        }
        if new.duration_minutes > policy.max_duration_minutes {
            return Err(Error::validation(
                "duration_minutes",
                format!(
                    "{} minutes is longer than customer {customer}'s maximum of {} minutes",
                    new.duration_minutes, policy.max_duration_minutes
                ),
            ));
        }
        let approval_deadline = now + Duration::minutes(policy.approval_window_minutes as i64);
        if let Some(start) = new.starts_at {
            if start < now - Duration::minutes(1) {
                return Err(Error::validation(
                    "starts_at",
                    "the start is in the past; leave it out to start on approval",
                ));
            }
            if start > now + Duration::days(30) {
                return Err(Error::validation("starts_at", "schedule at most 30 days ahead"));
            }
        }
        let history = vec![HistoryEntry {
            at: now,
            by: by.email.to_string(),
            what: format!("requested {} minutes: {justification}", new.duration_minutes),
        }];
        Ok(AccessRequest {
            id,
            customer,
            account_id: new.account_id,
            account_name,
            role_arn: role.0,
            external_id: role.1,
            max_session_seconds: role.2,
            sso: None,
            requester: by.email.clone(),
            justification,
            ticket,
            duration_minutes: new.duration_minutes,
            starts_at: new.starts_at,
            created_at: now,
            approval_deadline,
            approvals_required: policy.approvals_required,
            approver_roles: policy.approver_roles.clone(),
            approvers_off_team: policy.approvers_off_team.clone(),
            policy_version: policy.version,
            status: Status::Pending,
            decisions: Vec::new(),
            granted_at: None,
            ends_at: None,
            ended_at: None,
            end_reason: None,
            history,
            version: 0,
        })
    }

    fn log(&mut self, at: OffsetDateTime, by: &str, what: String) {
        self.history.push(HistoryEntry {
            at,
            by: by.to_string(),
            what,
        });
    }

    /// Approvals that count: distinct approvers other than the requester.
    pub fn approvals(&self) -> usize {
        self.decisions.iter().filter(|d| d.verdict == Verdict::Approve).count()
    }

    /// The request with `policy`'s approvers and approvals needed: a pending request is judged by
    /// the policy in force when it is decided.
    pub fn with_policy(mut self, policy: &ApprovalPolicy) -> Self {
        if self.status == Status::Pending {
            // A shorter window applies at once; a longer one does not reopen a closing one.
            let window = self.created_at + Duration::minutes(policy.approval_window_minutes as i64);
            self.approval_deadline = self.approval_deadline.min(window);
            self.approvals_required = policy.approvals_required;
            self.approver_roles = policy.approver_roles.clone();
            self.approvers_off_team = policy.approvers_off_team.clone();
            self.policy_version = policy.version;
        }
        self
    }

    /// Who may see a request at all: its requester, the people who may decide it (an approver
    /// role, and on the customer's team unless that role may decide off-team), leads and admins.
    /// To anyone else it does not exist (404), so justifications, tickets and external ids stay
    /// private. `on_team`: whether `who` is on the request's customer's team.
    pub fn visible_to(&self, who: &Principal, on_team: bool) -> bool {
        who.email == self.requester || who.has(Role::Lead) || who.has(Role::Admin) || self.approver_scope(who, on_team)
    }

    /// Whether `who` holds an approver role that reaches this customer (on its team, or a role
    /// allowed to decide off-team).
    fn approver_scope(&self, who: &Principal, on_team: bool) -> bool {
        who.roles
            .iter()
            .any(|r| self.approver_roles.contains(r) && (on_team || self.approvers_off_team.contains(r)))
    }

    /// The request, if `who` may see it; otherwise "not found" (see [`Self::visible_to`]).
    pub fn seen_by(self, who: &Principal, on_team: bool) -> Result<Self> {
        if self.visible_to(who, on_team) {
            Ok(self)
        } else {
            Err(Error::not_found("access request", self.id))
        }
    }

    /// Whether `who` may decide this request at all (ignoring its state): not its requester, an
    /// approver role, on the customer's team (or a role that decides off-team), not yet decided.
    pub fn may_decide(&self, who: &Principal, on_team: bool) -> Result<()> {
        if who.email == self.requester {
            return Err(Error::Forbidden("you cannot decide your own request".into()));
        }
        if !who.roles.iter().any(|r| self.approver_roles.contains(r)) {
            return Err(Error::Forbidden(format!(
                "deciding needs one of the roles: {}",
                role_list(&self.approver_roles)
            )));
        }
        if !self.approver_scope(who, on_team) {
            return Err(Error::Forbidden(format!(
                "you are not on customer {}'s team, so you cannot decide its requests",
                self.customer
            )));
        }
        if self.decisions.iter().any(|d| d.by == who.email) {
            return Err(Error::conflict(
                Conflict::AlreadyDecided,
                "you have already decided this request; one person counts once",
            ));
        }
        Ok(())
    }

    /// Records an approval or a rejection. Enough approvals make the request `approved`; a
    /// rejection by any approver makes it `rejected`.
    /// `policy` is the customer's policy now: a pending request is judged by the policy in force
    /// when it is decided (its approvers, the approvals needed, and whether the request still
    /// meets it: ticket, ticket pattern, longest grant), and records that policy's version.
    pub fn decide(
        mut self,
        who: &Principal,
        on_team: bool,
        policy: &ApprovalPolicy,
        verdict: Verdict,
        comment: &str,
        now: OffsetDateTime,
    ) -> Result<Self> {
        if self.status != Status::Pending {
            return Err(conflict_not(self.status, "decided"));
        }
        self = self.with_policy(policy);
        if now >= self.approval_deadline {
            return Err(Error::conflict(
                Conflict::RequestExpired,
                "the approval window has closed; the request has timed out",
            ));
        }
        self.may_decide(who, on_team)?;
        if verdict == Verdict::Approve {
            self.meets(policy)?;
        }
        let comment = comment.trim();
        crate::text::text("comment", comment, 0, 1000)?;
        if verdict == Verdict::Reject && comment.is_empty() {
            return Err(Error::validation("comment", "say why you reject the request"));
        }
        self.decisions.push(Decision {
            by: who.email.clone(),
            verdict,
            comment: comment.to_string(),
            at: now,
        });
        let note = if comment.is_empty() {
            String::new()
        } else {
            format!(": {comment}")
        };
        match verdict {
            Verdict::Reject => {
                self.status = Status::Rejected;
                self.ended_at = Some(now);
                self.end_reason = Some(EndReason::Rejected);
                self.log(now, who.email.as_str(), format!("rejected{note}"));
            }
            Verdict::Approve => {
                let n = self.approvals();
                self.log(
                    now,
                    who.email.as_str(),
                    format!("approved ({n} of {}){note}", self.approvals_required),
                );
                if n >= self.approvals_required as usize {
                    self.status = Status::Approved;
                }
            }
        }
        Ok(self)
    }

    /// Whether the request still meets `policy` (it may have become stricter since it was made).
    fn meets(&self, policy: &ApprovalPolicy) -> Result<()> {
        let unmet = |why: String| {
            Err(Error::conflict(
                Conflict::PolicyNotMet,
                format!("{why}; reject it and ask for a new request"),
            ))
        };
        match &self.ticket {
            None if policy.ticket_required => {
                return unmet(format!(
                    "customer {} now requires a ticket and this request has none",
                    self.customer
                ));
            }
            Some(t) if policy.ticket(t).is_err() => {
                return unmet(format!(
                    "the ticket no longer matches customer {}'s ticket pattern",
                    self.customer
                ));
            }
            _ => {}
        }
        if self.duration_minutes > policy.max_duration_minutes {
            return unmet(format!(
                "{} minutes is now longer than customer {}'s maximum of {} minutes",
                self.duration_minutes, self.customer, policy.max_duration_minutes
            ));
        }
        Ok(())
    }

    /// Whether an approved request's start has come.
    pub fn start_due(&self, now: OffsetDateTime) -> bool {
        self.status == Status::Approved && self.starts_at.is_none_or(|s| s <= now)
    }

    /// Grants access: approved → active, ending `duration` after the later of now and the start.
    pub fn activate(mut self, now: OffsetDateTime) -> Result<Self> {
        if self.status != Status::Approved {
            return Err(conflict_not(self.status, "granted"));
        }
        if !self.start_due(now) {
            return Err(Error::conflict(
                Conflict::NotStarted,
                "the scheduled start has not come yet",
            ));
        }
        let ends = now + Duration::minutes(self.duration_minutes as i64);
        self.status = Status::Active;
        self.granted_at = Some(now);
        self.ends_at = Some(ends);
        self.log(now, SYSTEM, format!("granted until {}", rfc3339(ends)));
        Ok(self)
    }

    /// The requester withdraws a request that has not become active.
    pub fn cancel(mut self, who: &Principal, now: OffsetDateTime) -> Result<Self> {
        if who.email != self.requester {
            return Err(Error::Forbidden("only the requester can cancel a request".into()));
        }
        if !matches!(self.status, Status::Pending | Status::Approved) {
            return Err(conflict_not(self.status, "cancelled"));
        }
        self.status = Status::Cancelled;
        self.ended_at = Some(now);
        self.end_reason = Some(EndReason::Cancelled);
        self.log(now, who.email.as_str(), "cancelled".into());
        Ok(self)
    }

    /// Ends whatever the request holds because its account left the hub or its customer was
    /// offboarded: a grant is revoked, a request not yet active is cancelled. `by` is the admin
    /// making the change, or [`SYSTEM`] when the sweeper finds it.
    pub fn withdraw(mut self, by: &str, reason: &str, now: OffsetDateTime) -> Result<Self> {
        match self.status {
            Status::Active => self.end(EndReason::Revoked, by, reason, now),
            Status::Pending | Status::Approved => {
                self.status = Status::Cancelled;
                self.ended_at = Some(now);
                self.end_reason = Some(EndReason::Cancelled);
                self.log(now, by, format!("cancelled: {reason}"));
            }
            s => return Err(conflict_not(s, "withdrawn")),
        }
        Ok(self)
    }

    /// Ends an active grant early: the requester, any lead or any admin.
    pub fn revoke(mut self, who: &Principal, reason: &str, now: OffsetDateTime) -> Result<Self> {
        if who.email != self.requester && !who.has(Role::Lead) && !who.has(Role::Admin) {
            return Err(Error::Forbidden(
                "only the requester, a lead or an admin can revoke access".into(),
            ));
        }
        if self.status != Status::Active {
            return Err(Error::conflict(
                Conflict::RequestNotActive,
                format!(
                    "the request is {}, so there is no access to revoke",
                    self.status.as_str()
                ),
            ));
        }
        self.end(EndReason::Revoked, who.email.as_str(), reason, now);
        Ok(self)
    }

    /// Ends an active grant whose time is up (sweeper, workflow). Idempotent for the caller:
    /// anything but an active grant past its end is refused.
    pub fn expire(mut self, now: OffsetDateTime) -> Result<Self> {
        match (self.status, self.ends_at) {
            (Status::Active, Some(end)) if end <= now => {
                // It ended at its end, whenever the sweeper notices.
                self.end(EndReason::Expired, SYSTEM, "", end);
                Ok(self)
            }
            (Status::Active, _) => Err(Error::conflict(Conflict::NotDue, "the grant has time left")),
            (s, _) => Err(Error::conflict(
                Conflict::RequestNotActive,
                format!("the request is {}", s.as_str()),
            )),
        }
    }

    fn end(&mut self, reason: EndReason, by: &str, note: &str, now: OffsetDateTime) {
        self.status = Status::Ended;
        self.end_reason = Some(reason);
        self.ended_at = Some(now);
        let note = note.trim();
        let what = match (reason, note.is_empty()) {
            (EndReason::Expired, _) => "expired".to_string(),
            (_, true) => "revoked".to_string(),
            (_, false) => format!("revoked: {note}"),
        };
        self.log(now, by, what);
    }

    /// A pending request whose approval window has closed.
    pub fn time_out(mut self, now: OffsetDateTime) -> Result<Self> {
        if self.status != Status::Pending {
            return Err(conflict_not(self.status, "timed out"));
        }
        if now < self.approval_deadline {
            return Err(Error::conflict(Conflict::NotDue, "the approval window is still open"));
        }
        self.status = Status::TimedOut;
        self.ended_at = Some(self.approval_deadline);
        self.end_reason = Some(EndReason::TimedOut);
        self.log(self.approval_deadline, SYSTEM, "timed out waiting for approval".into());
        Ok(self)
    }

    /// The request as it stands at `now`, whatever the sweeper's period: a pending request past
    /// its window reads `timed_out`, an active grant past its end reads `ended` (expired). Pure:
    /// the sweeper makes these durable and runs their side effects; reads show them at once.
    pub fn as_of(self, now: OffsetDateTime) -> Self {
        match self.status {
            Status::Pending if now >= self.approval_deadline => {
                let fallback = self.clone();
                self.time_out(now).unwrap_or(fallback)
            }
            Status::Active if self.ends_at.is_some_and(|e| e <= now) => {
                let fallback = self.clone();
                self.expire(now).unwrap_or(fallback)
            }
            _ => self,
        }
    }

    /// Whether `who` may fetch credentials now.
    pub fn check_credentials(&self, who: &Principal, now: OffsetDateTime) -> Result<OffsetDateTime> {
        if who.email != self.requester {
            return Err(Error::Forbidden("only the person granted access can use it".into()));
        }
        match (self.status, self.ends_at) {
            (Status::Active, Some(end)) if now < end => Ok(end),
            (Status::Active, _) => Err(Error::conflict(Conflict::GrantEnded, "the grant has ended")),
            (s, _) => Err(Error::conflict(
                Conflict::RequestNotActive,
                format!("the request is {}, not active", s.as_str()),
            )),
        }
    }
}

fn role_list(roles: &BTreeSet<Role>) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
}

/// An instant in the words of history and audit details: RFC 3339 to the second, in UTC
/// (`2026-11-29T23:30:17Z`; nanoseconds only made them hard to read).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod detail_time {
    #[test]
    fn instants_in_details_read_to_the_second_in_utc() {
        let t = time::macros::datetime!(2026-11-29 23:30:17.341728128 +01:00);
        assert_eq!(super::rfc3339(t), "2026-11-29T22:30:17Z");
    }
}
