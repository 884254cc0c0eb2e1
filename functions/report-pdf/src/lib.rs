//! Renders the outputs report versions wait for (the PDF) after they are built, in its own function.
//!
//! Why a function of its own: Typst (the PDF engine, `cc-report-pdf`) with its fonts is several
//! times the 4 MB zipped budget of a function (issue #16); inside `report-build` and `jobs` it would
//! slow every cold start of routes and jobs that never draw a page. In AWS those two build the JSON
//! and HTML and list the PDF as pending on the new version ([`cc_domain::reports::ReportPorts`]'s
//! `deferred`); the item's `INSERT` on the table's stream (keys only, filtered to `REPORT#` keys
//! by the event source mapping) starts this function, which calls
//! [`cc_domain::reports::Reports::render_pending`]. The local server renders the PDF in the build.
//!
//! Failures: a record whose rendering hit a store error is answered as a batch item failure
//! (`ReportBatchItemFailures`), so Lambda retries from it (the records after it come again too:
//! the work is idempotent). A record that is not a report version, or names a version that no
//! longer exists, is skipped: retrying would not change it. A renderer's own failure is recorded on
//! the version by the domain, not retried.

use cc_domain::App;
use cc_domain::reports::store::version_of_keys;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A DynamoDB Streams event as Lambda delivers it: only the fields used.
/// <https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html>
#[derive(Debug, Deserialize)]
pub struct StreamEvent {
    #[serde(rename = "Records")]
    pub records: Vec<StreamRecord>,
}

#[derive(Debug, Deserialize)]
pub struct StreamRecord {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    #[serde(rename = "eventName", default)]
    pub event_name: String,
    #[serde(default)]
    pub dynamodb: StreamData,
}

#[derive(Debug, Default, Deserialize)]
pub struct StreamData {
    #[serde(rename = "Keys", default)]
    pub keys: Keys,
    /// What a batch item failure names.
    #[serde(rename = "SequenceNumber", default)]
    pub sequence_number: String,
}

/// The table's key attributes, in DynamoDB's JSON (`{"S": "..."}`).
#[derive(Debug, Default, Deserialize)]
pub struct Keys {
    #[serde(rename = "PK")]
    pub pk: Option<StringAttr>,
    #[serde(rename = "SK")]
    pub sk: Option<StringAttr>,
}

#[derive(Debug, Deserialize)]
pub struct StringAttr {
    #[serde(rename = "S")]
    pub s: String,
}

/// The answer the event source mapping reads (`FunctionResponseTypes: ReportBatchItemFailures`):
/// empty when every record is done.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemFailure {
    /// The failed record's `SequenceNumber`.
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// Why a whole invocation failed (Lambda records it; the stream delivers the batch again).
#[derive(Debug)]
pub enum HandleError {
    /// The event is not a DynamoDB Streams batch: nothing is done.
    BadEvent(String),
    /// The function was wired without reports (a deployment fault).
    NotWired(String),
}

impl std::fmt::Display for HandleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandleError::BadEvent(e) => write!(f, "not a DynamoDB Streams event: {e}"),
            HandleError::NotWired(e) => write!(f, "this function cannot render reports: {e}"),
        }
    }
}

impl std::error::Error for HandleError {}

impl From<HandleError> for lambda_http::lambda_runtime::Diagnostic {
    fn from(e: HandleError) -> Self {
        let kind = match e {
            HandleError::BadEvent(_) => "BadEvent",
            HandleError::NotWired(_) => "NotWired",
        };
        lambda_http::lambda_runtime::Diagnostic {
            error_type: kind.to_string(),
            error_message: e.to_string(),
        }
    }
}

/// Renders what each new report version in the batch waits for, in order; stops at the first
/// record that fails (the ones after it are delivered again) and names it in the answer.
pub async fn handle(app: &App, event: Value) -> Result<BatchResponse, HandleError> {
    let event: StreamEvent = serde_json::from_value(event).map_err(|e| HandleError::BadEvent(e.to_string()))?;
    let reports = app.reports().map_err(|e| HandleError::NotWired(e.to_string()))?;
    for record in event.records {
        let (pk, sk) = match (&record.dynamodb.keys.pk, &record.dynamodb.keys.sk) {
            (Some(pk), Some(sk)) => (pk.s.as_str(), sk.s.as_str()),
            _ => {
                tracing::warn!(event = %record.event_name, "a record without PK and SK; skipped");
                continue;
            }
        };
        let Some((customer, month, version)) = version_of_keys(pk, sk).filter(|_| record.event_name == "INSERT") else {
            tracing::info!(event = %record.event_name, pk, sk, "not a new report version; skipped");
            continue;
        };
        match reports.render_pending(&customer, month, version).await {
            Ok(Some(v)) => {
                let done: Vec<&str> = v.outputs.iter().map(|o| o.format.as_str()).collect();
                tracing::info!(%customer, %month, version, outputs = ?done, pending = v.pending.len(), "report version rendered");
            }
            Ok(None) => tracing::info!(%customer, %month, version, "no such report version (deleted); skipped"),
            Err(e) => {
                tracing::error!(%customer, %month, version, error = %e, "rendering a report version failed; Lambda retries it");
                return Ok(BatchResponse {
                    batch_item_failures: vec![ItemFailure {
                        item_identifier: record.dynamodb.sequence_number,
                    }],
                });
            }
        }
    }
    Ok(BatchResponse::default())
}
