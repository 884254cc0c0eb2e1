//! Quick find: one box that finds a customer by code or name, an account by id, name, alias,
//! customer or role ARN, and a key contact by name, e-mail, phone or role. It runs over the
//! in-memory hub snapshot, so a query over thousands of accounts takes microseconds.

use super::snapshot::HubSnapshot;
use super::{Account, Contact, Customer};

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
    pub contacts: Vec<&'a Contact>,
    /// How many matched before the limit cut the lists.
    pub total_customers: usize,
    pub total_accounts: usize,
    pub total_contacts: usize,
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
    let mut contacts: Vec<(u8, &Contact)> = snapshot
        .contacts
        .iter()
        .zip(&snapshot.contact_haystacks)
        .filter_map(|(c, hay)| {
            let digits = phone_digits(c.phone.as_deref());
            let fields = [
                c.name.as_str(),
                c.email.as_str(),
                c.role.as_str(),
                c.phone.as_deref().unwrap_or(""),
                digits.as_str(),
                c.customer.as_str(),
            ];
            rank(&fields, hay, &tokens).map(|r| (r, c))
        })
        .collect();
    contacts.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.customer.cmp(&b.customer))
            .then_with(|| a.id.cmp(&b.id))
    });
    SearchResults {
        total_customers: customers.len(),
        total_accounts: accounts.len(),
        total_contacts: contacts.len(),
        customers: customers.into_iter().take(limit).map(|(_, c)| c).collect(),
        accounts: accounts.into_iter().take(limit).map(|(_, a)| a).collect(),
        contacts: contacts.into_iter().take(limit).map(|(_, c)| c).collect(),
    }
}

/// A phone number's digits alone (`+44 20 7946 0001` is found by `442079460001` too).
fn phone_digits(phone: Option<&str>) -> String {
    phone.unwrap_or("").chars().filter(char::is_ascii_digit).collect()
}

/// The lower-cased text a contact is found by: name, e-mail, role, phone (as written and as
/// digits alone) and customer code.
pub fn contact_haystack(c: &Contact) -> String {
    format!(
        "{} {} {} {} {} {}",
        c.name.to_lowercase(),
        c.email,
        c.role.to_lowercase(),
        c.phone.as_deref().unwrap_or(""),
        phone_digits(c.phone.as_deref()),
        c.customer
    )
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

    fn contact(customer: &str, name: &str, email: &str, role: &str, phone: Option<&str>) -> Contact {
        serde_json::from_value(serde_json::json!({
            "id": format!("{:0>26}", name.to_lowercase().replace(' ', "")), "customer": customer, "name": name, "role": role,
            "email": email, "phone": phone, "escalation_order": 1
        }))
        .unwrap()
    }

    fn customer(code: &str, name: &str) -> Customer {
        serde_json::from_value(serde_json::json!({
            "code": code, "name": name, "status": "active", "notes": "", "contract": null,
            "report": {"enabled": false, "recipients": []}, "account_count": 0,
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

    fn with_contacts() -> HubSnapshot {
        HubSnapshot::new(
            "1".into(),
            vec![customer("acme", "Acme Retail"), customer("globex", "Globex")],
            vec![account("000000000001", "Payments Prod")],
        )
        .with_contacts(vec![
            contact(
                "acme",
                "Jo Bloggs",
                "jo.bloggs@acme.example",
                "Head of Platform",
                Some("+44 20 7946 0001"),
            ),
            contact("acme", "Sam Jones", "sam@acme.example", "Platform Engineer", None),
            contact(
                "globex",
                "Joanna Platt",
                "joanna@globex.example",
                "CTO",
                Some("+1 555 0100"),
            ),
            contact("gone", "Jo Gone", "jo@gone.example", "", None),
        ])
    }

    fn contact_names(found: &SearchResults) -> Vec<String> {
        found.contacts.iter().map(|c| c.name.clone()).collect()
    }

    #[test]
    fn contacts_are_found_by_name_email_phone_and_role_best_first() {
        let snap = with_contacts();
        // Name: names starting with it first, then one with a later word starting with it.
        let found = quick_find(&snap, "jo", 20);
        assert_eq!(contact_names(&found), ["Jo Bloggs", "Joanna Platt", "Sam Jones"]);
        assert_eq!(
            found.total_contacts, 3,
            "a customer not in the hub has no contacts here"
        );
        // E-mail, as typed or in part.
        let found = quick_find(&snap, "Jo.Bloggs@ACME.example", 20);
        assert_eq!(contact_names(&found), ["Jo Bloggs"]);
        assert_eq!(contact_names(&quick_find(&snap, "sam@acme", 20)), ["Sam Jones"]);
        // Phone: as written, or its digits alone.
        for q in ["+44 20 7946 0001", "7946 0001", "442079460001"] {
            assert_eq!(contact_names(&quick_find(&snap, q, 20)), ["Jo Bloggs"], "{q}");
        }
        // Role: the one whose role is the phrase first, then one that merely holds the word.
        let found = quick_find(&snap, "platform", 20);
        assert_eq!(contact_names(&found), ["Sam Jones", "Jo Bloggs"]);
        let found = quick_find(&snap, "head of platform", 20);
        assert_eq!(contact_names(&found), ["Jo Bloggs"]);
        assert_eq!(contact_names(&quick_find(&snap, "cto", 20)), ["Joanna Platt"]);
        assert!(quick_find(&snap, "zzz", 20).contacts.is_empty());
    }

    #[test]
    fn the_limit_cuts_contacts_as_it_cuts_customers_and_accounts() {
        let snap = with_contacts();
        let found = quick_find(&snap, "platform", 1);
        assert_eq!((found.contacts.len(), found.total_contacts), (1, 2));
        assert_eq!(contact_names(&found), ["Sam Jones"]);
        let found = quick_find(&snap, "acme", 1);
        assert_eq!((found.customers.len(), found.total_customers), (1, 1));
        assert_eq!((found.contacts.len(), found.total_contacts), (1, 2));
    }
}
