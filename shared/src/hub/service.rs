//! Hub operations: authorisation, validation and persistence with conditional writes.
//!
//! Integrity rules kept by transactions:
//! - an account's customer exists; the customer's `account_count` moves in the same transaction,
//!   so a customer with accounts can never be deleted (its delete is conditional on its version);
//! - a contact is created only while its customer exists (the customer's version is bumped);
//! - every write also replaces the hub revision marker, which keeps cached snapshots honest.

use std::sync::{Arc, RwLock};

use base64::Engine;
use serde::{Serialize, de::DeserializeOwned};
use time::OffsetDateTime;

use super::snapshot::{HubSnapshot, sort_key};
use super::*;
use crate::clock::Clock;
use crate::error::retry_lost_races;
use crate::identity::{Principal, Role};
use crate::ids::new_ulid;
use crate::keys;
use crate::store::{Index, Item, ItemStore, Query, StoreError, Write, decode, encode};

pub const MAX_CONTACTS: usize = 50;
pub const MAX_TEAM: usize = 40;

fn customer_item(c: &Customer) -> Result<Item> {
    Ok(Item::new(keys::customer(c.code.as_str()), keys::META, encode(c)?)
        .with_gsi1(keys::CUSTOMERS, keys::customer_by_name(&c.name, c.code.as_str())))
}

fn contact_item(c: &Contact) -> Result<Item> {
    Ok(Item::new(
        keys::customer(c.customer.as_str()),
        keys::contact(&c.id),
        encode(c)?,
    ))
}

fn account_item(a: &Account) -> Result<Item> {
    Ok(Item::new(keys::account(a.id.as_str()), keys::META, encode(a)?)
        .with_gsi1(
            keys::customer(a.customer.as_str()),
            keys::account_in_customer(a.environment.as_str(), a.id.as_str()),
        )
        .with_gsi2(keys::ACCOUNTS, a.id.as_str()))
}

/// The hub revision marker: which write it was, and when.
struct Revision {
    rev: String,
    at_ms: i64,
}

fn from_item<T: DeserializeOwned>(item: Item) -> Result<(T, u64)> {
    let version = item.version;
    Ok((decode(item)?, version))
}

/// A page of a list: opaque cursor for the next page, absent on the last.
#[derive(Debug, Serialize)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct AccountFilter {
    pub customer: Option<CustomerCode>,
    pub environment: Option<Environment>,
    /// `sso` or `role`.
    pub access: Option<String>,
    pub q: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct CustomerFilter {
    pub status: Option<CustomerStatus>,
    pub q: Option<String>,
}

fn encode_cursor<T: Serialize>(v: &T) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default())
}

fn decode_cursor<T: DeserializeOwned>(c: &str) -> Result<T> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| Error::validation("cursor", "the cursor is not valid; start again without it"))
}

pub fn check_limit(limit: Option<usize>) -> Result<usize> {
    match limit {
        None => Ok(50),
        Some(l) if (1..=200).contains(&l) => Ok(l),
        Some(_) => Err(Error::validation("limit", "limit must be 1-200")),
    }
}

pub struct Hub {
    store: Arc<dyn ItemStore>,
    clock: Clock,
    cache: RwLock<Option<Arc<HubSnapshot>>>,
    load: tokio::sync::Mutex<()>,
}

