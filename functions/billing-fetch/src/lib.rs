//! The billing routes (the `billing-fetch` function): costs over a range, the portfolio overview,
//! top movers, cost anomalies and their lifecycle, fetch runs (list, and an admin's run now),
//! export imports (and removing imported costs), a customer's billing settings and its
//! organisation facts. Handlers parse, call
//! `cc_domain::billing::Billing` (which authorises), and map the result.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use cc_domain::Error;
use cc_domain::billing::costs::{CostGroup, CostQuery, CostReport, Granularity, Grouping, Mover};
use cc_domain::billing::import::ImportSummary;
use cc_domain::billing::org::{AddDiscovered, OrgView};
use cc_domain::billing::service::{AnomalyFilter, ImportsRemoved, Overview, SettingsUpdate};
use cc_domain::billing::settings::BillingSettings;
use cc_domain::billing::store::{Move, StoredAnomaly};
use cc_domain::billing::{AnomalyStatus, BillingRun, Scope};
use cc_domain::hub::BulkOutcome;
use cc_domain::ids::AccountId;
use cc_http::error::{ApiError, ApiResult, ErrorBody};
use cc_http::extract::{Uploaded, customer_code, customer_param, day, num, path_id};
use cc_http::{Admin, Api, Caller, JsonBody, ListResponse, PageParams, QueryParams};
use serde::Deserialize;
use time::Date;
use utoipa::OpenApi;

/// The function's routes, ready for `cc_http::lambda::run` or for merging into the local server.
pub fn router(api: Api) -> Router {
    cc_http::layers::finish(routes(), api, query_rules())
}

/// The routes without the shared layers (the local server merges these before layering once).
pub fn routes() -> Router<Api> {
    Router::new()
        .route("/api/v1/billing/overview", get(overview))
        .route("/api/v1/billing/costs", get(costs))
        .route("/api/v1/billing/movers", get(movers))
        .route("/api/v1/billing/anomalies", get(list_anomalies))
        .route("/api/v1/billing/anomalies/{id}/acknowledge", post(acknowledge))
        .route("/api/v1/billing/anomalies/{id}/resolve", post(resolve))
        .route("/api/v1/billing/runs", get(list_runs).post(start_run))
        .route("/api/v1/billing/imports", post(import).delete(remove_imports))
        .route("/api/v1/billing/settings/{code}", get(get_settings).put(put_settings))
        .route("/api/v1/billing/organizations/{code}", get(organization))
        .route("/api/v1/billing/organizations/{code}/discovered", post(add_discovered))
}

/// This function's own routes (merged by the `docs` function into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(paths(
    overview,
    costs,
    movers,
    list_anomalies,
    acknowledge,
    resolve,
    list_runs,
    start_run,
    import,
    remove_imports,
    get_settings,
    put_settings,
    organization,
    add_discovered
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
struct OverviewQuery {
    /// Only this customer (its page's month to date and anomaly counts).
    customer: Option<String>,
}

