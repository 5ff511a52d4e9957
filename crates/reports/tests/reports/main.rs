//! The report crate's tests: the model's JSON (and, with the `graphql` feature, that it equals
//! the GraphQL output), the CSV and the PDF.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod csv;
mod model;
mod pdf;
mod sample;
