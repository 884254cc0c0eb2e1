//! Storage ports: an item store shaped like a DynamoDB single table, and a versioned object store.
//!
//! Both are small traits with two adapters each (embedded for the local default, AWS for Lambda).
//! Repositories for domain types are written once, on these traits. `conformance` holds the one
//! suite every adapter must pass.

use std::collections::BTreeMap;

use async_trait::async_trait;
use bytes::Bytes;

/// One item of the single table. `data` is the domain record as JSON; the keys are the design's
/// PK/SK and up to two secondary index keys. `version` is 1 on creation and grows by one per write.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub pk: String,
    pub sk: String,
    pub gsi1: Option<IndexKey>,
    pub gsi2: Option<IndexKey>,
    pub version: u64,
    pub data: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexKey {
    pub pk: String,
    pub sk: String,
}

impl IndexKey {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        IndexKey {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

impl Item {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>, data: serde_json::Value) -> Self {
        Item {
            pk: pk.into(),
            sk: sk.into(),
            gsi1: None,
            gsi2: None,
            version: 0,
            data,
        }
    }
    pub fn with_gsi1(mut self, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        self.gsi1 = Some(IndexKey::new(pk, sk));
        self
    }
    pub fn with_gsi2(mut self, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        self.gsi2 = Some(IndexKey::new(pk, sk));
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Index {
    Primary,
    Gsi1,
    Gsi2,
}

/// A query of one partition (of the table or an index), optionally narrowed to a sort-key prefix.
#[derive(Clone, Debug)]
pub struct Query {
    pub index: Index,
    pub pk: String,
    pub sk_prefix: Option<String>,
    pub limit: usize,
    pub cursor: Option<String>,
    pub descending: bool,
}

impl Query {
    pub fn partition(index: Index, pk: impl Into<String>) -> Self {
        Query {
            index,
            pk: pk.into(),
            sk_prefix: None,
            limit: 100,
            cursor: None,
            descending: false,
        }
    }
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.sk_prefix = Some(prefix.into());
        self
    }
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }
    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }
}

#[derive(Clone, Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Opaque; pass it back as `Query::cursor` for the next page. `None` on the last page.
    pub next_cursor: Option<String>,
}

/// DynamoDB's (and the embedded store's) limit on the writes of one transaction.
pub const MAX_TRANSACTION_WRITES: usize = 100;

/// One write of a transaction. Every write is conditional except `Put`.
#[derive(Clone, Debug)]
pub enum Write {
    /// Create; fails if an item with the same keys exists. Stored with version 1.
    PutNew(Item),
    /// Replace the item whose current version is `expected`; stored with `expected + 1`.
    PutIfVersion { item: Item, expected: u64 },
    /// Unconditional replace (used for markers such as the hub revision). Stored with version 1.
    Put(Item),
    /// Delete the item whose current version is `expected` (`None`: whatever its version, if any).
    Delete {
        pk: String,
        sk: String,
        expected: Option<u64>,
    },
    /// Write nothing, but require the item to exist at this version.
    Check { pk: String, sk: String, expected: u64 },
}

impl Write {
    /// Writes `item` over the version that was read: a create when nothing was there (version 0),
    /// else a replace conditional on that version.
    pub fn at_version(item: Item, read: u64) -> Write {
        if read == 0 {
            Write::PutNew(item)
        } else {
            Write::PutIfVersion { item, expected: read }
        }
    }
}

/// Deletes `found` (whatever their versions), at most [`MAX_TRANSACTION_WRITES`] a transaction.
pub async fn delete_all(items: &dyn ItemStore, found: Vec<Item>) -> StoreResult<()> {
    let writes: Vec<Write> = found
        .into_iter()
        .map(|i| Write::Delete {
            pk: i.pk,
            sk: i.sk,
            expected: None,
        })
        .collect();
    for chunk in writes.chunks(MAX_TRANSACTION_WRITES) {
        items.transact(chunk.to_vec()).await?;
    }
    Ok(())
}

/// Deletes every item of the partition `pk` (of the table).
pub async fn delete_partition(items: &dyn ItemStore, pk: &str) -> StoreResult<usize> {
    let found = items
        .query_all(Query::partition(Index::Primary, pk).limit(1000))
        .await?;
    let n = found.len();
    delete_all(items, found).await?;
    Ok(n)
}

/// A domain record as item data.
pub fn encode<T: serde::Serialize>(value: &T) -> crate::Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| crate::Error::Internal(e.into()))
}

