//! The Lambda entry every HTTP function runs ([`run`]): one API Gateway event in, one response
//! out, in the payload format the event came in.
//!
//! `lambda_http::run` panics on events a client can cause (a raw `"`, `<` or `>` in the query
//! string, a body marked base64 that is not, a list in `X-Forwarded-Proto`, a Host with a bad
//! port), and release builds abort on a panic, which takes the instance down. So the event is read
//! here first: headers and body are taken out and checked, the path and query string are
//! percent-encoded where they hold characters a URI may not, and lambda_http's converter then
//! builds the request from parts it cannot trip on (no Host, no domain, no stage: the URI is put
//! together here). What cannot be repaired is answered with a 400 in the API's error shape.
//! Besides:
//! - a named stage (`/prod/...`) and a custom domain's base path (`CC_BASE_PATH`, e.g. `/cc`) are
//!   taken off the path, so the routes see `/api/v1/...`;
//! - payload format 1.0 (a REST API, or an HTTP API route set to 1.0) is read into the 2.0 shape,
//!   so routes see one kind of request context (claims, source IP, request id), and is answered
//!   in the 1.0 response shape;
//! - JSON, NDJSON and other text bodies go back as text, anything else base64-encoded;
//! - an answer that would not fit Lambda's 6 MB response limit becomes a 413 asking for less.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE, COOKIE, HOST};
use axum::http::uri::{Authority, Uri};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_http::lambda_runtime::{self, Context, Diagnostic, LambdaEvent, service_fn};
use lambda_http::request::{LambdaRequest, RequestContext};
use serde::Serialize;
use serde_json::{Map, Value};
use tower::ServiceExt;

use crate::error::{ApiError, ErrorBody, ErrorDetail};

/// The largest answer sent back, counting the JSON envelope around the body. Lambda refuses a
/// synchronous response over 6 MB (6,291,456 bytes); this leaves room for what the runtime adds.
pub const MAX_RESPONSE_BYTES: usize = 6_000_000;

/// Runs `router` as a Lambda function behind API Gateway until the runtime stops.
/// `CC_BASE_PATH` (optional, e.g. `/cc`) is the base path of a custom domain's API mapping.
pub async fn run(router: Router) -> Result<(), lambda_http::Error> {
    let adapter = Adapter::new(router, std::env::var("CC_BASE_PATH").ok().as_deref())?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let adapter = adapter.clone();
        async move { adapter.answer(event.payload, Some(event.context)).await }
    }))
    .await
}

/// The router plus what the entry needs to know about the deployment.
#[derive(Clone)]
pub struct Adapter {
    router: Router,
    base_path: Option<Arc<str>>,
}

/// The API Gateway payload format of an event, and so of its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    V1,
    V2,
}

impl Format {
    fn of(event: &Value) -> Option<Format> {
        match event.get("version").and_then(Value::as_str) {
            Some("2.0") => Some(Format::V2),
            Some("1.0") => Some(Format::V1),
            // REST APIs send payload 1.0 without a version.
            None if event.get("httpMethod").is_some() => Some(Format::V1),
            _ => None,
        }
    }
}

impl Adapter {
    /// `base_path`: `CC_BASE_PATH`, a path like `/cc`; empty or `/` means none.
    pub fn new(router: Router, base_path: Option<&str>) -> anyhow::Result<Self> {
        Ok(Adapter {
            router,
            base_path: parse_base_path(base_path)?.map(Arc::from),
        })
    }

    /// The answer to one event. Only an event that is not an API Gateway HTTP event at all is an
    /// error (the runtime reports it to Lambda); everything else gets an HTTP answer.
    pub async fn answer(&self, event: Value, context: Option<Context>) -> Result<Answer, Diagnostic> {
        let Some(format) = Format::of(&event) else {
            tracing::warn!("not an API Gateway HTTP event");
            return Err(Diagnostic {
                error_type: "UnsupportedEvent".into(),
                error_message: "this function answers API Gateway HTTP events (payload format 2.0 or 1.0); \
                                this event is neither"
                    .into(),
            });
        };
        let request_id = event
            .pointer("/requestContext/requestId")
            .and_then(Value::as_str)
            .and_then(|id| HeaderValue::from_str(id).ok());
        Ok(match self.request(event, format, context) {
            Ok(req) => {
                let Ok(res) = self.router.clone().oneshot(req).await;
                Answer::from_response(format, res).await
            }
            Err(e) => {
                tracing::warn!(status = e.status.as_u16(), code = %e.code, "event refused before routing: {}", e.message);
                Answer::from_error(format, e, request_id.as_ref())
            }
        })
    }

