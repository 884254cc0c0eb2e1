//! Organisation facts (issue #13), refreshed by the billing fetch through the same read role of
//! the customer's management account: Organizations `DescribeOrganization` (which account is the
//! management account), `ListDelegatedAdministrators` + `ListDelegatedServicesForAccount` (which
//! accounts administer which services) and `ListAccounts`.
//!
//! - The hub's accounts that are members of the organisation get `management_account` and
//!   `delegated_admin_services` set from it, through the hub service (a versioned write with its
//!   audit event, by [`FETCH_ACTOR`]), and only when they changed.
//! - Accounts of the organisation that are in no customer's hub are stored as **discovered**
//!   (`ORG#{customer}` / `DISCOVERED#{account}`: name, e-mail, status), for an admin to add; ones
//!   that left the organisation or were added to the hub are removed.
//! - Suspended, closing or closed accounts are flagged, discovered and hub accounts alike
//!   (`ORG#{customer}` / `META`).

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::fetch::{Billing, FetchStatus};
use super::ports::{OrgAccountStatus, ReadRole, SourceError};
use crate::error::{Conflict, Error, Result};
use crate::hub::{Account, AccountPatch};
use crate::identity::{Principal, Role};
use crate::ids::{AccountId, CustomerCode, Email};
use crate::keys;
use crate::store::{Index, Item, Query, Write, decode, encode};

/// Who the hub's audit log shows for flag changes the fetch makes.
pub const FETCH_ACTOR: &str = "billing-fetch@customer-central.invalid";

/// An account in the customer's organisation that the hub does not have.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DiscoveredAccount {
    #[schema(value_type = String)]
    pub id: AccountId,
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub name: String,
    pub email: String,
    pub status: OrgAccountStatus,
    /// Suspended, closing or closed: probably not worth adding.
    pub flagged: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub first_seen: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub last_seen: OffsetDateTime,
}

/// A hub account the organisation reports as suspended, closing or closed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FlaggedAccount {
    #[schema(value_type = String)]
    pub id: AccountId,
    pub status: OrgAccountStatus,
}

/// The organisation facts of a customer as last refreshed (`ORG#{customer}` / `META`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OrgFacts {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub organization_id: String,
    #[schema(value_type = String)]
    pub management_account: AccountId,
    /// Accounts in the organisation (any status).
    pub accounts_in_organization: usize,
    /// Hub accounts the organisation reports as suspended, closing or closed.
    pub flagged_hub_accounts: Vec<FlaggedAccount>,
    pub discovered: usize,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub refreshed_at: OffsetDateTime,
}

/// What a refresh did, in the run record.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OrgOutcome {
    pub status: FetchStatus,
    pub reason: Option<String>,
    pub organization_id: Option<String>,
    #[schema(value_type = Option<String>)]
    pub management_account: Option<AccountId>,
    pub accounts_in_organization: usize,
    /// Hub accounts whose management / delegated-administrator flags were updated.
    #[schema(value_type = Vec<String>)]
    pub hub_accounts_updated: Vec<AccountId>,
    pub discovered: usize,
    pub flagged: usize,
}

impl OrgOutcome {
    fn empty() -> Self {
        OrgOutcome {
            status: FetchStatus::Ok,
            reason: None,
            organization_id: None,
            management_account: None,
            accounts_in_organization: 0,
            hub_accounts_updated: vec![],
            discovered: 0,
            flagged: 0,
        }
    }
}

/// A customer's organisation facts and its discovered accounts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct OrgView {
    /// Absent until a fetch has refreshed them.
    pub facts: Option<OrgFacts>,
    /// Sorted by account id.
    pub discovered: Vec<DiscoveredAccount>,
}

fn fetch_principal() -> Result<Principal> {
    Ok(Principal {
        email: Email::parse(FETCH_ACTOR).map_err(|e| Error::Internal(e.into()))?,
        subject: "billing.fetch".into(),
        roles: [Role::Admin].into(),
    })
}

