//! Demo reports for `cc serve --demo`: the first demo customer's report of the month just closed,
//! version 1 as the schedule builds it (no summary) and version 2 rebuilt by the demo lead with a
//! summary, so the report pages have a month with two versions to show and compare; a customer
//! without a read role gets an imported findings export first (the generated findings). Written once
//! (a restart finds them and writes nothing); call it after the demo cost history is stored.

use crate::App;
use crate::error::{Error, Result};
use crate::ids::CustomerCode;

use super::{ReportMonth, Trigger};

/// The lead who "wrote" the demo summary (one of [`crate::demo::DEMO_USERS`]).
pub const DEMO_AUTHOR: &str = "lee.lead@demo.customer-central.dev";

const SUMMARY: &str = "## What we did this month\n\n\
- Patched every production instance within the maintenance window.\n\
- Moved the nightly batch jobs to Graviton instances.\n\
- Reviewed the cost step on compute with your platform team.\n\n\
**Next month:** rightsizing of the staging databases.";

/// Builds the demo reports of `customer` unless its month already has a version; returns how many
/// versions were written.
pub async fn seed(app: &App, customer: &CustomerCode) -> Result<usize> {
    let reports = app.reports()?;
    let month = ReportMonth::just_closed(app.clock.now().date());
    if super::store::latest(app.items.as_ref(), customer, month)
        .await?
        .is_some()
    {
        return Ok(0);
    }
    let snap = app.hub.snapshot().await?;
    let c = snap
        .customer(customer.as_str())
        .cloned()
        .ok_or_else(|| Error::not_found("customer", customer.as_str()))?;
    let accounts: Vec<_> = snap
        .accounts
        .iter()
        .filter(|a| &a.customer == customer)
        .cloned()
        .collect();
    // A customer without a read role (the demo's first reaches its accounts through SSO) has its
    // compliance section from an imported export: import the generated findings once, as the lead.
    let has_role = accounts
        .iter()
        .any(|a| matches!(a.access, crate::hub::AccessMethod::Role { .. }));
    if !has_role && reports.imported_findings(customer).await?.is_none() {
        let found = super::sources_demo::findings(&accounts, month);
        reports
            .store_import(&super::findings::FindingsImport {
                customer: customer.clone(),
                imported_by: DEMO_AUTHOR.into(),
                imported_at: month.end().midnight().assume_utc() + time::Duration::hours(9),
                file_name: Some(format!("{customer}-securityhub-findings.json")),
                read: found.len() as u32,
                dropped: 0,
                findings: found,
            })
            .await?;
    }
    reports
        .build(
            &c,
            &accounts,
            month,
            None,
            Trigger::Schedule,
            super::service::SCHEDULE_REASON,
        )
        .await?;
    let lead = Trigger::Person {
        email: DEMO_AUTHOR.into(),
    };
    reports
        .build(&c, &accounts, month, Some(SUMMARY), lead, "summary written")
        .await?;
    Ok(2)
}
