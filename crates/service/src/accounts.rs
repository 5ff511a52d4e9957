//! Accounts and sessions: registration, sign-in, refresh rotation, sign-out, email verification,
//! password reset and change (SPEC AUTH-1 to AUTH-6).
//!
//! Registration and email verification live here; sign-in, refresh and sign-out in
//! `sessions`; password reset and change in `passwords`. Everything is re-exported here.

mod passwords;
mod sessions;

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use viva_domain::error::FieldError;
use viva_domain::password::check_password_policy;
use viva_domain::profile::{MAX_NAME_CHARS, required_text};
use viva_domain::vocab::AuditAction;
use viva_domain::{Email, Role, SessionId, UserId};
use viva_store::errors::unique_violation;
use viva_store::models::one_time_token::{self, TokenPurpose};
use viva_store::models::session::Principal;
use viva_store::models::throttle as throttle_store;
use viva_store::models::user::{NewUser, User};

use crate::auth::throttle;
use crate::auth::tokens::{generate_opaque_token, hash_opaque_token};
use crate::{Service, ServiceError, ServiceResult, audit, mail};

pub(crate) use passwords::send_reset_link;
pub use passwords::{change_password, request_password_reset, reset_password};
pub use sessions::{login, logout, logout_everywhere, refresh_session};

/// Longest password accepted where one is checked; longer input is refused before hashing.
pub const MAX_PRESENTED_PASSWORD_BYTES: usize = 1024;
/// Longest opaque token accepted (ours are 43 characters).
const MAX_PRESENTED_TOKEN_BYTES: usize = 128;
/// Emails of one kind sent to one address per hour, at most.
const MAX_EMAILS_PER_HOUR: i64 = 3;

/// A new account, as asked for.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// Email address; normalised to lower case and unique.
    pub email: String,
    /// 12 to 128 characters, not the email address, not a common password.
    pub password: String,
    /// Full name, up to 120 characters.
    pub full_name: String,
    /// [`Role::Candidate`] or [`Role::Hr`]: admins are created by the CLI or by another admin.
    pub role: Role,
}

/// What a registration did.
#[derive(Debug)]
pub enum Registered {
    /// A new account.
    New(Box<User>),
    /// The address already had an account; its owner was told by email. The caller answers as
    /// it would for a new account (no account enumeration).
    Existing {
        /// The stored address.
        email: String,
        /// The name given at registration.
        full_name: String,
        /// The role asked for.
        role: Role,
    },
}

/// A signed-in session's credentials.
#[derive(Debug)]
pub struct SignedIn {
    /// The signed-in user.
    pub user: User,
    /// The session.
    pub session_id: SessionId,
    /// A JWT access token.
    pub access_token: String,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// The opaque, single-use refresh token.
    pub refresh_token: String,
    /// When the refresh token expires.
    pub refresh_token_expires_at: DateTime<Utc>,
}

