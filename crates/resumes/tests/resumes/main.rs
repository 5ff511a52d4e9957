//! The resumes crate through its public surface: extraction in the sandbox child, analysis of
//! the committed fixtures, and hostile files.

// Test code: a failed expectation should panic; the figures are printed for the record.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

mod analysis;
mod fixtures;
mod hostile;
mod support;
