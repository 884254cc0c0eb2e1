//! Domain errors, in the user's terms. Decisions taken on an error (retry a lost race, tell Step
//! Functions "not yet", answer 409) match a variant, never a string; the wire `code` is written
//! once, in [`Error::code`] / [`Conflict::code`], and the HTTP crate maps variants to statuses.

use crate::store::StoreError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that does not satisfy a rule; `field` names the offending input when known.
    #[error("{message}")]
    Validation { field: Option<String>, message: String },
    /// Many inputs broke their rules at once (a bulk import validated as a whole): `errors` names
    /// each row and field (at most [`MAX_ROW_ERRORS`] of them); `message` says how many in all.
    #[error("{message}")]
    Rows { message: String, errors: Vec<RowError> },
    #[error("{kind} '{id}' was not found")]
    NotFound { kind: &'static str, id: String },
    /// A state conflict the caller can resolve (duplicate, stale version, dependent items).
    #[error("{message}")]
    Conflict { kind: Conflict, message: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// The most row errors an [`Error::Rows`] lists (the message counts them all).
pub const MAX_ROW_ERRORS: usize = 100;

/// One problem with one row of a bulk input.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RowError {
    /// 1-based: row 1 is `accounts[0]` of a JSON body, or the first line after the header of a
    /// CSV body. 0 for the body as a whole (e.g. the CSV header).
    pub row: usize,
    /// The offending field (`id`, `access.read_role_arn`, a CSV column), when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
    pub message: String,
}

/// Why a write or transition could not happen in the current state (HTTP 409).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// The item changed since it was read (optimistic concurrency): reload and try again.
    Version,
    DuplicateCustomer,
    DuplicateAccount,
    /// Another account already has this alias (compared case-insensitively).
    DuplicateAlias,
    /// A customer with accounts cannot be deleted.
    CustomerHasAccounts,
    TooManyContacts,
    /// The request left `pending`, so it can no longer be decided or cancelled.
    RequestNotPending,
    /// This person already decided this request.
    AlreadyDecided,
    /// The approval window closed before the request was approved.
    RequestExpired,
    /// The request holds no active grant (credentials, console links, revoke).
    RequestNotActive,
    /// A timed step was woken before its time (the grant or the approval window has time left).
    NotDue,
    /// The grant's start has not come yet.
    NotStarted,
    /// The grant ended.
    GrantEnded,
    /// The request no longer meets the customer's current approval policy (e.g. a ticket became
    /// required), so it cannot be approved.
    PolicyNotMet,
    /// The person already has an open (pending, approved or active) request for the account.
    OpenRequestExists,
    /// The account (or the customer's accounts) has open breakglass requests or grants.
    OpenAccess,
    /// The account left the hub or its customer was offboarded after the request was made.
    AccountUnavailable,
    /// The grant is an IAM Identity Center assignment: access comes from the SSO portal, not
    /// from credentials we mint.
    SsoGrant,
    /// The e-mail is already mapped from another subject in the people directory.
    EmailTaken,
    /// A cost anomaly cannot move that way from its status (acknowledging one that is not open,
    /// resolving one already resolved).
    AnomalyState,
    /// Another billing fetch run is fetching the customer (it holds the customer's lease).
    FetchRunning,
    /// An import (or a removal of imported costs) is writing the customer's costs (it holds the
    /// customer's lease).
    ImportRunning,
}

