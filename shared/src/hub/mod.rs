//! The customer hub: customers, their key contacts and AWS accounts with the way each is reached.
//!
//! Types here validate at construction (serde `try_from` newtypes, `validate` on inputs), so the
//! service and the HTTP layer handle only well-formed records.

use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{Conflict, Error, Result};
use crate::ids::{
    AccountId, CustomerCode, Email, ExternalId, HttpsUrl, IdentityStoreId, PermissionSetName, Region, RoleArn,
    SsoInstanceArn,
};

pub mod accounts;
pub mod bulk;
pub mod contacts;
pub mod customers;
pub mod links;
pub mod overview;
pub mod search;
pub mod service;
pub mod snapshot;
pub mod teams;

pub use accounts::Found;
pub use bulk::{
    BULK_LANES, BulkAccounts, BulkInput, BulkOutcome, Existing, MAX_BULK_ACCOUNTS, MAX_BULK_ACCOUNTS_PER_CUSTOMER,
    SkipCause, SkippedAccount, differing_fields,
};
pub use overview::{AccessCounts, AccountCounts, CustomerOverview, EnvironmentCounts, PolicySummary};
pub use service::Hub;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    Onboarding,
    Active,
    Offboarded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ToSchema)]
pub enum Environment {
    #[serde(rename = "prod")]
    Prod,
    #[serde(rename = "non-prod")]
    NonProd,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Prod => "prod",
            Environment::NonProd => "non-prod",
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "prod" => Ok(Environment::Prod),
            "non-prod" => Ok(Environment::NonProd),
            _ => Err(Error::validation(
                "environment",
                format!("'{s}' is not one of: prod, non-prod"),
            )),
        }
    }
}

/// What the contract says, in brief (the full entitlements come from Salesforce later).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractSummary {
    #[serde(default)]
    pub reference: Option<String>,
    /// First day of the contract (YYYY-MM-DD).
    #[serde(default, with = "iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<time::Date>,
    #[serde(default, with = "iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<time::Date>,
    #[serde(default)]
    pub hours_per_month: Option<u32>,
    #[serde(default)]
    pub notes: String,
}

/// A customer's monthly report settings.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// The monthly schedule (`reports.monthly`) builds this customer's report. On unless turned
    /// off (customers opt out, issue #15): a customer created without report settings (or without
    /// this field) gets them (default true).
    #[serde(default = "reports_on")]
    pub enabled: bool,
    #[serde(default)]
    pub recipients: Vec<Email>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            enabled: true,
            recipients: Vec::new(),
        }
    }
}

fn reports_on() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Customer {
    pub code: CustomerCode,
    pub name: String,
    pub status: CustomerStatus,
    pub notes: String,
    pub contract: Option<ContractSummary>,
    pub report: ReportSettings,
    /// Number of AWS accounts the customer owns (kept in the same transactions as the accounts).
    pub account_count: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version; send it back in a PATCH to refuse lost updates.
    #[serde(default)]
    pub version: u64,
}

#[derive(Clone, Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub code: CustomerCode,
    pub name: String,
    #[serde(default = "default_status")]
    pub status: CustomerStatus,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub contract: Option<ContractSummary>,
    #[serde(default)]
    pub report: ReportSettings,
}

fn default_status() -> CustomerStatus {
    CustomerStatus::Active
}

#[derive(Clone, Debug, Default, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub status: Option<CustomerStatus>,
    pub notes: Option<String>,
    /// `null` removes the contract summary.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ContractSummary>)]
    pub contract: Option<Option<ContractSummary>>,
    pub report: Option<ReportSettings>,
    /// When given, the update applies only if the customer is still at this version.
    pub version: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Contact {
    pub id: String,
    pub customer: CustomerCode,
    pub name: String,
    /// Their role at the customer (e.g. "Head of Platform").
    pub role: String,
    pub email: Email,
    pub phone: Option<String>,
    /// 1 is called first.
    pub escalation_order: u8,
    #[serde(default)]
    pub version: u64,
}

