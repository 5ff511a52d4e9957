//! Authentication: password hashing, tokens, who is calling, and sign-in throttles.

pub mod context;
pub mod passwords;
pub mod throttle;
pub mod tokens;

pub use context::{Caller, ClientInfo};
