//! Scheduled jobs (the `jobs` function): one entry point that runs a job by name. EventBridge rules
//! invoke it with `{"job": "breakglass.sweep"}` (the rule's `Input`); the local server runs the same
//! jobs on timers and `cc jobs run NAME` runs one once. A job is an
//! `async fn(&App, &Trigger) -> Result<Value>` in [`JOBS`] that returns a JSON summary, so a new
//! schedule is one entry there plus a rule in both stacks (`template.yaml`, `cdk/`), which a test
//! checks against `cc jobs list`.
//!
//! Every job is told who started it ([`Trigger`]): the schedule (EventBridge, the local server's
//! timers) or a person (`cc jobs run`, recorded as `manual` with their name). A job that records
//! its runs (the billing fetch, the utilisation sync) records that, so a run started by hand is
//! never taken for the schedule's; the sweep records no run of its own (what it ends or grants
//! is due by the clock, whoever starts it), so it only logs it.

use std::future::Future;
use std::pin::Pin;

use cc_adapters::wire::{JobPorts, JobsWiring};
use cc_domain::{App, Error, Trigger};
use serde::Deserialize;
use serde_json::Value;

/// What a job's function returns: its JSON summary, or the domain error that stopped it.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = cc_domain::Result<Value>> + Send + 'a>>;

/// One named job.
pub struct Job {
    /// The name EventBridge rules pass (`{"job": NAME}`): `<capability>.<action>`.
    pub name: &'static str,
    pub description: &'static str,
    pub run: for<'a> fn(&'a App, &'a Trigger) -> JobFuture<'a>,
    /// The capability's ports it runs with (the Lambda makes them on the first such job).
    pub ports: JobPorts,
}

pub const BREAKGLASS_SWEEP: &str = "breakglass.sweep";
pub const BILLING_FETCH: &str = "billing.fetch";
pub const UTILISATION_SYNC: &str = "utilisation.sync";
pub const REPORTS_MONTHLY: &str = "reports.monthly";

/// Every job, by name.
pub static JOBS: &[Job] = &[
    Job {
        name: BREAKGLASS_SWEEP,
        description: "Ends grants past their end, grants approved requests whose start has come, times out \
                      requests past their approval window.",
        run: breakglass_sweep,
        ports: JobPorts::Access,
    },
    Job {
        name: BILLING_FETCH,
        description: "Daily: every customer's Cost Explorer costs (backfill on the first run, the last few days \
                      after) and organisation facts, through the management account's read role.",
        run: billing_fetch,
        ports: JobPorts::Billing,
    },
    Job {
        name: UTILISATION_SYNC,
        description: "Daily: contracts from Salesforce and worklogs changed since the last sync from JIRA \
                      (the embedded default: the demo's).",
        run: utilisation_sync,
        ports: JobPorts::Utilisation,
    },
    Job {
        name: REPORTS_MONTHLY,
        description: "Daily, acting from day CC_REPORTS_DAY (default 3) of a month: the month just closed's report of \
                      every active customer whose report settings are on and that has none yet.",
        run: reports_monthly,
        ports: JobPorts::Reports,
    },
];

fn breakglass_sweep<'a>(app: &'a App, _started_by: &'a Trigger) -> JobFuture<'a> {
    Box::pin(async move {
        let report = app.access()?.sweep().await?;
        serde_json::to_value(report).map_err(|e| Error::Internal(e.into()))
    })
}

/// The run record's summary: totals and the customers that failed or were skipped, with why
/// (the whole record is in the store, `GET /api/v1/billing/runs`).
fn billing_fetch<'a>(app: &'a App, trigger: &'a Trigger) -> JobFuture<'a> {
    Box::pin(async move {
        let run = app
            .billing()?
            .run(cc_domain::billing::Scope::All, trigger.clone())
            .await?;
        let not_ok: Vec<Value> = run
            .customers
            .iter()
            .filter(|c| c.status != cc_domain::billing::FetchStatus::Ok)
            .map(|c| serde_json::json!({"customer": c.customer, "payer": c.payer, "status": c.status, "reason": c.reason}))
            .collect();
        Ok(serde_json::json!({
            "run": run.id,
            "trigger": run.trigger,
            "customers": run.customers.len(),
            "failed": run.failed,
            "skipped": run.skipped,
            "requests": run.requests,
            "cost_usd": run.cost_usd,
            "cells_written": run.cells_written,
            "not_ok": not_ok,
        }))
    })
}

/// The sync run's summary (the whole record: `GET /api/v1/utilisation/runs`).
fn utilisation_sync<'a>(app: &'a App, trigger: &'a Trigger) -> JobFuture<'a> {
    Box::pin(async move {
        let run = app.utilisation()?.sync(trigger.clone()).await?;
        Ok(serde_json::json!({
            "run": run.id,
            "trigger": run.trigger,
            "contracts": run.contracts.status,
            "contracts_error": run.contracts.error,
            "contracts_written": run.contracts_written,
            "contracts_rejected": run.contracts.rejected.len(),
            "unknown_customers": run.unknown_customers,
            "worklogs": run.worklogs.status,
            "worklogs_error": run.worklogs.error,
            "worklogs_written": run.worklogs_written,
            "worklogs_deleted": run.worklogs_deleted,
            "worklogs_rejected": run.worklogs.rejected.len(),
        }))
    })
}