#[derive(Clone, Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub name: String,
    #[serde(default)]
    pub role: String,
    pub email: Email,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default = "default_escalation")]
    pub escalation_order: u8,
}

fn default_escalation() -> u8 {
    1
}

#[derive(Clone, Debug, Default, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub role: Option<String>,
    pub email: Option<Email>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub escalation_order: Option<u8>,
    pub version: Option<u64>,
}

/// How the team reaches an account.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(tag = "method", rename_all = "snake_case", try_from = "AccessInput")]
pub enum AccessMethod {
    /// The customer's IAM Identity Center / IdP.
    Sso {
        start_url: HttpsUrl,
        sso_region: Region,
        /// Standing permission sets (read): always in profiles and console links.
        permission_sets: Vec<PermissionSetName>,
        /// Breakglass permission sets: never standing. A breakglass grant assigns one to the
        /// person for the grant's duration (a temporary Identity Center account assignment).
        breakglass_permission_sets: Vec<PermissionSetName>,
        /// How the breakglass broker reaches the customer's Identity Center (required with
        /// breakglass permission sets).
        identity_center: Option<IdentityCenter>,
    },
    /// Roles deployed at onboarding, reached by role chaining from the team's hub account.
    Role {
        read_role_arn: RoleArn,
        breakglass_role_arn: RoleArn,
        external_id: ExternalId,
        max_session_seconds: u32,
    },
}

/// What the breakglass broker needs to assign permission sets in a customer's IAM Identity Center.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenter {
    /// The Identity Center instance (`arn:aws:sso:::instance/ssoins-...`).
    pub instance_arn: SsoInstanceArn,
    /// The instance's identity store (`d-...`), where the requester is looked up.
    pub identity_store_id: IdentityStoreId,
    /// A role the broker assumes to call sso-admin: in the customer's management account (or the
    /// Identity Center delegated administrator), e.g. the onboarding role or a dedicated one allowed
    /// `sso:CreateAccountAssignment`, `sso:DeleteAccountAssignment`, `sso:Describe*`,
    /// `sso:List*` and `identitystore:GetUserId`.
    pub admin_role_arn: RoleArn,
    /// The external id that role trusts, if any.
    #[serde(default)]
    pub external_id: Option<ExternalId>,
}

/// The customer roles the deployed broker may assume: its IAM policy allows `sts:AssumeRole` only on
/// `arn:<partition>:iam::*:role/<name>` for the stacks' `BreakglassRoleName` and `SsoAdminRoleName`
/// (`CC_BREAKGLASS_ROLE_NAME`, `CC_SSO_ADMIN_ROLE_NAME`), so a role with another name or with a path
/// would fail only when an approved engineer asks for credentials. The hub refuses such accounts
/// up front. `None` (the local default) accepts any name.
#[derive(Clone, Debug, Default)]
pub struct AssumableRoles {
    pub breakglass: Option<String>,
    pub sso_admin: Option<String>,
}

impl AssumableRoles {
    /// 400 naming the field when `account` names a role the broker may not assume.
    pub fn check(&self, account: &Account) -> Result<()> {
        let (field, arn, allowed, parameter) = match &account.access {
            AccessMethod::Role {
                breakglass_role_arn, ..
            } => (
                "access.breakglass_role_arn",
                breakglass_role_arn,
                &self.breakglass,
                "BreakglassRoleName",
            ),
            AccessMethod::Sso {
                identity_center: Some(ic),
                ..
            } => (
                "access.identity_center.admin_role_arn",
                &ic.admin_role_arn,
                &self.sso_admin,
                "SsoAdminRoleName",
            ),
            AccessMethod::Sso { .. } => return Ok(()),
        };
        match allowed {
            Some(name) if arn.path_and_name() != name => Err(Error::validation(
                field,
                format!(
                    "Customer Central may assume only roles named {name} without a path (its {parameter} \
                     parameter); {} is not one: deploy onboarding/customer-account.yaml in the account",
                    arn.path_and_name()
                ),
            )),
            _ => Ok(()),
        }
    }
}

