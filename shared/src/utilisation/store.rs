//! Contracts, their entitlement history, worklogs and task code mappings in the item store (keys in
//! [`crate::keys`], "utilisation").
//!
//! - A contract is written at the version read, together with the entitlement changes it brings,
//!   in one transaction: two syncs (or a sync and a CSV import) at once never lose a change, and a
//!   change is recorded exactly when the contract it describes is written.
//! - A contract's keys hold its number in upper case ([`ContractId::key`]): `c-100` and `C-100`
//!   are one item, so two writers typing the number differently cannot make two contracts (the
//!   conditional write of the one key decides). The item keeps the number as spelt. Items written
//!   before this rule, under a number with lower-case letters, are still found (a lookup that
//!   misses the upper-case key looks through the customer's few contracts), are moved to the
//!   upper-case key by their next write (in its transaction, at the version read), and their
//!   entitlement changes are read with the rest of the contract's (matched without case); two such
//!   items that differ only in case are one contract now, the one at the upper-case key or else
//!   the latest written shown.
//! - A worklog is keyed by its id, so a re-sync of the same worklog replaces it (idempotent), an
//!   edit upstream (other day, hours or task code) replaces it, a delete upstream deletes it.
//! - The task code mappings are one versioned list (hundreds of codes: a few tens of kB), replaced
//!   as a whole at the version read, with each replacement's additions and removals appended to
//!   their history.

use std::collections::BTreeMap;

use time::{Date, OffsetDateTime};

use super::entitlement::{self, EntitlementChange};
use super::mapping::TaskCodeMapping;
use super::{Contract, Worklog};
use crate::error::{Conflict, Error, Result};
use crate::ids::{ContractId, CustomerCode, TaskCode};
use crate::keys;
use crate::store::{Index, Item, ItemStore, Query, StoreError, Write, decode, encode};

/// A contract as kept: the source's fields plus where and when it was last written.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StoredContract {
    #[serde(flatten)]
    pub contract: Contract,
    /// `salesforce`, `csv`, or `demo`.
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(default)]
    pub version: u64,
}

fn internal(what: &str, e: StoreError) -> Error {
    Error::Internal(anyhow::anyhow!("{what}: {e}"))
}

fn contract_item(c: &StoredContract) -> Result<Item> {
    let mut data = encode(c)?;
    if let Some(o) = data.as_object_mut() {
        o.remove("version");
    }
    let (customer, id) = (c.contract.customer.as_str(), c.contract.id.key());
    Ok(Item::new(keys::contract_partition(customer), keys::contract(&id), data)
        .with_gsi1(keys::CONTRACTS, keys::contract_in_hub(customer, &id)))
}

/// A kept contract and the sort key it is kept under (its upper-case key, or a legacy one).
struct Kept {
    contract: StoredContract,
    sk: String,
}

impl Kept {
    fn legacy(&self) -> bool {
        self.sk != keys::contract(&self.contract.contract.id.key())
    }
}

fn decode_kept(item: Item) -> Result<Kept> {
    let sk = item.sk.clone();
    Ok(Kept {
        contract: decode(item)?,
        sk,
    })
}

/// One contract per number (without case): the item at the upper-case key, else the latest
/// written (see the module on items written before the rule). Keeps the order given.
fn one_per_number(kept: Vec<Kept>) -> Vec<StoredContract> {
    let mut best: std::collections::HashMap<(CustomerCode, ContractId), usize> = std::collections::HashMap::new();
    for (i, k) in kept.iter().enumerate() {
        let c = &k.contract.contract;
        let key = (c.customer.clone(), c.id.clone());
        match best.get(&key) {
            Some(&j) => {
                let other = &kept[j];
                let better = (!k.legacy(), k.contract.updated_at) > (!other.legacy(), other.contract.updated_at);
                if better {
                    best.insert(key, i);
                }
            }
            None => {
                best.insert(key, i);
            }
        }
    }
    let chosen: std::collections::HashSet<usize> = best.into_values().collect();
    kept.into_iter()
        .enumerate()
        .filter(|(i, _)| chosen.contains(i))
        .map(|(_, k)| k.contract)
        .collect()
}

async fn kept_contracts(items: &dyn ItemStore, customer: &CustomerCode) -> Result<Vec<Kept>> {
    let found = items
        .query_all(
            Query::partition(Index::Primary, keys::contract_partition(customer.as_str())).prefix(keys::CONTRACT_PREFIX),
        )
        .await
        .map_err(|e| internal("reading contracts", e))?;
    found.into_iter().map(decode_kept).collect()
}

