//! Error kinds shared by every layer, serialised to clients as stable codes.

use thiserror::Error;

/// The stable error codes clients see in `extensions.code`. A closed set: integrators switch on
/// these, so a new code is an API change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No valid credentials were presented, or they no longer hold.
    Unauthenticated,
    /// The caller is known but may not do this.
    Forbidden,
    /// The thing does not exist, or the caller may not know that it does.
    NotFound,
    /// The input is invalid; the message says which field and why.
    BadUserInput,
    /// The request conflicts with the current state (a duplicate, a lost race, a wrong state).
    Conflict,
    /// Too many attempts; try again later.
    RateLimited,
    /// Something failed on our side; details are in the server log, never in the response.
    Internal,
}

impl ErrorCode {
    /// The code's text form, as sent in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// A stored text value that names no variant of the enum it should be.
#[derive(Debug, Error)]
#[error("unknown {kind}: {value:?}")]
pub struct UnknownVariant {
    /// Which enum was being parsed.
    pub kind: &'static str,
    /// The text that matched no variant.
    pub value: String,
}

/// One invalid input field, with a message fit to show the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The input field's name, as the client sent it (camelCase).
    pub field: &'static str,
    /// Why the value was refused.
    pub message: String,
}

impl FieldError {
    /// A field error with the given message.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}
