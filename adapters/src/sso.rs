//! The IAM Identity Center assigner (SSO breakglass, the way AWS's TEAM solution elevates): in the
//! customer's Identity Center, find the requester in the identity store (`GetUserId` by
//! `userName` or `emails.value`, `CC_SSO_USER_ATTRIBUTE`), resolve the permission set's ARN by name
//! (`ListPermissionSets` + `DescribePermissionSet`, cached), then `CreateAccountAssignment`
//! (TargetType `AWS_ACCOUNT`, PrincipalType `USER`) and poll
//! `DescribeAccountAssignmentCreationStatus` until it succeeds or fails; removal is
//! `DeleteAccountAssignment` and `DescribeAccountAssignmentDeletionStatus`. Both are idempotent
//! (`ListAccountAssignments` first).
//!
//! sso-admin and identitystore are called in the Identity Center's home region with a short
//! session of the customer's admin role (management account or delegated administrator),
//! assumed through the access broker like the IAM role guard does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ssoadmin::types::{PrincipalType, StatusValues, TargetType};

use cc_domain::access::ports::{AccessBroker, Assume, SsoAssigner, SsoError, SsoTarget};
use cc_domain::config::SsoUserAttribute;
use cc_domain::ids::Email;

/// How long to wait for an assignment change: `attempts` polls, the delay doubling from `first`
/// up to `max`. Identity Center usually answers within seconds; an unfinished change fails this
/// attempt (the sweeper retries, and the idempotent check then finds it done).
#[derive(Clone, Copy, Debug)]
pub struct Polling {
    pub attempts: u32,
    pub first: Duration,
    pub max: Duration,
}

impl Default for Polling {
    /// About 15 seconds in all (0.5 + 1 + 2 + 4 + 4 + 4 s), well inside a Lambda's 29 s with the
    /// lookups around it.
    fn default() -> Self {
        Polling {
            attempts: 6,
            first: Duration::from_millis(500),
            max: Duration::from_secs(4),
        }
    }
}

pub struct SsoAdminAssigner {
    sdk: aws_config::SdkConfig,
    broker: Arc<dyn AccessBroker>,
    attribute: SsoUserAttribute,
    polling: Polling,
    /// (instance ARN, permission set name) → permission set ARN.
    permission_sets: Mutex<HashMap<(String, String), String>>,
}

/// The clients for one target: sso-admin and identitystore in the Identity Center's region, as the
/// customer's admin role.
struct Clients {
    admin: aws_sdk_ssoadmin::Client,
    store: aws_sdk_identitystore::Client,
}

fn failed(what: &str, e: impl std::fmt::Display) -> SsoError {
    SsoError::Failed(format!("{what}: {e}"))
}

