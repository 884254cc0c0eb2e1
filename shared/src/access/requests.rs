//! Asking for access: approval policies, new requests (with the rules that decide who may ask and
//! for what), reading one, listing by scope, active sessions.

use super::policy::{ApprovalPolicy, PolicyPatch};
use super::service::*;
use super::*;
use crate::audit::AuditEvent;
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

    /// Every customer's policy in force, a page of customers at a time in the customer list's
    /// order (name, then code): `limit` 1-200 (default 50), `cursor` the previous page's. A
    /// customer without a policy of its own has the defaults (`version` 0).
    pub async fn policies(
        &self,
        who: &Principal,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> Result<Listed<CustomerPolicy>> {
        let customers = self
            .hub
            .list_customers(who, &crate::hub::service::CustomerFilter::default(), limit, cursor)
            .await?;
        // One point read per customer, all at once: a page of 200 costs one round trip's time.
        let policies =
            futures::future::try_join_all(customers.items.iter().map(|c| self.load_policy(c.code.as_str()))).await?;
        Ok(Listed {
            next_cursor: customers.next_cursor,
            items: customers
                .items
                .into_iter()
                .zip(policies)
                .map(|(c, policy)| CustomerPolicy {
                    customer: c.code.to_string(),
                    customer_name: c.name,
                    policy,
                })
                .collect(),
        })
    }

    pub(super) async fn load_policy(&self, customer: &str) -> Result<ApprovalPolicy> {
        super::policy::in_force(self.store.as_ref(), customer).await
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
        let result = async {
            who.require(Role::Admin, "changing an approval policy")?;
            self.hub.get_customer(who, customer).await?;
            let before = self.load_policy(customer).await?;
            self.save_policy(who, customer, before, policy, origin).await
        }
        .await;
        self.refusal(result, who, "policy_change", Attempt::Customer(customer), origin)
            .await
    }

    /// Changes only the fields sent (admin); `patch.version` must be the version read.
    pub async fn patch_policy(
        &self,
        who: &Principal,
        customer: &str,
        patch: PolicyPatch,
        origin: &Origin,
    ) -> Result<ApprovalPolicy> {
        let result = async {
            who.require(Role::Admin, "changing an approval policy")?;
            self.hub.get_customer(who, customer).await?;
            let before = self.load_policy(customer).await?;
            let after = patch.apply(before.clone());
            self.save_policy(who, customer, before, after, origin).await
        }
        .await;
        self.refusal(result, who, "policy_change", Attempt::Customer(customer), origin)
            .await
    }

    /// Validates and stores `policy` over the version it names, with an audit event holding the
    /// policy before and after.
    async fn save_policy(
        &self,
        who: &Principal,
        customer: &str,
        before: ApprovalPolicy,
        policy: ApprovalPolicy,
        origin: &Origin,
    ) -> Result<ApprovalPolicy> {
        policy.validate_change(&before)?;
        let expected = policy.version;
        let mut stored = policy;
        stored.version = 0;
        let item = Item::new(keys::customer(customer), keys::POLICY, encode(&stored)?);
        let now = self.now();
        let mut shown_before = before;
        shown_before.version = expected;
        let (before, after) = (encode(&shown_before)?, encode(&stored)?);
        let mut event = AuditEvent::new(who.email.as_str(), "policy_changed", customer, now)
            .origin(origin)
            .before_after(Some(before.clone()), Some(after.clone()));
        event.detail = crate::audit::changed_fields(&before, &after);
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

    /// A new request. Asking needs one of the policy's requester roles (default: engineer; an
    /// admin-only or approver-only person does not operate customer accounts) and a place on the
    /// customer's team; an offboarded customer's accounts cannot be requested; one person holds
    /// at most one open request (pending, approved or active) per account. A refusal on an
    /// account in the hub is audited as `request_refused`.
    pub async fn create(&self, who: &Principal, new: NewRequest, origin: &Origin) -> Result<AccessRequest> {
        let account = new.account_id.clone();
        let result = self.create_now(who, new, origin).await;
        self.refusal(result, who, "request", Attempt::Account(&account), origin)
            .await
    }

    async fn create_now(&self, who: &Principal, new: NewRequest, origin: &Origin) -> Result<AccessRequest> {
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
        let on_team = self.on_team(who, &account.customer).await?;
        let now = self.now();
        let id = new_ulid().to_string().to_lowercase();
        let mut request = AccessRequest::create(
            id,
            who,
            on_team,
            new,
            account.customer.clone(),
            account.name.clone(),
            (role_arn, external_id, max_session),
            &policy,
            now,
        )?;
        request.sso = sso_grant;
        let detail = match &request.ticket {
            Some(t) => format!(
                "{} minutes, ticket {t}: {}",
                request.duration_minutes, request.justification
            ),
            None => format!("{} minutes: {}", request.duration_minutes, request.justification),
        };
        let event = self.event(&request, who.email.as_str(), "request_created", &detail, origin, now);
        let marker = Item::new(
            keys::account(request.account_id.as_str()),
            keys::open_request(who.email.as_str()),
            serde_json::json!({"request_id": request.id}),
        );
        // The request, its audit event and the marker holding the account for this person, in
        // one transaction that also requires the account unchanged (a concurrent delete fails it).
        let mut attempts = 0;
        loop {
            attempts += 1;
            let writes = vec![
                Write::PutNew(request_item(&request)?),
                Write::PutNew(event.item()),
                Write::PutNew(marker.clone()),
                Write::Check {
                    pk: keys::account(account.id.as_str()),
                    sk: keys::META.into(),
                    expected: account.version,
                },
            ];
            match self.store.transact(writes).await {
                Ok(()) => break,
                Err(StoreError::ConditionFailed) if attempts < 3 => {
                    self.open_request_conflict(&account, who).await?;
                }
                Err(StoreError::ConditionFailed) => {
                    return Err(Error::conflict(
                        Conflict::Version,
                        format!("account {} is changing; try again", account.id),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        request.version = 1;
        self.after_write(&request, "request_created").await;
        if let Err(e) = self.workflow.started(&request).await {
            self.record_failure(&request, "workflow_start_failed", &e).await;
        }
        Ok(request)
    }

    /// Why a create's transaction failed, when it is the caller's business: an open request of
    /// theirs on the account (409 naming it). One whose time is up but has not been swept yet is
    /// settled now, and the account changing under the request (renamed, deleted) is re-checked;
    /// both answer `Ok` so the caller tries again.
    async fn open_request_conflict(&self, account: &crate::hub::Account, who: &Principal) -> Result<()> {
        let marker = self
            .store
            .get(
                &keys::account(account.id.as_str()),
                &keys::open_request(who.email.as_str()),
            )
            .await?;
        let Some(other) = marker.and_then(|m| m.data.get("request_id").and_then(|v| v.as_str()).map(str::to_string))
        else {
            // The account changed: it must still exist and be the same account.
            let (current, _) = self.hub.load_account(account.id.as_str()).await.map_err(|e| match e {
                Error::NotFound { .. } => {
                    Error::validation("account_id", format!("account {} is not in the hub", account.id))
                }
                e => e,
            })?;
            if current.customer != account.customer {
                return Err(Error::conflict(
                    Conflict::Version,
                    format!("account {} moved to another customer; try again", account.id),
                ));
            }
            return Err(Error::conflict(
                Conflict::Version,
                format!("account {} changed meanwhile; try again", account.id),
            ));
        };
        let existing = self.load(&other).await?;
        if existing.clone().as_of(self.now()).status.is_final() {
            self.settle(&existing).await?;
            return Ok(());
        }
        Err(Error::conflict(
            Conflict::OpenRequestExists,
            format!(
                "you already have request {} for account {} ({}); cancel it or wait for it to end",
                existing.id,
                account.id,
                existing.status.as_str()
            ),
        ))
    }

    pub async fn get(&self, who: &Principal, id: &str) -> Result<AccessRequest> {
        who.require_any_role()?;
        Ok(self.load_visible(who, id).await?.as_of(self.now()))
    }

    /// A request the caller may see; to anyone else it is not found.
    pub(super) async fn load_visible(&self, who: &Principal, id: &str) -> Result<AccessRequest> {
        let r = self.load(id).await?;
        let on_team = self.on_team(who, &r.customer).await?;
        r.seen_by(who, on_team)
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
        let now = self.now();
        match which {
            Scope::Mine => {
                let query = Query::partition(Index::Gsi1, keys::user(who.email.as_str())).prefix(keys::REQUEST_PREFIX);
                let Some(wanted) = status else {
                    return Ok(self.page_of(query, page, &scope).await?.map(|r| r.as_of(now)));
                };
                // Filtered by status (as of now): filter first, then page, so a page is never
                // empty while more match. One person's requests are a few hundred at most.
                let mine: Vec<AccessRequest> = self
                    .store
                    .query_all(query.limit(500))
                    .await?
                    .into_iter()
                    .map(|i| decode::<AccessRequest>(i).map(|r| r.as_of(now)))
                    .filter(|r| r.as_ref().map_or(true, |r| r.status == wanted))
                    .collect::<Result<_>>()?;
                in_memory(mine, page, &scope, Order::Descending, created_key)
            }
            Scope::ToApprove => {
                // Judged as a decision would be: by each customer's policy now, within the
                // approval window, and only the customers this person may decide for.
                let teams = self.hub.customers_of(&who.email).await?;
                let mut policies = std::collections::BTreeMap::new();
                let mut mine = Vec::new();
                for r in self.by_status(Status::Pending).await? {
                    let r = r.as_of(now);
                    if r.status != Status::Pending || status.is_some_and(|s| s != Status::Pending) {
                        continue;
                    }
                    if !policies.contains_key(&r.customer) {
                        policies.insert(r.customer.clone(), self.load_policy(r.customer.as_str()).await?);
                    }
                    let policy = &policies[&r.customer];
                    let r = r.with_policy(policy);
                    if r.may_decide(who, teams.contains(&r.customer)).is_ok() {
                        mine.push(r);
                    }
                }
                in_memory(mine, page, &scope, Order::Ascending, due_key)
            }
            Scope::All => {
                if !who.has(Role::Lead) && !who.has(Role::Admin) {
                    return Err(Error::Forbidden(
                        "listing everyone's requests needs the lead or admin role".into(),
                    ));
                }
                match status {
                    // Final states come from the index as stored; open ones are read as of now
                    // below, so a request past its window is listed as timed out, not pending.
                    Some(s) if s.is_final() => Ok(self
                        .page_of(Query::partition(Index::Gsi2, keys::status(s.as_str())), page, &scope)
                        .await?
                        .map(|r| r.as_of(now))),
                    filter => {
                        let mut open = Vec::new();
                        for s in [Status::Pending, Status::Approved, Status::Active] {
                            open.extend(
                                self.by_status(s)
                                    .await?
                                    .into_iter()
                                    .map(|r| r.as_of(now))
                                    .filter(|r| filter.is_none_or(|f| r.status == f)),
                            );
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
        let now = self.now();
        let shown: Vec<_> = self
            .by_status(Status::Active)
            .await?
            .into_iter()
            .map(|r| r.as_of(now))
            .filter(|r| r.status == Status::Active && (all || r.requester == who.email))
            .collect();
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

/// One customer's approval policy in force (the defaults, `version` 0, when none was set).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CustomerPolicy {
    pub customer: String,
    pub customer_name: String,
    pub policy: ApprovalPolicy,
}
