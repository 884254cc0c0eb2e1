//! Per-customer approval policy, editable by admins; the defaults are the team's standard
//! two-person rule: the requester plus one senior or lead.

use std::collections::BTreeSet;

use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::identity::Role;

/// A PUT replaces the whole policy, so every field is required (a missing one is a 400 naming
/// it, never a silent reset to its default); only `version` may be left out (0: no policy yet).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// Distinct approvers needed besides the requester (1-3).
    pub approvals_required: u8,
    /// Roles whose holders may approve (any of senior, lead, admin).
    pub approver_roles: BTreeSet<Role>,
    /// Longest grant (15-720 minutes).
    pub max_duration_minutes: u32,
    /// How long a request waits for approval before it times out (5-1440 minutes).
    pub approval_window_minutes: u32,
    pub ticket_required: bool,
    /// Optimistic-concurrency version (read-only in responses; send it back to update).
    #[serde(default)]
    pub version: u64,
}

impl Default for ApprovalPolicy {
    /// The team's standard: one senior or lead besides the requester, grants up to 4 h, two hours
    /// to approve, no ticket required.
    fn default() -> Self {
        ApprovalPolicy {
            approvals_required: 1,
            approver_roles: [Role::Senior, Role::Lead].into(),
            max_duration_minutes: 240,
            approval_window_minutes: 120,
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
