//! Configuration, read once at start-up from the environment (the local runner maps its flags onto
//! the same names). A missing or malformed setting fails start-up with a message naming it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::identity::Role;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// SQLite file + local directory under `data_dir` (the local default).
    Embedded,
    /// DynamoDB table + S3 bucket (Lambda, or an emulator through `AWS_ENDPOINT_URL`).
    Aws,
}

/// How the SSO breakglass broker finds a person in a customer's identity store
/// (`CC_SSO_USER_ATTRIBUTE`): the e-mail from their token, as the user name or as an e-mail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SsoUserAttribute {
    /// `userName` (the default: Identity Center user names are usually the e-mail).
    #[default]
    UserName,
    /// `emails.value`.
    Email,
}

impl SsoUserAttribute {
    /// The identity store's attribute path (`GetUserId`'s `UniqueAttribute`).
    pub fn attribute_path(self) -> &'static str {
        match self {
            SsoUserAttribute::UserName => "userName",
            SsoUserAttribute::Email => "emails.value",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub store: StoreKind,
    pub data_dir: PathBuf,
    pub table: Option<String>,
    pub bucket: Option<String>,
    pub endpoint_url: Option<String>,
    pub auth: AuthConfig,
    pub port: u16,
    /// Where the local server is reachable (for local download links).
    pub public_url: Option<String>,
    /// The AWS federation endpoint for console sign-in links (`CC_FEDERATION_URL`).
    pub federation_url: String,
    /// Slack/Teams-compatible incoming webhook for approver notifications (`CC_WEBHOOK_URL`; for
    /// local use: the URL is a credential).
    pub webhook_url: Option<String>,
    /// A Secrets Manager secret holding that webhook URL (`CC_WEBHOOK_SECRET_ARN`), read once when a
    /// function starts: how deployed stacks configure it. Not together with `CC_WEBHOOK_URL`.
    pub webhook_secret_arn: Option<String>,
    /// How often the local server's sweeper runs (`CC_SWEEP_SECONDS`, 1-60).
    pub sweep_seconds: u64,
    /// How many connections the local server serves at once (`CC_MAX_CONNECTIONS`, 1-65535,
    /// default 512); further clients wait in the listen backlog.
    pub max_connections: usize,
    /// The breakglass state machine (`CC_STATE_MACHINE_ARN`); without it the workflow runs
    /// in-process.
    pub state_machine_arn: Option<String>,
    /// SNS topic for approver notifications (`CC_TOPIC_ARN`).
    pub topic_arn: Option<String>,
    /// The identity store attribute matched against a requester's e-mail for SSO breakglass
    /// (`CC_SSO_USER_ATTRIBUTE`: `user_name`, the default, or `email`).
    pub sso_user_attribute: SsoUserAttribute,
    /// The breakglass role name the deployed broker may assume (`CC_BREAKGLASS_ROLE_NAME`, the
    /// stacks' `BreakglassRoleName`); the hub refuses accounts naming another. Unset: any.
    pub breakglass_role_name: Option<String>,
    /// Likewise for the Identity Center admin role (`CC_SSO_ADMIN_ROLE_NAME`, `SsoAdminRoleName`).
    pub sso_admin_role_name: Option<String>,
    /// The billing fetch (issue #13).
    pub billing: BillingConfig,
    /// Salesforce, utilisation's contract source (`CC_SALESFORCE`): its settings as JSON (see
    /// `cc_adapters::salesforce::SalesforceConfig`), or the ARN of a Secrets Manager secret holding
    /// that JSON (how deployed stacks pass it: the client secret is a credential). None: the
    /// embedded default's demo contracts, or in AWS a source that says it is not configured.
    pub salesforce: Option<String>,
    /// JIRA, utilisation's timesheet source (`CC_JIRA`): JSON or a secret's ARN, as `salesforce`.
    pub jira: Option<String>,
    /// Monthly reports (issue #15).
    pub reports: ReportsConfig,
}

/// How the `reports.monthly` job builds (`CC_REPORTS_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportsConfig {
    /// The day of the month from which the job builds the month just closed (`CC_REPORTS_DAY`,
    /// 1-28, default 3): Cost Explorer finalises a month's bill a few days into the next.
    pub day: u8,
    /// Customers built at once (`CC_REPORTS_CONCURRENCY`, 1-16, default 4).
    pub concurrency: usize,
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig { day: 3, concurrency: 4 }
    }
}

