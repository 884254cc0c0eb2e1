//! The `utilisation` Lambda: the utilisation and task code routes behind API Gateway (HTTP API,
//! JWT authorizer). The daily sync runs in the `jobs` function (`utilisation.sync`); an admin's
//! sync now (`POST /api/v1/utilisation/runs`) runs here.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cc_http::telemetry::init();
    let app = cc_adapters::wire::utilisation(cc_domain::Config::from_env()?).await?;
    let api = cc_http::Api::from_app(app).await?;
    cc_http::lambda::run(utilisation::router(api)).await
}
