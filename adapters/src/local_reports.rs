//! The embedded stand-ins for the report sources (`cc serve`, `cc serve --demo`, the embedded
//! default): Security Hub findings, Savings Plans and reservations, and Cost Explorer
//! recommendations, generated from the customer's hub accounts by
//! [`cc_domain::reports::sources_demo`] (deterministic: the same month gives the same sections).
//!
//! Security Hub answers, like the AWS adapter, only for accounts reached through a read role (the
//! report asks it only for a customer that has one; the others use an imported export). The
//! renewals and recommendations stand-ins answer for every hub account of the customer, whatever
//! its access method: locally there is no access to model, and the demo's report shows every
//! section.

use async_trait::async_trait;

use crate::report_role;
use cc_domain::hub::Account;
use cc_domain::reports::ReportPorts;
use cc_domain::reports::ports::{
    ComplianceSource, Findings, OptimisationSource, RenewalSource, ReportScope, SourceError,
};
use cc_domain::reports::snapshot::{Commitment, Recommendation};
use cc_domain::reports::sources_demo;

/// Every report source generated locally, no extra renderer.
pub fn ports() -> ReportPorts {
    let mut p = ReportPorts::unconfigured();
    p.compliance = std::sync::Arc::new(LocalSecurityHub);
    p.renewals = std::sync::Arc::new(LocalRenewals);
    p.optimisation = std::sync::Arc::new(LocalRecommendations);
    p
}

/// Security Hub's findings of the customer's read-role accounts, generated.
pub struct LocalSecurityHub;

#[async_trait]
impl ComplianceSource for LocalSecurityHub {
    async fn findings(&self, scope: &ReportScope<'_>) -> Result<Findings, SourceError> {
        let accounts: Vec<Account> = report_role::role_accounts(scope.accounts)
            .into_iter()
            .map(|(a, _)| a.clone())
            .collect();
        if accounts.is_empty() {
            return Err(SourceError::NoData(report_role::NO_ROLE_FINDINGS.into()));
        }
        Ok(Findings {
            source: "Security Hub (local demo data)".into(),
            findings: sources_demo::findings(&accounts, scope.month),
        })
    }
}

/// Savings Plans and reservations of the customer's accounts, generated.
pub struct LocalRenewals;

#[async_trait]
impl RenewalSource for LocalRenewals {
    async fn commitments(&self, scope: &ReportScope<'_>) -> Result<Vec<Commitment>, SourceError> {
        if scope.accounts.is_empty() {
            return Err(SourceError::NoData("the customer has no accounts in the hub".into()));
        }
        Ok(sources_demo::commitments(scope.accounts, scope.month))
    }
}

/// Cost Explorer's recommendations for the customer's organisation, generated.
pub struct LocalRecommendations;

#[async_trait]
impl OptimisationSource for LocalRecommendations {
    async fn recommendations(&self, scope: &ReportScope<'_>) -> Result<Vec<Recommendation>, SourceError> {
        let Some(payer) = scope.accounts.iter().find(|a| a.management_account) else {
            return Err(SourceError::NoData(
                "no management (payer) account in the hub: Cost Explorer's recommendations are read there".into(),
            ));
        };
        Ok(sources_demo::recommendations(payer, scope.accounts, scope.month))
    }
}
