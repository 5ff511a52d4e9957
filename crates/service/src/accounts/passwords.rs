//! Passwords: reset by emailed link and change by the signed-in user (SPEC AUTH-5, AUTH-6).

use chrono::Utc;
use diesel_async::AsyncConnection;
use viva_domain::password::check_password_policy;
use viva_domain::vocab::AuditAction;
use viva_domain::{Email, UserStatus};
use viva_store::models::one_time_token::{self, TokenPurpose};
use viva_store::models::session::{self, Principal, RevocationReason};
use viva_store::models::throttle as throttle_store;
use viva_store::models::user::User;

use super::{MAX_EMAILS_PER_HOUR, MAX_PRESENTED_PASSWORD_BYTES, MAX_PRESENTED_TOKEN_BYTES, chrono_duration};
use crate::auth::tokens::{generate_opaque_token, hash_opaque_token};
use crate::auth::{settle_access_change, throttle};
use crate::{Service, ServiceError, ServiceResult, audit, mail};

/// Emails a password-reset link if an active account has this address. Succeeds either way, so
/// it cannot be used to find out who has an account: the lookup and the email happen in the
/// background, after this returns. Requests are throttled per client address (`ip`).
pub async fn request_password_reset(service: &Service, email: &str, ip: Option<&str>) -> ServiceResult<()> {
    let email = Email::parse(email, "email")?;
    let limits = &service.config.throttle;
    let ip_bucket = throttle::address_bucket("reset-request", ip.unwrap_or("unknown"));
    let mut conn = service.pool.get().await?;
    throttle::check(&mut conn, limits, &ip_bucket, limits.max_requests_per_address).await?;
    // The answer, and the work done before it, are the same whether the address has an
    // account or not: the lookup and the email happen after the response, in a durable job.
    conn.transaction::<_, ServiceError, _>(async |conn| {
        throttle_store::record(conn, &[&ip_bucket]).await?;
        crate::jobs::password_reset::enqueue(conn, email.as_str(), ip).await?;
        Ok(())
    })
    .await
}

/// Sets a new password with the token from the reset email, and signs out every session.
pub async fn reset_password(
    service: &Service,
    token: &str,
    new_password: String,
    ip: Option<&str>,
) -> ServiceResult<()> {
    let invalid = || ServiceError::bad_field("token", "is invalid, used or expired");
    if token.len() > MAX_PRESENTED_TOKEN_BYTES {
        return Err(invalid());
    }
    let token_hash = hash_opaque_token(token);
    let user = {
        let mut conn = service.pool.get().await?;
        let user_id = one_time_token::peek(&mut conn, &token_hash, TokenPurpose::ResetPassword)
            .await?
            .ok_or_else(invalid)?;
        User::find(&mut conn, user_id).await?.ok_or_else(invalid)?
    };
    check_password_policy(&new_password, &Email::from_stored(user.email.clone()), "newPassword")?;
    let new_hash = service.passwords.hash(new_password).await?;
    let user_id = user.id;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let consumed = one_time_token::consume(conn, &token_hash, TokenPurpose::ResetPassword).await?;
        if consumed != Some(user.id) {
            return Err(invalid());
        }
        User::set_password_hash(conn, user.id, &new_hash).await?;
        // Receiving the email proves the address too.
        User::mark_email_verified(conn, user.id).await?;
        let ended =
            session::revoke_all_for_user(conn, user.id, RevocationReason::PasswordReset, None).await?;
        audit::record(
            conn,
            None,
            AuditAction::PasswordReset,
            Some(user.id),
            ip,
            serde_json::json!({ "sessionsEnded": ended }),
        )
        .await
    })
    .await?;
    settle_access_change(service, &mut conn, &[user_id]).await;
    Ok(())
}

/// Changes the principal's password, after checking the current one (throttled like sign-in),
/// and signs out their other sessions.
pub async fn change_password(
    service: &Service,
    principal: &Principal,
    current_password: String,
    new_password: String,
    ip: Option<&str>,
) -> ServiceResult<()> {
    if current_password.len() > MAX_PRESENTED_PASSWORD_BYTES {
        return Err(ServiceError::bad_field("currentPassword", "is incorrect"));
    }
    let (user, hash, reserved) = {
        let mut conn = service.pool.get().await?;
        let user = User::find(&mut conn, principal.user_id).await?.ok_or(ServiceError::NotFound("user"))?;
        let bucket = throttle::account_bucket(&user.email);
        let limits = &service.config.throttle;
        let reserved =
            throttle::reserve(&mut conn, limits, &[(&bucket, limits.max_failures_per_account)]).await?;
        let hash = User::password_hash(&mut conn, principal.user_id).await?;
        (user, hash, reserved)
    };
    let email = Email::from_stored(user.email.clone());
    if !service.passwords.verify(current_password.clone(), hash).await? {
        return Err(ServiceError::bad_field("currentPassword", "is incorrect"));
    }
    throttle::release(&mut *service.pool.get().await?, &reserved).await?;
    check_password_policy(&new_password, &email, "newPassword")?;
    if new_password == current_password {
        return Err(ServiceError::bad_field("newPassword", "must differ from the current password"));
    }
    let new_hash = service.passwords.hash(new_password).await?;
    let principal = *principal;
    let user_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        User::set_password_hash(conn, principal.user_id, &new_hash).await?;
        // A reset link sent before the change must not undo it.
        one_time_token::revoke_unused(conn, principal.user_id, TokenPurpose::ResetPassword).await?;
        let ended = session::revoke_all_for_user(
            conn,
            principal.user_id,
            RevocationReason::PasswordChanged,
            Some(principal.session_id),
        )
        .await?;
        audit::record(
            conn,
            Some(principal.user_id),
            AuditAction::PasswordChanged,
            Some(principal.user_id),
            ip,
            serde_json::json!({ "sessionsEnded": ended }),
        )
        .await
    })
    .await?;
    settle_access_change(service, &mut conn, &[user_id]).await;
    Ok(())
}

/// Issues a reset token and queues its email, if the address has an active account that has
/// not had too many already this hour. Runs in the `password_reset` job, after [`request_password_reset`] has returned.
pub(crate) async fn send_reset_link(service: &Service, email: &str, ip: Option<String>) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    let Some(user) = User::find_by_email(&mut conn, email).await? else {
        return Ok(());
    };
    let since = Utc::now() - chrono::Duration::hours(1);
    let recent =
        viva_store::models::email::count_recent(&mut conn, &user.email, mail::RESET_SUBJECT, since).await?;
    if user.status != UserStatus::Active || recent >= MAX_EMAILS_PER_HOUR {
        return Ok(());
    }
    let (token, token_hash) = generate_opaque_token();
    let expires = Utc::now() + chrono_duration(service.config.password_reset_ttl)?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        one_time_token::issue(conn, user.id, TokenPurpose::ResetPassword, &token_hash, expires).await?;
        let body = mail::reset_body(service, &user.full_name, &token);
        mail::queue(
            conn,
            service,
            mail::Message { user_id: user.id, recipient: &user.email, subject: mail::RESET_SUBJECT, body },
        )
        .await?;
        audit::record(
            conn,
            None,
            AuditAction::PasswordResetRequested,
            Some(user.id),
            ip.as_deref(),
            serde_json::json!({}),
        )
        .await
    })
    .await
}
