//! The `approval` Lambda: breakglass decisions behind API Gateway (HTTP API, JWT authorizer).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cc_http::telemetry::init();
    let app = cc_adapters::wire::access(cc_domain::Config::from_env()?).await?;
    let api = cc_http::Api::from_app(app).await?;
    cc_http::lambda::run(approval::router(api)).await
}