/// A customer's contracts, by contract number (one per number, without case).
pub async fn contracts(items: &dyn ItemStore, customer: &CustomerCode) -> Result<Vec<StoredContract>> {
    let mut all = one_per_number(kept_contracts(items, customer).await?);
    all.sort_by(|a, b| a.contract.id.cmp(&b.contract.id));
    Ok(all)
}

/// Every customer's contracts, by customer then contract number (one per number, without case).
pub async fn all_contracts(items: &dyn ItemStore) -> Result<Vec<StoredContract>> {
    let found = items
        .query_all(Query::partition(Index::Gsi1, keys::CONTRACTS))
        .await
        .map_err(|e| internal("reading contracts", e))?;
    let mut all = one_per_number(found.into_iter().map(decode_kept).collect::<Result<_>>()?);
    all.sort_by(|a, b| (&a.contract.customer, &a.contract.id).cmp(&(&b.contract.customer, &b.contract.id)));
    Ok(all)
}

/// One contract, if kept; `id` in any case (`c-100` finds `C-100`).
pub async fn contract(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    id: &ContractId,
) -> Result<Option<StoredContract>> {
    Ok(kept_contract(items, customer, id).await?.map(|k| k.contract))
}

async fn kept_contract(items: &dyn ItemStore, customer: &CustomerCode, id: &ContractId) -> Result<Option<Kept>> {
    let found = items
        .get(&keys::contract_partition(customer.as_str()), &keys::contract(&id.key()))
        .await
        .map_err(|e| internal("reading a contract", e))?;
    if let Some(item) = found {
        return decode_kept(item).map(Some);
    }
    // An item kept under its number as typed, before keys were upper case: only a number with
    // letters can have had another key (whatever case it is asked in now).
    if !id.as_str().bytes().any(|b| b.is_ascii_alphabetic()) {
        return Ok(None);
    }
    let legacy: Vec<Kept> = kept_contracts(items, customer)
        .await?
        .into_iter()
        .filter(|k| &k.contract.contract.id == id)
        .collect();
    Ok(legacy.into_iter().max_by_key(|k| k.contract.updated_at))
}

/// What writing contracts did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ContractsWritten {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Entitlement changes recorded (each field of each contract that moved, and the initial
    /// values of new contracts).
    pub changes: usize,
}

/// How often a contract write is retried after another writer changed it meanwhile.
const RETRIES: usize = 3;

/// Writes each contract (validated by the caller) as the source now has it: new ones created,
/// changed ones replaced at the version read, with their entitlement changes; identical ones left
/// alone (no write, no change). A contract moved to another customer upstream is a new contract
/// under that customer; the old one stays until removed (its history is kept).
pub async fn upsert_contracts(
    items: &dyn ItemStore,
    contracts: &[Contract],
    source: &str,
    at: OffsetDateTime,
) -> Result<ContractsWritten> {
    upsert_contracts_with(items, contracts, super::import::ContractColumns::ALL, source, at).await
}

