//! The utilisation routes (the `utilisation` function): a customer's contracts against the hours
//! the team logged, one contract with its entitlement history, hours on unmapped task codes, the
//! task code mappings and their history, CSV imports of contracts and worklogs, and sync runs
//! (list, and an admin's sync now). Handlers parse, call
//! `cc_domain::utilisation::service::Utilisation` (which authorises), and map the result.
//!
//! Deviation from DESIGN.md's routes table (`GET /utilisation/{contract}`): a contract number is
//! only unique per customer (two customers' Salesforce orgs, or CSV imports, may both have
//! `00000100`), so one contract is `GET /api/v1/utilisation/contracts/{customer}/{contract}`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use cc_domain::Error;
use cc_domain::ids::ContractId;
use cc_domain::utilisation::mapping::{TaskCodeMapping, UnmappedCode};
use cc_domain::utilisation::portfolio::{Portfolio, TeamMonth};
use cc_domain::utilisation::service::{ContractDetail, CustomerUtilisation, ImportOutcome, SyncRun};
use cc_domain::utilisation::store::{TaskCodeChange, TaskCodes};
use cc_http::error::{ApiError, ApiResult, ErrorBody};
use cc_http::extract::{customer_param, day, num, path_id};
use cc_http::{Admin, Api, Caller, JsonBody, QueryParams};
use serde::Deserialize;
use time::Date;
use utoipa::OpenApi;

/// How far back the unmapped-hours report reaches by default (days before `to`).
const UNMAPPED_DAYS: i64 = 90;

/// The function's routes, ready for `cc_http::lambda::run` or for merging into the local server.
pub fn router(api: Api) -> Router {
    cc_http::layers::finish(routes(), api, query_rules())
}

/// The routes without the shared layers (the local server merges these before layering once).
pub fn routes() -> Router<Api> {
    Router::new()
        .route("/api/v1/utilisation", get(customer))
        .route("/api/v1/utilisation/contracts/{customer}/{contract}", get(contract))
        .route("/api/v1/utilisation/unmapped", get(unmapped))
        .route("/api/v1/utilisation/portfolio", get(portfolio))
        .route("/api/v1/utilisation/team", get(team))
        .route("/api/v1/utilisation/imports/contracts", post(import_contracts))
        .route("/api/v1/utilisation/imports/worklogs", post(import_worklogs))
        .route("/api/v1/utilisation/runs", get(list_sync_runs).post(start_sync_run))
        .route("/api/v1/task-codes", get(task_codes).put(put_task_codes))
        .route("/api/v1/task-codes/history", get(task_code_history))
}

/// This function's own routes (merged by the `docs` function into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(paths(
    customer,
    contract,
    unmapped,
    portfolio,
    team,
    import_contracts,
    import_worklogs,
    list_sync_runs,
    start_sync_run,
    task_codes,
    put_task_codes,
    task_code_history
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

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CustomerQuery {
    /// The customer code.
    customer: String,
}

