//! Breakglass routes (the `access-request` function): requests, my/pending/all lists, cancel,
//! credentials for `credential_process`, console links, active sessions, early revoke, approval
//! policies and the audit log. The rules live in `cc_domain::access`.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cc_domain::Error;
use cc_domain::access::policy::PolicyPatch;
use cc_domain::access::requests::CustomerPolicy;
use cc_domain::access::service::Access;
use cc_domain::access::service::{AuditQuery, Scope};
use cc_domain::access::{AccessRequest, ApprovalPolicy, NewRequest, Status, parse_request_id};
use cc_domain::audit::AuditEvent;
use cc_domain::identity::Principal;
use cc_domain::ids::{AccountId, CustomerCode};
use cc_domain::page::PageRequest;
use cc_http::error::{ApiResult, ErrorBody};
use cc_http::extract::{customer_code, num, path_id};
use cc_http::{Admin, Api, Caller, ClientOrigin, JsonBody, ListResponse, PageParams, QueryParams};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::OpenApi;

pub fn router(api: Api) -> Router {
    cc_http::layers::finish(routes(), api, query_rules())
}

pub fn routes() -> Router<Api> {
    Router::new()
        .route("/api/v1/approval-policies", get(list_policies))
        .route(
            "/api/v1/customers/{code}/approval-policy",
            get(get_policy).put(put_policy).patch(patch_policy),
        )
        .route("/api/v1/access-requests", post(create).get(list))
        .route("/api/v1/access-requests/{id}", get(get_one))
        .route("/api/v1/access-requests/{id}/cancel", post(cancel))
        .route("/api/v1/access-requests/{id}/revoke", post(revoke))
        .route("/api/v1/access-requests/{id}/credentials", post(credentials))
        .route("/api/v1/access-requests/{id}/console-link", post(console_link))
        .route("/api/v1/sessions", get(sessions))
        .route("/api/v1/accounts/{id}/end-access", post(end_access_account))
        .route("/api/v1/customers/{code}/end-access", post(end_access_customer))
        .route("/api/v1/audit", get(audit))
}

#[derive(OpenApi)]
#[openapi(paths(
    list_policies,
    get_policy,
    put_policy,
    patch_policy,
    end_access_account,
    end_access_customer,
    create,
    list,
    get_one,
    cancel,
    revoke,
    credentials,
    console_link,
    sessions,
    audit
))]
pub struct ApiDoc;

/// What each route takes in its query string ([`cc_http::QueryRules`]), as the generated
/// `query-rules.txt` says, which the tests keep equal to [`openapi`]: read at start-up instead of
/// building the whole document (most of a cold start's own work, issue #16).
pub fn query_rules() -> cc_http::QueryRules {
    cc_http::QueryRules::generated(include_str!("../query-rules.txt"))
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    cc_http::openapi::complete(ApiDoc::openapi())
}

/// Every customer's approval policy in force, a page of customers at a time (sorted by name, like
/// `GET /customers`); customers without a policy of their own show the defaults with `version` 0.
#[utoipa::path(get, path = "/api/v1/approval-policies", params(PageParams),
    responses((status = 200, body = ListResponse<CustomerPolicy>), (status = 400, body = ErrorBody)))]
async fn list_policies(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<PageParams>,
) -> ApiResult<Json<ListResponse<CustomerPolicy>>> {
    let listed = api.app().access()?.policies(&who, q.limit, q.cursor.as_deref()).await?;
    Ok(Json(listed.into()))
}

/// A customer's approval policy (the defaults when none was set).
#[utoipa::path(get, path = "/api/v1/customers/{code}/approval-policy", params(("code" = inline(cc_domain::ids::CustomerCode), Path)),
    responses((status = 200, body = ApprovalPolicy), (status = 404, body = ErrorBody)))]
async fn get_policy(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<ApprovalPolicy>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().access()?.policy(&who, code.as_str()).await?))
}