/// [`upsert_contracts`] of records that give only some optional `columns` (a CSV file): the
/// others are taken from the contract as read for each write, so a change someone else made to
/// them meanwhile is kept, not overwritten by an older read. Errors as [`Contract::validate`] when
/// the merged contract is invalid (its kept allocation above the new entitlement).
pub async fn upsert_contracts_with(
    items: &dyn ItemStore,
    contracts: &[Contract],
    columns: super::import::ContractColumns,
    source: &str,
    at: OffsetDateTime,
) -> Result<ContractsWritten> {
    let mut out = ContractsWritten::default();
    for given in contracts {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let found = kept_contract(items, &given.customer, &given.id).await?;
            let kept = found.as_ref().map(|k| &k.contract);
            let merged = columns.merged(given.clone(), kept.map(|k| &k.contract));
            if columns != super::import::ContractColumns::ALL {
                merged.validate()?;
            }
            let c = &merged;
            if kept.is_some_and(|k| &k.contract == c && k.contract.id.same_spelling(&c.id)) {
                out.unchanged += 1;
                break;
            }
            let changes = entitlement::changes(kept.map(|k| &k.contract), c, at, source);
            let stored = StoredContract {
                contract: c.clone(),
                source: source.to_string(),
                updated_at: at,
                version: 0,
            };
            let mut writes = match &found {
                // Kept under its number as typed before keys were upper case: moved to the
                // upper-case key, at the version read.
                Some(k) if k.legacy() => vec![
                    Write::Delete {
                        pk: keys::contract_partition(c.customer.as_str()),
                        sk: k.sk.clone(),
                        expected: Some(k.contract.version),
                    },
                    Write::at_version(contract_item(&stored)?, 0),
                ],
                _ => vec![Write::at_version(
                    contract_item(&stored)?,
                    kept.map_or(0, |k| k.version),
                )],
            };
            for ch in &changes {
                writes.push(Write::Put(change_item(&c.customer, &c.id, ch)?));
            }
            match items.transact(writes).await {
                Ok(()) => {
                    if kept.is_some() {
                        out.updated += 1;
                    } else {
                        out.created += 1;
                    }
                    out.changes += changes.len();
                    break;
                }
                Err(StoreError::ConditionFailed) if attempt < RETRIES => continue,
                Err(StoreError::ConditionFailed) => {
                    return Err(Error::Conflict {
                        kind: Conflict::Version,
                        message: format!("contract {} kept changing while it was written; try again", c.id),
                    });
                }
                Err(e) => return Err(internal("writing a contract", e)),
            }
        }
    }
    Ok(out)
}

fn field_name(ch: &EntitlementChange) -> Result<String> {
    Ok(encode(&ch.field)?.as_str().unwrap_or("field").to_string())
}

fn change_item(customer: &CustomerCode, contract: &ContractId, ch: &EntitlementChange) -> Result<Item> {
    Ok(Item::new(
        keys::contract_partition(customer.as_str()),
        keys::entitlement_change(&contract.key(), ch.at, &field_name(ch)?),
        encode(ch)?,
    ))
}

/// A customer's entitlement changes per contract number (without case), each oldest first.
pub async fn customer_changes(
    items: &dyn ItemStore,
    customer: &CustomerCode,
) -> Result<BTreeMap<ContractId, Vec<EntitlementChange>>> {
    let found = items
        .query_all(
            Query::partition(Index::Primary, keys::contract_partition(customer.as_str()))
                .prefix(keys::ENTITLEMENT_CHANGE_PREFIX),
        )
        .await
        .map_err(|e| internal("reading entitlement changes", e))?;
    let mut out: BTreeMap<ContractId, Vec<EntitlementChange>> = BTreeMap::new();
    for item in found {
        // `CHANGE#{contract}#...`: a number has no '#'.
        let Some(id) = keys::entitlement_change_contract(&item.sk).and_then(|n| ContractId::parse(n).ok()) else {
            continue;
        };
        let change: EntitlementChange = serde_json::from_value(item.data).map_err(|e| Error::Internal(e.into()))?;
        out.entry(id).or_default().push(change);
    }
    for changes in out.values_mut() {
        // Changes kept under an older spelling of the number join the rest in time order.
        changes.sort_by(|a, b| a.at.cmp(&b.at).then(a.field.cmp(&b.field)));
    }
    Ok(out)
}

/// A contract's entitlement changes, oldest first (`contract` in any case).
pub async fn entitlement_changes(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    contract: &ContractId,
) -> Result<Vec<EntitlementChange>> {
    Ok(customer_changes(items, customer)
        .await?
        .remove(contract)
        .unwrap_or_default())
}

fn worklog_item(w: &Worklog) -> Result<Item> {
    Ok(Item::new(keys::worklog(&w.id), keys::META, encode(w)?)
        .with_gsi1(keys::work_month(w.day), keys::work_entry(w.task_code.as_str(), &w.id)))
}

/// Whether `id` can be a worklog id: 1-128 printable characters without `#` (the key separator).
pub fn valid_worklog_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && !id.contains('#') && !id.chars().any(char::is_control)
}

