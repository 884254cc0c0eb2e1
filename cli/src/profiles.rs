//! `cc profiles sync|show`: fetch the person's profiles from the API and put them into their AWS
//! config inside the managed block (see `cc_domain::profiles::merge`): a backup before any change,
//! an atomic write (temp file + rename in the same directory), a unified diff for `--dry-run`.
//! A config that is a symbolic link (dotfiles repositories) stays one: the file it leads to is
//! what gets backed up and replaced.

use std::path::{Path, PathBuf};

use anyhow::Context;
use cc_domain::profiles::ProfileSet;
use cc_domain::profiles::merge::merge;

/// `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn aws_config_path() -> anyhow::Result<PathBuf> {
    if let Ok(p) = std::env::var("AWS_CONFIG_FILE")
        && !p.is_empty()
    {
        return Ok(PathBuf::from(p));
    }
    Ok(dirs::home_dir()
        .context("no home directory; set AWS_CONFIG_FILE")?
        .join(".aws")
        .join("config"))
}

#[derive(Debug)]
pub struct Outcome {
    pub changed: bool,
    pub skipped: Vec<String>,
    /// With `dry_run`: the unified diff of what would change.
    pub diff: Option<String>,
    pub backup: Option<PathBuf>,
    /// Profiles not written because their SSO session's name is the person's own: (section, session).
    pub skipped_for_session: Vec<(String, String)>,
    /// Generated profiles written by this sync, and SSO sessions in the block.
    pub profiles: usize,
    pub sso_sessions: usize,
    /// Generated profiles a narrowed sync left as they were.
    pub kept: usize,
    /// Source profiles the role profiles chain from that the config doesn't define.
    pub missing_sources: Vec<String>,
    /// Names that now lead to another account than before (sentences).
    pub moved: Vec<String>,
    /// Why the AWS CLI already refuses the config as it was (line and fault), and a second managed
    /// block left in it.
    pub faults: Vec<String>,
}

/// How many backups of one config sync keeps (the oldest beyond that are removed).
pub const BACKUPS_KEPT: usize = 10;

/// Merges `set` into the config at `path` (created if missing; when `path` is a symbolic link, the
/// file it leads to).
pub fn apply(path: &Path, set: &ProfileSet, dry_run: bool) -> anyhow::Result<Outcome> {
    let path = &link_target(path)?;
    let existing = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let merged = merge(&existing, set).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut outcome = Outcome {
        changed: merged.changed,
        skipped: merged.skipped,
        skipped_for_session: merged.skipped_for_session,
        diff: None,
        backup: None,
        profiles: merged.profiles_written - merged.kept,
        sso_sessions: merged.sessions_written,
        kept: merged.kept,
        missing_sources: merged.missing_sources,
        moved: merged.moved,
        faults: merged
            .faults
            .iter()
            .map(|f| format!("line {}: {}", f.line, f.message))
            .collect(),
    };
    // A second managed block (pasted, or from another machine) reads as the person's own text.
    let begin = cc_domain::profiles::merge::BEGIN;
    if existing.lines().filter(|l| l.trim_end() == begin).count() > 1 {
        outcome.faults.push(format!(
            "a second '{begin}' block is left as it is (its sections count as yours); delete it"
        ));
    }
    if dry_run {
        let shown = path.display().to_string();
        outcome.diff = Some(
            similar::TextDiff::from_lines(&existing, &merged.text)
                .unified_diff()
                .context_radius(3)
                .header(&shown, &format!("{shown} (after sync)"))
                .to_string(),
        );
        return Ok(outcome);
    }
    if !merged.changed {
        return Ok(outcome);
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    if !existing.is_empty() {
        outcome.backup = Some(backup(path, existing.as_bytes())?);
    }
    let tmp = dir.join(format!(
        ".{}.cc-tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("config"),
        std::process::id()
    ));
    std::fs::write(&tmp, merged.text.as_bytes()).with_context(|| format!("writing {}", tmp.display()))?;
    match std::fs::metadata(path) {
        Ok(meta) => {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        // A new config is private, as `aws configure` makes it.
        Err(_) => private(&tmp),
    }
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    prune_backups(path, BACKUPS_KEPT);
    Ok(outcome)
}

#[cfg(unix)]
fn private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn private(_: &Path) {}

/// The backups of `path` (`<name>.cc-backup-<unix seconds>[-<n>]`), oldest first, with the time
/// and count their names hold.
fn backups(path: &Path) -> Vec<((u64, u32), PathBuf)> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let prefix = format!("{name}.cc-backup-");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<((u64, u32), PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let file = e.file_name();
            let rest = file.to_str()?.strip_prefix(&prefix)?;
            let key = match rest.split_once('-') {
                Some((stamp, n)) => (stamp.parse().ok()?, n.parse().ok()?),
                None => (rest.parse().ok()?, 1),
            };
            Some((key, e.path()))
        })
        .collect();
    found.sort();
    found
}

