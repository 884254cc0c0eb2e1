//! The `docs` Lambda: `GET /api/v1/openapi.json` (public) behind API Gateway. It needs no store,
//! no AWS clients and no configuration.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cc_http::telemetry::init();
    lambda_http::run(docs::router()).await
}