impl Hub {
    pub fn new(store: Arc<dyn ItemStore>, clock: Clock) -> Self {
        Hub {
            store,
            clock,
            cache: RwLock::new(None),
            load: tokio::sync::Mutex::new(()),
        }
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    fn now_ms(&self) -> i64 {
        (self.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// The write that moves the hub revision marker (part of every hub transaction).
    fn revision_write(&self) -> Write {
        Write::Put(Item::new(
            keys::HUB_REVISION.0,
            keys::HUB_REVISION.1,
            serde_json::json!({ "rev": new_ulid().to_string(), "at_ms": self.now_ms() }),
        ))
    }

    async fn revision(&self) -> Result<Revision> {
        let item = self.store.get(keys::HUB_REVISION.0, keys::HUB_REVISION.1).await?;
        let data = item.map(|i| i.data).unwrap_or_default();
        Ok(Revision {
            rev: data["rev"].as_str().unwrap_or_default().to_string(),
            at_ms: data["at_ms"].as_i64().unwrap_or_default(),
        })
    }

    fn cached(&self, revision: &str) -> Option<Arc<HubSnapshot>> {
        let guard = self.cache.read().ok()?;
        guard.as_ref().filter(|s| s.revision == revision).cloned()
    }

    /// The current snapshot: one point read to confirm the cached one, a reload when it is stale.
    /// A load made while the last write may still be propagating to the indexes is used but not
    /// cached, so the next request loads again.
    pub async fn snapshot(&self) -> Result<Arc<HubSnapshot>> {
        let revision = self.revision().await?;
        if let Some(s) = self.cached(&revision.rev) {
            return Ok(s);
        }
        let _single_flight = self.load.lock().await;
        let revision = self.revision().await?;
        if let Some(s) = self.cached(&revision.rev) {
            return Ok(s);
        }
        let customers = self
            .store
            .query_all(Query::partition(Index::Gsi1, keys::CUSTOMERS).limit(1000))
            .await?
            .into_iter()
            .map(|i| from_item::<Customer>(i).map(|(c, _)| c))
            .collect::<Result<Vec<_>>>()?;
        let accounts = self
            .store
            .query_all(Query::partition(Index::Gsi2, keys::ACCOUNTS).limit(1000))
            .await?
            .into_iter()
            .map(|i| from_item::<Account>(i).map(|(a, _)| a))
            .collect::<Result<Vec<_>>>()?;
        let snapshot = Arc::new(HubSnapshot::new(revision.rev, customers, accounts));
        let settled = self.now_ms() - revision.at_ms >= self.store.index_settle_time().as_millis() as i64;
        if settled && let Ok(mut guard) = self.cache.write() {
            *guard = Some(snapshot.clone());
        }
        Ok(snapshot)
    }

    // ---- customers -------------------------------------------------------------------------

    pub async fn list_customers(
        &self,
        who: &Principal,
        filter: &CustomerFilter,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> Result<Listed<Customer>> {
        who.require_any_role()?;
        let limit = check_limit(limit)?;
        let snap = self.snapshot().await?;
        let start = match cursor {
            Some(c) => {
                let (name, code): (String, String) = decode_cursor(c)?;
                snap.customer_position_after(&name, &code)
            }
            None => 0,
        };
        let tokens = filter.q.as_deref().map(super::search::tokens).unwrap_or_default();
        let mut items = Vec::with_capacity(limit);
        let mut last = None;
        let mut more = false;
        for (c, hay) in snap.customers[start..].iter().zip(&snap.customer_haystacks[start..]) {
            if filter.status.is_some_and(|s| s != c.status) || !tokens.iter().all(|t| hay.contains(t.as_str())) {
                continue;
            }
            if items.len() == limit {
                more = true;
                break;
            }
            last = Some(sort_key(c));
            items.push(c.clone());
        }
        Ok(Listed {
            items,
            next_cursor: if more {
                last.map(|(n, c)| encode_cursor(&(n, c)))
            } else {
                None
            },
        })
    }

    pub async fn get_customer(&self, who: &Principal, code: &str) -> Result<Customer> {
        who.require_any_role()?;
        Ok(self.load_customer(code).await?.0)
    }

    async fn load_customer(&self, code: &str) -> Result<(Customer, u64)> {
        let item = self
            .store
            .get(&keys::customer(code), keys::META)
            .await?
            .ok_or_else(|| Error::not_found("customer", code))?;
        from_item(item)
    }

    pub async fn create_customer(&self, who: &Principal, new: NewCustomer) -> Result<Customer> {
        who.require(Role::Admin, "changing the hub")?;
        let now = self.now();
        let mut c = Customer {
            code: new.code,
            name: new.name.trim().to_string(),
            status: new.status,
            notes: new.notes,
            contract: new.contract,
            report: new.report,
            account_count: 0,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        c.validate()?;
        match self
            .store
            .transact(vec![Write::PutNew(customer_item(&c)?), self.revision_write()])
            .await
        {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => {
                return Err(Error::conflict(
                    Conflict::DuplicateCustomer,
                    format!("customer code '{}' is taken", c.code),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        c.version = 1;
        Ok(c)
    }

    pub async fn update_customer(&self, who: &Principal, code: &str, patch: CustomerPatch) -> Result<Customer> {
        who.require(Role::Admin, "changing the hub")?;
        self.retrying(patch.version, || async {
            let (mut c, version) = self.load_customer(code).await?;
            check_version(patch.version, version, "customer", code)?;
            if let Some(n) = &patch.name {
                c.name = n.trim().to_string();
            }
            if let Some(s) = patch.status {
                c.status = s;
            }
            if let Some(n) = &patch.notes {
                c.notes = n.clone();
            }
            if let Some(contract) = &patch.contract {
                c.contract = contract.clone();
            }
            if let Some(r) = &patch.report {
                c.report = r.clone();
            }
            c.updated_at = self.now();
            c.validate()?;
            self.store
                .transact(vec![
                    Write::PutIfVersion {
                        item: customer_item(&c)?,
                        expected: version,
                    },
                    self.revision_write(),
                ])
                .await?;
            c.version = version + 1;
            Ok(c)
        })
        .await
    }

    /// Deletes a customer and its contacts. Refused while it owns accounts.
    pub async fn delete_customer(&self, who: &Principal, code: &str, expected: Option<u64>) -> Result<()> {
        who.require(Role::Admin, "changing the hub")?;
        self.retrying(expected, || async {
            let (c, version) = self.load_customer(code).await?;
            check_version(expected, version, "customer", code)?;
            if c.account_count > 0 {
                return Err(Error::conflict(
                    Conflict::CustomerHasAccounts,
                    format!(
                        "customer '{code}' still owns {} account(s); move or delete them first",
                        c.account_count
                    ),
                ));
            }
            let pk = keys::customer(code);
            let others = self
                .store
                .query_all(Query::partition(Index::Primary, &pk).limit(200))
                .await?;
            let mut writes = vec![
                Write::Delete {
                    pk: pk.clone(),
                    sk: keys::META.into(),
                    expected: Some(version),
                },
                self.revision_write(),
            ];
            writes.extend(
                others
                    .into_iter()
                    .filter(|i| i.sk != keys::META)
                    .map(|i| Write::Delete {
                        pk: i.pk,
                        sk: i.sk,
                        expected: Some(i.version),
                    }),
            );
            self.store.transact(writes).await?;
            Ok(())
        })
        .await
    }

    // ---- contacts --------------------------------------------------------------------------

    pub async fn list_contacts(&self, who: &Principal, code: &str) -> Result<Vec<Contact>> {
        who.require_any_role()?;
        self.load_customer(code).await?;
        let mut contacts = self
            .store
            .query_all(
                Query::partition(Index::Primary, keys::customer(code))
                    .prefix(keys::CONTACT_PREFIX)
                    .limit(200),
            )
            .await?
            .into_iter()
            .map(|i| from_item::<Contact>(i).map(|(c, _)| c))
            .collect::<Result<Vec<_>>>()?;
        contacts.sort_by(|a, b| {
            a.escalation_order
                .cmp(&b.escalation_order)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(contacts)
    }

    pub async fn create_contact(&self, who: &Principal, code: &str, new: NewContact) -> Result<Contact> {
        who.require(Role::Admin, "changing the hub")?;
        let customer = CustomerCode::parse(code).map_err(|e| Error::validation("code", e.to_string()))?;
        let contact = Contact {
            id: new_ulid().to_string().to_lowercase(),
            customer,
            name: new.name.trim().to_string(),
            role: new.role.trim().to_string(),
            email: new.email,
            phone: new.phone.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
            escalation_order: new.escalation_order,
            version: 1,
        };
        contact.validate()?;
        self.retrying(None, || async {
            let (c, version) = self.load_customer(code).await?;
            let existing = self
                .store
                .query(
                    Query::partition(Index::Primary, keys::customer(code))
                        .prefix(keys::CONTACT_PREFIX)
                        .limit(MAX_CONTACTS),
                )
                .await?;
            if existing.next_cursor.is_some() || existing.items.len() >= MAX_CONTACTS {
                return Err(Error::conflict(
                    Conflict::TooManyContacts,
                    format!("a customer keeps at most {MAX_CONTACTS} contacts"),
                ));
            }
            // Bumping the customer's version makes a concurrent customer delete fail and retry.
            self.store
                .transact(vec![
                    Write::PutNew(contact_item(&contact)?),
                    Write::PutIfVersion {
                        item: customer_item(&c)?,
                        expected: version,
                    },
                ])
                .await?;
            Ok(contact.clone())
        })
        .await
    }

    async fn load_contact(&self, code: &str, id: &str) -> Result<(Contact, u64)> {
        let item = self
            .store
            .get(&keys::customer(code), &keys::contact(id))
            .await?
            .ok_or_else(|| Error::not_found("contact", id))?;
        from_item(item)
    }

    pub async fn update_contact(&self, who: &Principal, code: &str, id: &str, patch: ContactPatch) -> Result<Contact> {
        who.require(Role::Admin, "changing the hub")?;
        self.retrying(patch.version, || async {
            let (mut c, version) = self.load_contact(code, id).await?;
            check_version(patch.version, version, "contact", id)?;
            if let Some(v) = &patch.name {
                c.name = v.trim().to_string();
            }
            if let Some(v) = &patch.role {
                c.role = v.trim().to_string();
            }
            if let Some(v) = &patch.email {
                c.email = v.clone();
            }
            if let Some(v) = &patch.phone {
                c.phone = v.clone();
            }
            if let Some(v) = patch.escalation_order {
                c.escalation_order = v;
            }
            c.validate()?;
            self.store.put_if_version(contact_item(&c)?, version).await?;
            c.version = version + 1;
            Ok(c)
        })
        .await
    }

    pub async fn delete_contact(&self, who: &Principal, code: &str, id: &str) -> Result<()> {
        who.require(Role::Admin, "changing the hub")?;
        let (_, version) = self.load_contact(code, id).await?;
        self.store
            .delete(&keys::customer(code), &keys::contact(id), Some(version))
            .await
            .map_err(|e| match e {
                StoreError::ConditionFailed => {
                    Error::conflict(Conflict::Version, "the contact changed meanwhile; try again")
                }
                e => e.into(),
            })
    }

    // ---- team --------------------------------------------------------------------------------

    pub async fn team(&self, who: &Principal, code: &str) -> Result<Team> {
        who.require_any_role()?;
        let customer = self.load_customer(code).await?.0;
        Ok(self.load_team(&customer.code).await?.0)
    }

    async fn load_team(&self, code: &CustomerCode) -> Result<(Team, u64)> {
        match self.store.get(&keys::customer(code.as_str()), keys::TEAM).await? {
            Some(item) => from_item(item),
            None => Ok((
                Team {
                    customer: code.clone(),
                    members: Vec::new(),
                    history: Vec::new(),
                    version: 0,
                },
                0,
            )),
        }
    }

    /// Replaces a customer's team (admin); `version` must be the one read (0 for none yet).
    pub async fn put_team(&self, who: &Principal, code: &str, update: TeamUpdate) -> Result<Team> {
        who.require(Role::Admin, "changing a team")?;
        let (customer, customer_version) = self.load_customer(code).await?;
        let mut members: Vec<Email> = update.members.clone();
        members.sort();
        members.dedup();
        if members.len() > MAX_TEAM {
            return Err(Error::validation(
                "members",
                format!("a team has at most {MAX_TEAM} members"),
            ));
        }
        let (mut team, version) = self.load_team(&customer.code).await?;
        if version != update.version {
            return Err(Error::conflict(
                Conflict::Version,
                format!(
                    "the team is at version {version}, not {}; reload and try again",
                    update.version
                ),
            ));
        }
        let added: Vec<Email> = members.iter().filter(|m| !team.members.contains(m)).cloned().collect();
        let removed: Vec<Email> = team.members.iter().filter(|m| !members.contains(m)).cloned().collect();
        if added.is_empty() && removed.is_empty() {
            return Ok(team);
        }
        team.members = members;
        team.history.push(TeamChange {
            at: self.now(),
            by: who.email.clone(),
            added: added.clone(),
            removed: removed.clone(),
        });
        if team.history.len() > 100 {
            team.history.drain(..team.history.len() - 100);
        }
        let pk = keys::customer(code);
        let team_item = Item::new(&pk, keys::TEAM, encode(&team)?);
        let mut writes = vec![
            Write::at_version(team_item, version),
            // The customer must still exist (a concurrent delete fails this).
            Write::Check {
                pk: pk.clone(),
                sk: keys::META.into(),
                expected: customer_version,
            },
        ];
        for m in &added {
            writes.push(Write::Put(
                Item::new(
                    &pk,
                    keys::member(m.as_str()),
                    serde_json::json!({"email": m, "customer": code}),
                )
                .with_gsi1(keys::user(m.as_str()), keys::customer(code)),
            ));
        }
        for m in &removed {
            writes.push(Write::Delete {
                pk: pk.clone(),
                sk: keys::member(m.as_str()),
                expected: None,
            });
        }
        self.store.transact(writes).await.map_err(|e| match e {
            StoreError::ConditionFailed => Error::conflict(
                Conflict::Version,
                "the team or customer changed meanwhile; reload and try again",
            ),
            e => e.into(),
        })?;
        team.version = version + 1;
        Ok(team)
    }

    /// The customers a person is on the team of.
    pub async fn customers_of(&self, email: &Email) -> Result<Vec<CustomerCode>> {
        let items = self
            .store
            .query_all(
                Query::partition(Index::Gsi1, keys::user(email.as_str()))
                    .prefix(keys::CUSTOMER_PREFIX)
                    .limit(500),
            )
            .await?;
        let mut codes: Vec<CustomerCode> = items
            .iter()
            .filter_map(|i| {
                let sk = &i.gsi1.as_ref()?.sk;
                keys::customer_of_member(sk).and_then(|c| CustomerCode::parse(c).ok())
            })
            .collect();
        codes.sort();
        Ok(codes)
    }

    // ---- accounts --------------------------------------------------------------------------

    pub async fn list_accounts(
        &self,
        who: &Principal,
        filter: &AccountFilter,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> Result<Listed<Account>> {
        who.require_any_role()?;
        let limit = check_limit(limit)?;
        if let Some(a) = &filter.access
            && a != "sso"
            && a != "role"
        {
            return Err(Error::validation("access", format!("'{a}' is not one of: sso, role")));
        }
        let snap = self.snapshot().await?;
        if let Some(c) = &filter.customer
            && snap.customer(c.as_str()).is_none()
        {
            return Err(Error::not_found("customer", c.as_str()));
        }
        let start = match cursor {
            Some(c) => snap.account_position_after(&decode_cursor::<String>(c)?),
            None => 0,
        };
        let tokens = filter.q.as_deref().map(super::search::tokens).unwrap_or_default();
        let mut items = Vec::with_capacity(limit);
        let mut more = false;
        for (a, hay) in snap.accounts[start..].iter().zip(&snap.account_haystacks[start..]) {
            let keep = filter.customer.as_ref().is_none_or(|c| *c == a.customer)
                && filter.environment.is_none_or(|e| e == a.environment)
                && filter.access.as_deref().is_none_or(|m| m == a.access.kind())
                && tokens.iter().all(|t| hay.contains(t.as_str()));
            if !keep {
                continue;
            }
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(a.clone());
        }
        let next_cursor = if more {
            items.last().map(|a: &Account| encode_cursor(&a.id.as_str()))
        } else {
            None
        };
        Ok(Listed { items, next_cursor })
    }

    pub async fn get_account(&self, who: &Principal, id: &str) -> Result<Account> {
        who.require_any_role()?;
        Ok(self.load_account(id).await?.0)
    }

    async fn load_account(&self, id: &str) -> Result<(Account, u64)> {
        let item = self
            .store
            .get(&keys::account(id), keys::META)
            .await?
            .ok_or_else(|| Error::not_found("account", id))?;
        from_item(item)
    }

    /// One Identity Center has one home region: every account reached through a start URL must
    /// name the same SSO region (the generated `[sso-session]` has one `sso_region`).
    async fn check_sso_region(&self, account: &Account) -> Result<()> {
        let AccessMethod::Sso {
            start_url, sso_region, ..
        } = &account.access
        else {
            return Ok(());
        };
        let snap = self.snapshot().await?;
        let clash = snap.accounts.iter().find(|other| {
            other.id != account.id
                && matches!(&other.access, AccessMethod::Sso { start_url: u, sso_region: r, .. } if u == start_url && r != sso_region)
        });
        match clash {
            Some(other) => {
                let AccessMethod::Sso { sso_region: theirs, .. } = &other.access else {
                    return Ok(());
                };
                Err(Error::validation(
                    "access.sso_region",
                    format!(
                        "{start_url} is in {theirs} for account {}; one start URL has one SSO region",
                        other.id
                    ),
                ))
            }
            None => Ok(()),
        }
    }

    /// The customer an account names, or a validation error on the `customer` field.
    async fn owning_customer(&self, code: &CustomerCode) -> Result<(Customer, u64)> {
        match self.load_customer(code.as_str()).await {
            Err(Error::NotFound { .. }) => Err(Error::validation(
                "customer",
                format!("customer '{code}' does not exist"),
            )),
            other => other,
        }
    }

    pub async fn create_account(&self, who: &Principal, new: NewAccount) -> Result<Account> {
        who.require(Role::Admin, "changing the hub")?;
        let now = self.now();
        let account = Account {
            id: new.id,
            customer: new.customer,
            name: new.name.trim().to_string(),
            alias: new.alias.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
            environment: new.environment,
            region: new.region,
            management_account: new.management_account,
            delegated_admin_services: new.delegated_admin_services,
            access: new.access,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        account.validate()?;
        self.check_sso_region(&account).await?;
        self.retrying(None, || async {
            if self
                .store
                .get(&keys::account(account.id.as_str()), keys::META)
                .await?
                .is_some()
            {
                return Err(duplicate_account(&account.id));
            }
            let (mut c, version) = self.owning_customer(&account.customer).await?;
            c.account_count += 1;
            self.store
                .transact(vec![
                    Write::PutNew(account_item(&account)?),
                    Write::PutIfVersion {
                        item: customer_item(&c)?,
                        expected: version,
                    },
                    self.revision_write(),
                ])
                .await?;
            Ok(account.clone())
        })
        .await
    }

    pub async fn update_account(&self, who: &Principal, id: &str, patch: AccountPatch) -> Result<Account> {
        who.require(Role::Admin, "changing the hub")?;
        self.retrying(patch.version, || async {
            let (mut a, version) = self.load_account(id).await?;
            check_version(patch.version, version, "account", id)?;
            let old_customer = a.customer.clone();
            if let Some(v) = &patch.customer {
                a.customer = v.clone();
            }
            if let Some(v) = &patch.name {
                a.name = v.trim().to_string();
            }
            if let Some(v) = &patch.alias {
                a.alias = v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            }
            if let Some(v) = patch.environment {
                a.environment = v;
            }
            if let Some(v) = &patch.region {
                a.region = v.clone();
            }
            if let Some(v) = patch.management_account {
                a.management_account = v;
            }
            if let Some(v) = &patch.delegated_admin_services {
                a.delegated_admin_services = v.clone();
            }
            if let Some(v) = &patch.access {
                a.access = v.clone();
            }
            a.updated_at = self.now();
            a.validate()?;
            self.check_sso_region(&a).await?;
            let mut writes = vec![
                Write::PutIfVersion {
                    item: account_item(&a)?,
                    expected: version,
                },
                self.revision_write(),
            ];
            if a.customer != old_customer {
                let (mut to, to_version) = self.owning_customer(&a.customer).await?;
                let (mut from, from_version) = self.load_customer(old_customer.as_str()).await?;
                to.account_count += 1;
                from.account_count = from.account_count.saturating_sub(1);
                writes.push(Write::PutIfVersion {
                    item: customer_item(&to)?,
                    expected: to_version,
                });
                writes.push(Write::PutIfVersion {
                    item: customer_item(&from)?,
                    expected: from_version,
                });
            }
            self.store.transact(writes).await?;
            a.version = version + 1;
            Ok(a)
        })
        .await
    }

    pub async fn delete_account(&self, who: &Principal, id: &str, expected: Option<u64>) -> Result<()> {
        who.require(Role::Admin, "changing the hub")?;
        self.retrying(expected, || async {
            let (a, version) = self.load_account(id).await?;
            check_version(expected, version, "account", id)?;
            let (mut c, c_version) = self.load_customer(a.customer.as_str()).await?;
            c.account_count = c.account_count.saturating_sub(1);
            self.store
                .transact(vec![
                    Write::Delete {
                        pk: keys::account(id),
                        sk: keys::META.into(),
                        expected: Some(version),
                    },
                    Write::PutIfVersion {
                        item: customer_item(&c)?,
                        expected: c_version,
                    },
                    self.revision_write(),
                ])
                .await?;
            Ok(())
        })
        .await
    }

    pub async fn console_links(&self, who: &Principal, id: &str) -> Result<Vec<links::ConsoleLink>> {
        who.require_any_role()?;
        Ok(links::console_links(&self.load_account(id).await?.0))
    }

    pub async fn search(
        &self,
        who: &Principal,
        q: &str,
        limit: Option<usize>,
    ) -> Result<(Vec<Customer>, Vec<Account>)> {
        who.require_any_role()?;
        let limit = match limit {
            None => 20,
            Some(l) if (1..=100).contains(&l) => l,
            Some(_) => return Err(Error::validation("limit", "limit must be 1-100")),
        };
        if q.trim().is_empty() || q.len() > 200 {
            return Err(Error::validation("q", "q must be 1-200 characters"));
        }
        let snap = self.snapshot().await?;
        let found = search::quick_find(&snap, q, limit);
        Ok((
            found.customers.into_iter().cloned().collect(),
            found.accounts.into_iter().cloned().collect(),
        ))
    }

    /// Runs a read-modify-write step; when it loses a race (a failed condition) and the caller did
    /// not pin a version, reads again and retries. A pinned version makes the loss a 409.
    async fn retrying<T, F, Fut>(&self, pinned: Option<u64>, step: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        match pinned {
            Some(_) => step().await,
            None => retry_lost_races(step).await,
        }
    }
}

fn duplicate_account(id: &AccountId) -> Error {
    Error::conflict(
        Conflict::DuplicateAccount,
        format!("account {id} is already in the hub"),
    )
}

fn check_version(pinned: Option<u64>, current: u64, kind: &str, id: &str) -> Result<()> {
    match pinned {
        Some(v) if v != current => Err(Error::conflict(
            Conflict::Version,
            format!("{kind} '{id}' is at version {current}, not {v}; reload and try again"),
        )),
        _ => Ok(()),
    }
}
