//! The customer page in one read: the customer, its key contacts in escalation order, its team, a
//! summary of the approval policy in force and how its accounts break down. The accounts
//! themselves stay a paged list (`GET /accounts?customer=`).

use std::collections::BTreeSet;

use super::service::*;
use super::*;
use crate::access::ApprovalPolicy;
use crate::identity::{Principal, Role};

#[derive(Clone, Debug, PartialEq, serde::Serialize, ToSchema)]
pub struct CustomerOverview {
    pub customer: Customer,
    /// Every key contact (at most 50), in escalation order: call the first one first.
    pub contacts: Vec<Contact>,
    pub team: Team,
    pub policy: PolicySummary,
    pub accounts: AccountCounts,
}

/// What breakglass access to this customer's accounts takes (the policy in force; the full
/// policy is `GET /customers/{code}/approval-policy`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, ToSchema)]
pub struct PolicySummary {
    /// Approvals needed besides the requester's own request.
    pub approvals_required: u8,
    /// Who may approve.
    pub approver_roles: BTreeSet<Role>,
    /// The longest grant, in minutes.
    pub max_duration_minutes: u32,
    /// How long a request waits for approval, in minutes.
    pub approval_window_minutes: u32,
    /// Whether a request must name a ticket.
    pub ticket_required: bool,
    /// The form tickets must take (`null`: any common form: a key, a number or a URL).
    pub ticket_pattern: Option<String>,
    /// Who may ask for access (besides being on the customer's team).
    pub requester_roles: BTreeSet<Role>,
    /// `false` while the customer has the standard policy (never changed by an admin).
    pub customised: bool,
    /// The policy's version (0: the defaults).
    pub version: u64,
}

impl From<&ApprovalPolicy> for PolicySummary {
    fn from(p: &ApprovalPolicy) -> Self {
        PolicySummary {
            approvals_required: p.approvals_required,
            approver_roles: p.approver_roles.clone(),
            max_duration_minutes: p.max_duration_minutes,
            approval_window_minutes: p.approval_window_minutes,
            ticket_required: p.ticket_required,
            ticket_pattern: p.ticket_pattern.clone(),
            requester_roles: p.requester_roles.clone(),
            customised: p.version > 0,
            version: p.version,
        }
    }
}

/// How many accounts the customer has, and how they break down.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct AccountCounts {
    pub total: u32,
    pub by_environment: EnvironmentCounts,
    pub by_access: AccessCounts,
    /// Organisation management (payer) accounts.
    pub management: u32,
    /// Accounts that are a delegated administrator for at least one service.
    pub delegated_admin: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct EnvironmentCounts {
    pub prod: u32,
    pub non_prod: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct AccessCounts {
    pub sso: u32,
    pub role: u32,
}

impl AccountCounts {
    pub fn of<'a>(accounts: impl IntoIterator<Item = &'a Account>) -> Self {
        let mut n = AccountCounts::default();
        for a in accounts {
            n.total += 1;
            match a.environment {
                Environment::Prod => n.by_environment.prod += 1,
                Environment::NonProd => n.by_environment.non_prod += 1,
            }
            match a.access {
                AccessMethod::Sso { .. } => n.by_access.sso += 1,
                AccessMethod::Role { .. } => n.by_access.role += 1,
            }
            n.management += u32::from(a.management_account);
            n.delegated_admin += u32::from(!a.delegated_admin_services.is_empty());
        }
        n
    }
}

impl Hub {
    /// Everything the customer page shows but the account list, read at once: the customer (404
    /// when it is not in the hub), contacts, team, approval policy and the account counts (from
    /// the snapshot, which follows every write).
    pub async fn overview(&self, who: &Principal, code: &str) -> Result<CustomerOverview> {
        who.require_any_role()?;
        let code = CustomerCode::parse(code).map_err(|e| Error::validation("code", e.to_string()))?;
        let (customer, contacts, team, policy, snapshot) = tokio::try_join!(
            self.load_customer(code.as_str()),
            self.contacts_of(code.as_str()),
            self.load_team(&code),
            crate::access::policy::in_force(self.store.as_ref(), code.as_str()),
            self.snapshot(),
        )?;
        let accounts = AccountCounts::of(snapshot.accounts.iter().filter(|a| a.customer == code));
        Ok(CustomerOverview {
            customer: customer.0,
            contacts,
            team: team.0,
            policy: PolicySummary::from(&policy),
            accounts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account(id: &str, env: &str, access: serde_json::Value, management: bool, delegated: &[&str]) -> Account {
        serde_json::from_value(json!({
            "id": id, "customer": "acme", "name": "A", "alias": null, "environment": env,
            "region": "eu-west-1", "management_account": management, "delegated_admin_services": delegated,
            "access": access, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn account_counts_break_down_by_environment_access_and_organisation_role() {
        let role = |id: &str| {
            json!({"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/R"),
                "breakglass_role_arn": format!("arn:aws:iam::{id}:role/B"), "external_id": "cc-x"})
        };
        let sso = json!({"method": "sso", "start_url": "https://x.awsapps.com/start", "sso_region": "eu-west-1",
            "permission_sets": ["ReadOnly"]});
        let accounts = [
            account("000000000001", "prod", role("000000000001"), true, &[]),
            account(
                "000000000002",
                "prod",
                sso.clone(),
                false,
                &["securityhub.amazonaws.com"],
            ),
            account("000000000003", "non-prod", sso.clone(), false, &[]),
            account(
                "000000000004",
                "non-prod",
                sso,
                false,
                &["guardduty.amazonaws.com", "config.amazonaws.com"],
            ),
        ];
        assert_eq!(
            AccountCounts::of(&accounts),
            AccountCounts {
                total: 4,
                by_environment: EnvironmentCounts { prod: 2, non_prod: 2 },
                by_access: AccessCounts { sso: 3, role: 1 },
                management: 1,
                delegated_admin: 2,
            }
        );
        assert_eq!(AccountCounts::of(&[]), AccountCounts::default());
    }

    #[test]
    fn the_policy_summary_says_whether_the_defaults_are_in_force() {
        let defaults = PolicySummary::from(&ApprovalPolicy::default());
        assert!(!defaults.customised);
        assert_eq!(
            (
                defaults.approvals_required,
                defaults.max_duration_minutes,
                defaults.ticket_required
            ),
            (1, 240, false)
        );
        assert_eq!(defaults.requester_roles, BTreeSet::from([Role::Engineer]));
        assert_eq!(defaults.approver_roles, BTreeSet::from([Role::Senior, Role::Lead]));
        let changed = ApprovalPolicy {
            approvals_required: 2,
            ticket_required: true,
            ticket_pattern: Some("CHG[0-9]{7}".into()),
            version: 3,
            ..ApprovalPolicy::default()
        };
        let summary = PolicySummary::from(&changed);
        assert!(summary.customised && summary.ticket_required);
        assert_eq!(
            (
                summary.approvals_required,
                summary.ticket_pattern.as_deref(),
                summary.version
            ),
            (2, Some("CHG[0-9]{7}"), 3)
        );
    }
}
