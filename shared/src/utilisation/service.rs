//! What the utilisation API and the daily sync ask of the domain, with their authorisation: any
//! role reads (the team sees every customer, as in the hub); task code mappings, imports and sync
//! runs are for admins.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::StreamExt;
use time::{Date, Duration, OffsetDateTime};

use super::entitlement::{AllocationHistory, EntitlementChange};
use super::mapping::{self, TaskCodeMap, TaskCodeMapping, UnmappedCode};
use super::ports::{ContractSource, Rejected, TimesheetSource};
use super::store::{self, ContractsWritten, StoredContract, TaskCodeChange, TaskCodes};
use super::usage::{self, ContractUsage, UsageRules};
use super::{Worklog, import, portfolio};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::identity::{Principal, Role};
use crate::ids::{ContractId, CustomerCode};
use crate::keys;
use crate::store::{Index, Item, ItemStore, Query, encode};

/// How many (month, task code) queries run at once when a contract's worklogs are read.
const READ_CONCURRENCY: usize = 8;

/// The most months an unmapped-hours report may cover.
pub const MAX_UNMAPPED_MONTHS: i32 = 13;

/// The outside systems utilisation reads (Salesforce and JIRA, or their embedded stand-ins).
#[derive(Clone)]
pub struct UtilisationPorts {
    pub contracts: Arc<dyn ContractSource>,
    pub timesheets: Arc<dyn TimesheetSource>,
}

/// Settings of the sync and the answers.
#[derive(Clone, Debug, PartialEq)]
pub struct UtilisationConfig {
    /// How far back the first worklog sync reads (days). Default 400: a year's contract and the
    /// months before it.
    pub backfill_days: u16,
    pub rules: UsageRules,
}

impl Default for UtilisationConfig {
    fn default() -> Self {
        UtilisationConfig {
            backfill_days: 400,
            rules: UsageRules::default(),
        }
    }
}

pub struct Utilisation {
    items: Arc<dyn ItemStore>,
    hub: Arc<Hub>,
    ports: UtilisationPorts,
    clock: Clock,
    config: UtilisationConfig,
}

/// A contract and where it stands today.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ContractReport {
    pub contract: StoredContract,
    pub usage: ContractUsage,
    /// The mappings whose hours count for it.
    pub task_codes: Vec<TaskCodeMapping>,
}

/// One contract with its entitlement history.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ContractDetail {
    #[serde(flatten)]
    pub report: ContractReport,
    /// Oldest first.
    pub changes: Vec<EntitlementChange>,
}

/// A customer's contracts as of today.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CustomerUtilisation {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    #[serde(with = "crate::billing::costs::iso_day")]
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    /// Current contracts first (by end), then ended ones (latest first).
    pub contracts: Vec<ContractReport>,
}

/// Who started a sync: the one trigger of every job's runs ([`crate::trigger`]).
pub use crate::trigger::Trigger;

/// What one source did in a sync.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SourceOutcome {
    /// `ok` or `failed`.
    pub status: String,
    /// Why it failed (the source's error, no secrets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub requests: u32,
    /// Records the source returned that could not be read, with their ids.
    pub rejected: Vec<Rejected>,
}

/// One sync of contracts and worklogs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SyncRun {
    pub id: String,
    pub trigger: Trigger,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub finished_at: OffsetDateTime,
    pub contracts: SourceOutcome,
    pub contracts_written: ContractsWritten,
    /// Contracts the source returned for customers the hub does not have (skipped, by id).
    pub unknown_customers: Vec<String>,
    pub worklogs: SourceOutcome,
    pub worklogs_written: usize,
    pub worklogs_deleted: usize,
    /// Where the worklog feed was read from and to.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub worklogs_since: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub worklogs_until: Option<OffsetDateTime>,
}

/// Where the next worklog sync starts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct SyncState {
    #[serde(with = "time::serde::rfc3339")]
    worklogs_since: OffsetDateTime,
    #[serde(default)]
    version: u64,
}

/// What an import wrote.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub rows: usize,
    /// Contracts (a contracts import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracts: Option<ContractsWritten>,
    /// Worklogs written (a worklogs import; a re-import replaces the same ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worklogs: Option<usize>,
    /// Worklogs of earlier CSV imports removed: those of the file's people and days that the file
    /// no longer has (a corrected or cleared day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worklogs_removed: Option<usize>,
}

