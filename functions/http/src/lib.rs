//! HTTP plumbing every function crate shares: who is calling (from API Gateway's JWT authorizer
//! in Lambda, or a locally verified bearer token), the one mapping from domain errors to
//! responses, JSON bodies and query strings that fail with a clear 4xx, request spans and logs.
//! Function crates build their axum routers on [`Api`]; `main.rs` runs that router with
//! [`lambda::run`], and the local server mounts the same routers.

use std::sync::Arc;

use cc_domain::App;

pub mod auth;
pub mod error;
pub mod extract;
pub mod lambda;
pub mod layers;
pub mod openapi;
pub mod query;
pub mod telemetry;
pub mod testing;

pub use auth::{Admin, Caller, ClientOrigin, TokenVerifier, mint_dev_token};
pub use error::ApiError;
pub use extract::{JsonBody, QueryParams};
pub use query::QueryRules;

/// Every body is refused above this size (413), except on [`LARGE_BODY_ROUTES`].
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Upload routes (an export file, a bulk import) take bodies up to this size, 4 MiB: kept under
/// Lambda's 6 MB request payload even when API Gateway sends the body base64-encoded (4/3
/// larger). About 10,000 accounts as CSV, 5,000-10,000 as JSON.
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;

/// Routes (exact paths) whose bodies may be larger than [`MAX_BODY_BYTES`], with their limit.
pub const LARGE_BODY_ROUTES: &[(&str, usize)] = &[
    ("/api/v1/accounts/bulk", MAX_UPLOAD_BYTES),
    ("/api/v1/billing/imports", MAX_UPLOAD_BYTES),
    ("/api/v1/reports/findings", MAX_UPLOAD_BYTES),
    ("/api/v1/utilisation/imports/contracts", MAX_UPLOAD_BYTES),
    ("/api/v1/utilisation/imports/worklogs", MAX_UPLOAD_BYTES),
];

/// The body limit of a request to `path`.
pub fn body_limit(path: &str) -> usize {
    LARGE_BODY_ROUTES
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(MAX_BODY_BYTES, |(_, limit)| *limit)
}

/// Router state: the application plus the local token verifier (absent in Lambda, where API
/// Gateway verifies tokens before the function runs).
#[derive(Clone)]
pub struct Api(pub Arc<ApiState>);

pub struct ApiState {
    pub app: App,
    pub verifier: Option<TokenVerifier>,
}

impl Api {
    pub fn new(app: App, verifier: Option<TokenVerifier>) -> Self {
        Api(Arc::new(ApiState { app, verifier }))
    }

    /// Builds the state from configuration: a verifier whenever a secret or JWKS is configured.
    pub async fn from_app(app: App) -> anyhow::Result<Self> {
        let verifier = TokenVerifier::from_config(&app.config.auth).await?;
        Ok(Api::new(app, verifier))
    }

    pub fn app(&self) -> &App {
        &self.0.app
    }
}

/// `{"items": [...], "next_cursor": ...}` for every list.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ListResponse<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> From<cc_domain::page::Listed<T>> for ListResponse<T> {
    fn from(l: cc_domain::page::Listed<T>) -> Self {
        ListResponse {
            items: l.items,
            next_cursor: l.next_cursor,
        }
    }
}

/// The query of a list that takes nothing but the page (`?limit=1-200&cursor=...`).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1-200 (default 50).
    #[serde(default, deserialize_with = "extract::num::opt_usize")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn page(self) -> Result<cc_domain::page::PageRequest, cc_domain::Error> {
        cc_domain::page::PageRequest::new(self.limit, self.cursor)
    }
}
