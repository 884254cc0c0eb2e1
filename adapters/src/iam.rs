//! The IAM role guard: "revoke older sessions". STS sessions cannot be cancelled, so ending a grant
//! writes an inline policy on the breakglass role that denies everything to sessions issued before
//! the end. The write happens in the customer account, through a short session of the role itself
//! (onboarding grants the role `iam:PutRolePolicy` on itself for this).

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_iam::config::Credentials as SdkCredentials;
use time::OffsetDateTime;

use cc_domain::access::ports::{AccessBroker, Assume, RoleGuard};
use cc_domain::access::rfc3339;
use cc_domain::error::{Error, Result};
use cc_domain::ids::{ExternalId, RoleArn};

pub const POLICY_NAME: &str = "CustomerCentralRevokeOlderSessions";

pub struct IamRoleGuard {
    sdk: aws_config::SdkConfig,
    broker: Arc<dyn AccessBroker>,
}

impl IamRoleGuard {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>) -> Self {
        IamRoleGuard { sdk, broker }
    }
}

/// The policy document: deny every action to sessions issued before `before`.
pub fn revoke_policy(before: OffsetDateTime) -> String {
    let before = before.replace_nanosecond(0).unwrap_or(before) + time::Duration::seconds(1);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CustomerCentralRevokeOlderSessions",
            "Effect": "Deny",
            "Action": ["*"],
            "Resource": ["*"],
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": rfc3339(before)}}
        }]
    })
    .to_string()
}

#[async_trait]
impl RoleGuard for IamRoleGuard {
    async fn deny_sessions_issued_before(
        &self,
        role: &RoleArn,
        external_id: Option<&ExternalId>,
        before: OffsetDateTime,
    ) -> Result<()> {
        let creds = self
            .broker
            .assume(&Assume {
                role_arn: role.clone(),
                external_id: external_id.cloned(),
                session_name: "customer-central-role-guard".into(),
                source_identity: "customer-central".into(),
                duration_seconds: 900,
                request_id: "role-guard".into(),
            })
            .await?;
        let conf = aws_sdk_iam::config::Builder::from(&self.sdk)
            .credentials_provider(SdkCredentials::new(
                creds.access_key_id.clone(),
                creds.secret_access_key.clone(),
                Some(creds.session_token.clone()),
                None,
                "customer-central-role-guard",
            ))
            .build();
        aws_sdk_iam::Client::from_conf(conf)
            .put_role_policy()
            .role_name(role.role_name())
            .policy_name(POLICY_NAME)
            .policy_document(revoke_policy(before))
            .send()
            .await
            .map_err(|e| {
                Error::Internal(anyhow::anyhow!(
                    "PutRolePolicy on {role}: {}",
                    aws_sdk_iam::error::DisplayErrorContext(e)
                ))
            })?;
        Ok(())
    }
}
