//! The outside systems breakglass needs, as small traits: the access broker (STS), the role guard
//! (an IAM deny on the role for the sessions of a grant that ended), the SSO assigner (IAM Identity
//! Center account assignments), the workflow (Step Functions) and the notifier (chat, SNS). Each
//! has an AWS adapter and a local one that lets the whole flow run without AWS.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::AccessRequest;
use crate::error::Result;
use crate::ids::{AccountId, Email, ExternalId, IdentityStoreId, PermissionSetName, Region, RoleArn, SsoInstanceArn};

/// Temporary credentials. Never stored, never logged: `Debug` shows only the key id.
#[derive(Clone, serde::Serialize)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration: OffsetDateTime,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

/// What an AssumeRole call needs.
#[derive(Clone, Debug)]
pub struct Assume {
    pub role_arn: RoleArn,
    pub external_id: Option<ExternalId>,
    pub session_name: String,
    /// Shows in the customer's CloudTrail as who acted.
    pub source_identity: String,
    pub duration_seconds: u32,
    pub request_id: String,
}

#[async_trait]
pub trait AccessBroker: Send + Sync {
    async fn assume(&self, req: &Assume) -> Result<Credentials>;
    /// A console sign-in URL for these credentials (the federation endpoint's getSigninToken).
    async fn console_url(&self, creds: &Credentials, destination: &str) -> Result<String>;
}

/// The source identity of the role guard's own session (it assumes the breakglass role to write the
/// deny); no deny ever applies to it. Requesters are e-mail addresses, so none is spelt like this.
pub const ROLE_GUARD_SOURCE_IDENTITY: &str = "customer-central";

#[async_trait]
pub trait RoleGuard: Send + Sync {
    /// Ends the sessions of one grant: denies every session of `role` whose source identity is
    /// `source_identity` (the grant's requester; the broker sets it on every session) and that was
    /// issued before `issued_before` (rounded up to the second). Sessions of other people on the
    /// same role are untouched, and so are this person's sessions issued later (a later grant).
    /// Idempotent; a later call for the same identity covers an earlier one. Never denies the
    /// role guard's own session ([`ROLE_GUARD_SOURCE_IDENTITY`]).
    async fn end_sessions(
        &self,
        role: &RoleArn,
        external_id: Option<&ExternalId>,
        source_identity: &str,
        issued_before: OffsetDateTime,
    ) -> Result<()>;
}

/// One temporary IAM Identity Center account assignment: a permission set on an account, for a
/// person looked up in the instance's identity store.
#[derive(Clone, Debug, PartialEq)]
pub struct SsoTarget {
    pub instance_arn: SsoInstanceArn,
    pub identity_store_id: IdentityStoreId,
    /// The Identity Center's home region (where sso-admin and identitystore are called).
    pub region: Region,
    /// The role the broker assumes to call sso-admin, and the external id it trusts.
    pub admin_role_arn: RoleArn,
    pub admin_external_id: Option<ExternalId>,
    pub account_id: AccountId,
    pub permission_set: PermissionSetName,
    /// The breakglass request (a session tag on the admin session, for the customer's CloudTrail).
    pub request_id: String,
}

/// Why an assignment could not be made or removed. Every kind is retried by the sweeper; the kind
/// tells people what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoError {
    /// The person is not a user of the customer's identity store (under the configured attribute).
    #[error("{user} is not a user in identity store {identity_store} (looked up by {attribute})")]
    UserNotFound {
        user: String,
        identity_store: String,
        attribute: &'static str,
    },
    /// The Identity Center instance has no permission set of that name.
    #[error("permission set {name} does not exist in {instance}")]
    UnknownPermissionSet { name: String, instance: String },
    /// Identity Center refused or failed the change, or could not be reached.
    #[error("{0}")]
    Failed(String),
}

impl SsoError {
    /// A stable snake_case name for the kind (shown on the request).
    pub fn kind(&self) -> &'static str {
        match self {
            SsoError::UserNotFound { .. } => "user_not_found",
            SsoError::UnknownPermissionSet { .. } => "unknown_permission_set",
            SsoError::Failed(_) => "failed",
        }
    }
}