    /// The request the router sees, or why there is none.
    fn request(&self, event: Value, format: Format, context: Option<Context>) -> Result<Request<Body>, ApiError> {
        let Value::Object(mut event) = event else {
            return Err(malformed("the event is not a JSON object"));
        };
        let mut headers = take_headers(&mut event, format)?;
        let body = take_body(&mut event)?;
        if format == Format::V1 {
            event = v1_as_v2(event)?;
        }
        let path = clean_path(text_field(&event, "rawPath")?.unwrap_or("/"));
        let query = clean_query(text_field(&event, "rawQueryString")?.unwrap_or(""));
        event.insert("rawPath".into(), Value::String(path.clone()));
        event.insert("rawQueryString".into(), Value::String(query.clone()));

        // lambda_http builds a URI from the domain name and stage; it gets neither, and both are
        // put back into the request context afterwards.
        let Some(Value::Object(ctx)) = event.get_mut("requestContext") else {
            return Err(malformed("the event has no requestContext"));
        };
        let domain = ctx.remove("domainName");
        let domain = domain.as_ref().and_then(Value::as_str);
        let stage = ctx.insert("stage".into(), Value::String("$default".into()));
        let stage = stage.as_ref().and_then(Value::as_str);
        let authority = authority(&headers, domain)?;
        let routed = self.routed_path(&path, stage);

        let event: ApiGatewayV2httpRequest = serde_json::from_value(Value::Object(event))
            .map_err(|e| malformed(format!("the API Gateway event could not be read: {e}")))?;
        // The parts above leave lambda_http nothing to panic on; this is a last resort for debug
        // builds only (release builds abort on a panic).
        let converted = catch_unwind(AssertUnwindSafe(|| {
            lambda_http::Request::from(LambdaRequest::ApiGatewayV2(event))
        }))
        .map_err(|_| {
            tracing::error!("lambda_http panicked converting a sanitised event");
            malformed("the API Gateway event could not be read")
        })?;
        let (mut parts, _) = converted.into_parts();
        if let Some(RequestContext::ApiGatewayV2(ctx)) = parts.extensions.get_mut::<RequestContext>() {
            ctx.domain_name = domain.map(str::to_string);
            ctx.stage = stage.map(str::to_string);
        }
        parts.uri = uri(authority, &routed, &query)?;
        if let Some(trace) = context
            .as_ref()
            .and_then(|c| c.xray_trace_id.as_deref())
            .and_then(|t| HeaderValue::from_str(t).ok())
        {
            headers.insert(HeaderName::from_static("x-amzn-trace-id"), trace);
        }
        parts.headers = headers;
        if let Some(context) = context {
            parts.extensions.insert(context);
        }
        Ok(Request::from_parts(parts, Body::from(body)))
    }

    /// The path without a named stage and without the base path, in whichever order they come.
    fn routed_path(&self, path: &str, stage: Option<&str>) -> String {
        let mut stage = stage
            .filter(|s| !s.is_empty() && *s != "$default")
            .map(|s| clean_path(&format!("/{s}")));
        let mut base = self.base_path.as_deref();
        let mut rest = path;
        loop {
            if let Some(r) = stage.as_deref().and_then(|s| strip_segments(rest, s)) {
                rest = r;
                stage = None;
            } else if let Some(r) = base.and_then(|b| strip_segments(rest, b)) {
                rest = r;
                base = None;
            } else {
                return rest.to_string();
            }
        }
    }
}

/// `path` without `prefix` when `prefix` is its first whole segments (`/cc` off `/cc/api`, not
/// off `/ccx`).
fn strip_segments<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    match path.strip_prefix(prefix)? {
        "" => Some("/"),
        rest if rest.starts_with('/') => Some(rest),
        _ => None,
    }
}

fn parse_base_path(raw: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let path = raw.trim_end_matches('/');
    if path.is_empty() {
        return Ok(None);
    }
    if !path.starts_with('/') || path.contains("//") || !path.bytes().all(path_safe) {
        anyhow::bail!(
            "CC_BASE_PATH: '{raw}' is not a base path like /cc (a leading '/', then letters, digits and -._~)"
        );
    }
    Ok(Some(path.to_string()))
}

fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("malformed_event", message)
}

/// At most 80 characters of something the caller sent, for an error message.
fn quoted(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

fn text_field<'a>(event: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ApiError> {
    match event.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(format!("the event's {name} is not a string"))),
    }
}

/// The event's headers (and, in 2.0, its cookies), checked one by one: lambda_http would refuse
/// the whole event for one header it cannot hold, and build its URI from Host and
/// X-Forwarded-Proto (the URI is built here instead).
fn take_headers(event: &mut Map<String, Value>, format: Format) -> Result<HeaderMap, ApiError> {
    let mut headers = HeaderMap::new();
    if format == Format::V1 {
        add_headers(&mut headers, event.remove("multiValueHeaders"))?;
    }
    add_headers(&mut headers, event.remove("headers"))?;
    if let Some(cookies) = event.remove("cookies").filter(|c| !c.is_null()) {
        let cookies: Vec<&str> = cookies
            .as_array()
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .ok_or_else(|| malformed("the event's cookies are not a list"))?;
        if !cookies.is_empty() {
            headers.insert(COOKIE, header_value("cookie", &cookies.join("; "))?);
        }
    }
    Ok(headers)
}

/// Adds the headers of one map (`{"name": "value"}` or `{"name": ["value", ...]}`); a name
/// already present (from 1.0's `multiValueHeaders`, which has every value) is kept as it is.
fn add_headers(headers: &mut HeaderMap, source: Option<Value>) -> Result<(), ApiError> {
    let map = match source {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(malformed("the event's headers are not an object")),
    };
    let known: Vec<HeaderName> = headers.keys().cloned().collect();
    for (name, values) in map {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ApiError::bad_request(
                "invalid_header",
                format!("'{}' is not a valid header name", quoted(&name)),
            )
        })?;
        if known.contains(&name) {
            continue;
        }
        let values = match values {
            Value::Null => continue,
            Value::Array(list) => list,
            one => vec![one],
        };
        for value in values {
            let Value::String(value) = value else {
                return Err(malformed(format!("the {name} header is not a string")));
            };
            headers.append(name.clone(), header_value(name.as_str(), &value)?);
        }
    }
    Ok(())
}

fn header_value(name: &str, value: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
        ApiError::bad_request(
            "invalid_header",
            format!("the {name} header holds characters a header may not (control characters)"),
        )
    })
}

