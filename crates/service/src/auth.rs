//! Credentials: password hashing, access and opaque tokens, sign-in throttles, and the cache of
//! resolved sessions.

pub mod passwords;
pub mod session_cache;
pub mod throttle;
pub mod tokens;

use std::time::Duration;

use viva_domain::{UserId, UserStatus};
use viva_store::AsyncPgConnection;
use viva_store::models::session::{self, Principal};

use crate::auth::tokens::hash_opaque_token;
use crate::{Service, ServiceError, ServiceResult};

/// How long a use case that changed someone's access waits for its event to come back through
/// the bus before it gives up and empties this process's session cache instead.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(2);

/// Resolves an access token into the principal it stands for, checking the session and the
/// account; `None` when the token, the session or the account does not hold.
///
/// The token's signature and lifetime are checked every time; the session and the account come
/// from [`session_cache`] while it may be trusted, else from the database.
pub async fn resolve(service: &Service, token: &str) -> ServiceResult<Option<Principal>> {
    let claims = match service.tokens.verify(token) {
        Ok(claims) => claims,
        Err(err) => {
            tracing::debug!(error = %err, "access token refused");
            return Ok(None);
        }
    };
    let key = hash_opaque_token(token);
    let generation = service.events.generation();
    if let Some(principal) = service.sessions.get(&key, generation) {
        return Ok(Some(principal));
    }
    // Taken before the read, so that an eviction during it keeps its answer out of the cache.
    let ticket = service.sessions.ticket(generation);
    let mut conn = service.pool.get().await?;
    let principal = session::find_principal(&mut conn, claims.sub.into(), claims.sid.into())
        .await?
        .filter(|p| p.status == UserStatus::Active);
    if let (Some(principal), Some(ticket)) = (principal, ticket) {
        service.sessions.insert(key, principal, ticket);
    }
    Ok(principal)
}

/// Refuses with `UNAUTHENTICATED` when a principal's session or account has ended since it was
/// resolved: long-lived subscriptions call this before each event they deliver. Returns the
/// principal as it is now (its mapping may have changed). Always reads the database.
pub async fn ensure_live(service: &Service, principal: &Principal) -> ServiceResult<Principal> {
    let mut conn = service.pool.get().await?;
    match session::find_principal(&mut conn, principal.user_id, principal.session_id).await? {
        Some(live) if live.status == UserStatus::Active => Ok(live),
        _ => Err(ServiceError::Unauthenticated("your session has ended")),
    }
}

/// Makes a committed change to what `users` may do (a session revoked, an account deactivated
/// or deleted, a mapping changed) hold in this process before the use case returns: evicts
/// their cached sessions, then waits until the change's `ACCESS_CHANGED` events have come back
/// through this process's bus, by which time PostgreSQL has handed them to every listening
/// replica. If they do not come back in time, this process's whole cache is emptied.
///
/// Call it after the transaction committed, never inside it (an eviction before the commit
/// could be refilled from the old state), with the connection the use case holds, so that it
/// needs no second one from the pool.
pub async fn settle_access_change(service: &Service, conn: &mut AsyncPgConnection, users: &[UserId]) {
    for user in users {
        service.sessions.evict_user(*user);
    }
    if service.events.generation().is_none() {
        // Nothing is cached while the bus is down, and what was is dead once it is back.
        return;
    }
    let returned = service.events.barrier(conn, SETTLE_TIMEOUT).await.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "event bus barrier failed");
        false
    });
    if !returned {
        tracing::warn!("access change not confirmed by the event bus; session cache emptied");
        service.sessions.clear();
    }
}
