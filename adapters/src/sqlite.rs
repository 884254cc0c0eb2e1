//! The embedded item store: one SQLite file (WAL mode) with the same key design as the DynamoDB
//! table, so repositories and their tests behave the same locally and in AWS.
//!
//! Statements are short (point reads, bounded range scans, small transactions), so they run inline
//! on the caller's thread: a thread hop per call would cost more than the statement. Reads use a
//! small pool of connections; writes go through one connection, as SQLite allows one writer.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use async_trait::async_trait;
use base64::Engine;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use cc_domain::store::{
    Index, IndexKey, Item, ItemStore, Page, Query, StoreError, StoreResult, Write, backend, check_distinct_keys,
};

const READERS: usize = 4;
/// Sorts after every valid UTF-8 character, so `[prefix, prefix + MAX)` is a prefix range.
const PREFIX_END: char = '\u{10FFFF}';

pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating data directory {}", dir.display()))?;
        }
        let writer = Connection::open(path).with_context(|| format!("opening item store {}", path.display()))?;
        writer.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS items (
                 pk TEXT NOT NULL, sk TEXT NOT NULL,
                 gsi1pk TEXT, gsi1sk TEXT, gsi2pk TEXT, gsi2sk TEXT,
                 version INTEGER NOT NULL, data TEXT NOT NULL,
                 PRIMARY KEY (pk, sk)) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
             CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;",
        )?;
        let readers = (0..READERS)
            .map(|_| {
                let c = Connection::open(path)?;
                c.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;")?;
                Ok(Mutex::new(c))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        // Prefer an idle connection; fall back to waiting on the round-robin one.
        for c in &self.readers {
            if let Ok(conn) = c.try_lock() {
                return f(&conn);
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let conn = self.readers[i]
            .lock()
            .map_err(|_| backend(anyhow::anyhow!("reader lock poisoned")))?;
        f(&conn)
    }
}

const COLUMNS: &str = "pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, version, data";

fn row_to_item(row: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    let key = |pk: Option<String>, sk: Option<String>| match (pk, sk) {
        (Some(pk), Some(sk)) => Some(IndexKey { pk, sk }),
        _ => None,
    };
    let data: String = row.get(7)?;
    Ok(Item {
        pk: row.get(0)?,
        sk: row.get(1)?,
        gsi1: key(row.get(2)?, row.get(3)?),
        gsi2: key(row.get(4)?, row.get(5)?),
        version: row.get::<_, i64>(6)? as u64,
        data: serde_json::from_str(&data)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e)))?,
    })
}

/// Cursor: the sort position of the last item returned (index sort key, pk, sk).
#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor(String, String, String);

fn encode_cursor(c: &Cursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).unwrap_or_default())
}

fn decode_cursor(s: &str) -> StoreResult<Cursor> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| StoreError::BadCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)
}

fn insert(tx: &rusqlite::Transaction<'_>, item: &Item, version: u64) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, version, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        item.pk,
        item.sk,
        item.gsi1.as_ref().map(|k| &k.pk),
        item.gsi1.as_ref().map(|k| &k.sk),
        item.gsi2.as_ref().map(|k| &k.pk),
        item.gsi2.as_ref().map(|k| &k.sk),
        version as i64,
        item.data.to_string(),
    ])
}

fn current_version(tx: &rusqlite::Transaction<'_>, pk: &str, sk: &str) -> rusqlite::Result<Option<u64>> {
    tx.prepare_cached("SELECT version FROM items WHERE pk = ?1 AND sk = ?2")?
        .query_row(params![pk, sk], |r| r.get::<_, i64>(0))
        .optional()
        .map(|v| v.map(|v| v as u64))
}