/// Removes all but the newest `keep` backups of `path`.
fn prune_backups(path: &Path, keep: usize) {
    let all = backups(path);
    let excess = all.len().saturating_sub(keep);
    for (_, old) in all.into_iter().take(excess) {
        let _ = std::fs::remove_file(old);
    }
}

/// This program's full path as a command line botocore splits back into it (quoted when it holds
/// spaces or quotes): what breakglass profiles' `credential_process` should run, since a bare `cc`
/// on PATH is the C compiler on many machines. `None` when the OS can't say, or the path is not
/// UTF-8.
pub fn own_command_line() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
    command_line(exe.to_str()?)
}

fn command_line(path: &str) -> Option<String> {
    shlex::try_quote(path).ok().map(|q| q.into_owned())
}

/// What to do when the role profiles' `source_profile` is not in the config: the AWS CLI fails on
/// every one of them until it is.
pub fn missing_source_hint(source: &str, config: &Path) -> String {
    format!(
        "warning: the role profiles chain from source_profile '{source}', which {} does not define, so the AWS CLI \
         can't use them yet. Add a profile of that name that signs you in to the team's AWS account (e.g. \
         `aws configure sso --profile {source}`), or sync with --hub-profile NAME naming one you have \
         (or set hub_profile / credential_source in your preferences: PUT /api/v1/me/profile-preferences).",
        config.display()
    )
}

/// The file `path` leads to through any symbolic links (it may not exist yet), so that replacing it
/// keeps the links. Relative links are resolved against the link's own directory, as the OS does.
fn link_target(path: &Path) -> anyhow::Result<PathBuf> {
    let mut target = path.to_path_buf();
    // Linux's own limit on links followed in one lookup (MAXSYMLINKS).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next =
                    std::fs::read_link(&target).with_context(|| format!("reading the link {}", target.display()))?;
                target = match target.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            _ => return Ok(target),
        }
    }
    anyhow::bail!("{}: too many levels of symbolic links", path.display())
}