/// Replaces a customer's approval policy (admin). Send the `version` you read (0 for defaults).
#[utoipa::path(put, path = "/api/v1/customers/{code}/approval-policy", params(("code" = inline(cc_domain::ids::CustomerCode), Path)), request_body = ApprovalPolicy,
    responses((status = 200, body = ApprovalPolicy), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn put_policy(
    State(api): State<Api>,
    Admin(who): Admin,
    ClientOrigin(origin): ClientOrigin,
    Path(code): Path<String>,
    JsonBody(policy): JsonBody<ApprovalPolicy>,
) -> ApiResult<Json<ApprovalPolicy>> {
    let code = customer_code(&code)?;
    Ok(Json(
        api.app()
            .access()?
            .put_policy(&who, code.as_str(), policy, &origin)
            .await?,
    ))
}

/// Changes only the fields sent of a customer's approval policy (admin). `version` (the one you
/// read) is required.
#[utoipa::path(patch, path = "/api/v1/customers/{code}/approval-policy", params(("code" = inline(cc_domain::ids::CustomerCode), Path)), request_body = PolicyPatch,
    responses((status = 200, body = ApprovalPolicy), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn patch_policy(
    State(api): State<Api>,
    Admin(who): Admin,
    ClientOrigin(origin): ClientOrigin,
    Path(code): Path<String>,
    JsonBody(patch): JsonBody<PolicyPatch>,
) -> ApiResult<Json<ApprovalPolicy>> {
    let code = customer_code(&code)?;
    Ok(Json(
        api.app()
            .access()?
            .patch_policy(&who, code.as_str(), patch, &origin)
            .await?,
    ))
}

/// Asks for temporary write access to an account's breakglass role.
#[utoipa::path(post, path = "/api/v1/access-requests", request_body = NewRequest,
    responses((status = 201, body = AccessRequest), (status = 400, body = ErrorBody)))]
async fn create(
    State(api): State<Api>,
    Caller(who): Caller,
    ClientOrigin(origin): ClientOrigin,
    JsonBody(new): JsonBody<NewRequest>,
) -> ApiResult<(StatusCode, Json<AccessRequest>)> {
    Ok((
        StatusCode::CREATED,
        Json(api.app().access()?.create(&who, new, &origin).await?),
    ))
}

/// Whose requests: mine, waiting for my approval, or everyone's.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
enum ListScope {
    #[schema(rename = "mine")]
    Mine,
    #[schema(rename = "to-approve")]
    ToApprove,
    #[schema(rename = "all")]
    All,
}

/// Whose grants: mine or everyone's.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum SessionScope {
    Mine,
    All,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `mine` (default), `to-approve`, or `all` (leads, admins; without `status`: open requests).
    #[param(inline, value_type = Option<ListScope>)]
    scope: Option<String>,
    /// Filter by status (e.g. `pending`, `active`, `ended`).
    #[param(inline, value_type = Option<Status>)]
    status: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Requests: mine (every status, newest first), waiting for my approval (soonest deadline first),
