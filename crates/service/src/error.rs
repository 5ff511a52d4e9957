//! Why a use case failed: the one error type of the service layer.
//!
//! User errors carry a message written for the person who asked; internal errors carry their
//! cause for the server log only. The API maps each kind to a GraphQL error code once.

use viva_domain::ErrorCode;
use viva_domain::error::FieldError;
use viva_store::pool::DbPoolError;

/// Why a use case failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid credentials, or they no longer hold. The message names no account.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nothing of that kind the caller may see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Invalid input, field by field.
    #[error("invalid input")]
    BadInput(Vec<FieldError>),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts.
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until an attempt may succeed.
        retry_after_secs: u64,
    },
    /// A failure on our side; its cause is for the log only.
    #[error("internal error: {0}")]
    Internal(std::sync::Arc<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    /// The stable code clients see.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            ServiceError::Forbidden(_) => ErrorCode::Forbidden,
            ServiceError::NotFound(_) => ErrorCode::NotFound,
            ServiceError::BadInput(_) => ErrorCode::BadUserInput,
            ServiceError::Conflict(_) => ErrorCode::Conflict,
            ServiceError::RateLimited { .. } => ErrorCode::RateLimited,
            ServiceError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// An internal error from any cause.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        ServiceError::Internal(std::sync::Arc::from(cause.into()))
    }

    /// A bad-input error for one field.
    pub fn bad_field(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::BadInput(vec![FieldError::new(field, message)])
    }
}

impl From<FieldError> for ServiceError {
    fn from(err: FieldError) -> Self {
        ServiceError::BadInput(vec![err])
    }
}

impl From<viva_store::QueryError> for ServiceError {
    fn from(err: viva_store::QueryError) -> Self {
        match err {
            viva_store::QueryError::NotFound => ServiceError::NotFound("record"),
            other => ServiceError::internal(other),
        }
    }
}

impl From<DbPoolError> for ServiceError {
    fn from(err: DbPoolError) -> Self {
        ServiceError::internal(err)
    }
}

/// The result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diesel_not_found_is_not_found_and_other_query_errors_are_internal() {
        assert_eq!(ServiceError::from(viva_store::QueryError::NotFound).code(), ErrorCode::NotFound);
        assert_eq!(
            ServiceError::from(viva_store::QueryError::RollbackTransaction).code(),
            ErrorCode::Internal
        );
    }
}
