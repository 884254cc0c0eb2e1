//! The `approval-workflow` Lambda: the breakglass state machine's task handlers.

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cc_http::telemetry::init();
    let app = cc_adapters::wire::access(cc_domain::Config::from_env()?).await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let app = app.clone();
        async move { approval::tasks::handle(&app, event.payload).await }
    }))
    .await
}
