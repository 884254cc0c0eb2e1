//! `cc profiles doctor`: checks an AWS config the way the AWS CLI will use it and says what to do
//! about each problem, so a person finds out before a command fails (or uses the wrong profile).
//!
//! Checked: faults that make the AWS CLI refuse the whole file; a profile or SSO session defined
//! twice (botocore uses the last, silently); `source_profile` chains that don't resolve (missing,
//! or a loop) against the config and the shared credentials file; `sso_session` references;
//! settings botocore rejects together; SSO start URLs that aren't https URLs; the SSO token cache
//! (`~/.aws/sso/cache/<sha1 of the session name>.json`, as the AWS CLI v2 writes it) missing or
//! expired without a usable refresh token; `credential_process` commands not on PATH, or a bare
//! `cc` that PATH resolves to another program (the C compiler) rather than this CLI.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use cc_domain::profiles::ini::{self, Section, Target};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// What is wrong and what to do, in one or two sentences.
    pub message: String,
}

/// Where the AWS CLI looks, as the environment sets it.
#[derive(Debug, Clone)]
pub struct Files {
    pub config: PathBuf,
    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials` (may not exist).
    pub credentials: Option<PathBuf>,
    /// `~/.aws/sso/cache`.
    pub sso_cache: Option<PathBuf>,
}

impl Files {
    pub fn from_env(config: PathBuf) -> Files {
        let home = dirs::home_dir();
        let credentials = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join("credentials")));
        Files {
            config,
            credentials,
            sso_cache: home.map(|h| h.join(".aws").join("sso").join("cache")),
        }
    }
}

/// Profiles the shared credentials file defines (its sections are bare profile names).
pub fn credential_profiles(path: Option<&Path>) -> HashSet<String> {
    let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
        return HashSet::new();
    };
    ini::parse(&text).sections.into_iter().map(|s| s.header).collect()
}

/// Checks `files.config`; `now` for token expiry; `resolve` finds the file a command runs (PATH
/// lookup); `me` is this CLI's own executable, which breakglass profiles should run.
pub fn check(
    files: &Files,
    now: OffsetDateTime,
    resolve: &dyn Fn(&str) -> Option<PathBuf>,
    me: Option<&Path>,
) -> anyhow::Result<Vec<Finding>> {
    let text = match std::fs::read(&files.config) {
        Ok(bytes) => {
            String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", files.config.display()))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(vec![Finding {
                level: Level::Error,
                message: format!(
                    "{} does not exist; run `cc profiles sync` to create it",
                    files.config.display()
                ),
            }]);
        }
        Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", files.config.display())),
    };
    let file = ini::parse(&text);
    let mut out = Vec::new();
    let mut error = |message: String| {
        out.push(Finding {
            level: Level::Error,
            message,
        })
    };
    for f in &file.faults {
        error(format!(
            "line {}: {}; the AWS CLI refuses the whole file (\"Unable to parse config file\") until it is fixed",
            f.line, f.message
        ));
    }

    let mut defined: BTreeMap<&Target, Vec<usize>> = BTreeMap::new();
    for s in &file.sections {
        if let Some(t) = &s.target {
            defined.entry(t).or_default().push(s.line);
        }
    }
    let mut warnings = Vec::new();
    for (t, lines) in &defined {
        if lines.len() > 1 {
            warnings.push(format!(
                "{t} is defined at lines {}; the AWS CLI uses only the last (line {}): remove or rename the others",
                lines.iter().map(usize::to_string).collect::<Vec<_>>().join(", "),
                lines[lines.len() - 1]
            ));
        }
    }

    let (mut profiles, mut sessions) = (BTreeMap::<&str, &Section>::new(), BTreeMap::<&str, &Section>::new());
    for (t, s) in file.targets() {
        match t {
            Target::Profile(n) => profiles.insert(n, s),
            Target::SsoSession(n) => sessions.insert(n, s),
        };
    }
    let in_credentials = credential_profiles(files.credentials.as_deref());
    let exists = |name: &str| profiles.contains_key(name) || in_credentials.contains(name);

    let mut missing_sources: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, s) in &profiles {
        let source = s.get("source_profile");
        if source.is_some() && s.get("credential_source").is_some() {
            error(format!(
                "profile {name} (line {}) sets both source_profile and credential_source; the AWS CLI refuses it: keep one",
                s.line
            ));
        }
        if s.get("role_arn").is_some() && source.is_none() && s.get("credential_source").is_none() {
            error(format!(
                "profile {name} (line {}) has a role_arn but neither source_profile nor credential_source to assume it with",
                s.line
            ));
        }
        if let Some(source) = source {
            if !exists(source) {
                missing_sources.entry(source).or_default().push(name);
            } else if let Some(cycle) = chain_loop(name, &profiles) {
                error(format!(
                    "profile {name} chains in a loop ({}); the AWS CLI reports an infinite loop: point source_profile at a profile with credentials",
                    cycle.join(" -> ")
                ));
            }
        }
        if let Some(session) = s.get("sso_session")
            && !sessions.contains_key(session)
        {
            error(format!(
                "profile {name} (line {}) uses sso_session {session}, which is not defined: add [sso-session {session}] or run `cc profiles sync`",
                s.line
            ));
        }
        if let Some(command) = s.get("credential_process") {
            let program = ini::shlex_split(command).and_then(|w| w.into_iter().next());
            match program.as_deref().map(|p| (p, resolve(p))) {
                None => error(format!("profile {name}: credential_process is not a command line")),
                Some((p, None)) => error(format!(
                    "profile {name} runs `{p}` (credential_process), which is not on PATH: install it or give its full path"
                )),
                // Ours, by a bare name that PATH resolves to another program (`cc` is the C
                // compiler on many machines).
                Some((p, Some(found)))
                    if !p.contains('/')
                        && command.contains(" credentials --account ")
                        && me.is_some_and(|me| !same_file(me, &found)) =>
                {
                    error(format!(
                        "profile {name} runs `{p}`, which on this PATH is {}, not Customer Central's CLI ({}): run \
                         `cc profiles sync` again with this CLI (it writes its full path)",
                        found.display(),
                        me.map(|m| m.display().to_string()).unwrap_or_default()
                    ))
                }
                Some(_) => {}
            }
        }
    }
    for (source, users) in missing_sources {
        let shown = match users.len() {
            1 => users[0].to_string(),
            n => format!("{} and {} more", users[0], n - 1),
        };
        error(format!(
            "profile {source} is not defined, yet {shown} chain from it (source_profile): add a profile named {source} that \
             signs you in to the account the roles trust (e.g. `aws configure sso --profile {source}`), or sync with \
             --hub-profile naming one you have"
        ));
    }

    for (name, s) in &sessions {
        match s.get("sso_start_url") {
            None => error(format!("sso-session {name} (line {}) has no sso_start_url", s.line)),
            Some(url) if !start_url_ok(url) => error(format!(
                "sso-session {name} (line {}): sso_start_url '{url}' is not an https:// URL (like https://d-1234567890.awsapps.com/start)",
                s.line
            )),
            Some(_) => {}
        }
        if s.get("sso_region").is_none() {
            error(format!("sso-session {name} (line {}) has no sso_region", s.line));
        }
        if let Some(cache) = &files.sso_cache
            && let Some(problem) = token_problem(&cache.join(format!("{}.json", sha1_hex(name))), now)
        {
            warnings.push(format!(
                "sso-session {name}: {problem}; run `aws sso login --sso-session {name}`"
            ));
        }
    }
    out.extend(warnings.into_iter().map(|message| Finding {
        level: Level::Warning,
        message,
    }));
    Ok(out)
}

/// The loop `start` runs into following `source_profile`, if any.
fn chain_loop<'a>(start: &'a str, profiles: &BTreeMap<&'a str, &'a Section>) -> Option<Vec<&'a str>> {
    let mut seen = vec![start];
    let mut at = start;
    while let Some(next) = profiles.get(at).and_then(|s| s.get("source_profile")) {
        // A profile may name itself as source when it also has static keys (botocore allows it).
        if next == at && profiles[at].get("aws_access_key_id").is_some() {
            return None;
        }
        let repeated = seen.contains(&next);
        seen.push(next);
        if repeated {
            return Some(seen);
        }
        at = next;
    }
    None
}

fn start_url_ok(url: &str) -> bool {
    !url.contains(char::is_whitespace)
        && url::Url::parse(url).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| h.contains('.')))
}

/// The AWS CLI v2 names an SSO session's token cache after the SHA-1 of the session's name.
pub fn sha1_hex(s: &str) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why the cached token at `path` won't sign the person in, if it won't.
fn token_problem(path: &Path, now: OffsetDateTime) -> Option<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Some("not signed in (no cached token)".into());
    };
    let Ok(token) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Some(format!("the cached token {} is not JSON", path.display()));
    };
    let at = |key: &str| -> Option<OffsetDateTime> {
        // The AWS CLI v1 wrote `...UTC`, v2 writes `...Z`.
        let raw = token.get(key)?.as_str()?;
        let raw = raw
            .strip_suffix("UTC")
            .map(|r| format!("{r}Z"))
            .unwrap_or_else(|| raw.to_string());
        OffsetDateTime::parse(&raw, &time::format_description::well_known::Rfc3339).ok()
    };
    let expires = at("expiresAt")?;
    if expires > now {
        return None;
    }
    // A refresh token with a live client registration renews the access token without a browser.
    let renewable = token.get("refreshToken").is_some() && at("registrationExpiresAt").is_some_and(|r| r > now);
    let shown = expires
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    (!renewable).then(|| format!("the sign-in expired at {shown}"))
}

/// The file `program` runs: itself when it is a path, else the first match on PATH.
pub fn resolve(program: &str) -> Option<PathBuf> {
    if program.contains(std::path::MAIN_SEPARATOR) || program.contains('/') {
        return Path::new(program).is_file().then(|| PathBuf::from(program));
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(config: &str, credentials: &str, cache: &[(&str, serde_json::Value)]) -> Vec<Finding> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), config).unwrap();
        std::fs::write(dir.path().join("credentials"), credentials).unwrap();
        let cache_dir = dir.path().join("cache");
        std::fs::create_dir(&cache_dir).unwrap();
        for (session, token) in cache {
            std::fs::write(cache_dir.join(format!("{}.json", sha1_hex(session))), token.to_string()).unwrap();
        }
        let files = Files {
            config: dir.path().join("config"),
            credentials: Some(dir.path().join("credentials")),
            sso_cache: Some(cache_dir),
        };
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let resolve = |p: &str| match p {
            "cc" => Some(PathBuf::from("/usr/bin/cc")),
            "/opt/cc/cc" => Some(PathBuf::from(p)),
            _ => None,
        };
        check(&files, now, &resolve, Some(Path::new("/opt/cc/cc"))).unwrap()
    }

    fn has(findings: &[Finding], level: Level, text: &str) -> bool {
        findings.iter().any(|f| f.level == level && f.message.contains(text))
    }

    #[test]
    fn a_healthy_config_has_no_findings() {
        let config = "[profile hub]\nsso_session = team\nsso_account_id = 111111111111\nsso_role_name = X\n\
            [sso-session team]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\n\
            [profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = hub\n\
            [profile b]\ncredential_process = /opt/cc/cc credentials --account 222222222222\n\
            [profile c]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = keys\n";
        let token = serde_json::json!({"accessToken": "x", "expiresAt": "2030-01-01T00:00:00Z"});
        let findings = run(config, "[keys]\naws_access_key_id = A\n", &[("team", token)]);
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn each_problem_is_named_with_what_to_do() {
        let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = customer-central-hub\n\
            [profile \"a\"]\nregion = x\n[profile x]\nrole_arn = r\nsource_profile = customer-central-hub\n\
            [profile l1]\nrole_arn = r\nsource_profile = l2\n[profile l2]\nrole_arn = r\nsource_profile = l1\n\
            [profile s]\nsso_session = nope\n\
            [profile both]\nrole_arn = r\nsource_profile = l1\ncredential_source = Environment\n\
            [profile p]\ncredential_process = /no/such/cc credentials\n\
            [profile gcc]\ncredential_process = cc credentials --account 222222222222\n\
            [sso-session old]\nsso_start_url = acme.awsapps.com/start\nsso_region = eu-west-1\n\
            [sso-session gone]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\
            [sso-session fresh]\nsso_start_url = https://y.awsapps.com/start\nsso_region = eu-west-1\n";
        let expired = serde_json::json!({"expiresAt": "2020-01-01T00:00:00UTC"});
        let renewable = serde_json::json!({"expiresAt": "2020-01-01T00:00:00Z", "refreshToken": "r",
            "registrationExpiresAt": "2030-01-01T00:00:00Z"});
        let f = run(config, "", &[("gone", expired), ("fresh", renewable)]);
        assert!(has(&f, Level::Warning, "profile a is defined at lines 1, 4"), "{f:?}");
        assert!(has(&f, Level::Error, "chains in a loop (l1 -> l2 -> l1)"), "{f:?}");
        assert!(has(&f, Level::Error, "uses sso_session nope"), "{f:?}");
        assert!(
            has(&f, Level::Error, "both source_profile and credential_source"),
            "{f:?}"
        );
        assert!(has(&f, Level::Error, "runs `/no/such/cc`"), "{f:?}");
        assert!(
            has(
                &f,
                Level::Error,
                "on this PATH is /usr/bin/cc, not Customer Central's CLI (/opt/cc/cc)"
            ),
            "{f:?}"
        );
        assert!(
            has(&f, Level::Error, "'acme.awsapps.com/start' is not an https:// URL"),
            "{f:?}"
        );
        assert!(
            has(&f, Level::Warning, "sso-session gone: the sign-in expired"),
            "{f:?}"
        );
        assert!(has(&f, Level::Warning, "sso-session old: not signed in"), "{f:?}");
        assert!(!f.iter().any(|x| x.message.contains("sso-session fresh")), "{f:?}");
        // The loop is reported once per profile in it, the missing source once for all users.
        assert!(
            has(
                &f,
                Level::Error,
                "profile customer-central-hub is not defined, yet x chain"
            ),
            "{f:?}"
        );
        let broken = run("region = x\n[profile a]\nnot a setting\n", "", &[]);
        assert!(
            has(&broken, Level::Error, "line 1: a setting before any [section]"),
            "{broken:?}"
        );
        assert!(has(&broken, Level::Error, "line 3:"), "{broken:?}");
    }
}
