//! The billing fetch (issue #13): for every customer (or one), Cost Explorer's daily cost per
//! linked account and service, read in the customer's management (payer) account through its
//! read role, stored idempotently ([`super::costs::upsert`]); with it, the organisation facts
//! ([`super::org`]). Run daily by the `billing.fetch` job and on demand by an admin.
//!
//! Cost Explorer facts (DOMAIN.md "Billing"): each `GetCostAndUsage` page is a billed request
//! (USD 0.01); 13 months of history plus the current month; recent days are revised. So:
//! - a payer's **first** run backfills `CC_BILLING_BACKFILL_DAYS` (default 90) up to yesterday,
//!   never before the first day of the month 13 months back;
//! - **later** runs fetch the last `CC_BILLING_REFETCH_DAYS` (default 3) days up to yesterday
//!   (from the end of the last fetch when runs were missed), which fits one page for a typical
//!   organisation: about one request per payer per day;
//! - days Cost Explorer still flags `Estimated` are fetched again until it answers them as final:
//!   a later run starts at the first day the previous one found estimated, when that is earlier
//!   (Cost Explorer can flag the whole open month; without this, a day that left the refetch
//!   window while estimated would keep the flag; costs: the extra days in the same pages);
//! - a change of the customer's cost metric (settings) backfills **the whole window Cost Explorer
//!   keeps** again (from the first day of the month 13 months back), not only the usual backfill:
//!   every fetched cell it still has is rewritten in the new metric, so charts and detection do
//!   not mix the two (fetched cells older than that window, and imported cells, keep the metric
//!   they were stored in: Cost Explorer has no older days, and an import is re-imported);
//! - the period is `[start, end)`: `end` is today (UTC), exclusive, so today's partial day is left
//!   for tomorrow's run.
//!
//! Customers run in parallel, at most `CC_BILLING_CONCURRENCY` at once; one customer's failure is
//! recorded with its reason and never stops the others.
//!
//! **One writer of a customer's costs at a time.** Two runs fetching the same customer (an admin's
//! "Fetch now" twice, or the daily job while an admin fetches) would each pay for the same pages,
//! and a backfill is dozens of them; an import removes the imported cells its months no longer
//! have, which a concurrent import or fetch writing the same months would lose cells to. So a run,
//! an import and a removal of imported costs take the customer's **lease** first ([`Lease`],
//! `BILLING#{customer}` / `FETCHLEASE`): a conditional create, or a write conditional on the
//! version read when the lease found has expired (a run that died without releasing it). The
//! lease lasts [`LEASE_SECONDS`] (20 minutes: longer than the longest a run can live, the jobs
//! Lambda's 15-minute timeout) and is deleted, at the version written, when the customer is done.
//! An admin's run of one customer whose lease another run holds is refused (409 `fetch_running`,
//! or `import_running` when an import holds it; nothing recorded); a run over every customer skips
//! it, with the reason "another run is fetching it" (or "an import is writing its costs") in its
//! entry; an import or removal is refused likewise (409 `fetch_running` / `import_running`,
//! nothing written). Each run is recorded
//! ([`BillingRun`], `BILLINGRUN` / `{started}#{id}`): per customer and payer the status, the
//! reason, days fetched, cells written, Cost Explorer requests and their cost.

use std::sync::Arc;

use futures::StreamExt;
use time::{Date, Duration, Month, OffsetDateTime};

use super::costs::{self, CostMetric};
use super::org::OrgOutcome;
use super::ports::{CostQuery, CostSource, OrganizationSource, ReadRole, SourceError};
use super::settings;
use crate::clock::Clock;
use crate::config::BillingConfig;
use crate::error::{Error, Result};
use crate::hub::{AccessMethod, Account, Customer, CustomerStatus, Hub};
use crate::identity::{Principal, Role};
use crate::ids::{AccountId, CustomerCode, new_ulid};
use crate::keys;
use crate::page::{Listed, PageRequest};
use crate::store::{Index, Item, ItemStore, Query, Write, decode, encode};

// Days as `YYYY-MM-DD` (Cost Explorer's `TimePeriod` form).
time::serde::format_description!(pub(crate) iso_day, Date, "[year]-[month]-[day]");

/// What one `GetCostAndUsage` request costs, in USD (AWS Cost Explorer pricing: "$0.01 per
/// paginated API request").
pub const USD_PER_REQUEST: f64 = 0.01;

/// A payer's pages are followed up to this many per run; past it the fetch fails rather than
/// spend without bound (a 90-day backfill of a large organisation is a few dozen pages).
pub const MAX_PAGES: u32 = 500;

