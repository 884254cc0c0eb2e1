//! The embedded stand-ins for Salesforce and JIRA (`cc serve`, `cc jobs run utilisation.sync` on
//! the local default), so a sync runs end to end without either.
//!
//! Both answer from the demo generator ([`cc_domain::utilisation::demo`]) for the demo customers
//! the hub has: the same contracts and the same worklogs for the same day, so a local sync over
//! the seeded demo rewrites what is there and changes nothing. A hub without the demo customers
//! gets no contracts and no hours (import CSV files instead).
//!
//! [`Unconfigured`] is the source of a deployment that has not been given Salesforce or JIRA
//! settings: a sync records it as failed with that reason, and the CSV imports still work.

use std::sync::Arc;

use async_trait::async_trait;
use time::Duration;

use cc_domain::clock::Clock;
use cc_domain::error::{Error, Result};
use cc_domain::hub::Hub;
use cc_domain::ids::CustomerCode;
use cc_domain::utilisation::demo;
use cc_domain::utilisation::ports::{ContractBatch, ContractSource, TimesheetSource, WorklogChanges};
use cc_domain::utilisation::{Contract, Worklog};

/// The demo customers the hub has, in the demo's order.
async fn demo_customers(hub: &Hub) -> Result<Vec<CustomerCode>> {
    let snap = hub.snapshot().await?;
    Ok(cc_domain::demo::customer_codes(&cc_domain::demo::DemoSize::default())
        .into_iter()
        .filter(|c| snap.customer(c).is_some())
        .filter_map(|c| CustomerCode::parse(c).ok())
        .collect())
}

async fn demo_contracts(hub: &Hub, clock: &Clock) -> Result<Vec<(Contract, Option<Contract>)>> {
    Ok(demo::contracts(&demo_customers(hub).await?, clock.now().date()))
}

/// Salesforce's stand-in: the demo contracts.
pub struct LocalContracts {
    hub: Arc<Hub>,
    clock: Clock,
}

impl LocalContracts {
    pub fn new(hub: Arc<Hub>, clock: Clock) -> Self {
        LocalContracts { hub, clock }
    }
}

#[async_trait]
impl ContractSource for LocalContracts {
    async fn contracts(&self) -> Result<ContractBatch> {
        Ok(ContractBatch {
            contracts: demo_contracts(&self.hub, &self.clock)
                .await?
                .into_iter()
                .map(|(c, _)| c)
                .collect(),
            rejected: Vec::new(),
            requests: 0,
        })
    }
}

/// JIRA's stand-in: the demo worklogs of the days since `since`.
pub struct LocalTimesheets {
    hub: Arc<Hub>,
    clock: Clock,
}

impl LocalTimesheets {
    pub fn new(hub: Arc<Hub>, clock: Clock) -> Self {
        LocalTimesheets { hub, clock }
    }
}

#[async_trait]
impl TimesheetSource for LocalTimesheets {
    async fn changes_since(&self, since: time::OffsetDateTime) -> Result<WorklogChanges> {
        let now = self.clock.now();
        let contracts = demo_contracts(&self.hub, &self.clock).await?;
        // A day's entries may be written during the day: read the whole day `since` falls in.
        let from = since.date().max(now.date() - Duration::days(800));
        let updated: Vec<Worklog> = demo::worklogs(&contracts, from, now.date());
        Ok(WorklogChanges {
            updated,
            deleted: Vec::new(),
            rejected: Vec::new(),
            until: now,
            requests: 0,
        })
    }
}

/// A source that has not been configured: every call says which settings are missing.
pub struct Unconfigured {
    /// E.g. "Salesforce (CC_SALESFORCE_LOGIN_URL, CC_SALESFORCE_CLIENT_ID, ...)".
    pub what: &'static str,
}

fn unconfigured(what: &str) -> Error {
    Error::Internal(anyhow::anyhow!(
        "{what} is not configured for this deployment; import CSV files instead"
    ))
}

#[async_trait]
impl ContractSource for Unconfigured {
    async fn contracts(&self) -> Result<ContractBatch> {
        Err(unconfigured(self.what))
    }
}

#[async_trait]
impl TimesheetSource for Unconfigured {
    async fn changes_since(&self, _: time::OffsetDateTime) -> Result<WorklogChanges> {
        Err(unconfigured(self.what))
    }
}
