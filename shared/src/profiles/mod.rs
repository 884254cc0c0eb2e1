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
//! - Names come from a template, slugged (`[a-z0-9-]`, so always a valid section name), given over
//!   the whole hub and unique by construction: on a clash the oldest profile keeps the template's
//!   name and later ones add their account id, or their role when the template holds the id (see
//!   [`render_with_grants`]). Values that could break
//!   a line ([`unsafe_value`]) are refused, never written: the profile is left out and named in
//!   `ProfileSet::refused`.
//!
//! Rendering is pure and fast (thousands of profiles in milliseconds); `merge` puts the result
//! into an existing config file without touching anything outside its managed block.

use std::borrow::Cow;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashSet, HashSetExt};

use utoipa::ToSchema;

use crate::access::ports::session_name;
use crate::access::sso::HeldSets;
use crate::error::{Error, Result};
use crate::hub::{AccessMethod, Account, Environment};
use crate::ids::Region;

pub mod ini;
pub mod merge;
pub mod service;

pub const DEFAULT_TEMPLATE: &str = "{customer}-{account}-{role}";
pub const DEFAULT_HUB_PROFILE: &str = "customer-central-hub";
/// The comment before each generated profile that says what it is for, so that a narrowed sync
/// knows which of the block's profiles it replaces: `# cc: customer=C env=E kind=K account=ID`.
pub const META: &str = "# cc: ";
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
/// What `credential_process` runs when nothing better is known (`cc profiles sync` sends its own
/// full path instead, see [`service::ProfileQuery::cli_path`]).
pub const DEFAULT_CLI_COMMAND: &str = "cc";

fn default_cli() -> String {
    DEFAULT_CLI_COMMAND.into()
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
        // Each ends up as a value in every generated profile: one line, nothing botocore strips.
        // `refused`: characters, and how to say them.
        let ini_safe = |field: &str, v: &str, max: usize, refused: (&str, &str)| -> Result<()> {
            if let Some(why) = unsafe_value(v) {
                return Err(Error::validation(field, format!("{field} {why}")));
            }
            if v.len() > max || v.contains(|c| refused.0.contains(c)) {
                return Err(Error::validation(
                    field,
                    format!("{field} must be 1-{max} characters{}", refused.1),
                ));
            }
            Ok(())
        };
        // A profile name as `source_profile` gives it: exactly, so no quotes or section syntax.
        let name_chars = ("[]#;=\"' ", " without spaces, quotes or []#;=");
        ini_safe("hub_profile", &self.hub_profile, 64, name_chars)?;
        ini_safe("cli_command", &self.cli_command, 1024, ("", ""))?;
        // botocore splits credential_process the way Python's shlex.split does.
        if ini::shlex_split(&self.cli_command).is_none_or(|words| words.is_empty()) {
            return Err(Error::validation(
                "cli_command",
                "cli_command must be a command line (quotes closed), e.g. cc or '/opt/my tools/cc'",
            ));
        }
        if let Some(src) = &self.credential_source
            && !matches!(src.as_str(), "Environment" | "Ec2InstanceMetadata" | "EcsContainer")
        {
            return Err(Error::validation(
                "credential_source",
                "credential_source is one of Environment, Ec2InstanceMetadata, EcsContainer",
            ));
        }
        if let Some(m) = &self.mfa_serial {
            ini_safe("mfa_serial", m, 256, (" ", " without spaces"))?;
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

    fn uses(&self, field: &str) -> bool {
        self.0.iter().any(|p| matches!(p, Part::Field(f) if *f == field))
    }

    /// The slug of the template with `values` put in (slugged as one text, in one pass).
    fn render(&self, values: &[(&str, &str)]) -> String {
        let mut out = Slug::with_capacity(64);
        for p in &self.0 {
            match p {
                Part::Text(t) => out.push(t),
                Part::Field(f) => out.push(values.iter().find(|(k, _)| k == f).map(|(_, v)| *v).unwrap_or("")),
            }
        }
        out.finish()
    }
}

/// Lower-case, `[a-z0-9-]` with single dashes, no leading/trailing dash.
pub fn slug(s: &str) -> String {
    let mut out = Slug::with_capacity(s.len());
    out.push(s);
    out.finish()
}

/// [`slug`] of a text given in pieces: pushing `a` then `b` gives `slug(a + b)`.
struct Slug {
    out: String,
    dash: bool,
}

impl Slug {
    fn with_capacity(n: usize) -> Self {
        Slug {
            out: String::with_capacity(n),
            dash: false,
        }
    }

    fn push(&mut self, s: &str) {
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() {
                self.out.push(char::from(b.to_ascii_lowercase()));
                self.dash = false;
            } else if !self.dash && !self.out.is_empty() && (b.is_ascii() || b >= 0xc0) {
                // Anything else (one dash per run; a multi-byte character counts once, at its
                // leading byte) separates words.
                self.out.push('-');
                self.dash = true;
            }
        }
    }

    fn finish(mut self) -> String {
        while self.out.ends_with('-') {
            self.out.pop();
        }
        self.out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Read,
    Breakglass,
    Sso,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::Breakglass => "breakglass",
            Kind::Sso => "sso",
        }
    }
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
    pub environment: Environment,
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
    /// What this set covers: a sync replaces the generated profiles it covers and keeps the rest.
    #[serde(default)]
    pub selection: Selection,
    /// Profiles left out because a hub value can't be written into a config file safely (a line
    /// break in a start URL, say), each as a sentence naming the account and the field.
    #[serde(default)]
    pub refused: Vec<String>,
}

