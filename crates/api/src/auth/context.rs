//! Who is calling: resolved once per request (or WebSocket connection) and put in its data.

use std::sync::atomic::{AtomicU32, Ordering};

use async_graphql::Context;
use viva_domain::Role;
use viva_store::models::session::Principal;

use viva_service::ServiceError;

use crate::error::{AppError, AppResult};
use crate::state::Services;

/// The caller of one request.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No credentials were presented.
    Anonymous,
    /// Credentials were presented but do not hold (expired, forged, revoked session, deactivated
    /// or deleted user). Public operations still work; everything else is `UNAUTHENTICATED`.
    Rejected,
    /// A signed-in user whose session and account are live.
    User(Principal),
}

/// Facts about the client, for throttles, sessions and the audit log.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    /// The client's address.
    pub ip: Option<String>,
    /// The client's user agent, truncated to 256 characters.
    pub user_agent: Option<String>,
    /// The refresh token from the `viva_refresh` cookie, if sent.
    pub refresh_cookie: Option<String>,
}

/// How many credential-checking mutations (sign-in, refresh, reset) one operation has run. One is
/// allowed per operation, so aliases cannot multiply guesses.
#[derive(Debug, Default)]
pub struct CredentialAttempts(AtomicU32);

impl CredentialAttempts {
    /// Counts one attempt; refuses all but the first in an operation.
    pub fn take(&self) -> AppResult<()> {
        if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            Ok(())
        } else {
            Err(ServiceError::RateLimited { retry_after_secs: 1 }.into())
        }
    }
}

/// Resolves a bearer token into a caller, checking the session and the account.
pub async fn authenticate(services: &Services, bearer: Option<&str>) -> AppResult<Caller> {
    let Some(token) = bearer else {
        return Ok(Caller::Anonymous);
    };
    Ok(match viva_service::auth::resolve(&services.service, token).await? {
        Some(principal) => Caller::User(principal),
        None => Caller::Rejected,
    })
}

/// Refuses with `UNAUTHENTICATED` when a principal's session or account has ended since it was
/// resolved; returns the principal as it is now.
pub async fn ensure_session_live(services: &Services, principal: &Principal) -> AppResult<Principal> {
    Ok(viva_service::auth::ensure_live(&services.service, principal).await?)
}

/// Reads the `Bearer` token of an `Authorization` header value.
pub fn bearer_token(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

/// Accessors for resolvers.
pub trait ContextExt {
    /// The application services.
    fn services(&self) -> AppResult<&Services>;
    /// The caller, as resolved for this request.
    fn caller(&self) -> AppResult<&Caller>;
    /// The signed-in user, or `UNAUTHENTICATED`.
    fn principal(&self) -> AppResult<Principal>;
    /// The signed-in user if they hold one of `roles`, else `FORBIDDEN`.
    fn require_role(&self, roles: &[Role]) -> AppResult<Principal>;
    /// Facts about the client.
    fn client(&self) -> ClientInfo;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> AppResult<&Services> {
        self.data::<Services>().map_err(|_| AppError::internal("services missing from the schema data"))
    }

    fn caller(&self) -> AppResult<&Caller> {
        self.data::<Caller>().map_err(|_| AppError::internal("caller missing from the request data"))
    }

    fn principal(&self) -> AppResult<Principal> {
        match self.caller()? {
            Caller::User(principal) => Ok(*principal),
            Caller::Anonymous => Err(ServiceError::Unauthenticated("sign in to do this").into()),
            Caller::Rejected => {
                Err(ServiceError::Unauthenticated("your session has expired or was revoked; sign in again")
                    .into())
            }
        }
    }

    fn require_role(&self, roles: &[Role]) -> AppResult<Principal> {
        let principal = self.principal()?;
        if roles.contains(&principal.role) {
            Ok(principal)
        } else {
            Err(ServiceError::Forbidden("your role may not do this").into())
        }
    }

    fn client(&self) -> ClientInfo {
        self.data::<ClientInfo>().cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some("bearer   abc ")), Some("abc"));
        assert_eq!(bearer_token(Some("Basic abc")), None);
        assert_eq!(bearer_token(Some("Bearer ")), None);
        assert_eq!(bearer_token(None), None);
    }

    #[test]
    fn one_credential_attempt_per_operation() {
        let attempts = CredentialAttempts::default();
        assert!(attempts.take().is_ok());
        assert!(attempts.take().is_err());
    }
}
