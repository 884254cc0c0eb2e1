//! Organisation facts (issue #13), refreshed by the billing fetch through the same read role of
//! the customer's management account: Organizations `DescribeOrganization` (which account is the
//! management account), `ListDelegatedAdministrators` + `ListDelegatedServicesForAccount` (which
//! accounts administer which services) and `ListAccounts`.
//!
//! - The hub's accounts that are members of the organisation get `management_account` and
//!   `delegated_admin_services` set from it, through the hub service (a versioned write with its
//!   audit event, by [`FETCH_ACTOR`]), and only when they changed.
//! - Accounts of the organisation that are in no customer's hub are stored as **discovered**
//!   (`ORG#{customer}` / `DISCOVERED#{account}`: name, e-mail, status, the management account of
//!   the organisation that has it), for an admin to add; ones that left the organisation or were
//!   added to the hub are removed (only the refreshed organisation's: a customer's other
//!   organisation keeps its own).
//! - Suspended, closing or closed accounts are flagged, discovered and hub accounts alike.
//! - **One set of facts per organisation**: a customer may have several management (payer)
//!   accounts, each its own AWS Organization, each refreshed through its own read role; the facts
//!   are kept per management account (`ORG#{customer}` / `FACTS#{management account}`), so one
//!   organisation's refresh never overwrites another's. Facts stored before this (one item,
//!   `ORG#{customer}` / `META`) are read as one more organisation until that organisation's next
//!   refresh replaces them.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::fetch::{Billing, FetchStatus};
use super::ports::{OrgAccountStatus, ReadRole, SourceError};
use crate::error::RowError;
use crate::error::{Conflict, Error, Result};
use crate::hub::{AccessMethod, Account, AccountPatch, BulkInput, BulkOutcome, Environment, NewAccount};
use crate::identity::{Principal, Role};
use crate::ids::{AccountId, CustomerCode, Email, Region};
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
    /// The management account of the organisation it is in (absent on accounts discovered before
    /// it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub management_account: Option<AccountId>,
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

/// One organisation's facts as last refreshed (`ORG#{customer}` / `FACTS#{management account}`).
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
    /// Accounts of this organisation that the hub does not have.
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

/// A customer's organisations (one per management account) and its discovered accounts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct OrgView {
    /// One per organisation (management account) a fetch has refreshed, sorted by management
    /// account; empty until a fetch has refreshed any.
    pub organizations: Vec<OrgFacts>,
    /// Every organisation's, sorted by account id.
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
        self.known_customer(customer).await?;
        Ok(OrgView {
            organizations: self.organizations(customer).await?,
            discovered: self.discovered(customer).await?,
        })
    }

    /// The facts of each of the customer's organisations, by management account: the per-
    /// organisation items, and a legacy single item (`META`) for an organisation none of them has.
    async fn organizations(&self, customer: &CustomerCode) -> Result<Vec<OrgFacts>> {
        let pk = keys::organization(customer.as_str());
        let mut all: Vec<OrgFacts> = self
            .items
            .query_all(
                Query::partition(Index::Primary, pk.clone())
                    .prefix(keys::ORG_FACTS_PREFIX)
                    .limit(100),
            )
            .await?
            .into_iter()
            .map(decode)
            .collect::<Result<_>>()?;
        if let Some(item) = self.items.get(&pk, keys::META).await? {
            let legacy: OrgFacts = decode(item)?;
            if !all.iter().any(|f| f.management_account == legacy.management_account) {
                all.push(legacy);
            }
        }
        all.sort_by(|a, b| a.management_account.cmp(&b.management_account));
        Ok(all)
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
        // Each account once, however the answer listed it: the facts count accounts, and the
        // discovered items are written in transactions that may not hold an item twice.
        let mut seen = BTreeSet::new();
        let members: Vec<_> = members.into_iter().filter(|m| seen.insert(m.id.clone())).collect();
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
                management_account: Some(org.management_account.clone()),
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
        // Gone: this organisation's (or recorded before the organisation was) and no longer found.
        let ours = |d: &DiscoveredAccount| {
            d.management_account
                .as_ref()
                .is_none_or(|m| *m == org.management_account)
        };
        for gone in before
            .values()
            .filter(|d| ours(d) && !kept.contains(&d.id))
            .map(|d| &d.id)
        {
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
            keys::org_facts(org.management_account.as_str()),
            encode(&facts).map_err(|e| failed("encoding", e))?,
        )));
        // The single item of before per-organisation facts, when it was this organisation's.
        if let Some(item) = self
            .items
            .get(&pk, keys::META)
            .await
            .map_err(|e| failed("reading", e.into()))?
        {
            let legacy: OrgFacts = decode(item).map_err(|e| failed("reading", e))?;
            if legacy.management_account == org.management_account {
                writes.push(Write::Delete {
                    pk: pk.clone(),
                    sk: keys::META.to_string(),
                    expected: None,
                });
            }
        }
        // Derived data, rewritten whole on every refresh: batches of the store's transaction size.
        for chunk in writes.chunks(crate::store::MAX_TRANSACTION_WRITES) {
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

/// Discovered accounts an admin adds to the hub in one step ([`Billing::add_discovered`]).
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddDiscovered {
    /// 1-10,000 ids from the customer's discovered list (`GET` of the organisation view).
    #[schema(value_type = Vec<String>)]
    pub accounts: Vec<AccountId>,
    /// How the team reaches them. Default: the customer's management account's access method in
    /// the hub, else the one most of its accounts use. A `role` method is a template either way:
    /// each account gets the roles of the same path and name in its own account id, with the
    /// same external id and session length. Required when the customer has no accounts yet.
    #[serde(default)]
    pub access: Option<AccessMethod>,
    /// Default: from each account's name in the organisation: `non-prod` when a word of it names
    /// a non-production stage (dev, test, qa, uat, staging, sandbox, nonprod, ...), else `prod`
    /// (the stricter one).
    #[serde(default)]
    pub environment: Option<Environment>,
    /// Home region recorded for them. Default: the management account's, else the one most of
    /// the customer's accounts have. Required when the customer has no accounts yet.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub region: Option<Region>,
}

/// Words of an account name that mark a non-production account.
const NON_PROD_WORDS: &[&str] = &[
    "dev",
    "development",
    "test",
    "testing",
    "tst",
    "qa",
    "uat",
    "sit",
    "stage",
    "staging",
    "stg",
    "sandbox",
    "sbx",
    "nonprod",
    "non",
    "preprod",
    "pre",
    "demo",
    "lab",
    "playground",
    "training",
];

/// The environment an organisation account's name suggests: `non-prod` when one of its words
/// (split at anything but letters and digits, case ignored) names a non-production stage, else
/// `prod`.
pub fn environment_from_name(name: &str) -> Environment {
    let lower = name.to_lowercase();
    let non_prod = lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| NON_PROD_WORDS.contains(&w));
    if non_prod {
        Environment::NonProd
    } else {
        Environment::Prod
    }
}

