//! Breakglass operations: load a request, apply one pure rule, write the result and its audit
//! event in one transaction conditional on the version read. A lost race re-reads and re-applies
//! the rule, which then answers for the new state (e.g. "no longer pending"): fifty concurrent
//! callers get exactly one outcome.
//!
//! Requests are found by id, by requester (GSI1) and by status ordered by when they are next due
//! (GSI2: the sweeper's index); the formats are in `crate::keys`.

use std::sync::Arc;

use time::OffsetDateTime;

use super::audit::AuditEvent;
use super::policy::ApprovalPolicy;
use super::ports::{AccessBroker, AfterApproval, Assume, Credentials, Notification, Notifier, RoleGuard, Workflow};
use super::*;
use crate::clock::Clock;
use crate::error::retry_lost_races;
use crate::hub::{AccessMethod, Hub};
use crate::identity::Principal;
use crate::ids::new_ulid;
use crate::keys;
use crate::store::{Index, Item, ItemStore, Query, StoreError, Write, decode, encode};

/// The moment the sweeper cares about for a request in its current state.
fn due(r: &AccessRequest) -> OffsetDateTime {
    match r.status {
        Status::Pending => r.approval_deadline,
        Status::Approved => r.starts_at.unwrap_or(r.created_at),
        Status::Active => r.ends_at.unwrap_or(r.created_at),
        _ => r.ended_at.unwrap_or(r.created_at),
    }
}

