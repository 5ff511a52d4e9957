//! Models and their queries, one module per table.

pub mod audit;
pub mod email;
pub mod one_time_token;
pub mod session;
pub mod throttle;
pub mod user;