impl Conflict {
    /// The stable snake_case code API clients see.
    pub fn code(self) -> &'static str {
        match self {
            Conflict::Version => "version_conflict",
            Conflict::DuplicateCustomer => "duplicate_customer",
            Conflict::DuplicateAccount => "duplicate_account",
            Conflict::DuplicateAlias => "duplicate_alias",
            Conflict::CustomerHasAccounts => "customer_has_accounts",
            Conflict::TooManyContacts => "too_many_contacts",
            Conflict::RequestNotPending => "request_not_pending",
            Conflict::AlreadyDecided => "already_decided",
            Conflict::RequestExpired => "request_expired",
            Conflict::RequestNotActive => "request_not_active",
            Conflict::NotDue => "not_due",
            Conflict::NotStarted => "not_started",
            Conflict::GrantEnded => "grant_ended",
            Conflict::PolicyNotMet => "policy_not_met",
            Conflict::OpenRequestExists => "open_request_exists",
            Conflict::OpenAccess => "open_access",
            Conflict::AccountUnavailable => "account_unavailable",
            Conflict::SsoGrant => "sso_grant",
            Conflict::EmailTaken => "email_taken",
            Conflict::AnomalyState => "anomaly_state",
            Conflict::FetchRunning => "fetch_running",
            Conflict::ImportRunning => "import_running",
        }
    }
}

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn conflict(kind: Conflict, message: impl Into<String>) -> Self {
        Error::Conflict {
            kind,
            message: message.into(),
        }
    }

    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound { kind, id: id.into() }
    }

    /// A bulk input refused as a whole: `errors` (all of them; the first [`MAX_ROW_ERRORS`] are
    /// listed) found in `bad_rows` of the `total` `what` (e.g. "contracts").
    pub fn rows(mut errors: Vec<RowError>, bad_rows: usize, total: usize, what: &str) -> Self {
        let n = errors.len();
        let listed = if n > MAX_ROW_ERRORS {
            format!("; the first {MAX_ROW_ERRORS} are listed")
        } else {
            String::new()
        };
        errors.truncate(MAX_ROW_ERRORS);
        Error::Rows {
            message: format!(
                "{n} problem(s) in {bad_rows} of the {total} {what}{listed}; nothing was written: fix them and send them again"
            ),
            errors,
        }
    }

    /// The conflict kind, when this is a conflict.
    pub fn conflict_kind(&self) -> Option<Conflict> {
        match self {
            Error::Conflict { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// A stable snake_case code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation { .. } | Error::Rows { .. } => "validation_failed",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { kind, .. } => kind.code(),
            Error::Forbidden(_) => "forbidden",
            Error::Unauthenticated(_) => "unauthenticated",
            Error::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ConditionFailed => Error::conflict(
                Conflict::Version,
                "the item was changed by someone else; reload and try again",
            ),
            StoreError::BadCursor => Error::validation("cursor", "the cursor is not valid"),
            StoreError::Backend(e) => Error::Internal(e),
        }
    }
}

/// How many times an optimistic read-modify-write is tried before giving up with a 409.
pub const MAX_ATTEMPTS: usize = 10;

/// Runs an optimistic read-modify-write `step` (read, apply a rule, write conditional on the version
/// read) until it succeeds or fails for another reason than a lost race ([`Conflict::Version`]).
/// Between attempts it waits a short random time (1 ms plus up to 4·2^attempt ms, at most 128 ms)
/// so racing writers spread out. After [`MAX_ATTEMPTS`] lost races the caller gets the conflict.
pub async fn retry_lost_races<T, F, Fut>(step: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut attempt = 0;
    loop {
        match step().await {
            Err(e) if e.conflict_kind() == Some(Conflict::Version) && attempt + 1 < MAX_ATTEMPTS => {
                let jitter = rand::random::<u64>() % (4 << attempt.min(5));
                tokio::time::sleep(std::time::Duration::from_millis(1 + jitter)).await;
                attempt += 1;
            }
            Err(e) if e.conflict_kind() == Some(Conflict::Version) => {
                return Err(Error::conflict(
                    Conflict::Version,
                    "too many concurrent changes; try again",
                ));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn lost_races_are_retried_until_the_write_wins() {
        let calls = AtomicUsize::new(0);
        let got = retry_lost_races(|| async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0..=2 => Err(StoreError::ConditionFailed.into()),
                n => Ok(n),
            }
        })
        .await
        .unwrap();
        assert_eq!(got, 3);
    }

    #[tokio::test]
    async fn other_errors_are_not_retried() {
        let calls = AtomicUsize::new(0);
        let got: Result<()> = retry_lost_races(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Error::conflict(Conflict::NotDue, "later"))
        })
        .await;
        assert_eq!(got.unwrap_err().conflict_kind(), Some(Conflict::NotDue));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn endless_races_end_in_a_version_conflict() {
        let calls = AtomicUsize::new(0);
        let got: Result<()> = retry_lost_races(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::ConditionFailed.into())
        })
        .await;
        assert_eq!(got.unwrap_err().code(), "version_conflict");
        assert_eq!(calls.load(Ordering::SeqCst), MAX_ATTEMPTS);
    }
}
