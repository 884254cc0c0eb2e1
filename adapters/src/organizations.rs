//! AWS Organizations through a customer's read role ([`crate::read_role`]):
//! `DescribeOrganization`, `ListAccounts` (every page) and `ListDelegatedAdministrators` +
//! `ListDelegatedServicesForAccount`. Organizations is a global service whose endpoint is in
//! us-east-1 (aws partition); the client keeps the shared SDK configuration's endpoint (moto).
//! Throttling (`TooManyRequestsException`) is retried by the SDK's standard strategy.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_organizations::error::ProvideErrorMetadata;

use crate::read_role::ReadSessions;
use cc_domain::access::ports::AccessBroker;
use cc_domain::billing::ports::{
    OrgAccount, OrgAccountStatus, Organization, OrganizationSource, ReadRole, SourceError,
};
use cc_domain::ids::AccountId;

pub struct OrganizationsSource {
    sdk: aws_config::SdkConfig,
    sessions: ReadSessions,
}

fn failure<E: ProvideErrorMetadata + std::error::Error + 'static>(
    what: &str,
    e: aws_sdk_organizations::error::SdkError<E>,
) -> SourceError {
    let code = e.as_service_error().and_then(|s| s.code()).unwrap_or("").to_string();
    let text = format!("{what}: {}", aws_sdk_organizations::error::DisplayErrorContext(&e));
    match code.as_str() {
        "AWSOrganizationsNotInUseException" => SourceError::NotInOrganization,
        "TooManyRequestsException" => SourceError::Throttled(text),
        c if c.starts_with("AccessDenied") => SourceError::AccessDenied(text),
        _ => SourceError::Failed(text),
    }
}

fn account_id(v: Option<&str>, what: &str) -> Result<AccountId, SourceError> {
    let v = v.ok_or_else(|| SourceError::BadAnswer(format!("{what} without an account id")))?;
    AccountId::parse(v).map_err(|e| SourceError::BadAnswer(format!("{what} '{v}': {e}")))
}

impl OrganizationsSource {
    pub fn new(sdk: aws_config::SdkConfig, broker: Arc<dyn AccessBroker>) -> Self {
        OrganizationsSource {
            sdk,
            sessions: ReadSessions::new(broker),
        }
    }

    async fn client(&self, role: &ReadRole) -> Result<aws_sdk_organizations::Client, SourceError> {
        let c = self.sessions.credentials(role).await?;
        let creds = aws_sdk_organizations::config::Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            None,
            "customer-central-billing",
        );
        let config = aws_sdk_organizations::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(creds)
            .build();
        Ok(aws_sdk_organizations::Client::from_conf(config))
    }
}

/// `State` when Organizations sends it (the newer, finer field), else `Status`.
fn status(a: &aws_sdk_organizations::types::Account) -> Result<OrgAccountStatus, SourceError> {
    let state = a.state().map(|s| s.as_str().to_string());
    let status = a.status().map(|s| s.as_str().to_string());
    let raw = state.or(status).unwrap_or_else(|| "ACTIVE".into());
    OrgAccountStatus::parse(&raw).ok_or_else(|| SourceError::BadAnswer(format!("account status '{raw}'")))
}

#[async_trait]
impl OrganizationSource for OrganizationsSource {
    async fn organization(&self, role: &ReadRole) -> Result<Organization, SourceError> {
        let out = self
            .client(role)
            .await?
            .describe_organization()
            .send()
            .await
            .map_err(|e| failure("DescribeOrganization", e))?;
        let org = out
            .organization()
            .ok_or_else(|| SourceError::BadAnswer("DescribeOrganization without an organization".into()))?;
        Ok(Organization {
            id: org.id().unwrap_or_default().to_string(),
            management_account: account_id(org.master_account_id(), "MasterAccountId")?,
        })
    }

    async fn accounts(&self, role: &ReadRole) -> Result<Vec<OrgAccount>, SourceError> {
        let client = self.client(role).await?;
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .list_accounts()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| failure("ListAccounts", e))?;
            for a in page.accounts() {
                out.push(OrgAccount {
                    id: account_id(a.id(), "ListAccounts")?,
                    name: a.name().unwrap_or_default().to_string(),
                    email: a.email().unwrap_or_default().to_string(),
                    status: status(a)?,
                });
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    async fn delegated_administrators(&self, role: &ReadRole) -> Result<BTreeMap<AccountId, Vec<String>>, SourceError> {
        let client = self.client(role).await?;
        let mut admins = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .list_delegated_administrators()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| failure("ListDelegatedAdministrators", e))?;
            for a in page.delegated_administrators() {
                admins.push(account_id(a.id(), "ListDelegatedAdministrators")?);
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        let mut out = BTreeMap::new();
        for admin in admins {
            let mut services = Vec::new();
            let mut token = None;
            loop {
                let page = client
                    .list_delegated_services_for_account()
                    .account_id(admin.as_str())
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| failure("ListDelegatedServicesForAccount", e))?;
                services.extend(
                    page.delegated_services()
                        .iter()
                        .filter_map(|s| s.service_principal().map(str::to_string)),
                );
                match page.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
            services.sort();
            services.dedup();
            out.insert(admin, services);
        }
        Ok(out)
    }
}