/// Every customer's month to date against the same days of last month, the forecast to month
/// end, and open / acknowledged cost anomalies; as of yesterday (UTC). With `customer`, only that
/// customer.
#[utoipa::path(get, path = "/api/v1/billing/overview", params(OverviewQuery),
    responses((status = 200, body = Overview), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn overview(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<OverviewQuery>,
) -> ApiResult<Json<Overview>> {
    let billing = api.app().billing()?;
    Ok(Json(match q.customer {
        None => billing.overview(&who).await?,
        Some(c) => {
            let code = customer_param(&c)?;
            billing.customer_overview(&who, &code).await?
        }
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CostsQuery {
    /// The customer code.
    customer: String,
    /// One account (12 digits).
    account: Option<String>,
    /// One service, as Cost Explorer names it (e.g. `Amazon Elastic Compute Cloud - Compute`).
    service: Option<String>,
    /// First day (YYYY-MM-DD, UTC); default 30 days before `to`.
    #[serde(default, deserialize_with = "day::opt")]
    #[param(value_type = Option<String>, format = Date)]
    from: Option<Date>,
    /// Last day, inclusive (YYYY-MM-DD, UTC); default yesterday.
    #[serde(default, deserialize_with = "day::opt")]
    #[param(value_type = Option<String>, format = Date)]
    to: Option<Date>,
    #[param(inline)]
    granularity: Option<Granularity>,
    /// What rows are per besides the period: `none` (default) per account and service,
    /// `service` summed over the accounts, `account` summed over the services.
    #[param(inline)]
    group: Option<CostGroup>,
    /// With `group`: keep the `top` groups with the largest total over the range (per currency)
    /// and sum the rest into one row per period with `other: true` (when two or more are left;
    /// one left keeps its name). 1-50.
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50)]
    top: Option<usize>,
}

/// A customer's costs over `[from, to]`: rows per period and account and service (or per
/// service, or per account, with `group`; the largest `top` groups and Other, with `top`), totals
/// by account, by service and overall, per currency (amounts in currency units, not cents); a
/// row says whether Cost Explorer still estimates any of its days (`estimated`). Ranges reach
/// back at most 14 calendar months (what Cost Explorer keeps). The chart's request
/// (`group=service&top=8`) answers at most 9 rows a period and currency, however many accounts
/// and services the customer has. Errors: 400 `validation_failed` naming `top` for a `top`
/// without `group` or outside 1-50.
#[utoipa::path(get, path = "/api/v1/billing/costs", params(CostsQuery),
    responses((status = 200, body = CostReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn costs(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<CostsQuery>,
) -> ApiResult<Json<CostReport>> {
    let billing = api.app().billing()?;
    let to = q.to.unwrap_or_else(|| billing.as_of());
    let from = q.from.unwrap_or(to - time::Duration::days(30));
    let account = q.account.map(|a| path_id::<AccountId>("account", &a)).transpose()?;
    if let Some(s) = &q.service {
        cc_domain::text::line("service", s, 1, 200)?;
    }
    let query = CostQuery {
        customer: customer_param(&q.customer)?,
        from,
        to,
        account,
        service: q.service,
        granularity: q.granularity.unwrap_or_default(),
        grouping: Grouping::new(q.group, q.top)?,
    };
    Ok(Json(billing.costs(&who, &query).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MoversQuery {
    customer: String,
    /// First day of the window (YYYY-MM-DD); default 6 days before `to` (a week).
    #[serde(default, deserialize_with = "day::opt")]
    #[param(value_type = Option<String>, format = Date)]
    from: Option<Date>,
    /// Last day, inclusive; default yesterday.
    #[serde(default, deserialize_with = "day::opt")]
    #[param(value_type = Option<String>, format = Date)]
    to: Option<Date>,
    /// How many, 1-100 (default 10).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// The movers of a window and the window they are compared with.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Movers {
    #[schema(value_type = String, format = Date)]
    from: String,
    #[schema(value_type = String, format = Date)]
    to: String,
    /// The first day of the earlier window of the same length, which ends the day before `from`.
    #[schema(value_type = String, format = Date)]
    compared_from: String,
    /// Largest change in money first.
    items: Vec<Mover>,
}

/// The (account, service) pairs whose spend changed most in `[from, to]` against the window of
/// the same length just before it.
#[utoipa::path(get, path = "/api/v1/billing/movers", params(MoversQuery),
    responses((status = 200, body = Movers), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn movers(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<MoversQuery>,
) -> ApiResult<Json<Movers>> {
    let billing = api.app().billing()?;
    let customer = customer_param(&q.customer)?;
    let to = q.to.unwrap_or_else(|| billing.as_of());
    let from = q.from.unwrap_or(to - time::Duration::days(6));
    let limit = q.limit.unwrap_or(10);
    let items = billing.movers(&who, &customer, from, to, limit).await?;
    let len = (to - from).whole_days() + 1;
    Ok(Json(Movers {
        from: from.to_string(),
        to: to.to_string(),
        compared_from: (from - time::Duration::days(len)).to_string(),
        items,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AnomalyQuery {
    /// One customer's anomalies (any status unless `status` is given).
    customer: Option<String>,
    /// Without `customer`: every customer's anomalies in this status (default `open`).
    #[param(inline)]
    status: Option<AnomalyStatus>,
    /// Page size, 1-200 (default 50).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Cost anomalies, newest detection first: one customer's, or every customer's in one status.
#[utoipa::path(get, path = "/api/v1/billing/anomalies", params(AnomalyQuery),
    responses((status = 200, body = ListResponse<StoredAnomaly>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_anomalies(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<AnomalyQuery>,
) -> ApiResult<Json<ListResponse<StoredAnomaly>>> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let filter = AnomalyFilter {
        customer: q.customer.as_deref().map(customer_param).transpose()?,
        status: q.status,
    };
    Ok(Json(api.app().billing()?.anomalies(&who, &filter, &page).await?.into()))
}

/// Acknowledging or resolving an anomaly: whose it is, why, and the version read.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AnomalyMove {
    /// The customer the anomaly belongs to.
    customer: String,
    /// Up to 2000 characters; required to resolve (what was done about it: the monthly report
    /// shows it).
    #[serde(default)]
    note: String,
    /// The anomaly's `version` as read.
    version: u64,
}

async fn move_anomaly(
    api: &Api,
    who: &cc_domain::identity::Principal,
    id: &str,
    to: Move,
    body: AnomalyMove,
) -> ApiResult<Json<StoredAnomaly>> {
    let customer = customer_param(&body.customer)?;
    Ok(Json(
        api.app()
            .billing()?
            .move_anomaly(who, &customer, id, to, &body.note, body.version)
            .await?,
    ))
}

/// Acknowledges an open anomaly: someone is looking at it.
#[utoipa::path(post, path = "/api/v1/billing/anomalies/{id}/acknowledge", params(("id" = String, Path, description = "yyyymmdd-<16 hex digits>")),
    request_body = AnomalyMove,
    responses((status = 200, body = StoredAnomaly), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`version_conflict`: changed since read; `anomaly_state`: not open", body = ErrorBody)))]
async fn acknowledge(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AnomalyMove>,
) -> ApiResult<Json<StoredAnomaly>> {
    move_anomaly(&api, &who, &id, Move::Acknowledge, body).await
}

/// Resolves an open or acknowledged anomaly, with a note on what was done.
#[utoipa::path(post, path = "/api/v1/billing/anomalies/{id}/resolve", params(("id" = String, Path, description = "yyyymmdd-<16 hex digits>")),
    request_body = AnomalyMove,
    responses((status = 200, body = StoredAnomaly), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`version_conflict`: changed since read; `anomaly_state`: already resolved", body = ErrorBody)))]
async fn resolve(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AnomalyMove>,
) -> ApiResult<Json<StoredAnomaly>> {
    move_anomaly(&api, &who, &id, Move::Resolve, body).await
}

/// Fetch runs, newest first: per customer and payer the status, reason, days and cells, and the
/// Cost Explorer requests made and their cost (USD 0.01 each).
#[utoipa::path(get, path = "/api/v1/billing/runs", params(PageParams),
    responses((status = 200, body = ListResponse<BillingRun>), (status = 400, body = ErrorBody)))]
async fn list_runs(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<PageParams>,
) -> ApiResult<Json<ListResponse<BillingRun>>> {
    let page = q.page()?;
    Ok(Json(api.app().billing()?.list_runs(&who, &page).await?.into()))
}

/// What to fetch now.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    /// The customer to fetch. Every customer is the daily schedule's work (`billing.fetch`, or
    /// `cc jobs run billing.fetch`): a run over all of them can outlast an HTTP request.
    customer: String,
}

/// Fetches one customer now (admin): Cost Explorer and the organisation facts, then cost-jump
/// detection. Answers when the run is done, with its record. Each page is a billed Cost Explorer
/// request; a customer fetched today re-fetches only the last few days. One writer of a
/// customer's costs at a time: while another run (an admin's, or the daily schedule's) is
/// fetching it, 409 `fetch_running`; while an import writes its costs, 409 `import_running`.
/// Audited (`billing_fetch_started`).
#[utoipa::path(post, path = "/api/v1/billing/runs", request_body = RunRequest,
    responses((status = 201, body = BillingRun), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`fetch_running`: another run is fetching the customer; `import_running`: an import is writing its costs; nothing was started", body = ErrorBody)))]
async fn start_run(
    State(api): State<Api>,
    Admin(who): Admin,
    JsonBody(body): JsonBody<RunRequest>,
) -> ApiResult<(StatusCode, Json<BillingRun>)> {
    let scope = Scope::Customer(customer_param(&body.customer)?);
    Ok((
        StatusCode::CREATED,
        Json(api.app().billing()?.run_as(&who, scope).await?),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// The customer the costs are for.
    customer: String,
}

/// Imports a cost and usage export (admin): FOCUS 1.0+ or legacy CUR, CSV plain or gzip, at most
/// 4 MiB in all (larger files: `cc billing import`). Send the file as the body (`text/csv`,
/// `application/gzip` or `application/octet-stream`) or as the `file` part of
/// `multipart/form-data`; the parts of one export (AWS Data Exports split a month into
/// `…-00001.csv.gz`, `…-00002.csv.gz`, ...) must be imported together, as several `file` parts of
/// one form: their amounts are summed before storing (parts with the same content are refused,
/// naming them: a part given twice would count twice). An export is per billing month: the import
/// **replaces the imported costs of each month the file has costs in** (`months_replaced`; the
/// imported cells of those months the file no longer has are removed, `cells_removed`), never a
/// fetch's. Every file is checked before anything is stored: a bad row stores nothing and the
/// error names its file (when several), row and column. Then runs cost-jump detection.
#[utoipa::path(post, path = "/api/v1/billing/imports", params(ImportQuery),
    request_body(content(
        (ImportFile = "text/csv"),
        (ImportFile = "application/gzip"),
        (ImportFile = "application/octet-stream"),
        (ImportForm = "multipart/form-data"),
    )),
    responses((status = 201, body = ImportSummary), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`fetch_running` / `import_running`: a fetch or another import is writing the customer's costs; nothing was stored", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn import(
    State(api): State<Api>,
    Admin(who): Admin,
    QueryParams(q): QueryParams<ImportQuery>,
    req: Request,
) -> ApiResult<(StatusCode, Json<ImportSummary>)> {
    let customer = customer_param(&q.customer)?;
    let files = upload(req).await?;
    let mut parts = Vec::with_capacity(files.len());
    for (i, f) in files.into_iter().enumerate() {
        let name = if f.name.is_empty() {
            format!("file {}", i + 1)
        } else {
            f.name
        };
        if f.bytes.is_empty() {
            return Err(Error::validation("file", format!("{name} is empty")).into());
        }
        parts.push((name, std::io::Cursor::new(f.bytes)));
    }
    let summary = api.app().billing()?.import(&who, &customer, parts).await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RemoveImportsQuery {
    /// The customer whose imported costs are removed.
    customer: String,
    /// The first month, `YYYY-MM`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}$", example = "2024-09")]
    from: String,
    /// The last month, `YYYY-MM`, inclusive (default: `from`, one month).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}$", example = "2024-10")]
    to: Option<String>,
}

/// Removes a customer's imported costs (admin) of the months `from` to `to`: every daily cost an
/// import wrote (the API's or `cc billing import`'s) in those months; costs fetched from Cost
/// Explorer (and the demo's) stay. Audited (`imported_costs_removed`); then runs cost-jump
/// detection, as an import does. The same in the CLI: `cc billing remove-imported`.
#[utoipa::path(delete, path = "/api/v1/billing/imports", params(RemoveImportsQuery),
    responses((status = 200, body = ImportsRemoved), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`fetch_running` / `import_running`: a fetch or an import is writing the customer's costs; nothing was removed", body = ErrorBody)))]
async fn remove_imports(
    State(api): State<Api>,
    Admin(who): Admin,
    QueryParams(q): QueryParams<RemoveImportsQuery>,
) -> ApiResult<Json<ImportsRemoved>> {
    let customer = customer_param(&q.customer)?;
    Ok(Json(
        api.app()
            .billing()?
            .remove_imports(&who, &customer, &q.from, q.to.as_deref())
            .await?,
    ))
}

/// An export file as the request body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
struct ImportFile(Vec<u8>);

/// An export as a form's `file` parts: one file, or every part of one export (AWS Data Exports'
/// `…-00001.csv.gz`, `…-00002.csv.gz`, ...), summed before storing.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ImportForm {
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
}

/// The uploaded export: the body itself (one CSV or gzip file), or every `file` part of a
/// multipart form.
async fn upload(req: Request) -> Result<Vec<Uploaded>, ApiError> {
    cc_http::extract::uploads(
        req,
        &[
            "text/csv",
            "application/csv",
            "application/gzip",
            "application/x-gzip",
            "application/octet-stream",
        ],
        "export",
    )
    .await
}

/// A customer's billing settings: the cost metric kept and the cost-jump thresholds.
#[utoipa::path(get, path = "/api/v1/billing/settings/{code}", params(("code" = inline(cc_domain::ids::CustomerCode), Path)),
    responses((status = 200, body = BillingSettings), (status = 404, body = ErrorBody)))]
async fn get_settings(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<BillingSettings>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().billing()?.settings(&who, &code).await?))
}

/// Replaces a customer's billing settings (admin). Send the `version` read (0 for the defaults).
/// A metric change makes the next fetch backfill the whole window Cost Explorer keeps (13 months
/// and this one) in the new metric; `backfill_pending` says so until it has.
#[utoipa::path(put, path = "/api/v1/billing/settings/{code}", params(("code" = inline(cc_domain::ids::CustomerCode), Path)),
    request_body = SettingsUpdate,
    responses((status = 200, body = BillingSettings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn put_settings(
    State(api): State<Api>,
    Admin(who): Admin,
    Path(code): Path<String>,
    JsonBody(update): JsonBody<SettingsUpdate>,
) -> ApiResult<Json<BillingSettings>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().billing()?.put_settings(&who, &code, update).await?))
}

/// A customer's organisations, one per management (payer) account: each one's facts (its id,
/// management account, member count, flagged hub accounts, discovered count; an organisation
/// appears once a fetch through its management account refreshed it, so the list is empty before
/// any), and the accounts of its organisations that the hub does not have (discovered, each with
/// the management account of its organisation).
#[utoipa::path(get, path = "/api/v1/billing/organizations/{code}", params(("code" = inline(cc_domain::ids::CustomerCode), Path)),
    responses((status = 200, body = OrgView), (status = 404, body = ErrorBody)))]
async fn organization(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<OrgView>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().billing()?.organization(&who, &code).await?))
}

/// Adds discovered accounts of the customer's organisation to the hub in one step (admin), with
/// the customer's usual access method, region and an environment guessed from each name unless
/// given; they leave the discovered list. Validated as a whole: nothing is written on any error.
#[utoipa::path(post, path = "/api/v1/billing/organizations/{code}/discovered", params(("code" = inline(cc_domain::ids::CustomerCode), Path)),
    request_body = AddDiscovered,
    responses((status = 201, body = BulkOutcome),
        (status = 400, description = "Invalid input; `error.errors` names each row (1-based in `accounts`); nothing written", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_discovered(
    State(api): State<Api>,
    Admin(who): Admin,
    Path(code): Path<String>,
    JsonBody(request): JsonBody<AddDiscovered>,
) -> ApiResult<(StatusCode, Json<BulkOutcome>)> {
    let code = customer_code(&code)?;
    Ok((
        StatusCode::CREATED,
        Json(api.app().billing()?.add_discovered(&who, &code, request).await?),
    ))
}