/// How long a customer's fetch lease lasts: longer than any run can live (the jobs Lambda's timeout
/// is 15 minutes; API Gateway cuts an admin's run at 29 s), so a live run's lease never expires,
/// and a dead run's is taken over after it.
pub const LEASE_SECONDS: i64 = 20 * 60;

/// The reason a run over every customer records for one another run is fetching.
pub const LEASED_REASON: &str = "another run is fetching it";

/// The reason a run over every customer records for one whose costs an import is writing.
pub const IMPORT_LEASED_REASON: &str = "an import is writing its costs";

/// The session name the fetch's STS sessions carry (shows in the customer's CloudTrail).
pub const SESSION_NAME: &str = "customer-central-billing";

/// The outside systems billing reads (Cost Explorer and Organizations in AWS; the embedded
/// stand-ins locally).
pub struct BillingPorts {
    pub costs: Arc<dyn CostSource>,
    pub organizations: Arc<dyn OrganizationSource>,
}

/// Which customers a run covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every customer that is not offboarded.
    All,
    Customer(CustomerCode),
}

/// Who started a run: the one trigger of every job's runs ([`crate::trigger`]).
pub use crate::trigger::Trigger;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FetchStatus {
    Ok,
    /// Nothing to fetch, with the reason (no management account, no read role, offboarded).
    Skipped,
    Failed,
}

/// One customer's fetch through one payer account in a run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CustomerFetch {
    pub customer: CustomerCode,
    /// The management (payer) account queried; absent when the customer has none in the hub.
    #[schema(value_type = Option<String>)]
    pub payer: Option<AccountId>,
    pub status: FetchStatus,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
    #[schema(value_type = Option<String>)]
    pub metric: Option<CostMetric>,
    /// A backfill: a first fetch (`CC_BILLING_BACKFILL_DAYS`), or the first after a metric change
    /// (the whole window Cost Explorer keeps).
    pub backfill: bool,
    /// The period asked for, `[period_start, period_end)` (YYYY-MM-DD, end exclusive).
    #[serde(default, with = "iso_day::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub period_start: Option<Date>,
    #[serde(default, with = "iso_day::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub period_end: Option<Date>,
    pub days_fetched: u32,
    /// Cells (account, service, day) stored (new or replaced).
    pub cells_written: usize,
    /// Stored cells of the period that Cost Explorer no longer reports (revised away), deleted.
    #[serde(default)]
    pub cells_removed: usize,
    /// Days Cost Explorer flagged as estimated (fetched again later).
    pub estimated_days: u32,
    /// `GetCostAndUsage` requests made (pages), each billed.
    pub requests: u32,
    /// `requests` × USD 0.01.
    pub cost_usd: f64,
    /// The organisation facts refreshed through the same role (absent when skipped before).
    pub organization: Option<OrgOutcome>,
    /// Anomalies raised by the detection run after a successful fetch (over the stored history
    /// up to yesterday).
    #[serde(default)]
    pub anomalies_raised: usize,
}

impl CustomerFetch {
    fn new(customer: &CustomerCode, payer: Option<&AccountId>) -> Self {
        CustomerFetch {
            customer: customer.clone(),
            payer: payer.cloned(),
            status: FetchStatus::Ok,
            reason: None,
            metric: None,
            backfill: false,
            period_start: None,
            period_end: None,
            days_fetched: 0,
            cells_written: 0,
            cells_removed: 0,
            estimated_days: 0,
            requests: 0,
            cost_usd: 0.0,
            organization: None,
            anomalies_raised: 0,
        }
    }

    fn skipped(mut self, reason: impl Into<String>) -> Self {
        self.status = FetchStatus::Skipped;
        self.reason = Some(reason.into());
        self
    }
}

/// A run: who started it, when, and what it did per customer.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BillingRun {
    pub id: String,
    pub trigger: Trigger,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    /// Absent while the run is going on (or when it was cut short).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
    /// Per customer and payer, sorted by customer.
    pub customers: Vec<CustomerFetch>,
    /// Totals over `customers`.
    pub requests: u32,
    pub cost_usd: f64,
    pub cells_written: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// What the last run that covered a customer did for it (`BILLING#{customer}` / `LASTFETCH`), so
/// the customer's page can say why it has no data (skipped: no read role; failed: throttled...).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LastFetch {
    /// The run's id (`GET /api/v1/billing/runs`).
    pub run: String,
    pub trigger: Trigger,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// One per payer account (usually one), or one skipped entry.
    pub entries: Vec<CustomerFetch>,
}