fn default_session() -> u32 {
    3600
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum MethodKind {
    Sso,
    Role,
}

/// The wire shape of [`AccessMethod`]: read field by field (so a bad value is reported with its
/// path, e.g. `access.read_role_arn`), then checked against the method.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessInput {
    method: MethodKind,
    start_url: Option<HttpsUrl>,
    sso_region: Option<Region>,
    permission_sets: Option<Vec<PermissionSetName>>,
    breakglass_permission_sets: Option<Vec<PermissionSetName>>,
    identity_center: Option<IdentityCenter>,
    read_role_arn: Option<RoleArn>,
    breakglass_role_arn: Option<RoleArn>,
    external_id: Option<ExternalId>,
    max_session_seconds: Option<u32>,
}

impl TryFrom<AccessInput> for AccessMethod {
    type Error = String;
    fn try_from(i: AccessInput) -> std::result::Result<Self, String> {
        fn need<T>(v: Option<T>, method: &str, field: &str) -> std::result::Result<T, String> {
            v.ok_or_else(|| format!("method '{method}' needs '{field}'"))
        }
        fn forbid<T>(v: &Option<T>, method: &str, field: &str) -> std::result::Result<(), String> {
            match v {
                Some(_) => Err(format!("'{field}' does not apply to method '{method}'")),
                None => Ok(()),
            }
        }
        match i.method {
            MethodKind::Sso => {
                forbid(&i.read_role_arn, "sso", "read_role_arn")?;
                forbid(&i.breakglass_role_arn, "sso", "breakglass_role_arn")?;
                forbid(&i.external_id, "sso", "external_id")?;
                forbid(&i.max_session_seconds, "sso", "max_session_seconds")?;
                // Accounts stored before SSO breakglass have neither field: no breakglass sets.
                let breakglass_permission_sets = i.breakglass_permission_sets.unwrap_or_default();
                if !breakglass_permission_sets.is_empty() && i.identity_center.is_none() {
                    return Err(
                        "method 'sso' with 'breakglass_permission_sets' needs 'identity_center' (instance_arn, identity_store_id, admin_role_arn)".into(),
                    );
                }
                Ok(AccessMethod::Sso {
                    start_url: need(i.start_url, "sso", "start_url")?,
                    sso_region: need(i.sso_region, "sso", "sso_region")?,
                    permission_sets: need(i.permission_sets, "sso", "permission_sets")?,
                    breakglass_permission_sets,
                    identity_center: i.identity_center,
                })
            }
            MethodKind::Role => {
                forbid(&i.start_url, "role", "start_url")?;
                forbid(&i.sso_region, "role", "sso_region")?;
                forbid(&i.permission_sets, "role", "permission_sets")?;
                forbid(&i.breakglass_permission_sets, "role", "breakglass_permission_sets")?;
                forbid(&i.identity_center, "role", "identity_center")?;
                Ok(AccessMethod::Role {
                    read_role_arn: need(i.read_role_arn, "role", "read_role_arn")?,
                    breakglass_role_arn: need(i.breakglass_role_arn, "role", "breakglass_role_arn")?,
                    external_id: need(i.external_id, "role", "external_id")?,
                    max_session_seconds: i.max_session_seconds.unwrap_or_else(default_session),
                })
            }
        }
    }
}

