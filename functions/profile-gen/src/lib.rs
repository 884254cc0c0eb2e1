//! Profile routes (the `profile-gen` function): the caller's AWS profiles as `~/.aws/config` text
//! or JSON, and their stored preferences. Rendering lives in `cc_domain::profiles`.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cc_domain::Error;
use cc_domain::hub::Environment;
use cc_domain::ids::Region;
use cc_domain::profiles::service::ProfileQuery;
use cc_domain::profiles::{Kind, Preferences, ProfileSet};
use cc_http::error::{ApiResult, ErrorBody};
use cc_http::{Api, Caller, JsonBody, QueryParams};
use serde::Deserialize;
use utoipa::OpenApi;

pub fn router(api: Api) -> Router {
    cc_http::layers::finish(routes(), api, query_rules())
}

pub fn routes() -> Router<Api> {
    Router::new().route("/api/v1/profiles", get(profiles)).route(
        "/api/v1/me/profile-preferences",
        get(get_preferences).put(put_preferences),
    )
}

#[derive(OpenApi)]
#[openapi(paths(profiles, get_preferences, put_preferences))]
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

/// The profiles' format.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum Format {
    Ini,
    Json,
}

/// `true` or `false`.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum Flag {
    True,
    False,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ProfilesQuery {
    /// `ini` (default) or `json`.
    #[param(inline, value_type = Option<Format>)]
    format: Option<String>,
    /// Comma-separated customer codes.
    customer: Option<String>,
    /// `prod` or `non-prod`.
    #[param(inline, value_type = Option<Environment>)]
    environment: Option<String>,
    /// Comma-separated kinds: `read`, `breakglass`, `sso`.
    kind: Option<String>,
    /// Region for every profile (default: each account's region).
    region: Option<String>,
    /// Naming template, e.g. `{customer}-{account}-{role}`.
    template: Option<String>,
    /// The hub profile role chains start from.
    hub_profile: Option<String>,
    /// The command line of the `cc` asking (`cc profiles sync` sends its own full path): what
    /// breakglass profiles' `credential_process` runs unless the stored `cli_command` says otherwise.
    cli_path: Option<String>,
    /// `true`: every customer (leads and admins).
    #[param(inline, value_type = Option<Flag>)]
    all: Option<String>,
}

fn list(v: &Option<String>) -> Option<Vec<String>> {
    v.as_ref().map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    })
}

/// The caller's profiles: `~/.aws/config` sections (text/plain) or JSON.
#[utoipa::path(get, path = "/api/v1/profiles", params(ProfilesQuery),
    responses((status = 200, description = "The profiles: `~/.aws/config` sections (`format=ini`, the default) or JSON (`format=json`)",
        content((String = "text/plain"), (ProfileSet = "application/json"))), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn profiles(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<ProfilesQuery>,
) -> ApiResult<Response> {
    let json = match q.format.as_deref() {
        None | Some("ini") => false,
        Some("json") => true,
        Some(other) => return Err(Error::validation("format", format!("'{other}' is not one of: ini, json")).into()),
    };
    let all = match q.all.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(Error::validation("all", format!("'{other}' is not true or false")).into()),
    };
    let query = ProfileQuery {
        customers: list(&q.customer),
        environment: q.environment.as_deref().map(str::parse::<Environment>).transpose()?,
        kinds: list(&q.kind)
            .map(|ks| ks.iter().map(|k| k.parse::<Kind>()).collect::<Result<Vec<_>, _>>())
            .transpose()?,
        region: q
            .region
            .map(|r| Region::parse(r).map_err(|e| Error::validation("region", e.to_string())))
            .transpose()?,
        template: q.template,
        hub_profile: q.hub_profile,
        cli_path: q.cli_path,
        all,
    };
    let set = api.app().profiles.generate(&who, &query).await?;
    if json {
        return Ok(Json(set).into_response());
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], set.to_ini()).into_response())
}

/// My profile preferences (template, default region, hub profile name, ...).
#[utoipa::path(get, path = "/api/v1/me/profile-preferences", responses((status = 200, body = Preferences)))]
async fn get_preferences(State(api): State<Api>, Caller(who): Caller) -> ApiResult<Json<Preferences>> {
    Ok(Json(api.app().profiles.preferences(&who).await?))
}

/// Replaces my preferences. Send the `version` you read (0 at first).
#[utoipa::path(put, path = "/api/v1/me/profile-preferences", request_body = Preferences,
    responses((status = 200, body = Preferences), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn put_preferences(
    State(api): State<Api>,
    Caller(who): Caller,
    JsonBody(prefs): JsonBody<Preferences>,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(api.app().profiles.put_preferences(&who, prefs).await?))
}