/// Which accounts and kinds to render (`None`: all).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct Selection {
    #[serde(default)]
    pub customers: Option<Vec<String>>,
    #[serde(default)]
    pub environment: Option<Environment>,
    #[serde(default)]
    pub kinds: Option<Vec<Kind>>,
}

impl Selection {
    /// Whether a profile of `kind` for an account of `customer` in `environment` is in scope.
    pub fn covers(&self, customer: &str, environment: Environment, kind: Kind) -> bool {
        self.customers
            .as_ref()
            .is_none_or(|cs| cs.iter().any(|c| c == customer))
            && self.environment.is_none_or(|e| e == environment)
            && self.kinds.as_ref().is_none_or(|ks| ks.contains(&kind))
    }

    /// Whether this covers everything (a full sync).
    pub fn is_everything(&self) -> bool {
        self.customers.is_none() && self.environment.is_none() && self.kinds.is_none()
    }
}

fn k(key: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(key)
}

/// Renders the profiles for `accounts` (all of them visible to the person), without any SSO
/// breakglass permission set.
pub fn render(accounts: &[&Account], prefs: &Preferences, email: &str, selection: &Selection) -> Result<ProfileSet> {
    render_with_grants(accounts, &|_| true, prefs, email, selection, &HeldSets::default())
}

/// A profile before it has its name.
struct Draft<'a> {
    account: &'a Account,
    kind: Kind,
    /// The role as the hub spells it (a permission set, `read`, `breakglass`).
    role: String,
    settings: Vec<(Cow<'static, str>, String)>,
    /// The start URL of the SSO session an SSO profile signs in through.
    start_url: Option<&'a str>,
    /// The template's name for it (before clashes are settled).
    base: String,
}

impl Draft<'_> {
    /// Oldest first: the profile that had a name first keeps it. (Held breakglass permission
    /// sets, which come and go with grants, are ordered apart, after every standing profile.)
    fn age(&self) -> impl Ord + '_ {
        (
            self.account.created_at,
            self.account.id.as_str(),
            self.kind,
            self.role.as_str(),
        )
    }
}