impl Billing {
    /// A customer's organisation facts and discovered accounts (any role; 404 for an unknown
    /// customer).
    pub async fn organization(&self, who: &Principal, customer: &CustomerCode) -> Result<OrgView> {
        who.require_any_role()?;
        if self.hub.snapshot().await?.customer(customer.as_str()).is_none() {
            return Err(Error::not_found("customer", customer.as_str()));
        }
        let facts = match self
            .items
            .get(&keys::organization(customer.as_str()), keys::META)
            .await?
        {
            Some(item) => Some(decode(item)?),
            None => None,
        };
        Ok(OrgView {
            facts,
            discovered: self.discovered(customer).await?,
        })
    }

    async fn discovered(&self, customer: &CustomerCode) -> Result<Vec<DiscoveredAccount>> {
        self.items
            .query_all(
                Query::partition(Index::Primary, keys::organization(customer.as_str()))
                    .prefix(keys::DISCOVERED_PREFIX)
                    .limit(1000),
            )
            .await?
            .into_iter()
            .map(decode)
            .collect()
    }

    /// Refreshes the organisation facts through `role` (the payer's read role); `accounts` are
    /// the customer's hub accounts. Never fails the run: a failure is the outcome's reason.
    pub(super) async fn refresh_organization(
        &self,
        customer: &CustomerCode,
        role: &ReadRole,
        accounts: &[Account],
    ) -> OrgOutcome {
        match self.try_refresh(customer, role, accounts).await {
            Ok(o) => o,
            Err(Refresh::Skipped(reason)) => OrgOutcome {
                status: FetchStatus::Skipped,
                reason: Some(reason),
                ..OrgOutcome::empty()
            },
            Err(Refresh::Failed(reason)) => {
                tracing::warn!(%customer, %reason, "organisation refresh failed");
                OrgOutcome {
                    status: FetchStatus::Failed,
                    reason: Some(reason),
                    ..OrgOutcome::empty()
                }
            }
        }
    }

