//! Listing the audit log (the events themselves are [`crate::audit`]'s): by customer, actor or
//! account, or everything (leads and admins), newest first, one page at a time.

use time::OffsetDateTime;

use super::service::Access;
use super::*;
use crate::identity::Principal;
use crate::keys;
use crate::page::{Listed, PageRequest, encode_cursor, scope};
use crate::store::{Index, Query};

pub use crate::audit::{AuditEvent, Origin};

impl Access {
    /// Audit events newest first, between two instants, one page at a time. Engineers list only
    /// their own (`actor=` themselves) or a `request`'s they may see; leads and admins list
    /// everything or filter by any of `customer`, `actor`, `account` and `request`. Which partitions
    /// are read:
    /// - a customer (named, or the customer an `account` alone belongs to in the hub): its month
    ///   partitions from `to` back to `from`;
    /// - an actor (without a customer): their index partition;
    /// - otherwise (nothing, or an account no longer in the hub): the all-customers monthly
    ///   partitions (GSI2), `to` back to `from`.
    ///
    /// The other filters apply to what is read. The cursor carries the month and the store's own
    /// cursor in it, so a page never reads more than it returns plus what the filters drop and a
    /// look-ahead that keeps the last page from promising a next one. A customer that is not in
    /// the hub and has no events in range is not found (a deleted customer's history still lists).
    pub async fn audit(&self, who: &Principal, q: &AuditQuery, page: &PageRequest) -> Result<Listed<AuditEvent>> {
        who.require_any_role()?;
        if let Some(id) = &q.request {
            // Not found to anyone who may not see the request, like the request itself.
            let r = self.load_visible(who, id).await?;
            let q = AuditQuery {
                customer: Some(r.customer.to_string()),
                from: q.from.max(r.created_at - time::Duration::minutes(1)),
                ..q.clone()
            };
            return self
                .audit_from(&Source::Customer(r.customer.to_string()), &q, page)
                .await;
        }
        let own = q.actor.as_deref() == Some(who.email.as_str());
        if !own && !who.has(Role::Lead) && !who.has(Role::Admin) {
            return Err(Error::Forbidden(
                "the audit log needs the lead or admin role (or actor=yourself)".into(),
            ));
        }
        let source = match (&q.customer, &q.actor, &q.account) {
            (Some(c), _, _) => Source::Customer(c.clone()),
            (None, Some(a), _) => Source::Actor(a.clone()),
            (None, None, Some(account)) => match self.hub.load_account(account).await {
                Ok((a, _)) => Source::Customer(a.customer.to_string()),
                Err(Error::NotFound { .. }) => Source::All,
                Err(e) => return Err(e),
            },
            (None, None, None) => Source::All,
        };
        let listed = self.audit_from(&source, q, page).await?;
        if let (Some(customer), true) = (&q.customer, listed.items.is_empty() && page.cursor.is_none()) {
            // Unknown, or deleted with nothing in range: say so rather than answer an empty page.
            self.hub.load_customer(customer).await?;
        }
        Ok(listed)
    }

    async fn audit_from(&self, source: &Source, q: &AuditQuery, page: &PageRequest) -> Result<Listed<AuditEvent>> {
        let wanted = |e: &AuditEvent| {
            e.at >= q.from
                && e.at < q.to
                && q.account.as_deref().is_none_or(|a| e.account_id.as_deref() == Some(a))
                && q.actor.as_deref().is_none_or(|a| e.actor == a)
                && q.request.as_deref().is_none_or(|r| e.request_id.as_deref() == Some(r))
                // A customer's partitions also hold copies of events filed under another customer
                // (an account moving away): they belong to the listing.
                && (matches!(source, Source::Customer(_)) || q.customer.as_deref().is_none_or(|c| e.customer == c))
        };
        let newest = (q.to.year(), q.to.month() as u8);
        let oldest = (q.from.year(), q.from.month() as u8);
        // The time range may move between pages (its defaults follow the clock); the cursor's month
        // is checked against it below.
        let scope = scope("audit", &(&q.customer, &q.actor, &q.account, &q.request, source));
        let mut at: AuditPosition = page.position(&scope)?.unwrap_or(AuditPosition {
            month: (!matches!(source, Source::Actor(_))).then_some(newest),
            cursor: None,
        });
        let partition = |month: Option<(i32, u8)>| -> Result<(Index, String)> {
            match (source, month) {
                (Source::Customer(customer), Some(m)) if m <= newest && m >= oldest => {
                    Ok((Index::Primary, keys::audit(customer, month_start(m)?)))
                }
                (Source::All, Some(m)) if m <= newest && m >= oldest => {
                    Ok((Index::Gsi2, keys::audit_month(month_start(m)?)))
                }
                (Source::Actor(actor), None) => Ok((Index::Gsi1, keys::actor(actor))),
                _ => Err(Error::validation(
                    "cursor",
                    "the cursor belongs to another query; start again without it",
                )),
            }
        };
        let mut items = Vec::new();
        loop {
            // Once the page is full, read on only to learn whether anything wanted is left: the
            // next page starts where the look-ahead started, so it sees what the look-ahead saw.
            let looking_ahead = items.len() >= page.limit;
            let (index, pk) = partition(at.month)?;
            let found = self
                .store
                .query(
                    Query::partition(index, pk)
                        .descending()
                        .limit(if looking_ahead {
                            LOOK_AHEAD
                        } else {
                            page.limit - items.len()
                        })
                        .after(at.cursor.clone()),
                )
                .await?;
            let mut past_from = false;
            for item in found.items {
                let e: AuditEvent = serde_json::from_value(item.data).map_err(|e| Error::Internal(e.into()))?;
                past_from |= e.at < q.from;
                if wanted(&e) {
                    if looking_ahead {
                        return Ok(Listed {
                            items,
                            next_cursor: Some(encode_cursor(&scope, &at)),
                        });
                    }
                    items.push(e);
                }
            }
            // Next: on in this partition, else the month before, else the end.
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
                Some(n) => at = n,
            }
        }
    }
}

/// How many events the look-ahead past a full page reads at a time.
const LOOK_AHEAD: usize = 25;

/// Which partitions an audit listing reads.
#[derive(Debug)]
enum Source {
    Customer(String),
    Actor(String),
    All,
}

/// Where an audit listing stands: the month partition being read (customers, everything) and the
/// store's cursor in it.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
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
    /// One access request's events: whoever may see the request sees all of them (its
    /// customer's partitions, from a minute before the request was made).
    pub request: Option<String>,
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
}
