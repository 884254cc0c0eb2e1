//! Small local-file helpers the local default and the CLI share: the per-data-directory dev secret
//! and private (0600), atomic file writes.

use std::path::Path;

use anyhow::Context;

/// The file in a data directory that holds its dev secret.
pub const DEV_SECRET_FILE: &str = "dev-jwt-secret";

/// The data directory's dev secret if one was generated there (by `cc serve`), without creating it.
pub fn existing_dev_secret(data_dir: &Path) -> Option<String> {
    let s = std::fs::read_to_string(data_dir.join(DEV_SECRET_FILE)).ok()?;
    let s = s.trim();
    (s.len() >= 32).then(|| s.to_string())
}

/// The local HS256 secret: generated once per data directory and kept there (0600), so
/// `cc token` and `cc serve` agree without any setup.
pub fn dev_secret(data_dir: &Path) -> anyhow::Result<String> {
    if let Some(s) = existing_dev_secret(data_dir) {
        return Ok(s);
    }
    let path = data_dir.join(DEV_SECRET_FILE);
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let secret: String = (0..48)
        .map(|_| {
            const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            CHARS[rand::random_range(0..CHARS.len())] as char
        })
        .collect();
    write_private(&path, secret.as_bytes())?;
    Ok(secret)
}

/// Writes a file readable only by its owner (atomically: temp file + rename).
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