/// A payer's last successful fetch: the next run fetches incrementally from here.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Fetched {
    /// The end (exclusive) of the last period fetched.
    #[serde(with = "iso_day")]
    through: Date,
    metric: CostMetric,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    /// The first day the fetch's answer flagged estimated: the next run fetches from there.
    #[serde(default, with = "iso_day::option", skip_serializing_if = "Option::is_none")]
    estimated_from: Option<Date>,
    #[serde(default)]
    version: u64,
}

/// The lease of the one writer of a customer's costs (`BILLING#{customer}` / `FETCHLEASE`): a
/// fetch run, or an import or removal of imported costs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lease {
    /// The run (or import) holding it.
    pub run: String,
    /// Who: the schedule or a person (for an import, the importer: `system` for the CLI).
    pub trigger: Trigger,
    #[serde(with = "time::serde::rfc3339")]
    pub taken_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// What holds it (leases stored before this was recorded are a fetch's).
    #[serde(default)]
    pub work: LeaseWork,
}

/// What holds a customer's lease.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseWork {
    /// A fetch run.
    #[default]
    Fetch,
    /// An import, or a removal of imported costs.
    Import,
}

impl Lease {
    /// The refusal of a writer that found this lease held: 409 `fetch_running` or
    /// `import_running`, saying who holds it since when.
    pub fn refusal(&self, customer: &CustomerCode) -> Error {
        let since = self
            .taken_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let who = self.trigger.who();
        match self.work {
            LeaseWork::Fetch => Error::conflict(
                crate::error::Conflict::FetchRunning,
                format!(
                    "{customer} is being fetched by another run ({who}, started {since}); its costs will be there \
                     when it ends: reload then, rather than pay for the same Cost Explorer pages twice"
                ),
            ),
            LeaseWork::Import => Error::conflict(
                crate::error::Conflict::ImportRunning,
                format!(
                    "{customer}'s costs are being written by an import or a removal of imported costs ({who}, \
                     started {since}); try again when it is done"
                ),
            ),
        }
    }

    /// The reason a run over every customer records for a customer this lease holds.
    pub fn skipped_reason(&self) -> &'static str {
        match self.work {
            LeaseWork::Fetch => LEASED_REASON,
            LeaseWork::Import => IMPORT_LEASED_REASON,
        }
    }
}

/// Whether a lease found at `now` may be taken over: it expired (its run died).
pub fn lease_expired(lease: &Lease, now: OffsetDateTime) -> bool {
    lease.expires_at <= now
}

/// What a payer's last fetch leaves the next one: where it ended (exclusive), in which metric, and
/// the first day Cost Explorer still flagged estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreviousFetch {
    pub through: Date,
    pub metric: CostMetric,
    pub estimated_from: Option<Date>,
}

/// The billing service: runs fetches, lists runs, and reads organisation facts ([`super::org`]).
pub struct Billing {
    pub(super) items: Arc<dyn ItemStore>,
    pub(super) hub: Arc<Hub>,
    pub(super) ports: BillingPorts,
    pub(super) clock: Clock,
    pub(super) config: BillingConfig,
}

/// What the last run that covered `customer` did for it (`BILLING#{customer}` / `LASTFETCH`);
/// `None` before any.
pub async fn last_fetch(items: &dyn ItemStore, customer: &CustomerCode) -> Result<Option<LastFetch>> {
    match items
        .get(&keys::billing(customer.as_str()), keys::BILLING_LAST_FETCH)
        .await?
    {
        Some(item) => Ok(Some(decode(item)?)),
        None => Ok(None),
    }
}

/// The first day Cost Explorer still has for `today`: the first of the month 13 months back.
pub fn earliest_day(today: Date) -> Date {
    let months = today.year() * 12 + (today.month() as i32 - 1) - 13;
    let (year, month) = (months.div_euclid(12), months.rem_euclid(12) as u8 + 1);
    Date::from_calendar_date(year, Month::try_from(month).unwrap_or(Month::January), 1).unwrap_or(today)
}

