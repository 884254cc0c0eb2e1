//! The monthly report routes (the `report-build` function): build one customer's report of a closed
//! month on demand, list a customer's months (or a month's customers), list a month's versions,
//! read any version as HTML or JSON or get a download link to it, compare two versions, and list
//! the schedule's runs. Handlers parse, call `cc_domain::reports::Reports` (which authorises), and
//! map the result.

use axum::Json;
use axum::Router;
use axum::extract::Request;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cc_domain::Error;
use cc_domain::ids::CustomerCode;
use cc_domain::reports::ReportMonth;
use cc_domain::reports::findings::FindingsImportSummary;
use cc_domain::reports::service::{DownloadLink, MonthlyRun, ReportDiff};
use cc_domain::reports::store::{MonthReports, ReportOutput, ReportVersion};
use cc_http::error::{ApiError, ApiResult, ErrorBody};
use cc_http::extract::{customer_param, num};
use cc_http::{Api, Caller, JsonBody, ListResponse, PageParams, QueryParams};
use serde::Deserialize;
use utoipa::OpenApi;

/// The function's routes, ready for `cc_http::lambda::run` or for merging into the local server.
pub fn router(api: Api) -> Router {
    cc_http::layers::finish(routes(), api, query_rules())
}

/// The routes without the shared layers (the local server merges these before layering once).
pub fn routes() -> Router<Api> {
    Router::new()
        .route("/api/v1/reports", get(list_reports).post(build_report))
        .route("/api/v1/reports/runs", get(list_report_runs))
        .route("/api/v1/reports/findings", post(import_findings))
        .route("/api/v1/reports/{customer}/{month}/versions", get(list_report_versions))
        .route(
            "/api/v1/reports/{customer}/{month}/versions/{version}",
            get(get_report_version),
        )
        .route(
            "/api/v1/reports/{customer}/{month}/versions/{version}/download",
            get(get_report_download),
        )
        .route("/api/v1/reports/{customer}/{month}/diff", get(get_report_diff))
}

/// This function's own routes (merged by the `docs` function into `/api/v1/openapi.json`).
#[derive(OpenApi)]
#[openapi(paths(
    list_reports,
    build_report,
    list_report_runs,
    import_findings,
    list_report_versions,
    get_report_version,
    get_report_download,
    get_report_diff
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

/// A report's output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// The printable page (the default).
    #[default]
    Html,
    /// The snapshot the page was built from.
    Json,
    /// The same report as an A4 PDF (Typst, in process); 404 for a version built without one.
    Pdf,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Json => "json",
            Format::Pdf => "pdf",
        }
    }
}

fn month_param(raw: &str) -> Result<ReportMonth, Error> {
    ReportMonth::parse(raw)
}

fn version_param(raw: &str) -> Result<u32, Error> {
    raw.parse::<u32>().ok().filter(|v| *v >= 1).ok_or_else(|| {
        Error::validation(
            "version",
            format!("'{raw}' is not a version number (1, 2, ... up to {})", u32::MAX),
        )
    })
}

