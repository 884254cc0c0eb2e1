//! The report's cost optimisation section: Cost Explorer's `GetRightsizingRecommendation`
//! (`Service` `AmazonEC2`, same instance family, Savings Plans and reservations considered) and
//! `GetSavingsPlansPurchaseRecommendation` (Compute Savings Plans, 1 year, no upfront, the last 30
//! days, `AccountScope` `PAYER`), in the management (payer) account through its read role, so they
//! cover the whole organisation. Both follow `NextPageToken`.
//!
//! A rightsizing `MODIFY` names the default target instance (Cost Explorer marks one
//! `DefaultTargetInstance`; else its first) and its estimated monthly savings; `TERMINATE` its own.
//! A purchase recommendation's saving is `EstimatedMonthlySavingsAmount`. Amounts are strings in
//! the API; one that is not a number makes the section "unavailable" rather than a wrong total.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_costexplorer::types::{
    AccountScope, LookbackPeriodInDays, PaymentOption, RecommendationTarget, RightsizingRecommendationConfiguration,
    RightsizingType, SupportedSavingsPlansType, TermInYears,
};

use crate::report_role::{self, ReportSessions};
use cc_domain::access::ports::AccessBroker;
use cc_domain::billing::ports::ReadRole;
use cc_domain::reports::ports::{OptimisationSource, ReportScope, SourceError};
use cc_domain::reports::snapshot::{Recommendation, RecommendationKind};

/// Guard against a paging token that loops.
const MAX_PAGES: usize = 100;

pub struct CostExplorerRecommendations {
    sdk: aws_config::SdkConfig,
    sessions: ReportSessions,
}

fn money(what: &str, v: Option<&str>) -> Result<f64, SourceError> {
    let raw = v.unwrap_or("0");
    raw.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| SourceError::Unavailable(format!("Cost Explorer answered {what} '{raw}', not a number")))
}