/// The period to fetch, `[start, end)` with `end` = today: a backfill of `backfill_days` when
/// nothing was fetched; the whole window Cost Explorer keeps ([`earliest_day`]) when the last
/// fetch was in another metric (so every fetched cell it still has is rewritten in the customer's
/// metric: charts and detection do not mix the two); else the last `refetch_days` before today, or
/// from the end of the last fetch when that is earlier (runs were missed: no gap is left), or from
/// the first day the last fetch found still estimated *in a month that has ended* when that is
/// earlier still; never before [`earliest_day`].
///
/// Cost Explorer flags the whole open month estimated until its bill closes, a few days into the
/// next month. Chasing those days every day would read the month again daily (a page per several
/// days at USD 0.01 each, against the "about one request per payer a day"); so the open
/// month's estimated days are read again only within `refetch_days`, and once the month is over
/// its estimated days are read from the first of them until Cost Explorer answers them as final
/// (the first few runs of a month).
pub fn window(today: Date, last: Option<PreviousFetch>, metric: CostMetric, cfg: &BillingConfig) -> (Date, Date, bool) {
    let refetch = Duration::days(cfg.refetch_days.into());
    let (start, backfill) = match last {
        Some(l) if l.metric == metric => {
            let start = (today - refetch).min(l.through);
            let closed = l
                .estimated_from
                .filter(|e| super::costs::month_start(*e) < super::costs::month_start(today));
            (closed.map_or(start, |e| start.min(e)), false)
        }
        Some(_) => (earliest_day(today), true),
        None => (today - Duration::days(cfg.backfill_days.into()), true),
    };
    (start.max(earliest_day(today)), today, backfill)
}

impl Billing {
    pub fn new(
        items: Arc<dyn ItemStore>,
        hub: Arc<Hub>,
        ports: BillingPorts,
        clock: Clock,
        config: BillingConfig,
    ) -> Self {
        Billing {
            items,
            hub,
            ports,
            clock,
            config,
        }
    }

    /// An admin's run for one customer or all: 403 for anyone else, 404 for an unknown customer,
    /// 409 `fetch_running` while another run fetches the customer. Audited
    /// (`billing_fetch_started`: who, the run, the scope) with the run's first record.
    pub async fn run_as(&self, who: &Principal, scope: Scope) -> Result<BillingRun> {
        who.require(Role::Admin, "fetching billing data")?;
        self.run(
            scope,
            Trigger::Admin {
                email: who.email.to_string(),
            },
        )
        .await
    }

    /// Runs a fetch over `scope` and records it. Errors only when the run cannot start or be
    /// recorded (an unknown customer, the store down); a customer's failure is in its entry.
    pub async fn run(&self, scope: Scope, trigger: Trigger) -> Result<BillingRun> {
        let snap = self.hub.snapshot().await?;
        let customers: Vec<Customer> = match &scope {
            Scope::All => snap.customers.clone(),
            Scope::Customer(code) => vec![
                snap.customer(code.as_str())
                    .cloned()
                    .ok_or_else(|| Error::not_found("customer", code.as_str()))?,
            ],
        };
        let started_at = self.clock.now();
        let id = new_ulid().to_string();
        // An admin's run of one customer: refused, before anything is recorded, while another
        // run holds its lease.
        let mut held: Option<u64> = None;
        if let Scope::Customer(code) = &scope {
            match self.take_lease(code, &id, &trigger).await? {
                Ok(version) => held = Some(version),
                Err(other) => return Err(other.refusal(code)),
            }
        }
        let mut run = BillingRun {
            id,
            trigger,
            started_at,
            finished_at: None,
            customers: vec![],
            requests: 0,
            cost_usd: 0.0,
            cells_written: 0,
            failed: 0,
            skipped: 0,
        };
        // A person's run (an admin's through the API, or `cc jobs run`) is audited (who, the
        // scope) in the transaction that first records it.
        let audit = match run.trigger.person() {
            Some(person) => {
                let (customer, what) = match &scope {
                    Scope::Customer(code) => (code.as_str(), format!("customer {code}")),
                    Scope::All => ("", "every customer".to_string()),
                };
                let mut event = crate::audit::AuditEvent::new(person, "billing_fetch_started", customer, started_at)
                    .origin(&crate::audit::current_origin())
                    .before_after(None, Some(serde_json::json!({"run": run.id, "scope": what})));
                event.detail = match &run.trigger {
                    Trigger::Manual { .. } => format!("fetch run {} of {what} (cc jobs run)", run.id),
                    _ => format!("fetch run {} of {what}", run.id),
                };
                Some(event.item())
            }
            None => None,
        };
        if let Err(e) = self.save_run_with(&run, audit).await {
            if let (Some(version), Scope::Customer(code)) = (held, &scope) {
                self.release_lease(code, version).await;
            }
            return Err(e);
        }
        let work: Vec<(Customer, Vec<Account>)> = customers
            .into_iter()
            .map(|c| {
                let accounts = snap.accounts.iter().filter(|a| a.customer == c.code).cloned().collect();
                (c, accounts)
            })
            .collect();
        let explicit = matches!(scope, Scope::Customer(_));
        let mut results: Vec<CustomerFetch> = futures::stream::iter(work)
            .map(|(c, accounts)| {
                let (run_id, trigger) = (&run.id, &run.trigger);
                async move {
                    let version = match held {
                        Some(v) => v,
                        None => match self.take_lease(&c.code, run_id, trigger).await {
                            Ok(Ok(v)) => v,
                            Ok(Err(other)) => {
                                return vec![CustomerFetch::new(&c.code, None).skipped(other.skipped_reason())];
                            }
                            Err(e) => {
                                let mut entry = CustomerFetch::new(&c.code, None);
                                entry.status = FetchStatus::Failed;
                                entry.reason = Some(format!("taking the customer's fetch lease: {e}"));
                                return vec![entry];
                            }
                        },
                    };
                    let out = self.fetch_customer(&c, &accounts, explicit).await;
                    self.release_lease(&c.code, version).await;
                    out
                }
            })
            .buffer_unordered(self.config.concurrency.max(1))
            .collect::<Vec<Vec<CustomerFetch>>>()
            .await
            .into_iter()
            .flatten()
            .collect();
        results.sort_by(|a, b| (&a.customer, &a.payer).cmp(&(&b.customer, &b.payer)));
        run.requests = results.iter().map(|r| r.requests).sum();
        run.cost_usd = cents(f64::from(run.requests) * USD_PER_REQUEST);
        run.cells_written = results.iter().map(|r| r.cells_written).sum();
        run.failed = results.iter().filter(|r| r.status == FetchStatus::Failed).count();
        run.skipped = results.iter().filter(|r| r.status == FetchStatus::Skipped).count();
        run.customers = results;
        run.finished_at = Some(self.clock.now());
        self.save_run(&run).await?;
        self.save_last_fetches(&run).await?;
        tracing::info!(
            run = %run.id,
            customers = run.customers.len(),
            failed = run.failed,
            skipped = run.skipped,
            requests = run.requests,
            cells = run.cells_written,
            "billing fetch done"
        );
        Ok(run)
    }

