//! What the reports API and the monthly schedule ask of the domain, with their authorisation.
//!
//! **Who may do what.** Any role reads every report (as in the hub and billing: the team sees every
//! customer). Building one on demand, with a summary, is for the people on the customer's team
//! (any role: they know the month and write its summary) and for leads and admins (DOMAIN.md:
//! leads and admins act across customers); the schedule builds for every active customer that has
//! not turned reports off in its report settings.
//!
//! **Building.** The snapshot is gathered ([`super::gather`]) and rendered; the outputs are
//! written to the object store first, then the version's item is created with a conditional put,
//! in one transaction with its audit event (`report_built`). Two builds of the same month at once
//! both read the same latest number; the one whose put fails re-reads and takes the next number
//! (re-rendering the HTML, which shows its number), so neither is lost. An attempt that lost the
//! race leaves its HTML object version unreferenced: harmless, and never listed.
//!
//! **Outputs rendered later.** In AWS the PDF is not rendered by the build: Typst would make the
//! `report-build` and `jobs` functions several times their size budget (issue #16). The build lists
//! it as pending on the new version; the version's item reaching the table's stream starts the
//! `report-pdf` function, which calls [`Reports::render_pending`]. `cc serve` renders every output in
//! the build.

use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use time::{Date, OffsetDateTime};

use super::month::ReportMonth;
use super::ports::Renderer;
use super::ports::ReportPorts;
use super::snapshot::Snapshot;
use super::store::{self, MonthReports, PendingOutput, ReportOutput, ReportVersion, SectionState};
use super::{BuildInfo, Trigger, findings, gather, html, sections};
use crate::clock::Clock;
use crate::config::ReportsConfig;
use crate::error::{Conflict, Error, Result};
use crate::hub::{Account, Customer, CustomerStatus, Hub};
use crate::identity::{Principal, Role};
use crate::ids::{CustomerCode, new_ulid};
use crate::keys;
use crate::page::{Listed, PageRequest};
use crate::store::{Index, Item, ItemStore, ObjectStore, Query, StoreError, Write};
use crate::utilisation::usage::UsageRules;

/// How long a download link works.
pub const LINK_SECONDS: u64 = 15 * 60;

/// How long after its build a pending output is still expected (a render takes seconds; the
/// stream's records live an hour, `MaximumRecordAgeInSeconds` in the stacks). Past it, the output is
/// reported as not rendered, and a new build is the way on.
pub const RENDER_EXPECTED_SECONDS: i64 = 15 * 60;

/// The reason the schedule's builds record.
pub const SCHEDULE_REASON: &str = "monthly schedule";

/// The reports service.
pub struct Reports {
    items: Arc<dyn ItemStore>,
    objects: Arc<dyn ObjectStore>,
    hub: Arc<Hub>,
    ports: ReportPorts,
    clock: Clock,
    config: ReportsConfig,
    rules: UsageRules,
}

/// A time-limited link to one output of one version.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct DownloadLink {
    pub format: String,
    pub content_type: String,
    /// A presigned S3 URL in AWS; the local server's signed `/local/objects/...` route locally.
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// What changed between two versions' snapshots.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ReportDiff {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub month: ReportMonth,
    pub from: u32,
    pub to: u32,
    /// In document order; empty when the two snapshots are the same.
    pub changes: Vec<super::diff::Change>,
}

/// What one run of the schedule did for one customer.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CustomerBuild {
    #[schema(value_type = String)]
    pub customer: CustomerCode,
    pub status: BuildStatus,
    /// The version built.
    pub version: Option<u32>,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BuildStatus {
    Built,
    Skipped,
    Failed,
}