/// How the billing fetch reads Cost Explorer (`CC_BILLING_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillingConfig {
    /// Days fetched on a payer's first run (`CC_BILLING_BACKFILL_DAYS`, 1-390, default 90): Cost
    /// Explorer keeps 13 months of history plus the current month, and never less than 393 days.
    pub backfill_days: u32,
    /// Days fetched again on later runs, up to yesterday (`CC_BILLING_REFETCH_DAYS`, 1-31, default
    /// 3): Cost Explorer revises recent days.
    pub refetch_days: u32,
    /// Customers fetched at once (`CC_BILLING_CONCURRENCY`, 1-32, default 4): Cost Explorer's rate
    /// limits are low and unpublished.
    pub concurrency: usize,
}

impl Default for BillingConfig {
    fn default() -> Self {
        BillingConfig {
            backfill_days: 90,
            refetch_days: 3,
            concurrency: 4,
        }
    }
}

/// Where a caller's e-mail comes from (`CC_EMAIL_SOURCE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmailSource {
    /// A claim of the token (`claims`, the default): the first of `CC_EMAIL_CLAIM` holding an
    /// e-mail address.
    #[default]
    Claims,
    /// The hub's people directory (`people`): the token's `CC_SUBJECT_CLAIM`, mapped by admins
    /// to an e-mail (`/api/v1/people`).
    People,
}

#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// HS256 secret for locally verified tokens (`CC_JWT_SECRET`).
    pub jwt_secret: Option<String>,
    /// JWKS location: `https://...`, `http://...` or a file path (`CC_JWT_JWKS_URL`).
    pub jwks_url: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// The claims that carry the identity provider's groups or roles, read together
    /// (`CC_ROLES_CLAIM`, comma-separated, default `groups`; e.g. `cognito:groups`, or
    /// `groups,roles` for Entra ID's group ids and app roles).
    pub roles_claims: Vec<String>,
    /// Where the person's e-mail comes from (`CC_EMAIL_SOURCE`).
    pub email_source: EmailSource,
    /// With [`EmailSource::Claims`]: the claims tried in order, the first whose value is an
    /// e-mail address wins (`CC_EMAIL_CLAIM`, comma-separated, default `email`; e.g.
    /// `email,preferred_username,upn` for Entra ID, `email,sub` for Okta).
    pub email_claims: Vec<String>,
    /// The claim naming the person at the identity provider (`CC_SUBJECT_CLAIM`, default `sub`;
    /// Entra ID's `oid`, Okta's `uid`): the key of the people directory.
    pub subject_claim: String,
    /// Group name -> role (`CC_ROLE_GROUPS`, e.g. `sre-team=engineer,sre-leads=lead`). Groups named
    /// exactly like a role always map to it.
    pub role_groups: BTreeMap<String, Role>,
    /// How far the verifier's clock and the issuer's may disagree (`CC_JWT_CLOCK_SKEW_SECONDS`,
    /// 0-300, default 30): applied the same way to `exp`, `nbf` and `iat`.
    pub clock_skew_seconds: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            jwt_secret: None,
            jwks_url: None,
            issuer: None,
            audience: None,
            roles_claims: vec!["groups".into()],
            email_source: EmailSource::Claims,
            email_claims: vec!["email".into()],
            subject_claim: "sub".into(),
            role_groups: BTreeMap::new(),
            clock_skew_seconds: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration {name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

fn err(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        message: message.into(),
    }
}

