//! Recognising the database errors that callers turn into user errors.

use diesel::result::{DatabaseErrorKind, Error};

/// The name of the unique constraint a failed insert or update violated, if that is why it
/// failed. Callers turn it into a `CONFLICT` right where the write happens.
pub fn unique_violation(err: &Error) -> Option<&str> {
    match err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            Some(info.constraint_name().unwrap_or_default())
        }
        _ => None,
    }
}

/// Whether the error means the database could not be reached or the connection broke, as
/// opposed to a query that PostgreSQL refused.
pub fn is_connection_error(err: &Error) -> bool {
    matches!(
        err,
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _)
            | Error::BrokenTransactionManager
    )
}
