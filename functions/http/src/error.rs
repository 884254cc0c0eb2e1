//! The one place where errors become HTTP responses:
//! `{"error": {"code": "snake_case", "message": "...", "field": "..."}}` with the right status.
//! Internal causes are logged with the request's span and never leaked to the caller.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cc_domain::Error;
use cc_domain::error::RowError;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    /// Per-row problems of a bulk input (empty otherwise).
    pub errors: Vec<RowError>,
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
    /// An input of many rows validated as a whole (`POST /api/v1/accounts/bulk`, the utilisation
    /// CSV imports, `PUT /api/v1/task-codes`): each problem with its row (1-based: the file's data
    /// row, or the position in the list sent; 0 for a file's header) and field, at most 100;
    /// absent on other errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RowError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            field: None,
            errors: Vec::new(),
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
                errors: Vec::new(),
            },
            Error::Rows { message, errors } => ApiError {
                status: StatusCode::BAD_REQUEST,
                code: code.into(),
                message,
                field: None,
                errors: errors
                    .into_iter()
                    .take(cc_domain::error::MAX_ROW_ERRORS)
                    .map(|e| RowError {
                        message: bounded(&e.message, MAX_MESSAGE_CHARS),
                        field: e.field.map(|f| bounded(&f, MAX_FIELD_CHARS)),
                        row: e.row,
                    })
                    .collect(),
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
                    message: bounded(&self.message, MAX_MESSAGE_CHARS),
                    field: self.field.map(|f| bounded(&f, MAX_FIELD_CHARS)),
                    errors: self.errors,
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

/// The longest error message and field name an answer carries: messages often quote the input
/// (an unknown field, a bad id, a serde error), and a huge input must never be echoed back whole.
pub const MAX_MESSAGE_CHARS: usize = 300;
pub const MAX_FIELD_CHARS: usize = 64;

/// `s` cut to `max` characters, marked with `…` when cut.
fn bounded(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn error_answers_never_echo_huge_input() {
        let huge = "x".repeat(500_000);
        let e = ApiError::bad_request("invalid_field", format!("unknown field `{huge}`")).with_field(huge.clone());
        let res = e.into_response();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        assert!(body.len() < 1_000, "{} bytes", body.len());
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("unknown field `xxx")
        );
        assert_eq!(
            v["error"]["field"].as_str().unwrap().chars().count(),
            MAX_FIELD_CHARS + 1
        );
        assert_eq!(bounded("short", 10), "short");
    }
}