fn request_item(r: &AccessRequest) -> Result<Item> {
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
    store: Arc<dyn ItemStore>,
    hub: Arc<Hub>,
    broker: Arc<dyn AccessBroker>,
    guard: Arc<dyn RoleGuard>,
    workflow: Arc<dyn Workflow>,
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

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    // ---- policy ------------------------------------------------------------------------------

    pub async fn policy(&self, who: &Principal, customer: &str) -> Result<ApprovalPolicy> {
        who.require_any_role()?;
        self.hub.get_customer(who, customer).await?;
        self.load_policy(customer).await
    }

    async fn load_policy(&self, customer: &str) -> Result<ApprovalPolicy> {
        match self.store.get(&keys::customer(customer), keys::POLICY).await? {
            Some(item) => decode(item),
            None => Ok(ApprovalPolicy::default()),
        }
    }

    /// Replaces a customer's policy (admin). `policy.version` must be the version read (0 for the
    /// defaults), so two admins editing at once cannot overwrite each other.
    pub async fn put_policy(
        &self,
        who: &Principal,
        customer: &str,
        policy: ApprovalPolicy,
        origin: &Origin,
    ) -> Result<ApprovalPolicy> {
        who.require(Role::Admin, "changing an approval policy")?;
        self.hub.get_customer(who, customer).await?;
        policy.validate()?;
        let expected = policy.version;
        let mut stored = policy.clone();
        stored.version = 0;
        let item = Item::new(keys::customer(customer), keys::POLICY, encode(&stored)?);
        let now = self.now();
        let mut event = AuditEvent::new(who.email.as_str(), "policy_changed", customer, now);
        event.detail = format!(
            "approvals {} by {:?}, max {} min, window {} min, ticket required {}",
            policy.approvals_required,
            policy.approver_roles,
            policy.max_duration_minutes,
            policy.approval_window_minutes,
            policy.ticket_required
        );
        event.source_ip = origin.source_ip.clone();
        match self
            .store
            .transact(vec![Write::at_version(item, expected), Write::PutNew(event.item())])
            .await
        {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => {
                return Err(Error::conflict(
                    Conflict::Version,
                    "the policy was changed by someone else; reload it and try again",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        stored.version = expected + 1;
        Ok(stored)
    }

    // ---- requests ----------------------------------------------------------------------------

    pub async fn create(&self, who: &Principal, new: NewRequest, origin: &Origin) -> Result<AccessRequest> {
        who.require_any_role()?;
        let account = match self.hub.get_account(who, new.account_id.as_str()).await {
            Err(Error::NotFound { .. }) => {
                return Err(Error::validation(
                    "account_id",
                    format!("account {} is not in the hub", new.account_id),
                ));
            }
            other => other?,
        };
        let (role_arn, external_id, max_session) = match &account.access {
            AccessMethod::Role {
                breakglass_role_arn,
                external_id,
                max_session_seconds,
                ..
            } => (
                breakglass_role_arn.clone(),
                Some(external_id.clone()),
                *max_session_seconds,
            ),
            AccessMethod::Sso { .. } => {
                return Err(Error::validation(
                    "account_id",
                    format!(
                        "account {} is reached through the customer's SSO; breakglass needs an onboarding breakglass role",
                        account.id
                    ),
                ));
            }
        };
        let policy = self.load_policy(account.customer.as_str()).await?;
        let now = self.now();
        let id = new_ulid().to_string().to_lowercase();
        let mut request = AccessRequest::create(
            id,
            who,
            new,
            account.customer.clone(),
            account.name.clone(),
            (role_arn, external_id, max_session),
            &policy,
            now,
        )?;
        let event = self.event(
            &request,
            who.email.as_str(),
            "request_created",
            &request.justification.clone(),
            origin,
            now,
        );
        self.store
            .transact(vec![
                Write::PutNew(request_item(&request)?),
                Write::PutNew(event.item()),
            ])
            .await?;
        request.version = 1;
        self.after_write(&request, "request_created").await;
        if let Err(e) = self.workflow.started(&request).await {
            self.record_failure(&request, "workflow_start_failed", &e).await;
        }
        Ok(request)
    }

    pub async fn get(&self, who: &Principal, id: &str) -> Result<AccessRequest> {
        who.require_any_role()?;
        self.load(id).await
    }

    /// A request as it stands, for system callers (workflow tasks) that act for no person.
    pub async fn find(&self, id: &str) -> Result<AccessRequest> {
        self.load(id).await
    }

    /// Hands the workflow the task token it waits under (the `record_token` task).
    pub async fn record_task_token(&self, id: &str, token: &str) -> Result<()> {
        let r = self.load(id).await?;
        self.workflow.task_token(&r, token).await
    }

    async fn load(&self, id: &str) -> Result<AccessRequest> {
        let item = self
            .store
            .get(&keys::request(id), keys::META)
            .await?
            .ok_or_else(|| Error::not_found("access request", id))?;
        decode(item)
    }

    pub async fn list(
        &self,
        who: &Principal,
        scope: Scope,
        status: Option<Status>,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<(Vec<AccessRequest>, Option<String>)> {
        who.require_any_role()?;
        match scope {
            Scope::Mine => {
                let page = self
                    .store
                    .query(
                        Query::partition(Index::Gsi1, keys::user(who.email.as_str()))
                            .prefix(keys::REQUEST_PREFIX)
                            .descending()
                            .limit(limit)
                            .after(cursor),
                    )
                    .await?;
                let items = page
                    .items
                    .into_iter()
                    .map(decode::<AccessRequest>)
                    .collect::<Result<Vec<_>>>()?
                    .into_iter()
                    .filter(|r| status.is_none_or(|s| r.status == s))
                    .collect();
                Ok((items, page.next_cursor))
            }
            Scope::ToApprove => {
                let pending = self.by_status(Status::Pending).await?;
                let items = pending.into_iter().filter(|r| r.may_decide(who).is_ok()).collect();
                Ok((items, None))
            }
            Scope::All => {
                if !who.has(Role::Lead) && !who.has(Role::Admin) {
                    return Err(Error::Forbidden(
                        "listing everyone's requests needs the lead or admin role".into(),
                    ));
                }
                match status {
                    Some(s) => {
                        let page = self
                            .store
                            .query(
                                Query::partition(Index::Gsi2, keys::status(s.as_str()))
                                    .descending()
                                    .limit(limit)
                                    .after(cursor),
                            )
                            .await?;
                        let items = page
                            .items
                            .into_iter()
                            .map(decode::<AccessRequest>)
                            .collect::<Result<Vec<_>>>()?;
                        Ok((items, page.next_cursor))
                    }
                    None => {
                        let mut open = Vec::new();
                        for s in [Status::Pending, Status::Approved, Status::Active] {
                            open.extend(self.by_status(s).await?);
                        }
                        open.sort_by_key(|r| std::cmp::Reverse(r.created_at));
                        Ok((open, None))
                    }
                }
            }
        }
    }

    /// Every request in a status, soonest due first (open states are few; this is an index query).
    async fn by_status(&self, status: Status) -> Result<Vec<AccessRequest>> {
        self.store
            .query_all(Query::partition(Index::Gsi2, keys::status(status.as_str())).limit(500))
            .await?
            .into_iter()
            .map(decode::<AccessRequest>)
            .collect()
    }

    /// Active grants: mine, or everyone's (leads, admins).
    pub async fn sessions(&self, who: &Principal, all: bool) -> Result<Vec<AccessRequest>> {
        who.require_any_role()?;
        if all && !who.has(Role::Lead) && !who.has(Role::Admin) {
            return Err(Error::Forbidden(
                "everyone's sessions need the lead or admin role".into(),
            ));
        }
        let active = self.by_status(Status::Active).await?;
        Ok(active.into_iter().filter(|r| all || r.requester == who.email).collect())
    }

    /// Loads, applies `rule`, and writes the result with its audit event; retries lost races.
    async fn transition(
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

    pub async fn decide(
        &self,
        who: &Principal,
        id: &str,
        verdict: Verdict,
        comment: &str,
        origin: &Origin,
    ) -> Result<AccessRequest> {
        who.require_any_role()?;
        let action = match verdict {
            Verdict::Approve => "approved",
            Verdict::Reject => "rejected",
        };
        let decided = self
            .transition(id, who.email.as_str(), action, origin, |r, now| {
                r.decide(who, verdict, comment, now)
            })
            .await?;
        self.after_write(&decided, action).await;
        match decided.status {
            Status::Approved => match self.workflow.approved(&decided).await {
                Ok(AfterApproval::GrantNow) if decided.start_due(self.now()) => {
                    // The decision stands whatever happens to the grant: a concurrent cancel wins
                    // (answer with the state it left), any other failure is the sweeper's to retry.
                    return match self.grant(id).await {
                        Ok(granted) => Ok(granted),
                        Err(Error::Conflict { .. }) => self.load(id).await,
                        Err(e) => {
                            self.record_failure(&decided, "grant_failed", &e).await;
                            Ok(decided)
                        }
                    };
                }
                Ok(_) => {}
                Err(e) => self.record_failure(&decided, "workflow_signal_failed", &e).await,
            },
            Status::Rejected => {
                if let Err(e) = self.workflow.stopped(&decided).await {
                    self.record_failure(&decided, "workflow_stop_failed", &e).await;
                }
            }
            _ => {}
        }
        Ok(decided)
    }

    /// Approved → active when the start is due (the workflow's grant step; the sweeper's too).
    /// Granting an already active request returns it unchanged.
    pub async fn grant(&self, id: &str) -> Result<AccessRequest> {
        let current = self.load(id).await?;
        if current.status == Status::Active {
            return Ok(current);
        }
        let granted = self
            .transition(id, SYSTEM, "granted", &Origin::default(), |r, now| r.activate(now))
            .await?;
        self.after_write(&granted, "granted").await;
        Ok(granted)
    }

    pub async fn cancel(&self, who: &Principal, id: &str, origin: &Origin) -> Result<AccessRequest> {
        let r = self
            .transition(id, who.email.as_str(), "cancelled", origin, |r, now| r.cancel(who, now))
            .await?;
        self.after_write(&r, "cancelled").await;
        if let Err(e) = self.workflow.stopped(&r).await {
            self.record_failure(&r, "workflow_stop_failed", &e).await;
        }
        Ok(r)
    }

    pub async fn revoke(&self, who: &Principal, id: &str, reason: &str, origin: &Origin) -> Result<AccessRequest> {
        if reason.chars().count() > 1000 {
            return Err(Error::validation("reason", "at most 1000 characters"));
        }
        let r = self
            .transition(id, who.email.as_str(), "revoked", origin, |r, now| {
                r.revoke(who, reason, now)
            })
            .await?;
        self.after_write(&r, "revoked").await;
        self.close_sessions(&r).await;
        if let Err(e) = self.workflow.stopped(&r).await {
            self.record_failure(&r, "workflow_stop_failed", &e).await;
        }
        Ok(r)
    }

    /// Ends a grant whose time is up (the workflow's end step, the sweeper). A request that has
    /// already ended is returned unchanged, so a late or repeated call is harmless.
    pub async fn end_if_due(&self, id: &str) -> Result<AccessRequest> {
        let current = self.load(id).await?;
        if current.status.is_final() {
            return Ok(current);
        }
        let r = self
            .transition(id, SYSTEM, "expired", &Origin::default(), |r, now| r.expire(now))
            .await?;
        self.after_write(&r, "expired").await;
        self.close_sessions(&r).await;
        Ok(r)
    }

    pub async fn time_out(&self, id: &str) -> Result<AccessRequest> {
        let r = self
            .transition(id, SYSTEM, "timed_out", &Origin::default(), |r, now| r.time_out(now))
            .await?;
        self.after_write(&r, "timed_out").await;
        Ok(r)
    }

    /// STS sessions cannot be cancelled: deny every session of the role issued before now, unless
    /// another grant on the same role is still active (it must not be cut short; its own end
    /// writes the deny later, covering this grant's sessions too).
    async fn close_sessions(&self, ended: &AccessRequest) {
        let others = match self.by_status(Status::Active).await {
            Ok(list) => list,
            Err(e) => return self.record_failure(ended, "revoke_sessions_failed", &e).await,
        };
        let mut still_active = false;
        for other in others
            .iter()
            .filter(|o| o.role_arn == ended.role_arn && o.id != ended.id)
        {
            // The index may lag; confirm with a consistent read.
            if let Ok(current) = self.load(&other.id).await
                && current.status == Status::Active
            {
                still_active = true;
            }
        }
        if still_active {
            return;
        }
        let before = self.now();
        if let Err(e) = self
            .guard
            .deny_sessions_issued_before(&ended.role_arn, ended.external_id.as_ref(), before)
            .await
        {
            self.record_failure(ended, "revoke_sessions_failed", &e).await;
        }
    }

    // ---- credentials -------------------------------------------------------------------------

    async fn assume(&self, who: &Principal, id: &str) -> Result<(AccessRequest, Credentials)> {
        let r = self.load(id).await?;
        let now = self.now();
        let ends = r.check_credentials(who, now)?;
        let seconds = ports::session_seconds((ends - now).whole_seconds(), r.max_session_seconds);
        let creds = self
            .broker
            .assume(&Assume {
                role_arn: r.role_arn.clone(),
                external_id: r.external_id.clone(),
                session_name: ports::session_name(r.requester.as_str()),
                source_identity: r.requester.to_string(),
                duration_seconds: seconds,
                request_id: r.id.clone(),
            })
            .await;
        match creds {
            Ok(c) => Ok((r, c)),
            Err(e) => {
                self.record_failure(&r, "credentials_failed", &e).await;
                Err(e)
            }
        }
    }

    /// Credentials for the grantee's active grant (never stored).
    pub async fn credentials(&self, who: &Principal, id: &str, origin: &Origin) -> Result<Credentials> {
        let (r, creds) = self.assume(who, id).await?;
        let detail = format!("session {} until {}", creds.access_key_id, rfc3339(creds.expiration));
        self.audit_use(&r, who, "credentials_issued", &detail, origin).await?;
        Ok(creds)
    }

    pub async fn console_link(&self, who: &Principal, id: &str, origin: &Origin) -> Result<String> {
        let (r, creds) = self.assume(who, id).await?;
        let url = self
            .broker
            .console_url(&creds, "https://console.aws.amazon.com/")
            .await?;
        self.audit_use(
            &r,
            who,
            "console_link_issued",
            &format!("console session {}", creds.access_key_id),
            origin,
        )
        .await?;
        Ok(url)
    }

    /// Audits a use of a grant (credentials or a console link) by the grantee.
    async fn audit_use(
        &self,
        r: &AccessRequest,
        who: &Principal,
        action: &str,
        detail: &str,
        origin: &Origin,
    ) -> Result<()> {
        self.append(self.event(r, who.email.as_str(), action, detail, origin, self.now()))
            .await
    }

    // ---- sweeper -----------------------------------------------------------------------------

    /// Times out pending requests past their window, grants approved ones whose start has come,
    /// and ends active grants past their end. Found through the status index; idempotent.
    pub async fn sweep(&self) -> Result<SweepReport> {
        let now = self.now();
        let mut report = SweepReport::default();
        for status in [Status::Pending, Status::Approved, Status::Active] {
            let cutoff = keys::due_before(now);
            let mut cursor = None;
            'pages: loop {
                let page = self
                    .store
                    .query(
                        Query::partition(Index::Gsi2, keys::status(status.as_str()))
                            .limit(100)
                            .after(cursor),
                    )
                    .await?;
                for item in page.items {
                    let sort = item.gsi2.as_ref().map(|k| k.sk.clone()).unwrap_or_default();
                    if sort.as_str() > cutoff.as_str() {
                        break 'pages; // sorted by due time: the rest is not due
                    }
                    let r: AccessRequest = decode(item)?;
                    let result = match status {
                        Status::Pending => self.time_out(&r.id).await.map(|_| report.timed_out += 1),
                        Status::Approved => self.grant(&r.id).await.map(|_| report.granted += 1),
                        _ => self.end_if_due(&r.id).await.map(|_| report.expired += 1),
                    };
                    // A concurrent change (a late approval, a revoke) is fine: the state moved on.
                    if let Err(e) = result
                        && !matches!(e, Error::Conflict { .. })
                    {
                        report.failures += 1;
                        self.record_failure(&r, "sweep_failed", &e).await;
                    }
                }
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
        }
        if report != SweepReport::default() {
            tracing::info!(?report, "sweep");
        }
        Ok(report)
    }

    // ---- audit -------------------------------------------------------------------------------

    fn event(
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

    async fn append(&self, e: AuditEvent) -> Result<()> {
        Ok(self.store.put_new(e.item()).await?)
    }

    async fn record_failure(&self, r: &AccessRequest, action: &str, err: &Error) {
        tracing::error!(request = %r.id, action, error = %err, "breakglass step failed");
        let e = self.event(r, SYSTEM, action, &err.to_string(), &Origin::default(), self.now());
        if let Err(write) = self.append(e).await {
            tracing::error!(request = %r.id, error = %write, "could not audit a failure");
        }
    }

    async fn after_write(&self, r: &AccessRequest, event: &'static str) {
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

    /// Audit events newest first: by customer (with an optional account) or by actor, between two
    /// instants.
    pub async fn audit(&self, who: &Principal, q: &AuditQuery) -> Result<Vec<AuditEvent>> {
        who.require_any_role()?;
        let own = q.actor.as_deref() == Some(who.email.as_str());
        if !own && !who.has(Role::Lead) && !who.has(Role::Admin) {
            return Err(Error::Forbidden(
                "the audit log needs the lead or admin role (or actor=yourself)".into(),
            ));
        }
        let in_range = |e: &AuditEvent| e.at >= q.from && e.at < q.to;
        let mut events = Vec::new();
        match (&q.customer, &q.actor) {
            (Some(customer), actor) => {
                let mut month = q.to;
                let first = keys::audit(customer, q.from);
                loop {
                    let pk = keys::audit(customer, month);
                    let items = self
                        .store
                        .query_all(Query::partition(Index::Primary, &pk).limit(500))
                        .await?;
                    for item in items {
                        let e: AuditEvent = serde_json::from_value(item.data).map_err(|e| Error::Internal(e.into()))?;
                        if in_range(&e)
                            && q.account.as_deref().is_none_or(|a| e.account_id.as_deref() == Some(a))
                            && actor.as_deref().is_none_or(|a| e.actor == a)
                        {
                            events.push(e);
                        }
                    }
                    if pk == first {
                        break;
                    }
                    month = previous_month(month);
                }
            }
            (None, Some(actor)) => {
                let items = self
                    .store
                    .query_all(Query::partition(Index::Gsi1, keys::actor(actor)).limit(500))
                    .await?;
                for item in items {
                    let e: AuditEvent = serde_json::from_value(item.data).map_err(|e| Error::Internal(e.into()))?;
                    if in_range(&e) && q.account.as_deref().is_none_or(|a| e.account_id.as_deref() == Some(a)) {
                        events.push(e);
                    }
                }
            }
            (None, None) => {
                return Err(Error::validation("customer", "name a customer or an actor"));
            }
        }
        events.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
        Ok(events)
    }
}

#[derive(Clone, Debug)]
pub struct AuditQuery {
    pub customer: Option<String>,
    pub account: Option<String>,
    pub actor: Option<String>,
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
}

fn previous_month(t: OffsetDateTime) -> OffsetDateTime {
    let first = t.replace_day(1).unwrap_or(t);
    first - time::Duration::days(1)
}