impl CostExplorerRecommendations {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>) -> Self {
        CostExplorerRecommendations {
            sdk,
            sessions: ReportSessions::new(broker),
        }
    }

    async fn client(&self, role: &ReadRole) -> Result<aws_sdk_costexplorer::Client, SourceError> {
        let c = self.sessions.credentials(role).await?;
        let creds = aws_sdk_costexplorer::config::Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            None,
            report_role::SESSION_NAME,
        );
        let config = aws_sdk_costexplorer::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(crate::costexplorer::REGION))
            .credentials_provider(creds)
            .build();
        Ok(aws_sdk_costexplorer::Client::from_conf(config))
    }

    async fn rightsizing(
        &self,
        client: &aws_sdk_costexplorer::Client,
        payer: &str,
    ) -> Result<Vec<Recommendation>, SourceError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let configuration = RightsizingRecommendationConfiguration::builder()
            .recommendation_target(RecommendationTarget::SameInstanceFamily)
            .benefits_considered(true)
            .build()
            .map_err(|e| SourceError::Unavailable(format!("building the rightsizing request: {e}")))?;
        for _ in 0..MAX_PAGES {
            let answer = client
                .get_rightsizing_recommendation()
                .service("AmazonEC2")
                .configuration(configuration.clone())
                .page_size(100)
                .set_next_page_token(token.clone())
                .send()
                .await
                .map_err(|e| crate::sdk_unavailable!("Cost Explorer GetRightsizingRecommendation", payer, e))?;
            for r in answer.rightsizing_recommendations() {
                let current = r.current_instance();
                let instance = current.and_then(|c| c.resource_id()).map(String::from);
                let current_type = current
                    .and_then(|c| c.resource_details())
                    .and_then(|d| d.ec2_resource_details())
                    .and_then(|d| d.instance_type())
                    .unwrap_or("instance");
                let name = current
                    .and_then(|c| c.instance_name())
                    .filter(|n| !n.is_empty())
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                let (kind, description, savings, currency) = match r.rightsizing_type() {
                    Some(RightsizingType::Terminate) => {
                        let d = r.terminate_recommendation_detail();
                        (
                            RecommendationKind::RightsizingTerminate,
                            format!("terminate {current_type}{name}"),
                            money("EstimatedMonthlySavings", d.and_then(|d| d.estimated_monthly_savings()))?,
                            d.and_then(|d| d.currency_code()),
                        )
                    }
                    Some(RightsizingType::Modify) => {
                        let targets = r
                            .modify_recommendation_detail()
                            .map(|d| d.target_instances())
                            .unwrap_or_default();
                        let Some(t) = targets.iter().find(|t| t.default_target_instance()).or(targets.first()) else {
                            continue;
                        };
                        let to = t
                            .resource_details()
                            .and_then(|d| d.ec2_resource_details())
                            .and_then(|d| d.instance_type())
                            .unwrap_or("a smaller instance");
                        (
                            RecommendationKind::RightsizingModify,
                            format!("{current_type} → {to}{name}"),
                            money("EstimatedMonthlySavings", t.estimated_monthly_savings())?,
                            t.currency_code(),
                        )
                    }
                    _ => continue,
                };
                out.push(Recommendation {
                    kind,
                    account: r.account_id().map(String::from),
                    resource: instance,
                    description,
                    estimated_monthly_savings: savings,
                    currency: currency
                        .or_else(|| current.and_then(|c| c.currency_code()))
                        .unwrap_or("USD")
                        .to_string(),
                });
            }
            token = answer.next_page_token().filter(|t| !t.is_empty()).map(String::from);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    async fn purchases(
        &self,
        client: &aws_sdk_costexplorer::Client,
        payer: &str,
    ) -> Result<Vec<Recommendation>, SourceError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let answer = client
                .get_savings_plans_purchase_recommendation()
                .savings_plans_type(SupportedSavingsPlansType::ComputeSp)
                .term_in_years(TermInYears::OneYear)
                .payment_option(PaymentOption::NoUpfront)
                .lookback_period_in_days(LookbackPeriodInDays::ThirtyDays)
                .account_scope(AccountScope::Payer)
                .set_next_page_token(token.clone())
                .send()
                .await
                .map_err(|e| {
                    crate::sdk_unavailable!("Cost Explorer GetSavingsPlansPurchaseRecommendation", payer, e)
                })?;
            if let Some(rec) = answer.savings_plans_purchase_recommendation() {
                for d in rec.savings_plans_purchase_recommendation_details() {
                    let hourly = money("HourlyCommitmentToPurchase", d.hourly_commitment_to_purchase())?;
                    let currency = d.currency_code().unwrap_or("USD");
                    out.push(Recommendation {
                        kind: RecommendationKind::SavingsPlansPurchase,
                        account: d.account_id().map(String::from),
                        resource: None,
                        description: format!("Compute Savings Plan, 1 year, No Upfront, {hourly:.2} {currency}/hour"),
                        estimated_monthly_savings: money(
                            "EstimatedMonthlySavingsAmount",
                            d.estimated_monthly_savings_amount(),
                        )?,
                        currency: currency.to_string(),
                    });
                }
            }
            token = answer.next_page_token().filter(|t| !t.is_empty()).map(String::from);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl OptimisationSource for CostExplorerRecommendations {
    async fn recommendations(&self, scope: &ReportScope<'_>) -> Result<Vec<Recommendation>, SourceError> {
        let Some((payer, role)) = report_role::management(scope.accounts) else {
            return Err(SourceError::NoData(report_role::NO_ROLE_PAYER.into()));
        };
        let client = self.client(&role).await?;
        let (mut rightsizing, purchases) = tokio::try_join!(
            self.rightsizing(&client, payer.id.as_str()),
            self.purchases(&client, payer.id.as_str())
        )?;
        rightsizing.extend(purchases);
        Ok(rightsizing)
    }
}
