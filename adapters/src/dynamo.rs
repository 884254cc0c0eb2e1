//! The DynamoDB item store: the single table of the design (PK/SK, GSI1, GSI2, `version`).
//! The domain record sits in one `data` attribute as JSON; the key attributes stay native so the
//! table's indexes, TTL and console views work as usual.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::anyhow;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ScalarAttributeType, TransactWriteItem,
};
use base64::Engine;

use cc_domain::store::{
    Index, IndexKey, Item, ItemStore, Page, Query, StoreError, StoreResult, Write, backend, check_distinct_keys,
};

pub struct DynamoStore {
    client: Client,
    table: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

const KEY_ATTRS: [&str; 6] = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"];

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// Creates the table with the design's keys and indexes if it does not exist (local emulators,
    /// tests). In AWS the stack (SAM/CDK) owns the table.
    pub async fn ensure_table(&self) -> anyhow::Result<()> {
        if self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
        };
        let key = |name: &str, kind: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
        let gsi = |name: &str, pk: &str, sk: &str| -> anyhow::Result<GlobalSecondaryIndex> {
            Ok(GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(pk, KeyType::Hash)?)
                .key_schema(key(sk, KeyType::Range)?)
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()?)
        };
        let mut req = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("PK", KeyType::Hash)?)
            .key_schema(key("SK", KeyType::Range)?)
            .global_secondary_indexes(gsi("GSI1", "GSI1PK", "GSI1SK")?)
            .global_secondary_indexes(gsi("GSI2", "GSI2PK", "GSI2SK")?);
        for name in KEY_ATTRS {
            req = req.attribute_definitions(attr(name)?);
        }
        req.send().await?;
        Ok(())
    }
}

fn to_attrs(item: &Item, version: u64) -> HashMap<String, AttributeValue> {
    let mut m = HashMap::with_capacity(8);
    m.insert("PK".into(), s(&item.pk));
    m.insert("SK".into(), s(&item.sk));
    if let Some(k) = &item.gsi1 {
        m.insert("GSI1PK".into(), s(&k.pk));
        m.insert("GSI1SK".into(), s(&k.sk));
    }
    if let Some(k) = &item.gsi2 {
        m.insert("GSI2PK".into(), s(&k.pk));
        m.insert("GSI2SK".into(), s(&k.sk));
    }
    m.insert("version".into(), AttributeValue::N(version.to_string()));
    m.insert("data".into(), s(item.data.to_string()));
    m
}

fn from_attrs(m: &HashMap<String, AttributeValue>) -> StoreResult<Item> {
    let get = |k: &str| m.get(k).and_then(|v| v.as_s().ok()).cloned();
    let pair = |a: &str, b: &str| match (get(a), get(b)) {
        (Some(pk), Some(sk)) => Some(IndexKey { pk, sk }),
        _ => None,
    };
    let corrupt = || StoreError::Backend(anyhow!("item without its key, version or data attributes"));
    let data = get("data").ok_or_else(corrupt)?;
    Ok(Item {
        pk: get("PK").ok_or_else(corrupt)?,
        sk: get("SK").ok_or_else(corrupt)?,
        gsi1: pair("GSI1PK", "GSI1SK"),
        gsi2: pair("GSI2PK", "GSI2SK"),
        version: m
            .get("version")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(corrupt)?,
        data: serde_json::from_str(&data).map_err(|e| StoreError::Backend(e.into()))?,
    })
}

fn key(pk: &str, sk: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([("PK".to_string(), s(pk)), ("SK".to_string(), s(sk))])
}

