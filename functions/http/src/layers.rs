//! What every function's router gets around its routes: a span per request carrying the request
//! id (API Gateway's in Lambda, a fresh ULID locally, echoed as `x-request-id`), the body limit,
//! the caller's origin for the audit log (the domain's task-local, read by hub writes), and JSON
//! 404/405 answers for unknown routes and methods.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lambda_http::RequestExt;
use tracing::Instrument;

use crate::error::ApiError;
use crate::{Api, MAX_BODY_BYTES};

pub fn finish(router: Router<Api>, api: Api) -> Router {
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(client_origin))
        .layer(axum::middleware::from_fn(request_span))
        .with_state(api)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_such_route",
        "there is no such route; see /api/v1/openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

/// Runs the request with its origin as the domain's task-local (`cc_domain::audit`).
async fn client_origin(req: Request, next: Next) -> Response {
    let origin = crate::ClientOrigin::of(req.extensions());
    cc_domain::audit::with_origin(origin, next.run(req)).await
}

async fn request_span(req: Request, next: Next) -> Response {
    let id = match req.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    }
    .unwrap_or_else(|| ulid::Ulid::generate().to_string());
    let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let started = std::time::Instant::now();
    let mut res = async move {
        let res = next.run(req).await;
        let status = res.status().as_u16();
        if status >= 500 {
            tracing::warn!(
                status,
                elapsed_us = started.elapsed().as_micros() as u64,
                "request failed"
            );
        } else {
            tracing::debug!(
                status,
                elapsed_us = started.elapsed().as_micros() as u64,
                "request done"
            );
        }
        res
    }
    .instrument(span)
    .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res.into_response()
}
