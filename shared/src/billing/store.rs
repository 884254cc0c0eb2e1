//! Raised cost anomalies: stored, listed and moved along their lifecycle.
//!
//! One item per anomaly under `ANOMALY#{customer}` / `{id}`, on GSI1 `ANOMALIES#{status}` /
//! `{detected_on}#{customer}#{id}` (every customer's anomalies in one status, newest last), as in
//! DESIGN.md and [`crate::keys`]. Writes are conditional: raising is a create (an anomaly already
//! stored is left as it is, so a re-run never duplicates one nor reopens one acknowledged or
//! resolved), and acknowledging / resolving is a replace at the version the caller read (a stale
//! version is a 409 `version_conflict`).

use std::collections::BTreeMap;

use time::{Date, OffsetDateTime};

use super::anomaly::{Detector, Finding, FindingKind};
use super::costs::{self, DailyCost};
use super::lifecycle::{Anomaly, AnomalyStatus, LifecycleError, Transition};
use super::settings;
use crate::error::{Conflict, Error, Result};
use crate::ids::{AccountId, CustomerCode, Email};
use crate::keys;
use crate::page::{self, Listed, Order, PageRequest};
use crate::store::{Index, Item, ItemStore, Query, StoreError, Write, decode, encode};

/// A stored anomaly: the lifecycle record plus its id, customer, currency and when it was stored.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StoredAnomaly {
    /// Stable per episode (see [`anomaly_id`]).
    pub id: String,
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub currency: String,
    pub status: AnomalyStatus,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub raised_at: OffsetDateTime,
    #[serde(flatten)]
    pub anomaly: Anomaly,
    /// The item's version; send it back to acknowledge or resolve.
    #[serde(default)]
    pub version: u64,
}

/// The id of an episode: the day it started (`yyyymmdd`) and 16 hex digits of an FNV-1a hash of
/// account, service, kind family and start day. Spikes and steps are one family: an episode
/// reads as a step while it lasts and may end as a spike, and must keep its id when it does.
/// Pattern `^[0-9]{8}-[0-9a-f]{16}$`.
pub fn anomaly_id(account: &AccountId, service: &str, kind: FindingKind, first_day: Date) -> String {
    let family = match kind {
        FindingKind::Spike | FindingKind::Step => "jump",
        FindingKind::Drift => "drift",
        FindingKind::NewService => "new_service",
    };
    let hash = crate::ids::fnv1a(format!("{}\u{1f}{service}\u{1f}{family}\u{1f}{first_day}", account.as_str()).bytes());
    format!(
        "{:04}{:02}{:02}-{hash:016x}",
        first_day.year(),
        u8::from(first_day.month()),
        first_day.day()
    )
}

/// Whether `id` has the shape [`anomaly_id`] gives.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 25
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'-'
        && b[9..].iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

fn item(a: &StoredAnomaly) -> Result<Item> {
    let mut data = encode(a)?;
    if let Some(o) = data.as_object_mut() {
        o.remove("version");
    }
    let status = a.status.as_str();
    Ok(
        Item::new(keys::anomaly(a.customer.as_str()), a.id.clone(), data).with_gsi1(
            keys::anomalies(status),
            keys::anomaly_detected(a.anomaly.finding.detected_on, a.customer.as_str(), &a.id),
        ),
    )
}

/// How much history detection reads: from the 1st of the month 13 months before `as_of`'s (at
/// least 396 days, 14 calendar months: all Cost Explorer keeps).
pub fn history_start(as_of: Date) -> Date {
    let mut d = costs::month_start(as_of);
    for _ in 0..13 {
        d = costs::month_start(d - time::Duration::days(1));
    }
    d
}

