//! The profile generator: every account and role a person may use, as AWS CLI / SDK profiles.
//!
//! - SSO accounts get one `[sso-session NAME]` per start URL and a profile per standing permission
//!   set (`sso_session`, `sso_account_id`, `sso_role_name`, `region`); a breakglass permission set
//!   gets a (`breakglass` kind) profile only while the person holds an active grant for it.
//! - Role accounts get a read profile chained from the person's hub profile (`role_arn`,
//!   `source_profile` or `credential_source`, `external_id`, `role_session_name`,
//!   `duration_seconds`, `region`, `mfa_serial` when set) and a breakglass profile whose
//!   `credential_process` asks our CLI for the active grant's credentials (it fails cleanly while
//!   there is no grant).
//! - Names come from a template, slugged, unique (a numeric suffix on clashes, in a stable order).
//!
//! Rendering is pure and fast (thousands of profiles in milliseconds); `merge` puts the result
//! into an existing config file without touching anything outside its managed block.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use utoipa::ToSchema;

use crate::access::ports::session_name;
use crate::access::sso::HeldSets;
use crate::error::{Error, Result};
use crate::hub::{AccessMethod, Account, Environment};
use crate::ids::Region;

pub mod merge;
pub mod service;

pub const DEFAULT_TEMPLATE: &str = "{customer}-{account}-{role}";
pub const DEFAULT_HUB_PROFILE: &str = "customer-central-hub";
const PLACEHOLDERS: [&str; 6] = ["customer", "account", "alias", "id", "env", "role"];

/// A person's stored preferences (`GET PUT /me/profile-preferences`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    #[serde(default = "default_template")]
    pub template: String,
    /// Overrides each account's home region.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub region: Option<Region>,
    /// The profile role chains start from (the team's hub account credentials).
    #[serde(default = "default_hub")]
    pub hub_profile: String,
    /// Instead of a hub profile: `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
    #[serde(default)]
    pub credential_source: Option<String>,
    /// MFA device ARN for role chains that require it.
    #[serde(default)]
    pub mfa_serial: Option<String>,
    /// The command `credential_process` runs (default `cc`).
    #[serde(default = "default_cli")]
    pub cli_command: String,
    #[serde(default)]
    pub version: u64,
}

fn default_template() -> String {
    DEFAULT_TEMPLATE.into()
}
fn default_hub() -> String {
    DEFAULT_HUB_PROFILE.into()
}
fn default_cli() -> String {
    "cc".into()
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            template: default_template(),
            region: None,
            hub_profile: default_hub(),
            credential_source: None,
            mfa_serial: None,
            cli_command: default_cli(),
            version: 0,
        }
    }
}

impl Preferences {
    pub fn validate(&self) -> Result<()> {
        Template::parse(&self.template)?;
        let ini_safe = |field: &str, v: &str, max: usize| -> Result<()> {
            if v.is_empty() || v.len() > max || v.chars().any(|c| c.is_control() || "[]#;=".contains(c)) {
                return Err(Error::validation(
                    field,
                    format!("{field} must be 1-{max} characters without []#;= or control characters"),
                ));
            }
            Ok(())
        };
        ini_safe("hub_profile", &self.hub_profile, 64)?;
        ini_safe("cli_command", &self.cli_command, 200)?;
        if let Some(src) = &self.credential_source
            && !matches!(src.as_str(), "Environment" | "Ec2InstanceMetadata" | "EcsContainer")
        {
            return Err(Error::validation(
                "credential_source",
                "credential_source is one of Environment, Ec2InstanceMetadata, EcsContainer",
            ));
        }
        if let Some(m) = &self.mfa_serial {
            ini_safe("mfa_serial", m, 256)?;
            if !m.starts_with("arn:") {
                return Err(Error::validation("mfa_serial", "mfa_serial is an MFA device ARN"));
            }
        }
        Ok(())
    }
}

/// A naming template such as `{customer}-{account}-{role}`.
#[derive(Clone, Debug)]
pub struct Template(Vec<Part>);

#[derive(Clone, Debug)]
enum Part {
    Text(String),
    Field(&'static str),
}

impl Template {
    pub fn parse(s: &str) -> Result<Self> {
        if s.is_empty() || s.len() > 200 {
            return Err(Error::validation("template", "the template must be 1-200 characters"));
        }
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| Error::validation("template", "a '{' in the template is not closed"))?;
            let name = &rest[open + 1..open + close];
            let field = PLACEHOLDERS.iter().find(|p| **p == name).ok_or_else(|| {
                Error::validation(
                    "template",
                    format!(
                        "unknown placeholder {{{name}}}; use {}",
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                    ),
                )
            })?;
            parts.push(Part::Field(field));
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(Error::validation("template", "a '}' in the template has no '{'"));
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            return Err(Error::validation(
                "template",
                "the template needs at least one placeholder",
            ));
        }
        Ok(Template(parts))
    }

    fn render(&self, values: &[(&str, &str)]) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Field(f) => out.push_str(values.iter().find(|(k, _)| k == f).map(|(_, v)| *v).unwrap_or("")),
            }
        }
        slug(&out)
    }
}

