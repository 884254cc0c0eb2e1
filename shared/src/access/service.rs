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

pub use super::audit::AuditQuery;
use super::ports::{AccessBroker, Fanout, Notification, Notifier, RoleGuard, SsoAssigner, Workflow};
use super::*;
use crate::audit::AuditEvent;
pub use crate::audit::Origin;
use crate::clock::Clock;
use crate::error::retry_lost_races;
use crate::hub::{CustomerStatus, Hub};
use crate::identity::Principal;
use crate::ids::CustomerCode;
use crate::keys;
use crate::store::{Item, ItemStore, Write, encode};

/// The moment the sweeper cares about for a request in its current state.
pub(super) fn due(r: &AccessRequest) -> OffsetDateTime {
    match r.status {
        Status::Pending => r.approval_deadline,
        // After a failed SSO assignment, the next try (backing off).
        Status::Approved => {
            let start = r.starts_at.unwrap_or(r.created_at);
            super::sso::retry_at(r).map_or(start, |retry| retry.max(start))
        }
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

/// Deletes the marker that held the request's account for its requester (whatever its version;
/// none is fine).
fn release_marker(r: &AccessRequest) -> Write {
    Write::Delete {
        pk: keys::account(r.account_id.as_str()),
        sk: keys::open_request(r.requester.as_str()),
        expected: None,
    }
}

/// What a refused attempt was about: the request, account or customer its audit event is filed
/// under.
#[derive(Clone, Copy)]
pub(super) enum Attempt<'a> {
    Request(&'a str),
    Account(&'a crate::ids::AccountId),
    Customer(&'a str),
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
    /// IAM Identity Center assignments of finished SSO grants removed on a retry.
    pub assignments_removed: usize,
    pub failures: usize,
}

pub struct Access {
    pub(super) store: Arc<dyn ItemStore>,
    pub(super) hub: Arc<Hub>,
    pub(super) broker: Arc<dyn AccessBroker>,
    pub(super) guard: Arc<dyn RoleGuard>,
    pub(super) sso: Arc<dyn SsoAssigner>,
    pub(super) workflow: Arc<dyn Workflow>,
    notifier: Arc<dyn Notifier>,
    clock: Clock,
    /// Woken after every change, so a local sweeper can recompute when it is next due.
    changed: Arc<tokio::sync::Notify>,
}

impl Access {
    /// The service over `store` and the hub, with the outside systems in `ports` (notifiers fanned
    /// out: one failing does not keep the others from being told).
    pub fn new(store: Arc<dyn ItemStore>, hub: Arc<Hub>, ports: crate::AccessPorts, clock: Clock) -> Self {
        Access {
            store,
            hub,
            broker: ports.broker,
            guard: ports.guard,
            sso: ports.sso,
            workflow: ports.workflow,
            notifier: Arc::new(Fanout(ports.notifiers)),
            clock,
            changed: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Notified after every change to a request (for a sweeper that sleeps until the next due
    /// time rather than polling).
    pub fn changes(&self) -> Arc<tokio::sync::Notify> {
        self.changed.clone()
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
            let mut writes = vec![
                Write::PutIfVersion {
                    item: request_item(&next)?,
                    expected: version,
                },
                Write::PutNew(event.item()),
            ];
            if next.status.is_final() {
                // The account is free for this person's next request.
                writes.push(release_marker(&next));
            }
            self.store.transact(writes).await?;
            next.version = version + 1;
            Ok(next)
        })
        .await
    }

    /// Whether `who` is on `customer`'s team (decides who may ask, decide and see).
    pub(super) async fn on_team(&self, who: &Principal, customer: &CustomerCode) -> Result<bool> {
        Ok(self.hub.customers_of(&who.email).await?.contains(customer))
    }

    /// Makes durable what a request's time already decided (its window closed, its grant ran
    /// out) and runs the side effects; a request already final only has its marker released.
    pub(super) async fn settle(&self, r: &AccessRequest) -> Result<()> {
        if r.status.is_final() {
            return Ok(self.store.transact(vec![release_marker(r)]).await?);
        }
        let result = match r.status {
            Status::Pending => self.time_out(&r.id).await,
            _ => self.end_if_due(&r.id).await,
        };
        match result {
            Ok(_) | Err(Error::Conflict { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Before a grant is used: if its account left the hub or moved, its customer was offboarded
    /// or the requester left the team, the grant ends now (with its sessions or assignment) and
    /// the use is refused with the reason.
    pub(super) async fn end_unless_usable(&self, r: &AccessRequest) -> Result<()> {
        let usable = match self.check_available(r).await {
            Ok(()) => self.check_requester_on_team(r).await,
            e => e,
        };
        if let Err(Error::Conflict { message, .. }) = &usable {
            self.withdraw(&r.id, SYSTEM, message, &Origin::default()).await?;
        }
        usable
    }

    /// Refuses (409 `policy_not_met`) when the requester has left the customer's team since
    /// asking: access follows the team at every step, not only when asked.
    pub(super) async fn check_requester_on_team(&self, r: &AccessRequest) -> Result<()> {
        if self.hub.customers_of(&r.requester).await?.contains(&r.customer) {
            return Ok(());
        }
        Err(Error::conflict(
            Conflict::PolicyNotMet,
            format!("{} is no longer on customer {}'s team", r.requester, r.customer),
        ))
    }

    /// Refuses (409 `account_unavailable`) when the request's account has left the hub, moved to
    /// another customer, or its customer was offboarded since the request was made.
    pub(super) async fn check_available(&self, r: &AccessRequest) -> Result<()> {
        let gone = |why: String| Err(Error::conflict(Conflict::AccountUnavailable, why));
        let account = match self.hub.load_account(r.account_id.as_str()).await {
            Ok((a, _)) => a,
            Err(Error::NotFound { .. }) => return gone(format!("account {} is no longer in the hub", r.account_id)),
            Err(e) => return Err(e),
        };
        if account.customer != r.customer {
            return gone(format!("account {} moved to another customer", r.account_id));
        }
        match self.hub.load_customer(r.customer.as_str()).await {
            Ok((c, _)) if c.status == CustomerStatus::Offboarded => {
                gone(format!("customer {} is offboarded", r.customer))
            }
            Ok(_) => Ok(()),
            Err(Error::NotFound { .. }) => gone(format!("customer {} is no longer in the hub", r.customer)),
            Err(e) => Err(e),
        }
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

    /// Records a refused attempt (`{action}_refused`, with the reason) when `result` is a refusal
    /// of something known: the caller lacks the role, is off the team, may not see the request,
    /// or the state or rules say no. Returns `result` unchanged. Unknown requests, accounts and
    /// customers have nowhere to be filed and are not recorded; neither are lost races or
    /// internal failures.
    pub(super) async fn refusal<T>(
        &self,
        result: Result<T>,
        who: &Principal,
        action: &str,
        attempt: Attempt<'_>,
        origin: &Origin,
    ) -> Result<T> {
        let Err(err) = &result else { return result };
        let refused = match err {
            Error::Forbidden(_) | Error::NotFound { .. } | Error::Validation { .. } | Error::Rows { .. } => true,
            Error::Conflict { kind, .. } => *kind != Conflict::Version,
            Error::Unauthenticated(_) | Error::Internal(_) => false,
        };
        if !refused {
            return result;
        }
        let action = format!("{action}_refused");
        let now = self.now();
        let event = match attempt {
            Attempt::Request(id) => match self.load(id).await {
                Ok(r) => self.event(&r, who.email.as_str(), &action, "", origin, now),
                Err(_) => return result,
            },
            Attempt::Account(id) => match self.hub.load_account(id.as_str()).await {
                Ok((a, _)) => {
                    let mut e = AuditEvent::new(who.email.as_str(), &action, a.customer.as_str(), now).origin(origin);
                    e.account_id = Some(a.id.to_string());
                    e
                }
                Err(_) => return result,
            },
            Attempt::Customer(code) => match self.hub.load_customer(code).await {
                Ok(_) => AuditEvent::new(who.email.as_str(), &action, code, now).origin(origin),
                Err(_) => return result,
            },
        };
        let event = AuditEvent {
            detail: format!("{}: {err}", err.code()),
            ..event
        };
        if let Err(e) = self.append(event).await {
            tracing::error!(action, error = %e, "could not audit a refusal");
        }
        result
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
        self.changed.notify_one();
        let text = match event {
            "request_created" => format!(
                "{} asks for {} minutes of write access to {} ({}, {}): {}",
                r.requester, r.duration_minutes, r.account_id, r.account_name, r.customer, r.justification
            ),
            // One approval of several: still pending, which "is now pending" would hide.
            "approved" if r.status == Status::Pending => format!(
                "{}'s request for {} ({}) has {} of {} approvals; it waits for {} more",
                r.requester,
                r.account_id,
                r.customer,
                r.approvals(),
                r.approvals_required,
                (r.approvals_required as usize).saturating_sub(r.approvals())
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