/// The body's bytes, decoded here when it is marked base64 (lambda_http panics on bad base64).
fn take_body(event: &mut Map<String, Value>) -> Result<Bytes, ApiError> {
    let base64 = event.remove("isBase64Encoded") == Some(Value::Bool(true));
    match event.remove("body") {
        None | Some(Value::Null) => Ok(Bytes::new()),
        Some(Value::String(body)) if base64 => BASE64.decode(body.trim()).map(Bytes::from).map_err(|_| {
            ApiError::bad_request(
                "invalid_body_encoding",
                "the body is marked base64-encoded (isBase64Encoded) but is not valid base64",
            )
        }),
        Some(Value::String(body)) => Ok(Bytes::from(body)),
        Some(_) => Err(malformed("the event's body is not a string")),
    }
}

/// A payload 1.0 event in the 2.0 shape (headers and body already taken out): the path, the
/// query string from its parameters, and a request context with the method, source IP, request
/// id, stage and the authorizer's claims where 2.0 has them.
fn v1_as_v2(mut v1: Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let method = v1
        .get("httpMethod")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("a payload 1.0 event needs an httpMethod"))?
        .to_string();
    let path = text_field(&v1, "path")?.unwrap_or("/").to_string();
    let query = v1_query(&v1);
    let rc = match v1.remove("requestContext") {
        Some(Value::Object(rc)) => rc,
        _ => Map::new(),
    };
    let found = |pointer: &str| rc_value(&rc, pointer);

    let mut http = Map::new();
    http.insert("method".into(), Value::String(method));
    http.insert(
        "path".into(),
        found("/path").unwrap_or_else(|| Value::String(path.clone())),
    );
    for (to, from) in [
        ("protocol", "/protocol"),
        ("sourceIp", "/identity/sourceIp"),
        ("userAgent", "/identity/userAgent"),
    ] {
        if let Some(v) = found(from) {
            http.insert(to.into(), v);
        }
    }
    let mut ctx = Map::new();
    for (to, from) in [
        ("accountId", "/accountId"),
        ("apiId", "/apiId"),
        ("domainName", "/domainName"),
        ("domainPrefix", "/domainPrefix"),
        ("requestId", "/requestId"),
        ("stage", "/stage"),
        ("time", "/requestTime"),
        ("timeEpoch", "/requestTimeEpoch"),
    ] {
        if let Some(v) = found(from) {
            ctx.insert(to.into(), v);
        }
    }
    ctx.insert("http".into(), Value::Object(http));
    // A JWT or Cognito authorizer's claims (strings in both formats).
    if let Some(Value::Object(claims)) = found("/authorizer/claims") {
        let claims: Map<String, Value> = claims
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => (k, Value::String(s)),
                other => (k, Value::String(other.to_string())),
            })
            .collect();
        let mut jwt = Map::new();
        jwt.insert("claims".into(), Value::Object(claims));
        if let Some(scopes @ Value::Array(_)) = found("/authorizer/scopes") {
            jwt.insert("scopes".into(), scopes);
        }
        let mut authorizer = Map::new();
        authorizer.insert("jwt".into(), Value::Object(jwt));
        ctx.insert("authorizer".into(), Value::Object(authorizer));
    }

    let mut v2 = Map::new();
    v2.insert("version".into(), Value::String("2.0".into()));
    v2.insert("rawPath".into(), Value::String(path));
    v2.insert("rawQueryString".into(), Value::String(query));
    v2.insert("requestContext".into(), Value::Object(ctx));
    for key in ["pathParameters", "stageVariables"] {
        if let Some(v) = v1.remove(key) {
            v2.insert(key.into(), v);
        }
    }
    Ok(v2)
}

fn rc_value(rc: &Map<String, Value>, pointer: &str) -> Option<Value> {
    let mut parts = pointer.trim_start_matches('/').split('/');
    let mut value = rc.get(parts.next()?)?;
    for part in parts {
        value = value.get(part)?;
    }
    (!value.is_null()).then(|| value.clone())
}

/// 1.0's decoded query parameters, encoded again (every value of a repeated name).
fn v1_query(v1: &Map<String, Value>) -> String {
    let mut pairs = Vec::new();
    let multi = v1
        .get("multiValueQueryStringParameters")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty());
    if let Some(multi) = multi {
        for (name, values) in multi {
            for value in values.as_array().into_iter().flatten().filter_map(Value::as_str) {
                pairs.push((name.as_str(), value));
            }
        }
    } else if let Some(single) = v1.get("queryStringParameters").and_then(Value::as_object) {
        for (name, value) in single {
            if let Some(value) = value.as_str() {
                pairs.push((name.as_str(), value));
            }
        }
    }
    let mut query = String::new();
    for (name, value) in pairs {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&encode(name, unreserved, false));
        query.push('=');
        query.push_str(&encode(value, unreserved, false));
    }
    query
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// What a path may hold as it is: RFC 3986's `pchar` and `/` (`%` only when it starts an escape).
fn path_safe(b: u8) -> bool {
    unreserved(b) || b"!$&'()*+,;=:@/".contains(&b)
}

fn query_safe(b: u8) -> bool {
    path_safe(b) || b == b'?'
}

