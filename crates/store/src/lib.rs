//! Viva's PostgreSQL store: the only crate that writes SQL.
//!
//! It owns the diesel schema, the models and their `New*` insert structs, and the queries, which
//! are plain functions taking `&mut AsyncPgConnection`. Callers hold a connection from [`pool`]
//! and decide the transaction boundaries.

pub mod errors;
pub mod events;
pub mod limit;
pub mod migrations;
pub mod models;
pub mod pool;
pub mod queue;
pub mod schema;

pub use diesel::result::Error as QueryError;
pub use diesel_async::AsyncPgConnection;
pub use pool::{DbConn, DbPool};

/// The result of a query.
pub type QueryResult<T> = Result<T, QueryError>;
