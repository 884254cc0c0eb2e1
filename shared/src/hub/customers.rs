//! Customers: list (filters, pages from the snapshot), read, create, update, delete.

use super::service::*;
use super::snapshot::sort_key;
use super::*;
use crate::identity::{Principal, Role};
use crate::keys;
use crate::store::{Index, Item, Query, StoreError, Write, encode};

impl Hub {
    pub async fn list_customers(
        &self,
        who: &Principal,
        filter: &CustomerFilter,
        limit: Option<usize>,
        cursor: Option<&str>,
    ) -> Result<Listed<Customer>> {
        who.require_any_role()?;
        let page = PageRequest::new(limit, cursor.map(String::from))?;
        let limit = page.limit;
        let scope = scope("customers", filter);
        let snap = self.snapshot().await?;
        let start = match page.position::<(String, String)>(&scope)? {
            Some((name, code)) => snap.customer_position_after(&name, &code),
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
                last.map(|(n, c)| encode_cursor(&scope, &(n, c)))
            } else {
                None
            },
        })
    }

    pub async fn get_customer(&self, who: &Principal, code: &str) -> Result<Customer> {
        who.require_any_role()?;
        Ok(self.load_customer(code).await?.0)
    }

    pub(crate) async fn load_customer(&self, code: &str) -> Result<(Customer, u64)> {
        let item = self
            .store
            .get(&keys::customer(code), keys::META)
            .await?
            .filter(|i| !is_being_deleted(i))
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
        let event = self.event(who, "customer_created", c.code.as_str(), None, Some(encode(&c)?));
        match self
            .store
            .transact(vec![
                Write::PutNew(customer_item(&c)?),
                self.revision_write(),
                Write::PutNew(event.item()),
            ])
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
            let before = encode(&c)?;
            if let Some(n) = &patch.name {
                c.name = n.trim().to_string();
            }
            if let Some(s) = patch.status {
                if s == CustomerStatus::Offboarded && c.status != CustomerStatus::Offboarded {
                    let accounts = self.account_ids_of(&c.code).await?;
                    let end_route = format!("/api/v1/customers/{code}/end-access");
                    self.refuse_open_access(&accounts, &format!("customer {code}"), &end_route)
                        .await?;
                }
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
            let mut after = encode(&c)?;
            after["version"] = (version + 1).into();
            let action = match (before["status"] == after["status"], c.status) {
                (false, CustomerStatus::Offboarded) => "customer_offboarded",
                _ => "customer_updated",
            };
            let event = self.event(who, action, code, Some(before), Some(after));
            self.store
                .transact(vec![
                    Write::PutIfVersion {
                        item: customer_item(&c)?,
                        expected: version,
                    },
                    self.revision_write(),
                    Write::PutNew(event.item()),
                ])
                .await?;
            c.version = version + 1;
            Ok(c)
        })
        .await
    }

    /// Deletes a customer and its contacts. Refused while it owns accounts.
    /// Deletes a customer with any number of items under its partition (contacts, team, members,
    /// policy, and whatever later capabilities keep there). A customer that still owns accounts is
    /// refused (409). Three steps, so no single transaction has to hold the whole partition:
    /// 1. the customer is marked as being deleted (conditional on its version; `expected` pins it)
    ///    and leaves the customer index, so it is no longer found and nothing new attaches to it
    ///    (every attaching write is conditional on the customer's version, which the mark moves);
    /// 2. its other items are deleted in batches of at most [`DELETE_BATCH`];
    /// 3. the customer item itself is deleted.
    ///
    /// Idempotent: if interrupted, calling it again resumes from the mark.
    pub async fn delete_customer(&self, who: &Principal, code: &str, expected: Option<u64>) -> Result<()> {
        who.require(Role::Admin, "changing the hub")?;
        let pk = keys::customer(code);
        let item = self
            .store
            .get(&pk, keys::META)
            .await?
            .ok_or_else(|| Error::not_found("customer", code))?;
        let mut before = item.data.clone();
        if let Some(fields) = before.as_object_mut() {
            fields.remove(DELETING);
        }
        let marked = if is_being_deleted(&item) {
            item.version
        } else {
            self.mark_deleting(code, expected).await?
        };
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(Query::partition(Index::Primary, &pk).limit(DELETE_BATCH).after(cursor))
                .await?;
            let deletes: Vec<Write> = page
                .items
                .into_iter()
                .filter(|i| i.sk != keys::META)
                .map(|i| Write::Delete {
                    pk: i.pk,
                    sk: i.sk,
                    expected: None,
                })
                .collect();
            if !deletes.is_empty() {
                self.store.transact(deletes).await?;
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        // Other capabilities' data about the customer lives in their own partitions (never
        // under `CUSTOMER#{code}`): delete it too, before the customer item, so that a new
        // customer given this code does not inherit costs, settings, anomalies or contracts, and
        // a delete that stops half-way is finished by the next call.
        if let Ok(customer) = crate::ids::CustomerCode::parse(code) {
            let now = self.now();
            crate::billing::store::purge_customer(self.store.as_ref(), &customer, now.date()).await?;
            crate::utilisation::store::purge_customer(self.store.as_ref(), &customer, who.email.as_str(), now).await?;
            crate::reports::store::purge_customer(self.store.as_ref(), &customer).await?;
        }
        // Only the last step is audited: the customer is gone when the event says so. Its audit
        // partitions are not under `CUSTOMER#{code}` and stay.
        let event = self.event(who, "customer_deleted", code, Some(before), None);
        self.store
            .transact(vec![
                Write::Delete {
                    pk,
                    sk: keys::META.into(),
                    expected: Some(marked),
                },
                self.revision_write(),
                Write::PutNew(event.item()),
            ])
            .await
            .map_err(|e| match e {
                // Another delete of the same customer finished first.
                StoreError::ConditionFailed => Error::not_found("customer", code),
                e => e.into(),
            })
    }

    /// Step 1 of a delete: the mark. Returns the marked item's version.
    async fn mark_deleting(&self, code: &str, expected: Option<u64>) -> Result<u64> {
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
            let mut data = encode(&c)?;
            data[DELETING] = serde_json::Value::Bool(true);
            // No GSI1 key: the customer leaves the customer index (and so every list) now.
            let item = Item::new(keys::customer(code), keys::META, data);
            self.store
                .transact(vec![
                    Write::PutIfVersion {
                        item,
                        expected: version,
                    },
                    self.revision_write(),
                ])
                .await?;
            Ok(version + 1)
        })
        .await
    }
}

/// How many items one delete transaction removes (DynamoDB allows 100 writes per transaction).
pub const DELETE_BATCH: usize = 100;

/// The item-data flag of a customer whose delete has begun (not part of the API's customer).
const DELETING: &str = "deleting";

/// Whether a customer item is marked as being deleted: such a customer is not found.
pub(super) fn is_being_deleted(item: &Item) -> bool {
    item.data.get(DELETING).and_then(serde_json::Value::as_bool) == Some(true)
}
