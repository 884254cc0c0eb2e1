//! The outside systems the billing fetch reads, as small traits: Cost Explorer
//! (`GetCostAndUsage`, one page per call) and AWS Organizations (the management account, the
//! member accounts and the delegated administrators). Both are reached through a customer's read
//! role ([`ReadRole`]) in its management (payer) account. Each has an AWS adapter (STS + the SDK
//! client, in `cc-adapters`) and an embedded one that answers from the hub, so a local fetch runs
//! end to end without AWS.

use std::collections::BTreeMap;

use async_trait::async_trait;
use time::Date;

use super::costs::{CostMetric, DailyCost};
use crate::ids::{AccountId, ExternalId, RoleArn};

/// The role a source is reached through: the payer account's read role (the onboarding template's
/// `ReadRole`, whose `ReadOnlyAccess` includes `ce:Get*`, `organizations:Describe*` and
/// `organizations:List*`), its external id and the session name that shows in the customer's
/// CloudTrail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadRole {
    pub role_arn: RoleArn,
    pub external_id: Option<ExternalId>,
    /// `RoleSessionName` (≤ 64 characters of `[\w+=,.@-]`).
    pub session_name: String,
}

impl ReadRole {
    /// The account the role lives in (the payer account for billing).
    pub fn account(&self) -> &str {
        self.role_arn.account_id()
    }
}

/// One `GetCostAndUsage` request: the period `[start, end)` (Cost Explorer's `End` is exclusive),
/// `Granularity` `DAILY`, `GroupBy` `LINKED_ACCOUNT` then `SERVICE` (Cost Explorer allows at most
/// two keys), `Metrics` = [`CostMetric`], and the page token of the previous answer, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct CostQuery {
    pub start: Date,
    pub end: Date,
    pub metric: CostMetric,
    pub page_token: Option<String>,
}

/// One page of a `GetCostAndUsage` answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CostPage {
    /// One cell per (linked account, service, day) group of `ResultsByTime[].Groups[]`.
    pub costs: Vec<DailyCost>,
    /// `ResultsByTime[].Total` where Cost Explorer filled it (ungrouped answers): (day, amount,
    /// currency). A grouped answer leaves it empty; nothing is stored from it.
    pub totals: Vec<(Date, f64, String)>,
    /// The days Cost Explorer flagged `Estimated` (not final yet: they are fetched again).
    pub estimated_days: Vec<Date>,
    /// `NextPageToken`: another (billed) call is needed for the rest.
    pub next_page_token: Option<String>,
}

/// How a call to Cost Explorer or Organizations failed. The fetch records the reason per
/// customer and goes on with the others.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The role could not be assumed or does not allow the call (`AccessDenied...`).
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// Still throttled (`LimitExceededException`, `TooManyRequestsException`) after the bounded
    /// retries with backoff.
    #[error("throttled: {0}")]
    Throttled(String),
    /// The payer account is in no organisation (`AWSOrganizationsNotInUseException`).
    #[error("the account is not in an organisation")]
    NotInOrganization,
    /// The answer could not be read (an unexpected shape, a bad account id or amount).
    #[error("unexpected answer: {0}")]
    BadAnswer(String),
    #[error("{0}")]
    Failed(String),
}

#[async_trait]
pub trait CostSource: Send + Sync {
    /// One `GetCostAndUsage` page for the payer reached through `role`. Each call is one billed
    /// request (USD 0.01, DOMAIN.md "Billing").
    async fn cost_page(&self, role: &ReadRole, query: &CostQuery) -> Result<CostPage, SourceError>;
}

/// An organisation (`DescribeOrganization`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    /// `o-...`.
    pub id: String,
    pub management_account: AccountId,
}

/// A member account's standing in its organisation. Organizations reports it as `Status`
/// (`ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`) and, since 2025, as the finer `State` (`ACTIVE`,
/// `SUSPENDED`, `PENDING_ACTIVATION`, `PENDING_CLOSURE`, `CLOSED`); `State` wins when present.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OrgAccountStatus {
    Active,
    /// Created or invited, not active yet (`State` `PENDING_ACTIVATION`).
    PendingActivation,
    Suspended,
    PendingClosure,
    Closed,
}

impl OrgAccountStatus {
    /// From Organizations' `State` (preferred) or `Status` string; `None` for a value it does not
    /// know.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "ACTIVE" => OrgAccountStatus::Active,
            "PENDING_ACTIVATION" => OrgAccountStatus::PendingActivation,
            "SUSPENDED" => OrgAccountStatus::Suspended,
            "PENDING_CLOSURE" => OrgAccountStatus::PendingClosure,
            "CLOSED" => OrgAccountStatus::Closed,
            _ => return None,
        })
    }

    /// Suspended, closing or closed: flagged wherever the account is shown.
    pub fn is_closing(self) -> bool {
        matches!(
            self,
            OrgAccountStatus::Suspended | OrgAccountStatus::PendingClosure | OrgAccountStatus::Closed
        )
    }
}

/// A member account (`ListAccounts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: AccountId,
    pub name: String,
    pub email: String,
    pub status: OrgAccountStatus,
}

#[async_trait]
pub trait OrganizationSource: Send + Sync {
    /// `DescribeOrganization`: the organisation `role`'s account belongs to.
    async fn organization(&self, role: &ReadRole) -> Result<Organization, SourceError>;
    /// `ListAccounts`, every page: the organisation's accounts (callable from the management
    /// account or a delegated administrator).
    async fn accounts(&self, role: &ReadRole) -> Result<Vec<OrgAccount>, SourceError>;
    /// `ListDelegatedAdministrators` and, for each, `ListDelegatedServicesForAccount`: account →
    /// service principals (e.g. `securityhub.amazonaws.com`), sorted.
    async fn delegated_administrators(&self, role: &ReadRole) -> Result<BTreeMap<AccountId, Vec<String>>, SourceError>;
}
