//! Asking for access: approval policies, new requests (with the rules that decide who may ask and
//! for what), reading one, listing by scope, active sessions.

use super::audit::AuditEvent;
use super::policy::ApprovalPolicy;
use super::service::*;
use super::*;
use crate::hub::{AccessMethod, CustomerStatus};
use crate::identity::Principal;
use crate::ids::new_ulid;
use crate::keys;
use crate::page::{Listed, Order, PageRequest, encode_cursor, in_memory, scope};
use crate::store::{Index, Item, Query, StoreError, Write, decode, encode};
impl Access {
    pub async fn policy(&self, who: &Principal, customer: &str) -> Result<ApprovalPolicy> {
        who.require_any_role()?;
        self.hub.get_customer(who, customer).await?;
        self.load_policy(customer).await
    }

    pub(super) async fn load_policy(&self, customer: &str) -> Result<ApprovalPolicy> {
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

    /// A new request. Asking needs the engineer role (an admin-only or approver-only person does
    /// not operate customer accounts); an offboarded customer's accounts cannot be requested.
    pub async fn create(&self, who: &Principal, new: NewRequest, origin: &Origin) -> Result<AccessRequest> {
        who.require(Role::Engineer, "asking for breakglass access")?;
        let account = match self.hub.get_account(who, new.account_id.as_str()).await {
            Err(Error::NotFound { .. }) => {
                return Err(Error::validation(
                    "account_id",
                    format!("account {} is not in the hub", new.account_id),
                ));
            }
            other => other?,
        };
        let sso_grant = sso::grant_for(&account, new.permission_set.as_ref())?;
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
            AccessMethod::Sso { .. } => sso::role_parts(&account, sso_grant.as_ref())?,
        };
        let customer = self.hub.get_customer(who, account.customer.as_str()).await?;
        if customer.status == CustomerStatus::Offboarded {
            return Err(Error::validation(
                "account_id",
                format!(
                    "customer {} is offboarded; its accounts can no longer be requested",
                    customer.code
                ),
            ));
        }
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
        request.sso = sso_grant;
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
        self.load_visible(who, id).await
    }

    /// A request the caller may see; to anyone else it is not found.
    pub(super) async fn load_visible(&self, who: &Principal, id: &str) -> Result<AccessRequest> {
        self.load(id).await?.seen_by(who)
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

    pub(super) async fn load(&self, id: &str) -> Result<AccessRequest> {
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
        which: Scope,
        status: Option<Status>,
        page: &PageRequest,
    ) -> Result<Listed<AccessRequest>> {
        who.require_any_role()?;
        let scope = scope("access-requests", &(which, &who.email, status));
        match which {
            Scope::Mine => {
                let query = Query::partition(Index::Gsi1, keys::user(who.email.as_str())).prefix(keys::REQUEST_PREFIX);
                let mut mine = self.page_of(query, page, &scope).await?;
                mine.items.retain(|r| status.is_none_or(|s| r.status == s));
                Ok(mine)
            }
            Scope::ToApprove => {
                let pending = self.by_status(Status::Pending).await?;
                // Only pending requests wait for a decision; another status filter finds none.
                let mine: Vec<_> = pending
                    .into_iter()
                    .filter(|r| r.may_decide(who).is_ok() && status.is_none_or(|s| r.status == s))
                    .collect();
                in_memory(mine, page, &scope, Order::Ascending, due_key)
            }
            Scope::All => {
                if !who.has(Role::Lead) && !who.has(Role::Admin) {
                    return Err(Error::Forbidden(
                        "listing everyone's requests needs the lead or admin role".into(),
                    ));
                }
                match status {
                    Some(s) => {
                        self.page_of(Query::partition(Index::Gsi2, keys::status(s.as_str())), page, &scope)
                            .await
                    }
                    None => {
                        let mut open = Vec::new();
                        for s in [Status::Pending, Status::Approved, Status::Active] {
                            open.extend(self.by_status(s).await?);
                        }
                        open.sort_by_key(|r| std::cmp::Reverse(created_key(r)));
                        in_memory(open, page, &scope, Order::Descending, created_key)
                    }
                }
            }
        }
    }

    /// One page of requests from an index partition, newest (or latest due) first; the store's
    /// cursor is the page's cursor.
    async fn page_of(&self, query: Query, page: &PageRequest, scope: &str) -> Result<Listed<AccessRequest>> {
        let found = self
            .store
            .query(query.descending().limit(page.limit).after(page.position(scope)?))
            .await?;
        Ok(Listed {
            items: found.items.into_iter().map(decode).collect::<Result<Vec<_>>>()?,
            next_cursor: found.next_cursor.map(|c| encode_cursor(scope, &c)),
        })
    }

    /// Every request in a status, soonest due first (open states are few; this is an index query).
    pub(super) async fn by_status(&self, status: Status) -> Result<Vec<AccessRequest>> {
        self.store
            .query_all(Query::partition(Index::Gsi2, keys::status(status.as_str())).limit(500))
            .await?
            .into_iter()
            .map(decode::<AccessRequest>)
            .collect()
    }

    /// Active grants: mine, or everyone's (leads, admins).
    /// Active grants, the soonest to end first.
    pub async fn sessions(&self, who: &Principal, all: bool, page: &PageRequest) -> Result<Listed<AccessRequest>> {
        who.require_any_role()?;
        if all && !who.has(Role::Lead) && !who.has(Role::Admin) {
            return Err(Error::Forbidden(
                "everyone's sessions need the lead or admin role".into(),
            ));
        }
        let active = self.by_status(Status::Active).await?;
        let shown: Vec<_> = active.into_iter().filter(|r| all || r.requester == who.email).collect();
        let scope = scope("sessions", &(all, &who.email));
        in_memory(shown, page, &scope, Order::Ascending, due_key)
    }
}

/// A request's place in a list by when it is next due (the status index's own order).
fn due_key(r: &AccessRequest) -> String {
    keys::due(due(r), &r.id)
}

/// A request's place in a list by creation.
fn created_key(r: &AccessRequest) -> String {
    keys::request_by_created(r.created_at, &r.id)
}
