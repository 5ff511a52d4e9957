//! The API's feature tests: GraphQL through the real router, each test on a database of its own.

// Test code: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod email_delivery;
mod endpoint;
mod profile;
mod schema;
mod sessions;
mod tokens;