/// A customer's contracts as of today (UTC) and where each stands: hours used against the
/// entitlement and the monthly allocation, month by month, the status (on track, running out
/// early, ...), and the task codes whose hours count for it. Current contracts first.
#[utoipa::path(get, path = "/api/v1/utilisation", params(CustomerQuery),
    responses((status = 200, body = CustomerUtilisation), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn customer(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<CustomerQuery>,
) -> ApiResult<Json<CustomerUtilisation>> {
    let code = customer_param(&q.customer)?;
    Ok(Json(api.app().utilisation()?.customer(&who, &code).await?))
}

/// One contract of a customer with its usage and its entitlement history (oldest change first).
#[utoipa::path(get, path = "/api/v1/utilisation/contracts/{customer}/{contract}",
    params(("customer" = inline(cc_domain::ids::CustomerCode), Path),
        ("contract" = inline(cc_domain::ids::ContractId), Path, description = "The contract number (unique per customer)")),
    responses((status = 200, body = ContractDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn contract(
    State(api): State<Api>,
    Caller(who): Caller,
    Path((customer, contract)): Path<(String, String)>,
) -> ApiResult<Json<ContractDetail>> {
    let code = customer_param(&customer)?;
    let id: ContractId = path_id("contract", &contract)?;
    Ok(Json(api.app().utilisation()?.contract(&who, &code, &id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct UnmappedQuery {
    /// First day (YYYY-MM-DD, UTC); default 90 days before `to`.
    #[serde(default, deserialize_with = "day::opt")]
    #[param(value_type = Option<String>, format = Date)]
    from: Option<Date>,
    /// Last day, inclusive (YYYY-MM-DD, UTC); default today.
    #[serde(default, deserialize_with = "day::opt")]
    #[param(value_type = Option<String>, format = Date)]
    to: Option<Date>,
}

/// Hours logged on task codes that no mapping matches, per code (most hours first), over
/// `[from, to]`: the code, hours, worklogs, first and last day and who logged them. At most 13
/// calendar months at once.
#[utoipa::path(get, path = "/api/v1/utilisation/unmapped", params(UnmappedQuery),
    responses((status = 200, body = Vec<UnmappedCode>), (status = 400, body = ErrorBody)))]
async fn unmapped(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<UnmappedQuery>,
) -> ApiResult<Json<Vec<UnmappedCode>>> {
    let to = q.to.unwrap_or_else(|| api.app().clock.now().date());
    let from = q.from.unwrap_or(to - time::Duration::days(UNMAPPED_DAYS));
    Ok(Json(api.app().utilisation()?.unmapped(&who, from, to).await?))
}

/// Every customer's current contracts (not yet ended) and where each stands today: hours used
/// and left, the forecast, the day the hours run out, the flags. Customers needing a look
/// (running out early, exhausted, consistently exceeded) first, then by name; customers without a
/// current contract are listed with none.
#[utoipa::path(get, path = "/api/v1/utilisation/portfolio",
    responses((status = 200, body = Portfolio)))]
async fn portfolio(State(api): State<Api>, Caller(who): Caller) -> ApiResult<Json<Portfolio>> {
    Ok(Json(api.app().utilisation()?.portfolio(&who).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TeamQuery {
    /// The calendar month, `YYYY-MM`; default this month (UTC).
    #[serde(default, deserialize_with = "day::opt_month")]
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-[0-9]{2}$")]
    month: Option<Date>,
}

/// Who logged what across customers in a month: per person, every hour, the mapped hours per
/// customer and contract, and the hours on unmapped task codes. Most hours first.
#[utoipa::path(get, path = "/api/v1/utilisation/team", params(TeamQuery),
    responses((status = 200, body = TeamMonth), (status = 400, body = ErrorBody)))]
async fn team(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<TeamQuery>,
) -> ApiResult<Json<TeamMonth>> {
    let month = q.month.unwrap_or_else(|| api.app().clock.now().date());
    Ok(Json(api.app().utilisation()?.team(&who, month).await?))
}

/// The task code mappings and the `version` to send back with a change (any role).
#[utoipa::path(get, path = "/api/v1/task-codes",
    responses((status = 200, body = TaskCodes)))]
async fn task_codes(State(api): State<Api>, Caller(who): Caller) -> ApiResult<Json<TaskCodes>> {
    Ok(Json(api.app().utilisation()?.task_codes(&who).await?))
}

/// The whole list of mappings, replacing the kept one.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TaskCodesUpdate {
    mappings: Vec<TaskCodeMapping>,
    /// The `version` read (0 before the first change).
    version: u64,
}

/// Replaces the task code mappings (admin), at the `version` read. Each mapping's customer must
/// exist and its contract, when given, must be one of that customer's; a code may be mapped once
/// exactly and once as a prefix. At most 5,000 mappings. Validated as a whole: nothing is written
/// on any error.
#[utoipa::path(put, path = "/api/v1/task-codes", request_body = TaskCodesUpdate,
    responses((status = 200, body = TaskCodes),
        (status = 400, description = "Invalid input; `error.errors` names each row (1-based in `mappings`); nothing written", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "`version_conflict`: changed since read", body = ErrorBody)))]
async fn put_task_codes(
    State(api): State<Api>,
    Admin(who): Admin,
    JsonBody(body): JsonBody<TaskCodesUpdate>,
) -> ApiResult<Json<TaskCodes>> {
    Ok(Json(
        api.app()
            .utilisation()?
            .put_task_codes(&who, body.mappings, body.version)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// How many changes, 1-500 (default 50).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<usize>,
}

/// The changes of the task code mappings, newest first: who, when, what was added and removed.
#[utoipa::path(get, path = "/api/v1/task-codes/history", params(HistoryQuery),
    responses((status = 200, body = Vec<TaskCodeChange>), (status = 400, body = ErrorBody)))]