/// Writes worklogs (validated by the caller), each replacing the one with its id: a re-sync or
/// re-import of the same worklog changes nothing, an edited one is replaced.
pub async fn put_worklogs(items: &dyn ItemStore, worklogs: &[Worklog]) -> Result<usize> {
    // The last of two with one id wins, as two writes would; a transaction may not hold an item twice.
    let by_id: BTreeMap<&str, &Worklog> = worklogs.iter().map(|w| (w.id.as_str(), w)).collect();
    // Items are made one transaction at a time: a first sync writes a year of the team's
    // worklogs, and every item at once would hold them all again as JSON.
    let all: Vec<&Worklog> = by_id.values().copied().collect();
    for chunk in all.chunks(crate::store::MAX_TRANSACTION_WRITES) {
        let writes = chunk
            .iter()
            .map(|w| Ok(Write::Put(worklog_item(w)?)))
            .collect::<Result<Vec<_>>>()?;
        items
            .transact(writes)
            .await
            .map_err(|e| internal("storing worklogs", e))?;
    }
    Ok(by_id.len())
}

/// Deletes the worklogs with these ids (ids not kept are ignored). Returns how many were asked.
pub async fn delete_worklogs(items: &dyn ItemStore, ids: &[String]) -> Result<usize> {
    let mut ids: Vec<&String> = ids.iter().filter(|id| valid_worklog_id(id)).collect();
    ids.sort();
    ids.dedup();
    let writes: Vec<Write> = ids
        .iter()
        .map(|id| Write::Delete {
            pk: keys::worklog(id),
            sk: keys::META.to_string(),
            expected: None,
        })
        .collect();
    for chunk in writes.chunks(crate::store::MAX_TRANSACTION_WRITES) {
        items
            .transact(chunk.to_vec())
            .await
            .map_err(|e| internal("deleting worklogs", e))?;
    }
    Ok(ids.len())
}

/// The worklogs of `month`'s month (any day of it) whose task code starts with `code_prefix`
/// (all of the month's without one).
pub async fn worklogs_in_month(items: &dyn ItemStore, month: Date, code_prefix: Option<&str>) -> Result<Vec<Worklog>> {
    let mut q = Query::partition(Index::Gsi1, keys::work_month(month)).limit(1000);
    if let Some(p) = code_prefix {
        q = q.prefix(p);
    }
    let found = items.query_all(q).await.map_err(|e| internal("reading worklogs", e))?;
    found
        .into_iter()
        .map(|i| serde_json::from_value(i.data).map_err(|e| Error::Internal(e.into())))
        .collect()
}

/// How many worklogs one page of a month's read holds (the most held at once per month read).
pub const WORKLOG_PAGE: usize = 1000;

/// Calls `each` with every worklog of `month`'s month whose task code `wanted` accepts, reading
/// the month a page of [`WORKLOG_PAGE`] at a time, so a month of any size is never held whole.
/// `wanted` is asked once per distinct code, from the index key (`{task code}#{id}`, sorted by
/// code) before the worklog is decoded: worklogs of codes not wanted cost their read, not their
/// decoding.
pub async fn each_worklog_in_month(
    items: &dyn ItemStore,
    month: Date,
    mut wanted: impl FnMut(&TaskCode) -> bool,
    mut each: impl FnMut(Worklog),
) -> Result<()> {
    let mut cursor = None;
    // The last code seen and whether it is wanted: a month's items come sorted by code.
    let mut last: Option<(String, bool)> = None;
    loop {
        let page = items
            .query(
                Query::partition(Index::Gsi1, keys::work_month(month))
                    .limit(WORKLOG_PAGE)
                    .after(cursor),
            )
            .await
            .map_err(|e| internal("reading worklogs", e))?;
        for item in page.items {
            let code = item
                .gsi1
                .as_ref()
                .and_then(|k| k.sk.split_once('#'))
                .map(|(code, _)| code);
            let keep = match (code, &last) {
                (Some(code), Some((seen, keep))) if seen == code => *keep,
                (Some(code), _) => {
                    let keep = TaskCode::parse(code).map_or(true, |c| wanted(&c));
                    last = Some((code.to_string(), keep));
                    keep
                }
                // No index key to tell: decide on the decoded worklog.
                (None, _) => true,
            };
            if !keep {
                continue;
            }
            let w: Worklog = serde_json::from_value(item.data).map_err(|e| Error::Internal(e.into()))?;
            if code.is_none() && !wanted(&w.task_code) {
                continue;
            }
            each(w);
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(()),
        }
    }
}

/// The task code mappings and the version to send back with a change.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TaskCodes {
    /// Sorted by code, exact before prefix.
    pub mappings: Vec<TaskCodeMapping>,
    /// 0 before the first change.
    #[serde(default)]
    pub version: u64,
}