/// A comma-separated list of claim names (`default` when unset).
fn claim_list(name: &'static str, value: Option<String>, default: &str) -> Result<Vec<String>, ConfigError> {
    let value = value.unwrap_or_else(|| default.to_string());
    let list: Vec<String> = value.split(',').map(|c| c.trim().to_string()).collect();
    if list
        .iter()
        .any(|c| c.is_empty() || c.len() > 100 || c.chars().any(char::is_whitespace))
    {
        return Err(err(
            name,
            format!("'{value}' is not a comma-separated list of claim names"),
        ));
    }
    Ok(list)
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the settings through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let store = match get("CC_STORE").as_deref() {
            None | Some("embedded") => StoreKind::Embedded,
            Some("aws") => StoreKind::Aws,
            Some(other) => return Err(err("CC_STORE", format!("'{other}' is not one of: embedded, aws"))),
        };
        let table = get("CC_TABLE");
        let bucket = get("CC_BUCKET");
        if store == StoreKind::Aws {
            if table.is_none() {
                return Err(err("CC_TABLE", "required when CC_STORE=aws"));
            }
            if bucket.is_none() {
                return Err(err("CC_BUCKET", "required when CC_STORE=aws"));
            }
        }
        let port = match get("CC_PORT") {
            None => 8080,
            Some(p) => p
                .parse()
                .map_err(|_| err("CC_PORT", format!("'{p}' is not a port number")))?,
        };
        let endpoint_url = get("AWS_ENDPOINT_URL");
        if let Some(u) = &endpoint_url {
            url::Url::parse(u).map_err(|e| err("AWS_ENDPOINT_URL", format!("'{u}' is not a URL: {e}")))?;
        }
        let mut role_groups = BTreeMap::new();
        if let Some(spec) = get("CC_ROLE_GROUPS") {
            for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (group, role) = pair
                    .split_once('=')
                    .ok_or_else(|| err("CC_ROLE_GROUPS", format!("'{pair}' is not group=role")))?;
                let role: Role = role.trim().parse().map_err(|_| {
                    err(
                        "CC_ROLE_GROUPS",
                        format!("'{role}' is not one of engineer, senior, lead, admin"),
                    )
                })?;
                role_groups.insert(group.trim().to_string(), role);
            }
        }
        let clock_skew_seconds = match get("CC_JWT_CLOCK_SKEW_SECONDS") {
            None => 30,
            Some(s) => s.parse().ok().filter(|n| *n <= 300).ok_or_else(|| {
                err(
                    "CC_JWT_CLOCK_SKEW_SECONDS",
                    format!("'{s}' is not a number of seconds from 0 to 300"),
                )
            })?,
        };
        let auth = AuthConfig {
            jwt_secret: get("CC_JWT_SECRET"),
            jwks_url: get("CC_JWT_JWKS_URL"),
            issuer: get("CC_JWT_ISSUER"),
            audience: get("CC_JWT_AUDIENCE"),
            roles_claims: claim_list("CC_ROLES_CLAIM", get("CC_ROLES_CLAIM"), "groups")?,
            email_source: match get("CC_EMAIL_SOURCE").as_deref() {
                None | Some("claims") => EmailSource::Claims,
                Some("people") => EmailSource::People,
                Some(other) => {
                    return Err(err(
                        "CC_EMAIL_SOURCE",
                        format!("'{other}' is not one of: claims, people"),
                    ));
                }
            },
            email_claims: claim_list("CC_EMAIL_CLAIM", get("CC_EMAIL_CLAIM"), "email")?,
            subject_claim: claim_list("CC_SUBJECT_CLAIM", get("CC_SUBJECT_CLAIM"), "sub").and_then(|mut l| match l
                .len()
            {
                1 => Ok(l.remove(0)),
                _ => Err(err("CC_SUBJECT_CLAIM", "name one claim")),
            })?,
            role_groups,
            clock_skew_seconds,
        };
        if let Some(secret) = &auth.jwt_secret
            && secret.len() < 32
        {
            return Err(err("CC_JWT_SECRET", "must be at least 32 characters"));
        }
        let url_setting = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match get(name) {
                Some(u) => match url::Url::parse(&u) {
                    Ok(p) if p.scheme() == "https" || p.scheme() == "http" => Ok(Some(u)),
                    _ => Err(err(name, format!("'{u}' is not an http(s) URL"))),
                },
                None => Ok(None),
            }
        };
        let federation_url =
            url_setting("CC_FEDERATION_URL")?.unwrap_or_else(|| "https://signin.aws.amazon.com".into());
        let webhook_url = url_setting("CC_WEBHOOK_URL")?;
        let webhook_secret_arn = get("CC_WEBHOOK_SECRET_ARN");
        if let Some(arn) = &webhook_secret_arn {
            if !(arn.starts_with("arn:") && arn.contains(":secretsmanager:") && arn.contains(":secret:")) {
                return Err(err(
                    "CC_WEBHOOK_SECRET_ARN",
                    format!("'{arn}' is not a Secrets Manager secret ARN"),
                ));
            }
            if webhook_url.is_some() {
                return Err(err(
                    "CC_WEBHOOK_SECRET_ARN",
                    "set either CC_WEBHOOK_URL or CC_WEBHOOK_SECRET_ARN, not both",
                ));
            }
        }
        let sweep_seconds = match get("CC_SWEEP_SECONDS") {
            None => 15,
            Some(s) => s.parse().ok().filter(|n| (1..=60).contains(n)).ok_or_else(|| {
                err(
                    "CC_SWEEP_SECONDS",
                    format!("'{s}' is not a number of seconds from 1 to 60"),
                )
            })?,
        };
        let max_connections = match get("CC_MAX_CONNECTIONS") {
            None => 512,
            Some(s) => s.parse().ok().filter(|n| (1..=65535).contains(n)).ok_or_else(|| {
                err(
                    "CC_MAX_CONNECTIONS",
                    format!("'{s}' is not a number of connections from 1 to 65535"),
                )
            })?,
        };
        let state_machine_arn = get("CC_STATE_MACHINE_ARN");
        if let Some(arn) = &state_machine_arn
            && !arn.starts_with("arn:")
        {
            return Err(err("CC_STATE_MACHINE_ARN", format!("'{arn}' is not an ARN")));
        }
        let topic_arn = get("CC_TOPIC_ARN");
        if let Some(arn) = &topic_arn
            && !arn.starts_with("arn:")
        {
            return Err(err("CC_TOPIC_ARN", format!("'{arn}' is not an ARN")));
        }
        let sso_user_attribute = match get("CC_SSO_USER_ATTRIBUTE").as_deref() {
            None | Some("user_name") => SsoUserAttribute::UserName,
            Some("email") => SsoUserAttribute::Email,
            Some(other) => {
                return Err(err(
                    "CC_SSO_USER_ATTRIBUTE",
                    format!("'{other}' is not one of: user_name, email"),
                ));
            }
        };
        let role_name = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match get(name) {
                Some(n) if n.is_empty() || n.len() > 64 || !n.chars().all(crate::ids::is_iam_name_char) => {
                    Err(err(name, format!("'{n}' is not an IAM role name")))
                }
                other => Ok(other),
            }
        };
        let number = |name: &'static str, default: u32, max: u32, what: &str| -> Result<u32, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(s) => s
                    .parse()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| err(name, format!("'{s}' is not a number of {what} from 1 to {max}"))),
            }
        };
        let billing = BillingConfig {
            backfill_days: number("CC_BILLING_BACKFILL_DAYS", 90, 390, "days").map_err(|e| ConfigError {
                message: format!(
                    "{} (Cost Explorer keeps 13 months of history plus the current month)",
                    e.message
                ),
                ..e
            })?,
            refetch_days: number("CC_BILLING_REFETCH_DAYS", 3, 31, "days")?,
            concurrency: number("CC_BILLING_CONCURRENCY", 4, 32, "customers")? as usize,
        };
        let json_or_secret = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match get(name) {
                None => Ok(None),
                Some(v) if v.trim_start().starts_with('{') => Ok(Some(v)),
                Some(v) if v.starts_with("arn:") && v.contains(":secretsmanager:") && v.contains(":secret:") => {
                    Ok(Some(v))
                }
                Some(_) => Err(err(
                    name,
                    "must be the settings as a JSON object, or the ARN of a Secrets Manager secret holding them",
                )),
            }
        };
        let reports = ReportsConfig {
            day: match get("CC_REPORTS_DAY") {
                None => 3,
                Some(s) => s.parse().ok().filter(|d| (1..=28).contains(d)).ok_or_else(|| {
                    err(
                        "CC_REPORTS_DAY",
                        format!("'{s}' is not a day of the month from 1 to 28 (a day every month has)"),
                    )
                })?,
            },
            concurrency: number("CC_REPORTS_CONCURRENCY", 4, 16, "customers")? as usize,
        };
        let salesforce = json_or_secret("CC_SALESFORCE")?;
        let jira = json_or_secret("CC_JIRA")?;
        Ok(Config {
            reports,
            billing,
            salesforce,
            jira,
            breakglass_role_name: role_name("CC_BREAKGLASS_ROLE_NAME")?,
            sso_admin_role_name: role_name("CC_SSO_ADMIN_ROLE_NAME")?,
            sso_user_attribute,
            topic_arn,
            state_machine_arn,
            federation_url,
            webhook_url,
            webhook_secret_arn,
            sweep_seconds,
            max_connections,
            store,
            data_dir: get("CC_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".cc-data")),
            table,
            bucket,
            endpoint_url,
            auth,
            port,
            public_url: get("CC_PUBLIC_URL"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_embedded_store() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.store, StoreKind::Embedded);
        assert_eq!(c.port, 8080);
        assert_eq!(c.max_connections, 512);
        assert_eq!(c.auth.roles_claims, ["groups"]);
        assert_eq!(c.auth.email_claims, ["email"]);
        assert_eq!(c.auth.email_source, EmailSource::Claims);
        assert_eq!(c.auth.subject_claim, "sub");
        assert_eq!(c.sso_user_attribute, SsoUserAttribute::UserName);
        let c = cfg(&[("CC_SSO_USER_ATTRIBUTE", "email")]).unwrap();
        assert_eq!(c.sso_user_attribute.attribute_path(), "emails.value");
    }

    #[test]
    fn bad_or_missing_settings_name_the_variable() {
        assert_eq!(cfg(&[("CC_STORE", "mongo")]).unwrap_err().name, "CC_STORE");
        assert_eq!(cfg(&[("CC_STORE", "aws")]).unwrap_err().name, "CC_TABLE");
        assert_eq!(
            cfg(&[("CC_STORE", "aws"), ("CC_TABLE", "t")]).unwrap_err().name,
            "CC_BUCKET"
        );
        assert_eq!(cfg(&[("CC_PORT", "http")]).unwrap_err().name, "CC_PORT");
        for bad in ["0", "65536", "many"] {
            assert_eq!(
                cfg(&[("CC_MAX_CONNECTIONS", bad)]).unwrap_err().name,
                "CC_MAX_CONNECTIONS"
            );
        }
        assert_eq!(cfg(&[("CC_MAX_CONNECTIONS", "64")]).unwrap().max_connections, 64);
        assert_eq!(cfg(&[("CC_JWT_SECRET", "short")]).unwrap_err().name, "CC_JWT_SECRET");
        assert_eq!(
            cfg(&[("CC_ROLE_GROUPS", "ops=boss")]).unwrap_err().name,
            "CC_ROLE_GROUPS"
        );
        assert_eq!(
            cfg(&[("AWS_ENDPOINT_URL", "not a url")]).unwrap_err().name,
            "AWS_ENDPOINT_URL"
        );
        assert_eq!(
            cfg(&[("CC_SSO_USER_ATTRIBUTE", "upn")]).unwrap_err().name,
            "CC_SSO_USER_ATTRIBUTE"
        );
        assert_eq!(
            cfg(&[("CC_WEBHOOK_SECRET_ARN", "https://hooks.example.com/x")])
                .unwrap_err()
                .name,
            "CC_WEBHOOK_SECRET_ARN"
        );
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cc/webhook-AbCdEf";
        let both = cfg(&[
            ("CC_WEBHOOK_SECRET_ARN", arn),
            ("CC_WEBHOOK_URL", "https://hooks.example.com/x"),
        ]);
        assert_eq!(both.unwrap_err().name, "CC_WEBHOOK_SECRET_ARN");
        assert_eq!(
            cfg(&[("CC_WEBHOOK_SECRET_ARN", arn)])
                .unwrap()
                .webhook_secret_arn
                .as_deref(),
            Some(arn)
        );
    }

    #[test]
    fn claim_lists_and_the_email_source() {
        let c = cfg(&[
            ("CC_EMAIL_CLAIM", "email, preferred_username,upn"),
            ("CC_ROLES_CLAIM", "groups,roles"),
            ("CC_EMAIL_SOURCE", "people"),
            ("CC_SUBJECT_CLAIM", "oid"),
        ])
        .unwrap();
        assert_eq!(c.auth.email_claims, ["email", "preferred_username", "upn"]);
        assert_eq!(c.auth.roles_claims, ["groups", "roles"]);
        assert_eq!(c.auth.email_source, EmailSource::People);
        assert_eq!(c.auth.subject_claim, "oid");
        for (name, value) in [
            ("CC_EMAIL_SOURCE", "directory"),
            ("CC_EMAIL_CLAIM", "email,,upn"),
            ("CC_ROLES_CLAIM", "cognito groups"),
            ("CC_SUBJECT_CLAIM", "sub,oid"),
        ] {
            assert_eq!(cfg(&[(name, value)]).unwrap_err().name, name, "{value}");
        }
    }

    #[test]
    fn billing_settings_have_defaults_and_bounds() {
        assert_eq!(cfg(&[]).unwrap().billing, BillingConfig::default());
        let c = cfg(&[
            ("CC_BILLING_BACKFILL_DAYS", "390"),
            ("CC_BILLING_REFETCH_DAYS", "7"),
            ("CC_BILLING_CONCURRENCY", "2"),
        ])
        .unwrap();
        assert_eq!(
            (c.billing.backfill_days, c.billing.refetch_days, c.billing.concurrency),
            (390, 7, 2)
        );
        for (name, bad) in [
            ("CC_BILLING_BACKFILL_DAYS", "0"),
            ("CC_BILLING_BACKFILL_DAYS", "400"),
            ("CC_BILLING_BACKFILL_DAYS", "a year"),
            ("CC_BILLING_REFETCH_DAYS", "32"),
            ("CC_BILLING_CONCURRENCY", "0"),
        ] {
            assert_eq!(cfg(&[(name, bad)]).unwrap_err().name, name, "{bad}");
        }
        let e = cfg(&[("CC_BILLING_BACKFILL_DAYS", "500")]).unwrap_err();
        assert!(e.to_string().contains("13 months"), "{e}");
    }

    #[test]
    fn report_settings_have_defaults_and_bounds() {
        assert_eq!(cfg(&[]).unwrap().reports, ReportsConfig::default());
        let c = cfg(&[("CC_REPORTS_DAY", "28"), ("CC_REPORTS_CONCURRENCY", "2")]).unwrap();
        assert_eq!((c.reports.day, c.reports.concurrency), (28, 2));
        for (name, bad) in [
            ("CC_REPORTS_DAY", "0"),
            ("CC_REPORTS_DAY", "29"),
            ("CC_REPORTS_DAY", "first"),
            ("CC_REPORTS_CONCURRENCY", "17"),
        ] {
            assert_eq!(cfg(&[(name, bad)]).unwrap_err().name, name, "{bad}");
        }
    }

    #[test]
    fn role_groups_map_to_roles() {
        let c = cfg(&[("CC_ROLE_GROUPS", "sre=engineer, sre-leads=lead")]).unwrap();
        assert_eq!(c.auth.role_groups.get("sre-leads"), Some(&Role::Lead));
    }
}
