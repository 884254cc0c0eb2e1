//! Quick find: one box that finds an account by id, name, alias or customer. It runs over the
//! in-memory hub snapshot, so a query over thousands of accounts takes microseconds.

use super::snapshot::HubSnapshot;
use super::{Account, Customer};

/// How well a searchable record matches; lower is better.
fn rank(fields: &[&str], haystack: &str, tokens: &[String]) -> Option<u8> {
    if tokens.is_empty() || !tokens.iter().all(|t| haystack.contains(t.as_str())) {
        return None;
    }
    let first = &tokens[0];
    let lower: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    Some(if lower.iter().any(|f| f == first) {
        0
    } else if lower.iter().any(|f| f.starts_with(first.as_str())) {
        1
    } else if lower.iter().any(|f| {
        f.split(|c: char| !c.is_alphanumeric())
            .any(|w| w.starts_with(first.as_str()))
    }) {
        2
    } else {
        3
    })
}

pub fn tokens(q: &str) -> Vec<String> {
    q.split_whitespace().map(str::to_lowercase).take(8).collect()
}

pub struct SearchResults<'a> {
    pub customers: Vec<&'a Customer>,
    pub accounts: Vec<&'a Account>,
}

pub fn quick_find<'a>(snapshot: &'a HubSnapshot, q: &str, limit: usize) -> SearchResults<'a> {
    let tokens = tokens(q);
    let mut accounts: Vec<(u8, &Account)> = snapshot
        .accounts
        .iter()
        .zip(&snapshot.account_haystacks)
        .filter_map(|(a, hay)| {
            let fields = [
                a.id.as_str(),
                a.name.as_str(),
                a.alias.as_deref().unwrap_or(""),
                a.customer.as_str(),
            ];
            rank(&fields, hay, &tokens).map(|r| (r, a))
        })
        .collect();
    accounts.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut customers: Vec<(u8, &Customer)> = snapshot
        .customers
        .iter()
        .zip(&snapshot.customer_haystacks)
        .filter_map(|(c, hay)| rank(&[c.code.as_str(), c.name.as_str()], hay, &tokens).map(|r| (r, c)))
        .collect();
    customers.sort_by_key(|(r, _)| *r);
    SearchResults {
        customers: customers.into_iter().take(limit).map(|(_, c)| c).collect(),
        accounts: accounts.into_iter().take(limit).map(|(_, a)| a).collect(),
    }
}

/// The lower-cased text an account is found by (its customer's name included).
pub fn account_haystack(a: &Account, customer_name: &str) -> String {
    format!(
        "{} {} {} {} {}",
        a.id,
        a.name.to_lowercase(),
        a.alias.as_deref().unwrap_or("").to_lowercase(),
        a.customer,
        customer_name.to_lowercase()
    )
}

pub fn customer_haystack(c: &Customer) -> String {
    format!("{} {}", c.code, c.name.to_lowercase())
}