/// `raw` with every byte that `safe` refuses percent-encoded; existing `%XX` escapes are kept
/// when `keep_escapes`.
fn encode(raw: &str, safe: fn(u8) -> bool, keep_escapes: bool) -> String {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape = keep_escapes
            && b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if safe(b) || escape {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A path that any URI can hold: starts with `/`, anything else percent-encoded.
fn clean_path(raw: &str) -> String {
    let path = encode(raw, path_safe, true);
    if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}

/// A query string that any URI can hold (`"`, `<`, `>`, spaces, `#`, non-ASCII percent-encoded).
fn clean_query(raw: &str) -> String {
    encode(raw, query_safe, true)
}

/// Who the request was addressed to: the Host header, else API Gateway's domain name. A Host
/// header that is not a valid host (bad characters, a port over 65535, several hosts) is a 400,
/// as any HTTP server answers it.
fn authority(headers: &HeaderMap, domain: Option<&str>) -> Result<Option<Authority>, ApiError> {
    let mut hosts = headers.get_all(HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => Err(invalid_host("the request has more than one Host header")),
        (Some(host), None) if !host.is_empty() => parse_authority(host.as_bytes()).map(Some).ok_or_else(|| {
            invalid_host(format!(
                "the Host header '{}' is not a valid host[:port]",
                quoted(&String::from_utf8_lossy(host.as_bytes()))
            ))
        }),
        _ => Ok(domain.and_then(|d| parse_authority(d.as_bytes()))),
    }
}

fn invalid_host(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_host", message)
}

fn parse_authority(raw: &[u8]) -> Option<Authority> {
    let authority = Authority::try_from(raw).ok()?;
    let text = authority.as_str();
    if text.contains('@') {
        return None;
    }
    // A port, if there is one (after any IPv6 literal), must be a number up to 65535.
    let host_end = text.rfind(']').unwrap_or(0);
    if text[host_end..].contains(':') && authority.port().is_none() {
        return None;
    }
    Some(authority)
}

fn uri(authority: Option<Authority>, path: &str, query: &str) -> Result<Uri, ApiError> {
    let path_and_query = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    };
    let builder = match authority {
        Some(authority) => Uri::builder().scheme("https").authority(authority),
        None => Uri::builder(),
    };
    builder.path_and_query(path_and_query).build().map_err(|e| {
        tracing::error!(error = %e, "a sanitised path and query do not make a URI");
        ApiError::bad_request("invalid_uri", "the request's path or query string is not valid")
    })
}

/// The function's answer to API Gateway: a payload format 2.0 or 1.0 response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    status_code: u16,
    /// 2.0: one value per name (repeated headers joined with ", "); 1.0: empty (see below).
    headers: BTreeMap<String, String>,
    /// 1.0 only: every header with all its values.
    #[serde(skip_serializing_if = "Option::is_none")]
    multi_value_headers: Option<BTreeMap<String, Vec<String>>>,
    /// 2.0 only: the Set-Cookie values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cookies: Vec<String>,
    body: String,
    is_base64_encoded: bool,
}

impl Answer {
    pub fn status(&self) -> u16 {
        self.status_code
    }

    /// The body's bytes (decoded when it travels base64-encoded).
    pub fn body_bytes(&self) -> Vec<u8> {
        if self.is_base64_encoded {
            BASE64.decode(&self.body).unwrap_or_default()
        } else {
            self.body.clone().into_bytes()
        }
    }

    /// A header's value (2.0), or its first value (1.0).
    pub fn header(&self, name: &str) -> Option<&str> {
        let multi = self.multi_value_headers.as_ref();
        self.headers
            .get(name)
            .or_else(|| multi.and_then(|m| m.get(name)).and_then(|v| v.first()))
            .map(String::as_str)
    }

    async fn from_response(format: Format, res: Response) -> Answer {
        let (parts, body) = res.into_parts();
        let request_id = parts.headers.get("x-request-id");
        let bytes = match Limited::new(body, MAX_RESPONSE_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                tracing::warn!(
                    limit = MAX_RESPONSE_BYTES,
                    "answer refused: its body alone is over the limit"
                );
                return Answer::from_error(format, too_large(), request_id);
            }
            Err(e) => {
                tracing::error!(error = %e, "the response body could not be read");
                let e = ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side; it has been logged",
                );
                return Answer::from_error(format, e, request_id);
            }
        };
        let answer = Answer::build(format, parts.status, &parts.headers, bytes);
        let size = answer.serialized_len();
        if size > MAX_RESPONSE_BYTES {
            tracing::warn!(
                size,
                limit = MAX_RESPONSE_BYTES,
                "answer refused: over Lambda's response limit"
            );
            return Answer::from_error(format, too_large(), request_id);
        }
        answer
    }

    fn from_error(format: Format, e: ApiError, request_id: Option<&HeaderValue>) -> Answer {
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code,
                message: e.message,
                field: e.field,
                errors: e.errors,
            },
        };
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(id) = request_id {
            headers.insert(HeaderName::from_static("x-request-id"), id.clone());
        }
        let body = serde_json::to_vec(&body).unwrap_or_default();
        Answer::build(format, e.status, &headers, Bytes::from(body))
    }

    fn build(format: Format, status: StatusCode, headers: &HeaderMap, body: Bytes) -> Answer {
        let (body, is_base64_encoded) = if body.is_empty() {
            (String::new(), false)
        } else if is_text(headers) {
            match String::from_utf8(Vec::from(body)) {
                Ok(text) => (text, false),
                Err(e) => (BASE64.encode(e.as_bytes()), true),
            }
        } else {
            (BASE64.encode(&body), true)
        };
        let mut all: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in headers {
            // API Gateway takes header values as JSON strings; one that is not UTF-8 is dropped.
            if let Ok(value) = std::str::from_utf8(value.as_bytes()) {
                all.entry(name.as_str().to_string())
                    .or_default()
                    .push(value.to_string());
            }
        }
        let status_code = status.as_u16();
        match format {
            // Both maps are merged by API Gateway; all goes into the multi-valued one.
            Format::V1 => Answer {
                status_code,
                headers: BTreeMap::new(),
                multi_value_headers: Some(all),
                cookies: Vec::new(),
                body,
                is_base64_encoded,
            },
            Format::V2 => Answer {
                status_code,
                cookies: all.remove("set-cookie").unwrap_or_default(),
                headers: all.into_iter().map(|(k, v)| (k, v.join(", "))).collect(),
                multi_value_headers: None,
                body,
                is_base64_encoded,
            },
        }
    }

    /// The size of this answer as JSON, without building the JSON.
    fn serialized_len(&self) -> usize {
        struct Count(usize);
        impl std::io::Write for Count {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0 += buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut count = Count(0);
        match serde_json::to_writer(&mut count, self) {
            Ok(()) => count.0,
            Err(_) => usize::MAX,
        }
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "response_too_large",
        "the answer is larger than the 6 MB a Lambda function may return; ask for less: \
         page with limit and cursor, or narrow the filter (for example from and to)",
    )
}

