//! The `docs` Lambda: `GET /api/v1/openapi.json` (public) behind API Gateway. It needs no store,
//! no AWS clients and no configuration.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cc_http::telemetry::init();
    cc_http::lambda::run(docs::router()).await
}
