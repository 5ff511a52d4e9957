//! Test support: a PostgreSQL database per test, cloned from a template migrated once per run,
//! and a [`TestApp`] that sends GraphQL through the real router.
//!
//! ```ignore
//! let app = TestApp::new().await;
//! let ada = app.candidate().await;
//! let me = app.graphql_as(&ada, "{ me { email } }", json!({})).await;
//! ```

// Test code: a failed set-up should stop the test loudly, so panicking helpers are intended.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

mod database;
mod multipart;
mod postgres;
mod smtp;
mod test_app;

pub use database::TestDatabase;
pub use multipart::{UploadPart, multipart_request};
pub use postgres::EphemeralPostgres;
pub use smtp::{ReceivedMail, SmtpServer};
pub use test_app::{
    GraphqlResponse, LOGIN_DOCUMENT, REGISTER_DOCUMENT, RawResponse, TEST_PASSWORD, TestApp, TestUser,
};