/// The cursor is the key of the last item returned (table key plus the queried index's key).
fn encode_cursor(item: &Item, index: Index) -> String {
    let mut m: HashMap<&str, &str> = HashMap::from([("PK", item.pk.as_str()), ("SK", item.sk.as_str())]);
    let idx = match index {
        Index::Primary => None,
        Index::Gsi1 => item.gsi1.as_ref().map(|k| (("GSI1PK", "GSI1SK"), k)),
        Index::Gsi2 => item.gsi2.as_ref().map(|k| (("GSI2PK", "GSI2SK"), k)),
    };
    if let Some(((a, b), k)) = idx {
        m.insert(a, &k.pk);
        m.insert(b, &k.sk);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&m).unwrap_or_default())
}

fn decode_cursor(c: &str) -> StoreResult<HashMap<String, AttributeValue>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| StoreError::BadCursor)?;
    let m: HashMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    if m.keys().any(|k| !KEY_ATTRS.contains(&k.as_str())) || !m.contains_key("PK") {
        return Err(StoreError::BadCursor);
    }
    Ok(m.into_iter().map(|(k, v)| (k, s(v))).collect())
}

/// A failed condition of a single write is `ConditionFailed`; anything else is the backend's.
fn write_error<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match e {
        SdkError::ServiceError(se) if se.err().code() == Some("ConditionalCheckFailedException") => {
            StoreError::ConditionFailed
        }
        other => backend(other),
    }
}

/// The condition and values that make a write conditional.
fn condition(w: &Write) -> (Option<&'static str>, Option<u64>) {
    match w {
        Write::PutNew(_) => (Some("attribute_not_exists(PK)"), None),
        Write::PutIfVersion { expected, .. } | Write::Check { expected, .. } => {
            (Some("version = :expected"), Some(*expected))
        }
        Write::Delete { expected: Some(e), .. } => (Some("version = :expected"), Some(*e)),
        Write::Delete { expected: None, .. } | Write::Put(_) => (None, None),
    }
}

fn expected_values(v: Option<u64>) -> Option<HashMap<String, AttributeValue>> {
    v.map(|v| HashMap::from([(":expected".to_string(), AttributeValue::N(v.to_string()))]))
}

fn stored_version(w: &Write) -> u64 {
    match w {
        Write::PutNew(_) => 1,
        Write::PutIfVersion { expected, .. } => expected + 1,
        Write::Put(i) => i.version.max(1),
        Write::Delete { .. } | Write::Check { .. } => 0,
    }
}

impl DynamoStore {
    fn transact_item(&self, w: &Write) -> StoreResult<TransactWriteItem> {
        let (cond, expected) = condition(w);
        let b = TransactWriteItem::builder();
        let built = match w {
            Write::PutNew(item) | Write::Put(item) | Write::PutIfVersion { item, .. } => b.put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_attrs(item, stored_version(w))))
                    .set_condition_expression(cond.map(String::from))
                    .set_expression_attribute_values(expected_values(expected))
                    .build()
                    .map_err(backend)?,
            ),
            Write::Delete { pk, sk, .. } => b.delete(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(pk, sk)))
                    .set_condition_expression(cond.map(String::from))
                    .set_expression_attribute_values(expected_values(expected))
                    .build()
                    .map_err(backend)?,
            ),
            Write::Check { pk, sk, .. } => b.condition_check(
                ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(pk, sk)))
                    .condition_expression(cond.unwrap_or("attribute_exists(PK)"))
                    .set_expression_attribute_values(expected_values(expected))
                    .build()
                    .map_err(backend)?,
            ),
        };
        Ok(built.build())
    }

    /// One write without a transaction (half the cost of a one-item transaction).
    async fn single(&self, w: &Write) -> StoreResult<()> {
        let (cond, expected) = condition(w);
        match w {
            Write::PutNew(item) | Write::Put(item) | Write::PutIfVersion { item, .. } => self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(to_attrs(item, stored_version(w))))
                .set_condition_expression(cond.map(String::from))
                .set_expression_attribute_values(expected_values(expected))
                .send()
                .await
                .map(|_| ())
                .map_err(write_error),
            Write::Delete { pk, sk, .. } => self
                .client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key(pk, sk)))
                .set_condition_expression(cond.map(String::from))
                .set_expression_attribute_values(expected_values(expected))
                .send()
                .await
                .map(|_| ())
                .map_err(write_error),
            Write::Check { .. } => return self.transact_many(std::slice::from_ref(w)).await,
        }
    }

    async fn transact_many(&self, writes: &[Write]) -> StoreResult<()> {
        let items = writes
            .iter()
            .map(|w| self.transact_item(w))
            .collect::<StoreResult<Vec<_>>>()?;
        // Concurrent transactions on the same items are cancelled with TransactionConflict, not a
        // failed condition: retry those briefly, as the write may well succeed on its own terms.
        let mut delay = Duration::from_millis(10);
        for attempt in 0.. {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(()),
                Err(SdkError::ServiceError(e)) => e.into_err(),
                Err(e) => return Err(backend(e)),
            };
            if let aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c) = &err {
                let codes: Vec<&str> = c
                    .cancellation_reasons()
                    .iter()
                    .filter_map(|r| r.code())
                    .collect();
                if codes.contains(&"ConditionalCheckFailed") {
                    return Err(StoreError::ConditionFailed);
                }
                if codes.contains(&"TransactionConflict") && attempt < 8 {
                    let jitter = rand::random::<u64>() % (delay.as_millis() as u64 + 1);
                    tokio::time::sleep(delay + Duration::from_millis(jitter)).await;
                    delay = (delay * 2).min(Duration::from_millis(500));
                    continue;
                }
            }
            return Err(backend(err));
        }
        unreachable!("the retry loop returns")
    }
}

