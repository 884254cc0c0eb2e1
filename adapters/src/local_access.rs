//! Local adapters for breakglass: the whole flow runs without AWS. Local "credentials" are
//! clearly labelled records that grant nothing anywhere (each names its role, source identity and
//! issue time); the role guard keeps its deny times per role and person in the item store where
//! tests and people can see them, and [`LocalRoleGuard::denies`] judges a local session against
//! them the way IAM judges an AWS session against the role's deny statements; the local Identity
//! Center keeps SSO breakglass assignments there too; the workflow grants in-process and the
//! sweeper handles time; notifications go to the log.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use cc_domain::access::ports::{
    AccessBroker, AfterApproval, Assume, Credentials, Notification, Notifier, ROLE_GUARD_SOURCE_IDENTITY, RoleGuard,
    SsoAssigner, SsoError, SsoTarget, Workflow,
};
use cc_domain::access::{AccessRequest, rfc3339};
use cc_domain::error::{Error, Result, retry_lost_races};
use cc_domain::ids::{Email, ExternalId, RoleArn, new_ulid};
use cc_domain::keys;
use cc_domain::store::{Index, Item, ItemStore, Query, Write};

pub struct LocalBroker {
    /// Where the local server is reachable (local console links point there).
    pub base_url: String,
}

#[async_trait]
impl AccessBroker for LocalBroker {
    async fn assume(&self, req: &Assume) -> Result<Credentials> {
        let id = new_ulid().to_string();
        let issued = OffsetDateTime::now_utc();
        Ok(Credentials {
            access_key_id: format!("LOCAL{}", &id[16..]),
            secret_access_key: format!("local-not-a-real-secret-{}", id.to_lowercase()),
            session_token: format!(
                "local-session;role={};source-identity={};request={};issued={}",
                req.role_arn,
                req.source_identity,
                req.request_id,
                issued.unix_timestamp()
            ),
            expiration: issued + time::Duration::seconds(req.duration_seconds as i64),
        })
    }

    async fn console_url(&self, creds: &Credentials, destination: &str) -> Result<String> {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("session", &creds.access_key_id)
            .append_pair("destination", destination)
            .finish();
        Ok(format!("{}/local/console?{query}", self.base_url.trim_end_matches('/')))
    }
}

/// Records the role guard's denies as items, one per role and source identity
/// (`keys::role_guard` / `keys::deny`), holding the time before which that person's sessions are
/// denied: the same scoping as the IAM statements (see `revoke_policy`), so the local flow behaves
/// like AWS. A later deny for the same person replaces an earlier one; an earlier one arriving late
/// changes nothing.
pub struct LocalRoleGuard {
    pub store: Arc<dyn ItemStore>,
}

impl LocalRoleGuard {
    /// The time before which `source_identity`'s sessions of `role` are denied, if any.
    pub async fn denied_before(&self, role: &RoleArn, source_identity: &str) -> Result<Option<OffsetDateTime>> {
        let item = self
            .store
            .get(&keys::role_guard(role.as_str()), &keys::deny(source_identity))
            .await?;
        Ok(item.as_ref().and_then(deny_time_of))
    }

    /// Whether a local session (from [`LocalBroker`]) is cut, the way IAM evaluates the deny: there
    /// is a deny for the session's role and source identity, and the session was issued (in whole
    /// seconds, like `aws:TokenIssueTime`) before its time. Not a local session: `Ok(false)`.
    pub async fn denies(&self, creds: &Credentials) -> Result<bool> {
        let Some(rest) = creds.session_token.strip_prefix("local-session;") else {
            return Ok(false);
        };
        let field = |name: &str| {
            rest.split(';')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_string)
        };
        let (Some(role), Some(identity), Some(issued)) = (
            field("role").and_then(|r| RoleArn::parse(&r).ok()),
            field("source-identity"),
            field("issued").and_then(|t| t.parse::<i64>().ok()),
        ) else {
            return Ok(false);
        };
        let issued = OffsetDateTime::from_unix_timestamp(issued).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Ok(self
            .denied_before(&role, &identity)
            .await?
            .is_some_and(|before| issued < before))
    }
}

fn deny_time_of(item: &Item) -> Option<OffsetDateTime> {
    let at = item.data["denied_before"].as_str()?;
    OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
}

