//! Authentication: who is calling, from the access token or the session cookie. Credentials
//! themselves (hashing, tokens, throttles) are the service layer's.

pub mod context;

pub use context::{Caller, ClientInfo};
pub use viva_service::auth::{passwords, throttle, tokens};
