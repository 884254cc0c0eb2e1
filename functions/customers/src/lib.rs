//! The customer hub's HTTP routes (the `customers` function): customers, contacts, accounts,
//! console links, quick find and the people directory. Handlers only parse, call the hub, and map the result; the
//! rules (who may write, what is valid, integrity across items) live in `cc_domain::hub`.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use cc_domain::Error;
use cc_domain::hub::service::{AccountFilter, CustomerFilter};
use cc_domain::hub::{
    Account, AccountPatch, BulkAccounts, BulkInput, BulkOutcome, Contact, ContactPatch, Customer, CustomerOverview,
    CustomerPatch, CustomerStatus, Environment, Existing, Found, NewAccount, NewContact, NewCustomer, Team, TeamUpdate,
    links::ConsoleLink,
};
use cc_domain::identity::Principal;
use cc_domain::ids::{AccountId, CustomerCode};
use cc_domain::people::{Person, PersonUpdate};
use cc_http::auth::VerifiedCaller;
use cc_http::error::{ApiResult, ErrorBody};
use cc_http::extract::{customer_code, num, path_id};
use cc_http::{Admin, Api, Caller, JsonBody, ListResponse, PageParams, QueryParams};
use serde::Deserialize;
use utoipa::OpenApi;

/// The function's routes, ready for `cc_http::lambda::run` or for merging into the local server.
pub fn router(api: Api) -> Router {
    cc_http::layers::finish(routes(), api, query_rules())
}

/// The routes without the shared layers (the local server merges these before layering once).
pub fn routes() -> Router<Api> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/customers", get(list_customers).post(create_customer))
        .route(
            "/api/v1/customers/{code}",
            get(get_customer).patch(update_customer).delete(delete_customer),
        )
        .route(
            "/api/v1/customers/{code}/contacts",
            get(list_contacts).post(create_contact),
        )
        .route(
            "/api/v1/customers/{code}/contacts/{id}",
            axum::routing::patch(update_contact).delete(delete_contact),
        )
        .route("/api/v1/customers/{code}/overview", get(customer_overview))
        .route("/api/v1/customers/{code}/team", get(get_team).put(put_team))
        .route("/api/v1/accounts", get(list_accounts).post(create_account))
        .route("/api/v1/accounts/bulk", axum::routing::post(create_accounts))
        .route(
            "/api/v1/accounts/{id}",
            get(get_account).patch(update_account).delete(delete_account),
        )
        .route("/api/v1/accounts/{id}/console-links", get(console_links))
        .route("/api/v1/search", get(search))
        .route("/api/v1/people", get(list_people))
        .route(
            "/api/v1/people/{subject}",
            get(get_person).put(put_person).delete(delete_person),
        )
}

/// This function's own routes (the `docs` function merges every function's document into the
/// one served at `/api/v1/openapi.json`; the stack tests route exactly these here).
#[derive(OpenApi)]
#[openapi(paths(
    me,
    get_team,
    put_team,
    list_customers,
    create_customer,
    get_customer,
    customer_overview,
    update_customer,
    delete_customer,
    list_contacts,
    create_contact,
    update_contact,
    delete_contact,
    list_accounts,
    create_account,
    create_accounts,
    get_account,
    update_account,
    delete_account,
    console_links,
    search,
    list_people,
    get_person,
    put_person,
    delete_person
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

fn account_param(id: &str) -> Result<AccountId, Error> {
    path_id("id", id)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Me {
    #[serde(flatten)]
    principal: Principal,
    /// The customers whose team the caller is on.
    #[schema(value_type = Vec<String>)]
    customers: Vec<CustomerCode>,
}

/// The caller's identity, roles and assigned customers.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(State(api): State<Api>, Caller(who): Caller) -> ApiResult<Json<Me>> {
    let customers = api.app().hub.customers_of(&who.email).await?;
    Ok(Json(Me {
        principal: who,
        customers,
    }))
}

/// Who works on this customer, with the latest changes.
#[utoipa::path(get, path = "/api/v1/customers/{code}/team", params(("code" = inline(cc_domain::ids::CustomerCode), Path)),
    responses((status = 200, body = Team), (status = 404, body = ErrorBody)))]