/// Like [`render`], plus a `breakglass` SSO profile for each breakglass permission set in `held`
/// (the person's active grants): breakglass permission sets are never standing.
///
/// `accounts` is the whole hub and `visible` picks the person's accounts: names are given over the
/// whole hub, so everyone on the team with the same template gets the same name for the same
/// account and role, whatever they may use or select. A name is the template's when no older
/// profile renders to the same text; a later one gets the account id added (and, for two roles of
/// one account whose names slug alike, a hash of the role), so adding or removing accounts never
/// moves a name to another account or role.
pub fn render_with_grants(
    accounts: &[&Account],
    visible: &dyn Fn(&Account) -> bool,
    prefs: &Preferences,
    email: &str,
    selection: &Selection,
    held: &HeldSets,
) -> Result<ProfileSet> {
    let template = Template::parse(&prefs.template)?;
    let role_session = session_name(email);
    // Oldest account first, so drafts come in naming order without sorting them all (held
    // breakglass sets go last: they never take a name from a standing profile).
    let mut by_age: Vec<&Account> = accounts.to_vec();
    by_age.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
    let estimate: usize = accounts
        .iter()
        .map(|a| match &a.access {
            AccessMethod::Sso { permission_sets, .. } => permission_sets.len(),
            AccessMethod::Role { .. } => 2,
        })
        .sum();
    let mut drafts: Vec<Draft> = Vec::with_capacity(estimate);
    let mut transient: Vec<Draft> = Vec::new();
    for a in by_age {
        let first = drafts.len();
        let region = prefs.region.as_ref().unwrap_or(&a.region).to_string();
        let words = account_words(&template, a);
        let base = |role: &str| profile_base(&template, a, &words, role);
        match &a.access {
            AccessMethod::Sso {
                start_url,
                sso_region: _,
                permission_sets,
                ..
            } => {
                let granted = if visible(a) { held.on(a) } else { Vec::new() };
                let sets = permission_sets.iter().map(|ps| (ps, Kind::Sso));
                for (ps, kind) in sets.chain(granted.iter().map(|ps| (ps, Kind::Breakglass))) {
                    let into = if kind == Kind::Breakglass {
                        &mut transient
                    } else {
                        &mut drafts
                    };
                    into.push(Draft {
                        account: a,
                        kind,
                        role: ps.to_string(),
                        base: base(ps.as_str()),
                        start_url: Some(start_url.as_str()),
                        // Room for the `sso_session` line put first once sessions are named.
                        settings: {
                            let mut s = Vec::with_capacity(4);
                            s.extend([
                                (k("sso_account_id"), a.id.to_string()),
                                (k("sso_role_name"), ps.to_string()),
                                (k("region"), region.clone()),
                            ]);
                            s
                        },
                    });
                }
            }
            AccessMethod::Role {
                read_role_arn,
                external_id,
                max_session_seconds,
                ..
            } => {
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
                drafts.push(Draft {
                    account: a,
                    kind: Kind::Read,
                    role: "read".into(),
                    base: base("read"),
                    start_url: None,
                    settings,
                });
                drafts.push(Draft {
                    account: a,
                    kind: Kind::Breakglass,
                    role: "breakglass".into(),
                    base: base("breakglass"),
                    start_url: None,
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
        drafts[first..].sort_by(|a, b| a.age().cmp(&b.age()));
    }
    transient.sort_by(|a, b| a.age().cmp(&b.age()));
    drafts.append(&mut transient);
    // `default` is the AWS CLI's profile when none is named, and the hub profile is what the role
    // profiles chain from: a generated profile of either name would be used without being asked
    // for, or be its own source (the AWS CLI reports an infinite loop). Such a profile yields.
    let mut reserved: HashSet<&str> = HashSet::with_capacity(2);
    reserved.insert("default");
    if prefs.credential_source.is_none() {
        reserved.insert(prefs.hub_profile.as_str());
    }
    // A clash's suffix names what the base leaves out: the account id, or, when the template
    // already holds the id (so only one account's roles can clash), the role.
    let by_role = template.uses("id");
    let names = unique_names(
        drafts.iter_mut().map(|d| {
            let id = d.account.id.as_str();
            let role = d.role.as_str();
            (std::mem::take(&mut d.base), move || {
                let tag = if by_role { slug(role) } else { String::new() };
                let tag = if tag.is_empty() { id.to_string() } else { tag };
                [tag.clone(), format!("{tag}-{}", short_hash(role))]
            })
        }),
        &reserved,
    );
    let sessions = session_names(accounts);

    let mut out = ProfileSet {
        selection: selection.clone(),
        ..ProfileSet::default()
    };
    let mut used_sessions: BTreeMap<&str, &SsoSession> = BTreeMap::new();
    // Profiles come out by customer, account id and name: each account's place in that order is
    // worked out once, so the sort compares names only within an account.
    let mut by_place: Vec<&Account> = accounts.to_vec();
    by_place.sort_by(|a, b| (a.customer.as_str(), a.id.as_str()).cmp(&(b.customer.as_str(), b.id.as_str())));
    let place: HashMap<*const Account, usize> = by_place
        .iter()
        .enumerate()
        .map(|(i, &a)| (std::ptr::from_ref(a), i))
        .collect();
    let mut placed: Vec<(usize, Profile)> = Vec::with_capacity(drafts.len());
    for (d, name) in drafts.into_iter().zip(names) {
        let a = d.account;
        if !visible(a) || !selection.covers(a.customer.as_str(), a.environment, d.kind) {
            continue;
        }
        let mut settings = d.settings;
        if let Some(url) = d.start_url {
            let session = &sessions[url];
            if let Some(why) = unsafe_value(&session.start_url).or_else(|| unsafe_value(&session.region)) {
                out.refused.push(format!(
                    "{name}: account {} ({}) has an SSO start URL or region that {why}; fix the account in the hub",
                    a.id, a.customer
                ));
                continue;
            }
            used_sessions.insert(session.name.as_str(), session);
            settings.insert(0, (k("sso_session"), session.name.clone()));
        }
        if let Some((key, why)) = settings
            .iter()
            .find_map(|(key, v)| unsafe_value(v).map(|why| (key, why)))
        {
            out.refused.push(format!(
                "{name}: the {key} for account {} ({}) {why}; fix it in the hub or your preferences",
                a.id, a.customer
            ));
            continue;
        }
        placed.push((
            place[&std::ptr::from_ref(a)],
            Profile {
                name,
                kind: d.kind,
                customer: a.customer.to_string(),
                account_id: a.id.to_string(),
                environment: a.environment,
                settings,
            },
        ));
    }
    placed.sort_unstable_by(|(pa, a), (pb, b)| pa.cmp(pb).then_with(|| a.name.cmp(&b.name)));
    out.profiles = placed.into_iter().map(|(_, p)| p).collect();
    out.sso_sessions = used_sessions.into_values().cloned().collect();
    out.sso_sessions.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The template's name for `role` on `account`. The customer's code is not repeated when the
/// account's name or alias starts with it (`acme-retail` + `Acme Retail Management` gives
/// `acme-retail-management-...`, not `acme-retail-acme-retail-management-...`); a template that
/// renders to nothing (an account named `!!!` under `{account}`) falls back to `{id}-{role}`.
fn profile_base(template: &Template, a: &Account, (account_slug, alias): &(String, String), role: &str) -> String {
    let base = template.render(&[
        ("customer", a.customer.as_str()),
        ("account", account_slug),
        ("alias", alias),
        ("id", a.id.as_str()),
        ("env", a.environment.as_str()),
        ("role", role),
    ]);
    if base.is_empty() {
        slug(&format!("{}-{role}", a.id))
    } else {
        base
    }
}

/// The account's name and alias as slugs for [`profile_base`] (once per account).
fn account_words(template: &Template, a: &Account) -> (String, String) {
    let customer = a.customer.as_str();
    let without_customer = |s: String| -> String {
        if !template.uses("customer") {
            s
        } else if s == customer {
            String::new()
        } else {
            s.strip_prefix(customer)
                .and_then(|rest| rest.strip_prefix('-'))
                .map(str::to_string)
                .unwrap_or(s)
        }
    };
    let name = slug(&a.name);
    let alias = match a.alias.as_deref() {
        Some(alias) => without_customer(slug(alias)),
        None => without_customer(name.clone()),
    };
    (without_customer(name), alias)
}

/// One SSO session per start URL (`https://ACME.awsapps.com/start/` and
/// `https://acme.awsapps.com/start` are one), named after the customer of the oldest account that
/// uses it and written as that account has it; a customer's further start URLs add the URL's first
/// host label (`acme--d-1234567890`). Keyed by each start URL as the accounts have it.
fn session_names<'a>(accounts: &[&'a Account]) -> HashMap<&'a str, SsoSession> {
    let same = |url: &str| -> String {
        match url::Url::parse(url) {
            Ok(u) => format!("{}{}", u.host_str().unwrap_or_default(), u.path().trim_end_matches('/')),
            Err(_) => url.to_string(),
        }
    };
    // Each SSO account's start URL as written and as compared, parsed once.
    let keyed: Vec<(&Account, &str, String)> = accounts
        .iter()
        .filter_map(|&a| match &a.access {
            AccessMethod::Sso { start_url, .. } => Some((a, start_url.as_str(), same(start_url.as_str()))),
            AccessMethod::Role { .. } => None,
        })
        .collect();
    let mut oldest: BTreeMap<&str, (&Account, &str)> = BTreeMap::new();
    for &(a, start_url, ref key) in &keyed {
        let e = oldest.entry(key.as_str()).or_insert((a, start_url));
        if (a.created_at, a.id.as_str()) < (e.0.created_at, e.0.id.as_str()) {
            *e = (a, start_url);
        }
    }
    let mut urls: Vec<(&str, (&Account, &str))> = oldest.into_iter().collect();
    urls.sort_by(|(ka, (a, _)), (kb, (b, _))| {
        (a.created_at, a.id.as_str(), ka).cmp(&(b.created_at, b.id.as_str(), kb))
    });
    let names = unique_names(
        urls.iter().map(|(key, (a, url))| {
            let label = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(|h| slug(h.split('.').next().unwrap_or(h))))
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| "sso".into());
            (slug(a.customer.as_str()), move || {
                [label.clone(), format!("{label}-{}", short_hash(key))]
            })
        }),
        &HashSet::new(),
    );
    let sessions: HashMap<&str, SsoSession> = urls
        .into_iter()
        .zip(names)
        .map(|((key, (a, url)), name)| {
            let region = match &a.access {
                AccessMethod::Sso { sso_region, .. } => sso_region.to_string(),
                AccessMethod::Role { .. } => unreachable!("only SSO accounts have start URLs"),
            };
            let session = SsoSession {
                name,
                start_url: url.to_string(),
                region,
            };
            (key, session)
        })
        .collect();
    keyed
        .iter()
        .map(|(_, start_url, key)| (*start_url, sessions[key.as_str()].clone()))
        .collect()
}