impl SsoAdminAssigner {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>, attribute: SsoUserAttribute) -> Self {
        SsoAdminAssigner {
            sdk,
            broker,
            attribute,
            polling: Polling::default(),
            permission_sets: Mutex::new(HashMap::new()),
        }
    }

    pub fn with_polling(mut self, polling: Polling) -> Self {
        self.polling = polling;
        self
    }

    async fn clients(&self, target: &SsoTarget) -> Result<Clients, SsoError> {
        let creds = self
            .broker
            .assume(&Assume {
                role_arn: target.admin_role_arn.clone(),
                external_id: target.admin_external_id.clone(),
                session_name: "customer-central-sso".into(),
                source_identity: "customer-central".into(),
                duration_seconds: 900,
                request_id: target.request_id.clone(),
            })
            .await
            .map_err(|e| failed(&format!("assuming {}", target.admin_role_arn), e))?;
        // The same credentials type serves both clients (aws-credential-types).
        let provider = aws_sdk_ssoadmin::config::Credentials::new(
            creds.access_key_id.clone(),
            creds.secret_access_key.clone(),
            Some(creds.session_token.clone()),
            None,
            "customer-central-sso",
        );
        let region = aws_config::Region::new(target.region.to_string());
        let admin = aws_sdk_ssoadmin::config::Builder::from(&self.sdk)
            .region(region.clone())
            .credentials_provider(provider.clone())
            .build();
        let store = aws_sdk_identitystore::config::Builder::from(&self.sdk)
            .region(region)
            .credentials_provider(provider)
            .build();
        Ok(Clients {
            admin: aws_sdk_ssoadmin::Client::from_conf(admin),
            store: aws_sdk_identitystore::Client::from_conf(store),
        })
    }

    /// The person's user id in the identity store; `None` when there is no such user.
    async fn user_id(&self, c: &Clients, target: &SsoTarget, user: &Email) -> Result<Option<String>, SsoError> {
        use aws_sdk_identitystore::types::{AlternateIdentifier, UniqueAttribute};
        let attribute = UniqueAttribute::builder()
            .attribute_path(self.attribute.attribute_path())
            .attribute_value(aws_smithy_types::Document::String(user.to_string()))
            .build()
            .map_err(|e| failed("building the user lookup", e))?;
        match c
            .store
            .get_user_id()
            .identity_store_id(target.identity_store_id.as_str())
            .alternate_identifier(AlternateIdentifier::UniqueAttribute(attribute))
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.user_id().to_string())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(failed(
                "identitystore GetUserId",
                aws_sdk_identitystore::error::DisplayErrorContext(e),
            )),
        }
    }

    fn user_not_found(&self, target: &SsoTarget, user: &Email) -> SsoError {
        SsoError::UserNotFound {
            user: user.to_string(),
            identity_store: target.identity_store_id.to_string(),
            attribute: self.attribute.attribute_path(),
        }
    }

    /// The permission set's ARN; `None` when the instance has none of that name.
    async fn permission_set_arn(&self, c: &Clients, target: &SsoTarget) -> Result<Option<String>, SsoError> {
        let key = (target.instance_arn.to_string(), target.permission_set.to_string());
        if let Some(arn) = self.permission_sets.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(Some(arn));
        }
        let mut token = None;
        loop {
            let page = c
                .admin
                .list_permission_sets()
                .instance_arn(target.instance_arn.as_str())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| {
                    failed(
                        "sso-admin ListPermissionSets",
                        aws_sdk_ssoadmin::error::DisplayErrorContext(e),
                    )
                })?;
            for arn in page.permission_sets() {
                let described = c
                    .admin
                    .describe_permission_set()
                    .instance_arn(target.instance_arn.as_str())
                    .permission_set_arn(arn)
                    .send()
                    .await
                    .map_err(|e| {
                        failed(
                            "sso-admin DescribePermissionSet",
                            aws_sdk_ssoadmin::error::DisplayErrorContext(e),
                        )
                    })?;
                let name = described.permission_set().and_then(|p| p.name()).unwrap_or_default();
                if let Ok(mut cache) = self.permission_sets.lock() {
                    cache.insert((key.0.clone(), name.to_string()), arn.clone());
                }
                if name == target.permission_set.as_str() {
                    return Ok(Some(arn.clone()));
                }
            }
            match page.next_token() {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(None),
            }
        }
    }

    /// Whether the user holds the permission set on the account.
    async fn assigned(&self, c: &Clients, target: &SsoTarget, ps_arn: &str, user_id: &str) -> Result<bool, SsoError> {
        let mut token = None;
        loop {
            let page = c
                .admin
                .list_account_assignments()
                .instance_arn(target.instance_arn.as_str())
                .account_id(target.account_id.as_str())
                .permission_set_arn(ps_arn)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| {
                    failed(
                        "sso-admin ListAccountAssignments",
                        aws_sdk_ssoadmin::error::DisplayErrorContext(e),
                    )
                })?;
            if page
                .account_assignments()
                .iter()
                .any(|a| a.principal_type() == Some(&PrincipalType::User) && a.principal_id() == Some(user_id))
            {
                return Ok(true);
            }
            match page.next_token() {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(false),
            }
        }
    }

    /// Polls a creation (`deleting` false) or deletion request until it succeeds or fails.
    async fn wait(
        &self,
        c: &Clients,
        target: &SsoTarget,
        what: &str,
        mut status: Option<aws_sdk_ssoadmin::types::AccountAssignmentOperationStatus>,
        deleting: bool,
    ) -> Result<(), SsoError> {
        let request_id = status
            .as_ref()
            .and_then(|s| s.request_id())
            .map(str::to_string)
            .ok_or_else(|| SsoError::Failed(format!("{what}: no request id in the answer")))?;
        let mut delay = self.polling.first;
        for attempt in 0..=self.polling.attempts {
            let current = status.take();
            match current.as_ref().and_then(|s| s.status()) {
                Some(StatusValues::Succeeded) => return Ok(()),
                Some(StatusValues::Failed) => {
                    let reason = current
                        .as_ref()
                        .and_then(|s| s.failure_reason())
                        .unwrap_or("no reason given");
                    return Err(SsoError::Failed(format!("{what} failed: {reason}")));
                }
                _ if attempt == self.polling.attempts => break,
                _ => {}
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.polling.max);
            status = if deleting {
                c.admin
                    .describe_account_assignment_deletion_status()
                    .instance_arn(target.instance_arn.as_str())
                    .account_assignment_deletion_request_id(&request_id)
                    .send()
                    .await
                    .map_err(|e| {
                        failed(
                            "sso-admin DescribeAccountAssignmentDeletionStatus",
                            aws_sdk_ssoadmin::error::DisplayErrorContext(e),
                        )
                    })?
                    .account_assignment_deletion_status
            } else {
                c.admin
                    .describe_account_assignment_creation_status()
                    .instance_arn(target.instance_arn.as_str())
                    .account_assignment_creation_request_id(&request_id)
                    .send()
                    .await
                    .map_err(|e| {
                        failed(
                            "sso-admin DescribeAccountAssignmentCreationStatus",
                            aws_sdk_ssoadmin::error::DisplayErrorContext(e),
                        )
                    })?
                    .account_assignment_creation_status
            };
        }
        Err(SsoError::Failed(format!(
            "{what} request {request_id} is still in progress; it will be checked again"
        )))
    }
}

