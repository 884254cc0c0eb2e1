//! Moving a request through its states: approve / reject (the approval policy decides when it is
//! approved), grant, cancel, revoke, end and time out. Each is one `transition`.

use super::ports::AfterApproval;
use super::service::*;
use super::*;
use crate::identity::Principal;
use crate::ids::{AccountId, CustomerCode};
impl Access {
    /// Approves or rejects; a refusal (own request, off the team, no approver role, no longer
    /// pending, the policy not met) is audited as `approve_refused` / `reject_refused`.
    pub async fn decide(
        &self,
        who: &Principal,
        id: &str,
        verdict: Verdict,
        comment: &str,
        origin: &Origin,
    ) -> Result<AccessRequest> {
        let attempt = match verdict {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        };
        let result = self.decide_now(who, id, verdict, comment, origin).await;
        self.refusal(result, who, attempt, Attempt::Request(id), origin).await
    }

    async fn decide_now(
        &self,
        who: &Principal,
        id: &str,
        verdict: Verdict,
        comment: &str,
        origin: &Origin,
    ) -> Result<AccessRequest> {
        who.require_any_role()?;
        let action = match verdict {
            Verdict::Approve => "approved",
            Verdict::Reject => "rejected",
        };
        let request = self.load(id).await?;
        let on_team = self.on_team(who, &request.customer).await?;
        let request = request.seen_by(who, on_team)?;
        // Judged by the customer's policy now, not the one in force when it was asked.
        let policy = self.load_policy(request.customer.as_str()).await?;
        if verdict == Verdict::Approve && request.status == Status::Pending {
            self.check_available(&request).await?;
            self.check_requester_on_team(&request).await?;
        }
        let decided = self
            .transition(id, who.email.as_str(), action, origin, |r, now| {
                r.seen_by(who, on_team)?
                    .decide(who, on_team, &policy, verdict, comment, now)
            })
            .await?;
        self.after_write(&decided, action).await;
        match decided.status {
            Status::Approved => match self.workflow.approved(&decided).await {
                Ok(AfterApproval::GrantNow) if decided.start_due(self.now()) => {
                    // The decision stands whatever happens to the grant: a concurrent cancel wins
                    // (answer with the state it left), any other failure is the sweeper's to retry.
                    return match self.grant(id).await {
                        Ok(granted) => Ok(granted),
                        Err(Error::Conflict { .. }) => self.load(id).await,
                        Err(e) => {
                            self.record_failure(&decided, "grant_failed", &e).await;
                            // As it stands now (an SSO grant's failure is recorded on it).
                            Ok(self.load(id).await.unwrap_or(decided))
                        }
                    };
                }
                Ok(_) => {}
                Err(e) => self.record_failure(&decided, "workflow_signal_failed", &e).await,
            },
            Status::Rejected => {
                if let Err(e) = self.workflow.stopped(&decided).await {
                    self.record_failure(&decided, "workflow_stop_failed", &e).await;
                }
            }
            _ => {}
        }
        Ok(decided)
    }

    /// Approved → active when the start is due (the workflow's grant step; the sweeper's too).
    /// Granting an already active request returns it unchanged.
    pub async fn grant(&self, id: &str) -> Result<AccessRequest> {
        let current = self.load(id).await?;
        if current.status == Status::Active {
            return Ok(current);
        }
        if current.status == Status::Approved
            && let Err(Error::Conflict { message, .. }) = self.check_available(&current).await
        {
            // Never grant on an account that left the hub or a customer that was offboarded.
            return self.withdraw(id, SYSTEM, &message, &Origin::default()).await;
        }
        if current.sso.is_some() {
            return self.grant_sso(current).await;
        }
        let granted = self
            .transition(id, SYSTEM, "granted", &Origin::default(), |r, now| r.activate(now))
            .await?;
        self.after_write(&granted, "granted").await;
        Ok(granted)
    }

    /// Withdraws a request before it is active; a refusal is audited as `cancel_refused`.
    pub async fn cancel(&self, who: &Principal, id: &str, origin: &Origin) -> Result<AccessRequest> {
        let result = self.cancel_now(who, id, origin).await;
        self.refusal(result, who, "cancel", Attempt::Request(id), origin).await
    }

    async fn cancel_now(&self, who: &Principal, id: &str, origin: &Origin) -> Result<AccessRequest> {
        who.require_any_role()?;
        let on_team = self.on_team_for(who, id).await?;
        let r = self
            .transition(id, who.email.as_str(), "cancelled", origin, |r, now| {
                r.seen_by(who, on_team)?.cancel(who, now)
            })
            .await?;
        self.after_write(&r, "cancelled").await;
        if let Err(e) = self.workflow.stopped(&r).await {
            self.record_failure(&r, "workflow_stop_failed", &e).await;
        }
        Ok(r)
    }

