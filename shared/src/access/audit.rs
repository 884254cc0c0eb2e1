//! The append-only audit log: every request, decision, grant, credential issue, revoke, sweep and
//! failure. Events are written in the same transaction as the change they describe, so the log
//! tells the true story even under concurrency. Partitioned by customer and month, indexed by
//! actor.

use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::ids::new_ulid;
use crate::keys;
use crate::store::Item;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// A person's e-mail, or `system`.
    pub actor: String,
    /// e.g. `request_created`, `approved`, `rejected`, `granted`, `credentials_issued`, `revoked`.
    pub action: String,
    pub customer: String,
    pub account_id: Option<String>,
    pub request_id: Option<String>,
    pub detail: String,
    pub source_ip: Option<String>,
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
        }
    }

    pub fn item(&self) -> Item {
        let sort = keys::audit_event(self.at, &self.id);
        Item::new(
            keys::audit(&self.customer, self.at),
            sort.clone(),
            serde_json::to_value(self).unwrap_or_default(),
        )
        .with_gsi1(keys::actor(&self.actor), sort)
    }
}