async fn get_team(State(api): State<Api>, Caller(who): Caller, Path(code): Path<String>) -> ApiResult<Json<Team>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().hub.team(&who, code.as_str()).await?))
}

/// Replaces the team (admin). Send the `version` you read (0 when there is no team yet).
#[utoipa::path(put, path = "/api/v1/customers/{code}/team", params(("code" = inline(cc_domain::ids::CustomerCode), Path)), request_body = TeamUpdate,
    responses((status = 200, body = Team), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn put_team(
    State(api): State<Api>,
    Admin(who): Admin,
    Path(code): Path<String>,
    JsonBody(update): JsonBody<TeamUpdate>,
) -> ApiResult<Json<Team>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().hub.put_team(&who, code.as_str(), update).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CustomerListQuery {
    /// Page size, 1-200 (default 50).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    #[param(inline)]
    status: Option<CustomerStatus>,
    /// Words that must all appear in the code or name.
    q: Option<String>,
}

/// Customers, sorted by name.
#[utoipa::path(get, path = "/api/v1/customers", params(CustomerListQuery),
    responses((status = 200, body = ListResponse<Customer>), (status = 400, body = ErrorBody)))]
async fn list_customers(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<CustomerListQuery>,
) -> ApiResult<Json<ListResponse<Customer>>> {
    let filter = CustomerFilter {
        status: q.status,
        q: q.q,
    };
    let page = api
        .app()
        .hub
        .list_customers(&who, &filter, q.limit, q.cursor.as_deref())
        .await?;
    Ok(Json(ListResponse {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Adds a customer (admin).
#[utoipa::path(post, path = "/api/v1/customers", request_body = NewCustomer,
    responses((status = 201, body = Customer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_customer(
    State(api): State<Api>,
    Admin(who): Admin,
    JsonBody(new): JsonBody<NewCustomer>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    Ok((
        StatusCode::CREATED,
        Json(api.app().hub.create_customer(&who, new).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/customers/{code}", params(("code" = inline(cc_domain::ids::CustomerCode), Path)),
    responses((status = 200, body = Customer), (status = 404, body = ErrorBody)))]
async fn get_customer(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Customer>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().hub.get_customer(&who, code.as_str()).await?))
}

/// The customer page in one call: the customer, its key contacts in escalation order, its team,
/// the approval policy in force (summary) and its account counts (total, by environment, by
/// access method, management and delegated-admin). The accounts themselves are
/// `GET /api/v1/accounts?customer=` (paged). The code is case-insensitive.
#[utoipa::path(get, path = "/api/v1/customers/{code}/overview", params(("code" = inline(cc_domain::ids::CustomerCode), Path)),
    responses(
        (status = 200, body = CustomerOverview),
        (status = 400, description = "The code is not a customer code", body = ErrorBody),
        (status = 401, description = "No token, or a token that is not valid", body = ErrorBody),
        (status = 403, description = "The caller holds none of the roles", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody)))]
async fn customer_overview(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<CustomerOverview>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().hub.overview(&who, code.as_str()).await?))
}

/// Changes a customer (admin). Send `version` to refuse the change if someone else changed it first.
#[utoipa::path(patch, path = "/api/v1/customers/{code}", params(("code" = inline(cc_domain::ids::CustomerCode), Path)), request_body = CustomerPatch,
    responses((status = 200, body = Customer), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_customer(
    State(api): State<Api>,
    Admin(who): Admin,
    Path(code): Path<String>,
    JsonBody(patch): JsonBody<CustomerPatch>,
) -> ApiResult<Json<Customer>> {
    let code = customer_code(&code)?;
    Ok(Json(api.app().hub.update_customer(&who, code.as_str(), patch).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct VersionQuery {
    /// Delete only if the item is still at this version.
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u64>)]
    version: Option<usize>,
}

/// Deletes a customer and its contacts (admin); refused while it owns accounts.
#[utoipa::path(delete, path = "/api/v1/customers/{code}", params(("code" = inline(cc_domain::ids::CustomerCode), Path), VersionQuery),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_customer(
    State(api): State<Api>,
    Admin(who): Admin,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<VersionQuery>,
) -> ApiResult<StatusCode> {
    let code = customer_code(&code)?;
    let version = q.version.map(|v| v as u64);
    api.app().hub.delete_customer(&who, code.as_str(), version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Key contacts in escalation order.
#[utoipa::path(get, path = "/api/v1/customers/{code}/contacts", params(("code" = inline(cc_domain::ids::CustomerCode), Path), PageParams),
    responses((status = 200, body = ListResponse<Contact>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_contacts(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<PageParams>,
) -> ApiResult<Json<ListResponse<Contact>>> {
    let code = customer_code(&code)?;
    let page = q.page()?;
    Ok(Json(
        api.app().hub.list_contacts(&who, code.as_str(), &page).await?.into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/customers/{code}/contacts", params(("code" = inline(cc_domain::ids::CustomerCode), Path)), request_body = NewContact,
    responses((status = 201, body = Contact), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_contact(
    State(api): State<Api>,
    Admin(who): Admin,
    Path(code): Path<String>,
    JsonBody(new): JsonBody<NewContact>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    let code = customer_code(&code)?;
    Ok((
        StatusCode::CREATED,
        Json(api.app().hub.create_contact(&who, code.as_str(), new).await?),
    ))
}

#[utoipa::path(patch, path = "/api/v1/customers/{code}/contacts/{id}", params(("code" = inline(cc_domain::ids::CustomerCode), Path), ("id" = inline(cc_http::openapi::ContactId), Path)),
    request_body = ContactPatch, responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn update_contact(
    State(api): State<Api>,
    Admin(who): Admin,
    Path((code, id)): Path<(String, String)>,
    JsonBody(patch): JsonBody<ContactPatch>,
) -> ApiResult<Json<Contact>> {
    let code = customer_code(&code)?;
    Ok(Json(
        api.app().hub.update_contact(&who, code.as_str(), &id, patch).await?,
    ))
}

/// Deletes a key contact (admin); with `version`, only while it is at that version.
#[utoipa::path(delete, path = "/api/v1/customers/{code}/contacts/{id}", params(("code" = inline(cc_domain::ids::CustomerCode), Path), ("id" = inline(cc_http::openapi::ContactId), Path), VersionQuery),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_contact(
    State(api): State<Api>,
    Admin(who): Admin,
    Path((code, id)): Path<(String, String)>,
    QueryParams(q): QueryParams<VersionQuery>,
) -> ApiResult<StatusCode> {
    let code = customer_code(&code)?;
    api.app()
        .hub
        .delete_contact(&who, code.as_str(), &id, q.version.map(|v| v as u64))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How an account is reached.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum AccessKind {
    Sso,
    Role,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AccountListQuery {
    /// Page size, 1-200 (default 50).
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    #[param(inline)]
    customer: Option<CustomerCode>,
    /// `prod` or `non-prod`.
    #[param(inline)]
    environment: Option<Environment>,
    /// `sso` or `role`.
    #[param(inline, value_type = Option<AccessKind>)]
    access: Option<String>,
    /// Words that must all appear in the id, name, alias or customer.
    q: Option<String>,
}

/// Accounts, sorted by id, filtered.
#[utoipa::path(get, path = "/api/v1/accounts", params(AccountListQuery),
    responses((status = 200, body = ListResponse<Account>), (status = 400, body = ErrorBody)))]
async fn list_accounts(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<AccountListQuery>,
) -> ApiResult<Json<ListResponse<Account>>> {
    let filter = AccountFilter {
        customer: q.customer,
        environment: q.environment,
        access: q.access,
        q: q.q,
    };
    let page = api
        .app()
        .hub
        .list_accounts(&who, &filter, q.limit, q.cursor.as_deref())
        .await?;
    Ok(Json(ListResponse {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Adds an AWS account to a customer (admin). Account ids are unique across the hub.
#[utoipa::path(post, path = "/api/v1/accounts", request_body = NewAccount,
    responses((status = 201, body = Account), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_account(
    State(api): State<Api>,
    Admin(who): Admin,
    JsonBody(new): JsonBody<NewAccount>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    Ok((
        StatusCode::CREATED,
        Json(api.app().hub.create_account(&who, new).await?),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct BulkQuery {
    /// A row whose account id the hub already has: `error` (the default: the import is refused)
    /// or `skip` (not written; listed in `skipped`, saying whether it matches the stored account).
    #[serde(default)]
    #[param(inline)]
    existing: Existing,
}

/// Adds many accounts at once (admin): up to 10,000 in a body of at most 4 MiB, as JSON
/// `{"accounts": [NewAccount, ...]}` (each as `POST /api/v1/accounts` takes it) or as `text/csv`
/// with a header row naming the fields (`id,customer,name,environment,region,access.method,...`;
/// access fields as `access.<field>` or `<field>`, identity center ones as
/// `access.identity_center.<field>`; lists separated by `;`; an empty cell is an absent field).
///
/// The whole input is validated first: each row by the rules of a single create, and no id or
/// alias twice in the input or already in the hub (unless `existing=skip`), every customer
/// existing, at most 2,000 accounts of one customer to write. Any problem is a 400 whose
/// `error.errors` lists each one with its `row` (1-based: `accounts[0]` or the first line after
/// the CSV header) and `field` (at most 100 listed), and nothing is written. Then the accounts are
/// written in transactions of at most 100 writes, each with its `account_created` audit event.
/// The 201 counts them and lists their ids.
///
/// With `existing=skip` (to re-run an import that stopped part-way) a row whose account id the
/// hub already has is checked like the others but not written: it is listed in `skipped` with
/// `cause` `in_hub`, `matches` (whether the stored account equals the row) and `differs` (the
/// fields that do not). An alias held by a different account is still an error. An account
/// someone else added meanwhile (same id or alias) is not overwritten but listed in `skipped` too.
#[utoipa::path(post, path = "/api/v1/accounts/bulk", params(BulkQuery),
    request_body(content((BulkAccounts = "application/json"), (String = "text/csv")),
        description = "JSON `{\"accounts\": [...]}` or CSV with a header row"),
    responses(
        (status = 201, description = "Written: counts, ids, and accounts skipped (already in the hub with `existing=skip`, or a concurrent change)", body = BulkOutcome),
        (status = 400, description = "Invalid input; `error.errors` names each row and field; nothing written", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 413, description = "Body over 4 MiB", body = ErrorBody),
        (status = 415, description = "Neither application/json nor text/csv", body = ErrorBody)))]
async fn create_accounts(
    State(api): State<Api>,
    Admin(who): Admin,
    QueryParams(q): QueryParams<BulkQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<BulkOutcome>)> {
    let bytes = axum::body::to_bytes(body, cc_http::MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| cc_http::extract::too_large_for(cc_http::MAX_UPLOAD_BYTES))?;
    let mime = cc_http::extract::media_type(&headers)?;
    let input = if cc_http::extract::is_json(&mime) {
        BulkInput::from_json(&bytes)?
    } else if mime == "text/csv" {
        BulkInput::from_csv(&bytes)?
    } else {
        return Err(cc_http::ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the accounts as JSON (Content-Type: application/json) or CSV (Content-Type: text/csv)",
        ));
    };
    Ok((
        StatusCode::CREATED,
        Json(api.app().hub.create_accounts_with(&who, input, q.existing).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", params(("id" = inline(cc_domain::ids::AccountId), Path)),
    responses((status = 200, body = Account), (status = 404, body = ErrorBody)))]
async fn get_account(State(api): State<Api>, Caller(who): Caller, Path(id): Path<String>) -> ApiResult<Json<Account>> {
    let id = account_param(&id)?;
    Ok(Json(api.app().hub.get_account(&who, id.as_str()).await?))
}

#[utoipa::path(patch, path = "/api/v1/accounts/{id}", params(("id" = inline(cc_domain::ids::AccountId), Path)), request_body = AccountPatch,
    responses((status = 200, body = Account), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_account(
    State(api): State<Api>,
    Admin(who): Admin,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<AccountPatch>,
) -> ApiResult<Json<Account>> {
    let id = account_param(&id)?;
    Ok(Json(api.app().hub.update_account(&who, id.as_str(), patch).await?))
}

#[utoipa::path(delete, path = "/api/v1/accounts/{id}", params(("id" = inline(cc_domain::ids::AccountId), Path), VersionQuery),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_account(
    State(api): State<Api>,
    Admin(who): Admin,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<VersionQuery>,
) -> ApiResult<StatusCode> {
    let id = account_param(&id)?;
    api.app()
        .hub
        .delete_account(&who, id.as_str(), q.version.map(|v| v as u64))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One-click console links: switch-role (read role) or the SSO portal per permission set.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/console-links", params(("id" = inline(cc_domain::ids::AccountId), Path), PageParams),
    responses((status = 200, body = ListResponse<ConsoleLink>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn console_links(
    State(api): State<Api>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<PageParams>,
) -> ApiResult<Json<ListResponse<ConsoleLink>>> {
    let id = account_param(&id)?;
    let page = q.page()?;
    Ok(Json(
        api.app().hub.console_links(&who, id.as_str(), &page).await?.into(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Customer code or name; account id, name, alias, customer or role ARN; contact name,
    /// e-mail, phone or role (words are ANDed).
    q: String,
    #[serde(default, deserialize_with = "num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<usize>,
}

/// Quick find: best matches first (a field that is the query, then one that starts with it, holds
/// it as a phrase, has all its words, words starting with them, then anywhere), with how many
/// matched and whether the limit cut the lists.
#[utoipa::path(get, path = "/api/v1/search", params(SearchQuery),
    responses((status = 200, body = Found), (status = 400, body = ErrorBody)))]
async fn search(
    State(api): State<Api>,
    Caller(who): Caller,
    QueryParams(q): QueryParams<SearchQuery>,
) -> ApiResult<Json<Found>> {
    Ok(Json(api.app().hub.search(&who, &q.q, q.limit).await?))
}

/// The people directory (admin): which e-mail each identity provider subject stands for, used
/// when `CC_EMAIL_SOURCE=people`. Sorted by subject.
#[utoipa::path(get, path = "/api/v1/people", params(PageParams),
    responses((status = 200, body = ListResponse<Person>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_people(
    State(api): State<Api>,
    VerifiedCaller(who): VerifiedCaller,
    QueryParams(q): QueryParams<PageParams>,
) -> ApiResult<Json<ListResponse<Person>>> {
    let page = q.page()?;
    Ok(Json(api.app().people.list(&who, &page).await?.into()))
}

/// One person of the directory (admin).
#[utoipa::path(get, path = "/api/v1/people/{subject}", params(("subject" = inline(cc_domain::ids::Subject), Path)),
    responses((status = 200, body = Person), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_person(
    State(api): State<Api>,
    VerifiedCaller(who): VerifiedCaller,
    Path(subject): Path<String>,
) -> ApiResult<Json<Person>> {
    Ok(Json(api.app().people.get(&who, &subject).await?))
}

/// Maps a subject to an e-mail (admin): 201 when added, 200 when replaced. An admin whose own
/// subject is not in the directory yet may call this (how the first admin adds themselves).
/// One e-mail belongs to one subject (409 `email_taken`).
#[utoipa::path(put, path = "/api/v1/people/{subject}", params(("subject" = inline(cc_domain::ids::Subject), Path)), request_body = PersonUpdate,
    responses((status = 200, body = Person), (status = 201, body = Person), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn put_person(
    State(api): State<Api>,
    VerifiedCaller(who): VerifiedCaller,
    Path(subject): Path<String>,
    JsonBody(update): JsonBody<PersonUpdate>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    let (person, created) = api.app().people.put(&who, &subject, update).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(person)))
}

/// Removes a subject from the directory (admin); its tokens stop being accepted.
#[utoipa::path(delete, path = "/api/v1/people/{subject}", params(("subject" = inline(cc_domain::ids::Subject), Path), VersionQuery),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_person(
    State(api): State<Api>,
    VerifiedCaller(who): VerifiedCaller,
    Path(subject): Path<String>,
    QueryParams(q): QueryParams<VersionQuery>,
) -> ApiResult<StatusCode> {
    api.app()
        .people
        .delete(&who, &subject, q.version.map(|v| v as u64))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