#[async_trait]
impl SsoAssigner for SsoAdminAssigner {
    async fn assign(&self, target: &SsoTarget, user: &Email) -> Result<(), SsoError> {
        let c = self.clients(target).await?;
        let user_id = self
            .user_id(&c, target, user)
            .await?
            .ok_or_else(|| self.user_not_found(target, user))?;
        let ps_arn = self
            .permission_set_arn(&c, target)
            .await?
            .ok_or_else(|| SsoError::UnknownPermissionSet {
                name: target.permission_set.to_string(),
                instance: target.instance_arn.to_string(),
            })?;
        if self.assigned(&c, target, &ps_arn, &user_id).await? {
            return Ok(());
        }
        let created = c
            .admin
            .create_account_assignment()
            .instance_arn(target.instance_arn.as_str())
            .target_id(target.account_id.as_str())
            .target_type(TargetType::AwsAccount)
            .permission_set_arn(&ps_arn)
            .principal_type(PrincipalType::User)
            .principal_id(&user_id)
            .send()
            .await
            .map_err(|e| {
                failed(
                    "sso-admin CreateAccountAssignment",
                    aws_sdk_ssoadmin::error::DisplayErrorContext(e),
                )
            })?;
        self.wait(
            &c,
            target,
            "CreateAccountAssignment",
            created.account_assignment_creation_status,
            false,
        )
        .await?;
        tracing::info!(account = %target.account_id, permission_set = %target.permission_set, %user, request = %target.request_id, "Identity Center assignment created");
        Ok(())
    }

    async fn unassign(&self, target: &SsoTarget, user: &Email) -> Result<(), SsoError> {
        let c = self.clients(target).await?;
        // A user or permission set that no longer exists holds no assignment.
        let Some(user_id) = self.user_id(&c, target, user).await? else {
            return Ok(());
        };
        let Some(ps_arn) = self.permission_set_arn(&c, target).await? else {
            return Ok(());
        };
        if !self.assigned(&c, target, &ps_arn, &user_id).await? {
            return Ok(());
        }
        let deleted = c
            .admin
            .delete_account_assignment()
            .instance_arn(target.instance_arn.as_str())
            .target_id(target.account_id.as_str())
            .target_type(TargetType::AwsAccount)
            .permission_set_arn(&ps_arn)
            .principal_type(PrincipalType::User)
            .principal_id(&user_id)
            .send()
            .await
            .map_err(|e| {
                failed(
                    "sso-admin DeleteAccountAssignment",
                    aws_sdk_ssoadmin::error::DisplayErrorContext(e),
                )
            })?;
        self.wait(
            &c,
            target,
            "DeleteAccountAssignment",
            deleted.account_assignment_deletion_status,
            true,
        )
        .await?;
        tracing::info!(account = %target.account_id, permission_set = %target.permission_set, %user, request = %target.request_id, "Identity Center assignment deleted");
        Ok(())
    }
}