/// The value most items have (ties: the first seen), by a key.
fn most_common<'a, T, K: Ord>(items: impl Iterator<Item = &'a T>, key: impl Fn(&T) -> K) -> Option<&'a T>
where
    T: 'a,
{
    let mut counts: BTreeMap<K, (usize, usize, &'a T)> = BTreeMap::new();
    for (i, item) in items.enumerate() {
        counts.entry(key(item)).or_insert((0, i, item)).0 += 1;
    }
    counts
        .into_values()
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, _, item)| item)
}

impl Billing {
    /// Adds discovered accounts of `customer` to the hub in one step (admin), through the hub's
    /// bulk import ([`crate::hub::Hub::create_accounts`]: validated as a whole, written in
    /// transactions of at most 100 writes with an `account_created` audit event each), and
    /// removes the created ones from the discovered list (`ORG#{customer}` / `DISCOVERED#{id}`).
    ///
    /// Each account is named as in the organisation (its id when the organisation has no name)
    /// and gets the access method, environment and region of [`AddDiscovered`] or their defaults.
    ///
    /// Errors: 403 for a non-admin; 404 for an unknown customer; 400 on `access` or `region`
    /// when no default can be derived (the customer has no accounts); [`Error::Rows`] (400,
    /// nothing written) naming each row (1-based, in `accounts`) that is not a discovered account
    /// of this customer, is listed twice, or fails the hub's rules.
    pub async fn add_discovered(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        request: AddDiscovered,
    ) -> Result<BulkOutcome> {
        who.require(Role::Admin, "changing the hub")?;
        let snap = self.hub.snapshot().await?;
        if snap.customer(customer.as_str()).is_none() {
            return Err(Error::not_found("customer", customer.as_str()));
        }
        if request.accounts.is_empty() {
            return Err(Error::validation("accounts", "list at least one discovered account"));
        }
        let theirs: Vec<&Account> = snap.accounts.iter().filter(|a| a.customer == *customer).collect();
        let management = theirs.iter().find(|a| a.management_account).copied();
        let access = match (&request.access, management) {
            (Some(access), _) => access.clone(),
            (None, Some(m)) => m.access.clone(),
            (None, None) => match most_common(theirs.iter().copied(), |a| {
                serde_json::to_string(
                    &a.access
                        .for_account(&AccountId::parse("000000000000").unwrap_or_else(|_| a.id.clone())),
                )
                .unwrap_or_default()
            }) {
                Some(a) => a.access.clone(),
                None => {
                    return Err(Error::validation(
                        "access",
                        format!(
                            "customer '{customer}' has no accounts in the hub to take an access method from: give `access` (method sso or role) for these accounts"
                        ),
                    ));
                }
            },
        };
        let region = match (&request.region, management) {
            (Some(r), _) => r.clone(),
            (None, Some(m)) => m.region.clone(),
            (None, None) => match most_common(theirs.iter().copied(), |a| a.region.to_string()) {
                Some(a) => a.region.clone(),
                None => {
                    return Err(Error::validation(
                        "region",
                        format!(
                            "customer '{customer}' has no accounts in the hub to take a region from: give `region`"
                        ),
                    ));
                }
            },
        };
        let discovered: BTreeMap<AccountId, DiscoveredAccount> = self
            .discovered(customer)
            .await?
            .into_iter()
            .map(|d| (d.id.clone(), d))
            .collect();
        let mut errors = Vec::new();
        let mut seen: BTreeMap<&AccountId, usize> = BTreeMap::new();
        let mut news = Vec::with_capacity(request.accounts.len());
        for (i, id) in request.accounts.iter().enumerate() {
            let row = i + 1;
            let problem = |message: String| RowError {
                row,
                field: Some("accounts".into()),
                message,
            };
            if let Some(first) = seen.insert(id, row) {
                errors.push(problem(format!("account {id} is also in row {first}")));
                continue;
            }
            let Some(d) = discovered.get(id) else {
                errors.push(problem(format!(
                    "account {id} is not a discovered account of customer '{customer}'"
                )));
                continue;
            };
            let name = d.name.trim();
            news.push(NewAccount {
                id: id.clone(),
                customer: customer.clone(),
                name: if name.is_empty() {
                    id.to_string()
                } else {
                    name.to_string()
                },
                alias: None,
                environment: request.environment.unwrap_or_else(|| environment_from_name(&d.name)),
                region: region.clone(),
                management_account: false,
                delegated_admin_services: Vec::new(),
                access: access.for_account(id),
            });
        }
        if !errors.is_empty() {
            let n = errors.len();
            errors.truncate(crate::error::MAX_ROW_ERRORS);
            return Err(Error::Rows {
                message: format!(
                    "{n} of the {} accounts cannot be added; nothing was written",
                    request.accounts.len()
                ),
                errors,
            });
        }
        let outcome = self.hub.create_accounts(who, BulkInput::from_accounts(news)?).await?;
        self.forget_discovered(customer, &outcome.ids).await?;
        Ok(outcome)
    }

