//! The breakglass service and what its use cases share (split by use case: `requests`,
//! `decisions`, `grants`, `sweeper`, `audit`). Every change is a `transition`: load a request,
//! apply one pure rule, write the result and its audit event in one transaction conditional on
//! the version read. A lost race re-reads and re-applies
//! the rule, which then answers for the new state (e.g. "no longer pending"): fifty concurrent
//! callers get exactly one outcome.
//!
//! Requests are found by id, by requester (GSI1) and by status ordered by when they are next due
//! (GSI2: the sweeper's index); the formats are in `crate::keys`.

use std::sync::Arc;

use time::OffsetDateTime;

use super::audit::AuditEvent;
pub use super::audit::AuditQuery;
use super::ports::{AccessBroker, Notification, Notifier, RoleGuard, Workflow};
use super::*;
use crate::clock::Clock;
use crate::error::retry_lost_races;
use crate::hub::Hub;
use crate::keys;
use crate::store::{Item, ItemStore, Write, encode};

/// The moment the sweeper cares about for a request in its current state.
pub(super) fn due(r: &AccessRequest) -> OffsetDateTime {
    match r.status {
        Status::Pending => r.approval_deadline,
        Status::Approved => r.starts_at.unwrap_or(r.created_at),
        Status::Active => r.ends_at.unwrap_or(r.created_at),
        _ => r.ended_at.unwrap_or(r.created_at),
    }
}

pub(super) fn request_item(r: &AccessRequest) -> Result<Item> {
    Ok(Item::new(keys::request(&r.id), keys::META, encode(r)?)
        .with_gsi1(
            keys::user(r.requester.as_str()),
            keys::request_by_created(r.created_at, &r.id),
        )
        .with_gsi2(keys::status(r.status.as_str()), keys::due(due(r), &r.id)))
}

/// Where a caller is, for the audit log.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub source_ip: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Mine,
    ToApprove,
    All,
}

#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    pub timed_out: usize,
    pub granted: usize,
    pub expired: usize,
    pub failures: usize,
}

pub struct Access {
    pub(super) store: Arc<dyn ItemStore>,
    pub(super) hub: Arc<Hub>,
    pub(super) broker: Arc<dyn AccessBroker>,
    pub(super) guard: Arc<dyn RoleGuard>,
    pub(super) workflow: Arc<dyn Workflow>,
    notifier: Arc<dyn Notifier>,
    clock: Clock,
}

impl Access {
    pub fn new(
        store: Arc<dyn ItemStore>,
        hub: Arc<Hub>,
        broker: Arc<dyn AccessBroker>,
        guard: Arc<dyn RoleGuard>,
        workflow: Arc<dyn Workflow>,
        notifier: Arc<dyn Notifier>,
        clock: Clock,
    ) -> Self {
        Access {
            store,
            hub,
            broker,
            guard,
            workflow,
            notifier,
            clock,
        }
    }

    pub(super) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Loads, applies `rule`, and writes the result with its audit event; retries lost races.
    pub(super) async fn transition(
        &self,
        id: &str,
        actor: &str,
        action: &str,
        origin: &Origin,
        rule: impl Fn(AccessRequest, OffsetDateTime) -> Result<AccessRequest>,
    ) -> Result<AccessRequest> {
        retry_lost_races(|| async {
            let current = self.load(id).await?;
            let now = self.now();
            let version = current.version;
            let mut next = rule(current, now)?;
            let detail = next.history.last().map(|h| h.what.clone()).unwrap_or_default();
            let event = self.event(&next, actor, action, &detail, origin, now);
            self.store
                .transact(vec![
                    Write::PutIfVersion {
                        item: request_item(&next)?,
                        expected: version,
                    },
                    Write::PutNew(event.item()),
                ])
                .await?;
            next.version = version + 1;
            Ok(next)
        })
        .await
    }

    pub(super) fn event(
        &self,
        r: &AccessRequest,
        actor: &str,
        action: &str,
        detail: &str,
        origin: &Origin,
        at: OffsetDateTime,
    ) -> AuditEvent {
        let mut e = AuditEvent::new(actor, action, r.customer.as_str(), at);
        e.account_id = Some(r.account_id.to_string());
        e.request_id = Some(r.id.clone());
        e.detail = detail.to_string();
        e.source_ip = origin.source_ip.clone();
        e
    }

    pub(super) async fn append(&self, e: AuditEvent) -> Result<()> {
        Ok(self.store.put_new(e.item()).await?)
    }

    pub(super) async fn record_failure(&self, r: &AccessRequest, action: &str, err: &Error) {
        tracing::error!(request = %r.id, action, error = %err, "breakglass step failed");
        let e = self.event(r, SYSTEM, action, &err.to_string(), &Origin::default(), self.now());
        if let Err(write) = self.append(e).await {
            tracing::error!(request = %r.id, error = %write, "could not audit a failure");
        }
    }

    pub(super) async fn after_write(&self, r: &AccessRequest, event: &'static str) {
        let text = match event {
            "request_created" => format!(
                "{} asks for {} minutes of write access to {} ({}, {}): {}",
                r.requester, r.duration_minutes, r.account_id, r.account_name, r.customer, r.justification
            ),
            _ => format!(
                "{}'s request for {} ({}) is now {}",
                r.requester,
                r.account_id,
                r.customer,
                r.status.as_str()
            ),
        };
        self.notify(r, event, text).await;
    }

    /// A revoke: says whether the grant's sessions were cut (the role guard's deny was written).
    pub(super) async fn notify_revoked(&self, r: &AccessRequest, sessions_cut: bool) {
        let sessions = if sessions_cut {
            "their sessions were cut"
        } else {
            "cutting their sessions failed (see the audit log)"
        };
        let text = format!(
            "{}'s grant on {} ({}) was revoked; {sessions}",
            r.requester, r.account_id, r.customer
        );
        self.notify(r, "revoked", text).await;
    }

    async fn notify(&self, r: &AccessRequest, event: &'static str, text: String) {
        let n = Notification {
            event,
            request_id: r.id.clone(),
            customer: r.customer.to_string(),
            account_id: r.account_id.to_string(),
            text,
        };
        if let Err(e) = self.notifier.notify(&n).await {
            tracing::warn!(request = %r.id, error = %e, "notification failed");
        }
    }
}
