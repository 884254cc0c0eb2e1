//! The approval workflow's task handlers (Step Functions `lambda:invoke` tasks). One entry point
//! takes the raw event and dispatches
//! `{"task": "record_token" | "grant" | "end" | "time_out", "request_id": ..., "task_token": ...}`.
//! A failure carries the error name the state machine retries or catches ([`StepError`]; Lambda
//! reports it as the error type): `Closed` when the request moved on (cancelled, rejected,
//! revoked) and the step has nothing to do, `NotDue` for a timed step woken early, `Transient` for
//! a failing or throttled store or AWS service. The sweeper is the `breakglass.sweep` job of the
//! `jobs` function; anything else, a scheduled event included, is refused as `BadTask`.

use cc_domain::access::{Status, StepError, parse_request_id, rfc3339};
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

/// A task failure with the error name Step Functions sees.
#[derive(Debug)]
pub struct TaskError {
    pub kind: StepError,
    pub message: String,
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for TaskError {}

impl From<TaskError> for lambda_http::lambda_runtime::Diagnostic {
    fn from(e: TaskError) -> Self {
        lambda_http::lambda_runtime::Diagnostic {
            error_type: e.kind.name().to_string(),
            error_message: e.message,
        }
    }
}

fn failed(e: Error) -> TaskError {
    TaskError {
        kind: StepError::of(&e),
        message: e.to_string(),
    }
}

pub async fn handle(app: &App, event: Value) -> Result<Value, TaskError> {
    let task: Task = serde_json::from_value(event).map_err(|e| TaskError {
        kind: StepError::BadTask,
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
                // Moved on, or (SSO) the assignment failed: the sweeper retries that grant.
                (s, _) => Err(TaskError {
                    kind: StepError::Closed,
                    message: format!("the request is {}", s.as_str()),
                }),
            }
        }
        Task::End { request_id } => {
            let id = parse_request_id(&request_id).map_err(failed)?;
            // Woken early (clock skew) is `NotDue`: the state machine retries.
            let r = access.end_if_due(id).await.map_err(failed)?;
            Ok(json!({ "status": r.status.as_str() }))
        }
        Task::TimeOut { request_id } => {
            let id = parse_request_id(&request_id).map_err(failed)?;
            match access.time_out(id).await {
                Ok(r) => Ok(json!({ "status": r.status.as_str() })),
                // Decided at the last moment: nothing to time out. Woken early (`NotDue`) or a
                // lost race (`Transient`) are retried.
                Err(e) if StepError::of(&e) == StepError::Closed => {
                    Ok(json!({ "status": access.find(id).await.map_err(failed)?.status.as_str() }))
                }
                Err(e) => Err(failed(e)),
            }
        }
    }
}