/// The path of one customer's month: `{customer}` and `{month}` checked.
fn month_path(customer: &str, month: &str) -> Result<(CustomerCode, ReportMonth), Error> {
    Ok((customer_param(customer)?, month_param(month)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// A customer's months with reports (newest first).
    customer: Option<String>,
    /// Every customer's reports of this month (`YYYY-MM`), or with `customer` that one month.
    #[param(value_type = Option<String>, pattern = "^20[0-9]{2}-(0[1-9]|1[0-2])$")]
    month: Option<String>,
    /// Page size, 1-200 (default 50).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Reports by month: a customer's months (newest first), or every customer's reports of one month
/// (by customer), each with its number of versions and the newest one. Give `customer`, `month`
/// or both (400 with neither).
#[utoipa::path(get, path = "/api/v1/reports", params(ListQuery),
    responses((status = 200, body = ListResponse<MonthReports>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_reports(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Json<ListResponse<MonthReports>>> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let customer = q.customer.as_deref().map(customer_param).transpose()?;
    let month = q.month.as_deref().map(month_param).transpose()?;
    Ok(Json(
        api.app()
            .reports()?
            .list(&who, customer.as_ref(), month, &page)
            .await?
            .into(),
    ))
}

/// What to build.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct BuildRequest {
    /// The customer code.
    customer: String,
    /// A month that has ended (`YYYY-MM`, UTC).
    #[schema(pattern = "^20[0-9]{2}-(0[1-9]|1[0-2])$", example = "2026-03")]
    month: String,
    /// The team's summary, markdown, at most 20,000 characters (HTML in it is removed when
    /// rendered). Absent: the newest version's summary is kept; empty: no summary.
    #[serde(default)]
    summary: Option<String>,
    /// Why this version is built, one line of at most 200 characters (default `on demand`).
    #[serde(default)]
    reason: Option<String>,
}

/// Builds a new version of a customer's report of a closed month now, answered when it is stored
/// (JSON snapshot and HTML page, each a new version of the month's objects; older versions stay).
/// For the customer's team (any role), leads and admins. Audited (`report_built`).
#[utoipa::path(post, path = "/api/v1/reports", request_body = BuildRequest,
    responses((status = 201, body = ReportVersion),
        (status = 400, description = "A month that has not ended or is in the future, a summary over 20,000 characters or with control characters, a bad reason", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn build_report(
    State(api): State<Api>,
    Caller(who): Caller,
    JsonBody(body): JsonBody<BuildRequest>,
) -> ApiResult<(StatusCode, Json<ReportVersion>)> {
    let customer = customer_param(&body.customer)?;
    let month = month_param(&body.month)?;
    let version = api
        .app()
        .reports()?
        .build_as(&who, &customer, month, body.summary.as_deref(), body.reason.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(version)))
}

/// The monthly schedule's runs (`reports.monthly`), newest first: per customer built, skipped or
/// failed, with why. Runs that only skipped are not recorded.
#[utoipa::path(get, path = "/api/v1/reports/runs", params(PageParams),
    responses((status = 200, body = ListResponse<MonthlyRun>), (status = 400, body = ErrorBody)))]
async fn list_report_runs(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<PageParams>,
) -> ApiResult<Json<ListResponse<MonthlyRun>>> {
    let page = q.page()?;
    Ok(Json(api.app().reports()?.runs(&who, &page).await?.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ImportFindingsQuery {
    /// The customer whose findings these are.
    customer: String,
    /// The file's name, shown as the compliance section's source (one line, at most 200
    /// characters).
    file_name: Option<String>,
}

/// Imports a Security Hub ASFF export as a customer's findings: the output of
/// `aws securityhub get-findings` (`{"Findings":[...]}`) or a bare array of findings, at most
/// 4 MiB. The reports of a customer without a read role use its latest import for the compliance
/// section (and say so). Archived and suppressed findings are dropped. The whole file is checked
/// first: malformed JSON, a finding without `Id`, `AwsAccountId`, `Title` or `Severity`, a value
/// outside ASFF's (`RecordState`, `Workflow.Status`, `Compliance.Status`, the severity), text with
/// a control character or over ASFF's length, an `Id` used twice, or a finding of an account that
/// is not the customer's is a 400 naming the finding (`findings[3].Severity.Label`), and nothing
/// is stored. The answer counts the findings stored that are open as the report counts them.
/// Leads and admins. Audited (`findings_imported`); each import is kept as a new version. Sent as `application/json` (or as
/// the `file` of a `multipart/form-data` form); another media type is a 415.
#[utoipa::path(post, path = "/api/v1/reports/findings", params(ImportFindingsQuery),
    request_body(content = String, content_type = "application/json",
        description = "An ASFF export: `{\"Findings\":[...]}` (the output of `aws securityhub get-findings`) or an array of ASFF findings"),
    responses((status = 201, body = FindingsImportSummary),
        (status = 400, description = "Not JSON, not ASFF, a finding missing a required field or of another customer's account", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, description = "Not sent as application/json (or as a multipart form's `file`)", body = ErrorBody)))]
async fn import_findings(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<ImportFindingsQuery>,
    req: Request,
) -> ApiResult<(StatusCode, Json<FindingsImportSummary>)> {
    let customer = customer_param(&q.customer)?;
    let body = cc_http::extract::upload(req, &["application/json"], "ASFF export").await?;
    if body.is_empty() {
        return Err(Error::validation("file", "the body is empty: send the ASFF export as the request body").into());
    }
    let summary = api
        .app()
        .reports()?
        .import_findings(&who, &customer, q.file_name.as_deref(), &body)
        .await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// Every version of a customer's month, newest first: who or what built it, when, why, with which
/// summary, which sections had data, and its outputs. 404 when the month has none.
#[utoipa::path(get, path = "/api/v1/reports/{customer}/{month}/versions",
    params(("customer" = inline(cc_domain::ids::CustomerCode), Path), ("month" = inline(ReportMonth), Path)),
    responses((status = 200, body = ListResponse<ReportVersion>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_report_versions(
    State(api): State<Api>,
    Caller(who): Caller,
    Path((customer, month)): Path<(String, String)>,
) -> ApiResult<Json<ListResponse<ReportVersion>>> {
    let (customer, month) = month_path(&customer, &month)?;
    let items = api.app().reports()?.versions(&who, &customer, month).await?;
    Ok(Json(ListResponse {
        items,
        next_cursor: None,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct FormatQuery {
    /// `html` (default), `json` or `pdf`.
    #[param(inline)]
    format: Option<Format>,
}

/// The version's output in `format`; a clear 409 while it is still being rendered (the PDF in AWS,
/// a moment after the build) or when rendering it failed, a 404 when the version has none.
async fn output(
    api: &Api,
    who: &cc_domain::identity::Principal,
    (customer, month, version): (&str, &str, &str),
    format: Format,
) -> ApiResult<(ReportVersion, ReportOutput)> {
    let (customer, month) = month_path(customer, month)?;
    let version = version_param(version)?;
    let v = api.app().reports()?.version(who, &customer, month, version).await?;
    if let Some(o) = v.output(format.as_str()) {
        return Ok((v.clone(), o.clone()));
    }
    let late = api.app().clock.now() - v.built_at
        > time::Duration::seconds(cc_domain::reports::service::RENDER_EXPECTED_SECONDS);
    let what = format!(
        "the {} of version {version} of {customer}'s {month} report",
        format.as_str().to_uppercase()
    );
    match v.pending(format.as_str()) {
        Some(p) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "output_pending",
            match &p.error {
                None if late => format!(
                    "{what} was not rendered in time (the report-pdf function's log says why); a new build tries again"
                ),
                None => {
                    format!("{what} is still being rendered (it follows the build within a minute); try again shortly")
                }
                Some(e) => format!("{what} could not be rendered ({e}); a new build tries again"),
            },
        )),
        None => {
            let has: Vec<&str> = v.outputs.iter().map(|o| o.format.as_str()).collect();
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "version {version} of {customer}'s {month} report has no {} output (it has: {}); a new build writes every format",
                    format.as_str(),
                    has.join(", ")
                ),
            ))
        }
    }
}

/// One version as the page (`format=html`, the default: self-contained, printable, served with a
/// sandboxing Content-Security-Policy), as its JSON snapshot (`format=json`) or as the A4 PDF
/// (`format=pdf`). 404 for an unknown version, or a format the version was built without; 409
/// while the format is still being rendered.
#[utoipa::path(get, path = "/api/v1/reports/{customer}/{month}/versions/{version}",
    params(("customer" = inline(cc_domain::ids::CustomerCode), Path), ("month" = inline(ReportMonth), Path),
        ("version" = u32, Path, minimum = 1), FormatQuery),
    responses((status = 200, description = "The page, the snapshot or the PDF", content(
            (String = "text/html"),
            (cc_domain::reports::Snapshot = "application/json"),
            (String = "application/pdf"))),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn get_report_version(
    State(api): State<Api>,
    Caller(who): Caller,
    Path((customer, month, version)): Path<(String, String, String)>,
    QueryParams(q): QueryParams<FormatQuery>,
) -> ApiResult<Response> {
    let format = q.format.unwrap_or_default();
    let (v, out) = output(&api, &who, (&customer, &month, &version), format).await?;
    let body = api.app().reports()?.content(&out).await?;
    let name = format!("{}-{}-v{}.{}", v.customer, v.month, v.version, out.format);
    let mut res = (StatusCode::OK, body).into_response();
    let headers = res.headers_mut();
    let value =
        |s: &str| HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, value(&out.content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        value(&format!("inline; filename=\"{name}\"")),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The page needs nothing but its own inline style; `sandbox` keeps it from running anything
    // or reaching this origin's storage even if opened straight from the API. Not on the PDF:
    // browsers refuse to show a PDF in a sandboxed document, and it runs no script of ours (Typst
    // writes none).
    if out.format != "pdf" {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        );
    }
    Ok(res)
}

/// A link to one version's output (`format`, default html) that works for 15 minutes without a
/// token: a presigned S3 URL in AWS, the local server's signed route locally.
#[utoipa::path(get, path = "/api/v1/reports/{customer}/{month}/versions/{version}/download",
    params(("customer" = inline(cc_domain::ids::CustomerCode), Path), ("month" = inline(ReportMonth), Path),
        ("version" = u32, Path, minimum = 1), FormatQuery),
    responses((status = 200, body = DownloadLink), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn get_report_download(
    State(api): State<Api>,
    Caller(who): Caller,
    Path((customer, month, version)): Path<(String, String, String)>,
    QueryParams(q): QueryParams<FormatQuery>,
) -> ApiResult<Json<DownloadLink>> {
    let (_, out) = output(&api, &who, (&customer, &month, &version), q.format.unwrap_or_default()).await?;
    Ok(Json(api.app().reports()?.download(&out).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DiffQuery {
    /// The older version.
    #[param(value_type = u32, minimum = 1)]
    from: String,
    /// The newer version.
    #[param(value_type = u32, minimum = 1)]
    to: String,
}

/// What changed between two versions' JSON snapshots, by path (`billing.data.currencies[USD].total`;
/// lists matched by their items' id, account, service, day, ...), in document order.
#[utoipa::path(get, path = "/api/v1/reports/{customer}/{month}/diff",
    params(("customer" = inline(cc_domain::ids::CustomerCode), Path), ("month" = inline(ReportMonth), Path), DiffQuery),
    responses((status = 200, body = ReportDiff), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_report_diff(
    State(api): State<Api>,
    Caller(who): Caller,
    Path((customer, month)): Path<(String, String)>,
    QueryParams(q): QueryParams<DiffQuery>,
) -> ApiResult<Json<ReportDiff>> {
    let (customer, month) = month_path(&customer, &month)?;
    let from = version_param(&q.from)
        .map_err(|_| Error::validation("from", format!("'{}' is not a version number (1, 2, ...)", q.from)))?;
    let to = version_param(&q.to)
        .map_err(|_| Error::validation("to", format!("'{}' is not a version number (1, 2, ...)", q.to)))?;
    Ok(Json(api.app().reports()?.diff(&who, &customer, month, from, to).await?))
}
