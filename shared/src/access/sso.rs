//! Breakglass on SSO accounts, the way AWS's TEAM solution elevates: a grant is a temporary IAM
//! Identity Center account assignment of one of the account's *breakglass* permission sets to the
//! requester (never a standing one), made before the request becomes active and deleted when it
//! ends.
//!
//! - Nothing is half-granted: before an assignment is created a marker item
//!   (`keys::SSO_ASSIGNMENTS`) records that it may exist; it goes only once the assignment is
//!   gone. A failed assignment leaves the request `approved` with the failure on it
//!   (`sso.failure`, plus a history line and an audit event) and the sweeper retries the grant; a
//!   failed removal stays on the ended request the same way and the sweeper retries it through
//!   the markers until it succeeds.
//! - Breakglass permission sets appear in a person's profiles and console links only while they
//!   hold an active grant for that account and permission set ([`held_breakglass_sets`]).
//! - Credentials come from the SSO portal (the person's SSO profile), not from us: `/credentials`
//!   answers `sso_grant` (409) saying so, and the console link is the portal's deep link.

use std::collections::BTreeSet;

use time::OffsetDateTime;
use utoipa::ToSchema;

use super::ports::{SsoError, SsoTarget};
use super::service::*;
use super::*;
use crate::hub::{AccessMethod, Account};
use crate::ids::{HttpsUrl, IdentityStoreId, PermissionSetName, Region, SsoInstanceArn};
use crate::keys;
use crate::store::{Index, Item, ItemStore, Query, Write, decode};

/// Where an SSO grant's account assignment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentState {
    /// Not made yet (or it failed: see `failure`).
    NotAssigned,
    /// The permission set is assigned to the requester.
    Assigned,
    /// The assignment was deleted at the end of the grant.
    Removed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SsoStep {
    Assign,
    Unassign,
}

/// The last failed attempt to assign or remove, kept on the request until a retry succeeds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ProvisioningFailure {
    pub step: SsoStep,
    /// `user_not_found`, `unknown_permission_set` or `failed`.
    pub kind: String,
    pub message: String,
    /// Failed attempts so far (the sweeper retries).
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub first_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub last_at: OffsetDateTime,
}

/// An SSO breakglass grant: the permission set, the account's Identity Center as it was when the
/// request was made, and the assignment's state.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct SsoGrant {
    pub permission_set: PermissionSetName,
    pub start_url: HttpsUrl,
    pub sso_region: Region,
    pub instance_arn: SsoInstanceArn,
    pub identity_store_id: IdentityStoreId,
    pub admin_role_arn: RoleArn,
    #[serde(default)]
    pub admin_external_id: Option<ExternalId>,
    pub assignment: AssignmentState,
    #[serde(default)]
    pub failure: Option<ProvisioningFailure>,
}

impl SsoGrant {
    pub fn target(&self, r: &AccessRequest) -> SsoTarget {
        SsoTarget {
            instance_arn: self.instance_arn.clone(),
            identity_store_id: self.identity_store_id.clone(),
            region: self.sso_region.clone(),
            admin_role_arn: self.admin_role_arn.clone(),
            admin_external_id: self.admin_external_id.clone(),
            account_id: r.account_id.clone(),
            permission_set: self.permission_set.clone(),
            request_id: r.id.clone(),
        }
    }

    /// The access portal's deep link into the account as this permission set.
    pub fn portal_url(&self, account: &AccountId) -> String {
        crate::hub::links::sso_portal_url(&self.start_url, account, &self.permission_set)
    }
}

fn listed(sets: &[PermissionSetName]) -> String {
    sets.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
}