/// Unique names for `(base, [suffix, longer suffix])` requests given oldest first: the oldest
/// request for each base gets the base itself (unless `reserved`); later ones get `base--suffix`,
/// else `base--longer-suffix`. A slug never holds `--`, so a suffixed name can't be anyone's base:
/// no account, permission set or template can take a suffixed name from the account it names.
/// (A numeric tail only if even the longer suffix is taken, which needs a hash collision.)
fn unique_names<F: FnOnce() -> [String; 2]>(
    requests: impl Iterator<Item = (String, F)>,
    reserved: &HashSet<&str>,
) -> Vec<String> {
    let mut given: HashSet<String> = HashSet::with_capacity(requests.size_hint().0);
    let mut names = Vec::with_capacity(requests.size_hint().0);
    for (base, suffixes) in requests {
        let name = if !reserved.contains(base.as_str()) && !given.contains(&base) {
            base
        } else {
            let [short, long] = suffixes();
            [format!("{base}--{short}"), format!("{base}--{long}")]
                .into_iter()
                .chain((2..).map(|n| format!("{base}--{long}-{n}")))
                .find(|n| !given.contains(n))
                .unwrap_or_default()
        };
        given.insert(name.clone());
        names.push(name);
    }
    names
}

/// Eight hex digits of the 32-bit FNV-1a hash of `s`: a short, stable tag that tells apart two
/// roles (or start URLs) whose slugs are equal.
fn short_hash(s: &str) -> String {
    let h = s
        .bytes()
        .fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!("{h:08x}")
}