    /// Ends a grant early; a refusal is audited as `revoke_refused`.
    pub async fn revoke(&self, who: &Principal, id: &str, reason: &str, origin: &Origin) -> Result<AccessRequest> {
        let result = self.revoke_now(who, id, reason, origin).await;
        self.refusal(result, who, "revoke", Attempt::Request(id), origin).await
    }

    async fn revoke_now(&self, who: &Principal, id: &str, reason: &str, origin: &Origin) -> Result<AccessRequest> {
        who.require_any_role()?;
        crate::text::text("reason", reason, 0, 1000)?;
        let on_team = self.on_team_for(who, id).await?;
        let r = self
            .transition(id, who.email.as_str(), "revoked", origin, |r, now| {
                r.seen_by(who, on_team)?.revoke(who, reason, now)
            })
            .await?;
        let cut = self.end_access(&r).await;
        self.notify_revoked(&r, cut).await;
        if let Err(e) = self.workflow.stopped(&r).await {
            self.record_failure(&r, "workflow_stop_failed", &e).await;
        }
        Ok(self.as_it_stands(r).await)
    }

    /// Ends a grant whose time is up (the workflow's end step, the sweeper). A request that has
    /// already ended is returned unchanged, so a late or repeated call is harmless.
    pub async fn end_if_due(&self, id: &str) -> Result<AccessRequest> {
        let current = self.load(id).await?;
        if current.status.is_final() {
            return Ok(current);
        }
        let r = self
            .transition(id, SYSTEM, "expired", &Origin::default(), |r, now| r.expire(now))
            .await?;
        self.after_write(&r, "expired").await;
        self.end_access(&r).await;
        Ok(self.as_it_stands(r).await)
    }

    /// Whether `who` is on the team of request `id`'s customer (404 for an unknown id).
    async fn on_team_for(&self, who: &Principal, id: &str) -> Result<bool> {
        let r = self.load(id).await?;
        self.on_team(who, &r.customer).await
    }

    /// Ends what request `id` holds because its account or customer went away (see
    /// [`AccessRequest::withdraw`]), with the side effects of a revoke or a cancel.
    pub(super) async fn withdraw(&self, id: &str, by: &str, reason: &str, origin: &Origin) -> Result<AccessRequest> {
        let before = self.load(id).await?;
        let r = self
            .transition(id, by, "withdrawn", origin, |r, now| r.withdraw(by, reason, now))
            .await?;
        self.after_write(&r, "withdrawn").await;
        if before.status == Status::Active {
            self.end_access(&r).await;
        }
        if let Err(e) = self.workflow.stopped(&r).await {
            self.record_failure(&r, "workflow_stop_failed", &e).await;
        }
        Ok(r)
    }

    /// Ends every open request and grant on `account` (admin), before the account is deleted or
    /// its customer offboarded. Returns how many were ended.
    pub async fn end_for_account(
        &self,
        who: &Principal,
        account: &AccountId,
        reason: &str,
        origin: &Origin,
    ) -> Result<usize> {
        who.require(Role::Admin, "ending other people's access")?;
        let open = self.hub.open_requests(account).await?;
        if open.is_empty() {
            // Nothing open: an unknown account is a 404, not "ended 0".
            self.hub.load_account(account.as_str()).await?;
        }
        let mut ended = 0;
        for id in open {
            match self.withdraw(&id, who.email.as_str(), reason, origin).await {
                Ok(_) => ended += 1,
                // Already final: only its marker was left.
                Err(Error::Conflict { .. }) => self.settle(&self.load(&id).await?).await?,
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(ended)
    }

    /// [`Self::end_for_account`] for every account of a customer.
    pub async fn end_for_customer(
        &self,
        who: &Principal,
        customer: &CustomerCode,
        reason: &str,
        origin: &Origin,
    ) -> Result<usize> {
        who.require(Role::Admin, "ending other people's access")?;
        let mut ended = 0;
        for account in self.hub.account_ids_of(customer).await? {
            ended += self.end_for_account(who, &account, reason, origin).await?;
        }
        Ok(ended)
    }

    pub async fn time_out(&self, id: &str) -> Result<AccessRequest> {
        let r = self
            .transition(id, SYSTEM, "timed_out", &Origin::default(), |r, now| r.time_out(now))
            .await?;
        self.after_write(&r, "timed_out").await;
        Ok(r)
    }

    /// STS sessions cannot be cancelled, and credentials minted near the end outlive it (STS's
    /// minimum is 900 s): deny, on the role, the sessions that carry this grant's requester as
    /// source identity and were issued before now. Written at every end, early or natural; other
    /// people's grants on the same role keep working. Returns whether the deny was written; a
    /// failure is audited (`revoke_sessions_failed`).
    pub(super) async fn close_sessions(&self, ended: &AccessRequest) -> bool {
        match self
            .guard
            .end_sessions(
                &ended.role_arn,
                ended.external_id.as_ref(),
                ended.requester.as_str(),
                self.now(),
            )
            .await
        {
            Ok(()) => true,
            Err(e) => {
                self.record_failure(ended, "revoke_sessions_failed", &e).await;
                false
            }
        }
    }
}