/// One run of the `reports.monthly` job (`REPORTRUN` / `{started}#{id}`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct MonthlyRun {
    pub id: String,
    pub month: ReportMonth,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub finished_at: OffsetDateTime,
    pub built: u32,
    pub skipped: u32,
    pub failed: u32,
    /// Every customer of the hub, by code.
    pub customers: Vec<CustomerBuild>,
    /// Who started the run: the schedule, or a person with `cc jobs run reports.monthly`.
    #[serde(default = "schedule")]
    pub trigger: crate::trigger::Trigger,
}

fn schedule() -> crate::trigger::Trigger {
    crate::trigger::Trigger::Schedule
}

/// What the schedule did when it ran.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MonthlyOutcome {
    /// Before the configured day: nothing built (`CC_REPORTS_DAY`).
    Waiting { month: ReportMonth, from: Date },
    /// A run: recorded when it built or failed anything (a run that only skipped is not).
    Ran { run: MonthlyRun, recorded: bool },
}

impl Reports {
    pub fn new(
        items: Arc<dyn ItemStore>,
        objects: Arc<dyn ObjectStore>,
        hub: Arc<Hub>,
        ports: ReportPorts,
        clock: Clock,
        config: ReportsConfig,
    ) -> Self {
        Reports {
            items,
            objects,
            hub,
            ports,
            clock,
            config,
            rules: UsageRules::default(),
        }
    }

    fn today(&self) -> Date {
        self.clock.now().date()
    }

    /// The customer and its accounts (by id), or 404.
    async fn customer(&self, code: &CustomerCode) -> Result<(Customer, Vec<Account>)> {
        let snap = self.hub.snapshot().await?;
        let c = snap
            .customer(code.as_str())
            .cloned()
            .ok_or_else(|| Error::not_found("customer", code.as_str()))?;
        let mut accounts: Vec<Account> = snap.accounts.iter().filter(|a| &a.customer == code).cloned().collect();
        accounts.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        Ok((c, accounts))
    }

    /// A month whose report may be built: it has ended (UTC).
    pub fn check_closed(&self, month: ReportMonth) -> Result<()> {
        let today = self.today();
        if month.closed_on(today) {
            return Ok(());
        }
        let when = if month.first_day() > today {
            "is in the future"
        } else {
            "has not ended yet"
        };
        Err(Error::validation(
            "month",
            format!(
                "{} {when} (today is {today}, UTC): a report covers a month that has ended; the latest you can build \
                 is {}",
                month,
                ReportMonth::just_closed(today)
            ),
        ))
    }

    /// Whether `who` may build `customer`'s reports: on its team, or a lead or admin.
    async fn may_build(&self, who: &Principal, customer: &CustomerCode) -> Result<()> {
        who.require_any_role()?;
        if who.has(Role::Lead) || who.has(Role::Admin) {
            return Ok(());
        }
        if self.hub.customers_of(&who.email).await?.contains(customer) {
            return Ok(());
        }
        Err(Error::Forbidden(format!(
            "building {customer}'s report needs a place on its team, or the lead or admin role"
        )))
    }

    /// Builds a customer's report of a closed month now, as `who` (see the module on who may).
    /// `summary`: markdown (at most 20,000 characters); `None` keeps the newest version's summary,
    /// `Some("")` builds without one. `reason`: why, one line of at most 200 characters.
    ///
    /// Errors: 404 unknown customer; 403 when `who` may not build it; 400 for a month that has not
    /// ended (or is in the future), a summary too long or with control characters, a bad reason.
    pub async fn build_as(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        month: ReportMonth,
        summary: Option<&str>,
        reason: Option<&str>,
    ) -> Result<ReportVersion> {
        who.require_any_role()?;
        let (c, accounts) = self.customer(customer).await?;
        self.may_build(who, customer).await?;
        self.check_closed(month)?;
        let summary = summary.map(sections::normalise_summary).transpose()?;
        let reason = reason.map(str::trim).unwrap_or_default();
        crate::text::line("reason", reason, 0, 200)?;
        let summary = match summary {
            Some(s) => Some(s),
            None => store::latest(self.items.as_ref(), customer, month)
                .await?
                .and_then(|v| v.summary),
        };
        let reason = if reason.is_empty() { "on demand" } else { reason };
        self.build(
            &c,
            &accounts,
            month,
            summary.as_deref(),
            Trigger::Person {
                email: who.email.to_string(),
            },
            reason,
        )
        .await
    }

