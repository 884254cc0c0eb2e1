//! Using an active grant: credentials for `credential_process` and console sign-in links, minted on
//! demand through the access broker (never stored) and audited.

use super::ports::{Assume, Credentials};
use super::service::*;
use super::*;
use crate::identity::Principal;
impl Access {
    /// Mints a session for `r`, a request already loaded as visible to `who` (the caller checked
    /// roles and privacy; this checks it is `who`'s active, still usable grant).
    pub(super) async fn assume(&self, who: &Principal, r: AccessRequest) -> Result<(AccessRequest, Credentials)> {
        let id = r.id.as_str();
        let now = self.now();
        let ends = r.check_credentials(who, now)?;
        self.end_unless_usable(&r).await?;
        let seconds = ports::session_seconds((ends - now).whole_seconds(), r.max_session_seconds);
        let creds = self
            .broker
            .assume(&Assume {
                role_arn: r.role_arn.clone(),
                external_id: r.external_id.clone(),
                session_name: ports::session_name(r.requester.as_str()),
                source_identity: r.requester.to_string(),
                duration_seconds: seconds,
                request_id: r.id.clone(),
            })
            .await;
        match creds {
            Ok(c) => {
                // A revoke may have landed while STS was minting: its deny may predate this
                // session. Look again; if the grant ended, cut sessions issued up to now and
                // refuse, so no session outlives a revoke.
                let current = self.load(id).await?;
                if current.status != Status::Active {
                    self.close_sessions(&current).await;
                    return Err(Error::conflict(
                        Conflict::RequestNotActive,
                        format!("the grant was {} meanwhile", current.status.as_str()),
                    ));
                }
                Ok((r, c))
            }
            Err(e) => {
                self.record_failure(&r, "credentials_failed", &e).await;
                Err(e)
            }
        }
    }

    /// Credentials for the grantee's active grant (never stored); a refusal (someone else's
    /// grant, not active) is audited as `credentials_refused`.
    pub async fn credentials(&self, who: &Principal, id: &str, origin: &Origin) -> Result<Credentials> {
        let result = async {
            who.require_any_role()?;
            let r = self.load_visible(who, id).await?;
            if let Some(sso) = &r.sso {
                return Err(Self::sso_credentials_refusal(&r, sso));
            }
            self.assume(who, r).await
        }
        .await;
        let (r, creds) = self
            .refusal(result, who, "credentials", Attempt::Request(id), origin)
            .await?;
        let detail = format!("session {} until {}", creds.access_key_id, rfc3339(creds.expiration));
        self.audit_use(&r, who, "credentials_issued", &detail, origin).await?;
        Ok(creds)
    }

    /// A console sign-in link for the grantee's active grant; refusals: `console_link_refused`.
    pub async fn console_link(&self, who: &Principal, id: &str, origin: &Origin) -> Result<String> {
        let visible = async {
            who.require_any_role()?;
            self.load_visible(who, id).await
        }
        .await;
        let r = self
            .refusal(visible, who, "console_link", Attempt::Request(id), origin)
            .await?;
        if let Some(sso) = &r.sso {
            let link = self.sso_console_link(who, &r, sso, origin).await;
            return self
                .refusal(link, who, "console_link", Attempt::Request(id), origin)
                .await;
        }
        let result = self.assume(who, r).await;
        let (r, creds) = self
            .refusal(result, who, "console_link", Attempt::Request(id), origin)
            .await?;
        let url = self
            .broker
            .console_url(&creds, "https://console.aws.amazon.com/")
            .await?;
        self.audit_use(
            &r,
            who,
            "console_link_issued",
            &format!("console session {}", creds.access_key_id),
            origin,
        )
        .await?;
        Ok(url)
    }

    /// Audits a use of a grant (credentials or a console link) by the grantee.
    pub(super) async fn audit_use(
        &self,
        r: &AccessRequest,
        who: &Principal,
        action: &str,
        detail: &str,
        origin: &Origin,
    ) -> Result<()> {
        self.append(self.event(r, who.email.as_str(), action, detail, origin, self.now()))
            .await
    }
}