#[async_trait]
impl ItemStore for SqliteStore {
    async fn get(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>> {
        self.with_reader(|c| {
            c.prepare_cached(&format!("SELECT {COLUMNS} FROM items WHERE pk = ?1 AND sk = ?2"))
                .and_then(|mut s| s.query_row(params![pk, sk], row_to_item).optional())
                .map_err(backend)
        })
    }

    async fn query(&self, q: Query) -> StoreResult<Page> {
        let (pk_col, sk_col) = match q.index {
            Index::Primary => ("pk", "sk"),
            Index::Gsi1 => ("gsi1pk", "gsi1sk"),
            Index::Gsi2 => ("gsi2pk", "gsi2sk"),
        };
        let cursor = q.cursor.as_deref().map(decode_cursor).transpose()?;
        let (cmp, order) = if q.descending { ("<", "DESC") } else { (">", "ASC") };
        let prefix = q.sk_prefix.clone().unwrap_or_default();
        let upper = format!("{prefix}{PREFIX_END}");
        let sql = format!(
            "SELECT {COLUMNS} FROM items WHERE {pk_col} = ?1 AND {sk_col} >= ?2 AND {sk_col} < ?3 {} \
             ORDER BY {sk_col} {order}, pk {order}, sk {order} LIMIT ?7",
            if cursor.is_some() {
                format!("AND ({sk_col}, pk, sk) {cmp} (?4, ?5, ?6)")
            } else {
                "AND ?4 IS NULL AND ?5 IS NULL AND ?6 IS NULL".to_string()
            }
        );
        let limit = q.limit.clamp(1, 1000);
        let items = self.with_reader(|c| {
            let mut stmt = c.prepare_cached(&sql).map_err(backend)?;
            let (a, b, d) = match &cursor {
                Some(Cursor(a, b, d)) => (Some(a), Some(b), Some(d)),
                None => (None, None, None),
            };
            let rows = stmt
                .query_map(params![q.pk, prefix, upper, a, b, d, (limit + 1) as i64], row_to_item)
                .map_err(backend)?;
            rows.collect::<rusqlite::Result<Vec<Item>>>().map_err(backend)
        })?;
        Ok(page_from(items, limit, q.index))
    }

    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        check_distinct_keys(&writes)?;
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| backend(anyhow::anyhow!("writer lock poisoned")))?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        for w in &writes {
            let ok = match w {
                Write::PutNew(item) => {
                    current_version(&tx, &item.pk, &item.sk).map_err(backend)?.is_none()
                        && insert(&tx, item, 1).map_err(backend)? == 1
                }
                Write::PutIfVersion { item, expected } => {
                    current_version(&tx, &item.pk, &item.sk).map_err(backend)? == Some(*expected)
                        && insert(&tx, item, expected + 1).map_err(backend)? == 1
                }
                Write::Put(item) => insert(&tx, item, item.version.max(1)).map_err(backend)? == 1,
                Write::Delete { pk, sk, expected } => {
                    let current = current_version(&tx, pk, sk).map_err(backend)?;
                    match (expected, current) {
                        (Some(e), Some(c)) if *e != c => false,
                        (Some(_), None) => false,
                        _ => {
                            tx.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
                                .and_then(|mut s| s.execute(params![pk, sk]))
                                .map_err(backend)?;
                            true
                        }
                    }
                }
                Write::Check { pk, sk, expected } => current_version(&tx, pk, sk).map_err(backend)? == Some(*expected),
            };
            if !ok {
                // Dropping the transaction rolls it back: nothing of this batch is kept.
                return Err(StoreError::ConditionFailed);
            }
        }
        tx.commit().map_err(backend)
    }
}

fn page_from(mut items: Vec<Item>, limit: usize, index: Index) -> Page {
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| {
            let sort = match index {
                Index::Primary => last.sk.clone(),
                Index::Gsi1 => last.gsi1.as_ref().map(|k| k.sk.clone()).unwrap_or_default(),
                Index::Gsi2 => last.gsi2.as_ref().map(|k| k.sk.clone()).unwrap_or_default(),
            };
            encode_cursor(&Cursor(sort, last.pk.clone(), last.sk.clone()))
        })
    } else {
        None
    };
    Page { items, next_cursor }
}