impl AccessMethod {
    pub fn kind(&self) -> &'static str {
        match self {
            AccessMethod::Sso { .. } => "sso",
            AccessMethod::Role { .. } => "role",
        }
    }

    /// The same way in, for account `id`: a role method's read and breakglass roles are those of
    /// the same path, name and partition in account `id` (onboarding deploys the same roles in
    /// every account of a customer); an SSO method is unchanged.
    pub fn for_account(&self, id: &AccountId) -> AccessMethod {
        let retarget = |arn: &RoleArn| {
            let partition = arn.as_str().split(':').nth(1).unwrap_or("aws");
            RoleArn::parse(format!("arn:{partition}:iam::{id}:role/{}", arn.path_and_name()))
                .unwrap_or_else(|_| arn.clone())
        };
        match self {
            AccessMethod::Role {
                read_role_arn,
                breakglass_role_arn,
                external_id,
                max_session_seconds,
            } => AccessMethod::Role {
                read_role_arn: retarget(read_role_arn),
                breakglass_role_arn: retarget(breakglass_role_arn),
                external_id: external_id.clone(),
                max_session_seconds: *max_session_seconds,
            },
            sso => sso.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Account {
    pub id: AccountId,
    pub customer: CustomerCode,
    pub name: String,
    pub alias: Option<String>,
    pub environment: Environment,
    pub region: Region,
    /// The organisation's management (payer) account.
    pub management_account: bool,
    /// Services for which this account is a delegated administrator.
    pub delegated_admin_services: Vec<String>,
    pub access: AccessMethod,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(default)]
    pub version: u64,
}

#[derive(Clone, Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub id: AccountId,
    pub customer: CustomerCode,
    pub name: String,
    #[serde(default)]
    pub alias: Option<String>,
    pub environment: Environment,
    pub region: Region,
    #[serde(default)]
    pub management_account: bool,
    #[serde(default)]
    pub delegated_admin_services: Vec<String>,
    pub access: AccessMethod,
}

#[derive(Clone, Debug, Default, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    pub customer: Option<CustomerCode>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub alias: Option<Option<String>>,
    pub environment: Option<Environment>,
    pub region: Option<Region>,
    pub management_account: Option<bool>,
    pub delegated_admin_services: Option<Vec<String>>,
    pub access: Option<AccessMethod>,
    pub version: Option<u64>,
}

/// Who works on a customer: their profiles cover its accounts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Team {
    pub customer: CustomerCode,
    pub members: Vec<Email>,
    /// The latest changes, newest last (at most 100 kept here; the audit log keeps all).
    pub history: Vec<TeamChange>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct TeamChange {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub by: Email,
    pub added: Vec<Email>,
    pub removed: Vec<Email>,
}

#[derive(Clone, Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamUpdate {
    pub members: Vec<Email>,
    /// The version read (0 when the customer has no team yet).
    #[serde(default)]
    pub version: u64,
}

// ---- rules ---------------------------------------------------------------------------------

use crate::text::{line, text};

impl Customer {
    pub fn validate(&self) -> Result<()> {
        line("name", &self.name, 1, 120)?;
        text("notes", &self.notes, 0, 4000)?;
        if let Some(c) = &self.contract {
            text("contract.notes", &c.notes, 0, 2000)?;
            text("contract.reference", c.reference.as_deref().unwrap_or(""), 0, 120)?;
            if let (Some(a), Some(b)) = (c.starts_on, c.ends_on)
                && b < a
            {
                return Err(Error::validation(
                    "contract.ends_on",
                    "the contract ends before it starts",
                ));
            }
        }
        if self.report.recipients.len() > 50 {
            return Err(Error::validation("report.recipients", "at most 50 recipients"));
        }
        Ok(())
    }
}

impl Contact {
    pub fn validate(&self) -> Result<()> {
        line("name", &self.name, 1, 120)?;
        line("role", &self.role, 0, 120)?;
        if let Some(p) = &self.phone {
            let ok = (3..=32).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
            if !ok {
                return Err(Error::validation(
                    "phone",
                    "phone must be 3-32 characters of digits, spaces and +-()./",
                ));
            }
        }
        if !(1..=99).contains(&self.escalation_order) {
            return Err(Error::validation("escalation_order", "escalation_order must be 1-99"));
        }
        Ok(())
    }
}

