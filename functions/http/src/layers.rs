//! What every function's router gets around its routes: a span per request carrying the request
//! id (API Gateway's in Lambda, a fresh ULID locally, echoed as `x-request-id`), the body limit,
//! the caller's origin for the audit log (the domain's task-local, read by hub writes), JSON
//! 404/405 answers for unknown routes and methods, and what keeps the contract the same for every
//! route: the body read whole before any answer, JSON errors for every failure (414, 431, a path
//! that does not decode), unknown query parameters refused ([`crate::query`]), and authorisation
//! before validation on admin routes.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lambda_http::RequestExt;
use tracing::Instrument;

use crate::auth::Refusal;
use crate::error::ApiError;
use crate::query::QueryRules;
use crate::{Api, MAX_UPLOAD_BYTES};

/// `router` with the shared layers; `queries` says which query parameters each route takes
/// ([`QueryRules::from_openapi`] of the function's own document).
pub fn finish(router: Router<Api>, api: Api, queries: QueryRules) -> Router {
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(authorise_first))
        .layer(axum::middleware::from_fn_with_state(queries, crate::query::check))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .layer(axum::middleware::from_fn(read_body_first))
        .layer(axum::middleware::from_fn(head_limits))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(client_origin))
        .layer(axum::middleware::from_fn(request_span))
        .with_state(api)
}

/// The longest request target (path and query) answered; longer is 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes (names and values) and header fields answered; more is 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 100;

/// Authorisation before validation: a route's caller extractor ([`crate::auth::Admin`]) notes a
/// caller who lacks the route's role in the request's [`Refusal`]; if the request then fails
/// validation before the domain saw it (400, 413, 415, 422), the answer is that 403.
async fn authorise_first(mut req: Request, next: Next) -> Response {
    let refusal = Refusal::default();
    req.extensions_mut().insert(refusal.clone());
    let res = next.run(req).await;
    let validation = matches!(
        res.status(),
        StatusCode::BAD_REQUEST
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE
            | StatusCode::UNPROCESSABLE_ENTITY
    );
    match refusal.answer() {
        Some(forbidden) if validation => forbidden.into_response(),
        _ => res,
    }
}

/// Reads the whole request body (at most [`crate::MAX_BODY_BYTES`], or the route's own limit from
/// [`crate::LARGE_BODY_ROUTES`]) before anything answers, so an early
/// answer (401 before the body was looked at) leaves a keep-alive connection usable: the body is
/// never left unread on the connection. A larger body is 413 and the connection is closed.
async fn read_body_first(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let limit = crate::body_limit(parts.uri.path());
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(e) => {
            let mut res = if is_length_limit(&e) {
                crate::extract::too_large_for(limit)
            } else {
                ApiError::bad_request("unreadable_body", "the request body could not be read")
            }
            .into_response();
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
    }
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// Request targets and headers past this API's limits get the API's JSON error (414, 431); the
/// local server's HTTP layer is configured with higher limits so that these answer first.
async fn head_limits(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request target is longer than {MAX_URI_BYTES} bytes"),
        )
        .into_response();
    }
    let headers = req.headers();
    let bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("send at most {MAX_HEADERS} header fields and {MAX_HEADER_BYTES} bytes of headers"),
        )
        .into_response();
    }
    next.run(req).await
}

/// Every error answer is the API's JSON error: an answer that is not JSON (axum's own plain-text
/// rejections, such as a path that does not percent-decode to UTF-8) is rewritten as
/// `{"error":{"code","message"}}` with the same status, its text as the message.
async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let mime = v.split(';').next().unwrap_or("").trim();
            mime == "application/json" || mime.ends_with("+json")
        });
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let code = match status {
        StatusCode::BAD_REQUEST => "invalid_request",
        StatusCode::NOT_FOUND => "no_such_route",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        s if s.is_server_error() => "internal",
        _ => "invalid_request",
    };
    let message = if text.is_empty() || status.is_server_error() {
        status.canonical_reason().unwrap_or("the request failed").to_string()
    } else {
        text
    };
    let mut answer = ApiError::new(status, code, message).into_response();
    for name in [header::CONNECTION, header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, v.clone());
        }
    }
    answer
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