    /// Takes `customer`'s lease for fetch run `run`: `Ok(version written)`, or `Err(the lease
    /// another live run or import holds)`. A lease past its expiry is taken over (a write
    /// conditional on the version read); a lost race reads again.
    pub async fn take_lease(
        &self,
        customer: &CustomerCode,
        run: &str,
        trigger: &Trigger,
    ) -> Result<std::result::Result<u64, Lease>> {
        self.take_lease_for(customer, run, trigger, LeaseWork::Fetch).await
    }

    /// [`Self::take_lease`] for `work` (a fetch, or an import).
    pub async fn take_lease_for(
        &self,
        customer: &CustomerCode,
        run: &str,
        trigger: &Trigger,
        work: LeaseWork,
    ) -> Result<std::result::Result<u64, Lease>> {
        let pk = keys::billing(customer.as_str());
        for _ in 0..crate::error::MAX_ATTEMPTS {
            let now = self.clock.now();
            let found = self.items.get(&pk, keys::BILLING_FETCH_LEASE).await?;
            let read = match found {
                None => 0,
                Some(item) => {
                    let version = item.version;
                    let lease: Lease = decode(item)?;
                    if !lease_expired(&lease, now) {
                        return Ok(Err(lease));
                    }
                    tracing::warn!(%customer, run = %lease.run, "taking over an expired billing fetch lease");
                    version
                }
            };
            let lease = Lease {
                run: run.to_string(),
                trigger: trigger.clone(),
                taken_at: now,
                expires_at: now + Duration::seconds(LEASE_SECONDS),
                work,
            };
            let item = Item::new(pk.clone(), keys::BILLING_FETCH_LEASE, encode(&lease)?);
            match self.items.transact(vec![Write::at_version(item, read)]).await {
                Ok(()) => return Ok(Ok(read + 1)),
                Err(crate::store::StoreError::ConditionFailed) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::conflict(
            crate::error::Conflict::Version,
            format!("the fetch lease of {customer} kept changing"),
        ))
    }

    /// Releases the lease taken at `version`. One taken over meanwhile (this run outlived its
    /// lease) is left to its new holder; a failure is logged (the lease expires on its own).
    pub async fn release_lease(&self, customer: &CustomerCode, version: u64) {
        let delete = Write::Delete {
            pk: keys::billing(customer.as_str()),
            sk: keys::BILLING_FETCH_LEASE.to_string(),
            expected: Some(version),
        };
        match self.items.transact(vec![delete]).await {
            Ok(()) | Err(crate::store::StoreError::ConditionFailed) => {}
            Err(e) => {
                tracing::warn!(%customer, error = %e, "releasing the billing fetch lease failed; it expires on its own")
            }
        }
    }

    /// The runs, newest first (`limit` 1-200, default 50).
    pub async fn list_runs(&self, who: &Principal, page: &PageRequest) -> Result<Listed<BillingRun>> {
        who.require_any_role()?;
        let scope = crate::page::scope("billing-runs", &());
        let query = Query::partition(Index::Primary, keys::BILLING_RUNS).descending();
        crate::page::query_page(self.items.as_ref(), query, &scope, page).await
    }

    /// Each covered customer's entries of `run`, replacing the previous run's.
    async fn save_last_fetches(&self, run: &BillingRun) -> Result<()> {
        let mut by_customer: std::collections::BTreeMap<&CustomerCode, Vec<CustomerFetch>> = Default::default();
        for f in &run.customers {
            by_customer.entry(&f.customer).or_default().push(f.clone());
        }
        let writes = by_customer
            .into_iter()
            .map(|(customer, entries)| {
                let last = LastFetch {
                    run: run.id.clone(),
                    trigger: run.trigger.clone(),
                    at: run.finished_at.unwrap_or(run.started_at),
                    entries,
                };
                Ok(Write::Put(Item::new(
                    keys::billing(customer.as_str()),
                    keys::BILLING_LAST_FETCH,
                    encode(&last)?,
                )))
            })
            .collect::<Result<Vec<_>>>()?;
        for chunk in writes.chunks(crate::store::MAX_TRANSACTION_WRITES) {
            self.items.transact(chunk.to_vec()).await?;
        }
        Ok(())
    }

    /// What the last run that covered `customer` did for it; `None` before any.
    pub async fn last_fetch(&self, customer: &CustomerCode) -> Result<Option<LastFetch>> {
        last_fetch(self.items.as_ref(), customer).await
    }

    async fn save_run(&self, run: &BillingRun) -> Result<()> {
        self.save_run_with(run, None).await
    }

    /// Records `run`, with `also` (its audit event) in the same transaction.
    async fn save_run_with(&self, run: &BillingRun, also: Option<Item>) -> Result<()> {
        let item = Item::new(
            keys::BILLING_RUNS,
            keys::billing_run(run.started_at, &run.id),
            encode(run)?,
        );
        let mut writes = vec![Write::Put(item)];
        writes.extend(also.map(Write::Put));
        self.items.transact(writes).await?;
        Ok(())
    }

    /// One customer: an entry per management account (usually one), or one skipped entry.
    async fn fetch_customer(&self, customer: &Customer, accounts: &[Account], explicit: bool) -> Vec<CustomerFetch> {
        let code = &customer.code;
        if customer.status == CustomerStatus::Offboarded && !explicit {
            return vec![CustomerFetch::new(code, None).skipped("the customer is offboarded")];
        }
        let payers: Vec<&Account> = accounts.iter().filter(|a| a.management_account).collect();
        if payers.is_empty() {
            return vec![
                CustomerFetch::new(code, None)
                    .skipped("no management (payer) account in the hub: mark the organisation's management account"),
            ];
        }
        let mut out = Vec::with_capacity(payers.len());
        for payer in payers {
            let entry = CustomerFetch::new(code, Some(&payer.id));
            let AccessMethod::Role {
                read_role_arn,
                external_id,
                ..
            } = &payer.access
            else {
                out.push(entry.skipped(format!(
                    "management account {} is reached through SSO: Cost Explorer needs a read role (access method \
                     `role`)",
                    payer.id
                )));
                continue;
            };
            let role = ReadRole {
                role_arn: read_role_arn.clone(),
                external_id: Some(external_id.clone()),
                session_name: SESSION_NAME.into(),
            };
            let mut entry = self.fetch_payer(code, &payer.id, &role, entry).await;
            entry.organization = Some(self.refresh_organization(code, &role, accounts).await);
            out.push(entry);
        }
        // Detection once per customer, over what every payer stored: yesterday is the last
        // complete day. A failure is the customer's (its last entry), not the run's.
        if out.iter().any(|e| e.status == FetchStatus::Ok) {
            let now = self.clock.now();
            match super::store::detect(self.items.as_ref(), code, now.date() - Duration::days(1), now).await {
                Ok(raised) => {
                    if let Some(e) = out.iter_mut().rfind(|e| e.status == FetchStatus::Ok) {
                        e.anomalies_raised = raised.len();
                    }
                }
                Err(err) => {
                    tracing::warn!(customer = %code, error = %err, "cost-jump detection failed");
                    if let Some(e) = out.iter_mut().rfind(|e| e.status == FetchStatus::Ok) {
                        e.status = FetchStatus::Failed;
                        e.reason = Some(format!("costs stored; cost-jump detection failed: {err}"));
                    }
                }
            }
        }
        out
    }

    async fn fetch_payer(
        &self,
        code: &CustomerCode,
        payer: &AccountId,
        role: &ReadRole,
        mut entry: CustomerFetch,
    ) -> CustomerFetch {
        let result = self.fetch_costs(code, payer, role, &mut entry).await;
        entry.cost_usd = cents(f64::from(entry.requests) * USD_PER_REQUEST);
        if let Err(reason) = result {
            tracing::warn!(customer = %code, payer = %payer, %reason, "billing fetch failed");
            entry.status = FetchStatus::Failed;
            entry.reason = Some(reason);
        }
        entry
    }

    /// Fetches and stores the window's pages; the error is the reason recorded.
    async fn fetch_costs(
        &self,
        code: &CustomerCode,
        payer: &AccountId,
        role: &ReadRole,
        entry: &mut CustomerFetch,
    ) -> std::result::Result<(), String> {
        let metric = settings::get(self.items.as_ref(), code)
            .await
            .map_err(|e| format!("reading the billing settings: {e}"))?
            .metric;
        let state_key = (keys::billing(code.as_str()), keys::billing_fetched(payer.as_str()));
        let last = self
            .load_fetched(&state_key)
            .await
            .map_err(|e| format!("reading the last fetch: {e}"))?;
        let today = self.clock.now().date();
        let (start, end, backfill) = window(
            today,
            last.as_ref().map(|(f, _)| PreviousFetch {
                through: f.through,
                metric: f.metric,
                estimated_from: f.estimated_from,
            }),
            metric,
            &self.config,
        );
        entry.metric = Some(metric);
        entry.backfill = backfill;
        entry.period_start = Some(start);
        entry.period_end = Some(end);
        entry.days_fetched = (end - start).whole_days().max(0) as u32;
        let mut estimated = std::collections::BTreeSet::new();
        // What this payer reported for the period: its stored cells that are not among them were
        // revised away and are removed once every page is in.
        let mut accounts = std::collections::BTreeSet::new();
        let mut kept = std::collections::BTreeSet::new();
        let mut token: Option<String> = None;
        loop {
            if entry.requests >= MAX_PAGES {
                return Err(format!("more than {MAX_PAGES} pages; stopped"));
            }
            let query = CostQuery {
                start,
                end,
                metric,
                page_token: token.take(),
            };
            entry.requests += 1;
            let page = self
                .ports
                .costs
                .cost_page(role, &query)
                .await
                .map_err(|e: SourceError| format!("Cost Explorer GetCostAndUsage: {e}"))?;
            estimated.extend(page.estimated_days.iter().copied());
            // What a fetch writes is Cost Explorer's, whatever the adapter said: only such cells
            // are removed when Cost Explorer stops reporting them.
            let mut page = page;
            for c in &mut page.costs {
                c.source = costs::CellSource::CostExplorer;
            }
            for c in &page.costs {
                accounts.insert(c.account.clone());
                kept.insert((c.account.clone(), c.service.clone(), c.day));
            }
            entry.cells_written += costs::upsert(self.items.as_ref(), code, &page.costs)
                .await
                .map_err(|e| format!("storing daily costs: {e}"))?;
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        entry.estimated_days = estimated.len() as u32;
        if start < end {
            let period = (start, end - Duration::days(1));
            entry.cells_removed = costs::remove_missing(self.items.as_ref(), code, period, &accounts, &kept)
                .await
                .map_err(|e| format!("removing revised daily costs: {e}"))?;
        }
        let estimated_from = estimated.first().copied();
        self.save_fetched(
            &state_key,
            (end, metric, estimated_from),
            last.map(|(_, v)| v).unwrap_or(0),
        )
        .await
        .map_err(|e| format!("recording the fetch: {e}"))
    }

    /// Whether the next fetch of `customer` backfills the whole window Cost Explorer keeps in
    /// `metric` ([`window`]): a payer of the customer (a management account in the hub) was last
    /// fetched in another metric.
    pub(super) async fn backfill_pending(&self, customer: &CustomerCode, metric: CostMetric) -> Result<bool> {
        let snap = self.hub.snapshot().await?;
        for payer in snap
            .accounts
            .iter()
            .filter(|a| &a.customer == customer && a.management_account)
        {
            let key = (
                keys::billing(customer.as_str()),
                keys::billing_fetched(payer.id.as_str()),
            );
            if self.load_fetched(&key).await?.is_some_and(|(f, _)| f.metric != metric) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn load_fetched(&self, (pk, sk): &(String, String)) -> Result<Option<(Fetched, u64)>> {
        match self.items.get(pk, sk).await? {
            Some(item) => {
                let version = item.version;
                Ok(Some((decode(item)?, version)))
            }
            None => Ok(None),
        }
    }

    /// Records the fetch, conditional on the version read; a run that finished meanwhile (lost
    /// race) keeps whichever reached further.
    async fn save_fetched(
        &self,
        key: &(String, String),
        (through, metric, estimated_from): (Date, CostMetric, Option<Date>),
        read: u64,
    ) -> Result<()> {
        let mut read = read;
        for _ in 0..crate::error::MAX_ATTEMPTS {
            let state = Fetched {
                through,
                metric,
                at: self.clock.now(),
                estimated_from,
                version: 0,
            };
            let item = Item::new(key.0.clone(), key.1.clone(), encode(&state)?);
            match self.items.transact(vec![Write::at_version(item, read)]).await {
                Ok(()) => return Ok(()),
                Err(crate::store::StoreError::ConditionFailed) => match self.load_fetched(key).await? {
                    Some((other, _)) if other.metric == metric && other.through >= through => return Ok(()),
                    Some((_, v)) => read = v,
                    None => read = 0,
                },
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::conflict(
            crate::error::Conflict::Version,
            "the fetch record kept changing; the next run fetches again",
        ))
    }
}

/// Rounds money to cents (for sums of USD 0.01 steps that floats would print as 0.30000000000000004).
fn cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn cost_explorer_keeps_13_months_plus_the_current_one() {
        assert_eq!(earliest_day(date!(2026 - 03 - 15)), date!(2025 - 02 - 01));
        assert_eq!(earliest_day(date!(2026 - 01 - 01)), date!(2024 - 12 - 01));
        assert_eq!(earliest_day(date!(2026 - 12 - 31)), date!(2025 - 11 - 01));
    }

    #[test]
    fn windows_backfill_first_then_refetch_the_last_days() {
        let cfg = BillingConfig::default();
        let today = date!(2026 - 03 - 15);
        let unblended = CostMetric::UnblendedCost;
        assert_eq!(
            window(today, None, unblended, &cfg),
            (date!(2025 - 12 - 15), today, true)
        );
        let last = |through, metric| {
            Some(PreviousFetch {
                through,
                metric,
                estimated_from: None,
            })
        };
        // Daily: the last 3 days, today excluded.
        let last_14 = last(date!(2026 - 03 - 14), unblended);
        assert_eq!(
            window(today, last_14, unblended, &cfg),
            (date!(2026 - 03 - 12), today, false)
        );
        // Runs missed for a week: from where the last one ended.
        assert_eq!(
            window(today, last(date!(2026 - 03 - 08), unblended), unblended, &cfg),
            (date!(2026 - 03 - 08), today, false)
        );
        // Days the last run found still estimated: in the open month, only the usual last days
        // (Cost Explorer keeps the open month estimated; chasing it would read it daily); in a
        // month that has ended, from the first of them until Cost Explorer answers them as final.
        let estimated = |from| {
            Some(PreviousFetch {
                estimated_from: Some(from),
                ..last_14.unwrap()
            })
        };
        assert_eq!(
            window(today, estimated(date!(2026 - 03 - 01)), unblended, &cfg).0,
            date!(2026 - 03 - 12)
        );
        assert_eq!(
            window(today, estimated(date!(2026 - 02 - 03)), unblended, &cfg),
            (date!(2026 - 02 - 03), today, false)
        );
        assert_eq!(
            window(today, estimated(date!(2026 - 03 - 13)), unblended, &cfg).0,
            date!(2026 - 03 - 12)
        );
        // Another metric: the whole window Cost Explorer keeps, again (every fetched cell in the
        // new metric), whatever the usual backfill.
        assert_eq!(
            window(
                today,
                last(date!(2026 - 03 - 14), CostMetric::AmortizedCost),
                unblended,
                &cfg
            ),
            (date!(2025 - 02 - 01), today, true)
        );
        // Never before what Cost Explorer keeps (a longer backfill than the configuration allows).
        let long = BillingConfig {
            backfill_days: 500,
            ..cfg
        };
        assert_eq!(
            window(date!(2026 - 03 - 01), None, unblended, &long).0,
            date!(2025 - 02 - 01)
        );
    }
}
