//! The `report-pdf` Lambda: the DynamoDB stream's event source mapping invokes it with batches of
//! new report version items (filtered to `INSERT`s of `REPORT#` keys) and reads which records to
//! retry from its answer (`ReportBatchItemFailures`).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cc_http::telemetry::init();
    let app = cc_adapters::wire::report_pdf(cc_domain::Config::from_env()?).await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let app = app.clone();
        async move { report_pdf::handle(&app, event.payload).await }
    }))
    .await
}
