//! One error type for every resolver, mapped once to a GraphQL error with `extensions.code`.
//!
//! User errors carry a message written for the client. Internal errors carry their cause for the
//! server log only: the client sees a generic message and the code `INTERNAL`.

use async_graphql::ErrorExtensions;
use viva_domain::ErrorCode;
use viva_service::ServiceError;

/// Why a request failed: the service layer's error, which this module maps to a GraphQL error
/// (a local type, so that the conversion can be written here).
#[derive(Clone, Debug, thiserror::Error)]
#[error(transparent)]
pub struct AppError(pub ServiceError);

impl AppError {
    /// The stable code clients see.
    pub fn code(&self) -> ErrorCode {
        self.0.code()
    }

    /// An internal error from any cause.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(ServiceError::internal(cause))
    }

    /// A bad-input error for one field.
    pub fn bad_field(field: &'static str, message: impl Into<String>) -> Self {
        Self(ServiceError::bad_field(field, message))
    }
}

impl<E: Into<ServiceError>> From<E> for AppError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        let code = err.code().as_str();
        match err.0 {
            ServiceError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error while resolving a request");
                async_graphql::Error::new("internal server error").extend_with(|_, e| e.set("code", code))
            }
            ServiceError::BadInput(fields) => {
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
            ServiceError::RateLimited { retry_after_secs } => async_graphql::Error::new(err.to_string())
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

/// A transport-level refusal (outside GraphQL execution), in the GraphQL response shape with
/// `extensions.code`.
pub(crate) fn refuse(status: axum::http::StatusCode, code: &str, message: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, axum::Json(body)).into_response()
}

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
            (AppError(ServiceError::Unauthenticated("sign in")), "UNAUTHENTICATED"),
            (AppError(ServiceError::Forbidden("no")), "FORBIDDEN"),
            (AppError(ServiceError::NotFound("user")), "NOT_FOUND"),
            (AppError::bad_field("email", "is required"), "BAD_USER_INPUT"),
            (AppError(ServiceError::Conflict("taken".into())), "CONFLICT"),
            (AppError(ServiceError::RateLimited { retry_after_secs: 3 }), "RATE_LIMITED"),
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
