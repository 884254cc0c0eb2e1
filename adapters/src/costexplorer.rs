//! Cost Explorer's `GetCostAndUsage`, one page per call, in the payer account through its read
//! role ([`crate::read_role`]): `DAILY`, `GroupBy` `LINKED_ACCOUNT` then `SERVICE`, one metric.
//! The client is built per session in us-east-1 (Cost Explorer's endpoint) on the shared SDK
//! configuration, so `AWS_ENDPOINT_URL` (moto) still applies.
//!
//! Throttling: Cost Explorer answers `LimitExceededException` when its (unpublished) rate limit is
//! hit. The SDK's standard retry strategy classifies that code as a throttling error
//! (`aws-runtime`'s `AwsErrorCodeClassifier`, `THROTTLING_ERRORS` lists `LimitExceededException`)
//! and retries it with exponential backoff and full jitter (`aws-smithy-runtime`'s
//! `StandardRetryStrategy`: a random fraction of `initial × 2^attempt`, capped). The default
//! allows only 3 attempts; [`Throttling`] raises that, bounded, for this client alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_costexplorer::config::retry::RetryConfig;
use aws_sdk_costexplorer::types::{DateInterval, Granularity, GroupDefinition, GroupDefinitionType, MetricValue};
use time::Date;

use crate::read_role::ReadSessions;
use cc_domain::access::ports::AccessBroker;
use cc_domain::billing::costs::{CellSource, CostMetric, DailyCost};
use cc_domain::billing::ports::{CostPage, CostQuery, CostSource, ReadRole, SourceError};
use cc_domain::ids::AccountId;

/// Cost Explorer's one endpoint region.
pub const REGION: &str = "us-east-1";

/// How throttled calls are retried: up to `max_attempts` in all, waits drawn from
/// `[0, min(initial × 2^n, max)]`.
#[derive(Clone, Copy, Debug)]
pub struct Throttling {
    pub max_attempts: u32,
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Throttling {
    /// 6 attempts, 1 s doubling to at most 20 s: at worst about a minute before a customer's
    /// fetch is recorded as throttled (the next daily run fetches the window again).
    fn default() -> Self {
        Throttling {
            max_attempts: 6,
            initial: Duration::from_secs(1),
            max: Duration::from_secs(20),
        }
    }
}

pub struct CostExplorerSource {
    sdk: aws_config::SdkConfig,
    sessions: ReadSessions,
    throttling: Throttling,
    requests: AtomicU64,
}

/// The CE metric name.
pub fn metric_name(m: CostMetric) -> &'static str {
    match m {
        CostMetric::UnblendedCost => "UnblendedCost",
        CostMetric::AmortizedCost => "AmortizedCost",
    }
}

fn day(s: &str) -> Result<Date, SourceError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, format).map_err(|_| SourceError::BadAnswer(format!("'{s}' is not a date")))
}

fn amount(metric: &str, v: &MetricValue) -> Result<(f64, String), SourceError> {
    let a = v.amount().unwrap_or("0");
    let amount: f64 = a
        .parse()
        .ok()
        .filter(|x: &f64| x.is_finite())
        .ok_or_else(|| SourceError::BadAnswer(format!("{metric} amount '{a}' is not a number")))?;
    Ok((amount, v.unit().unwrap_or("USD").to_string()))
}

impl CostExplorerSource {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>) -> Self {
        CostExplorerSource {
            sdk,
            sessions: ReadSessions::new(broker),
            throttling: Throttling::default(),
            requests: AtomicU64::new(0),
        }
    }

    pub fn with_throttling(mut self, throttling: Throttling) -> Self {
        self.throttling = throttling;
        self
    }

    /// `GetCostAndUsage` calls answered so far (each one billed).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    async fn client(&self, role: &ReadRole) -> Result<aws_sdk_costexplorer::Client, SourceError> {
        let c = self.sessions.credentials(role).await?;
        let creds = aws_sdk_costexplorer::config::Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            None,
            "customer-central-billing",
        );
        let t = self.throttling;
        let config = aws_sdk_costexplorer::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(REGION))
            .credentials_provider(creds)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(t.max_attempts)
                    .with_initial_backoff(t.initial)
                    .with_max_backoff(t.max),
            )
            .build();
        Ok(aws_sdk_costexplorer::Client::from_conf(config))
    }
}

#[async_trait]
impl CostSource for CostExplorerSource {
    async fn cost_page(&self, role: &ReadRole, query: &CostQuery) -> Result<CostPage, SourceError> {
        let client = self.client(role).await?;
        let metric = metric_name(query.metric);
        let group = |key: &str| {
            GroupDefinition::builder()
                .r#type(GroupDefinitionType::Dimension)
                .key(key)
                .build()
        };
        let period = DateInterval::builder()
            .start(query.start.to_string())
            .end(query.end.to_string())
            .build()
            .map_err(|e| SourceError::Failed(format!("building the period: {e}")))?;
        let out = client
            .get_cost_and_usage()
            .time_period(period)
            .granularity(Granularity::Daily)
            .metrics(metric)
            .group_by(group("LINKED_ACCOUNT"))
            .group_by(group("SERVICE"))
            .set_next_page_token(query.page_token.clone())
            .send()
            .await
            .map_err(|e| {
                let service = e.as_service_error();
                let text = aws_sdk_costexplorer::error::DisplayErrorContext(&e).to_string();
                if service.is_some_and(|s| s.is_limit_exceeded_exception()) {
                    SourceError::Throttled(text)
                } else if service.is_some_and(|s| {
                    aws_sdk_costexplorer::error::ProvideErrorMetadata::code(s)
                        .is_some_and(|c| c.starts_with("AccessDenied"))
                }) {
                    SourceError::AccessDenied(text)
                } else {
                    SourceError::Failed(text)
                }
            })?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut page = CostPage {
            next_page_token: out.next_page_token().map(str::to_string).filter(|t| !t.is_empty()),
            ..CostPage::default()
        };
        for r in out.results_by_time() {
            let start = r
                .time_period()
                .map(|p| p.start())
                .ok_or_else(|| SourceError::BadAnswer("a result without TimePeriod".into()))?;
            let d = day(start)?;
            let estimated = r.estimated();
            if estimated {
                page.estimated_days.push(d);
            }
            for g in r.groups() {
                let [account, service] = g.keys() else {
                    return Err(SourceError::BadAnswer(format!(
                        "a group with keys {:?}, not [LINKED_ACCOUNT, SERVICE]",
                        g.keys()
                    )));
                };
                let account = AccountId::parse(account.as_str())
                    .map_err(|e| SourceError::BadAnswer(format!("LINKED_ACCOUNT '{account}': {e}")))?;
                let Some(value) = g.metrics().and_then(|m| m.get(metric)) else {
                    continue;
                };
                let (amount, currency) = amount(metric, value)?;
                page.costs.push(DailyCost {
                    account,
                    service: service.clone(),
                    day: d,
                    amount,
                    currency,
                    estimated,
                    source: CellSource::CostExplorer,
                });
            }
            if let Some(value) = r.total().and_then(|t| t.get(metric)) {
                let (amount, currency) = amount(metric, value)?;
                page.totals.push((d, amount, currency));
            }
        }
        Ok(page)
    }
}
