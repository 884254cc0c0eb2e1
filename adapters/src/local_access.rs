//! Local adapters for breakglass: the whole flow runs without AWS. Local "credentials" are
//! clearly labelled records that grant nothing anywhere; the role guard keeps its deny times in
//! the item store where tests and people can see them; the local Identity Center keeps SSO
//! breakglass assignments there too; the workflow grants in-process and the sweeper handles time;
//! notifications go to the log.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use cc_domain::access::AccessRequest;
use cc_domain::access::ports::{
    AccessBroker, AfterApproval, Assume, Credentials, Notification, Notifier, RoleGuard, SsoAssigner, SsoError,
    SsoTarget, Workflow,
};
use cc_domain::error::Result;
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
        Ok(Credentials {
            access_key_id: format!("LOCAL{}", &id[16..]),
            secret_access_key: format!("local-not-a-real-secret-{}", id.to_lowercase()),
            session_token: format!(
                "local-session;role={};source-identity={};request={}",
                req.role_arn, req.source_identity, req.request_id
            ),
            expiration: OffsetDateTime::now_utc() + time::Duration::seconds(req.duration_seconds as i64),
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

/// Records "revoke older sessions" deny times as items (`keys::role_guard`/`keys::DENY`).
pub struct LocalRoleGuard {
    pub store: Arc<dyn ItemStore>,
}

#[async_trait]
impl RoleGuard for LocalRoleGuard {
    async fn deny_sessions_issued_before(
        &self,
        role: &RoleArn,
        _external_id: Option<&ExternalId>,
        before: OffsetDateTime,
    ) -> Result<()> {
        tracing::info!(%role, before = %cc_domain::access::rfc3339(before), "local role guard: sessions issued before this are denied");
        let item = Item::new(
            cc_domain::keys::role_guard(role.as_str()),
            cc_domain::keys::DENY,
            serde_json::json!({ "role": role.as_str(), "denied_before": cc_domain::access::rfc3339(before) }),
        );
        Ok(self.store.transact(vec![Write::Put(item)]).await?)
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

/// The local breakglass ports (no AWS): labelled local sessions, deny times and SSO assignments
/// kept in `items`, in-process grants, notifications to the log.
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
