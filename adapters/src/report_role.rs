//! What the report source adapters (Security Hub, Savings Plans, EC2 and RDS reservations, Cost
//! Explorer recommendations) share: which of a customer's accounts to ask, a session of its read
//! role ([`crate::read_role`], through the access broker: STS `AssumeRole` with the external id),
//! and one way of putting an SDK failure into the report's words.
//!
//! A report reads; it never needs more than the read role the billing fetch already assumes. The
//! IAM actions each source needs are listed in the README ("Monthly reports: sources").

use cc_domain::billing::ports::ReadRole;
use cc_domain::hub::{AccessMethod, Account};
use cc_domain::reports::ports::SourceError;

/// Why renewals have no data for a customer none of whose accounts is reached through a read role
/// (in the customer's words: the report is theirs). The AWS adapter and the local stand-in say the same.
pub const NO_ROLE_RENEWALS: &str =
    "Customer Central has no read access to these accounts' Savings Plans and reservations";

/// Why cost optimisation has no data when the organisation's management (payer) account is not
/// reached through a read role (Cost Explorer's recommendations are read there).
pub const NO_ROLE_PAYER: &str = "Customer Central has no read access to the organisation's management (payer) account, where Cost Explorer's recommendations are read";

/// Why Security Hub is not asked for a customer none of whose accounts has a read role.
pub const NO_ROLE_FINDINGS: &str = "Customer Central has no read access to these accounts' Security Hub findings";

/// `RoleSessionName` of the report sources' sessions (CloudTrail shows it).
pub const SESSION_NAME: &str = "customer-central-reports";

/// The read role of an account reached through roles; `None` for an SSO account.
pub fn read_role(account: &Account) -> Option<ReadRole> {
    match &account.access {
        AccessMethod::Role {
            read_role_arn,
            external_id,
            ..
        } => Some(ReadRole {
            role_arn: read_role_arn.clone(),
            external_id: Some(external_id.clone()),
            session_name: SESSION_NAME.into(),
        }),
        AccessMethod::Sso { .. } => None,
    }
}

/// The accounts reached through a read role, by id.
pub fn role_accounts(accounts: &[Account]) -> Vec<(&Account, ReadRole)> {
    let mut out: Vec<_> = accounts.iter().filter_map(|a| read_role(a).map(|r| (a, r))).collect();
    out.sort_by(|a, b| a.0.id.as_str().cmp(b.0.id.as_str()));
    out
}

/// The organisation's management (payer) account with a read role, else `None`.
pub fn management(accounts: &[Account]) -> Option<(&Account, ReadRole)> {
    role_accounts(accounts).into_iter().find(|(a, _)| a.management_account)
}

/// Sessions of customers' read roles, shared by the report sources of one function.
#[cfg(any(feature = "costexplorer", feature = "securityhub", feature = "renewals"))]
pub struct ReportSessions {
    sessions: crate::read_role::ReadSessions,
}

#[cfg(any(feature = "costexplorer", feature = "securityhub", feature = "renewals"))]
impl ReportSessions {
    pub fn new(broker: std::sync::Arc<dyn cc_domain::access::ports::AccessBroker>) -> Self {
        ReportSessions {
            sessions: crate::read_role::ReadSessions::new(broker),
        }
    }

    /// Credentials of a session of `role`, or "unavailable" saying the role could not be assumed.
    pub async fn credentials(&self, role: &ReadRole) -> Result<cc_domain::access::ports::Credentials, SourceError> {
        self.sessions
            .credentials(role)
            .await
            .map_err(|e| SourceError::Unavailable(format!("the read role could not be assumed: {e}")))
    }
}

/// An SDK failure in the report's words (the customer reads them; what the team does about it, a
/// missing permission or a rebuild, is in the README): what was called, in which account, and AWS's
/// error code and message (never credentials: the SDK's errors do not carry them).
pub fn unavailable(what: &str, account: &str, code: Option<&str>, message: Option<&str>, raw: &str) -> SourceError {
    let why = match code {
        Some(c) if c.contains("AccessDenied") || c == "UnauthorizedOperation" || c == "AuthFailure" => {
            format!("access was denied ({c})")
        }
        Some(c) if c.contains("Throttl") || c == "LimitExceededException" || c == "RequestLimitExceeded" => {
            format!("AWS asked us to slow down ({c})")
        }
        Some(c) => format!("{c}{}", message.map(|m| format!(": {m}")).unwrap_or_default()),
        None => raw.to_string(),
    };
    SourceError::Unavailable(format!("{what} in account {account} failed: {why}"))
}

/// Maps an SDK error with [`unavailable`].
#[macro_export]
#[doc(hidden)]
macro_rules! sdk_unavailable {
    ($what:expr, $account:expr, $err:expr) => {{
        let e = &$err;
        let meta = e.as_service_error().map(|s| {
            (
                ::aws_smithy_types::error::metadata::ProvideErrorMetadata::code(s).map(String::from),
                ::aws_smithy_types::error::metadata::ProvideErrorMetadata::message(s).map(String::from),
            )
        });
        let (code, message) = meta.unwrap_or((None, None));
        $crate::report_role::unavailable(
            $what,
            $account,
            code.as_deref(),
            message.as_deref(),
            &::aws_smithy_types::error::display::DisplayErrorContext(e).to_string(),
        )
    }};
}
