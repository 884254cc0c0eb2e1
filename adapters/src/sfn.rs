//! The Step Functions workflow (`statemachine/breakglass.asl.json`): one execution per request,
//! named after it. The execution waits for approval under a task token, which the `record_token`
//! task hands to [`Workflow::task_token`]; the last approval sends task success, a rejection or
//! cancel stops the execution. Token and execution ARN are kept beside the request
//! (`cc_domain::keys::WORKFLOW` under the request), never in API responses.
//!
//! Token recording and approval may race: the token is stored before the request is read, and
//! approval reads the token after the approval is stored, so one of the two always signals.
//! A second signal for the same token fails harmlessly and is ignored.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::upstream::upstream;
use cc_domain::access::ports::{AfterApproval, Workflow};
use cc_domain::access::{AccessRequest, StepError, rfc3339};
use cc_domain::error::{Error, Result};
use cc_domain::keys;
use cc_domain::store::{Item, ItemStore, Write};

pub struct SfnWorkflow {
    client: crate::sdk_client::OnFirstUse<aws_sdk_sfn::Client>,
    state_machine_arn: String,
    store: Arc<dyn ItemStore>,
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Record {
    execution_arn: Option<String>,
    task_token: Option<String>,
}

impl SfnWorkflow {
    pub fn new(
        client: impl Into<crate::sdk_client::OnFirstUse<aws_sdk_sfn::Client>>,
        state_machine_arn: impl Into<String>,
        store: Arc<dyn ItemStore>,
    ) -> Self {
        SfnWorkflow {
            client: client.into(),
            state_machine_arn: state_machine_arn.into(),
            store,
        }
    }

    async fn record(&self, id: &str) -> Result<Record> {
        Ok(self
            .store
            .get(&keys::request(id), keys::WORKFLOW)
            .await?
            .and_then(|i| serde_json::from_value(i.data).ok())
            .unwrap_or_default())
    }

    async fn save(&self, id: &str, update: impl FnOnce(&mut Record)) -> Result<()> {
        let mut record = self.record(id).await?;
        update(&mut record);
        let data = serde_json::to_value(&record).map_err(|e| Error::Internal(e.into()))?;
        Ok(self
            .store
            .transact(vec![Write::Put(Item::new(keys::request(id), keys::WORKFLOW, data))])
            .await?)
    }

    async fn succeed(&self, req: &AccessRequest, token: &str) -> Result<()> {
        let start = req
            .starts_at
            .unwrap_or_else(OffsetDateTime::now_utc)
            .max(OffsetDateTime::now_utc());
        let output = serde_json::json!({ "start_at": rfc3339(start) }).to_string();
        match self
            .client
            .send_task_success()
            .task_token(token)
            .output(output)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => ignore_stale_token(e, "SendTaskSuccess"),
        }
    }

    async fn fail(&self, token: &str, why: &str) -> Result<()> {
        match self
            .client
            .send_task_failure()
            .task_token(token)
            .error(StepError::Closed.name())
            .cause(why)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => ignore_stale_token(e, "SendTaskFailure"),
        }
    }
}

/// A token that was already used (or whose wait timed out) needs no second signal.
fn ignore_stale_token<E, R>(e: aws_sdk_sfn::error::SdkError<E, R>, what: &str) -> Result<()>
where
    E: aws_sdk_sfn::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = aws_sdk_sfn::error::ProvideErrorMetadata::code(&e)
        .unwrap_or_default()
        .to_string();
    if matches!(code.as_str(), "TaskTimedOut" | "TaskDoesNotExist" | "InvalidToken") {
        Ok(())
    } else {
        Err(upstream(what, aws_sdk_sfn::error::DisplayErrorContext(e)))
    }
}

#[async_trait]
impl Workflow for SfnWorkflow {
    async fn started(&self, req: &AccessRequest) -> Result<()> {
        let window = (req.approval_deadline - req.created_at).whole_seconds().max(60);
        let input = serde_json::json!({ "request_id": req.id, "approval_window_seconds": window }).to_string();
        let out = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(&req.id)
            .input(input)
            .send()
            .await
            .map_err(|e| upstream("StartExecution", aws_sdk_sfn::error::DisplayErrorContext(e)))?;
        let arn = out.execution_arn().to_string();
        self.save(&req.id, |r| r.execution_arn = Some(arn)).await
    }

    async fn approved(&self, req: &AccessRequest) -> Result<AfterApproval> {
        if let Some(token) = self.record(&req.id).await?.task_token {
            self.succeed(req, &token).await?;
        }
        Ok(AfterApproval::Deferred)
    }

    async fn stopped(&self, req: &AccessRequest) -> Result<()> {
        let Some(arn) = self.record(&req.id).await?.execution_arn else {
            return Ok(());
        };
        match self
            .client
            .stop_execution()
            .execution_arn(arn)
            .cause(format!("request {}", req.status.as_str()))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let code = aws_sdk_sfn::error::ProvideErrorMetadata::code(&e)
                    .unwrap_or_default()
                    .to_string();
                if code == "ExecutionDoesNotExist" {
                    Ok(())
                } else {
                    Err(upstream("StopExecution", aws_sdk_sfn::error::DisplayErrorContext(e)))
                }
            }
        }
    }

    async fn task_token(&self, req: &AccessRequest, token: &str) -> Result<()> {
        let token_owned = token.to_string();
        self.save(&req.id, |r| r.task_token = Some(token_owned)).await?;
        // Re-read after storing the token: an approval stored meanwhile found no token to signal.
        let current = self.store.get(&keys::request(&req.id), keys::META).await?;
        let status = current
            .and_then(|i| i.data.get("status").and_then(|s| s.as_str()).map(String::from))
            .unwrap_or_default();
        match status.as_str() {
            "approved" | "active" => self.succeed(req, token).await,
            "pending" => Ok(()),
            other => self.fail(token, &format!("the request is {other}")).await,
        }
    }
}