/// What the run did: the month, and per customer built (with the version), skipped or failed
/// (with why); or, before the configured day, that it waits (the whole record of a run that built
/// or failed anything: `GET /api/v1/reports/runs`).
fn reports_monthly<'a>(app: &'a App, trigger: &'a Trigger) -> JobFuture<'a> {
    Box::pin(async move {
        use cc_domain::reports::service::MonthlyOutcome;
        Ok(match app.reports()?.run_monthly(trigger.clone()).await? {
            MonthlyOutcome::Waiting { month, from } => serde_json::json!({
                "month": month,
                "waiting": format!("the schedule builds {month} from {from} (CC_REPORTS_DAY); nothing built"),
            }),
            MonthlyOutcome::Ran { run, recorded } => serde_json::json!({
                "run": recorded.then_some(&run.id),
                "trigger": run.trigger,
                "month": run.month,
                "built": run.built,
                "skipped": run.skipped,
                "failed": run.failed,
                "customers": run.customers,
            }),
        })
    })
}

/// Why a job did not run or did not finish. Lambda reports the [`JobError::kind`] as the error type.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(
        "not a job event ({reason}); schedules pass {{\"job\": \"<name>\"}} as the rule's Input; known jobs: {}",
        known()
    )]
    BadEvent { reason: String },
    #[error("unknown job '{name}'; known jobs: {}", known())]
    UnknownJob { name: String },
    #[error("job {name} could not be set up: {reason}")]
    Setup { name: &'static str, reason: String },
    #[error("job {name} failed: {source}")]
    Failed {
        name: &'static str,
        #[source]
        source: Error,
    },
}

impl JobError {
    pub fn kind(&self) -> &'static str {
        match self {
            JobError::BadEvent { .. } => "BadEvent",
            JobError::UnknownJob { .. } => "UnknownJob",
            JobError::Setup { .. } => "JobSetupFailed",
            JobError::Failed { .. } => "JobFailed",
        }
    }
}

impl From<JobError> for lambda_http::lambda_runtime::Diagnostic {
    fn from(e: JobError) -> Self {
        lambda_http::lambda_runtime::Diagnostic {
            error_type: e.kind().to_string(),
            error_message: e.to_string(),
        }
    }
}

/// The job names, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    JOBS.iter().map(|j| j.name)
}

fn known() -> String {
    names().collect::<Vec<_>>().join(", ")
}

pub fn find(name: &str) -> Result<&'static Job, JobError> {
    JOBS.iter()
        .find(|j| j.name == name)
        .ok_or_else(|| JobError::UnknownJob { name: name.to_string() })
}

/// Runs one job by name, started by `trigger` (the schedule, or a person: [`Trigger::manual`]),
/// and returns its summary.
pub async fn run(app: &App, name: &str, trigger: &Trigger) -> Result<Value, JobError> {
    let job = find(name)?;
    let started = std::time::Instant::now();
    let result = (job.run)(app, trigger).await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let by = trigger.who();
    match result {
        Ok(summary) => {
            tracing::debug!(job = job.name, elapsed_ms, by, %summary, "job done");
            Ok(summary)
        }
        Err(source) => {
            tracing::error!(job = job.name, elapsed_ms, by, error = %source, "job failed");
            Err(JobError::Failed { name: job.name, source })
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JobEvent {
    job: String,
}

/// The Lambda entry: `{"job": NAME}` (an EventBridge rule's Input) → that job's summary, run as
/// the schedule's.
pub async fn handle(app: &App, event: Value) -> Result<Value, JobError> {
    run(app, job_of(event)?.name, &Trigger::Schedule).await
}

/// The job a Lambda event names (`{"job": NAME}`).
fn job_of(event: Value) -> Result<&'static Job, JobError> {
    let JobEvent { job } = serde_json::from_value(event).map_err(|e| JobError::BadEvent { reason: e.to_string() })?;
    find(&job)
}

/// The Lambda's state: the start-up wiring and, per capability, the app made on the first job
/// that needs it (kept for the invocations that follow; a set-up that failed is tried again by
/// the next one).
pub struct Lambda {
    wiring: JobsWiring,
    /// Indexed by `JobPorts as usize`.
    apps: [tokio::sync::OnceCell<App>; 4],
}

impl Lambda {
    /// Start-up: the item store and the SDK configuration ([`JobsWiring::new`]).
    pub async fn new(config: cc_domain::Config) -> anyhow::Result<Self> {
        Ok(Lambda {
            wiring: JobsWiring::new(config).await?,
            apps: Default::default(),
        })
    }

    /// [`handle`] with the app of the job's capability, made on first use.
    pub async fn handle(&self, event: Value) -> Result<Value, JobError> {
        let job = job_of(event)?;
        let app = self.apps[job.ports as usize]
            .get_or_try_init(|| self.wiring.app(job.ports))
            .await
            .map_err(|e| JobError::Setup {
                name: job.name,
                reason: format!("{e:#}"),
            })?;
        run(app, job.name, &Trigger::Schedule).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_capability_dot_action() {
        let mut seen = std::collections::BTreeSet::new();
        for name in names() {
            assert!(seen.insert(name), "{name} twice");
            let parts: Vec<&str> = name.split('.').collect();
            assert_eq!(parts.len(), 2, "{name}");
            assert!(
                parts
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')),
                "{name}"
            );
        }
        assert!(seen.contains(BREAKGLASS_SWEEP));
        assert!(seen.contains(BILLING_FETCH));
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let Err(e) = find("billing.fetsh") else {
            panic!("found a job that does not exist")
        };
        assert_eq!(e.kind(), "UnknownJob");
        assert_eq!(
            e.to_string(),
            "unknown job 'billing.fetsh'; known jobs: breakglass.sweep, billing.fetch, utilisation.sync, reports.monthly"
        );
    }
}