/// Bodies sent as text: JSON (also NDJSON and `+json`), text, XML, YAML, forms; UTF-8 only (a
/// body that is not valid UTF-8 goes base64-encoded whatever its type).
fn is_text(headers: &HeaderMap) -> bool {
    const TEXT_TYPES: &[&str] = &[
        "application/json",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/javascript",
        "application/xml",
        "application/yaml",
        "application/x-yaml",
        "application/x-www-form-urlencoded",
    ];
    if headers.contains_key(CONTENT_ENCODING) {
        return false;
    }
    let Some(content_type) = headers.get(CONTENT_TYPE) else {
        return true;
    };
    let Ok(content_type) = content_type.to_str() else {
        return false;
    };
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let utf8 = parts
        .filter_map(|p| p.split_once('='))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .all(|(_, v)| {
            let v = v.trim().trim_matches('"');
            ["utf-8", "utf8", "us-ascii"].iter().any(|c| v.eq_ignore_ascii_case(c))
        });
    utf8 && (essence.starts_with("text/")
        || TEXT_TYPES.contains(&essence.as_str())
        || ["+json", "+xml", "+yaml"].iter().any(|s| essence.ends_with(s)))
}

#[cfg(test)]
mod tests {
    use axum::Json;
    use axum::extract::Request as AxumRequest;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use lambda_http::RequestExt;
    use serde_json::json;

    use super::*;
    use crate::testing;

