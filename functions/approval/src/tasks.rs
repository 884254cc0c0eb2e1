//! The approval workflow's task handlers (Step Functions `lambda:invoke` tasks). One entry point
//! takes the raw event and dispatches
//! `{"task": "record_token" | "grant" | "end" | "time_out", "request_id": ..., "task_token": ...}`.
//! Errors carry a type the state machine can catch: `Closed` when the request moved on (cancelled,
//! rejected, revoked) and the step has nothing to do. The sweeper is the `breakglass.sweep` job of
//! the `jobs` function; anything else, a scheduled event included, is refused as `BadTask`.

use cc_domain::access::{Status, parse_request_id, rfc3339};
use cc_domain::error::Conflict;
use cc_domain::{App, Error};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(tag = "task", rename_all = "snake_case", deny_unknown_fields)]
pub enum Task {
    RecordToken { request_id: String, task_token: String },
    Grant { request_id: String },
    End { request_id: String },
    TimeOut { request_id: String },
}

/// A task failure with the error type Step Functions sees.
#[derive(Debug)]
pub struct TaskError {
    pub kind: &'static str,
    pub message: String,
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for TaskError {}

impl From<TaskError> for lambda_http::lambda_runtime::Diagnostic {
    fn from(e: TaskError) -> Self {
        lambda_http::lambda_runtime::Diagnostic {
            error_type: e.kind.to_string(),
            error_message: e.message,
        }
    }
}

fn failed(e: Error) -> TaskError {
    let kind = match &e {
        Error::Conflict { .. } => "Closed",
        Error::NotFound { .. } | Error::Validation { .. } => "BadTask",
        _ => "TaskFailed",
    };
    TaskError {
        kind,
        message: e.to_string(),
    }
}

pub async fn handle(app: &App, event: Value) -> Result<Value, TaskError> {
    let task: Task = serde_json::from_value(event).map_err(|e| TaskError {
        kind: "BadTask",
        message: format!("not a workflow task: {e}"),
    })?;
    let access = app.access().map_err(failed)?;
    match task {
        Task::RecordToken { request_id, task_token } => {
            let id = parse_request_id(&request_id).map_err(failed)?;
            access.record_task_token(id, &task_token).await.map_err(failed)?;
            Ok(json!({ "recorded": true }))
        }
        Task::Grant { request_id } => {
            let id = parse_request_id(&request_id).map_err(failed)?;
            let r = access.grant(id).await.map_err(failed)?;
            match (r.status, r.ends_at) {
                (Status::Active, Some(end)) => Ok(json!({ "status": "active", "ends_at": rfc3339(end) })),
                (s, _) => Err(TaskError {
                    kind: "Closed",
                    message: format!("the request is {}", s.as_str()),
                }),
            }
        }
        Task::End { request_id } => {
            let id = parse_request_id(&request_id).map_err(failed)?;
            let r = access.end_if_due(id).await.map_err(|e| match e {
                // Woken early (clock skew): let the state machine retry.
                Error::Conflict {
                    kind: Conflict::NotDue,
                    message,
                } => TaskError {
                    kind: "NotDue",
                    message,
                },
                other => failed(other),
            })?;
            Ok(json!({ "status": r.status.as_str() }))
        }
        Task::TimeOut { request_id } => {
            let id = parse_request_id(&request_id).map_err(failed)?;
            match access.time_out(id).await {
                Ok(r) => Ok(json!({ "status": r.status.as_str() })),
                // Decided at the last moment: nothing to time out.
                Err(Error::Conflict { .. }) => {
                    Ok(json!({ "status": access.find(id).await.map_err(failed)?.status.as_str() }))
                }
                Err(e) => Err(failed(e)),
            }
        }
    }
}