/// Temporary account assignments (AWS's TEAM pattern): `assign` before a grant becomes active,
/// `unassign` when it ends. Both are idempotent: assigning what is assigned, or removing what is
/// not there, succeeds.
#[async_trait]
pub trait SsoAssigner: Send + Sync {
    async fn assign(&self, target: &SsoTarget, user: &Email) -> std::result::Result<(), SsoError>;
    async fn unassign(&self, target: &SsoTarget, user: &Email) -> std::result::Result<(), SsoError>;
}

/// What happens after the last approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterApproval {
    /// Grant now, in this process (local workflow).
    GrantNow,
    /// The workflow grants (Step Functions' grant task).
    Deferred,
}

#[async_trait]
pub trait Workflow: Send + Sync {
    /// A request was created: start its orchestration.
    async fn started(&self, req: &AccessRequest) -> Result<()>;
    /// The request was approved.
    async fn approved(&self, req: &AccessRequest) -> Result<AfterApproval>;
    /// The request ended before its natural end (rejected, cancelled, revoked).
    async fn stopped(&self, req: &AccessRequest) -> Result<()>;
    /// The orchestration is waiting for the decision under this task token (Step Functions'
    /// `waitForTaskToken`); `req` is the request as it stands now.
    async fn task_token(&self, _req: &AccessRequest, _token: &str) -> Result<()> {
        Ok(())
    }
}

/// The error names the breakglass state machine (`statemachine/breakglass.asl.json`) sees from its
/// steps: Lambda reports a task handler's error type as the Step Functions error name, and
/// `SendTaskFailure` names one too. These are the only custom names the state machine may retry or
/// catch (a test holds it to that): the transient ones are retried, the terminal ones caught or
/// left to fail the execution; the scheduled sweeper finishes whatever an execution leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepError {
    /// The request moved on (rejected, cancelled, revoked, timed out, withdrawn) or is not in the
    /// state the step needs: the step has nothing to do. Terminal; caught to the `Closed` state.
    Closed,
    /// Not a task the handler knows, an unknown or malformed request id, or a refusal no retry can
    /// change: a wiring mistake. Terminal; fails the execution so it shows.
    BadTask,
    /// A timed step woke before its time (Step Functions' clock ahead of ours). Retried.
    NotDue,
    /// The store or an AWS service (DynamoDB, STS, IAM, IAM Identity Center, Step Functions, SNS)
    /// failed or throttled, or writes kept losing races. Retried.
    Transient,
}

impl StepError {
    pub const ALL: [StepError; 4] = [
        StepError::Closed,
        StepError::BadTask,
        StepError::NotDue,
        StepError::Transient,
    ];

