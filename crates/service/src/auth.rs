//! Credentials: password hashing, access and opaque tokens, sign-in throttles.

pub mod passwords;
pub mod throttle;
pub mod tokens;
