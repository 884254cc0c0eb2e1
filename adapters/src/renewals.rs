//! The report's renewals section: Savings Plans (`savingsplans:DescribeSavingsPlans`), EC2
//! reservations (`ec2:DescribeReservedInstances`) and RDS reservations
//! (`rds:DescribeReservedDBInstances`) of every customer account with a read role. There is no
//! single API (DOMAIN.md): each commitment is owned by the account that bought it, so each account
//! is asked, through its own read role.
//!
//! Savings Plans are global (the API's one endpoint is in us-east-1); reservations are regional
//! and are read in the account's home region in the hub. Only active commitments are asked for
//! (`states` `active`; `state` filter `active`; RDS has no state filter, so retired ones are
//! dropped here). The section keeps those ending within its window. One failing call makes the
//! section "unavailable" with the reason; the report is still built.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_savingsplans::types::{SavingsPlanState, SavingsPlanType};
use time::OffsetDateTime;

use crate::report_role::{self, ReportSessions};
use cc_domain::access::ports::{AccessBroker, Credentials};
use cc_domain::hub::Account;
use cc_domain::reports::ports::{RenewalSource, ReportScope, SourceError};
use cc_domain::reports::snapshot::{Commitment, CommitmentKind};

/// The Savings Plans API's endpoint region.
pub const SAVINGS_PLANS_REGION: &str = "us-east-1";

/// Guard against a paging token that loops.
const MAX_PAGES: usize = 100;

pub struct AwsRenewals {
    sdk: aws_config::SdkConfig,
    sessions: ReportSessions,
}

fn when(what: &str, d: &aws_smithy_types::DateTime) -> Result<OffsetDateTime, SourceError> {
    OffsetDateTime::from_unix_timestamp(d.secs())
        .map_err(|e| SourceError::Unavailable(format!("{what}: a date out of range: {e}")))
}

fn number(s: Option<&str>) -> Option<f64> {
    s.and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite())
}