/// Why a mapping's contract is refused, with the customer's contracts to pick from (at most 10
/// named).
fn unknown_contract(customer: &CustomerCode, asked: &ContractId, theirs: Option<&BTreeSet<ContractId>>) -> String {
    match theirs.filter(|t| !t.is_empty()) {
        None => format!(
            "customer '{customer}' has no contract '{asked}': it has no contracts yet (sync them from Salesforce or import them first), or leave 'contract' out to count the hours for the customer outside any contract"
        ),
        Some(t) => {
            let mut names: Vec<&str> = t.iter().take(10).map(ContractId::as_str).collect();
            if t.len() > 10 {
                names.push("...");
            }
            format!(
                "customer '{customer}' has no contract '{asked}'; its contracts: {}",
                names.join(", ")
            )
        }
    }
}

fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

/// The first day of the next month; the last representable day past the calendar's end (year
/// 9999), so no date a user can send makes it overflow.
fn next_month(d: Date) -> Date {
    let f = first_of_month(d);
    f.checked_add(Duration::days(i64::from(f.month().length(f.year()))))
        .unwrap_or(Date::MAX)
}

/// The first days of the months from `from`'s to `to`'s.
fn months(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut m = first_of_month(from);
    while m <= to {
        out.push(m);
        let next = next_month(m);
        if next == m || next == Date::MAX {
            break;
        }
        m = next;
    }
    out
}

/// The worklogs that count for `contract` under `map`, in `[from, to]` months.
async fn worklogs_for(
    items: &dyn ItemStore,
    contract: &StoredContract,
    map: &TaskCodeMap,
    codes: &[TaskCodeMapping],
    from: Date,
    to: Date,
) -> Result<Vec<Worklog>> {
    let prefixes: BTreeSet<String> = codes
        .iter()
        .map(|m| {
            if m.prefix {
                m.code.as_str().to_string()
            } else {
                format!("{}#", m.code.as_str())
            }
        })
        .collect();
    let queries: Vec<(Date, String)> = months(from, to)
        .into_iter()
        .flat_map(|m| prefixes.iter().map(move |p| (m, p.clone())))
        .collect();
    let mut found: BTreeMap<String, Worklog> = BTreeMap::new();
    let mut reads = futures::stream::iter(queries)
        .map(|(m, p)| async move { store::worklogs_in_month(items, m, Some(&p)).await })
        .buffer_unordered(READ_CONCURRENCY);
    let c = &contract.contract;
    while let Some(batch) = reads.next().await {
        for w in batch? {
            let counts = map
                .resolve(&w.task_code)
                .is_some_and(|m| m.customer == c.customer && m.contract.as_ref() == Some(&c.id));
            if counts {
                found.insert(w.id.clone(), w);
            }
        }
    }
    Ok(found.into_values().collect())
}

/// A contract and where it stands on `as_of`, each month judged against the allocation in effect
/// on its days from `changes` (the contract's entitlement history): its worklogs (those of the task codes `all` maps to
/// it, read from the store a month and code at a time) through [`usage::contract_usage`]. Reads
/// the store only; the monthly report calls it with the month's last day.
#[allow(clippy::too_many_arguments)]
pub async fn contract_report(
    items: &dyn ItemStore,
    contract: StoredContract,
    changes: &[EntitlementChange],
    map: &TaskCodeMap,
    all: &[TaskCodeMapping],
    as_of: Date,
    rules: &UsageRules,
) -> Result<ContractReport> {
    let c = &contract.contract;
    let codes: Vec<TaskCodeMapping> = all
        .iter()
        .filter(|m| m.customer == c.customer && m.contract.as_ref() == Some(&c.id))
        .cloned()
        .collect();
    // A month either side of the period: hours dated just outside it show as such.
    let from = first_of_month(c.start) - Duration::days(1);
    let to = next_month(c.end).min(as_of.max(c.start));
    let logs = if codes.is_empty() {
        Vec::new()
    } else {
        worklogs_for(items, &contract, map, &codes, from, to).await?
    };
    let allocation = AllocationHistory::from_changes(c.monthly_allocation, changes);
    let usage = usage::contract_usage(c, &allocation, &logs, as_of, rules);
    Ok(ContractReport {
        contract,
        usage,
        task_codes: codes,
    })
}

