//! Credentials: password hashing, access and opaque tokens, sign-in throttles.

pub mod passwords;
pub mod throttle;
pub mod tokens;

use viva_domain::UserStatus;
use viva_store::models::session::{self, Principal};

use crate::{Service, ServiceError, ServiceResult};

/// Resolves an access token into the principal it stands for, checking the session and the
/// account in the database; `None` when the token, the session or the account does not hold.
pub async fn resolve(service: &Service, token: &str) -> ServiceResult<Option<Principal>> {
    let claims = match service.tokens.verify(token) {
        Ok(claims) => claims,
        Err(err) => {
            tracing::debug!(error = %err, "access token refused");
            return Ok(None);
        }
    };
    let mut conn = service.pool.get().await?;
    let principal = session::find_principal(&mut conn, claims.sub.into(), claims.sid.into()).await?;
    Ok(principal.filter(|p| p.status == UserStatus::Active))
}

/// Refuses with `UNAUTHENTICATED` when a principal's session or account has ended since it was
/// resolved: long-lived subscriptions call this before each event they deliver. Returns the
/// principal as it is now (its mapping may have changed).
pub async fn ensure_live(service: &Service, principal: &Principal) -> ServiceResult<Principal> {
    let mut conn = service.pool.get().await?;
    match session::find_principal(&mut conn, principal.user_id, principal.session_id).await? {
        Some(live) if live.status == UserStatus::Active => Ok(live),
        _ => Err(ServiceError::Unauthenticated("your session has ended")),
    }
}
