//! The `report-build` Lambda: the monthly report routes behind API Gateway (HTTP API, JWT
//! authorizer). The monthly schedule runs in the `jobs` function (`reports.monthly`); an on-demand
//! build (`POST /api/v1/reports`) runs here.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cc_http::telemetry::init();
    let app = cc_adapters::wire::reports(cc_domain::Config::from_env()?).await?;
    let api = cc_http::Api::from_app(app).await?;
    cc_http::lambda::run(report_build::router(api)).await
}
