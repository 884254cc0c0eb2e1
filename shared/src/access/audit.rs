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
use crate::page::{Listed, PageRequest, encode_cursor, scope};
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
    /// Audit events newest first: by customer (with an optional account and actor) or by actor,
    /// between two instants, one page at a time. A customer's events are read month partition by
    /// month partition from `to` back to `from`; an actor's from their index. The cursor carries
    /// the partition and the store's own cursor in it, so a page never reads more than it returns
    /// (plus what the filters drop).
    pub async fn audit(&self, who: &Principal, q: &AuditQuery, page: &PageRequest) -> Result<Listed<AuditEvent>> {
        who.require_any_role()?;
        let own = q.actor.as_deref() == Some(who.email.as_str());
        if !own && !who.has(Role::Lead) && !who.has(Role::Admin) {
            return Err(Error::Forbidden(
                "the audit log needs the lead or admin role (or actor=yourself)".into(),
            ));
        }
        let wanted = |e: &AuditEvent| {
            e.at >= q.from
                && e.at < q.to
                && q.account.as_deref().is_none_or(|a| e.account_id.as_deref() == Some(a))
                && q.actor.as_deref().is_none_or(|a| e.actor == a)
        };
        if q.customer.is_none() && q.actor.is_none() {
            return Err(Error::validation("customer", "name a customer or an actor"));
        }
        let newest = (q.to.year(), q.to.month() as u8);
        let oldest = (q.from.year(), q.from.month() as u8);
        // The time range may move between pages (its defaults follow the clock); the cursor's month
        // is checked against it below.
        let scope = scope("audit", &(&q.customer, &q.actor, &q.account));
        let mut at: AuditPosition = page.position(&scope)?.unwrap_or(AuditPosition {
            month: q.customer.is_some().then_some(newest),
            cursor: None,
        });
        // A customer's listing walks months; an actor's reads one index partition.
        let partition = |month: Option<(i32, u8)>| -> Result<(Index, String)> {
            match (&q.customer, &q.actor, month) {
                (Some(customer), _, Some(m)) if m <= newest && m >= oldest => {
                    Ok((Index::Primary, keys::audit(customer, month_start(m)?)))
                }
                (None, Some(actor), None) => Ok((Index::Gsi1, keys::actor(actor))),
                _ => Err(Error::validation(
                    "cursor",
                    "the cursor belongs to another query; start again without it",
                )),
            }
        };
        let mut items = Vec::new();
        loop {
            let (index, pk) = partition(at.month)?;
            let found = self
                .store
                .query(
                    Query::partition(index, pk)
                        .descending()
                        .limit(page.limit - items.len())
                        .after(at.cursor.take()),
                )
                .await?;
            let mut past_from = false;
            for item in found.items {
                let e: AuditEvent = serde_json::from_value(item.data).map_err(|e| Error::Internal(e.into()))?;
                past_from |= e.at < q.from;
                if wanted(&e) {
                    items.push(e);
                }
            }
            // Next: on in this partition, else the month before (customers), else the end.
            let next = match (found.next_cursor, at.month) {
                (_, _) if past_from => None,
                (Some(c), month) => Some(AuditPosition { month, cursor: Some(c) }),
                (None, Some(m)) if m > oldest => Some(AuditPosition {
                    month: Some(month_before(m)),
                    cursor: None,
                }),
                (None, _) => None,
            };
            match next {
                None => {
                    return Ok(Listed {
                        items,
                        next_cursor: None,
                    });
                }
                Some(n) if items.len() >= page.limit => {
                    return Ok(Listed {
                        items,
                        next_cursor: Some(encode_cursor(&scope, &n)),
                    });
                }
                Some(n) => at = n,
            }
        }
    }
}

/// Where an audit listing stands: the month partition being read (customers) and the store's
/// cursor in it.
#[derive(serde::Serialize, serde::Deserialize)]
struct AuditPosition {
    #[serde(rename = "m")]
    month: Option<(i32, u8)>,
    #[serde(rename = "c")]
    cursor: Option<String>,
}

fn month_start((year, month): (i32, u8)) -> Result<OffsetDateTime> {
    let month = time::Month::try_from(month)
        .map_err(|_| Error::validation("cursor", "the cursor is not valid; start again without it"))?;
    let day = time::Date::from_calendar_date(year, month, 1)
        .map_err(|_| Error::validation("cursor", "the cursor is not valid; start again without it"))?;
    Ok(day.midnight().assume_utc())
}

fn month_before((year, month): (i32, u8)) -> (i32, u8) {
    if month == 1 { (year - 1, 12) } else { (year, month - 1) }
}

#[derive(Clone, Debug)]
pub struct AuditQuery {
    pub customer: Option<String>,
    pub account: Option<String>,
    pub actor: Option<String>,
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
}