    /// Echoes what the routes would see: method, URI, request context, headers and body.
    async fn echo(req: AxumRequest) -> Json<Value> {
        let ctx = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => Some(ctx.clone()),
            _ => None,
        };
        let claims = ctx
            .as_ref()
            .and_then(|c| c.authorizer.as_ref())
            .and_then(|a| a.jwt.as_ref())
            .map(|j| j.claims.clone());
        let headers: Map<String, Value> = req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    Value::String(String::from_utf8_lossy(v.as_bytes()).into()),
                )
            })
            .collect();
        let (parts, body) = req.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        Json(json!({
            "method": parts.method.as_str(),
            "uri": parts.uri.to_string(),
            "path": parts.uri.path(),
            "query": parts.uri.query(),
            "email": claims.as_ref().and_then(|c| c.get("email")),
            "source_ip": ctx.as_ref().and_then(|c| c.http.source_ip.clone()),
            "request_id": ctx.as_ref().and_then(|c| c.request_id.clone()),
            "stage": ctx.as_ref().and_then(|c| c.stage.clone()),
            "domain": ctx.as_ref().and_then(|c| c.domain_name.clone()),
            "headers": headers,
            "body": String::from_utf8_lossy(&body),
        }))
    }

    /// `n` lines of NDJSON (about 90 bytes each), as the audit export answers.
    fn ndjson(n: usize) -> Response {
        let line =
            "{\"at\":\"2026-11-25T09:00:00Z\",\"actor\":\"ada.admin@demo.customer-central.dev\",\"action\":\"x\"}\n";
        (
            [
                (CONTENT_TYPE, "application/x-ndjson"),
                (HeaderName::from_static("x-request-id"), "req-1"),
            ],
            line.repeat(n),
        )
            .into_response()
    }

    fn router() -> Router {
        Router::new()
            .route("/api/v1/me", get(echo))
            .route(
                "/api/v1/customers",
                get(echo).post(|req: AxumRequest| async { (StatusCode::CREATED, echo(req).await) }),
            )
            // About 7.5 MB: over the limit before any envelope.
            .route("/api/v1/audit", get(|| async { ndjson(80_000) }))
            .route("/api/v1/lines", get(|| async { ndjson(1_000) }))
            // 3.5 MB of quotes: under the limit as bytes, twice that once escaped in the envelope.
            .route(
                "/api/v1/quotes",
                get(|| async { ([(CONTENT_TYPE, "text/plain; charset=utf-8")], "\"".repeat(3_500_000)) }),
            )
            .route(
                "/api/v1/blob",
                get(|| async { ([(CONTENT_TYPE, "application/octet-stream")], vec![0u8, 159, 146, 150]) }),
            )
            .route(
                "/api/v1/cookies",
                get(|| async {
                    let headers = [
                        ("set-cookie", "a=1"),
                        ("set-cookie", "b=2"),
                        ("vary", "accept"),
                        ("vary", "origin"),
                    ];
                    (axum::response::AppendHeaders(headers), Json(json!({})))
                }),
            )
            .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no_such_route", "there is no such route") })
    }

    fn adapter() -> Adapter {
        Adapter::new(router(), Some("/cc")).unwrap()
    }

    fn dir() -> std::path::PathBuf {
        testing::events_dir(env!("CARGO_MANIFEST_DIR"), "lambda-entry")
    }

    fn event(name: &str) -> Value {
        let text = std::fs::read_to_string(dir().join(format!("{name}.json"))).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The 2.0 sample event with another method, path and query string.
    fn v2(method: &str, path: &str, query: &str) -> Value {
        let mut e = event("01-v2-get");
        e["rawPath"] = json!(path);
        e["rawQueryString"] = json!(query);
        e["requestContext"]["http"]["method"] = json!(method);
        e
    }

    async fn send(event: Value) -> (Answer, Value) {
        let answer = adapter().answer(event, None).await.unwrap();
        let body = serde_json::from_slice(&answer.body_bytes()).unwrap_or(Value::Null);
        (answer, body)
    }

    /// Every file in `events/lambda-entry/`: `(name, status, error code)`; `None` status: not an
    /// HTTP event (a Lambda error, not an answer).
    const EXPECTED: &[(&str, Option<u16>, Option<&str>)] = &[
        ("01-v2-get", Some(200), None),
        ("02-query-raw-quote-and-angle-brackets", Some(200), None),
        ("03-body-bad-base64", Some(400), Some("invalid_body_encoding")),
        ("04-forwarded-proto-list", Some(200), None),
        ("05-host-bad-port", Some(400), Some("invalid_host")),
        ("06-v1-get", Some(200), None),
        ("07-v1-post", Some(201), None),
        ("08-named-stage", Some(200), None),
        ("09-base-path", Some(200), None),
        ("10-huge-response", Some(413), Some("response_too_large")),
        ("11-v2-without-request-context", Some(400), Some("malformed_event")),
        ("12-not-an-http-event", None, None),
    ];

    #[tokio::test]
    async fn every_odd_event_gets_a_sensible_answer() {
        let names: Vec<&str> = EXPECTED.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(
            testing::event_names(&dir()),
            names,
            "every event file has an expectation"
        );
        for (name, status, code) in EXPECTED {
            let result = adapter().answer(event(name), None).await;
            let Some(status) = status else {
                let err = result.expect_err(name);
                assert_eq!(err.error_type, "UnsupportedEvent", "{name}");
                continue;
            };
            let answer = result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let body: Value = serde_json::from_slice(&answer.body_bytes()).unwrap_or(Value::Null);
            assert_eq!(answer.status(), *status, "{name}: {body}");
            assert_eq!(body["error"]["code"].as_str(), *code, "{name}: {body}");
            assert!(answer.serialized_len() <= MAX_RESPONSE_BYTES, "{name}");
            let format = if name.contains("-v1-") { Format::V1 } else { Format::V2 };
            assert_eq!(answer.multi_value_headers.is_some(), format == Format::V1, "{name}");
            if code.is_some() {
                assert_eq!(answer.header("content-type"), Some("application/json"), "{name}");
                assert!(
                    !body["error"]["message"].as_str().unwrap_or_default().is_empty(),
                    "{name}"
                );
            }
        }
    }

    /// The reason for this module: lambda_http's own conversion panics on these events.
    #[test]
    fn the_odd_events_do_trip_lambda_http_itself() {
        for name in [
            "02-query-raw-quote-and-angle-brackets",
            "03-body-bad-base64",
            "04-forwarded-proto-list",
            "05-host-bad-port",
        ] {
            let text = event(name).to_string();
            let converted = catch_unwind(|| lambda_http::request::from_str(&text).map(|_| ()));
            assert!(converted.is_err(), "{name}: lambda_http no longer panics on it");
        }
    }

    #[tokio::test]
    async fn raw_quotes_and_angle_brackets_in_the_query_string_are_percent_encoded() {
        let (answer, body) = send(event("02-query-raw-quote-and-angle-brackets")).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(body["query"], "q=%22%3Cacme%3E%22&limit=5");
        // Spaces, '#', backslashes and non-ASCII too; escapes already there stay as they are.
        let (_, body) = send(v2("GET", "/api/v1/me", "q=a b#c\\d&n=Zoë&ok=%41%2")).await;
        assert_eq!(body["query"], "q=a%20b%23c%5Cd&n=Zo%C3%AB&ok=%41%252");
    }

    #[tokio::test]
    async fn odd_paths_are_encoded_not_fatal() {
        for path in ["/api/v1/me\"<>", ":99999", "//evil.example.com/x", "/a b/ü", "/%zz", ""] {
            let (answer, body) = send(v2("GET", path, "")).await;
            assert_eq!(answer.status(), 404, "{path}: {body}");
            assert_eq!(body["error"]["code"], "no_such_route", "{path}");
        }
        // A path without its leading '/' gets one.
        let (answer, body) = send(v2("GET", "api/v1/me", "")).await;
        assert_eq!((answer.status(), body["path"].as_str()), (200, Some("/api/v1/me")));
    }

    #[tokio::test]
    async fn a_list_in_x_forwarded_proto_is_left_to_the_routes() {
        let (answer, body) = send(event("04-forwarded-proto-list")).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(body["uri"], "https://api.customer-central.example.com/api/v1/me");
        assert_eq!(body["headers"]["x-forwarded-proto"], "https, http");
    }

    #[tokio::test]
    async fn a_host_that_is_not_a_host_is_a_400() {
        let (answer, body) = send(event("05-host-bad-port")).await;
        assert_eq!(
            (answer.status(), body["error"]["code"].as_str()),
            (400, Some("invalid_host"))
        );
        assert!(body["error"]["message"].as_str().unwrap().contains(":99999"), "{body}");
        assert_eq!(answer.header("x-request-id"), Some("lambda-entry-05"));
        for host in ["a b", "user@example.com", "example.com:http", "[::1]:70000"] {
            let mut e = event("01-v2-get");
            e["headers"]["host"] = json!(host);
            let (answer, body) = send(e).await;
            assert_eq!(body["error"]["code"], "invalid_host", "{host}: {}", answer.status());
        }
        for host in ["example.com:8443", "[::1]", "[::1]:443", "127.0.0.1"] {
            let mut e = event("01-v2-get");
            e["headers"]["host"] = json!(host);
            let (answer, body) = send(e).await;
            assert_eq!(answer.status(), 200, "{host}: {body}");
            assert_eq!(body["uri"], format!("https://{host}/api/v1/me"));
        }
        // Without a Host header the domain name stands in.
        let mut e = event("01-v2-get");
        e["headers"].as_object_mut().unwrap().remove("host");
        let (_, body) = send(e).await;
        assert_eq!(body["uri"], "https://api.customer-central.example.com/api/v1/me");
        assert_eq!(body["domain"], "api.customer-central.example.com");
    }

    #[tokio::test]
    async fn bodies_marked_base64_are_decoded_and_bad_ones_refused() {
        let mut e = v2("POST", "/api/v1/customers", "");
        e["body"] = json!(BASE64.encode(b"{\"code\":\"acme\"}"));
        e["isBase64Encoded"] = json!(true);
        let (answer, body) = send(e).await;
        assert_eq!(answer.status(), 201);
        assert_eq!(body["body"], "{\"code\":\"acme\"}");
        let (answer, body) = send(event("03-body-bad-base64")).await;
        assert_eq!(
            (answer.status(), body["error"]["code"].as_str()),
            (400, Some("invalid_body_encoding"))
        );
    }

    #[tokio::test]
    async fn headers_and_cookies_reach_the_routes_and_bad_ones_are_named() {
        let mut e = event("01-v2-get");
        e["headers"]["x-name"] = json!("Zoë");
        e["cookies"] = json!(["a=1", "b=2"]);
        let (answer, body) = send(e).await;
        assert_eq!(answer.status(), 200, "{body}");
        assert_eq!(body["headers"]["x-name"], "Zoë");
        assert_eq!(body["headers"]["cookie"], "a=1; b=2");
        let mut e = event("01-v2-get");
        e["headers"]["x-bad"] = json!("a\u{1}b");
        let (answer, body) = send(e).await;
        assert_eq!(
            (answer.status(), body["error"]["code"].as_str()),
            (400, Some("invalid_header"))
        );
        assert!(body["error"]["message"].as_str().unwrap().contains("x-bad"));
        let mut e = event("01-v2-get");
        e["headers"]["bad name"] = json!("x");
        let (_, body) = send(e).await;
        assert_eq!(body["error"]["code"], "invalid_header");
    }

    #[tokio::test]
    async fn a_named_stage_and_the_base_path_are_taken_off_the_path() {
        let (answer, body) = send(event("08-named-stage")).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(
            (body["path"].as_str(), body["stage"].as_str()),
            (Some("/api/v1/me"), Some("prod"))
        );
        let (answer, body) = send(event("09-base-path")).await;
        assert_eq!((answer.status(), body["path"].as_str()), (200, Some("/api/v1/me")));
        for (path, stage, routed) in [
            ("/prod/cc/api/v1/me", "prod", "/api/v1/me"),
            ("/cc/prod/api/v1/me", "prod", "/api/v1/me"),
            ("/api/v1/me", "prod", "/api/v1/me"),
            ("/ccx/api/v1/me", "$default", "/ccx/api/v1/me"),
            ("/production/api/v1/me", "prod", "/production/api/v1/me"),
            ("/cc", "$default", "/"),
        ] {
            assert_eq!(adapter().routed_path(path, Some(stage)), routed, "{path} {stage}");
        }
        // Without CC_BASE_PATH nothing but the stage comes off.
        let plain = Adapter::new(router(), None).unwrap();
        assert_eq!(plain.routed_path("/cc/api/v1/me", Some("$default")), "/cc/api/v1/me");
    }

    #[test]
    fn the_base_path_setting_is_checked() {
        assert_eq!(parse_base_path(None).unwrap(), None);
        assert_eq!(parse_base_path(Some("")).unwrap(), None);
        assert_eq!(parse_base_path(Some("/")).unwrap(), None);
        assert_eq!(parse_base_path(Some("/cc/")).unwrap().as_deref(), Some("/cc"));
        assert_eq!(parse_base_path(Some("/v1/cc")).unwrap().as_deref(), Some("/v1/cc"));
        for bad in ["cc", "/c c", "/cc?x", "//cc", "/cc%20"] {
            let err = parse_base_path(Some(bad)).unwrap_err().to_string();
            assert!(err.starts_with("CC_BASE_PATH"), "{bad}: {err}");
        }
    }

    #[tokio::test]
    async fn payload_1_0_is_read_as_2_0_and_answered_in_1_0() {
        let (answer, body) = send(event("06-v1-get")).await;
        assert_eq!(answer.status(), 200, "{body}");
        assert_eq!(body["email"], "ada.admin@demo.customer-central.dev");
        assert_eq!(body["source_ip"], "203.0.113.10");
        assert_eq!(body["request_id"], "lambda-entry-06-v1-get");
        assert!(answer.headers.is_empty() && answer.cookies.is_empty());
        assert_eq!(answer.header("content-type"), Some("application/json"));

        // The sample POST takes no query (the customers route refuses one it does not take);
        // this test's echo route shows one carried over.
        let mut post = event("07-v1-post");
        post["queryStringParameters"] = json!({"dry": "no"});
        post["multiValueQueryStringParameters"] = json!({"dry": ["no"]});
        let (answer, body) = send(post).await;
        assert_eq!(answer.status(), 201, "{body}");
        assert_eq!(
            (body["method"].as_str(), body["path"].as_str()),
            (Some("POST"), Some("/api/v1/customers"))
        );
        assert_eq!(
            (body["query"].as_str(), body["stage"].as_str()),
            (Some("dry=no"), Some("prod"))
        );
        assert_eq!(body["headers"]["content-type"], "application/json");
        assert!(body["body"].as_str().unwrap().contains("entry-v1"));

        // Repeated and decoded query parameters are encoded again.
        let mut e = event("06-v1-get");
        e["multiValueQueryStringParameters"] = json!({"q": ["a b", "\"<c>\""], "n": ["1"]});
        let (_, body) = send(e).await;
        assert_eq!(body["query"], "n=1&q=a%20b&q=%22%3Cc%3E%22");
        // A 1.0 event without a method is refused in 1.0's shape.
        let mut e = event("06-v1-get");
        e.as_object_mut().unwrap().remove("httpMethod");
        let (answer, body) = send(e).await;
        assert_eq!(
            (answer.status(), body["error"]["code"].as_str()),
            (400, Some("malformed_event"))
        );
        assert!(answer.multi_value_headers.is_some());
    }

    #[tokio::test]
    async fn json_and_ndjson_go_back_as_text_and_binary_as_base64() {
        let (answer, _) = send(v2("GET", "/api/v1/lines", "")).await;
        assert_eq!(answer.status(), 200);
        assert!(!answer.is_base64_encoded);
        assert_eq!(answer.body.lines().count(), 1_000);
        let (answer, _) = send(v2("GET", "/api/v1/me", "")).await;
        assert!(!answer.is_base64_encoded);
        let (answer, _) = send(v2("GET", "/api/v1/blob", "")).await;
        assert!(answer.is_base64_encoded);
        assert_eq!(answer.body_bytes(), vec![0u8, 159, 146, 150]);
        let text = |ct: &str| {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
            is_text(&h)
        };
        for ct in [
            "application/problem+json",
            "text/csv",
            "application/x-ndjson",
            "text/plain; charset=UTF-8",
        ] {
            assert!(text(ct), "{ct}");
        }
        for ct in ["application/zip", "image/png", "text/plain; charset=latin1"] {
            assert!(!text(ct), "{ct}");
        }
    }

    #[tokio::test]
    async fn cookies_and_repeated_headers_take_each_format_s_shape() {
        let (answer, _) = send(v2("GET", "/api/v1/cookies", "")).await;
        assert_eq!(answer.cookies, ["a=1", "b=2"]);
        assert_eq!(answer.header("vary"), Some("accept, origin"));
        assert_eq!(answer.header("set-cookie"), None);
        let mut e = event("06-v1-get");
        e["path"] = json!("/api/v1/cookies");
        let (answer, _) = send(e).await;
        let multi = answer.multi_value_headers.unwrap();
        assert_eq!(multi["set-cookie"], ["a=1", "b=2"]);
        assert_eq!(multi["vary"], ["accept", "origin"]);
    }

    #[tokio::test]
    async fn an_answer_over_lambda_s_limit_is_a_413_that_says_how_to_ask_for_less() {
        let (answer, body) = send(event("10-huge-response")).await;
        assert_eq!(answer.status(), 413);
        assert_eq!(body["error"]["code"], "response_too_large");
        assert!(body["error"]["message"].as_str().unwrap().contains("limit and cursor"));
        assert_eq!(answer.header("x-request-id"), Some("req-1"));
        // Under the limit as bytes, over it once escaped into the envelope.
        let (answer, body) = send(v2("GET", "/api/v1/quotes", "")).await;
        assert_eq!(
            (answer.status(), body["error"]["code"].as_str()),
            (413, Some("response_too_large"))
        );
        // The same in 1.0.
        let mut e = event("06-v1-get");
        e["path"] = json!("/api/v1/audit");
        let (answer, body) = send(e).await;
        assert_eq!(
            (answer.status(), body["error"]["code"].as_str()),
            (413, Some("response_too_large"))
        );
        assert!(answer.multi_value_headers.is_some());
    }

    #[test]
    fn cleaned_paths_and_queries_always_make_a_uri() {
        let mut samples: Vec<String> = (0u8..=127).map(|b| format!("a{}b", char::from(b))).collect();
        samples.extend(
            [
                "",
                "%",
                "%4",
                "%41",
                "%%41",
                "ü/ö",
                "\"<>\\^`{|}",
                "#frag?x=1",
                "a\u{0}b",
            ]
            .map(String::from),
        );
        for raw in &samples {
            let (path, query) = (clean_path(raw), clean_query(raw));
            assert!(path.starts_with('/'), "{raw:?}");
            let built = uri(parse_authority(b"example.com:443"), &path, &query);
            assert!(built.is_ok(), "{raw:?} -> {path:?} ? {query:?}");
            assert_eq!(clean_path(&path), path, "cleaning is idempotent: {raw:?}");
            assert_eq!(clean_query(&query), query, "{raw:?}");
        }
        assert_eq!(clean_query("a=%41&b=%4"), "a=%41&b=%254");
    }
}