/// Writes `bytes` to a new `<name>.cc-backup-<unix seconds>` next to `path` (`-2`, `-3`, ... when
/// syncs run within the same second), never overwriting an earlier backup.
fn backup(path: &Path, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    use std::io::Write;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("config");
    // After the newest backup of this second, so the count in the names keeps their order.
    let after = backups(path)
        .into_iter()
        .filter(|((s, _), _)| *s == stamp as u64)
        .map(|((_, n), _)| n)
        .max()
        .unwrap_or(0);
    for n in after + 1..after + 1000 {
        let candidate = match n {
            1 => path.with_file_name(format!("{name}.cc-backup-{stamp}")),
            n => path.with_file_name(format!("{name}.cc-backup-{stamp}-{n}")),
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut file) => {
                // As private as the config it copies (never wider: umask would give 0644).
                private(&candidate);
                if let Ok(meta) = std::fs::metadata(path) {
                    let _ = std::fs::set_permissions(&candidate, meta.permissions());
                }
                file.write_all(bytes)
                    .with_context(|| format!("backing up to {}", candidate.display()))?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("backing up to {}", candidate.display())),
        }
    }
    anyhow::bail!("backing up {}: too many backups this second", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cc_domain::profiles::SsoSession;

    fn one_session(url: &str) -> ProfileSet {
        ProfileSet {
            sso_sessions: vec![SsoSession {
                name: "acme".into(),
                start_url: url.into(),
                region: "eu-west-1".into(),
            }],
            ..Default::default()
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_config_stays_a_link_and_its_target_is_updated() {
        let dir = tempfile::tempdir().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        let aws = dir.path().join("home").join(".aws");
        std::fs::create_dir_all(&dotfiles).unwrap();
        std::fs::create_dir_all(&aws).unwrap();
        let real = dotfiles.join("aws-config");
        std::fs::write(&real, "[profile mine]\nregion = eu-west-1\n").unwrap();
        let link = aws.join("config");
        std::os::unix::fs::symlink("../../dotfiles/aws-config", &link).unwrap();

        let out = apply(&link, &one_session("https://acme.awsapps.com/start"), false).unwrap();
        assert!(out.changed);
        assert!(
            std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
            "still a link"
        );
        let text = std::fs::read_to_string(&real).unwrap();
        assert!(
            text.starts_with("[profile mine]") && text.contains("acme.awsapps.com"),
            "{text}"
        );
        let backup = out.backup.unwrap();
        assert_eq!(
            std::fs::canonicalize(backup.parent().unwrap()).unwrap(),
            std::fs::canonicalize(&dotfiles).unwrap(),
            "backup next to the real file"
        );
        assert_eq!(
            std::fs::read_to_string(backup).unwrap(),
            "[profile mine]\nregion = eu-west-1\n"
        );
    }

    #[test]
    fn the_own_command_line_reads_back_as_the_path() {
        for path in [
            "/usr/local/bin/cc",
            "/opt/my tools/cc",
            "/home/o'neil/bin/cc",
            "/x/\"q\"/cc",
        ] {
            let line = command_line(path).unwrap();
            assert_eq!(
                cc_domain::profiles::ini::shlex_split(&line),
                Some(vec![path.to_string()]),
                "{line}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn backups_are_as_private_as_the_config_and_pruned() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "[profile mine]\n").unwrap();
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut backups = Vec::new();
        for n in 0..BACKUPS_KEPT + 3 {
            let url = format!("https://acme{n}.awsapps.com/start");
            backups.push(apply(&config, &one_session(&url), false).unwrap().backup.unwrap());
        }
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(backups.last().unwrap()), 0o600);
        let left = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".cc-backup-")
            })
            .count();
        assert_eq!(left, BACKUPS_KEPT);
        assert!(backups.last().unwrap().exists() && !backups[0].exists());
        let fresh = dir.path().join("new-config");
        apply(&fresh, &one_session("https://x.awsapps.com/start"), false).unwrap();
        assert_eq!(mode(&fresh), 0o600, "a new config is private");
    }

    #[test]
    fn a_config_the_aws_cli_cannot_read_or_a_second_block_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let block = "# BEGIN customer-central\n[profile old]\nregion = x\n# END customer-central\n";
        std::fs::write(&config, format!("region = x\n[profile a]\n{block}{block}")).unwrap();
        let out = apply(&config, &one_session("https://acme.awsapps.com/start"), false).unwrap();
        assert!(
            out.faults[0].starts_with("line 1: a setting before any"),
            "{:?}",
            out.faults
        );
        assert!(out.faults.iter().any(|f| f.contains("a second")), "{:?}", out.faults);
    }

    #[test]
    fn syncs_within_one_second_keep_every_backup() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "[profile mine]\n").unwrap();
        let mut backups = std::collections::BTreeSet::new();
        for n in 0..3 {
            let url = format!("https://acme{n}.awsapps.com/start");
            backups.insert(apply(&config, &one_session(&url), false).unwrap().backup.unwrap());
        }
        assert_eq!(backups.len(), 3, "{backups:?}");
    }
}
