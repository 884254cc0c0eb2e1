//! Breakglass decisions (the `approval` function): approve or reject with a comment. The
//! workflow's task handlers (record the task token, grant, end) join here with the Step Functions
//! adapter; the rules live in `cc_domain::access`.

pub mod tasks;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use cc_domain::access::{AccessRequest, Verdict, parse_request_id};
use cc_http::error::{ApiResult, ErrorBody};
use cc_http::{Api, Caller, ClientOrigin, JsonBody};
use serde::Deserialize;
use utoipa::OpenApi;

pub fn router(api: Api) -> Router {
    cc_http::layers::finish(routes(), api, query_rules())
}

pub fn routes() -> Router<Api> {
    Router::new().route("/api/v1/access-requests/{id}/decisions", post(decide))
}

#[derive(OpenApi)]
#[openapi(paths(decide))]
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    #[schema(inline)]
    decision: Verdict,
    #[serde(default)]
    comment: String,
}

/// Approves or rejects a pending request. 409 once it is no longer pending; 403 for the
/// requester, for someone without an approver role, or for a second decision by the same person.
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/decisions", params(("id" = inline(cc_http::openapi::RequestId), Path)), request_body = DecisionBody,
    responses((status = 200, body = AccessRequest), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn decide(
    State(api): State<Api>,
    Caller(who): Caller,
    ClientOrigin(origin): ClientOrigin,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DecisionBody>,
) -> ApiResult<Json<AccessRequest>> {
    let id = parse_request_id(&id)?;
    Ok(Json(
        api.app()
            .access()?
            .decide(&who, id, body.decision, &body.comment, &origin)
            .await?,
    ))
}