/// One replacement of the mappings: who, when, what was added and removed (a changed mapping is
/// both: removed as it was, added as it is).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TaskCodeChange {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub by: String,
    pub added: Vec<TaskCodeMapping>,
    pub removed: Vec<TaskCodeMapping>,
}

/// The mappings as kept.
pub async fn task_codes(items: &dyn ItemStore) -> Result<TaskCodes> {
    match items
        .get(keys::TASK_CODES, keys::META)
        .await
        .map_err(|e| internal("reading task codes", e))?
    {
        Some(i) => decode(i),
        None => Ok(TaskCodes::default()),
    }
}

fn sort_mappings(m: &mut [TaskCodeMapping]) {
    m.sort_by(|a, b| a.code.cmp(&b.code).then(a.prefix.cmp(&b.prefix)));
}

/// Replaces the mappings with `mappings` (validated by the caller) if they are still at
/// `expected` (the version read; 409 `version_conflict` otherwise), recording the change. Nothing
/// is written when nothing changes.
pub async fn put_task_codes(
    items: &dyn ItemStore,
    mut mappings: Vec<TaskCodeMapping>,
    expected: u64,
    by: &str,
    at: OffsetDateTime,
) -> Result<TaskCodes> {
    sort_mappings(&mut mappings);
    let kept = task_codes(items).await?;
    if kept.version != expected {
        return Err(stale_task_codes());
    }
    let added: Vec<TaskCodeMapping> = mappings
        .iter()
        .filter(|m| !kept.mappings.contains(m))
        .cloned()
        .collect();
    let removed: Vec<TaskCodeMapping> = kept
        .mappings
        .iter()
        .filter(|m| !mappings.contains(m))
        .cloned()
        .collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(kept);
    }
    let next = TaskCodes { mappings, version: 0 };
    let mut data = encode(&next)?;
    if let Some(o) = data.as_object_mut() {
        o.remove("version");
    }
    let change = TaskCodeChange {
        at,
        by: by.to_string(),
        added,
        removed,
    };
    let writes = vec![
        Write::at_version(Item::new(keys::TASK_CODES, keys::META, data), expected),
        Write::PutNew(Item::new(
            keys::TASK_CODES,
            keys::task_code_change(at, &crate::ids::new_ulid().to_string()),
            encode(&change)?,
        )),
    ];
    match items.transact(writes).await {
        Ok(()) => Ok(TaskCodes {
            mappings: next.mappings,
            version: expected + 1,
        }),
        Err(StoreError::ConditionFailed) => Err(stale_task_codes()),
        Err(e) => Err(internal("writing task codes", e)),
    }
}

fn stale_task_codes() -> Error {
    Error::Conflict {
        kind: Conflict::Version,
        message: "the task code mappings changed since they were read: reload them and apply the change again".into(),
    }
}

/// The mapping changes, newest first, at most `limit`.
pub async fn task_code_history(items: &dyn ItemStore, limit: usize) -> Result<Vec<TaskCodeChange>> {
    let page = items
        .query(
            Query::partition(Index::Primary, keys::TASK_CODES)
                .prefix(keys::CHANGE_PREFIX)
                .descending()
                .limit(limit),
        )
        .await
        .map_err(|e| internal("reading task code history", e))?;
    page.items
        .into_iter()
        .map(|i| serde_json::from_value(i.data).map_err(|e| Error::Internal(e.into())))
        .collect()
}

/// Deletes the customer's contracts and their entitlement history, and its task code mappings
/// (their hours become unmapped, reported as such; the worklogs themselves are timesheet facts and
/// stay). Part of deleting a customer, so a new customer given the same code starts empty.
/// Idempotent.
pub async fn purge_customer(
    items: &dyn ItemStore,
    customer: &CustomerCode,
    by: &str,
    at: OffsetDateTime,
) -> Result<()> {
    crate::store::delete_partition(items, &keys::contract_partition(customer.as_str()))
        .await
        .map_err(|e| internal("deleting a customer's contracts", e))?;
    for _ in 0..RETRIES {
        let kept = task_codes(items).await?;
        let left: Vec<TaskCodeMapping> = kept
            .mappings
            .iter()
            .filter(|m| &m.customer != customer)
            .cloned()
            .collect();
        if left.len() == kept.mappings.len() {
            return Ok(());
        }
        match put_task_codes(items, left, kept.version, by, at).await {
            Ok(_) => return Ok(()),
            Err(e) if e.conflict_kind() == Some(Conflict::Version) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(stale_task_codes())
}
