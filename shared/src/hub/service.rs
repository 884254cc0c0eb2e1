//! The hub service and what its use cases share (split by use case: `customers`, `contacts`,
//! `teams`, `accounts`): authorisation, validation and persistence with conditional writes, and
//! the in-memory snapshot that serves lists and quick find.
//!
//! Integrity rules kept by transactions:
//! - an account's customer exists; the customer's `account_count` moves in the same transaction,
//!   so a customer with accounts can never be deleted (its delete is conditional on its version);
//! - a contact is created only while its customer exists (the customer's version is bumped);
//! - every write (customers, contacts, teams, accounts) also replaces the hub revision marker,
//!   which keeps cached snapshots honest;
//! - every change writes its audit event (who, from where, the item before and after) in the same
//!   transaction (`crate::audit`).

use std::sync::{Arc, RwLock};

use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::snapshot::HubSnapshot;
use super::*;
use crate::audit::{AuditEvent, changed_fields, current_origin};
use crate::clock::Clock;
use crate::error::retry_lost_races;
use crate::ids::new_ulid;
use crate::keys;
pub use crate::page::{Listed, PageRequest, encode_cursor, scope};
use crate::store::{Index, Item, ItemStore, Query, Write, decode, encode};

pub const MAX_CONTACTS: usize = 50;
pub const MAX_TEAM: usize = 40;

pub(super) fn customer_item(c: &Customer) -> Result<Item> {
    Ok(Item::new(keys::customer(c.code.as_str()), keys::META, encode(c)?)
        .with_gsi1(keys::CUSTOMERS, keys::customer_by_name(&c.name, c.code.as_str())))
}

pub(super) fn contact_item(c: &Contact) -> Result<Item> {
    Ok(
        Item::new(keys::customer(c.customer.as_str()), keys::contact(&c.id), encode(c)?)
            .with_gsi2(keys::CONTACTS, keys::contact_in_hub(c.customer.as_str(), &c.id)),
    )
}

pub(super) fn account_item(a: &Account) -> Result<Item> {
    Ok(Item::new(keys::account(a.id.as_str()), keys::META, encode(a)?)
        .with_gsi1(
            keys::customer(a.customer.as_str()),
            keys::account_in_customer(a.environment.as_str(), a.id.as_str()),
        )
        .with_gsi2(keys::ACCOUNTS, a.id.as_str()))
}

/// The hub revision marker: which write it was, and when.
pub(super) struct Revision {
    rev: String,
    at_ms: i64,
}