    /// The Step Functions error name.
    pub fn name(self) -> &'static str {
        match self {
            StepError::Closed => "Closed",
            StepError::BadTask => "BadTask",
            StepError::NotDue => "NotDue",
            StepError::Transient => "Transient",
        }
    }

    /// Whether the state machine retries the step on this error.
    pub fn is_transient(self) -> bool {
        matches!(self, StepError::NotDue | StepError::Transient)
    }

    /// How a domain error from a step reads to the state machine. The domain does not tell a
    /// throttled or unreachable AWS service from other internal failures, so every internal
    /// failure is transient: a retry is cheap, and one that keeps failing fails the execution.
    pub fn of(e: &crate::Error) -> Self {
        use crate::error::Conflict;
        match e {
            crate::Error::Conflict { kind, .. } => match kind {
                Conflict::NotDue | Conflict::NotStarted => StepError::NotDue,
                Conflict::Version => StepError::Transient,
                _ => StepError::Closed,
            },
            crate::Error::Internal(_) => StepError::Transient,
            crate::Error::NotFound { .. }
            | crate::Error::Validation { .. }
            | crate::Error::Rows { .. }
            | crate::Error::Forbidden(_)
            | crate::Error::Unauthenticated(_) => StepError::BadTask,
        }
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Notification {
    pub event: &'static str,
    pub request_id: String,
    pub customer: String,
    pub account_id: String,
    pub text: String,
}

#[async_trait]
pub trait Notifier: Send + Sync {
    async fn notify(&self, n: &Notification) -> Result<()>;
}

/// Sends every notification to each of several notifiers (e.g. chat and SNS); one failing does
/// not keep the others from being told.
pub struct Fanout(pub Vec<std::sync::Arc<dyn Notifier>>);

#[async_trait]
impl Notifier for Fanout {
    async fn notify(&self, n: &Notification) -> Result<()> {
        let mut first_error = None;
        for target in &self.0 {
            if let Err(e) = target.notify(n).await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// `RoleSessionName`: at most 64 characters of `[\w+=,.@-]`, derived from the requester.
pub fn session_name(email: &str) -> String {
    let cleaned: String = email
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = format!("cc-{cleaned}");
    name.chars().take(64).collect()
}

/// The longest session STS grants to role chaining: "role chaining limits your AWS CLI or AWS API
/// role session to a maximum of one hour", and `DurationSeconds` above it is refused
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining>).
/// The broker always chains: in Lambda its own credentials are the function's role session, and
/// locally they are usually an SSO or assumed-role session too.
pub const ROLE_CHAINING_MAX_SECONDS: u32 = 3600;

/// `DurationSeconds` for a session while a grant has `remaining` seconds left: no longer than the
/// role allows or role chaining permits (one hour), never under STS's 900-second floor. Longer
/// grants mint a fresh session on demand (`credential_process` asks again when one expires).
pub fn session_seconds(remaining: i64, role_max: u32) -> u32 {
    let most = role_max.clamp(900, ROLE_CHAINING_MAX_SECONDS);
    remaining.clamp(900, most as i64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_fit_sts_rules() {
        assert_eq!(session_name("erin.o'neil@example.com"), "cc-erin.o-neil@example.com");
        let long = format!("{}@example.com", "x".repeat(80));
        assert_eq!(session_name(&long).len(), 64);
    }

    #[test]
    fn session_duration_is_bounded() {
        assert_eq!(session_seconds(120, 3600), 900);
        assert_eq!(session_seconds(2000, 3600), 2000);
        assert_eq!(session_seconds(7200, 3600), 3600);
        // A role allowing 12 h still gets an hour at most: STS refuses more to a chained session.
        assert_eq!(session_seconds(6 * 3600, 43_200), 3600);
        assert_eq!(session_seconds(1800, 43_200), 1800);
        assert_eq!(session_seconds(7200, 0), 900, "a nonsense maximum still gets the floor");
    }

    #[test]
    fn credentials_debug_hides_secrets() {
        let c = Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "s3cret".into(),
            session_token: "t0ken".into(),
            expiration: OffsetDateTime::UNIX_EPOCH,
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("t0ken"));
    }
}

#[cfg(test)]
mod step_error_tests {
    use super::StepError;
    use crate::Error;
    use crate::error::Conflict;

    #[test]
    fn domain_errors_read_as_the_step_error_the_state_machine_expects() {
        let cases = [
            (Error::conflict(Conflict::RequestNotPending, "x"), StepError::Closed),
            (Error::conflict(Conflict::RequestNotActive, "x"), StepError::Closed),
            (Error::conflict(Conflict::GrantEnded, "x"), StepError::Closed),
            (Error::conflict(Conflict::NotDue, "x"), StepError::NotDue),
            (Error::conflict(Conflict::NotStarted, "x"), StepError::NotDue),
            (Error::conflict(Conflict::Version, "x"), StepError::Transient),
            (
                Error::Internal(anyhow::anyhow!("ThrottlingException")),
                StepError::Transient,
            ),
            (Error::not_found("access request", "01j"), StepError::BadTask),
            (Error::validation("request_id", "x"), StepError::BadTask),
            (Error::Forbidden("x".into()), StepError::BadTask),
        ];
        for (e, want) in cases {
            assert_eq!(StepError::of(&e), want, "{e:?}");
        }
    }

    #[test]
    fn only_not_due_and_transient_are_retried() {
        let retried: Vec<_> = StepError::ALL.into_iter().filter(|k| k.is_transient()).collect();
        assert_eq!(retried, [StepError::NotDue, StepError::Transient]);
        let names: std::collections::BTreeSet<_> = StepError::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), StepError::ALL.len(), "names are distinct");
    }
}
