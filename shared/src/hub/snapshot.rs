//! The hub snapshot: every customer, contact and account in memory, tagged with the hub revision it was
//! loaded at. Every hub write changes the revision in the same transaction, so a reader that finds
//! the stored revision equal to its snapshot's knows the snapshot is current. Lists, filters and
//! quick find then cost a point read plus in-memory work, in Lambda and locally alike.

use std::collections::HashMap;

use super::search::{account_haystack, contact_haystack, customer_haystack};
use super::{Account, Contact, Customer};

pub struct HubSnapshot {
    pub revision: String,
    /// Sorted by (lower-case name, code).
    pub customers: Vec<Customer>,
    pub customer_haystacks: Vec<String>,
    /// Sorted by account id.
    pub accounts: Vec<Account>,
    pub account_haystacks: Vec<String>,
    /// Contacts of the customers above, by customer, then escalation order, name and id.
    pub contacts: Vec<Contact>,
    pub contact_haystacks: Vec<String>,
    customer_index: HashMap<String, usize>,
}

impl HubSnapshot {
    pub fn new(revision: String, mut customers: Vec<Customer>, mut accounts: Vec<Account>) -> Self {
        customers.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        let customer_index: HashMap<String, usize> = customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.to_string(), i))
            .collect();
        let account_haystacks = accounts
            .iter()
            .map(|a| {
                let name = customer_index
                    .get(a.customer.as_str())
                    .map(|&i| customers[i].name.as_str())
                    .unwrap_or("");
                account_haystack(a, name)
            })
            .collect();
        let customer_haystacks = customers.iter().map(customer_haystack).collect();
        HubSnapshot {
            revision,
            customers,
            customer_haystacks,
            accounts,
            account_haystacks,
            contacts: Vec::new(),
            contact_haystacks: Vec::new(),
            customer_index,
        }
    }

    /// With these contacts (those of customers not in the snapshot, e.g. one being deleted, are
    /// left out).
    pub fn with_contacts(mut self, mut contacts: Vec<Contact>) -> Self {
        contacts.retain(|c| self.customer_index.contains_key(c.customer.as_str()));
        contacts.sort_by(|a, b| {
            (a.customer.as_str(), a.escalation_order, &a.name, &a.id).cmp(&(
                b.customer.as_str(),
                b.escalation_order,
                &b.name,
                &b.id,
            ))
        });
        self.contact_haystacks = contacts.iter().map(contact_haystack).collect();
        self.contacts = contacts;
        self
    }

    pub fn customer(&self, code: &str) -> Option<&Customer> {
        self.customer_index.get(code).map(|&i| &self.customers[i])
    }

    /// Position just after this sort key (lower-case name, code); the customer need not exist.
    pub fn customer_position_after(&self, name: &str, code: &str) -> usize {
        self.customers
            .partition_point(|c| sort_key(c) <= (name.to_string(), code))
    }

    /// Position just after this account id (ids are sorted; the id need not exist any more).
    pub fn account_position_after(&self, id: &str) -> usize {
        self.accounts.partition_point(|a| a.id.as_str() <= id)
    }
}

pub fn sort_key(c: &Customer) -> (String, &str) {
    (c.name.to_lowercase(), c.code.as_str())
}
