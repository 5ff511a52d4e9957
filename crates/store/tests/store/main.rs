//! The store's own behaviour that no GraphQL operation shows yet: the background-job queue,
//! the outbox, the pool.

// Test code: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod outbox;
mod pool;
mod queue;