/// The SSO grant a new request on `account` asks for, checked against the account's breakglass
/// permission sets (`asked` may be left out when there is exactly one); `None` for role accounts.
pub fn grant_for(account: &Account, asked: Option<&PermissionSetName>) -> Result<Option<SsoGrant>> {
    let AccessMethod::Sso {
        start_url,
        sso_region,
        permission_sets,
        breakglass_permission_sets,
        identity_center,
    } = &account.access
    else {
        return match asked {
            Some(_) => Err(Error::validation(
                "permission_set",
                format!(
                    "account {} is reached through onboarding roles; permission_set applies to SSO accounts only",
                    account.id
                ),
            )),
            None => Ok(None),
        };
    };
    let ic = match identity_center {
        Some(ic) if !breakglass_permission_sets.is_empty() => ic,
        _ => {
            return Err(Error::validation(
                "account_id",
                format!(
                    "account {} is reached through the customer's SSO and has no breakglass permission sets; an admin lists them (with the Identity Center) in the account's access",
                    account.id
                ),
            ));
        }
    };
    let permission_set = match asked {
        Some(ps) if breakglass_permission_sets.contains(ps) => ps.clone(),
        Some(ps) if permission_sets.contains(ps) => {
            return Err(Error::validation(
                "permission_set",
                format!(
                    "{ps} is a standing permission set on account {}; breakglass is for: {}",
                    account.id,
                    listed(breakglass_permission_sets)
                ),
            ));
        }
        Some(ps) => {
            return Err(Error::validation(
                "permission_set",
                format!(
                    "account {} has no breakglass permission set '{ps}'; choose one of: {}",
                    account.id,
                    listed(breakglass_permission_sets)
                ),
            ));
        }
        None if breakglass_permission_sets.len() == 1 => breakglass_permission_sets[0].clone(),
        None => {
            return Err(Error::validation(
                "permission_set",
                format!(
                    "account {} has several breakglass permission sets; name one of: {}",
                    account.id,
                    listed(breakglass_permission_sets)
                ),
            ));
        }
    };
    Ok(Some(SsoGrant {
        permission_set,
        start_url: start_url.clone(),
        sso_region: sso_region.clone(),
        instance_arn: ic.instance_arn.clone(),
        identity_store_id: ic.identity_store_id.clone(),
        admin_role_arn: ic.admin_role_arn.clone(),
        admin_external_id: ic.external_id.clone(),
        assignment: AssignmentState::NotAssigned,
        failure: None,
    }))
}

/// What an SSO request records as its role: the path of the role Identity Center provisions for
/// the permission set in the account (the real name carries a suffix Identity Center chooses), the
/// portal's one-hour default session. For display; nothing assumes it.
pub fn role_parts(account: &Account, grant: Option<&SsoGrant>) -> Result<(RoleArn, Option<ExternalId>, u32)> {
    let grant = grant.ok_or_else(|| Error::Internal(anyhow::anyhow!("an SSO request without its grant")))?;
    let partition = grant
        .instance_arn
        .as_str()
        .split(':')
        .nth(1)
        .unwrap_or("aws")
        .to_string();
    let arn = RoleArn::parse(format!(
        "arn:{partition}:iam::{}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_{}",
        account.id, grant.permission_set
    ))
    .map_err(|e| Error::Internal(e.into()))?;
    Ok((arn, None, 3600))
}

/// The breakglass permission sets a person holds right now: active grants that are assigned and
/// have time left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeldSets(BTreeSet<(String, String)>);

