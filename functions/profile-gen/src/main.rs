//! The `profile-gen` Lambda: profile routes behind API Gateway (HTTP API, JWT authorizer).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cc_http::telemetry::init();
    let app = cc_adapters::wire::hub(cc_domain::Config::from_env()?).await?;
    let api = cc_http::Api::from_app(app).await?;
    cc_http::lambda::run(profile_gen::router(api)).await
}
