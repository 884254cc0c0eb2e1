//! Local adapters for breakglass: the whole flow runs without AWS. Local "credentials" are
//! clearly labelled records that grant nothing anywhere; the role guard keeps its deny times in
//! the item store where tests and people can see them; the workflow grants in-process and the
//! sweeper handles time; notifications go to the log.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use cc_domain::access::AccessRequest;
use cc_domain::access::ports::{
    AccessBroker, AfterApproval, Assume, Credentials, Notification, Notifier, RoleGuard, Workflow,
};
use cc_domain::error::Result;
use cc_domain::ids::{ExternalId, RoleArn, new_ulid};
use cc_domain::store::{Item, ItemStore, Write};

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

/// The local breakglass ports (no AWS): labelled local sessions, deny times kept in `items`,
/// in-process grants, notifications to the log.
pub fn ports(items: std::sync::Arc<dyn ItemStore>, base_url: &str) -> cc_domain::AccessPorts {
    cc_domain::AccessPorts {
        broker: Arc::new(LocalBroker {
            base_url: base_url.to_string(),
        }),
        guard: Arc::new(LocalRoleGuard { store: items }),
        workflow: Arc::new(LocalWorkflow),
        notifiers: vec![Arc::new(LogNotifier)],
    }
}
