//! Per-customer approval policy, editable by admins; the defaults are the team's standard
//! two-person rule: the requester plus one senior or lead.

use std::collections::BTreeSet;

use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::identity::Role;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// Distinct approvers needed besides the requester (1-3).
    #[serde(default = "d_approvals")]
    pub approvals_required: u8,
    /// Roles whose holders may approve (any of senior, lead, admin).
    #[serde(default = "d_roles")]
    pub approver_roles: BTreeSet<Role>,
    /// Longest grant (15-720 minutes).
    #[serde(default = "d_max")]
    pub max_duration_minutes: u32,
    /// How long a request waits for approval before it times out (5-1440 minutes).
    #[serde(default = "d_window")]
    pub approval_window_minutes: u32,
    #[serde(default)]
    pub ticket_required: bool,
    /// Optimistic-concurrency version (read-only in responses; send it back to update).
    #[serde(default)]
    pub version: u64,
}

fn d_approvals() -> u8 {
    1
}
fn d_roles() -> BTreeSet<Role> {
    [Role::Senior, Role::Lead].into()
}
fn d_max() -> u32 {
    240
}
fn d_window() -> u32 {
    120
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        ApprovalPolicy {
            approvals_required: d_approvals(),
            approver_roles: d_roles(),
            max_duration_minutes: d_max(),
            approval_window_minutes: d_window(),
            ticket_required: false,
            version: 0,
        }
    }
}

impl ApprovalPolicy {
    pub fn validate(&self) -> Result<()> {
        if !(1..=3).contains(&self.approvals_required) {
            return Err(Error::validation(
                "approvals_required",
                "approvals_required must be 1-3",
            ));
        }
        if self.approver_roles.is_empty() || self.approver_roles.contains(&Role::Engineer) {
            return Err(Error::validation(
                "approver_roles",
                "approver_roles must name one or more of senior, lead, admin",
            ));
        }
        if !(15..=720).contains(&self.max_duration_minutes) {
            return Err(Error::validation(
                "max_duration_minutes",
                "max_duration_minutes must be 15-720",
            ));
        }
        if !(5..=1440).contains(&self.approval_window_minutes) {
            return Err(Error::validation(
                "approval_window_minutes",
                "approval_window_minutes must be 5-1440",
            ));
        }
        Ok(())
    }
}