    /// Removes accounts now in the hub from the discovered list and its count in the facts.
    async fn forget_discovered(&self, customer: &CustomerCode, ids: &[AccountId]) -> Result<()> {
        let pk = keys::organization(customer.as_str());
        let deletes: Vec<Write> = ids
            .iter()
            .map(|id| Write::Delete {
                pk: pk.clone(),
                sk: keys::discovered(id.as_str()),
                expected: None,
            })
            .collect();
        for chunk in deletes.chunks(crate::store::MAX_TRANSACTION_WRITES) {
            self.items.transact(chunk.to_vec()).await?;
        }
        // Each organisation's count of discovered accounts (a legacy single item counts them all).
        let discovered = self.discovered(customer).await?;
        for mut facts in self.organizations(customer).await? {
            let sk = match self
                .items
                .get(&pk, &keys::org_facts(facts.management_account.as_str()))
                .await?
            {
                Some(_) => keys::org_facts(facts.management_account.as_str()),
                None => keys::META.to_string(),
            };
            facts.discovered = discovered
                .iter()
                .filter(|d| sk == keys::META || d.management_account.as_ref() == Some(&facts.management_account))
                .count();
            self.items
                .transact(vec![Write::Put(Item::new(pk.clone(), sk, encode(&facts)?))])
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_non_production_stages_make_non_prod_accounts() {
        for (name, env) in [
            ("Payments Prod", Environment::Prod),
            ("payments-production", Environment::Prod),
            ("Log Archive", Environment::Prod),
            ("payments-dev", Environment::NonProd),
            ("Payments UAT", Environment::NonProd),
            ("data_staging_2", Environment::NonProd),
            ("non-prod shared", Environment::NonProd),
            ("Sandbox (Erin)", Environment::NonProd),
            ("Developer tools", Environment::Prod),
            ("contest", Environment::Prod),
        ] {
            assert_eq!(environment_from_name(name), env, "{name}");
        }
    }

    #[test]
    fn most_common_prefers_the_first_seen_on_ties() {
        let v = ["b", "a", "a", "b", "c"];
        assert_eq!(most_common(v.iter(), |s| s.to_string()), Some(&"b"));
        let v = ["c", "a", "a"];
        assert_eq!(most_common(v.iter(), |s| s.to_string()), Some(&"a"));
        let none: [&str; 0] = [];
        assert_eq!(most_common(none.iter(), |s| s.to_string()), None);
    }
}