impl HeldSets {
    /// Held sets as `(account id, permission set)` pairs.
    pub fn of<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        HeldSets(pairs.into_iter().map(|(a, p)| (a.to_string(), p.to_string())).collect())
    }

    pub fn holds(&self, account_id: &str, permission_set: &str) -> bool {
        self.0.contains(&(account_id.to_string(), permission_set.to_string()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Of `account`'s breakglass permission sets, those held.
    pub fn on(&self, account: &Account) -> Vec<PermissionSetName> {
        match &account.access {
            AccessMethod::Sso {
                breakglass_permission_sets,
                ..
            } if !self.is_empty() => breakglass_permission_sets
                .iter()
                .filter(|ps| self.holds(account.id.as_str(), ps.as_str()))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn from_requests<'a>(
        requests: impl IntoIterator<Item = &'a AccessRequest>,
        who: &Email,
        now: OffsetDateTime,
    ) -> Self {
        HeldSets(
            requests
                .into_iter()
                .filter(|r| r.requester == *who && r.status == Status::Active && r.ends_at.is_some_and(|end| now < end))
                .filter_map(|r| {
                    let sso = r.sso.as_ref()?;
                    (sso.assignment == AssignmentState::Assigned)
                        .then(|| (r.account_id.to_string(), sso.permission_set.to_string()))
                })
                .collect(),
        )
    }
}

/// The breakglass permission sets `who` holds now, from the active grants (status index).
pub async fn held_breakglass_sets(store: &dyn ItemStore, who: &Email, now: OffsetDateTime) -> Result<HeldSets> {
    let active: Vec<AccessRequest> = store
        .query_all(Query::partition(Index::Gsi2, keys::status(Status::Active.as_str())).limit(500))
        .await?
        .into_iter()
        .map(decode::<AccessRequest>)
        .collect::<Result<_>>()?;
    Ok(HeldSets::from_requests(&active, who, now))
}

/// The first retry of a failed assignment waits this long; each further failure doubles it, up to
/// [`RETRY_MAX_SECONDS`].
pub const RETRY_FIRST_SECONDS: i64 = 15;
pub const RETRY_MAX_SECONDS: i64 = 600;

/// When an approved SSO request whose assignment failed is next tried (its place in the sweeper's
/// index): `RETRY_FIRST_SECONDS` after the last failure, doubling per attempt, at most
/// `RETRY_MAX_SECONDS`. `None` when no assignment failed.
pub fn retry_at(r: &AccessRequest) -> Option<OffsetDateTime> {
    let f = r.sso.as_ref()?.failure.as_ref().filter(|f| f.step == SsoStep::Assign)?;
    let wait = (RETRY_FIRST_SECONDS << f.attempts.saturating_sub(1).min(10)).min(RETRY_MAX_SECONDS);
    Some(f.last_at + time::Duration::seconds(wait))
}

fn marker(r: &AccessRequest) -> Item {
    Item::new(
        keys::SSO_ASSIGNMENTS,
        r.id.clone(),
        serde_json::json!({
            "request_id": r.id,
            "account_id": r.account_id.as_str(),
            "requester": r.requester.as_str(),
            "permission_set": r.sso.as_ref().map(|s| s.permission_set.to_string()),
        }),
    )
}

fn internal(e: &SsoError) -> Error {
    Error::Internal(anyhow::anyhow!("IAM Identity Center: {e}"))
}

impl AccessRequest {
    /// Records a failed assignment or removal on the request; a history line only when the failure
    /// is new or different, so retries do not flood the history.
    fn sso_failed(mut self, step: SsoStep, err: &SsoError, now: OffsetDateTime) -> Result<Self> {
        let Some(sso) = self.sso.as_mut() else {
            return Err(Error::Internal(anyhow::anyhow!(
                "request {} is not an SSO grant",
                self.id
            )));
        };
        let message = err.to_string();
        let ps = sso.permission_set.clone();
        let repeated = sso
            .failure
            .as_ref()
            .is_some_and(|f| f.step == step && f.message == message);
        let (attempts, first_at) = match &sso.failure {
            Some(f) if f.step == step => (f.attempts + 1, f.first_at),
            _ => (1, now),
        };
        sso.failure = Some(ProvisioningFailure {
            step,
            kind: err.kind().to_string(),
            message: message.clone(),
            attempts,
            first_at,
            last_at: now,
        });
        if !repeated {
            let what = match step {
                SsoStep::Assign => format!("could not assign {ps} in IAM Identity Center: {message} (retrying)"),
                SsoStep::Unassign => {
                    format!("could not remove the {ps} assignment in IAM Identity Center: {message} (retrying)")
                }
            };
            self.log(now, SYSTEM, what);
        }
        Ok(self)
    }

    /// Approved → active once the permission set is assigned.
    fn activate_assigned(mut self, now: OffsetDateTime) -> Result<Self> {
        if let Some(sso) = self.sso.as_mut() {
            sso.assignment = AssignmentState::Assigned;
            sso.failure = None;
            let what = format!(
                "{} assigned to {} in IAM Identity Center",
                sso.permission_set, self.requester
            );
            self.log(now, SYSTEM, what);
        }
        self.activate(now)
    }

    /// The assignment is gone (or was never made, or another grant of the same person keeps it).
    fn assignment_removed(mut self, kept_by: Option<&str>, now: OffsetDateTime) -> Result<Self> {
        let Some(sso) = self.sso.as_mut() else {
            return Ok(self);
        };
        let ps = sso.permission_set.clone();
        if sso.failure.as_ref().is_some_and(|f| f.step == SsoStep::Unassign) {
            sso.failure = None;
        }
        if sso.assignment == AssignmentState::Assigned {
            sso.assignment = AssignmentState::Removed;
            let what = match kept_by {
                None => format!("{ps} assignment removed from IAM Identity Center"),
                Some(other) => format!("{ps} assignment left in place for the active grant {other}"),
            };
            self.log(now, SYSTEM, what);
        }
        Ok(self)
    }

    /// Whether [`Self::assignment_removed`] would change anything.
    fn removal_to_record(&self) -> bool {
        self.sso.as_ref().is_some_and(|s| {
            s.assignment == AssignmentState::Assigned || s.failure.as_ref().is_some_and(|f| f.step == SsoStep::Unassign)
        })
    }
}

impl Access {
    /// Grants an approved SSO request: marker, account assignment, then approved → active. A
    /// failure leaves the request approved with the failure on it (the sweeper retries).
    pub(super) async fn grant_sso(&self, current: AccessRequest) -> Result<AccessRequest> {
        let id = current.id.clone();
        // The state and start rules first: nothing is assigned for a request that cannot be granted.
        current.clone().activate(self.now())?;
        let Some(sso) = &current.sso else {
            return Err(Error::Internal(anyhow::anyhow!("request {id} is not an SSO grant")));
        };
        // Written before the assignment exists, so whatever happens next the sweeper can find it.
        self.store.transact(vec![Write::Put(marker(&current))]).await?;
        if let Err(e) = self.sso.assign(&sso.target(&current), &current.requester).await {
            self.note_sso_failure(&current, SsoStep::Assign, &e).await;
            return Err(internal(&e));
        }
        match self
            .transition(&id, SYSTEM, "granted", &Origin::default(), |r, now| {
                r.activate_assigned(now)
            })
            .await
        {
            Ok(granted) => {
                self.after_write(&granted, "granted").await;
                Ok(granted)
            }
            Err(e) => {
                // E.g. cancelled meanwhile: take the assignment back (a failure stays for the
                // sweeper). Granted by a concurrent caller: it stays.
                if let Ok(latest) = self.load(&id).await
                    && latest.status.is_final()
                {
                    let _ = self.remove_assignment(&latest).await;
                }
                Err(e)
            }
        }
    }

    /// After a grant ended (revoked, expired, withdrawn): SSO grants lose their account assignment,
    /// role grants get the IAM deny on their sessions. Whether that worked (a failure is recorded
    /// and retried: the sweeper for assignments).
    pub(super) async fn end_access(&self, ended: &AccessRequest) -> bool {
        if ended.sso.is_some() {
            self.remove_assignment(ended).await.is_ok()
        } else {
            self.close_sessions(ended).await
        }
    }

    /// An ended request as it stands after [`Self::end_access`] (an SSO grant's removal is recorded
    /// on it); role grants are returned as they are.
    pub(super) async fn as_it_stands(&self, ended: AccessRequest) -> AccessRequest {
        match &ended.sso {
            Some(_) => self.load(&ended.id).await.unwrap_or(ended),
            None => ended,
        }
    }

    /// Deletes the assignment of an ended (or never active) SSO request, unless another active
    /// grant of the same person on the same account and permission set still needs it; then drops
    /// the marker and records the removal on the request. A failure is recorded and returned.
    async fn remove_assignment(&self, r: &AccessRequest) -> Result<()> {
        let Some(sso) = &r.sso else { return Ok(()) };
        let mut kept_by = None;
        for other in self.by_status(Status::Active).await?.iter().filter(|o| {
            o.id != r.id
                && o.requester == r.requester
                && o.account_id == r.account_id
                && o.sso.as_ref().is_some_and(|s| s.permission_set == sso.permission_set)
        }) {
            // The index may lag; confirm with a consistent read.
            if let Ok(current) = self.load(&other.id).await
                && current.status == Status::Active
            {
                kept_by = Some(current.id);
            }
        }
        if kept_by.is_none()
            && let Err(e) = self.sso.unassign(&sso.target(r), &r.requester).await
        {
            self.note_sso_failure(r, SsoStep::Unassign, &e).await;
            return Err(internal(&e));
        }
        self.store.delete(keys::SSO_ASSIGNMENTS, &r.id, None).await?;
        if self.load(&r.id).await?.removal_to_record() {
            self.transition(&r.id, SYSTEM, "sso_unassigned", &Origin::default(), |r, now| {
                r.assignment_removed(kept_by.as_deref(), now)
            })
            .await?;
        }
        Ok(())
    }

    async fn note_sso_failure(&self, r: &AccessRequest, step: SsoStep, err: &SsoError) {
        let action = match step {
            SsoStep::Assign => "sso_assign_failed",
            SsoStep::Unassign => "sso_unassign_failed",
        };
        tracing::error!(request = %r.id, action, error = %err, "IAM Identity Center step failed");
        if let Err(e) = self
            .transition(&r.id, SYSTEM, action, &Origin::default(), |r, now| {
                r.sso_failed(step, err, now)
            })
            .await
        {
            // At least the audit log has it.
            self.record_failure(r, action, &internal(err)).await;
            tracing::error!(request = %r.id, error = %e, "could not record the failure on the request");
        }
    }

    /// The sweeper's part: retries removing every assignment whose request is over (ended,
    /// cancelled, timed out). Active and approved requests are left to their own steps.
    pub(super) async fn sweep_assignments(&self, report: &mut SweepReport) -> Result<()> {
        let markers = self
            .store
            .query_all(Query::partition(Index::Primary, keys::SSO_ASSIGNMENTS).limit(100))
            .await?;
        for m in markers {
            let r = match self.load(&m.sk).await {
                Ok(r) => r,
                Err(Error::NotFound { .. }) => {
                    self.store.delete(keys::SSO_ASSIGNMENTS, &m.sk, None).await?;
                    continue;
                }
                Err(e) => {
                    tracing::error!(request = %m.sk, error = %e, "sweep: could not load a request");
                    report.failures += 1;
                    continue;
                }
            };
            if !r.status.is_final() {
                continue;
            }
            match self.remove_assignment(&r).await {
                Ok(()) => report.assignments_removed += 1,
                Err(_) => report.failures += 1,
            }
        }
        Ok(())
    }

    /// `/credentials` on an SSO grant: there is nothing to mint; say where access comes from.
    pub(super) fn sso_credentials_refusal(r: &AccessRequest, sso: &SsoGrant) -> Error {
        Error::conflict(
            Conflict::SsoGrant,
            format!(
                "request {} is an IAM Identity Center grant: use your SSO profile for account {} with sso_role_name {} (`cc profiles sync`, then `aws sso login`) or the console link; there are no credentials to mint",
                r.id, r.account_id, sso.permission_set
            ),
        )
    }

    /// The console link of an active SSO grant: the access portal's deep link, audited.
    pub(super) async fn sso_console_link(
        &self,
        who: &crate::identity::Principal,
        r: &AccessRequest,
        sso: &SsoGrant,
        origin: &Origin,
    ) -> Result<String> {
        r.check_credentials(who, self.now())?;
        self.end_unless_usable(r).await?;
        let url = sso.portal_url(&r.account_id);
        self.audit_use(
            r,
            who,
            "console_link_issued",
            &format!("IAM Identity Center portal link as {}", sso.permission_set),
            origin,
        )
        .await?;
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account(access: serde_json::Value) -> Account {
        serde_json::from_value(json!({
            "id": "012345678901", "customer": "acme", "name": "payments", "alias": null,
            "environment": "prod", "region": "eu-west-1", "management_account": false,
            "delegated_admin_services": [], "access": access,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    fn sso(breakglass: &[&str]) -> Account {
        account(
            json!({"method": "sso", "start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1",
            "permission_sets": ["ReadOnlyAccess"], "breakglass_permission_sets": breakglass,
            "identity_center": {"instance_arn": "arn:aws:sso:::instance/ssoins-0123456789abcdef",
                "identity_store_id": "d-0123456789",
                "admin_role_arn": "arn:aws:iam::999999999999:role/CustomerCentralSsoAdmin"}}),
        )
    }

    fn ps(s: &str) -> PermissionSetName {
        PermissionSetName::parse(s).unwrap()
    }

    fn field(e: Error) -> String {
        match e {
            Error::Validation { field: Some(f), .. } => f,
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn the_only_breakglass_set_is_the_default() {
        let g = grant_for(&sso(&["SRE-Breakglass"]), None).unwrap().unwrap();
        assert_eq!(g.permission_set, ps("SRE-Breakglass"));
        assert_eq!(g.assignment, AssignmentState::NotAssigned);
        let (role, external, _) = role_parts(&sso(&["SRE-Breakglass"]), Some(&g)).unwrap();
        assert_eq!(role.role_name(), "AWSReservedSSO_SRE-Breakglass");
        assert!(external.is_none());
    }

    #[test]
    fn the_permission_set_must_be_a_breakglass_set_of_the_account() {
        let a = sso(&["SRE-Breakglass", "DBA-Breakglass"]);
        assert_eq!(field(grant_for(&a, None).unwrap_err()), "permission_set");
        assert_eq!(field(grant_for(&a, Some(&ps("Nope"))).unwrap_err()), "permission_set");
        let standing = grant_for(&a, Some(&ps("ReadOnlyAccess"))).unwrap_err();
        assert!(standing.to_string().contains("standing"), "{standing}");
        let g = grant_for(&a, Some(&ps("DBA-Breakglass"))).unwrap().unwrap();
        assert_eq!(g.permission_set, ps("DBA-Breakglass"));
    }

    #[test]
    fn an_sso_account_without_breakglass_sets_cannot_be_requested() {
        let e = grant_for(&sso(&[]), None).unwrap_err();
        assert_eq!(field(e), "account_id");
    }

    #[test]
    fn role_accounts_take_no_permission_set() {
        let a = account(json!({"method": "role",
            "read_role_arn": "arn:aws:iam::012345678901:role/CCRead",
            "breakglass_role_arn": "arn:aws:iam::012345678901:role/CCBreakglass",
            "external_id": "cc-acme"}));
        assert!(grant_for(&a, None).unwrap().is_none());
        assert_eq!(field(grant_for(&a, Some(&ps("X"))).unwrap_err()), "permission_set");
    }
}