/// or everyone's (leads, admins): with `status`, that status newest first; without it, the open
/// ones (pending, approved, active), newest first.
#[utoipa::path(get, path = "/api/v1/access-requests", params(ListQuery),
    responses((status = 200, body = ListResponse<AccessRequest>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Json<ListResponse<AccessRequest>>> {
    let scope = match q.scope.as_deref() {
        None | Some("mine") => Scope::Mine,
        Some("to-approve") => Scope::ToApprove,
        Some("all") => Scope::All,
        Some(other) => {
            return Err(Error::validation("scope", format!("'{other}' is not one of: mine, to-approve, all")).into());
        }
    };
    let status = q.status.as_deref().map(str::parse::<Status>).transpose()?;
    let page = PageRequest::new(q.limit, q.cursor)?;
    Ok(Json(api.app().access()?.list(&who, scope, status, &page).await?.into()))
}

/// One request with its decisions and history.
#[utoipa::path(get, path = "/api/v1/access-requests/{id}", params(("id" = inline(cc_http::openapi::RequestId), Path)),
    responses((status = 200, body = AccessRequest), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AccessRequest>> {
    Ok(Json(api.app().access()?.get(&who, parse_request_id(&id)?).await?))
}

/// Withdraws my request before access starts.
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/cancel", params(("id" = inline(cc_http::openapi::RequestId), Path)),
    responses((status = 200, body = AccessRequest), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel(
    State(api): State<Api>,
    Caller(who): Caller,
    ClientOrigin(origin): ClientOrigin,
    Path(id): Path<String>,
) -> ApiResult<Json<AccessRequest>> {
    Ok(Json(
        api.app()
            .access()?
            .cancel(&who, parse_request_id(&id)?, &origin)
            .await?,
    ))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    #[serde(default)]
    reason: String,
}

/// Ends an active grant early (the requester, a lead or an admin).
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/revoke", params(("id" = inline(cc_http::openapi::RequestId), Path)), request_body = RevokeBody,
    responses((status = 200, body = AccessRequest), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke(
    State(api): State<Api>,
    Caller(who): Caller,
    ClientOrigin(origin): ClientOrigin,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<AccessRequest>> {
    // The body is optional: an empty POST revokes without a reason.
    let reason = if body.is_empty() {
        String::new()
    } else {
        cc_http::extract::parse_json::<RevokeBody>(&body)?.reason
    };
    Ok(Json(
        api.app()
            .access()?
            .revoke(&who, parse_request_id(&id)?, &reason, &origin)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EndAccessBody {
    /// Why (recorded on each request and in the audit log), e.g. "account leaves the hub".
    reason: String,
}

/// How many open requests and grants were ended.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Ended {
    ended: usize,
}

fn end_reason(body: EndAccessBody) -> Result<String, Error> {
    let reason = body.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(Error::validation("reason", "say why, in 1-1000 characters"));
    }
    Ok(reason)
}

/// Ends every open breakglass request and grant on an account (admin): grants are revoked
/// (their sessions cut), requests not yet active cancelled. Deleting an account with open
/// requests is refused (409 `open_access`) until this has run.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/end-access", params(("id" = inline(cc_domain::ids::AccountId), Path)), request_body = EndAccessBody,
    responses((status = 200, body = Ended), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn end_access_account(
    State(api): State<Api>,
    Admin(who): Admin,
    ClientOrigin(origin): ClientOrigin,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EndAccessBody>,
) -> ApiResult<Json<Ended>> {
    let id = cc_http::extract::path_id("id", &id)?;
    let reason = end_reason(body)?;
    let ended = api.app().access()?.end_for_account(&who, &id, &reason, &origin).await?;
    Ok(Json(Ended { ended }))
}

/// Ends every open breakglass request and grant on a customer's accounts (admin), before it is
/// offboarded (offboarding with open requests is refused with 409 `open_access`).
#[utoipa::path(post, path = "/api/v1/customers/{code}/end-access", params(("code" = inline(cc_domain::ids::CustomerCode), Path)), request_body = EndAccessBody,
    responses((status = 200, body = Ended), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn end_access_customer(
    State(api): State<Api>,
    Admin(who): Admin,
    ClientOrigin(origin): ClientOrigin,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<EndAccessBody>,
) -> ApiResult<Json<Ended>> {
    let code = customer_code(&code)?;
    let reason = end_reason(body)?;
    let access = api.app().access()?;
    api.app().hub.get_customer(&who, code.as_str()).await?;
    let ended = access.end_for_customer(&who, &code, &reason, &origin).await?;
    Ok(Json(Ended { ended }))
}

/// The JSON `credential_process` expects.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct ProcessCredentials {
    version: u8,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

/// Credentials for my active grant, as `credential_process` JSON (minted now, never stored).
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/credentials", params(("id" = inline(cc_http::openapi::RequestId), Path)),
    responses((status = 200, body = ProcessCredentials), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn credentials(
    State(api): State<Api>,
    Caller(who): Caller,
    ClientOrigin(origin): ClientOrigin,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let c = api
        .app()
        .access()?
        .credentials(&who, parse_request_id(&id)?, &origin)
        .await?;
    let body = ProcessCredentials {
        version: 1,
        access_key_id: c.access_key_id,
        secret_access_key: c.secret_access_key,
        session_token: c.session_token,
        expiration: cc_domain::access::rfc3339(c.expiration),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// A one-time AWS console sign-in URL for an active grant (the federation endpoint's `login` link;
/// use it within minutes). Not the hub's `ConsoleLink`, which is a standing switch-role/portal link.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct SignInLink {
    url: String,
}

/// A console sign-in link for my active grant.
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/console-link", params(("id" = inline(cc_http::openapi::RequestId), Path)),
    responses((status = 200, body = SignInLink), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn console_link(
    State(api): State<Api>,
    Caller(who): Caller,
    ClientOrigin(origin): ClientOrigin,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let url = api
        .app()
        .access()?
        .console_link(&who, parse_request_id(&id)?, &origin)
        .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(SignInLink { url })).into_response())
}

/// How a grant is used.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum GrantKind {
    /// Credentials of the account's breakglass role (STS), for the CLI and a console sign-in link.
    Role,
    /// A temporary IAM Identity Center permission set: used through the customer's AWS access portal
    /// (or an SSO profile), never through Customer Central credentials.
    Sso,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Session {
    request_id: String,
    requester: String,
    customer: String,
    account_id: String,
    account_name: String,
    /// For SSO grants, the role IAM Identity Center creates for the permission set
    /// (`AWSReservedSSO_<name>_<hash>`).
    role_arn: String,
    kind: GrantKind,
    /// SSO grants: the permission set assigned for the grant.
    permission_set: Option<String>,
    /// SSO grants: the customer's AWS access portal.
    sso_start_url: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    since: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    ends_at: Option<OffsetDateTime>,
    seconds_left: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SessionsQuery {
    /// `mine` (default) or `all` (leads, admins).
    #[param(inline, value_type = Option<SessionScope>)]
    scope: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Active grants with their expiry.
#[utoipa::path(get, path = "/api/v1/sessions", params(SessionsQuery),
    responses((status = 200, body = ListResponse<Session>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn sessions(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<SessionsQuery>,
) -> ApiResult<Json<ListResponse<Session>>> {
    let all = match q.scope.as_deref() {
        None | Some("mine") => false,
        Some("all") => true,
        Some(other) => return Err(Error::validation("scope", format!("'{other}' is not one of: mine, all")).into()),
    };
    let page = PageRequest::new(q.limit, q.cursor)?;
    let now = api.app().clock.now();
    let listed = api.app().access()?.sessions(&who, all, &page).await?.map(|r| Session {
        seconds_left: r.ends_at.map(|e| (e - now).whole_seconds().max(0)).unwrap_or(0),
        request_id: r.id,
        requester: r.requester.to_string(),
        customer: r.customer.to_string(),
        account_id: r.account_id.to_string(),
        account_name: r.account_name,
        role_arn: r.role_arn.to_string(),
        kind: if r.sso.is_some() {
            GrantKind::Sso
        } else {
            GrantKind::Role
        },
        permission_set: r.sso.as_ref().map(|g| g.permission_set.to_string()),
        sso_start_url: r.sso.as_ref().map(|g| g.start_url.to_string()),
        since: r.granted_at,
        ends_at: r.ends_at,
    });
    Ok(Json(listed.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditParams {
    #[param(inline, value_type = Option<CustomerCode>)]
    customer: Option<String>,
    #[param(inline, value_type = Option<AccountId>)]
    account: Option<String>,
    #[param(inline, value_type = Option<cc_domain::ids::Email>)]
    actor: Option<String>,
    /// One access request's events (anyone who may see the request may list them), from a
    /// minute before it was made.
    #[param(inline, value_type = Option<cc_http::openapi::RequestId>)]
    request: Option<String>,
    /// RFC 3339; default 30 days before `to` (with `request`: when the request was made).
    from: Option<String>,
    /// RFC 3339; default now.
    to: Option<String>,
    /// Page size, 1-200 (default 50). With `Accept: application/x-ndjson` the export answers
    /// every page in one response (up to about 5 MB, then `x-next-cursor`), reading this many
    /// events at a time: 1-5000 (default 500).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 5000)]
    limit: Option<usize>,
    /// `next_cursor` of the previous page (for NDJSON, the `x-next-cursor` header of an export
    /// that stopped at its size budget).
    cursor: Option<String>,
}

fn instant(field: &str, v: &Option<String>) -> Result<Option<OffsetDateTime>, Error> {
    v.as_deref()
        .map(|s| {
            OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|_| {
                Error::validation(
                    field,
                    format!("'{s}' is not an RFC 3339 time like 2026-11-01T00:00:00Z"),
                )
            })
        })
        .transpose()
}

/// The audit log, newest first. Engineers list their own events (`actor=` themselves) and those of
/// a `request` they may see; leads and admins everything, or by any of `customer`, `actor`,
/// `account` and `request`. An unknown customer with no
/// events is 404. `Accept: application/x-ndjson` exports JSON lines: every page in one response.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditParams),
    responses((status = 200, description = "A page of events, or with `Accept: application/x-ndjson` every page as JSON lines",
        content((ListResponse<AuditEvent> = "application/json"), (String = "application/x-ndjson"))), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn audit(
    State(api): State<Api>,
    Caller(who): Caller,
    headers: HeaderMap,
    QueryParams(q): QueryParams<AuditParams>,
) -> ApiResult<Response> {
    let to = instant("to", &q.to)?.unwrap_or_else(|| api.app().clock.now());
    // A request's events start when it was made (the domain narrows to that); the range's cap
    // still holds.
    let default_days = if q.request.is_some() { 400 } else { 30 };
    let from = instant("from", &q.from)?.unwrap_or(to - time::Duration::days(default_days));
    if from >= to || to - from > time::Duration::days(400) {
        return Err(Error::validation("from", "from must be before to, at most 400 days apart").into());
    }
    // Codes are case-insensitive: `customer=ACME` reads acme's log.
    let customer = q
        .customer
        .as_deref()
        .map(|c| path_id::<CustomerCode>("customer", c).map(|c| c.to_string()))
        .transpose()?;
    let wants_ndjson = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/x-ndjson"));
    // An export reads page after page (`limit` events at a time) into one response.
    let page = if wants_ndjson {
        PageRequest::up_to(q.limit, q.cursor, 500, 5000)?
    } else {
        PageRequest::new(q.limit, q.cursor)?
    };
    if let Some(a) = &q.account {
        path_id::<AccountId>("account", a)?;
    }
    let query = AuditQuery {
        customer,
        account: q.account,
        actor: q
            .actor
            .map(|a| path_id::<cc_domain::ids::Email>("actor", &a).map(|e| e.to_string()))
            .transpose()?,
        request: match q.request {
            Some(r) if parse_request_id(&r).is_err() => {
                return Err(Error::validation("request", "not a request id (26 characters of 0-9 and a-z)").into());
            }
            r => r,
        },
        from,
        to,
    };
    let access = api.app().access()?;
    if wants_ndjson {
        let (body, next) = export_ndjson(access, &who, &query, page, EXPORT_BUDGET).await?;
        let mut res = ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response();
        if let Some(next) = next.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
            res.headers_mut().insert("x-next-cursor", next);
        }
        return Ok(res);
    }
    let listed = access.audit(&who, &query, &page).await?;
    Ok(Json(ListResponse::from(listed)).into_response())
}

/// How much an export answers at most: Lambda's buffered responses stop at 6 MB.
pub const EXPORT_BUDGET: usize = 5 * 1024 * 1024;

/// The audit log as JSON lines, one per event, newest first: page after page until the end, or
/// until another page might not fit in `budget` bytes (judged by the longest line so far); then
/// the cursor to continue from (the `x-next-cursor` header).
pub async fn export_ndjson(
    access: &Access,
    who: &Principal,
    query: &AuditQuery,
    mut page: PageRequest,
    budget: usize,
) -> Result<(String, Option<String>), Error> {
    let mut body = String::new();
    let mut longest = 0;
    loop {
        let listed = access.audit(who, query, &page).await?;
        for e in &listed.items {
            let line = serde_json::to_string(e).map_err(|e| Error::Internal(e.into()))?;
            longest = longest.max(line.len() + 1);
            body.push_str(&line);
            body.push('\n');
        }
        match listed.next_cursor {
            Some(next) if body.len() + longest * page.limit <= budget => page.cursor = Some(next),
            next => return Ok((body, next)),
        }
    }
}
