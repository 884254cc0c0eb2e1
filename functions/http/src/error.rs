//! The one place where errors become HTTP responses:
//! `{"error": {"code": "snake_case", "message": "...", "field": "..."}}` with the right status.
//! Internal causes are logged with the request's span and never leaked to the caller.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cc_domain::Error;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let code = e.code();
        match e {
            Error::Validation { field, message } => ApiError {
                status: StatusCode::BAD_REQUEST,
                code: code.into(),
                message,
                field,
            },
            Error::NotFound { .. } => ApiError::new(StatusCode::NOT_FOUND, code, e.to_string()),
            Error::Conflict { message, .. } => ApiError::new(StatusCode::CONFLICT, code, message),
            Error::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, code, m),
            Error::Unauthenticated(m) => ApiError::new(StatusCode::UNAUTHORIZED, code, m),
            Error::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code,
                    "something went wrong on our side; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: self.code,
                    message: self.message,
                    field: self.field,
                },
            }),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
