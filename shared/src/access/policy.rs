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
    /// Tickets must match this regular expression (whole reference, case-insensitive), e.g.
    /// `OPS-[0-9]+`; `null` accepts the common forms (see [`super::ticket_reference`]).
    /// At most 200 characters.
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(required = true)]
    pub ticket_pattern: Option<String>,
    /// Roles whose holders may ask for access (besides being on the customer's team).
    pub requester_roles: BTreeSet<Role>,
    /// Approver roles whose holders may decide without being on the customer's team (the default:
    /// leads and admins decide for any customer). Everyone else decides only for their teams.
    pub approvers_off_team: BTreeSet<Role>,
    /// Optimistic-concurrency version (read-only in responses; send it back to update).
    #[serde(default)]
    pub version: u64,
}

/// A PATCH: only the fields sent change; `version` (the one read) is required.
#[derive(Clone, Debug, Default, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyPatch {
    pub approvals_required: Option<u8>,
    pub approver_roles: Option<BTreeSet<Role>>,
    pub max_duration_minutes: Option<u32>,
    pub approval_window_minutes: Option<u32>,
    pub ticket_required: Option<bool>,
    /// `null` goes back to the common forms; leave the field out to keep the pattern.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub ticket_pattern: Option<Option<String>>,
    pub requester_roles: Option<BTreeSet<Role>>,
    pub approvers_off_team: Option<BTreeSet<Role>>,
    pub version: u64,
}

/// Tells a field sent as `null` (`Some(None)`) from a field left out (`None`).
fn double_option<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<String>>, D::Error> {
    use serde::Deserialize;
    Option::<String>::deserialize(d).map(Some)
}

impl PolicyPatch {
    /// The policy with this patch applied (not yet validated).
    pub fn apply(self, mut p: ApprovalPolicy) -> ApprovalPolicy {
        if let Some(v) = self.approvals_required {
            p.approvals_required = v;
        }
        if let Some(v) = self.approver_roles {
            p.approver_roles = v;
        }
        if let Some(v) = self.max_duration_minutes {
            p.max_duration_minutes = v;
        }
        if let Some(v) = self.approval_window_minutes {
            p.approval_window_minutes = v;
        }
        if let Some(v) = self.ticket_required {
            p.ticket_required = v;
        }
        if let Some(v) = self.ticket_pattern {
            p.ticket_pattern = v;
        }
        if let Some(v) = self.requester_roles {
            p.requester_roles = v;
        }
        if let Some(v) = self.approvers_off_team {
            p.approvers_off_team = v;
        }
        p.version = self.version;
        p
    }
}

impl Default for ApprovalPolicy {
    /// The team's standard: one senior or lead besides the requester, grants up to 4 h, two hours
    /// to approve, no ticket required (any common ticket form accepted when one is given); engineers
    /// on the customer's team ask; leads may decide for customers they are not on.
    fn default() -> Self {
        ApprovalPolicy {
            approvals_required: 1,
            approver_roles: [Role::Senior, Role::Lead].into(),
            max_duration_minutes: 240,
            approval_window_minutes: 120,
            ticket_required: false,
            ticket_pattern: None,
            requester_roles: [Role::Engineer].into(),
            approvers_off_team: [Role::Lead].into(),
            version: 0,
        }
    }
}

/// The policy in force for `customer`: the stored one, or the defaults (version 0) when an admin
/// never changed it. The one read the breakglass rules and the customer page both use.
pub async fn in_force(store: &dyn crate::store::ItemStore, customer: &str) -> Result<ApprovalPolicy> {
    match store.get(&crate::keys::customer(customer), crate::keys::POLICY).await? {
        Some(item) => crate::store::decode(item),
        None => Ok(ApprovalPolicy::default()),
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
        if self.requester_roles.is_empty() {
            return Err(Error::validation(
                "requester_roles",
                "requester_roles must name one or more roles",
            ));
        }
        if self.approvers_off_team.contains(&Role::Engineer) {
            return Err(Error::validation(
                "approvers_off_team",
                "approvers_off_team may name senior, lead or admin",
            ));
        }
        if let Some(p) = &self.ticket_pattern {
            self.ticket_regex().map_err(|e| {
                Error::validation(
                    "ticket_pattern",
                    format!("ticket_pattern must be a regular expression of at most {MAX_PATTERN} characters: {e}"),
                )
            })?;
            if p.trim().is_empty() {
                return Err(Error::validation(
                    "ticket_pattern",
                    "ticket_pattern is empty; send null to accept the common forms",
                ));
            }
        }
        Ok(())
    }

    /// A change may not name off-team approvers who cannot approve at all (an `approvers_off_team`
    /// role missing from `approver_roles` means nothing and reads as if it did). Only a change of
    /// either list is judged, so a policy stored before this rule stays editable.
    pub fn validate_change(&self, before: &ApprovalPolicy) -> Result<()> {
        self.validate()?;
        let changed =
            self.approver_roles != before.approver_roles || self.approvers_off_team != before.approvers_off_team;
        let idle: Vec<&str> = self
            .approvers_off_team
            .difference(&self.approver_roles)
            .map(|r| r.as_str())
            .collect();
        if changed && !idle.is_empty() {
            return Err(Error::validation(
                "approvers_off_team",
                format!(
                    "approvers_off_team names {} but approver_roles does not, so they could not approve at all; add them to approver_roles or leave them out",
                    idle.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// The ticket pattern, anchored to the whole reference and case-insensitive.
    fn ticket_regex(&self) -> std::result::Result<Option<regex_lite::Regex>, String> {
        let Some(p) = &self.ticket_pattern else { return Ok(None) };
        if p.chars().count() > MAX_PATTERN {
            return Err("too long".into());
        }
        regex_lite::RegexBuilder::new(&format!("^(?:{p})$"))
            .case_insensitive(true)
            .size_limit(1 << 16)
            .build()
            .map(Some)
            .map_err(|e| e.to_string().lines().last().unwrap_or_default().to_string())
    }

    /// Checks and normalises a ticket reference against this policy: the customer's pattern when
    /// it has one (kept as typed, trimmed), else the common forms ([`super::ticket_reference`]).
    pub fn ticket(&self, raw: &str) -> Result<String> {
        // A custom pattern such as `.*` would let anything through.
        crate::text::line("ticket", raw.trim(), 0, usize::MAX)?;
        match self.ticket_regex() {
            Ok(Some(re)) => {
                let t = raw.trim();
                if t.chars().count() > super::MAX_TICKET_CHARS {
                    return Err(Error::validation(
                        "ticket",
                        format!("a ticket reference has at most {} characters", super::MAX_TICKET_CHARS),
                    ));
                }
                if re.is_match(t) {
                    Ok(t.to_string())
                } else {
                    Err(Error::validation(
                        "ticket",
                        format!(
                            "'{}' does not match this customer's ticket pattern {}",
                            super::short(t),
                            self.ticket_pattern.as_deref().unwrap_or_default()
                        ),
                    ))
                }
            }
            _ => super::ticket_reference(raw),
        }
    }
}

/// The longest ticket pattern accepted.
pub const MAX_PATTERN: usize = 200;
