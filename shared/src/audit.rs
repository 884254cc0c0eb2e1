//! The append-only audit log, shared by every capability that changes something: breakglass
//! requests, decisions, grants, credentials, revokes, sweeps and failures (`access`), refused
//! attempts (`<action>_refused`, with the reason in `detail`), and hub changes (customers,
//! contacts, teams, accounts; with the item `before` and `after` the change).
//!
//! Events are written in the same transaction as the change they describe, so the log tells the
//! true story even under concurrency. Each event is stored once under its customer and month
//! (`AUDIT#{customer}#{yyyy-mm}`), indexed by actor (GSI1 `ACTOR#{email}`) and in one partition
//! per month across all customers (GSI2 `AUDIT#{yyyy-mm}`); the sort key is always the time in
//! milliseconds and the event id, so every listing reads newest first without sorting.
//!
//! **Retention.** Events are kept in the table indefinitely: they carry no TTL, and deleting a
//! customer deletes its hub items but never its audit partitions, so a deleted customer's history
//! stays listable (`GET /api/v1/audit?customer=`). Point-in-time recovery covers the table for
//! 35 days; for longer archives export the log as JSON lines (`Accept: application/x-ndjson`).
//!
//! **Where a caller is.** The breakglass service takes an explicit [`Origin`] on every call. The
//! hub's many write methods do not: threading an origin through each signature (and every caller,
//! the CLI, the demo seeding and the tests) would be a wide change for one field of the log.
//! Instead the HTTP layer runs every request inside [`with_origin`], a `tokio` task-local
//! ([`current_origin`] reads it), and the hub reads it when it writes an event. Outside a request
//! (demo seeding, jobs, tests that do not set it) there is no origin and events carry no source
//! IP. A task-local follows the request's future, not tasks it spawns; the hub spawns none.

use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::ids::new_ulid;
use crate::keys;
use crate::store::Item;

/// Where a caller is, for the audit log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub source_ip: Option<String>,
}

tokio::task_local! {
    static ORIGIN: Origin;
}

/// Runs `f` with `origin` as the caller's origin (read by [`current_origin`]).
pub async fn with_origin<F: std::future::Future>(origin: Origin, f: F) -> F::Output {
    ORIGIN.scope(origin, f).await
}

/// The origin of the request being served; empty outside a request.
pub fn current_origin() -> Origin {
    ORIGIN.try_with(Origin::clone).unwrap_or_default()
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// A person's e-mail, or `system`.
    pub actor: String,
    /// e.g. `request_created`, `approved`, `rejected`, `granted`, `credentials_issued`, `revoked`,
    /// `approve_refused`, `customer_created`, `account_moved`, `account_updated`, `team_changed`.
    pub action: String,
    pub customer: String,
    pub account_id: Option<String>,
    pub request_id: Option<String>,
    /// What happened in words: a refusal's reason, the fields a hub change touched.
    pub detail: String,
    pub source_ip: Option<String>,
    /// The item before the change (updates, deletes, policy changes).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The item after the change (creates, updates, policy changes).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl AuditEvent {
    pub fn new(actor: &str, action: &str, customer: &str, at: OffsetDateTime) -> Self {
        AuditEvent {
            id: new_ulid().to_string(),
            at,
            actor: actor.to_string(),
            action: action.to_string(),
            customer: customer.to_string(),
            account_id: None,
            request_id: None,
            detail: String::new(),
            source_ip: None,
            before: None,
            after: None,
        }
    }

    pub fn origin(mut self, origin: &Origin) -> Self {
        self.source_ip = origin.source_ip.clone();
        self
    }

    pub fn before_after(mut self, before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    /// The event's item: under its customer and month, on the actor index and the all-customers
    /// monthly index.
    pub fn item(&self) -> Item {
        let sort = self.sort_key();
        Item::new(
            keys::audit(&self.customer, self.at),
            sort.clone(),
            serde_json::to_value(self).unwrap_or_default(),
        )
        .with_gsi1(keys::actor(&self.actor), sort.clone())
        .with_gsi2(keys::audit_month(self.at), sort)
    }

    /// A copy of the event filed under another customer too (an account moving away), on no
    /// index: the actor and monthly listings show the event once.
    pub fn copy_under(&self, customer: &str) -> Item {
        Item::new(
            keys::audit(customer, self.at),
            self.sort_key(),
            serde_json::to_value(self).unwrap_or_default(),
        )
    }

    pub fn sort_key(&self) -> String {
        keys::audit_event(self.at, &self.id)
    }
}

/// The top-level fields that differ between two JSON objects (ignoring bookkeeping), for an
/// event's `detail`: `alias, name`.
pub fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> String {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return String::new();
    };
    let mut names: Vec<&str> = a
        .iter()
        .filter(|(k, v)| !matches!(k.as_str(), "version" | "updated_at") && b.get(k.as_str()) != Some(v))
        .map(|(k, _)| k.as_str())
        .chain(b.keys().filter(|k| !a.contains_key(k.as_str())).map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_event_is_on_every_index_and_a_copy_on_none() {
        let e = AuditEvent::new(
            "ada@example.com",
            "account_moved",
            "globex",
            time::macros::datetime!(2026-03-31 23:00 UTC),
        );
        let item = e.item();
        assert_eq!(item.pk, "AUDIT#globex#2026-03");
        assert_eq!(item.gsi1.as_ref().unwrap().pk, "ACTOR#ada@example.com");
        assert_eq!(item.gsi2.as_ref().unwrap().pk, "AUDIT#2026-03");
        assert_eq!(item.gsi2.as_ref().unwrap().sk, item.sk);
        let copy = e.copy_under("acme");
        assert_eq!(
            (copy.pk.as_str(), copy.sk.as_str()),
            ("AUDIT#acme#2026-03", item.sk.as_str())
        );
        assert!(copy.gsi1.is_none() && copy.gsi2.is_none());
    }

    #[test]
    fn changed_fields_name_what_moved() {
        let before = json!({"name": "a", "alias": null, "version": 1, "region": "x"});
        let after = json!({"name": "b", "alias": "pay", "version": 2, "region": "x"});
        assert_eq!(changed_fields(&before, &after), "alias, name");
    }

    #[tokio::test]
    async fn the_origin_is_the_requests_inside_and_empty_outside() {
        assert_eq!(current_origin(), Origin::default());
        let ip = Origin {
            source_ip: Some("198.51.100.1".into()),
        };
        let seen = with_origin(ip.clone(), async { current_origin() }).await;
        assert_eq!(seen, ip);
    }
}
