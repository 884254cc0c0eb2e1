//! The `billing-fetch` Lambda: the billing routes behind API Gateway (HTTP API, JWT authorizer).
//! The daily fetch itself runs in the `jobs` function (`billing.fetch`); an admin's on-demand run
//! (`POST /api/v1/billing/runs`) runs here.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cc_http::telemetry::init();
    let app = cc_adapters::wire::billing(cc_domain::Config::from_env()?).await?;
    let api = cc_http::Api::from_app(app).await?;
    cc_http::lambda::run(billing_fetch::router(api)).await
}
