//! End-to-end tests: the real `viva` binary, on a database of its own, driven over HTTP and
//! WebSocket as a client would.

// Test code: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analyze_resume;
mod cli;
mod evaluation;
mod graphiql;
mod graphql_http;
mod http_flow;
mod interviews;
mod notifications;
mod providers;
mod replicas;
mod reports;
mod resumes;
mod server;
mod soak;
mod spoken;
mod websocket;
mod worker;