/// Runs the cost-jump detector over each of the customer's (account, service) series up to
/// `as_of` (the last complete day, normally yesterday), with the customer's thresholds, and stores
/// each episode found that is not stored yet (as open). Series start at the customer's earliest
/// stored day in the window; after it, days without a stored cell count as zero.
/// Returns the anomalies raised by this run, by detection day.
pub async fn detect(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    as_of: Date,
    now: OffsetDateTime,
) -> Result<Vec<StoredAnomaly>> {
    let settings = settings::get(items, customer).await?;
    let from = history_start(as_of);
    let cells = costs::cells(items, customer, from, as_of, None, None).await?;
    // The customer's data starts at its earliest stored day: days before it are unknown, not
    // zero (else every series would look like a new service where the data begins).
    let Some(from) = cells.iter().map(|c| c.day).min() else {
        return Ok(Vec::new());
    };
    let days = (as_of - from).whole_days() as usize + 1;
    let mut series: BTreeMap<(AccountId, String), (Vec<f64>, String)> = BTreeMap::new();
    for DailyCost {
        account,
        service,
        day,
        amount,
        currency,
        ..
    } in cells
    {
        let s = series
            .entry((account, service))
            .or_insert_with(|| (vec![0.0; days], currency));
        s.0[(day - from).whole_days() as usize] += amount;
    }
    let mut detector = Detector::default();
    let mut found: Vec<Finding> = Vec::new();
    let mut raised = Vec::new();
    for ((account, service), (amounts, currency)) in series {
        found.clear();
        detector.detect_into(&amounts, from, &settings.thresholds, &mut found);
        for f in &found {
            let a = StoredAnomaly {
                id: anomaly_id(&account, &service, f.kind, f.first_day),
                customer: customer.clone(),
                currency: currency.clone(),
                status: AnomalyStatus::Open,
                raised_at: now,
                anomaly: Anomaly::open(account.clone(), service.clone(), *f),
                version: 1,
            };
            match items.put_new(item(&a)?).await {
                Ok(()) => raised.push(a),
                Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    raised.sort_by(|a, b| (a.anomaly.finding.detected_on, &a.id).cmp(&(b.anomaly.finding.detected_on, &b.id)));
    Ok(raised)
}

/// One anomaly of a customer; 404 when it is not stored.
pub async fn get(items: &dyn ItemStore, customer: &CustomerCode, id: &str) -> Result<StoredAnomaly> {
    if !valid_id(id) {
        return Err(Error::validation("id", "an anomaly id is yyyymmdd-<16 hex digits>"));
    }
    let item = items
        .get(&keys::anomaly(customer.as_str()), id)
        .await?
        .ok_or_else(|| Error::not_found("anomaly", id))?;
    decode(item)
}

/// A customer's anomalies, newest detection first, optionally in one status, paged.
pub async fn list(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    status: Option<AnomalyStatus>,
    page: &PageRequest,
) -> Result<Listed<StoredAnomaly>> {
    let all = items
        .query_all(Query::partition(Index::Primary, keys::anomaly(customer.as_str())).limit(500))
        .await?;
    let mut found: Vec<StoredAnomaly> = all
        .into_iter()
        .map(decode::<StoredAnomaly>)
        .filter(|a| a.as_ref().map_or(true, |a| status.is_none_or(|s| a.status == s)))
        .collect::<Result<_>>()?;
    let key = |a: &StoredAnomaly| format!("{}#{}", a.anomaly.finding.detected_on, a.id);
    found.sort_by_key(|a| std::cmp::Reverse(key(a)));
    let scope = page::scope("billing-anomalies", &(customer.as_str(), status));
    page::in_memory(found, page, &scope, Order::Descending, key)
}

/// Every anomaly of a customer, by detection day then id.
pub async fn all(items: &dyn ItemStore, customer: &CustomerCode) -> Result<Vec<StoredAnomaly>> {
    let found = items
        .query_all(Query::partition(Index::Primary, keys::anomaly(customer.as_str())).limit(500))
        .await?;
    let mut out: Vec<StoredAnomaly> = found.into_iter().map(decode).collect::<Result<_>>()?;
    out.sort_by(|a, b| (a.anomaly.finding.detected_on, &a.id).cmp(&(b.anomaly.finding.detected_on, &b.id)));
    Ok(out)
}

/// How many of a customer's anomalies are in `status`.
pub async fn count(items: &dyn ItemStore, customer: &CustomerCode, status: AnomalyStatus) -> Result<usize> {
    Ok(counts(items, customer).await?.get(&status).copied().unwrap_or(0))
}

/// How many of a customer's anomalies are in each status (statuses with none are absent), from
/// one read of its anomalies.
pub async fn counts(items: &dyn ItemStore, customer: &CustomerCode) -> Result<BTreeMap<AnomalyStatus, usize>> {
    let all = items
        .query_all(Query::partition(Index::Primary, keys::anomaly(customer.as_str())).limit(500))
        .await?;
    let mut out = BTreeMap::new();
    for i in all {
        let status = i.data.get("status").and_then(|s| s.as_str());
        if let Some(s) = [
            AnomalyStatus::Open,
            AnomalyStatus::Acknowledged,
            AnomalyStatus::Resolved,
        ]
        .into_iter()
        .find(|s| Some(s.as_str()) == status)
        {
            *out.entry(s).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// Where an anomaly is moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Acknowledge,
    Resolve,
}

/// A move asked for by a person: where to, who, why, and the version they read.
#[derive(Clone, Copy, Debug)]
pub struct MoveBy<'a> {
    pub to: Move,
    pub by: &'a Email,
    /// At most 2000 characters.
    pub note: &'a str,
    pub version: u64,
}

/// Acknowledges or resolves an anomaly as `request.by`, with a note, if it is still at the
/// version read; its audit event (`anomaly_acknowledged` / `anomaly_resolved`: who, the note, the
/// status before and after) is written in the same transaction.
///
/// Errors: 404 when unknown; 409 `version_conflict` when `version` is not the stored one (someone
/// moved it since it was read); 409 `anomaly_state` when the move is not allowed from its status
/// (acknowledging one that is not open, resolving one already resolved).
pub async fn transition(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    id: &str,
    request: MoveBy<'_>,
    now: OffsetDateTime,
) -> Result<StoredAnomaly> {
    let MoveBy { to, by, note, version } = request;
    if note.chars().count() > 2000 {
        return Err(Error::validation("note", "a note is at most 2000 characters"));
    }
    let current = get(items, customer, id).await?;
    if current.version != version {
        return Err(Error::conflict(
            Conflict::Version,
            format!(
                "the anomaly is at version {}, not {version}: someone changed it; reload and try again",
                current.version
            ),
        ));
    }
    let moved = match to {
        Move::Acknowledge => current.anomaly.clone().acknowledge(by, now, note),
        Move::Resolve => current.anomaly.clone().resolve(by, now, note),
    }
    .map_err(|e| match e {
        LifecycleError::NotOpen(_) | LifecycleError::AlreadyResolved => {
            Error::conflict(Conflict::AnomalyState, e.to_string())
        }
    })?;
    let before_status = current.status;
    let next = StoredAnomaly {
        status: moved.status(),
        anomaly: moved,
        version: version + 1,
        ..current
    };
    // The audit event in the same transaction: who, the note, the status before and after.
    let action = match to {
        Move::Acknowledge => "anomaly_acknowledged",
        Move::Resolve => "anomaly_resolved",
    };
    let mut event = crate::audit::AuditEvent::new(by.as_str(), action, customer.as_str(), now)
        .origin(&crate::audit::current_origin())
        .before_after(
            Some(serde_json::json!({"id": id, "status": before_status, "version": version})),
            Some(serde_json::json!({"id": next.id, "status": next.status, "version": next.version, "note": note})),
        );
    event.account_id = Some(next.anomaly.account.to_string());
    event.detail = if note.is_empty() {
        format!("anomaly {id} ({} in {})", next.anomaly.service, next.anomaly.account)
    } else {
        format!(
            "anomaly {id} ({} in {}): {note}",
            next.anomaly.service, next.anomaly.account
        )
    };
    items
        .transact(vec![
            Write::PutIfVersion {
                item: item(&next)?,
                expected: version,
            },
            Write::Put(event.item()),
        ])
        .await?;
    Ok(next)
}

/// Who moved it, when, and why (for callers that only need the latest transition).
pub fn last_transition(a: &StoredAnomaly) -> Option<&Transition> {
    a.anomaly.resolved.as_ref().or(a.anomaly.acknowledged.as_ref())
}

/// Deletes everything billing keeps for `customer`: its costs ([`costs::purge`]), settings, fetch
/// records, anomalies and organisation facts (fetch runs are the history of the runs, and stay).
/// Part of deleting a customer, so a new customer given the same code starts empty. Idempotent: a
/// delete that stopped half-way is finished by calling it again.
pub async fn purge_customer(items: &dyn ItemStore, customer: &CustomerCode, today: Date) -> Result<()> {
    costs::purge(items, customer, today).await?;
    for pk in [
        keys::billing(customer.as_str()),
        keys::anomaly(customer.as_str()),
        keys::organization(customer.as_str()),
    ] {
        crate::store::delete_partition(items, &pk)
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("deleting a customer's billing data: {e}")))?;
    }
    Ok(())
}
