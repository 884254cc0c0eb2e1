//! The API's documentation (the `docs` function): `GET /api/v1/openapi.json`, the one public
//! route, serves the whole API's OpenAPI document. Each function crate's own document (its
//! `openapi()`, only its routes) is the truth about what that function serves; this crate merges
//! them, and the stack tests check that API Gateway sends exactly each document's routes to its
//! function (`cc openapi --by-function`).

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use cc_http::ApiError;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

/// The route, for any router state: the local server merges it with the other functions' routes.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/api/v1/openapi.json", get(openapi_json))
}

/// The Lambda's router: the route plus the JSON 404/405 answers and the refusal of unknown query
/// parameters every function gives.
pub fn router() -> Router {
    routes()
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no_such_route",
                "there is no such route; see /api/v1/openapi.json",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method",
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            cc_http::QueryRules::from_openapi(&openapi()),
            cc_http::query::check,
        ))
}

/// This function's own document (the OpenAPI route), with what the whole API shares: its title
/// and the bearer scheme every other route requires.
#[derive(OpenApi)]
#[openapi(
    info(title = "Customer Central API", description = "Customer hub, breakglass access, profiles, billing and reports."),
    paths(openapi_json),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn openapi() -> Document {
    ApiDoc::openapi()
}

/// Every HTTP function's own document, by the function's name (its binary and `CC_FUNCTION`).
pub fn by_function() -> Vec<(&'static str, Document)> {
    vec![
        ("customers", customers::openapi()),
        ("access-request", access_request::openapi()),
        ("approval", approval::openapi()),
        ("profile-gen", profile_gen::openapi()),
        ("billing-fetch", billing_fetch::openapi()),
        ("utilisation", utilisation::openapi()),
        ("report-build", report_build::openapi()),
        ("docs", openapi()),
    ]
}

/// The whole API's document: every function's routes, under this crate's title and security.
pub fn merged() -> Document {
    let mut doc = openapi();
    for (name, function) in by_function() {
        if name != "docs" {
            doc.merge(function);
        }
    }
    doc
}

/// This document (no token needed).
#[utoipa::path(get, path = "/api/v1/openapi.json", security(()), responses((status = 200, description = "The OpenAPI 3 document")))]
async fn openapi_json() -> impl IntoResponse {
    axum::Json(merged())
}
