//! The append-only audit log: every request, decision, grant, credential issue, revoke, sweep and
//! failure. Events are written in the same transaction as the change they describe, so the log
//! tells the true story even under concurrency. Partitioned by customer and month, indexed by
//! actor.

use time::OffsetDateTime;
use utoipa::ToSchema;

use super::service::Access;
use super::*;
use crate::identity::Principal;
use crate::ids::new_ulid;
use crate::keys;
use crate::store::{Index, Item, Query};

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

impl Access {
    /// Audit events newest first: by customer (with an optional account) or by actor, between two
    /// instants.
    pub async fn audit(&self, who: &Principal, q: &AuditQuery) -> Result<Vec<AuditEvent>> {
        who.require_any_role()?;
        let own = q.actor.as_deref() == Some(who.email.as_str());
        if !own && !who.has(Role::Lead) && !who.has(Role::Admin) {
            return Err(Error::Forbidden(
                "the audit log needs the lead or admin role (or actor=yourself)".into(),
            ));
        }
        let in_range = |e: &AuditEvent| e.at >= q.from && e.at < q.to;
        let mut events = Vec::new();
        match (&q.customer, &q.actor) {
            (Some(customer), actor) => {
                let mut month = q.to;
                let first = keys::audit(customer, q.from);
                loop {
                    let pk = keys::audit(customer, month);
                    let items = self
                        .store
                        .query_all(Query::partition(Index::Primary, &pk).limit(500))
                        .await?;
                    for item in items {
                        let e: AuditEvent = serde_json::from_value(item.data).map_err(|e| Error::Internal(e.into()))?;
                        if in_range(&e)
                            && q.account.as_deref().is_none_or(|a| e.account_id.as_deref() == Some(a))
                            && actor.as_deref().is_none_or(|a| e.actor == a)
                        {
                            events.push(e);
                        }
                    }
                    if pk == first {
                        break;
                    }
                    month = previous_month(month);
                }
            }
            (None, Some(actor)) => {
                let items = self
                    .store
                    .query_all(Query::partition(Index::Gsi1, keys::actor(actor)).limit(500))
                    .await?;
                for item in items {
                    let e: AuditEvent = serde_json::from_value(item.data).map_err(|e| Error::Internal(e.into()))?;
                    if in_range(&e) && q.account.as_deref().is_none_or(|a| e.account_id.as_deref() == Some(a)) {
                        events.push(e);
                    }
                }
            }
            (None, None) => {
                return Err(Error::validation("customer", "name a customer or an actor"));
            }
        }
        events.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
        Ok(events)
    }
}

#[derive(Clone, Debug)]
pub struct AuditQuery {
    pub customer: Option<String>,
    pub account: Option<String>,
    pub actor: Option<String>,
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
}

fn previous_month(t: OffsetDateTime) -> OffsetDateTime {
    let first = t.replace_day(1).unwrap_or(t);
    first - time::Duration::days(1)
}
