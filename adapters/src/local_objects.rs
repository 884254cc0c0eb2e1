//! The local object store: a directory that keeps every version of every key, like a versioned
//! S3 bucket. `<root>/<key>/<version>.body` holds the bytes and `<version>.json` the metadata; the
//! metadata is written last (after an atomic rename), so a version is listed only once complete.
//! Download links point at the local server's `/local/objects/...` route and carry an HMAC
//! signature with an expiry, the local counterpart of an S3 presigned URL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use cc_domain::ids::new_ulid;
use cc_domain::store::{Object, ObjectStore, ObjectVersion, StoreError, StoreResult, backend, validate_object_key};

pub struct LocalObjectStore {
    root: PathBuf,
    signing_key: Vec<u8>,
    base_url: String,
}

impl LocalObjectStore {
    /// `base_url` is where the local server is reachable (e.g. `http://127.0.0.1:8080`).
    pub fn new(root: impl Into<PathBuf>, signing_key: &[u8], base_url: impl Into<String>) -> Self {
        LocalObjectStore {
            root: root.into(),
            signing_key: signing_key.to_vec(),
            base_url: base_url.into(),
        }
    }

    fn dir(&self, key: &str) -> StoreResult<PathBuf> {
        validate_object_key(key)?;
        Ok(self.root.join(key))
    }

    fn mac(&self, key: &str, version_id: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.signing_key).expect("HMAC takes any key length");
        mac.update(format!("{key}\n{version_id}\n{expires}").as_bytes());
        mac
    }

    /// Checks a download link's signature and expiry (the local server's download route).
    pub fn verify_link(&self, key: &str, version_id: &str, expires: i64, signature: &str) -> bool {
        let Ok(sig) = hex::decode(signature) else { return false };
        self.mac(key, version_id, expires).verify_slice(&sig).is_ok()
            && OffsetDateTime::now_utc().unix_timestamp() <= expires
    }
}

fn read_meta(path: &Path) -> StoreResult<ObjectVersion> {
    let bytes = std::fs::read(path).map_err(backend)?;
    serde_json::from_slice(&bytes).map_err(backend)
}

fn valid_version_id(v: &str) -> bool {
    ulid::Ulid::from_string(v).is_ok()
}

#[async_trait]
impl ObjectStore for LocalObjectStore {
    async fn put(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        metadata: BTreeMap<String, String>,
    ) -> StoreResult<ObjectVersion> {
        let dir = self.dir(key)?;
        let version = ObjectVersion {
            key: key.to_string(),
            version_id: new_ulid().to_string(),
            size: body.len() as u64,
            content_type: content_type.to_string(),
            last_modified: OffsetDateTime::now_utc(),
            metadata,
        };
        let v = version.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let write = |name: String, bytes: &[u8]| -> anyhow::Result<()> {
                let tmp = dir.join(format!("{name}.tmp"));
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, dir.join(name))?;
                Ok(())
            };
            write(format!("{}.body", v.version_id), &body)?;
            write(format!("{}.json", v.version_id), &serde_json::to_vec(&v)?)?;
            Ok(())
        })
        .await
        .map_err(backend)?
        .map_err(StoreError::Backend)?;
        Ok(version)
    }

    async fn get(&self, key: &str, version_id: Option<&str>) -> StoreResult<Option<Object>> {
        let version = match version_id {
            Some(v) if !valid_version_id(v) => return Ok(None),
            Some(v) => {
                let meta = self.dir(key)?.join(format!("{v}.json"));
                if !meta.exists() {
                    return Ok(None);
                }
                read_meta(&meta)?
            }
            None => match self.list_versions(key).await?.into_iter().next() {
                Some(v) => v,
                None => return Ok(None),
            },
        };
        let body = tokio::fs::read(self.dir(key)?.join(format!("{}.body", version.version_id)))
            .await
            .map_err(backend)?;
        Ok(Some(Object {
            version,
            body: Bytes::from(body),
        }))
    }

    async fn list_versions(&self, key: &str) -> StoreResult<Vec<ObjectVersion>> {
        let dir = self.dir(key)?;
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(backend(e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let path = entry.map_err(backend)?.path();
            let is_meta = path.extension().is_some_and(|e| e == "json")
                && path.file_stem().and_then(|s| s.to_str()).is_some_and(valid_version_id);
            if is_meta {
                out.push(read_meta(&path)?);
            }
        }
        // Version ids are monotonic ULIDs: descending id order is newest first.
        out.sort_by(|a, b| b.version_id.cmp(&a.version_id));
        Ok(out)
    }

    async fn download_url(&self, key: &str, version_id: Option<&str>, expires_in: Duration) -> StoreResult<String> {
        let version = match version_id {
            Some(v) => v.to_string(),
            None => self
                .list_versions(key)
                .await?
                .into_iter()
                .next()
                .map(|v| v.version_id)
                .ok_or_else(|| backend(anyhow::anyhow!("no object at '{key}'")))?,
        };
        let expires = OffsetDateTime::now_utc().unix_timestamp() + expires_in.as_secs() as i64;
        let sig = hex::encode(self.mac(key, &version, expires).finalize().into_bytes());
        Ok(format!(
            "{}/local/objects/{key}?version={version}&expires={expires}&signature={sig}",
            self.base_url.trim_end_matches('/')
        ))
    }
}
