//! `cc profiles sync|show`: fetch the person's profiles from the API and put them into their AWS
//! config inside the managed block (see `cc_domain::profiles::merge`): a backup before any change,
//! an atomic write (temp file + rename in the same directory), a unified diff for `--dry-run`.

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
    pub profiles: usize,
    pub sso_sessions: usize,
}

/// Merges `set` into the config at `path` (created if missing).
pub fn apply(path: &Path, set: &ProfileSet, dry_run: bool) -> anyhow::Result<Outcome> {
    let existing = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let merged = merge(&existing, set).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut outcome = Outcome {
        changed: merged.changed,
        skipped: merged.skipped,
        diff: None,
        backup: None,
        profiles: set.profiles.len(),
        sso_sessions: set.sso_sessions.len(),
    };
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
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let backup = path.with_file_name(format!(
            "{}.cc-backup-{stamp}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("config")
        ));
        std::fs::copy(path, &backup).with_context(|| format!("backing up to {}", backup.display()))?;
        outcome.backup = Some(backup);
    }
    let tmp = dir.join(format!(
        ".{}.cc-tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("config"),
        std::process::id()
    ));
    std::fs::write(&tmp, merged.text.as_bytes()).with_context(|| format!("writing {}", tmp.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(outcome)
}