#[async_trait]
impl RoleGuard for LocalRoleGuard {
    async fn end_sessions(
        &self,
        role: &RoleArn,
        _external_id: Option<&ExternalId>,
        source_identity: &str,
        issued_before: OffsetDateTime,
    ) -> Result<()> {
        if source_identity.is_empty() || source_identity == ROLE_GUARD_SOURCE_IDENTITY {
            return Err(Error::Internal(anyhow::anyhow!(
                "the role guard denies a grant's requester, not '{source_identity}'"
            )));
        }
        let before = crate::revoke_policy::deny_time(issued_before);
        let (pk, sk) = (keys::role_guard(role.as_str()), keys::deny(source_identity));
        retry_lost_races(|| async {
            let current = self.store.get(&pk, &sk).await?;
            let read = current.as_ref().map_or(0, |i| i.version);
            if current.as_ref().and_then(deny_time_of).is_some_and(|t| t >= before) {
                return Ok(());
            }
            let item = Item::new(
                pk.clone(),
                sk.clone(),
                serde_json::json!({
                    "role": role.as_str(),
                    "source_identity": source_identity,
                    "denied_before": rfc3339(before),
                }),
            );
            Ok(self.store.transact(vec![Write::at_version(item, read)]).await?)
        })
        .await?;
        tracing::info!(%role, source_identity, before = %rfc3339(before), "local role guard: this person's older sessions are denied");
        Ok(())
    }
}

/// A local IAM Identity Center: every person exists, every permission set exists, and account
/// assignments are items (`keys::sso_local` / `keys::sso_local_assignment`) that tests and people
/// can see.
pub struct LocalSsoAssigner {
    pub store: Arc<dyn ItemStore>,
}

impl LocalSsoAssigner {
    /// The permission sets assigned on `account` (as `(permission set, email)`).
    pub async fn assignments(&self, account: &str) -> Result<Vec<(String, String)>> {
        let items = self
            .store
            .query_all(Query::partition(Index::Primary, keys::sso_local(account)))
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|i| {
                let (ps, email) = i.sk.split_once('#')?;
                Some((ps.to_string(), email.to_string()))
            })
            .collect())
    }
}

fn local_failure(e: impl std::fmt::Display) -> SsoError {
    SsoError::Failed(format!("local assignment store: {e}"))
}

#[async_trait]
impl SsoAssigner for LocalSsoAssigner {
    async fn assign(&self, target: &SsoTarget, user: &Email) -> std::result::Result<(), SsoError> {
        tracing::info!(account = %target.account_id, permission_set = %target.permission_set, %user, "local Identity Center: assigned");
        let item = Item::new(
            keys::sso_local(target.account_id.as_str()),
            keys::sso_local_assignment(target.permission_set.as_str(), user.as_str()),
            serde_json::json!({
                "instance_arn": target.instance_arn.as_str(),
                "account_id": target.account_id.as_str(),
                "permission_set": target.permission_set.as_str(),
                "user": user.as_str(),
                "request_id": target.request_id,
            }),
        );
        self.store.transact(vec![Write::Put(item)]).await.map_err(local_failure)
    }

    async fn unassign(&self, target: &SsoTarget, user: &Email) -> std::result::Result<(), SsoError> {
        tracing::info!(account = %target.account_id, permission_set = %target.permission_set, %user, "local Identity Center: assignment removed");
        self.store
            .delete(
                &keys::sso_local(target.account_id.as_str()),
                &keys::sso_local_assignment(target.permission_set.as_str(), user.as_str()),
                None,
            )
            .await
            .map_err(local_failure)
    }
}

/// The local workflow: grant in-process on approval; time is the sweeper's job.
pub struct LocalWorkflow;

#[async_trait]
impl Workflow for LocalWorkflow {
    async fn started(&self, _req: &AccessRequest) -> Result<()> {
        Ok(())
    }
    async fn approved(&self, _req: &AccessRequest) -> Result<AfterApproval> {
        Ok(AfterApproval::GrantNow)
    }
    async fn stopped(&self, _req: &AccessRequest) -> Result<()> {
        Ok(())
    }
}

pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn notify(&self, n: &Notification) -> Result<()> {
        tracing::info!(event = n.event, request = %n.request_id, customer = %n.customer, "{}", n.text);
        Ok(())
    }
}

/// The local breakglass ports (no AWS): labelled local sessions, per-person deny times and SSO
/// assignments kept in `items`, in-process grants, notifications to the log.
pub fn ports(items: std::sync::Arc<dyn ItemStore>, base_url: &str) -> cc_domain::AccessPorts {
    cc_domain::AccessPorts {
        broker: Arc::new(LocalBroker {
            base_url: base_url.to_string(),
        }),
        sso: Arc::new(LocalSsoAssigner { store: items.clone() }),
        guard: Arc::new(LocalRoleGuard { store: items }),
        workflow: Arc::new(LocalWorkflow),
        notifiers: vec![Arc::new(LogNotifier)],
    }
}
