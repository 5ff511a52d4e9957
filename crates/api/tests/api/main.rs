//! The API's feature tests: GraphQL through the real router, each test on a database of its own.

// Test code: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod account_data;
mod accounts;
mod admin;
mod analytics;
mod answer_corpus;
mod authorization;
mod email_delivery;
mod endpoint;
mod evaluations;
mod interview_authorization;
mod interviews;
mod matrix;
mod messaging;
mod organisation;
mod persisted;
mod profile;
mod reports;
mod resumes;
mod schema;
mod security;
mod session_cache;
mod sessions;
mod similarity;
mod spoken;
mod tokens;