    async fn try_refresh(
        &self,
        customer: &CustomerCode,
        role: &ReadRole,
        accounts: &[Account],
    ) -> std::result::Result<OrgOutcome, Refresh> {
        let orgs = &self.ports.organizations;
        let org = match orgs.organization(role).await {
            Ok(o) => o,
            Err(SourceError::NotInOrganization) => {
                return Err(Refresh::Skipped(format!(
                    "account {} is in no organisation",
                    role.account()
                )));
            }
            Err(e) => return Err(Refresh::Failed(format!("Organizations DescribeOrganization: {e}"))),
        };
        let members = orgs
            .accounts(role)
            .await
            .map_err(|e| Refresh::Failed(format!("Organizations ListAccounts: {e}")))?;
        let delegated = orgs
            .delegated_administrators(role)
            .await
            .map_err(|e| Refresh::Failed(format!("Organizations ListDelegatedAdministrators: {e}")))?;
        let failed = |what: &str, e: Error| Refresh::Failed(format!("{what}: {e}"));

        // Flags of the hub accounts that are members of this organisation.
        let in_org: BTreeMap<&AccountId, OrgAccountStatus> = members.iter().map(|m| (&m.id, m.status)).collect();
        let mut updated = Vec::new();
        for account in accounts
            .iter()
            .filter(|a| in_org.contains_key(&a.id) || a.id == org.management_account)
        {
            let management = account.id == org.management_account;
            let services = delegated.get(&account.id).cloned().unwrap_or_default();
            if self
                .set_flags(&account.id, management, &services)
                .await
                .map_err(|e| failed(&format!("updating account {}", account.id), e))?
            {
                updated.push(account.id.clone());
            }
        }
        let flagged_hub: Vec<FlaggedAccount> = accounts
            .iter()
            .filter_map(|a| {
                in_org.get(&a.id).filter(|s| s.is_closing()).map(|s| FlaggedAccount {
                    id: a.id.clone(),
                    status: *s,
                })
            })
            .collect();

        // Discovered: in the organisation, in no customer's hub.
        let in_hub: BTreeSet<AccountId> = self
            .hub
            .snapshot()
            .await
            .map_err(|e| failed("reading the hub", e))?
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .collect();
        let now = self.clock.now();
        let before: BTreeMap<AccountId, DiscoveredAccount> = self
            .discovered(customer)
            .await
            .map_err(|e| failed("reading discovered accounts", e))?
            .into_iter()
            .map(|d| (d.id.clone(), d))
            .collect();
        let found: Vec<DiscoveredAccount> = members
            .iter()
            .filter(|m| !in_hub.contains(&m.id))
            .map(|m| DiscoveredAccount {
                id: m.id.clone(),
                customer: customer.clone(),
                name: m.name.clone(),
                email: m.email.clone(),
                status: m.status,
                flagged: m.status.is_closing(),
                first_seen: before.get(&m.id).map(|d| d.first_seen).unwrap_or(now),
                last_seen: now,
            })
            .collect();
        let pk = keys::organization(customer.as_str());
        let kept: BTreeSet<&AccountId> = found.iter().map(|d| &d.id).collect();
        let mut writes = Vec::with_capacity(found.len() + before.len() + 1);
        for d in &found {
            let item = Item::new(
                pk.clone(),
                keys::discovered(d.id.as_str()),
                encode(d).map_err(|e| failed("encoding", e))?,
            );
            writes.push(Write::Put(item));
        }
        for gone in before.keys().filter(|id| !kept.contains(id)) {
            writes.push(Write::Delete {
                pk: pk.clone(),
                sk: keys::discovered(gone.as_str()),
                expected: None,
            });
        }
        let facts = OrgFacts {
            customer: customer.clone(),
            organization_id: org.id.clone(),
            management_account: org.management_account.clone(),
            accounts_in_organization: members.len(),
            flagged_hub_accounts: flagged_hub.clone(),
            discovered: found.len(),
            refreshed_at: now,
        };
        writes.push(Write::Put(Item::new(
            pk.clone(),
            keys::META,
            encode(&facts).map_err(|e| failed("encoding", e))?,
        )));
        // Derived data, rewritten whole on every refresh: batches of the store's transaction size.
        for chunk in writes.chunks(100) {
            self.items
                .transact(chunk.to_vec())
                .await
                .map_err(|e| failed("storing organisation facts", e.into()))?;
        }
        Ok(OrgOutcome {
            status: FetchStatus::Ok,
            reason: None,
            organization_id: Some(org.id),
            management_account: Some(org.management_account),
            accounts_in_organization: members.len(),
            hub_accounts_updated: updated,
            discovered: found.len(),
            flagged: flagged_hub.len() + found.iter().filter(|d| d.flagged).count(),
        })
    }

    /// Sets an account's management / delegated-administrator flags through the hub service when
    /// they differ: a write conditional on the version read, read again after a lost race.
    /// Whether it changed anything.
    async fn set_flags(&self, id: &AccountId, management: bool, services: &[String]) -> Result<bool> {
        let who = fetch_principal()?;
        for _ in 0..crate::error::MAX_ATTEMPTS {
            let account = self.hub.get_account(&who, id.as_str()).await?;
            let mut current = account.delegated_admin_services.clone();
            current.sort();
            if account.management_account == management && current == services {
                return Ok(false);
            }
            let patch = AccountPatch {
                management_account: (account.management_account != management).then_some(management),
                delegated_admin_services: (current != services).then(|| services.to_vec()),
                version: Some(account.version),
                ..AccountPatch::default()
            };
            match self.hub.update_account(&who, id.as_str(), patch).await {
                Ok(_) => return Ok(true),
                Err(e) if e.conflict_kind() == Some(Conflict::Version) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::conflict(
            Conflict::Version,
            format!("account {id} kept changing; its flags are refreshed on the next run"),
        ))
    }
}

enum Refresh {
    Skipped(String),
    Failed(String),
}