/// The domain record an item holds, with the item's version in its `version` field.
pub fn decode<T: serde::de::DeserializeOwned>(item: Item) -> crate::Result<T> {
    let mut data = item.data;
    data["version"] = serde_json::json!(item.version);
    serde_json::from_value(data)
        .map_err(|e| crate::Error::Internal(anyhow::anyhow!("corrupt item {}/{}: {e}", item.pk, item.sk)))
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition (absence, version, existence) did not hold; nothing was written.
    #[error("condition failed")]
    ConditionFailed,
    #[error("invalid cursor")]
    BadCursor,
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A backend failure (I/O, SDK, SQLite), as the adapters report it.
pub fn backend(e: impl Into<anyhow::Error>) -> StoreError {
    StoreError::Backend(e.into())
}

/// The single-table item store.
#[async_trait]
pub trait ItemStore: Send + Sync {
    async fn get(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>>;
    async fn query(&self, query: Query) -> StoreResult<Page>;
    /// All writes happen or none does; any failed condition yields `ConditionFailed`.
    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()>;

    async fn put_new(&self, item: Item) -> StoreResult<()> {
        self.transact(vec![Write::PutNew(item)]).await
    }
    async fn put_if_version(&self, item: Item, expected: u64) -> StoreResult<()> {
        self.transact(vec![Write::PutIfVersion { item, expected }]).await
    }
    async fn delete(&self, pk: &str, sk: &str, expected: Option<u64>) -> StoreResult<()> {
        self.transact(vec![Write::Delete {
            pk: pk.to_string(),
            sk: sk.to_string(),
            expected,
        }])
        .await
    }
    /// How long a write may take to show in the secondary indexes (DynamoDB GSIs are eventually
    /// consistent; the embedded store's indexes are not). Caches built from index queries must not
    /// trust a load made sooner than this after a write.
    fn index_settle_time(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
    /// Every item of a partition (following pages).
    async fn query_all(&self, mut query: Query) -> StoreResult<Vec<Item>> {
        let mut out = Vec::new();
        loop {
            let page = self.query(query.clone()).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => query.cursor = Some(c),
                None => return Ok(out),
            }
        }
    }
}

/// Metadata of one stored object version.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ObjectVersion {
    pub key: String,
    pub version_id: String,
    pub size: u64,
    pub content_type: String,
    pub last_modified: time::OffsetDateTime,
    pub metadata: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub version: ObjectVersion,
    pub body: Bytes,
}

/// A versioned object store (S3 with versioning; a local directory that keeps every version).
#[async_trait]
pub trait ObjectStore: Send + Sync {
    async fn put(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        metadata: BTreeMap<String, String>,
    ) -> StoreResult<ObjectVersion>;
    /// The latest version, or the given one. `None` when the key or version does not exist.
    async fn get(&self, key: &str, version_id: Option<&str>) -> StoreResult<Option<Object>>;
    /// Every version of exactly this key, newest first.
    async fn list_versions(&self, key: &str) -> StoreResult<Vec<ObjectVersion>>;
    /// A time-limited link that downloads the object (latest or given version) without a token.
    async fn download_url(
        &self,
        key: &str,
        version_id: Option<&str>,
        expires_in: std::time::Duration,
    ) -> StoreResult<String>;
}

/// Object keys are path-like (`reports/acme/2026-10/report.html`); refuse anything that could
/// escape a directory or confuse S3 listings.
pub fn validate_object_key(key: &str) -> StoreResult<()> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && !key.starts_with('/')
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.starts_with('.'))
        && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=+@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Backend(anyhow::anyhow!("invalid object key '{key}'")))
    }
}

/// Rejects two writes to the same item in one transaction, as DynamoDB does.
pub fn check_distinct_keys(writes: &[Write]) -> StoreResult<()> {
    let mut seen = std::collections::HashSet::new();
    for w in writes {
        let key = match w {
            Write::PutNew(i) | Write::Put(i) | Write::PutIfVersion { item: i, .. } => (&i.pk, &i.sk),
            Write::Delete { pk, sk, .. } | Write::Check { pk, sk, .. } => (pk, sk),
        };
        if !seen.insert(key) {
            return Err(StoreError::Backend(anyhow::anyhow!(
                "transaction writes item ({}, {}) twice",
                key.0,
                key.1
            )));
        }
    }
    if writes.len() > 100 {
        return Err(StoreError::Backend(anyhow::anyhow!(
            "a transaction holds at most 100 writes"
        )));
    }
    Ok(())
}
