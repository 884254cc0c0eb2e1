//! Moving a request through its states: approve / reject (the approval policy decides when it is
//! approved), grant, cancel, revoke, end and time out. Each is one `transition`.

use super::ports::AfterApproval;
use super::service::*;
use super::*;
use crate::identity::Principal;
impl Access {
    pub async fn decide(
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
        let decided = self
            .transition(id, who.email.as_str(), action, origin, |r, now| {
                r.seen_by(who)?.decide(who, verdict, comment, now)
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
                            Ok(decided)
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
        let granted = self
            .transition(id, SYSTEM, "granted", &Origin::default(), |r, now| r.activate(now))
            .await?;
        self.after_write(&granted, "granted").await;
        Ok(granted)
    }

    pub async fn cancel(&self, who: &Principal, id: &str, origin: &Origin) -> Result<AccessRequest> {
        let r = self
            .transition(id, who.email.as_str(), "cancelled", origin, |r, now| {
                r.seen_by(who)?.cancel(who, now)
            })
            .await?;
        self.after_write(&r, "cancelled").await;
        if let Err(e) = self.workflow.stopped(&r).await {
            self.record_failure(&r, "workflow_stop_failed", &e).await;
        }
        Ok(r)
    }

    pub async fn revoke(&self, who: &Principal, id: &str, reason: &str, origin: &Origin) -> Result<AccessRequest> {
        if reason.chars().count() > 1000 {
            return Err(Error::validation("reason", "at most 1000 characters"));
        }
        let r = self
            .transition(id, who.email.as_str(), "revoked", origin, |r, now| {
                r.seen_by(who)?.revoke(who, reason, now)
            })
            .await?;
        let cut = self.close_sessions(&r).await;
        self.notify_revoked(&r, cut).await;
        if let Err(e) = self.workflow.stopped(&r).await {
            self.record_failure(&r, "workflow_stop_failed", &e).await;
        }
        Ok(r)
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
        self.close_sessions(&r).await;
        Ok(r)
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