impl AwsRenewals {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>) -> Self {
        AwsRenewals {
            sdk,
            sessions: ReportSessions::new(broker),
        }
    }

    fn credentials(c: Credentials) -> aws_sdk_savingsplans::config::Credentials {
        aws_sdk_savingsplans::config::Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            None,
            report_role::SESSION_NAME,
        )
    }

    async fn savings_plans(&self, account: &Account, c: Credentials) -> Result<Vec<Commitment>, SourceError> {
        let config = aws_sdk_savingsplans::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(SAVINGS_PLANS_REGION))
            .credentials_provider(Self::credentials(c))
            .build();
        let client = aws_sdk_savingsplans::Client::from_conf(config);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let answer = client
                .describe_savings_plans()
                .states(SavingsPlanState::Active)
                .max_results(1000)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| crate::sdk_unavailable!("Savings Plans DescribeSavingsPlans", account.id.as_str(), e))?;
            for p in answer.savings_plans() {
                let Some(id) = p.savings_plan_id() else { continue };
                let Some(end) = p.end() else { continue };
                let ends_at = OffsetDateTime::parse(end, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| SourceError::Unavailable(format!("Savings Plan {id}: end '{end}' is not a date")))?;
                let kind = match p.savings_plan_type() {
                    Some(SavingsPlanType::Compute) => "Compute Savings Plan".to_string(),
                    Some(SavingsPlanType::Ec2Instance) => format!(
                        "EC2 Instance Savings Plan{}",
                        p.ec2_instance_family().map(|f| format!(" ({f})")).unwrap_or_default()
                    ),
                    Some(SavingsPlanType::Sagemaker) => "SageMaker Savings Plan".to_string(),
                    Some(SavingsPlanType::Database) => "Database Savings Plan".to_string(),
                    Some(other) => format!("{} Savings Plan", other.as_str()),
                    None => "Savings Plan".to_string(),
                };
                // The owner is in the plan's ARN (arn:aws:savingsplans::ACCOUNT:savingsplan/ID).
                let owner = p
                    .savings_plan_arn()
                    .and_then(|a| a.split(':').nth(4))
                    .filter(|a| a.len() == 12)
                    .unwrap_or(account.id.as_str());
                out.push(Commitment {
                    kind: CommitmentKind::SavingsPlan,
                    id: id.to_string(),
                    account: owner.to_string(),
                    region: p.region().filter(|r| !r.is_empty()).map(String::from),
                    description: kind,
                    count: None,
                    ends_at,
                    state: p.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    hourly_commitment: number(p.commitment()),
                    payment_option: p.payment_option().map(|o| o.as_str().to_string()),
                    currency: p.currency().map(|c| c.as_str().to_string()),
                });
            }
            token = answer.next_token().filter(|t| !t.is_empty()).map(String::from);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    async fn ec2(&self, account: &Account, c: Credentials) -> Result<Vec<Commitment>, SourceError> {
        let region = account.region.as_str().to_string();
        let config = aws_sdk_ec2::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.clone()))
            .credentials_provider(Self::credentials(c))
            .build();
        let client = aws_sdk_ec2::Client::from_conf(config);
        let answer = client
            .describe_reserved_instances()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("state")
                    .values("active")
                    .build(),
            )
            .send()
            .await
            .map_err(|e| crate::sdk_unavailable!("EC2 DescribeReservedInstances", account.id.as_str(), e))?;
        let mut out = Vec::new();
        for r in answer.reserved_instances() {
            let Some(id) = r.reserved_instances_id() else { continue };
            let Some(end) = r.end() else { continue };
            let count = r.instance_count().and_then(|n| u32::try_from(n).ok());
            let what = [
                r.instance_type().map(|t| t.as_str().to_string()),
                count.map(|n| format!("× {n}")),
                r.product_description().map(|p| p.as_str().to_string()),
            ];
            let hourly: f64 = r.recurring_charges().iter().filter_map(|c| c.amount()).sum();
            out.push(Commitment {
                kind: CommitmentKind::Ec2ReservedInstances,
                id: id.to_string(),
                account: account.id.to_string(),
                region: Some(region.clone()),
                description: what.into_iter().flatten().collect::<Vec<_>>().join(" "),
                count,
                ends_at: when(id, end)?,
                state: r.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                hourly_commitment: (!r.recurring_charges().is_empty()).then_some(hourly),
                payment_option: r.offering_type().map(|o| o.as_str().to_string()),
                currency: r.currency_code().map(|c| c.as_str().to_string()),
            });
        }
        Ok(out)
    }

    async fn rds(&self, account: &Account, c: Credentials) -> Result<Vec<Commitment>, SourceError> {
        let region = account.region.as_str().to_string();
        let config = aws_sdk_rds::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.clone()))
            .credentials_provider(Self::credentials(c))
            .build();
        let client = aws_sdk_rds::Client::from_conf(config);
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let answer = client
                .describe_reserved_db_instances()
                .max_records(100)
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| crate::sdk_unavailable!("RDS DescribeReservedDBInstances", account.id.as_str(), e))?;
            for r in answer.reserved_db_instances() {
                let Some(id) = r.reserved_db_instance_id() else {
                    continue;
                };
                let state = r.state().unwrap_or_default();
                if !state.eq_ignore_ascii_case("active") {
                    continue;
                }
                let (Some(start), Some(duration)) = (r.start_time(), r.duration()) else {
                    continue;
                };
                let count = r.db_instance_count().and_then(|n| u32::try_from(n).ok());
                let what = [
                    r.db_instance_class().map(String::from),
                    count.map(|n| format!("× {n}")),
                    r.product_description().map(String::from),
                    r.multi_az().filter(|m| *m).map(|_| "Multi-AZ".to_string()),
                ];
                let hourly: f64 = r
                    .recurring_charges()
                    .iter()
                    .filter_map(|c| c.recurring_charge_amount())
                    .sum();
                out.push(Commitment {
                    kind: CommitmentKind::RdsReservedInstances,
                    id: id.to_string(),
                    account: account.id.to_string(),
                    region: Some(region.clone()),
                    description: what.into_iter().flatten().collect::<Vec<_>>().join(" "),
                    count,
                    ends_at: when(id, start)? + time::Duration::seconds(i64::from(duration)),
                    state: state.to_string(),
                    hourly_commitment: (!r.recurring_charges().is_empty()).then_some(hourly),
                    payment_option: r.offering_type().map(String::from),
                    currency: r.currency_code().map(String::from),
                });
            }
            marker = answer.marker().filter(|m| !m.is_empty()).map(String::from);
            if marker.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl RenewalSource for AwsRenewals {
    async fn commitments(&self, scope: &ReportScope<'_>) -> Result<Vec<Commitment>, SourceError> {
        let accounts = report_role::role_accounts(scope.accounts);
        if accounts.is_empty() {
            return Err(SourceError::NoData(report_role::NO_ROLE_RENEWALS.into()));
        }
        let mut out = Vec::new();
        for (account, role) in accounts {
            let c = self.sessions.credentials(&role).await?;
            let (sp, ec2, rds) = tokio::try_join!(
                self.savings_plans(account, c.clone()),
                self.ec2(account, c.clone()),
                self.rds(account, c),
            )?;
            out.extend(sp);
            out.extend(ec2);
            out.extend(rds);
        }
        Ok(out)
    }
}
