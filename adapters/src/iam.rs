//! The IAM role guard: ends a grant's sessions. STS sessions cannot be cancelled, so ending a grant
//! adds a statement to an inline policy on the breakglass role that denies everything to the
//! sessions carrying the grant's requester as source identity and issued before the end; other
//! people's sessions on the role are untouched. What the document holds, and how it stays under
//! IAM's size limit, is [`crate::revoke_policy`]; this module only reads and writes it.
//!
//! The write happens in the customer account, through a short session of the role itself (source
//! identity [`ROLE_GUARD_SOURCE_IDENTITY`], which no statement denies); onboarding grants the role
//! `iam:GetRolePolicy` and `iam:PutRolePolicy` on itself for this.
//!
//! Concurrency: IAM has no conditional put, so two ends on the same role at once could each read
//! the policy, add their own statement and write, the second write losing the first statement.
//! After writing, the guard therefore waits a moment ([`IamRoleGuard::with_settle`]; by then a
//! writer that read before our write has written too), reads the policy back and checks that it
//! still denies what it must (its own statement, or one that covers it); if not, it starts again
//! from a fresh read, up to [`ATTEMPTS`] times with a random pause; after that the end fails and
//! the caller audits it. What this cannot rule out: a concurrent writer whose read comes before our
//! write and whose write comes after our read-back, i.e. more than the settle time apart (possible
//! when IAM's eventually consistent reads serve it a stale document). Our statement would then be
//! lost silently. Ends on one role are rare (one per grant) and a read-modify-write takes well
//! under the settle time, so this is the accepted risk.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_iam::config::Credentials as SdkCredentials;
use time::OffsetDateTime;

use crate::revoke_policy::{denies, with_deny};
use cc_domain::access::ports::{AccessBroker, Assume, ROLE_GUARD_SOURCE_IDENTITY, RoleGuard};
use cc_domain::error::{Error, Result};
use cc_domain::ids::{ExternalId, RoleArn};

pub use crate::revoke_policy::POLICY_NAME;

/// Read-modify-write rounds before giving up (the failure is audited by the caller).
pub const ATTEMPTS: u32 = 6;

pub struct IamRoleGuard {
    sdk: aws_config::SdkConfig,
    broker: Arc<dyn AccessBroker>,
    settle: std::time::Duration,
}

impl IamRoleGuard {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>) -> Self {
        IamRoleGuard {
            sdk,
            broker,
            settle: std::time::Duration::from_secs(1),
        }
    }

    /// How long to wait between writing the policy and reading it back (default 1 s).
    pub fn with_settle(mut self, settle: std::time::Duration) -> Self {
        self.settle = settle;
        self
    }

    /// An IAM client acting as the role itself, in the customer account.
    async fn client(&self, role: &RoleArn, external_id: Option<&ExternalId>) -> Result<aws_sdk_iam::Client> {
        let creds = self
            .broker
            .assume(&Assume {
                role_arn: role.clone(),
                external_id: external_id.cloned(),
                session_name: "customer-central-role-guard".into(),
                source_identity: ROLE_GUARD_SOURCE_IDENTITY.into(),
                duration_seconds: 900,
                request_id: "role-guard".into(),
            })
            .await?;
        let conf = aws_sdk_iam::config::Builder::from(&self.sdk)
            .credentials_provider(SdkCredentials::new(
                creds.access_key_id.clone(),
                creds.secret_access_key.clone(),
                Some(creds.session_token.clone()),
                None,
                "customer-central-role-guard",
            ))
            .build();
        Ok(aws_sdk_iam::Client::from_conf(conf))
    }
}

fn failed(what: &str, role: &RoleArn, e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("{what} on {role}: {e}"))
}

/// The role's revocation policy as JSON, `None` when it does not exist.
async fn read_policy(iam: &aws_sdk_iam::Client, role: &RoleArn) -> Result<Option<String>> {
    match iam
        .get_role_policy()
        .role_name(role.role_name())
        .policy_name(POLICY_NAME)
        .send()
        .await
    {
        Ok(out) => Ok(Some(decode_document(out.policy_document()))),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => Ok(None),
        Err(e) => Err(failed(
            "GetRolePolicy",
            role,
            aws_sdk_iam::error::DisplayErrorContext(e),
        )),
    }
}

async fn write_policy(iam: &aws_sdk_iam::Client, role: &RoleArn, document: &str) -> Result<()> {
    iam.put_role_policy()
        .role_name(role.role_name())
        .policy_name(POLICY_NAME)
        .policy_document(document)
        .send()
        .await
        .map_err(|e| failed("PutRolePolicy", role, aws_sdk_iam::error::DisplayErrorContext(e)))?;
    Ok(())
}

/// IAM returns policy documents URL-encoded (RFC 3986); JSON as it is is accepted too.
pub fn decode_document(raw: &str) -> String {
    if raw.trim_start().starts_with('{') {
        return raw.to_string();
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied(), bytes.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[async_trait]
impl RoleGuard for IamRoleGuard {
    async fn end_sessions(
        &self,
        role: &RoleArn,
        external_id: Option<&ExternalId>,
        source_identity: &str,
        issued_before: OffsetDateTime,
    ) -> Result<()> {
        let iam = self.client(role, external_id).await?;
        for attempt in 1..=ATTEMPTS {
            let current = read_policy(&iam, role).await?;
            let next = with_deny(
                current.as_deref(),
                source_identity,
                issued_before,
                OffsetDateTime::now_utc(),
            )
            .map_err(|e| failed("the revocation policy", role, e))?;
            if current.as_deref() != Some(next.as_str()) {
                write_policy(&iam, role, &next).await?;
            }
            tokio::time::sleep(self.settle).await;
            if denies(
                read_policy(&iam, role).await?.as_deref(),
                source_identity,
                issued_before,
            ) {
                return Ok(());
            }
            tracing::warn!(%role, attempt, "the revocation policy lost a concurrent write; writing it again");
            let pause = 50 + rand::random::<u64>() % (100 << attempt.min(4));
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
        Err(failed(
            "the revocation policy",
            role,
            format!("still overwritten by concurrent writes after {ATTEMPTS} attempts"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::decode_document;

    #[test]
    fn policy_documents_are_read_url_encoded_or_not() {
        let json = r#"{"Statement":[{"Condition":{"StringEquals":{"aws:SourceIdentity":"erin+ops@example.com"}}}]}"#;
        assert_eq!(decode_document(json), json);
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22aws%3ASourceIdentity%22%3A%22erin%2Bops%40example.com%22%7D%7D%7D%5D%7D";
        assert_eq!(decode_document(encoded), json);
    }
}
