//! The S3 object store: a bucket with versioning on; S3 assigns the version ids.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use bytes::Bytes;
use time::OffsetDateTime;

use cc_domain::store::{Object, ObjectStore, ObjectVersion, StoreError, StoreResult, backend, validate_object_key};

pub struct S3Store {
    client: crate::sdk_client::OnFirstUse<Client>,
    bucket: String,
}

fn to_time(t: Option<&aws_sdk_s3::primitives::DateTime>) -> OffsetDateTime {
    t.and_then(|t| OffsetDateTime::from_unix_timestamp_nanos(t.as_nanos()).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl S3Store {
    pub fn new(client: impl Into<crate::sdk_client::OnFirstUse<Client>>, bucket: impl Into<String>) -> Self {
        S3Store {
            client: client.into(),
            bucket: bucket.into(),
        }
    }

    /// Creates the bucket with versioning if it does not exist (emulators, tests). In AWS the
    /// stack owns the bucket and its settings.
    pub async fn ensure_bucket(&self) -> anyhow::Result<()> {
        if self.client.head_bucket().bucket(&self.bucket).send().await.is_err() {
            let mut create = self.client.create_bucket().bucket(&self.bucket);
            // S3 takes a bucket outside us-east-1 only with its region as the location constraint
            // (without one it answers IllegalLocationConstraintException); us-east-1 takes none.
            let region = self.client.config().region().map(|r| r.as_ref().to_string());
            if let Some(region) = region.filter(|r| r != "us-east-1") {
                create = create.create_bucket_configuration(
                    aws_sdk_s3::types::CreateBucketConfiguration::builder()
                        .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region.as_str()))
                        .build(),
                );
            }
            create.send().await?;
        }
        self.client
            .put_bucket_versioning()
            .bucket(&self.bucket)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await?;
        Ok(())
    }
}

#[async_trait]
impl ObjectStore for S3Store {
    async fn put(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        metadata: BTreeMap<String, String>,
    ) -> StoreResult<ObjectVersion> {
        validate_object_key(key)?;
        let size = body.len() as u64;
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .set_metadata(Some(metadata.clone().into_iter().collect()))
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| backend(e.into_service_error()))?;
        let version_id = out
            .version_id()
            .ok_or_else(|| StoreError::Backend(anyhow::anyhow!("bucket '{}' has no versioning", self.bucket)))?;
        Ok(ObjectVersion {
            key: key.to_string(),
            version_id: version_id.to_string(),
            size,
            content_type: content_type.to_string(),
            last_modified: OffsetDateTime::now_utc(),
            metadata,
        })
    }

    async fn get(&self, key: &str, version_id: Option<&str>) -> StoreResult<Option<Object>> {
        validate_object_key(key)?;
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_version_id(version_id.map(String::from))
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                let e = e.into_service_error();
                // A missing key is NoSuchKey; an unknown or malformed version id is a 400/404.
                let code = aws_sdk_s3::error::ProvideErrorMetadata::code(&e)
                    .unwrap_or_default()
                    .to_string();
                if e.is_no_such_key() || code == "NoSuchVersion" || code == "InvalidArgument" {
                    return Ok(None);
                }
                return Err(backend(e));
            }
        };
        let version = ObjectVersion {
            key: key.to_string(),
            version_id: out.version_id().unwrap_or_default().to_string(),
            size: out.content_length().unwrap_or_default().max(0) as u64,
            content_type: out.content_type().unwrap_or("application/octet-stream").to_string(),
            last_modified: to_time(out.last_modified()),
            metadata: out.metadata().cloned().unwrap_or_default().into_iter().collect(),
        };
        let body = out.body.collect().await.map_err(backend)?.into_bytes();
        Ok(Some(Object { version, body }))
    }

    async fn list_versions(&self, key: &str) -> StoreResult<Vec<ObjectVersion>> {
        validate_object_key(key)?;
        let mut out = Vec::new();
        let (mut key_marker, mut version_marker) = (None, None);
        loop {
            let page = self
                .client
                .list_object_versions()
                .bucket(&self.bucket)
                .prefix(key)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .map_err(|e| backend(e.into_service_error()))?;
            for v in page.versions() {
                if v.key() != Some(key) {
                    continue; // a longer key sharing the prefix
                }
                out.push(ObjectVersion {
                    key: key.to_string(),
                    version_id: v.version_id().unwrap_or_default().to_string(),
                    size: v.size().unwrap_or_default().max(0) as u64,
                    content_type: String::new(),
                    last_modified: to_time(v.last_modified()),
                    metadata: BTreeMap::new(),
                });
            }
            if page.is_truncated() == Some(true) {
                key_marker = page.next_key_marker().map(String::from);
                version_marker = page.next_version_id_marker().map(String::from);
            } else {
                break;
            }
        }
        // S3 lists a key's versions newest first; keep that order stable if times tie.
        out.sort_by_key(|v| std::cmp::Reverse(v.last_modified));
        Ok(out)
    }

    async fn download_url(&self, key: &str, version_id: Option<&str>, expires_in: Duration) -> StoreResult<String> {
        validate_object_key(key)?;
        let config = PresigningConfig::expires_in(expires_in).map_err(backend)?;
        let req = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_version_id(version_id.map(String::from))
            .presigned(config)
            .await
            .map_err(|e| backend(e.into_service_error()))?;
        Ok(req.uri().to_string())
    }
}