#[async_trait]
impl ItemStore for DynamoStore {
    fn index_settle_time(&self) -> Duration {
        // GSI propagation is usually well under a second; leave a wide margin.
        Duration::from_secs(5)
    }

    async fn get(&self, pk: &str, sk: &str) -> StoreResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| backend(e.into_service_error()))?;
        out.item.as_ref().map(from_attrs).transpose()
    }

    async fn query(&self, q: Query) -> StoreResult<Page> {
        let (index_name, pk_attr, sk_attr) = match q.index {
            Index::Primary => (None, "PK", "SK"),
            Index::Gsi1 => (Some("GSI1"), "GSI1PK", "GSI1SK"),
            Index::Gsi2 => (Some("GSI2"), "GSI2PK", "GSI2SK"),
        };
        let limit = q.limit.clamp(1, 1000);
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(index_name.map(String::from))
            .expression_attribute_names("#pk", pk_attr)
            .expression_attribute_values(":pk", s(&q.pk))
            .scan_index_forward(!q.descending)
            .limit(limit as i32 + 1)
            .set_exclusive_start_key(q.cursor.as_deref().map(decode_cursor).transpose()?)
            .consistent_read(index_name.is_none());
        req = match &q.sk_prefix {
            Some(p) if !p.is_empty() => req
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", sk_attr)
                .expression_attribute_values(":prefix", s(p)),
            _ => req.key_condition_expression("#pk = :pk"),
        };
        let out = req.send().await.map_err(|e| match e {
            SdkError::ServiceError(se)
                if q.cursor.is_some() && se.err().meta().code() == Some("ValidationException") =>
            {
                StoreError::BadCursor
            }
            other => backend(other.into_service_error()),
        })?;
        let mut items = out.items().iter().map(from_attrs).collect::<StoreResult<Vec<_>>>()?;
        let more = items.len() > limit || out.last_evaluated_key().is_some();
        items.truncate(limit);
        let next_cursor = if more {
            items.last().map(|i| encode_cursor(i, q.index))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    async fn transact(&self, writes: Vec<Write>) -> StoreResult<()> {
        check_distinct_keys(&writes)?;
        match writes.len() {
            0 => Ok(()),
            1 => self.single(&writes[0]).await,
            _ => self.transact_many(&writes).await,
        }
    }
}