/// Lower-case, `[a-z0-9-]` with single dashes, no leading/trailing dash.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Read,
    Breakglass,
    Sso,
}

impl std::str::FromStr for Kind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "read" => Ok(Kind::Read),
            "breakglass" => Ok(Kind::Breakglass),
            "sso" => Ok(Kind::Sso),
            _ => Err(Error::validation(
                "kind",
                format!("'{s}' is not one of: read, breakglass, sso"),
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Profile {
    pub name: String,
    pub kind: Kind,
    pub customer: String,
    pub account_id: String,
    /// The settings in the order they are written, as `[key, value]` pairs.
    #[schema(value_type = Vec<Vec<String>>)]
    pub settings: Vec<(Cow<'static, str>, String)>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct SsoSession {
    pub name: String,
    pub start_url: String,
    pub region: String,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ProfileSet {
    pub sso_sessions: Vec<SsoSession>,
    pub profiles: Vec<Profile>,
}

/// Which accounts and kinds to render.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub customers: Option<Vec<String>>,
    pub environment: Option<Environment>,
    pub kinds: Option<Vec<Kind>>,
}

fn k(key: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(key)
}

/// Renders the profiles for `accounts` (already limited to what the person may use), without any
/// SSO breakglass permission set.
pub fn render(accounts: &[&Account], prefs: &Preferences, email: &str, selection: &Selection) -> Result<ProfileSet> {
    render_with_grants(accounts, prefs, email, selection, &HeldSets::default())
}

/// Like [`render`], plus a `breakglass` SSO profile for each breakglass permission set in `held`
/// (the person's active grants): breakglass permission sets are never standing.
pub fn render_with_grants(
    accounts: &[&Account],
    prefs: &Preferences,
    email: &str,
    selection: &Selection,
    held: &HeldSets,
) -> Result<ProfileSet> {
    let template = Template::parse(&prefs.template)?;
    let wants = |k: Kind| selection.kinds.as_ref().is_none_or(|ks| ks.contains(&k));
    let mut sorted: Vec<&Account> = accounts
        .iter()
        .copied()
        .filter(|a| {
            selection
                .customers
                .as_ref()
                .is_none_or(|cs| cs.iter().any(|c| c == a.customer.as_str()))
        })
        .filter(|a| selection.environment.is_none_or(|e| e == a.environment))
        .collect();
    sorted.sort_by(|a, b| a.customer.cmp(&b.customer).then_with(|| a.id.cmp(&b.id)));

    let mut sessions: BTreeMap<String, SsoSession> = BTreeMap::new(); // start URL -> session
    let mut session_names: HashMap<String, usize> = HashMap::new();
    let mut out = ProfileSet::default();
    let mut taken: HashMap<String, usize> = HashMap::new();
    let role_session = session_name(email);
    for a in sorted {
        let region = prefs.region.as_ref().unwrap_or(&a.region).to_string();
        let account_slug = slug(&a.name);
        let alias = a.alias.as_deref().map(slug).unwrap_or_else(|| account_slug.clone());
        let mut name_for = |role: &str| -> Result<String> {
            let base = template.render(&[
                ("customer", a.customer.as_str()),
                ("account", &account_slug),
                ("alias", &alias),
                ("id", a.id.as_str()),
                ("env", a.environment.as_str()),
                ("role", role),
            ]);
            if base.is_empty() {
                return Err(Error::validation(
                    "template",
                    format!("the template gives account {} an empty name", a.id),
                ));
            }
            let n = taken.entry(base.clone()).or_insert(0);
            *n += 1;
            Ok(if *n == 1 { base } else { format!("{base}-{n}") })
        };
        match &a.access {
            AccessMethod::Sso {
                start_url,
                sso_region,
                permission_sets,
                ..
            } => {
                let granted = if wants(Kind::Breakglass) {
                    held.on(a)
                } else {
                    Vec::new()
                };
                let standing: &[_] = if wants(Kind::Sso) { permission_sets } else { &[] };
                if standing.is_empty() && granted.is_empty() {
                    continue;
                }
                let session = match sessions.get(start_url.as_str()) {
                    Some(s) => s.name.clone(),
                    None => {
                        let base = slug(a.customer.as_str());
                        let n = session_names.entry(base.clone()).or_insert(0);
                        *n += 1;
                        let name = if *n == 1 { base } else { format!("{base}-{n}") };
                        sessions.insert(
                            start_url.to_string(),
                            SsoSession {
                                name: name.clone(),
                                start_url: start_url.to_string(),
                                region: sso_region.to_string(),
                            },
                        );
                        name
                    }
                };
                let sets = standing.iter().map(|ps| (ps, Kind::Sso));
                for (ps, kind) in sets.chain(granted.iter().map(|ps| (ps, Kind::Breakglass))) {
                    out.profiles.push(Profile {
                        name: name_for(ps.as_str())?,
                        kind,
                        customer: a.customer.to_string(),
                        account_id: a.id.to_string(),
                        settings: vec![
                            (k("sso_session"), session.clone()),
                            (k("sso_account_id"), a.id.to_string()),
                            (k("sso_role_name"), ps.to_string()),
                            (k("region"), region.clone()),
                        ],
                    });
                }
            }
            AccessMethod::Role {
                read_role_arn,
                external_id,
                max_session_seconds,
                ..
            } => {
                if wants(Kind::Read) {
                    let mut settings = vec![(k("role_arn"), read_role_arn.to_string())];
                    match &prefs.credential_source {
                        Some(src) => settings.push((k("credential_source"), src.clone())),
                        None => settings.push((k("source_profile"), prefs.hub_profile.clone())),
                    }
                    settings.push((k("external_id"), external_id.to_string()));
                    settings.push((k("role_session_name"), role_session.clone()));
                    // Role chaining caps a session at one hour.
                    settings.push((k("duration_seconds"), (*max_session_seconds).min(3600).to_string()));
                    if let Some(m) = &prefs.mfa_serial {
                        settings.push((k("mfa_serial"), m.clone()));
                    }
                    settings.push((k("region"), region.clone()));
                    out.profiles.push(Profile {
                        name: name_for("read")?,
                        kind: Kind::Read,
                        customer: a.customer.to_string(),
                        account_id: a.id.to_string(),
                        settings,
                    });
                }
                if wants(Kind::Breakglass) {
                    out.profiles.push(Profile {
                        name: name_for("breakglass")?,
                        kind: Kind::Breakglass,
                        customer: a.customer.to_string(),
                        account_id: a.id.to_string(),
                        settings: vec![
                            (
                                k("credential_process"),
                                format!("{} credentials --account {}", prefs.cli_command, a.id),
                            ),
                            (k("region"), region.clone()),
                        ],
                    });
                }
            }
        }
    }
    out.sso_sessions = sessions.into_values().collect();
    out.sso_sessions.sort_by(|a, b| a.name.cmp(&b.name));
    // Role profiles chain from the hub profile: one of our own names there would make a profile
    // its own source (the AWS CLI reports an infinite loop) or chain through a customer account.
    if prefs.credential_source.is_none() && out.profiles.iter().any(|p| p.name == prefs.hub_profile) {
        return Err(Error::validation(
            "hub_profile",
            format!(
                "'{}' is also the name of a generated profile, so role profiles would chain from it; \
                 set hub_profile to the profile that signs you in to the team's account (default {DEFAULT_HUB_PROFILE})",
                prefs.hub_profile
            ),
        ));
    }
    Ok(out)
}

impl ProfileSet {
    /// The sections as `~/.aws/config` text (no managed-block markers; `merge` adds those).
    pub fn to_ini(&self) -> String {
        let mut s = String::with_capacity(self.profiles.len() * 220);
        for session in &self.sso_sessions {
            let _ = write!(
                s,
                "[sso-session {}]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n\n",
                session.name, session.start_url, session.region
            );
        }
        for p in &self.profiles {
            let _ = writeln!(s, "[profile {}]", p.name);
            for (k, v) in &p.settings {
                let _ = writeln!(s, "{k} = {v}");
            }
            s.push('\n');
        }
        if s.ends_with("\n\n") {
            s.pop();
        }
        s
    }

    /// Section headers this set writes (`profile NAME`, `sso-session NAME`).
    pub fn section_names(&self) -> Vec<String> {
        self.sso_sessions
            .iter()
            .map(|s| format!("sso-session {}", s.name))
            .chain(self.profiles.iter().map(|p| format!("profile {}", p.name)))
            .collect()
    }
}

#[cfg(test)]
mod tests;
