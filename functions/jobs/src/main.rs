//! The `jobs` Lambda: EventBridge schedules invoke it with `{"job": "<name>"}` (the rule's Input).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cc_http::telemetry::init();
    let lambda = std::sync::Arc::new(jobs::Lambda::new(cc_domain::Config::from_env()?).await?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let lambda = lambda.clone();
        async move { lambda.handle(event.payload).await }
    }))
    .await
}