impl Account {
    /// The account a [`NewAccount`] describes, as first stored at `now` (version 1): name and
    /// alias trimmed, an empty alias none. Not yet validated ([`Account::validate`]).
    pub fn created(new: NewAccount, now: OffsetDateTime) -> Account {
        Account {
            id: new.id,
            customer: new.customer,
            name: new.name.trim().to_string(),
            alias: new.alias.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
            environment: new.environment,
            region: new.region,
            management_account: new.management_account,
            delegated_admin_services: new.delegated_admin_services,
            access: new.access,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    pub fn validate(&self) -> Result<()> {
        line("name", &self.name, 1, 120)?;
        if let Some(alias) = &self.alias {
            line("alias", alias, 1, 64)?;
        }
        if self.delegated_admin_services.len() > 50
            || self.delegated_admin_services.iter().any(|s| {
                s.is_empty() || s.len() > 128 || !s.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
            })
        {
            return Err(Error::validation(
                "delegated_admin_services",
                "service principals look like 'securityhub.amazonaws.com' (at most 50)",
            ));
        }
        match &self.access {
            AccessMethod::Sso {
                start_url,
                permission_sets,
                breakglass_permission_sets,
                ..
            } => {
                // The start URL is written into every team member's AWS config: a line break in it
                // would end the line and start a section of its own (a `credential_process` that
                // runs on their machines). A URL has no white space of its own.
                // Nor user:password@ or non-ASCII (look-alike) letters: IAM Identity Center start
                // URLs are plain ASCII hosts (`https://d-1234567890.awsapps.com/start`).
                let url = start_url.as_str();
                let userinfo = url::Url::parse(url).is_ok_and(|u| !u.username().is_empty() || u.password().is_some());
                if url.len() > 512
                    || !url.is_ascii()
                    || userinfo
                    || url.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    return Err(Error::validation(
                        "access.start_url",
                        "start_url must be an https:// URL of at most 512 ASCII characters without spaces, line breaks, control characters or user:password@",
                    ));
                }
                if permission_sets.is_empty() || permission_sets.len() > 50 {
                    return Err(Error::validation("access.permission_sets", "list 1-50 permission sets"));
                }
                if let Some((_, ps)) = permission_sets
                    .iter()
                    .enumerate()
                    .find(|(i, ps)| permission_sets[..*i].contains(ps))
                {
                    return Err(Error::validation(
                        "access.permission_sets",
                        format!("{ps} is listed twice"),
                    ));
                }
                if breakglass_permission_sets.len() > 20 {
                    return Err(Error::validation(
                        "access.breakglass_permission_sets",
                        "list at most 20 breakglass permission sets",
                    ));
                }
                for (i, ps) in breakglass_permission_sets.iter().enumerate() {
                    if permission_sets.contains(ps) {
                        return Err(Error::validation(
                            "access.breakglass_permission_sets",
                            format!(
                                "{ps} is also a standing permission set; a breakglass permission set is never standing"
                            ),
                        ));
                    }
                    if breakglass_permission_sets[..i].contains(ps) {
                        return Err(Error::validation(
                            "access.breakglass_permission_sets",
                            format!("{ps} is listed twice"),
                        ));
                    }
                }
            }
            AccessMethod::Role {
                read_role_arn,
                breakglass_role_arn,
                max_session_seconds,
                ..
            } => {
                for (field, arn) in [
                    ("access.read_role_arn", read_role_arn),
                    ("access.breakglass_role_arn", breakglass_role_arn),
                ] {
                    if arn.account_id() != self.id.as_str() {
                        return Err(Error::validation(
                            field,
                            format!(
                                "{arn} is not in account {} (onboarding roles live in the customer account)",
                                self.id
                            ),
                        ));
                    }
                }
                if !(900..=43200).contains(max_session_seconds) {
                    return Err(Error::validation(
                        "access.max_session_seconds",
                        "max_session_seconds must be 900-43200 (IAM limits)",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Distinguishes "absent" (`None`) from "null" (`Some(None)`) in PATCH bodies.
fn double_option<'de, T, D>(de: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}

mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::FormatItem<'static>] = format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.format(FORMAT).map_err(serde::ser::Error::custom)?),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(de)? {
            None => Ok(None),
            Some(s) => Date::parse(&s, FORMAT)
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("'{s}' is not a date like 2026-01-31"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role_account(arn_account: &str) -> Account {
        serde_json::from_value(json!({
            "id": "012345678901", "customer": "acme", "name": "Acme prod", "alias": null,
            "environment": "prod", "region": "eu-west-1", "management_account": false,
            "delegated_admin_services": [],
            "access": {"method": "role",
                "read_role_arn": format!("arn:aws:iam::{arn_account}:role/CCRead"),
                "breakglass_role_arn": format!("arn:aws:iam::{arn_account}:role/CCBreakglass"),
                "external_id": "cc-acme"},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn role_arns_must_live_in_the_account() {
        assert!(role_account("012345678901").validate().is_ok());
        let err = role_account("999999999999").validate().unwrap_err();
        assert!(matches!(err, Error::Validation { field: Some(f), .. } if f == "access.read_role_arn"));
    }

    #[test]
    fn only_roles_the_broker_may_assume_are_accepted() {
        let deployed = AssumableRoles {
            breakglass: Some("CCBreakglass".into()),
            sso_admin: Some("CustomerCentralSsoAdmin".into()),
        };
        assert!(deployed.check(&role_account("012345678901")).is_ok());
        assert!(
            AssumableRoles::default().check(&role_account("012345678901")).is_ok(),
            "locally: any"
        );
        let field_of = |e: Error| match e {
            Error::Validation { field, message } => (field.unwrap(), message),
            other => panic!("{other:?}"),
        };
        for (name, arn) in [
            ("another name", "arn:aws:iam::012345678901:role/OpsAdmin"),
            ("a path", "arn:aws:iam::012345678901:role/team/CCBreakglass"),
            ("a longer name", "arn:aws:iam::012345678901:role/CCBreakglass2"),
        ] {
            let mut a = role_account("012345678901");
            let AccessMethod::Role {
                breakglass_role_arn, ..
            } = &mut a.access
            else {
                unreachable!()
            };
            *breakglass_role_arn = RoleArn::parse(arn).unwrap();
            let (field, message) = field_of(deployed.check(&a).unwrap_err());
            assert_eq!(field, "access.breakglass_role_arn", "{name}");
            assert!(
                message.contains("CCBreakglass") && message.contains("BreakglassRoleName"),
                "{message}"
            );
        }
        let mut ic = identity_center();
        let sso = |ic: &serde_json::Value| {
            sso_account(json!({"method": "sso", "start_url": "https://acme.awsapps.com/start",
                "sso_region": "eu-west-1", "permission_sets": ["ReadOnly"],
                "breakglass_permission_sets": ["Admin"], "identity_center": ic}))
            .unwrap()
        };
        assert!(deployed.check(&sso(&ic)).is_ok());
        ic["admin_role_arn"] = json!("arn:aws:iam::999999999999:role/OrgAdmin");
        let (field, message) = field_of(deployed.check(&sso(&ic)).unwrap_err());
        assert_eq!(field, "access.identity_center.admin_role_arn");
        assert!(message.contains("SsoAdminRoleName"), "{message}");
    }

    #[test]
    fn access_method_rejects_unknown_fields_and_methods() {
        let bad: std::result::Result<AccessMethod, _> = serde_json::from_value(
            json!({"method": "sso", "start_url": "https://x.awsapps.com/start", "sso_region": "eu-west-1", "permission_sets": ["ReadOnly"], "extra": 1}),
        );
        assert!(bad.is_err());
        let bad: std::result::Result<AccessMethod, _> = serde_json::from_value(json!({"method": "password"}));
        assert!(bad.is_err());
    }

    fn sso_account(access: serde_json::Value) -> std::result::Result<Account, serde_json::Error> {
        serde_json::from_value(json!({
            "id": "012345678901", "customer": "acme", "name": "Acme prod", "alias": null,
            "environment": "prod", "region": "eu-west-1", "management_account": false,
            "delegated_admin_services": [], "access": access,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
    }

    fn identity_center() -> serde_json::Value {
        json!({"instance_arn": "arn:aws:sso:::instance/ssoins-0123456789abcdef",
            "identity_store_id": "d-0123456789",
            "admin_role_arn": "arn:aws:iam::999999999999:role/CustomerCentralSsoAdmin", "external_id": "cc-acme-sso"})
    }

    #[test]
    fn sso_accounts_stored_before_breakglass_still_load() {
        let old = sso_account(json!({"method": "sso", "start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1", "permission_sets": ["ReadOnly"]}))
        .unwrap();
        let AccessMethod::Sso {
            breakglass_permission_sets,
            identity_center,
            ..
        } = &old.access
        else {
            panic!("not sso")
        };
        assert!(breakglass_permission_sets.is_empty() && identity_center.is_none());
        assert!(old.validate().is_ok());
        // And what is written now reads back the same.
        let again: Account = serde_json::from_value(serde_json::to_value(&old).unwrap()).unwrap();
        assert_eq!(again, old);
    }

    #[test]
    fn breakglass_permission_sets_need_the_identity_center_and_are_never_standing() {
        let missing = sso_account(json!({"method": "sso", "start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1", "permission_sets": ["ReadOnly"], "breakglass_permission_sets": ["SRE-Breakglass"]}))
        .unwrap_err();
        assert!(missing.to_string().contains("identity_center"), "{missing}");
        let ok = sso_account(json!({"method": "sso", "start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1", "permission_sets": ["ReadOnly"], "breakglass_permission_sets": ["SRE-Breakglass"],
            "identity_center": identity_center()}))
        .unwrap();
        assert!(ok.validate().is_ok());
        let standing = sso_account(json!({"method": "sso", "start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1", "permission_sets": ["ReadOnly", "SRE-Breakglass"],
            "breakglass_permission_sets": ["SRE-Breakglass"], "identity_center": identity_center()}))
        .unwrap();
        let err = standing.validate().unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field: Some(f), .. } if f == "access.breakglass_permission_sets"),
            "{err}"
        );
        let bad_arn = sso_account(json!({"method": "sso", "start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1", "permission_sets": ["ReadOnly"], "breakglass_permission_sets": ["SRE-Breakglass"],
            "identity_center": {"instance_arn": "ssoins-1", "identity_store_id": "d-0123456789",
                "admin_role_arn": "arn:aws:iam::999999999999:role/X"}}))
        .unwrap_err();
        assert!(bad_arn.to_string().contains("instance ARN"), "{bad_arn}");
        let on_role = sso_account(json!({"method": "role",
            "read_role_arn": "arn:aws:iam::012345678901:role/CCRead",
            "breakglass_role_arn": "arn:aws:iam::012345678901:role/CCBreakglass",
            "external_id": "cc-acme", "breakglass_permission_sets": ["X"]}))
        .unwrap_err();
        assert!(on_role.to_string().contains("breakglass_permission_sets"), "{on_role}");
    }

    #[test]
    fn patch_distinguishes_null_from_absent() {
        let p: AccountPatch = serde_json::from_value(json!({"alias": null})).unwrap();
        assert_eq!(p.alias, Some(None));
        let p: AccountPatch = serde_json::from_value(json!({})).unwrap();
        assert_eq!(p.alias, None);
    }

    #[test]
    fn contract_dates_are_checked() {
        let c: std::result::Result<ContractSummary, _> = serde_json::from_value(json!({"starts_on": "2026-13-01"}));
        assert!(c.is_err());
        let c: ContractSummary =
            serde_json::from_value(json!({"starts_on": "2026-02-01", "ends_on": "2026-01-01"})).unwrap();
        let now = OffsetDateTime::now_utc();
        let customer = Customer {
            code: CustomerCode::parse("acme").unwrap(),
            name: "Acme".into(),
            status: CustomerStatus::Active,
            notes: String::new(),
            contract: Some(c),
            report: ReportSettings::default(),
            account_count: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        assert!(customer.validate().is_err());
    }
}
