//! One error type for every resolver, mapped once to a GraphQL error with `extensions.code`.
//!
//! User errors carry a message written for the client. Internal errors carry their cause for the
//! server log only: the client sees a generic message and the code `INTERNAL`.

use async_graphql::ErrorExtensions;
use viva_domain::ErrorCode;
use viva_domain::error::FieldError;
use viva_service::ServiceError;

/// Why a request failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credentials, or they no longer hold. The message is shown: it names no account.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// The caller may not do this. The message is shown.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nothing of that kind the caller may see. The message is shown.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Invalid input; each field error is shown.
    #[error("invalid input")]
    BadInput(Vec<FieldError>),
    /// The request conflicts with the current state. The message is shown.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts. Shown, with when to try again.
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until an attempt may succeed.
        retry_after_secs: u64,
    },
    /// A failure on our side. Logged with its cause; never shown.
    #[error("internal error: {0}")]
    Internal(std::sync::Arc<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// The stable code clients see.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::BadInput(_) => ErrorCode::BadUserInput,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// An internal error from any cause.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Internal(std::sync::Arc::from(cause.into()))
    }

    /// A bad-input error for one field.
    pub fn bad_field(field: &'static str, message: impl Into<String>) -> Self {
        AppError::BadInput(vec![FieldError::new(field, message)])
    }
}

impl From<FieldError> for AppError {
    fn from(err: FieldError) -> Self {
        AppError::BadInput(vec![err])
    }
}

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Unauthenticated(message) => AppError::Unauthenticated(message),
            ServiceError::Forbidden(message) => AppError::Forbidden(message),
            ServiceError::NotFound(what) => AppError::NotFound(what),
            ServiceError::BadInput(fields) => AppError::BadInput(fields),
            ServiceError::Conflict(message) => AppError::Conflict(message),
            ServiceError::RateLimited { retry_after_secs } => AppError::RateLimited { retry_after_secs },
            ServiceError::Internal(cause) => AppError::Internal(cause),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        let code = err.code().as_str();
        match err {
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error while resolving a request");
                async_graphql::Error::new("internal server error").extend_with(|_, e| e.set("code", code))
            }
            AppError::BadInput(fields) => {
                let message = fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                async_graphql::Error::new(format!("invalid input: {message}")).extend_with(|_, e| {
                    e.set("code", code);
                    let list: Vec<async_graphql::Value> = fields
                        .iter()
                        .map(|f| {
                            let mut map = async_graphql::indexmap::IndexMap::new();
                            map.insert(
                                async_graphql::Name::new("field"),
                                async_graphql::Value::from(f.field),
                            );
                            map.insert(
                                async_graphql::Name::new("message"),
                                async_graphql::Value::from(f.message.as_str()),
                            );
                            async_graphql::Value::Object(map)
                        })
                        .collect();
                    e.set("fields", async_graphql::Value::List(list));
                })
            }
            AppError::RateLimited { retry_after_secs } => async_graphql::Error::new(err.to_string())
                .extend_with(|_, e| {
                    e.set("code", code);
                    e.set("retryAfterSeconds", retry_after_secs);
                }),
            other => async_graphql::Error::new(other.to_string()).extend_with(|_, e| e.set("code", code)),
        }
    }
}

/// Gives errors raised by async-graphql itself (parse, validation, limits) a code, since
/// resolver errors already carry one.
pub fn ensure_code(error: &mut async_graphql::ServerError) {
    let has_code = error.extensions.as_ref().is_some_and(|ext| ext.get("code").is_some());
    if !has_code {
        let extended = async_graphql::Error::new(error.message.clone())
            .extend_with(|_, e| e.set("code", "BAD_USER_INPUT"));
        error.extensions = extended.extensions;
    }
}

/// The result of a resolver.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(err: AppError) -> (String, async_graphql::Value) {
        let gql: async_graphql::Error = err.into();
        let ext = gql.extensions.expect("extensions set");
        (gql.message, ext.get("code").cloned().expect("code set"))
    }

    #[test]
    fn every_kind_maps_to_its_code() {
        let cases = [
            (AppError::Unauthenticated("sign in"), "UNAUTHENTICATED"),
            (AppError::Forbidden("no"), "FORBIDDEN"),
            (AppError::NotFound("user"), "NOT_FOUND"),
            (AppError::bad_field("email", "is required"), "BAD_USER_INPUT"),
            (AppError::Conflict("taken".into()), "CONFLICT"),
            (AppError::RateLimited { retry_after_secs: 3 }, "RATE_LIMITED"),
            (AppError::internal("boom"), "INTERNAL"),
        ];
        for (err, expected) in cases {
            let (_, code) = code_of(err);
            assert_eq!(code, async_graphql::Value::from(expected));
        }
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let (message, _) = code_of(AppError::internal("connection refused to 10.0.0.7:5432"));
        assert_eq!(message, "internal server error");
    }
}
