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
        if current.sso.is_some() {
            return self.grant_sso(current).await;
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
        self.after_write(&r, "revoked").await;
        self.end_access(&r).await;
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

    pub async fn time_out(&self, id: &str) -> Result<AccessRequest> {
        let r = self
            .transition(id, SYSTEM, "timed_out", &Origin::default(), |r, now| r.time_out(now))
            .await?;
        self.after_write(&r, "timed_out").await;
        Ok(r)
    }

    /// STS sessions cannot be cancelled: deny every session of the role issued before now, unless
    /// another grant on the same role is still active (it must not be cut short; its own end
    /// writes the deny later, covering this grant's sessions too).
    pub(super) async fn close_sessions(&self, ended: &AccessRequest) {
        let others = match self.by_status(Status::Active).await {
            Ok(list) => list,
            Err(e) => return self.record_failure(ended, "revoke_sessions_failed", &e).await,
        };
        let mut still_active = false;
        for other in others
            .iter()
            .filter(|o| o.role_arn == ended.role_arn && o.id != ended.id)
        {
            // The index may lag; confirm with a consistent read.
            if let Ok(current) = self.load(&other.id).await
                && current.status == Status::Active
            {
                still_active = true;
            }
        }
        if still_active {
            return;
        }
        let before = self.now();
        if let Err(e) = self
            .guard
            .deny_sessions_issued_before(&ended.role_arn, ended.external_id.as_ref(), before)
            .await
        {
            self.record_failure(ended, "revoke_sessions_failed", &e).await;
        }
    }
}
