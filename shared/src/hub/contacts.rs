//! A customer's key contacts (at most `MAX_CONTACTS`), kept under the customer's partition.

use super::service::*;
use super::*;
use crate::identity::{Principal, Role};
use crate::ids::new_ulid;
use crate::keys;
use crate::page::Order;
use crate::store::{Index, Query, StoreError, Write, encode};

impl Hub {
    /// Contacts in escalation order, then by name.
    pub async fn list_contacts(&self, who: &Principal, code: &str, page: &PageRequest) -> Result<Listed<Contact>> {
        who.require_any_role()?;
        self.load_customer(code).await?;
        let contacts = self.contacts_of(code).await?;
        crate::page::in_memory(
            contacts,
            page,
            &scope("contacts", &code),
            Order::Ascending,
            contact_order,
        )
    }

    /// A customer's contacts (at most [`MAX_CONTACTS`]) in escalation order, then by name.
    pub(super) async fn contacts_of(&self, code: &str) -> Result<Vec<Contact>> {
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
        contacts.sort_by_key(contact_order);
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
            let event = self.event(who, "contact_created", code, None, Some(encode(&contact)?));
            self.store
                .transact(vec![
                    Write::PutNew(contact_item(&contact)?),
                    Write::PutIfVersion {
                        item: customer_item(&c)?,
                        expected: version,
                    },
                    self.revision_write(),
                    Write::PutNew(event.item()),
                ])
                .await?;
            Ok(contact.clone())
        })
        .await
    }

    pub(super) async fn load_contact(&self, code: &str, id: &str) -> Result<(Contact, u64)> {
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
            let before = encode(&c)?;
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
            let mut after = encode(&c)?;
            after["version"] = (version + 1).into();
            let event = self.event(who, "contact_updated", code, Some(before), Some(after));
            self.store
                .transact(vec![
                    Write::PutIfVersion {
                        item: contact_item(&c)?,
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

    /// Deletes a contact (admin). With `expected`, only while it is at that version (409 otherwise);
    /// without, whatever its version (a lost race with another writer is retried).
    pub async fn delete_contact(&self, who: &Principal, code: &str, id: &str, expected: Option<u64>) -> Result<()> {
        who.require(Role::Admin, "changing the hub")?;
        self.retrying(expected, || async {
            let (contact, version) = self.load_contact(code, id).await?;
            check_version(expected, version, "contact", id)?;
            let event = self.event(who, "contact_deleted", code, Some(encode(&contact)?), None);
            self.store
                .transact(vec![
                    Write::Delete {
                        pk: keys::customer(code),
                        sk: keys::contact(id),
                        expected: Some(version),
                    },
                    self.revision_write(),
                    Write::PutNew(event.item()),
                ])
                .await
                .map_err(|e| match e {
                    StoreError::ConditionFailed => {
                        Error::conflict(Conflict::Version, "the contact changed meanwhile; reload and try again")
                    }
                    e => e.into(),
                })
        })
        .await
    }
}

/// A contact's place in the list: escalation order, name, then id (unique).
fn contact_order(c: &Contact) -> String {
    format!("{:03}#{}#{}", c.escalation_order, c.name, c.id)
}
