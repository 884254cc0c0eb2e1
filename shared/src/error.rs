//! Domain errors, in the user's terms. One place (the HTTP crate) maps them to status codes.

use crate::store::StoreError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that does not satisfy a rule; `field` names the offending input when known.
    #[error("{message}")]
    Validation { field: Option<String>, message: String },
    #[error("{kind} '{id}' was not found")]
    NotFound { kind: &'static str, id: String },
    /// A state conflict the caller can resolve (duplicate, stale version, dependent items).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound { kind, id: id.into() }
    }

    /// A stable snake_case code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation { .. } => "validation_failed",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { code, .. } => code,
            Error::Forbidden(_) => "forbidden",
            Error::Unauthenticated(_) => "unauthenticated",
            Error::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ConditionFailed => Error::conflict(
                "version_conflict",
                "the item was changed by someone else; reload and try again",
            ),
            StoreError::BadCursor => Error::validation("cursor", "the cursor is not valid"),
            StoreError::Backend(e) => Error::Internal(e),
        }
    }
}