impl Utilisation {
    pub fn new(
        items: Arc<dyn ItemStore>,
        hub: Arc<Hub>,
        ports: UtilisationPorts,
        clock: Clock,
        config: UtilisationConfig,
    ) -> Self {
        Utilisation {
            items,
            hub,
            ports,
            clock,
            config,
        }
    }

    fn today(&self) -> Date {
        self.clock.now().date()
    }

    async fn known_customer(&self, code: &CustomerCode) -> Result<()> {
        if self.hub.snapshot().await?.customer(code.as_str()).is_some() {
            Ok(())
        } else {
            Err(Error::not_found("customer", code.as_str()))
        }
    }

    /// Where `contract` stands as of `as_of`, each month judged against the allocation in effect
    /// on its days, from `changes` (the contract's entitlement history).
    async fn report(
        &self,
        contract: StoredContract,
        changes: &[EntitlementChange],
        map: &TaskCodeMap,
        all: &[TaskCodeMapping],
        as_of: Date,
    ) -> Result<ContractReport> {
        contract_report(
            self.items.as_ref(),
            contract,
            changes,
            map,
            all,
            as_of,
            &self.config.rules,
        )
        .await
    }

    /// A customer's contracts and where each stands today (any role). 404 for an unknown customer.
    pub async fn customer(&self, who: &Principal, customer: &CustomerCode) -> Result<CustomerUtilisation> {
        who.require_any_role()?;
        self.known_customer(customer).await?;
        let as_of = self.today();
        let kept = store::contracts(self.items.as_ref(), customer).await?;
        let mut changes = store::customer_changes(self.items.as_ref(), customer).await?;
        let codes = store::task_codes(self.items.as_ref()).await?.mappings;
        let map = TaskCodeMap::new(codes.clone());
        let mut contracts = Vec::with_capacity(kept.len());
        for c in kept {
            let history = changes.remove(&c.contract.id).unwrap_or_default();
            contracts.push(self.report(c, &history, &map, &codes, as_of).await?);
        }
        contracts.sort_by(|a, b| {
            let (a, b) = (&a.contract.contract, &b.contract.contract);
            let (a_over, b_over) = (a.end < as_of, b.end < as_of);
            a_over
                .cmp(&b_over)
                .then_with(|| if a_over { b.end.cmp(&a.end) } else { a.end.cmp(&b.end) })
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(CustomerUtilisation {
            customer: customer.clone(),
            as_of,
            contracts,
        })
    }

    /// One contract with its entitlement history (any role). 404 for an unknown customer or
    /// contract.
    pub async fn contract(&self, who: &Principal, customer: &CustomerCode, id: &ContractId) -> Result<ContractDetail> {
        who.require_any_role()?;
        self.known_customer(customer).await?;
        let kept = store::contract(self.items.as_ref(), customer, id)
            .await?
            .ok_or_else(|| Error::not_found("contract", id.as_str()))?;
        let codes = store::task_codes(self.items.as_ref()).await?.mappings;
        let map = TaskCodeMap::new(codes.clone());
        let changes = store::entitlement_changes(self.items.as_ref(), customer, id).await?;
        let report = self.report(kept, &changes, &map, &codes, self.today()).await?;
        Ok(ContractDetail { report, changes })
    }

    /// The task code mappings (any role reads them).
    pub async fn task_codes(&self, who: &Principal) -> Result<TaskCodes> {
        who.require_any_role()?;
        store::task_codes(self.items.as_ref()).await
    }

    /// The mapping changes, newest first (any role).
    pub async fn task_code_history(&self, who: &Principal, limit: usize) -> Result<Vec<TaskCodeChange>> {
        who.require_any_role()?;
        store::task_code_history(self.items.as_ref(), limit.clamp(1, 500)).await
    }

    /// Replaces the mappings (admin), at the version read. Each mapping's customer must exist, and
    /// its contract, when given, must be one of that customer's; a code may be mapped once as an
    /// exact code and once as a prefix. 400 naming the row otherwise (an unknown contract's
    /// message lists the customer's contracts); 409 for a stale version. A contract number is
    /// matched without case ([`ContractId`]) and kept as the contract spells it (`c-100` maps to
    /// `C-100`).
    pub async fn put_task_codes(
        &self,
        who: &Principal,
        mut mappings: Vec<TaskCodeMapping>,
        version: u64,
    ) -> Result<TaskCodes> {
        who.require(Role::Admin, "changing task code mappings")?;
        if mappings.len() > 5_000 {
            return Err(Error::validation("mappings", "at most 5,000 task code mappings"));
        }
        let snap = self.hub.snapshot().await?;
        let mut contracts: BTreeMap<CustomerCode, BTreeSet<ContractId>> = BTreeMap::new();
        for c in store::all_contracts(self.items.as_ref()).await? {
            contracts.entry(c.contract.customer).or_default().insert(c.contract.id);
        }
        let mut errors = Vec::new();
        let mut seen: BTreeMap<(String, bool), usize> = BTreeMap::new();
        let mut bad = BTreeSet::new();
        for (i, m) in mappings.iter_mut().enumerate() {
            let row = i + 1;
            let mut fail = |field: &str, message: String| {
                bad.insert(row);
                errors.push(crate::error::RowError {
                    row,
                    field: Some(field.to_string()),
                    message,
                });
            };
            if snap.customer(m.customer.as_str()).is_none() {
                fail("customer", format!("no customer '{}' in the hub", m.customer));
            } else if let Some(c) = &mut m.contract {
                let theirs = contracts.get(&m.customer);
                match theirs.and_then(|t| t.get(c)) {
                    // The contract's own spelling of the number.
                    Some(kept) => c.clone_from(kept),
                    None => fail("contract", unknown_contract(&m.customer, c, theirs)),
                }
            }
            if let Some(first) = seen.insert((m.code.to_string(), m.prefix), row) {
                fail("code", format!("'{}' is also mapped on row {first}", m.code));
            }
        }
        if !errors.is_empty() {
            return Err(Error::rows(errors, bad.len(), mappings.len(), "mappings"));
        }
        store::put_task_codes(
            self.items.as_ref(),
            mappings,
            version,
            who.email.as_str(),
            self.clock.now(),
        )
        .await
    }

    /// Hours on task codes no mapping matches, per code, over `[from, to]` (any role; at most
    /// [`MAX_UNMAPPED_MONTHS`] months).
    pub async fn unmapped(&self, who: &Principal, from: Date, to: Date) -> Result<Vec<UnmappedCode>> {
        who.require_any_role()?;
        if to < from {
            return Err(Error::validation(
                "from",
                format!("'from' ({from}) is after 'to' ({to}; 'to' is today unless given)"),
            ));
        }
        let span = months(from, to).len() as i32;
        if span > MAX_UNMAPPED_MONTHS {
            return Err(Error::validation(
                "from",
                format!("{span} months asked; at most {MAX_UNMAPPED_MONTHS} at once"),
            ));
        }
        let map = TaskCodeMap::new(store::task_codes(self.items.as_ref()).await?.mappings);
        // Each month read a page at a time into its own tally, [`READ_CONCURRENCY`] months at
        // once; a mapped code's worklogs are skipped by their index key, undecoded. Nothing but
        // the per-code sums and people is kept.
        let (items, map) = (self.items.as_ref(), &map);
        let tallies: Vec<mapping::UnmappedTally> = futures::stream::iter(months(from, to))
            .map(|m| async move {
                let mut tally = mapping::UnmappedTally::default();
                store::each_worklog_in_month(
                    items,
                    m,
                    |code| map.resolve(code).is_none(),
                    |w| {
                        if (from..=to).contains(&w.day) {
                            tally.add(&w);
                        }
                    },
                )
                .await?;
                Ok::<_, Error>(tally)
            })
            .buffer_unordered(READ_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_>>()?;
        let mut all = mapping::UnmappedTally::default();
        for t in tallies {
            all.merge(t);
        }
        Ok(all.finish())
    }

    /// Every worklog dated in `[from, to]`, its months read [`READ_CONCURRENCY`] at a time.
    async fn worklogs_between(&self, from: Date, to: Date) -> Result<Vec<Worklog>> {
        let items = self.items.as_ref();
        let batches: Vec<Vec<Worklog>> = futures::stream::iter(months(from, to))
            .map(|m| store::worklogs_in_month(items, m, None))
            .buffer_unordered(READ_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_>>()?;
        Ok(batches
            .into_iter()
            .flatten()
            .filter(|w| (from..=to).contains(&w.day))
            .collect())
    }

    /// Every customer's current contracts and where each stands today (any role): the
    /// utilisation overview, [`READ_CONCURRENCY`] contracts at a time.
    pub async fn portfolio(&self, who: &Principal) -> Result<portfolio::Portfolio> {
        who.require_any_role()?;
        let as_of = self.today();
        let snap = self.hub.snapshot().await?;
        let customers: Vec<(CustomerCode, String)> = snap
            .customers
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect();
        let contracts: Vec<StoredContract> = store::all_contracts(self.items.as_ref())
            .await?
            .into_iter()
            .filter(|c| portfolio::is_current(c, as_of))
            .collect();
        let codes = store::task_codes(self.items.as_ref()).await?.mappings;
        let map = TaskCodeMap::new(codes.clone());
        // Each customer's entitlement histories in one read of its partition.
        let with_contracts: BTreeSet<CustomerCode> = contracts.iter().map(|c| c.contract.customer.clone()).collect();
        let items = self.items.as_ref();
        let histories: BTreeMap<CustomerCode, BTreeMap<ContractId, Vec<EntitlementChange>>> =
            futures::stream::iter(with_contracts)
                .map(|code| async move {
                    let changes = store::customer_changes(items, &code).await?;
                    Ok::<_, Error>((code, changes))
                })
                .buffer_unordered(READ_CONCURRENCY)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect::<Result<_>>()?;
        // Each contract reads only the hours of its own task codes (as a customer's report
        // does), never the month's whole partition: unmapped hours, however many, cost nothing.
        let (map, codes, histories) = (&map, &codes, &histories);
        let standings: Vec<(CustomerCode, portfolio::ContractStanding)> = futures::stream::iter(contracts)
            .map(|c| async move {
                let history = histories
                    .get(&c.contract.customer)
                    .and_then(|h| h.get(&c.contract.id))
                    .map_or(&[][..], Vec::as_slice);
                let r = self.report(c, history, map, codes, as_of).await?;
                let c = &r.contract.contract;
                Ok::<_, Error>((c.customer.clone(), portfolio::standing(c, &r.usage)))
            })
            .buffered(READ_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_>>()?;
        Ok(portfolio::portfolio(&customers, standings, as_of))
    }

    /// Who logged what across customers in the calendar month of `month` (any role).
    pub async fn team(&self, who: &Principal, month: Date) -> Result<portfolio::TeamMonth> {
        who.require_any_role()?;
        let first = first_of_month(month);
        let last = next_month(first) - Duration::days(1);
        let map = TaskCodeMap::new(store::task_codes(self.items.as_ref()).await?.mappings);
        let logs = self.worklogs_between(first, last).await?;
        let mut names = portfolio::Names::default();
        for c in &self.hub.snapshot().await?.customers {
            names.customers.insert(c.code.clone(), c.name.clone());
        }
        for c in store::all_contracts(self.items.as_ref()).await? {
            names
                .contracts
                .insert((c.contract.customer, c.contract.id), c.contract.name);
        }
        Ok(portfolio::team_month(first, &map, &logs, &names))
    }

    /// Imports contracts from a CSV file (admin): validated as a whole, then written with their
    /// entitlement changes (source `csv`). Every customer must exist.
    pub async fn import_contracts(&self, who: &Principal, csv: &[u8]) -> Result<ImportOutcome> {
        who.require(Role::Admin, "importing contracts")?;
        let (contracts, columns) = import::contracts_csv(csv)?;
        let snap = self.hub.snapshot().await?;
        let errors: Vec<crate::error::RowError> = contracts
            .iter()
            .enumerate()
            .filter(|(_, c)| snap.customer(c.customer.as_str()).is_none())
            .map(|(i, c)| crate::error::RowError {
                row: i + 1,
                field: Some("customer".into()),
                message: format!("no customer '{}' in the hub", c.customer),
            })
            .collect();
        if !errors.is_empty() {
            let n = errors.len();
            return Err(Error::rows(errors, n, contracts.len(), "contracts"));
        }
        // Optional columns the file lacks keep the kept contract's values: checked for the whole
        // file before anything is written, merged again at each write's own read.
        for c in &contracts {
            let kept = store::contract(self.items.as_ref(), &c.customer, &c.id).await?;
            columns
                .merged(c.clone(), kept.as_ref().map(|k| &k.contract))
                .validate()?;
        }
        let written =
            store::upsert_contracts_with(self.items.as_ref(), &contracts, columns, "csv", self.clock.now()).await?;
        Ok(ImportOutcome {
            rows: contracts.len(),
            contracts: Some(written),
            worklogs: None,
            worklogs_removed: None,
        })
    }

    /// Imports worklogs from a CSV file (admin): validated as a whole, then written, replacing
    /// what earlier CSV imports kept for the file's people and days ([`import::WorklogsFile`]):
    /// the same file again changes nothing, a corrected day replaces the day, a 0-hour row
    /// clears it. The new worklogs are written before the replaced ones are deleted, so a failure
    /// in between leaves both (the import can be sent again), never neither.
    pub async fn import_worklogs(&self, who: &Principal, csv: &[u8]) -> Result<ImportOutcome> {
        who.require(Role::Admin, "importing timesheets")?;
        let file = import::worklogs_csv(csv, self.today())?;
        let months: BTreeSet<Date> = file.days.iter().map(|(_, d)| first_of_month(*d)).collect();
        let new: BTreeSet<&str> = file.worklogs.iter().map(|w| w.id.as_str()).collect();
        let mut replaced = Vec::new();
        for m in months {
            for w in store::worklogs_in_month(self.items.as_ref(), m, None).await? {
                if w.id.starts_with("csv:")
                    && !new.contains(w.id.as_str())
                    && file.days.contains(&(w.person.clone(), w.day))
                {
                    replaced.push(w.id);
                }
            }
        }
        let written = store::put_worklogs(self.items.as_ref(), &file.worklogs).await?;
        let removed = store::delete_worklogs(self.items.as_ref(), &replaced).await?;
        Ok(ImportOutcome {
            rows: file.rows,
            contracts: None,
            worklogs: Some(written),
            worklogs_removed: Some(removed),
        })
    }

    /// An admin's sync through the API (403 for anyone else), recorded as theirs.
    pub async fn sync_as(&self, who: &Principal) -> Result<SyncRun> {
        who.require(Role::Admin, "starting a utilisation sync")?;
        self.sync(Trigger::Admin {
            email: who.email.to_string(),
        })
        .await
    }

    /// Syncs contracts and worklogs from the sources and records the run with who started it
    /// (`trigger`: the schedule, or a person with `cc jobs run`; an admin's goes through
    /// [`Utilisation::sync_as`]). One source failing never stops the other; its error is in the
    /// run.
    pub async fn sync(&self, trigger: Trigger) -> Result<SyncRun> {
        let started_at = self.clock.now();
        let items = self.items.as_ref();

        // Contracts.
        let mut contracts = SourceOutcome::default();
        let mut written = ContractsWritten::default();
        let mut unknown_customers = Vec::new();
        match self.ports.contracts.contracts().await {
            Ok(batch) => {
                let snap = self.hub.snapshot().await?;
                let (known, unknown): (Vec<_>, Vec<_>) = batch
                    .contracts
                    .into_iter()
                    .partition(|c| snap.customer(c.customer.as_str()).is_some());
                unknown_customers = unknown.iter().map(|c| format!("{} ({})", c.id, c.customer)).collect();
                written = store::upsert_contracts(items, &known, "salesforce", started_at).await?;
                contracts.status = "ok".into();
                contracts.requests = batch.requests;
                contracts.rejected = batch.rejected;
            }
            Err(e) => {
                contracts.status = "failed".into();
                contracts.error = Some(e.to_string());
            }
        }

        // Worklogs, from where the last sync got to.
        let state: Option<SyncState> = match items
            .get(keys::UTILISATION, keys::UTILISATION_SYNC)
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("reading the sync state: {e}")))?
        {
            Some(i) => Some(crate::store::decode(i)?),
            None => None,
        };
        let since = state
            .as_ref()
            .map(|s| s.worklogs_since)
            .unwrap_or(started_at - Duration::days(i64::from(self.config.backfill_days)));
        let mut worklogs = SourceOutcome::default();
        let (mut put, mut deleted, mut until) = (0, 0, None);
        match self.ports.timesheets.changes_since(since).await {
            Ok(mut changes) => {
                // What the answers rely on (hours, a plausible day, printable text), whatever the
                // source: a worklog that fails is rejected with its reason, the others stored.
                let today = self.today();
                let (mut good, mut bad) = (Vec::with_capacity(changes.updated.len()), Vec::new());
                for mut w in std::mem::take(&mut changes.updated) {
                    w.person = super::person(&w.person);
                    match w.validate(today) {
                        Ok(()) => good.push(w),
                        Err(e) => bad.push(Rejected {
                            id: w.id,
                            reason: e.to_string(),
                        }),
                    }
                }
                changes.rejected.extend(bad);
                put = store::put_worklogs(items, &good).await?;
                deleted = store::delete_worklogs(items, &changes.deleted).await?;
                let next = SyncState {
                    worklogs_since: changes.until,
                    version: 0,
                };
                let mut data = encode(&next)?;
                if let Some(o) = data.as_object_mut() {
                    o.remove("version");
                }
                items
                    .transact(vec![crate::store::Write::at_version(
                        Item::new(keys::UTILISATION, keys::UTILISATION_SYNC, data),
                        state.as_ref().map_or(0, |s| s.version),
                    )])
                    .await
                    .map_err(|e| match e {
                        crate::store::StoreError::ConditionFailed => Error::conflict(
                            crate::error::Conflict::Version,
                            "another utilisation sync ran at the same time; this one's worklogs are stored, its position is not: the next sync reads them again",
                        ),
                        e => Error::Internal(anyhow::anyhow!("saving the sync state: {e}")),
                    })?;
                until = Some(changes.until);
                worklogs.status = "ok".into();
                worklogs.requests = changes.requests;
                worklogs.rejected = changes.rejected;
            }
            Err(e) => {
                worklogs.status = "failed".into();
                worklogs.error = Some(e.to_string());
            }
        }

        let run = SyncRun {
            id: crate::ids::new_ulid().to_string().to_lowercase(),
            trigger,
            started_at,
            finished_at: self.clock.now(),
            contracts,
            contracts_written: written,
            unknown_customers,
            worklogs,
            worklogs_written: put,
            worklogs_deleted: deleted,
            worklogs_since: since,
            worklogs_until: until,
        };
        items
            .put_new(Item::new(
                keys::UTILISATION_RUNS,
                format!("{:013}#{}", keys::ms(started_at), run.id),
                encode(&run)?,
            ))
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("recording the sync run: {e}")))?;
        Ok(run)
    }

    /// The latest sync runs, newest first (any role), at most `limit`.
    pub async fn runs(&self, who: &Principal, limit: usize) -> Result<Vec<SyncRun>> {
        who.require_any_role()?;
        let page = self
            .items
            .query(
                Query::partition(Index::Primary, keys::UTILISATION_RUNS)
                    .descending()
                    .limit(limit.clamp(1, 100)),
            )
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("reading sync runs: {e}")))?;
        page.items.into_iter().map(crate::store::decode).collect()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn utilisation_months_cover_both_ends() {
        assert_eq!(
            months(date!(2026 - 11 - 30), date!(2027 - 02 - 01)),
            [
                date!(2026 - 11 - 01),
                date!(2026 - 12 - 01),
                date!(2027 - 01 - 01),
                date!(2027 - 02 - 01)
            ]
        );
        assert_eq!(months(date!(2026 - 12 - 01), date!(2026 - 11 - 30)), Vec::<Date>::new());
        // The calendar's last month: no overflow.
        assert_eq!(
            months(date!(9999 - 12 - 01), date!(9999 - 12 - 31)),
            [date!(9999 - 12 - 01)]
        );
        assert_eq!(next_month(date!(9999 - 12 - 31)), Date::MAX);
    }
}