    /// The customer's latest imported findings, if any ([`super::findings`]).
    pub async fn imported_findings(&self, customer: &CustomerCode) -> Result<Option<findings::FindingsImport>> {
        let Some(o) = self.objects.get(&findings::key(customer), None).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&o.body)
            .map(Some)
            .map_err(|e| Error::Internal(anyhow::anyhow!("stored findings import of {customer}: {e}")))
    }

    /// Stores `import` as the newest version of its customer's import object (no checks: the
    /// import route and the demo call it).
    pub(crate) async fn store_import(&self, import: &findings::FindingsImport) -> Result<crate::store::ObjectVersion> {
        let json = serde_json::to_vec(import).map_err(|e| Error::Internal(e.into()))?;
        Ok(self
            .objects
            .put(
                &findings::key(&import.customer),
                Bytes::from(json),
                "application/json",
                Default::default(),
            )
            .await?)
    }

    /// Imports an ASFF export (`body`: `{"Findings":[...]}` or an array) as `customer`'s findings,
    /// for the reports of a customer without a read role. For leads and admins. Checked whole
    /// first (see [`findings::parse`]); stored as a new version of the customer's import object,
    /// then audited (`findings_imported`).
    ///
    /// Errors: 403 without the lead or admin role; 404 unknown customer; 400 for a body over
    /// [`findings::MAX_IMPORT_BYTES`], malformed ASFF (naming the finding and field), a finding of
    /// another customer's account, a file name that is not one line of at most 200 characters.
    pub async fn import_findings(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        file_name: Option<&str>,
        body: &[u8],
    ) -> Result<findings::FindingsImportSummary> {
        who.require_any_role()?;
        if !(who.has(Role::Lead) || who.has(Role::Admin)) {
            return Err(Error::Forbidden(
                "importing Security Hub findings needs the lead or admin role".into(),
            ));
        }
        let (_, accounts) = self.customer(customer).await?;
        let file_name = file_name.map(str::trim).filter(|f| !f.is_empty());
        if let Some(f) = file_name {
            crate::text::line("file_name", f, 1, 200)?;
        }
        if body.len() > findings::MAX_IMPORT_BYTES {
            return Err(Error::validation(
                "file",
                format!(
                    "{} bytes; an export may be at most {} bytes (filter it, e.g. by RecordState ACTIVE)",
                    body.len(),
                    findings::MAX_IMPORT_BYTES
                ),
            ));
        }
        let ids = accounts.iter().map(|a| a.id.to_string()).collect();
        let (found, read, dropped) = findings::parse(body, &ids)?;
        let now = self.clock.now();
        let import = findings::FindingsImport {
            customer: customer.clone(),
            imported_by: who.email.to_string(),
            imported_at: now,
            file_name: file_name.map(String::from),
            read,
            dropped,
            findings: found,
        };
        let stored = self.store_import(&import).await?;
        let summary = findings::FindingsImportSummary::from(&import);
        let mut event = crate::audit::AuditEvent::new(who.email.as_str(), "findings_imported", customer.as_str(), now)
            .origin(&crate::audit::current_origin())
            .before_after(
                None,
                Some(serde_json::json!({
                    "file_name": summary.file_name, "read": read, "stored": summary.stored, "dropped": dropped,
                    "object_version": stored.version_id,
                })),
            );
        event.detail = format!(
            "{} imported {} Security Hub findings ({} read, {} archived or suppressed)",
            who.email, summary.stored, read, dropped
        );
        self.items.put_new(event.item()).await?;
        tracing::info!(customer = %customer, stored = summary.stored, "findings imported");
        Ok(summary)
    }

    /// Builds and stores a new version (no authorisation: the schedule, the demo and
    /// [`Self::build_as`] call it). See the module for how versions are numbered.
    pub async fn build(
        &self,
        customer: &Customer,
        accounts: &[Account],
        month: ReportMonth,
        summary: Option<&str>,
        trigger: Trigger,
        reason: &str,
    ) -> Result<ReportVersion> {
        let code = &customer.code;
        let imported = self.imported_findings(code).await?;
        let snapshot = gather::snapshot(
            self.items.as_ref(),
            &self.ports,
            imported.as_ref(),
            customer,
            accounts,
            month,
            summary,
            &self.rules,
        )
        .await?;
        let build_id = new_ulid().to_string();
        let built_at = self.clock.now();
        let json = serde_json::to_vec_pretty(&snapshot).map_err(|e| Error::Internal(e.into()))?;
        let json = self
            .put(code, month, "json", "application/json", &build_id, None, json)
            .await?;
        let sections = snapshot
            .section_status()
            .into_iter()
            .map(|(name, ready)| SectionState {
                section: name.to_string(),
                ready,
                missing: missing_reason(&snapshot, name),
            })
            .collect::<Vec<_>>();
        // The last number tried: a read that lags a write (an index, an eventually consistent
        // query) can never make a build try the same number twice.
        let mut tried = 0;
        for attempt in 0..crate::error::MAX_ATTEMPTS {
            if attempt > 0 {
                // Racing builds spread out (1 ms plus up to 4·2^attempt ms).
                let jitter = rand::random::<u64>() % (4 << attempt.min(5));
                tokio::time::sleep(std::time::Duration::from_millis(1 + jitter)).await;
            }
            let latest = store::latest(self.items.as_ref(), code, month)
                .await?
                .map_or(0, |v| v.version);
            let version = latest.max(tried) + 1;
            tried = version;
            let info = BuildInfo {
                version,
                built_at,
                trigger: trigger.clone(),
                reason: reason.to_string(),
            };
            let mut outputs = vec![json.clone()];
            let page = html::render(&snapshot, &info);
            outputs.push(
                self.put(
                    code,
                    month,
                    "html",
                    "text/html; charset=utf-8",
                    &build_id,
                    Some(version),
                    page.into_bytes(),
                )
                .await?,
            );
            for r in self
                .ports
                .renderers
                .iter()
                .filter(|r| !self.ports.deferred.contains(&r.format()))
            {
                let bytes = render(r, &snapshot, &info)
                    .await
                    .map_err(|e| Error::Internal(e.context(format!("rendering the {}", r.format()))))?;
                outputs.push(
                    self.put(
                        code,
                        month,
                        r.format(),
                        r.content_type(),
                        &build_id,
                        Some(version),
                        bytes,
                    )
                    .await?,
                );
            }
            let record = ReportVersion {
                customer: code.clone(),
                month,
                version,
                build_id: build_id.clone(),
                built_at,
                trigger: trigger.clone(),
                reason: reason.to_string(),
                summary: summary.map(String::from),
                schema: snapshot.schema,
                sections: sections.clone(),
                outputs,
                pending: self
                    .ports
                    .deferred
                    .iter()
                    .map(|f| PendingOutput {
                        format: f.to_string(),
                        error: None,
                    })
                    .collect(),
            };
            let (actor, by) = match &trigger {
                Trigger::Schedule => ("system".to_string(), "the monthly schedule".to_string()),
                Trigger::Person { email } => (email.clone(), email.clone()),
            };
            let mut event = crate::audit::AuditEvent::new(&actor, "report_built", code.as_str(), built_at)
                .origin(&crate::audit::current_origin())
                .before_after(
                    None,
                    Some(
                        serde_json::json!({"month": month, "version": version, "reason": reason, "build_id": build_id}),
                    ),
                );
            event.detail = format!("report {month} version {version} built by {by}: {reason}");
            match self
                .items
                .transact(vec![Write::PutNew(store::item(&record)?), Write::Put(event.item())])
                .await
            {
                Ok(()) => {
                    tracing::info!(customer = %code, %month, version, build = %build_id, "report built");
                    return Ok(record);
                }
                Err(StoreError::ConditionFailed) => {
                    tracing::info!(customer = %code, %month, version, "another build took this version number; taking the next");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::conflict(
            Conflict::Version,
            format!("too many builds of {code} {month} at once; try again"),
        ))
    }

    /// Renders the outputs a version still waits for ([`ReportPorts::deferred`]) with this
    /// process's renderers, from the version's own JSON snapshot and metadata (so the bytes are what
    /// a build that rendered them at once would have written), stores them as new object versions,
    /// and adds them to the version's item with a write conditional on the item's version (a
    /// concurrent change is re-read and the work not repeated). Idempotent: a version with nothing
    /// pending for these renderers is left alone. A renderer that fails records its error on the
    /// pending output (a new build tries again) instead of failing, since trying again would fail
    /// the same way.
    ///
    /// `Ok(None)`: no such version (deleted with its customer). Errors: the stores' (worth a retry).
    pub async fn render_pending(
        &self,
        customer: &CustomerCode,
        month: ReportMonth,
        version: u32,
    ) -> Result<Option<ReportVersion>> {
        let (pk, sk) = (
            keys::report(customer.as_str(), &month.to_string()),
            keys::report_version(version),
        );
        for _ in 0..crate::error::MAX_ATTEMPTS {
            let Some(item) = self.items.get(&pk, &sk).await? else {
                return Ok(None);
            };
            let read = item.version;
            let mut record = store::decode(item)?;
            let todo: Vec<_> = self
                .ports
                .renderers
                .iter()
                .filter(|r| record.pending(r.format()).is_some_and(|p| p.error.is_none()))
                .cloned()
                .collect();
            if todo.is_empty() {
                return Ok(Some(record));
            }
            let snapshot: Snapshot = self.snapshot_of(&record).await?;
            let info = record.build_info();
            for r in todo {
                match render(&r, &snapshot, &info).await {
                    Ok(bytes) => {
                        let out = self
                            .put(
                                customer,
                                month,
                                r.format(),
                                r.content_type(),
                                &record.build_id,
                                Some(version),
                                bytes,
                            )
                            .await?;
                        record.outputs.push(out);
                        record.pending.retain(|p| p.format != r.format());
                    }
                    Err(e) => {
                        tracing::error!(%customer, %month, version, format = r.format(), error = %format!("{e:#}"), "rendering failed");
                        if let Some(p) = record.pending.iter_mut().find(|p| p.format == r.format()) {
                            p.error = Some(format!("{e:#}"));
                        }
                    }
                }
            }
            match self.items.put_if_version(store::item(&record)?, read).await {
                Ok(()) => {
                    tracing::info!(%customer, %month, version, "pending report outputs rendered");
                    return Ok(Some(record));
                }
                Err(StoreError::ConditionFailed) => {
                    tracing::info!(%customer, %month, version, "the version changed while rendering; reading it again");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::conflict(
            Conflict::Version,
            format!("{customer} {month} version {version} kept changing while its outputs were rendered"),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    async fn put(
        &self,
        customer: &CustomerCode,
        month: ReportMonth,
        format: &str,
        content_type: &str,
        build_id: &str,
        version: Option<u32>,
        body: Vec<u8>,
    ) -> Result<ReportOutput> {
        let key = store::object_key(customer, month, format);
        let mut meta = std::collections::BTreeMap::from([
            ("customer".to_string(), customer.to_string()),
            ("month".to_string(), month.to_string()),
            ("build-id".to_string(), build_id.to_string()),
        ]);
        if let Some(v) = version {
            meta.insert("report-version".into(), v.to_string());
        }
        let stored = self
            .objects
            .put(&key, Bytes::from(body), content_type, meta)
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("writing {key}: {e}")))?;
        Ok(ReportOutput {
            format: format.to_string(),
            content_type: content_type.to_string(),
            key,
            version_id: stored.version_id,
            size: stored.size,
        })
    }

    // ---- reads -----------------------------------------------------------------------------------

    /// A customer's months with reports (newest first), or every customer's reports of one month
    /// (by customer), or one customer's one month; any role. At least one of the two is needed.
    ///
    /// Errors: 400 with neither; 404 for a customer that is not in the hub and has no reports.
    pub async fn list(
        &self,
        who: &Principal,
        customer: Option<&CustomerCode>,
        month: Option<ReportMonth>,
        page: &PageRequest,
    ) -> Result<Listed<MonthReports>> {
        who.require_any_role()?;
        let found = match (customer, month) {
            (None, None) => {
                return Err(Error::validation(
                    "customer",
                    "give a customer (its months), a month (every customer's), or both",
                ));
            }
            (Some(c), m) => {
                let all = store::months_of(self.items.as_ref(), c).await?;
                if all.is_empty() {
                    self.customer(c).await?;
                }
                all.into_iter().filter(|r| m.is_none_or(|m| r.month == m)).collect()
            }
            (None, Some(m)) => store::customers_in(self.items.as_ref(), m).await?,
        };
        let scope = crate::page::scope("reports", &(customer.map(|c| c.to_string()), month));
        let key = |r: &MonthReports| format!("{}#{}", r.customer, r.month);
        let order = if customer.is_some() {
            crate::page::Order::Descending
        } else {
            crate::page::Order::Ascending
        };
        let mut found: Vec<MonthReports> = found;
        match order {
            crate::page::Order::Descending => found.sort_by_key(|r| std::cmp::Reverse(key(r))),
            crate::page::Order::Ascending => found.sort_by_key(key),
        }
        crate::page::in_memory(found, page, &scope, order, key)
    }

    /// Every version of a customer's month, newest first (any role). 404 when there is none.
    pub async fn versions(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        month: ReportMonth,
    ) -> Result<Vec<ReportVersion>> {
        who.require_any_role()?;
        let found = store::versions(self.items.as_ref(), customer, month).await?;
        if found.is_empty() {
            return Err(self
                .not_found(customer, Error::not_found("report", format!("{customer} {month}")))
                .await);
        }
        Ok(found)
    }

    /// A version's stored JSON snapshot, read as `T` (the [`Snapshot`], or plain JSON for a diff).
    async fn snapshot_of<T: serde::de::DeserializeOwned>(&self, v: &ReportVersion) -> Result<T> {
        let what = format!("{} {} version {}", v.customer, v.month, v.version);
        let json = v
            .output("json")
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("{what} has no JSON snapshot")))?;
        serde_json::from_slice(&self.content(json).await?)
            .map_err(|e| Error::Internal(anyhow::anyhow!("{what}'s snapshot: {e}")))
    }

    /// `missing`, or a 404 naming the customer when the hub has no such customer (the more useful
    /// answer to a mistyped code; a deleted customer's reports are deleted with it).
    async fn not_found(&self, customer: &CustomerCode, missing: Error) -> Error {
        match self.hub.snapshot().await {
            Ok(snap) if snap.customer(customer.as_str()).is_none() => Error::not_found("customer", customer.as_str()),
            _ => missing,
        }
    }

    /// One version (any role); 404 when it does not exist.
    pub async fn version(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        month: ReportMonth,
        version: u32,
    ) -> Result<ReportVersion> {
        who.require_any_role()?;
        match store::get(self.items.as_ref(), customer, month, version).await {
            Err(e @ Error::NotFound { .. }) => Err(self.not_found(customer, e).await),
            other => other,
        }
    }

    /// The bytes of one output (the object version the report version wrote).
    pub async fn content(&self, output: &ReportOutput) -> Result<Bytes> {
        let found = self
            .objects
            .get(&output.key, Some(&output.version_id))
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("reading {}: {e}", output.key)))?;
        found.map(|o| o.body).ok_or_else(|| {
            Error::Internal(anyhow::anyhow!(
                "object {} version {} is missing from the object store",
                output.key,
                output.version_id
            ))
        })
    }

    /// A link to one output that works for [`LINK_SECONDS`] without a token.
    pub async fn download(&self, output: &ReportOutput) -> Result<DownloadLink> {
        let ttl = std::time::Duration::from_secs(LINK_SECONDS);
        let url = self
            .objects
            .download_url(&output.key, Some(&output.version_id), ttl)
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("signing a link to {}: {e}", output.key)))?;
        Ok(DownloadLink {
            format: output.format.clone(),
            content_type: output.content_type.clone(),
            url,
            expires_at: self.clock.now() + time::Duration::seconds(LINK_SECONDS as i64),
        })
    }

    /// What changed from version `from` to version `to` of a customer's month (any role).
    /// 404 when either does not exist.
    pub async fn diff(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        month: ReportMonth,
        from: u32,
        to: u32,
    ) -> Result<ReportDiff> {
        who.require_any_role()?;
        let (a, b) = futures::try_join!(
            store::get(self.items.as_ref(), customer, month, from),
            store::get(self.items.as_ref(), customer, month, to),
        )?;
        let (x, y) = futures::try_join!(
            self.snapshot_of::<serde_json::Value>(&a),
            self.snapshot_of::<serde_json::Value>(&b)
        )?;
        Ok(ReportDiff {
            customer: customer.clone(),
            month,
            from,
            to,
            changes: super::diff::diff(&x, &y),
        })
    }

    // ---- the schedule ----------------------------------------------------------------------------

    /// The `reports.monthly` job: from day `CC_REPORTS_DAY` of a month, builds the month just
    /// closed for every active customer whose report settings are on and which has no version of
    /// that month yet, at most `CC_REPORTS_CONCURRENCY` at once. A customer that fails is recorded
    /// with the reason and the others still build; the next day's run tries it again (EventBridge
    /// runs the job daily, so a missed day or a failure heals itself, and a customer already built
    /// is skipped: an on-demand build is how a month is rebuilt).
    pub async fn run_monthly(&self, trigger: crate::trigger::Trigger) -> Result<MonthlyOutcome> {
        let today = self.today();
        let month = ReportMonth::just_closed(today);
        if today.day() < self.config.day {
            let from = Date::from_calendar_date(today.year(), today.month(), self.config.day).unwrap_or(today);
            return Ok(MonthlyOutcome::Waiting { month, from });
        }
        let started_at = self.clock.now();
        let snap = self.hub.snapshot().await?;
        let work: Vec<(Customer, Vec<Account>)> = snap
            .customers
            .iter()
            .map(|c| {
                let accounts = snap.accounts.iter().filter(|a| a.customer == c.code).cloned().collect();
                (c.clone(), accounts)
            })
            .collect();
        let mut customers: Vec<CustomerBuild> = futures::stream::iter(work)
            .map(|(c, accounts)| async move { self.monthly_one(&c, &accounts, month).await })
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await;
        customers.sort_by(|a, b| a.customer.cmp(&b.customer));
        let count = |s: BuildStatus| customers.iter().filter(|c| c.status == s).count() as u32;
        let run = MonthlyRun {
            id: new_ulid().to_string(),
            month,
            started_at,
            finished_at: self.clock.now(),
            built: count(BuildStatus::Built),
            skipped: count(BuildStatus::Skipped),
            failed: count(BuildStatus::Failed),
            customers,
            trigger,
        };
        let recorded = run.built + run.failed > 0;
        if recorded {
            let data = serde_json::to_value(&run).map_err(|e| Error::Internal(e.into()))?;
            self.items
                .put_new(Item::new(
                    keys::REPORT_RUNS,
                    keys::billing_run(started_at, &run.id),
                    data,
                ))
                .await?;
        }
        tracing::info!(%month, built = run.built, skipped = run.skipped, failed = run.failed, "monthly reports run");
        Ok(MonthlyOutcome::Ran { run, recorded })
    }

    async fn monthly_one(&self, c: &Customer, accounts: &[Account], month: ReportMonth) -> CustomerBuild {
        let entry = |status, version, reason: Option<String>| CustomerBuild {
            customer: c.code.clone(),
            status,
            version,
            reason,
        };
        if c.status != CustomerStatus::Active {
            let s = serde_json::to_value(c.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            return entry(
                BuildStatus::Skipped,
                None,
                Some(format!("the customer is {s}, not active")),
            );
        }
        if !c.report.enabled {
            return entry(
                BuildStatus::Skipped,
                None,
                Some("monthly reports are turned off in its report settings".into()),
            );
        }
        match store::latest(self.items.as_ref(), &c.code, month).await {
            Ok(Some(v)) => {
                return entry(
                    BuildStatus::Skipped,
                    None,
                    Some(format!(
                        "{month} is already built (version {}); rebuild it on demand",
                        v.version
                    )),
                );
            }
            Ok(None) => {}
            Err(e) => return entry(BuildStatus::Failed, None, Some(format!("reading its versions: {e}"))),
        }
        match self
            // Built by the schedule, also when a person ran the job by hand (`cc jobs run`): the
            // builder is shown to the customer (the report's footer), and a manual run's `by` is
            // an operator's label (often an OS user such as `root`), not a person of the team.
            // Who ran the job stays in the run record (`MonthlyRun::trigger`).
            .build(c, accounts, month, None, Trigger::Schedule, SCHEDULE_REASON)
            .await
        {
            Ok(v) => entry(BuildStatus::Built, Some(v.version), None),
            Err(e) => {
                tracing::error!(customer = %c.code, %month, error = %e, "monthly report failed");
                entry(BuildStatus::Failed, None, Some(e.to_string()))
            }
        }
    }

    /// The schedule's runs, newest first (any role).
    pub async fn runs(&self, who: &Principal, page: &PageRequest) -> Result<Listed<MonthlyRun>> {
        who.require_any_role()?;
        let scope = crate::page::scope("report-runs", &());
        let query = Query::partition(Index::Primary, keys::REPORT_RUNS).descending();
        crate::page::query_page(self.items.as_ref(), query, &scope, page).await
    }
}

fn missing_reason(s: &super::snapshot::Snapshot, name: &str) -> Option<super::snapshot::MissingReason> {
    use super::snapshot::Section;
    fn r<T>(s: &Section<T>) -> Option<super::snapshot::MissingReason> {
        match s {
            Section::Missing { reason, .. } => Some(*reason),
            Section::Ready { .. } => None,
        }
    }
    match name {
        "summary" => r(&s.summary),
        "billing" => r(&s.billing),
        "compliance" => r(&s.compliance),
        "renewals" => r(&s.renewals),
        "optimisation" => r(&s.optimisation),
        "utilisation" => r(&s.utilisation),
        "breakglass" => r(&s.breakglass),
        _ => None,
    }
}

/// Runs a renderer on the blocking pool (it is CPU-bound: Typst takes a few hundred milliseconds).
async fn render(r: &Arc<dyn Renderer>, snapshot: &Snapshot, info: &BuildInfo) -> anyhow::Result<Vec<u8>> {
    let (renderer, s, i) = (r.clone(), snapshot.clone(), info.clone());
    tokio::task::spawn_blocking(move || renderer.render(&s, &i))
        .await
        .map_err(|e| anyhow::anyhow!("the {} renderer stopped: {e}", r.format()))?
}
