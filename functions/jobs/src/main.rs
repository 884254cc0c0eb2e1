//! The `jobs` Lambda: EventBridge schedules invoke it with `{"job": "<name>"}` (the rule's Input).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cc_http::telemetry::init();
    let app = cc_adapters::wire::jobs(cc_domain::Config::from_env()?).await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let app = app.clone();
        async move { jobs::handle(&app, event.payload).await }
    }))
    .await
}
