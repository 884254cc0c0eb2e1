//! Quick find: one box that finds an account by id, name, alias, customer or role ARN. It runs over the
//! in-memory hub snapshot, so a query over thousands of accounts takes microseconds.

use super::snapshot::HubSnapshot;
use super::{Account, Customer};

/// The lower-case words of `s` (split at anything that is not a letter or digit), so
/// `payments-prod`, `Payments Prod` and `payments_prod` read alike.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `field` begins with the query's words, the last of which may be half typed.
fn starts_with_words(field: &[String], query: &[String]) -> bool {
    let Some((last, whole)) = query.split_last() else {
        return false;
    };
    field.len() >= query.len()
        && field.iter().zip(whole).all(|(f, q)| f == q)
        && field[query.len() - 1].starts_with(last.as_str())
}

/// How well a record matches; lower is better, `None` when it doesn't:
/// 0 a field is the query (`payments prod` = "Payments Prod"), 1 a field starts with it,
/// 2 a field holds it as a phrase, 3 every query word is a whole word of the record, 4 every one
/// starts a word, 5 they are only inside words. So `payments prod` lists "Payments Prod" before
/// five "Payments Non-Prod", which hold both words but not the phrase.
fn rank(fields: &[&str], haystack: &str, query: &[String]) -> Option<u8> {
    if query.is_empty() || !query.iter().all(|w| haystack.contains(w.as_str())) {
        return None;
    }
    let fields: Vec<Vec<String>> = fields.iter().map(|f| words(f)).collect();
    if fields.iter().any(|f| f == query) {
        return Some(0);
    }
    if fields.iter().any(|f| starts_with_words(f, query)) {
        return Some(1);
    }
    if fields
        .iter()
        .any(|f| (1..f.len()).any(|i| starts_with_words(&f[i..], query)))
    {
        return Some(2);
    }
    let all: Vec<&String> = fields.iter().flatten().collect();
    Some(if query.iter().all(|q| all.contains(&q)) {
        3
    } else if query.iter().all(|q| all.iter().any(|w| w.starts_with(q.as_str()))) {
        4
    } else {
        5
    })
}

/// The query's words (at most eight).
pub fn tokens(q: &str) -> Vec<String> {
    let mut w = words(q);
    w.truncate(8);
    w
}

pub struct SearchResults<'a> {
    pub customers: Vec<&'a Customer>,
    pub accounts: Vec<&'a Account>,
    /// How many matched before the limit cut the lists.
    pub total_customers: usize,
    pub total_accounts: usize,
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
    customers.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then_with(|| a.code.cmp(&b.code)));
    SearchResults {
        total_customers: customers.len(),
        total_accounts: accounts.len(),
        customers: customers.into_iter().take(limit).map(|(_, c)| c).collect(),
        accounts: accounts.into_iter().take(limit).map(|(_, a)| a).collect(),
    }
}

/// The lower-cased text an account is found by (its customer's name included).
pub fn account_haystack(a: &Account, customer_name: &str) -> String {
    let access = match &a.access {
        super::AccessMethod::Role {
            read_role_arn,
            breakglass_role_arn,
            ..
        } => format!("{read_role_arn} {breakglass_role_arn}"),
        super::AccessMethod::Sso { start_url, .. } => start_url.to_string(),
    };
    format!(
        "{} {} {} {} {} {}",
        a.id,
        a.name.to_lowercase(),
        a.alias.as_deref().unwrap_or("").to_lowercase(),
        a.customer,
        customer_name.to_lowercase(),
        access.to_lowercase()
    )
}

pub fn customer_haystack(c: &Customer) -> String {
    format!("{} {}", c.code, c.name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, name: &str) -> Account {
        serde_json::from_value(serde_json::json!({
            "id": id, "customer": "acme", "name": name, "alias": null, "environment": "prod", "region": "eu-west-1",
            "management_account": false, "delegated_admin_services": [],
            "access": {"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/CCRead"),
                "breakglass_role_arn": format!("arn:aws:iam::{id}:role/CCBreakglass"), "external_id": "cc-ext-1",
                "max_session_seconds": 3600},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    fn snapshot() -> HubSnapshot {
        let mut accounts: Vec<Account> = (1..=5)
            .map(|i| account(&format!("00000000000{i}"), &format!("Payments Non-Prod {i}")))
            .collect();
        accounts.push(account("000000000009", "Payments Prod"));
        accounts.push(account("000000000008", "Old Payments Production"));
        HubSnapshot::new("1".into(), vec![], accounts)
    }

    fn ids(found: &SearchResults) -> Vec<String> {
        found.accounts.iter().map(|a| a.name.clone()).collect()
    }

    #[test]
    fn the_phrase_comes_before_accounts_that_merely_hold_its_words() {
        let snap = snapshot();
        for q in ["payments prod", "Payments-Prod", "payments_prod"] {
            let found = quick_find(&snap, q, 20);
            assert_eq!(ids(&found)[0], "Payments Prod", "{q}: {:?}", ids(&found));
            assert_eq!(found.total_accounts, 7, "{q}");
        }
        // Half-typed: the prefix of the phrase first.
        let found = quick_find(&snap, "payments pro", 20);
        assert_eq!(ids(&found)[0], "Payments Prod");
        assert_eq!(ids(&found)[1], "Old Payments Production", "{:?}", ids(&found));
    }

    #[test]
    fn the_limit_is_reported_and_role_arns_are_searchable() {
        let snap = snapshot();
        let found = quick_find(&snap, "payments", 3);
        assert_eq!((found.accounts.len(), found.total_accounts), (3, 7));
        let found = quick_find(&snap, "arn:aws:iam::000000000009:role/CCRead", 20);
        assert_eq!(ids(&found), ["Payments Prod"]);
        assert!(tokens("--- ...").is_empty());
    }
}
