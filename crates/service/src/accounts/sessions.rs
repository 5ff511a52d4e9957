//! Sessions: sign-in, refresh-token rotation and sign-out (SPEC AUTH-2, AUTH-3).

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use viva_domain::vocab::AuditAction;
use viva_domain::{Email, SessionId, UserStatus};
use viva_store::models::session::{self, NewSession, Principal, RevocationReason, Rotation};
use viva_store::models::throttle as throttle_store;
use viva_store::models::user::User;

use super::{MAX_PRESENTED_PASSWORD_BYTES, MAX_PRESENTED_TOKEN_BYTES, SignedIn, chrono_duration};
use crate::auth::tokens::{generate_opaque_token, hash_opaque_token};
use crate::auth::{settle_access_change, throttle};
use crate::{Service, ServiceError, ServiceResult, audit};

/// Signs in from the client at `ip` with `user_agent`. Wrong passwords and unknown emails get
/// the same error and take the same time. Failures are throttled per account and per client
/// address.
///
/// Fails with `UNAUTHENTICATED` only for wrong credentials and with `FORBIDDEN` only for a
/// deactivated account (after recording each in the audit log), so callers may count outcomes
/// by the error's kind.
pub async fn login(
    service: &Service,
    email: &str,
    password: String,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> ServiceResult<SignedIn> {
    if password.len() > MAX_PRESENTED_PASSWORD_BYTES {
        return Err(ServiceError::bad_field("password", "is too long"));
    }
    let email = Email::parse(email, "email")?;
    let limits = &service.config.throttle;
    let account_bucket = throttle::account_bucket(email.as_str());
    let ip_bucket = throttle::address_bucket("login-fail", ip.unwrap_or("unknown"));

    // The attempt is charged before the password is checked, so parallel guesses cannot all
    // pass the count; a right password gives it back.
    let (found, reserved) = {
        let mut conn = service.pool.get().await?;
        let reserved = throttle::reserve(
            &mut conn,
            limits,
            &[
                (&account_bucket, limits.max_failures_per_account),
                (&ip_bucket, limits.max_failures_per_address),
            ],
        )
        .await?;
        (User::find_with_password_hash(&mut conn, email.as_str()).await?, reserved)
    };
    let (user, hash) = found.map_or((None, None), |(user, hash)| (Some(user), Some(hash)));
    let password_matches = service.passwords.verify(password, hash).await?;

    let mut conn = service.pool.get().await?;
    let user = match user {
        Some(user) if password_matches => {
            throttle::release(&mut conn, &reserved).await?;
            user
        }
        user => {
            let target = user.map(|u| u.id);
            audit::record(&mut conn, None, AuditAction::LoginFailed, target, ip, serde_json::json!({}))
                .await?;
            return Err(ServiceError::Unauthenticated("invalid email or password"));
        }
    };
    if user.status != UserStatus::Active {
        audit::record(
            &mut conn,
            Some(user.id),
            AuditAction::LoginRefusedDeactivated,
            Some(user.id),
            ip,
            serde_json::json!({}),
        )
        .await?;
        return Err(ServiceError::Forbidden("this account is deactivated"));
    }

    let session_id = SessionId::new();
    let (refresh_token, refresh_hash) = generate_opaque_token();
    let refresh_expires = Utc::now() + chrono_duration(service.config.refresh_token_ttl)?;
    let user_id = user.id;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        session::create(
            conn,
            &NewSession {
                id: session_id,
                user_id,
                refresh_token_hash: &refresh_hash,
                refresh_expires_at: refresh_expires,
                user_agent,
                ip_address: ip,
            },
        )
        .await?;
        User::record_login(conn, user_id).await?;
        throttle_store::clear(conn, &account_bucket).await?;
        audit::record(
            conn,
            Some(user_id),
            AuditAction::LoginSucceeded,
            Some(user_id),
            ip,
            serde_json::json!({ "sessionId": session_id.0 }),
        )
        .await
    })
    .await?;
    signed_in(service, user, session_id, refresh_token, refresh_expires)
}