pub(super) fn from_item<T: DeserializeOwned>(item: Item) -> Result<(T, u64)> {
    let version = item.version;
    Ok((decode(item)?, version))
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

pub struct Hub {
    pub(super) store: Arc<dyn ItemStore>,
    clock: Clock,
    /// The role names the deployed broker may assume (see [`AssumableRoles`]).
    pub(super) assumable: AssumableRoles,
    cache: RwLock<Option<Arc<HubSnapshot>>>,
    load: tokio::sync::Mutex<()>,
}

impl Hub {
    pub fn new(store: Arc<dyn ItemStore>, clock: Clock) -> Self {
        Hub {
            store,
            clock,
            assumable: AssumableRoles::default(),
            cache: RwLock::new(None),
            load: tokio::sync::Mutex::new(()),
        }
    }

    /// Limits the roles accounts may name to those the deployed broker may assume.
    pub fn with_assumable_roles(mut self, assumable: AssumableRoles) -> Self {
        self.assumable = assumable;
        self
    }

    pub(super) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub(super) fn now_ms(&self) -> i64 {
        (self.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// The audit event of a hub change by `who`, from the request's origin (none outside a
    /// request), with the item before and after; `detail` names the fields that changed.
    pub(super) fn event(
        &self,
        who: &crate::identity::Principal,
        action: &str,
        customer: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> AuditEvent {
        let mut e = AuditEvent::new(who.email.as_str(), action, customer, self.now()).origin(&current_origin());
        if let (Some(b), Some(a)) = (&before, &after) {
            e.detail = changed_fields(b, a);
        }
        e.before_after(before, after)
    }

    /// The write that moves the hub revision marker (part of every hub transaction).
    pub(super) fn revision_write(&self) -> Write {
        Write::Put(Item::new(
            keys::HUB_REVISION.0,
            keys::HUB_REVISION.1,
            serde_json::json!({ "rev": new_ulid().to_string(), "at_ms": self.now_ms() }),
        ))
    }

    pub(super) async fn revision(&self) -> Result<Revision> {
        let item = self.store.get(keys::HUB_REVISION.0, keys::HUB_REVISION.1).await?;
        let data = item.map(|i| i.data).unwrap_or_default();
        Ok(Revision {
            rev: data["rev"].as_str().unwrap_or_default().to_string(),
            at_ms: data["at_ms"].as_i64().unwrap_or_default(),
        })
    }

    pub(super) fn cached(&self, revision: &str) -> Option<Arc<HubSnapshot>> {
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
        let contacts = self.all_contacts(&customers).await?;
        let snapshot = Arc::new(HubSnapshot::new(revision.rev, customers, accounts).with_contacts(contacts));
        let settled = self.now_ms() - revision.at_ms >= self.store.index_settle_time().as_millis() as i64;
        if settled && let Ok(mut guard) = self.cache.write() {
            *guard = Some(snapshot.clone());
        }
        Ok(snapshot)
    }

    /// Every contact, from the `CONTACTS` index. Contacts stored before that index existed are on
    /// no index: the first load reads them customer by customer, rewrites each onto the index
    /// (conditional on its version, which moves by one; a contact changed meanwhile is on it
    /// already) and writes the marker, after which loads are one query.
    async fn all_contacts(&self, customers: &[Customer]) -> Result<Vec<Contact>> {
        let (marker_pk, marker_sk) = keys::CONTACTS_INDEXED;
        if self.store.get(marker_pk, marker_sk).await?.is_some() {
            return self
                .store
                .query_all(Query::partition(Index::Gsi2, keys::CONTACTS).limit(1000))
                .await?
                .into_iter()
                .map(|i| from_item::<Contact>(i).map(|(c, _)| c))
                .collect();
        }
        let mut all = Vec::new();
        for customer in customers {
            let items = self
                .store
                .query_all(
                    Query::partition(Index::Primary, keys::customer(customer.code.as_str()))
                        .prefix(keys::CONTACT_PREFIX)
                        .limit(200),
                )
                .await?;
            for item in items {
                let indexed = item.gsi2.is_some();
                let (contact, version) = from_item::<Contact>(item)?;
                if !indexed {
                    let write = Write::PutIfVersion {
                        item: contact_item(&contact)?,
                        expected: version,
                    };
                    match self.store.transact(vec![write]).await {
                        Ok(()) | Err(crate::store::StoreError::ConditionFailed) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                all.push(contact);
            }
        }
        self.store
            .transact(vec![
                Write::Put(Item::new(
                    marker_pk,
                    marker_sk,
                    serde_json::json!({ "at_ms": self.now_ms() }),
                )),
                // The index may lag behind these rewrites: the next load is not cached (see
                // `snapshot`) until it has settled.
                self.revision_write(),
            ])
            .await?;
        Ok(all)
    }

    /// Runs a read-modify-write step; when it loses a race (a failed condition) and the caller did
    /// not pin a version, reads again and retries. A pinned version makes the loss a 409.
    pub(super) async fn retrying<T, F, Fut>(&self, pinned: Option<u64>, step: F) -> Result<T>
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

pub(super) fn check_version(pinned: Option<u64>, current: u64, kind: &str, id: &str) -> Result<()> {
    match pinned {
        Some(v) if v != current => Err(Error::conflict(
            Conflict::Version,
            format!("{kind} '{id}' is at version {current}, not {v}; reload and try again"),
        )),
        _ => Ok(()),
    }
}