/// Why `value` can't be a setting's value in a config file botocore reads as written: empty,
/// longer than 2,048 bytes, a control character or line break (which would end the line and let
/// the rest become a section of its own), or white space at either end (which configparser strips).
pub fn unsafe_value(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty")
    } else if value.len() > 2048 {
        Some("is longer than 2,048 bytes")
    } else if !value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && value
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        Some("contains a line break or control character")
    } else if value.starts_with(ini::is_python_space) || value.ends_with(ini::is_python_space) {
        Some("starts or ends with white space")
    } else {
        None
    }
}

impl SsoSession {
    /// The section as config text, ending in a newline.
    pub fn to_ini(&self) -> String {
        format!(
            "[sso-session {}]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n",
            self.name, self.start_url, self.region
        )
    }
}

impl Profile {
    /// The section as config text (after the line that says what it is for), ending in a newline.
    pub fn to_ini(&self) -> String {
        let mut s = String::with_capacity(256);
        self.write_ini(&mut s);
        s
    }

    /// [`Profile::to_ini`] appended to `s` (no String of its own per profile).
    pub fn write_ini(&self, s: &mut String) {
        for part in [
            META,
            "customer=",
            &self.customer,
            " env=",
            self.environment.as_str(),
            " kind=",
            self.kind.as_str(),
            " account=",
            &self.account_id,
            "\n[profile ",
            &self.name,
            "]\n",
        ] {
            s.push_str(part);
        }
        for (k, v) in &self.settings {
            for part in [k.as_ref(), " = ", v, "\n"] {
                s.push_str(part);
            }
        }
    }
}

impl ProfileSet {
    /// The sections as `~/.aws/config` text (no managed-block markers; `merge` adds those).
    /// Refused profiles come first as comments (their sentences hold only names, ids and codes).
    pub fn to_ini(&self) -> String {
        let refused = self.refused.iter().map(|r| format!("# left out {r}\n"));
        let sessions = self.sso_sessions.iter().map(SsoSession::to_ini);
        let sections = sessions
            .chain(self.profiles.iter().map(Profile::to_ini))
            .collect::<Vec<_>>();
        refused.collect::<String>() + &sections.join("\n")
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