/// Exchanges a refresh token (`presented`, from the request or its cookie) for new credentials.
/// The token is single-use: presenting one that was already rotated signs out its whole session
/// family.
pub async fn refresh_session(
    service: &Service,
    presented: Option<&str>,
    ip: Option<&str>,
) -> ServiceResult<SignedIn> {
    let Some(presented) = presented else {
        return Err(ServiceError::Unauthenticated("no refresh token was presented"));
    };
    if presented.len() > MAX_PRESENTED_TOKEN_BYTES {
        return Err(ServiceError::Unauthenticated("invalid or expired refresh token"));
    }
    let (refresh_token, refresh_hash) = generate_opaque_token();
    let refresh_expires = Utc::now() + chrono_duration(service.config.refresh_token_ttl)?;
    let mut conn = service.pool.get().await?;
    let rotation = session::rotate_refresh_token(
        &mut conn,
        &hash_opaque_token(presented),
        &refresh_hash,
        refresh_expires,
    )
    .await?;
    match rotation {
        Rotation::Rotated { session_id, user_id } => {
            let user = User::find(&mut conn, user_id)
                .await?
                .ok_or(ServiceError::Unauthenticated("invalid or expired refresh token"))?;
            signed_in(service, user, session_id, refresh_token, refresh_expires)
        }
        Rotation::Reused { session_id, user_id } => {
            audit::record(
                &mut conn,
                None,
                AuditAction::RefreshTokenReused,
                Some(user_id),
                ip,
                serde_json::json!({ "sessionId": session_id.0 }),
            )
            .await?;
            settle_access_change(service, &mut conn, &[user_id]).await;
            tracing::warn!(%user_id, %session_id, "rotated refresh token presented again; session revoked");
            Err(ServiceError::Unauthenticated(
                "this refresh token was already used; the session has been signed out",
            ))
        }
        Rotation::Invalid => Err(ServiceError::Unauthenticated("invalid or expired refresh token")),
    }
}

/// Signs out the principal's current session.
pub async fn logout(service: &Service, principal: &Principal, ip: Option<&str>) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    session::revoke(&mut conn, principal.session_id, RevocationReason::Logout).await?;
    settle_access_change(service, &mut conn, &[principal.user_id]).await;
    audit::record(
        &mut conn,
        Some(principal.user_id),
        AuditAction::Logout,
        Some(principal.user_id),
        ip,
        serde_json::json!({}),
    )
    .await
}

/// Signs out every session of the principal, the current one included; returns how many ended.
pub async fn logout_everywhere(
    service: &Service,
    principal: &Principal,
    ip: Option<&str>,
) -> ServiceResult<usize> {
    let mut conn = service.pool.get().await?;
    let ended =
        session::revoke_all_for_user(&mut conn, principal.user_id, RevocationReason::LogoutEverywhere, None)
            .await?;
    settle_access_change(service, &mut conn, &[principal.user_id]).await;
    audit::record(
        &mut conn,
        Some(principal.user_id),
        AuditAction::LogoutEverywhere,
        Some(principal.user_id),
        ip,
        serde_json::json!({ "sessions": ended }),
    )
    .await?;
    Ok(ended)
}

/// Issues the access token of a session and gathers its credentials.
fn signed_in(
    service: &Service,
    user: User,
    session_id: SessionId,
    refresh_token: String,
    refresh_token_expires_at: DateTime<Utc>,
) -> ServiceResult<SignedIn> {
    let (access_token, access_token_expires_at) =
        service.tokens.issue(user.id, session_id).map_err(ServiceError::internal)?;
    Ok(SignedIn {
        user,
        session_id,
        access_token,
        access_token_expires_at,
        refresh_token,
        refresh_token_expires_at,
    })
}