async fn task_code_history(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> ApiResult<Json<Vec<TaskCodeChange>>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Error::validation("limit", "'limit' must be 1-500").into());
    }
    Ok(Json(api.app().utilisation()?.task_code_history(&who, limit).await?))
}

/// Imports contracts from a CSV file (admin), at most 4 MiB: a header row with `contract`,
/// `customer`, `start`, `end`, `entitled_hours` and optionally `name`, `monthly_allocation`,
/// `status`. Send the file as the body (`text/csv`) or as the `file` part of
/// `multipart/form-data`. Checked as a whole: a bad row stores nothing and the error names its row
/// and column. A contract already kept is updated, its entitlement change recorded.
#[utoipa::path(post, path = "/api/v1/utilisation/imports/contracts",
    request_body(content((CsvFile = "text/csv"), (CsvForm = "multipart/form-data"))),
    responses((status = 201, body = ImportOutcome), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn import_contracts(
    State(api): State<Api>,
    Admin(who): Admin,
    req: Request,
) -> ApiResult<(StatusCode, Json<ImportOutcome>)> {
    let file = upload(req).await?;
    let outcome = api.app().utilisation()?.import_contracts(&who, &file).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// Imports timesheet hours from a CSV file (admin), at most 4 MiB: a header row with `date`,
/// `person`, `task_code`, `hours` and optionally `note`, `id`. Send the file as the body
/// (`text/csv`) or as the `file` part of `multipart/form-data`. Checked as a whole: a bad row
/// stores nothing and the error names its row and column. Importing the same file again replaces
/// the same worklogs.
#[utoipa::path(post, path = "/api/v1/utilisation/imports/worklogs",
    request_body(content((CsvFile = "text/csv"), (CsvForm = "multipart/form-data"))),
    responses((status = 201, body = ImportOutcome), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn import_worklogs(
    State(api): State<Api>,
    Admin(who): Admin,
    req: Request,
) -> ApiResult<(StatusCode, Json<ImportOutcome>)> {
    let file = upload(req).await?;
    let outcome = api.app().utilisation()?.import_worklogs(&who, &file).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// A CSV file as the request body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
struct CsvFile(Vec<u8>);

/// A CSV file as a form's `file` part.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct CsvForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The uploaded CSV file: the body itself, or the `file` part of a multipart form (as billing's
/// import reads it). An empty file is a 400 naming `file`.
async fn upload(req: Request) -> Result<Bytes, ApiError> {
    let file = cc_http::extract::upload(req, &["text/csv", "application/csv"], "CSV file").await?;
    if file.is_empty() {
        return Err(Error::validation("file", "the file is empty").into());
    }
    Ok(file)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RunsQuery {
    /// How many runs, 1-100 (default 20).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// The latest syncs of contracts (Salesforce) and worklogs (JIRA), newest first: per source the
/// status, error, requests and rejected records, and what was written.
#[utoipa::path(get, path = "/api/v1/utilisation/runs", params(RunsQuery),
    responses((status = 200, body = Vec<SyncRun>), (status = 400, body = ErrorBody)))]
async fn list_sync_runs(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<RunsQuery>,
) -> ApiResult<Json<Vec<SyncRun>>> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(Error::validation("limit", "'limit' must be 1-100").into());
    }
    Ok(Json(api.app().utilisation()?.runs(&who, limit).await?))
}

/// Syncs contracts and worklogs now (admin), as the daily `utilisation.sync` job does; answers
/// with the run when it is done. One source failing never stops the other: its error is in the
/// run.
#[utoipa::path(post, path = "/api/v1/utilisation/runs",
    responses((status = 201, body = SyncRun), (status = 403, body = ErrorBody),
        (status = 409, description = "`version_conflict`: another sync ran at the same time", body = ErrorBody)))]
async fn start_sync_run(State(api): State<Api>, Admin(who): Admin) -> ApiResult<(StatusCode, Json<SyncRun>)> {
    Ok((StatusCode::CREATED, Json(api.app().utilisation()?.sync_as(&who).await?)))
}