/// Creates a CANDIDATE or HR account and emails a verification link. Registrations are
/// throttled per client address (`ip`). An address that has an account gets
/// [`Registered::Existing`] and its owner an email instead.
pub async fn register(service: &Service, account: NewAccount, ip: Option<&str>) -> ServiceResult<Registered> {
    let limits = &service.config.throttle;
    let ip_bucket = throttle::address_bucket("register", ip.unwrap_or("unknown"));
    {
        let mut conn = service.pool.get().await?;
        throttle::check(&mut conn, limits, &ip_bucket, limits.max_requests_per_address).await?;
        throttle_store::record(&mut conn, &[&ip_bucket]).await?;
    }

    let mut errors = Vec::new();
    if !matches!(account.role, Role::Candidate | Role::Hr) {
        errors.push(FieldError::new("role", "must be CANDIDATE or HR"));
    }
    let email = Email::parse(&account.email, "email").map_err(|e| errors.push(e)).ok();
    let full_name =
        required_text(&account.full_name, "fullName", MAX_NAME_CHARS).map_err(|e| errors.push(e)).ok();
    let policy_email = email.clone().unwrap_or_else(|| Email::from_stored(String::new()));
    if let Err(e) = check_password_policy(&account.password, &policy_email, "password") {
        errors.push(e);
    }
    let (Some(email), Some(full_name), true) = (email, full_name, errors.is_empty()) else {
        return Err(ServiceError::BadInput(errors));
    };

    let password_hash = service.passwords.hash(account.password).await?;
    let (token, token_hash) = generate_opaque_token();
    let expires = Utc::now() + chrono_duration(service.config.email_verification_ttl)?;
    let role = account.role;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        // An address that has an account gets the same answer as a new one (no account
        // enumeration); its owner is told by email instead.
        if let Some(existing) = User::find_by_email(conn, email.as_str()).await? {
            let body = mail::existing_account_body(service, &existing.full_name);
            mail::queue(
                conn,
                service,
                mail::Message {
                    user_id: existing.id,
                    recipient: &existing.email,
                    subject: mail::EXISTING_ACCOUNT_SUBJECT,
                    body,
                },
            )
            .await?;
            audit::record(
                conn,
                None,
                AuditAction::RegistrationForExistingAccount,
                Some(existing.id),
                ip,
                serde_json::json!({}),
            )
            .await?;
            return Ok(Registered::Existing { email: existing.email, full_name, role });
        }
        let new = NewUser {
            id: UserId::new(),
            email: email.as_str(),
            password_hash: &password_hash,
            full_name: &full_name,
            role,
            email_verified_at: None,
        };
        let user = User::insert(conn, &new).await.map_err(|err| {
            if unique_violation(&err).is_some() {
                ServiceError::Conflict("an account with this email address already exists".into())
            } else {
                err.into()
            }
        })?;
        one_time_token::issue(conn, user.id, TokenPurpose::VerifyEmail, &token_hash, expires).await?;
        let body = mail::verification_body(service, &user.full_name, &token);
        mail::queue(
            conn,
            service,
            mail::Message { user_id: user.id, recipient: &user.email, subject: mail::VERIFY_SUBJECT, body },
        )
        .await?;
        audit::record(
            conn,
            Some(user.id),
            AuditAction::UserRegistered,
            Some(user.id),
            ip,
            serde_json::json!({ "role": role.as_str() }),
        )
        .await?;
        Ok(Registered::New(Box::new(user)))
    })
    .await
}

/// Emails the signed-in user a new verification link (at most 3 an hour).
pub async fn request_email_verification(service: &Service, principal: &Principal) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    let user = User::find(&mut conn, principal.user_id).await?.ok_or(ServiceError::NotFound("user"))?;
    if user.email_verified_at.is_some() {
        return Err(ServiceError::Conflict("this email address is already verified".into()));
    }
    let since = Utc::now() - chrono::Duration::hours(1);
    let recent =
        viva_store::models::email::count_recent(&mut conn, &user.email, mail::VERIFY_SUBJECT, since).await?;
    if recent >= MAX_EMAILS_PER_HOUR {
        return Err(ServiceError::RateLimited { retry_after_secs: 3600 });
    }
    let (token, token_hash) = generate_opaque_token();
    let expires = Utc::now() + chrono_duration(service.config.email_verification_ttl)?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        one_time_token::issue(conn, user.id, TokenPurpose::VerifyEmail, &token_hash, expires).await?;
        let body = mail::verification_body(service, &user.full_name, &token);
        mail::queue(
            conn,
            service,
            mail::Message { user_id: user.id, recipient: &user.email, subject: mail::VERIFY_SUBJECT, body },
        )
        .await
    })
    .await
}

/// Verifies an email address with the token from the verification email; returns the user.
pub async fn verify_email(service: &Service, token: &str, ip: Option<&str>) -> ServiceResult<User> {
    let invalid = || ServiceError::bad_field("token", "is invalid, used or expired");
    if token.len() > MAX_PRESENTED_TOKEN_BYTES {
        return Err(invalid());
    }
    let token_hash = hash_opaque_token(token);
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let user_id = one_time_token::consume(conn, &token_hash, TokenPurpose::VerifyEmail)
            .await?
            .ok_or_else(invalid)?;
        User::mark_email_verified(conn, user_id).await?;
        audit::record(
            conn,
            Some(user_id),
            AuditAction::EmailVerified,
            Some(user_id),
            ip,
            serde_json::json!({}),
        )
        .await?;
        User::find(conn, user_id).await?.ok_or_else(invalid)
    })
    .await
}

/// A `std` duration as a `chrono` one.
fn chrono_duration(duration: std::time::Duration) -> ServiceResult<chrono::Duration> {
    chrono::Duration::from_std(duration).map_err(ServiceError::internal)
}
