//! Accounts and sessions: registration, sign-in, refresh rotation, sign-out, email verification,
//! password reset and change (SPEC AUTH-1 to AUTH-6).

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use viva_domain::error::FieldError;
use viva_domain::password::check_password_policy;
use viva_domain::profile::{MAX_NAME_CHARS, required_text};
use viva_domain::{Email, Role, SessionId, UserId, UserStatus};
use viva_store::errors::unique_violation;
use viva_store::models::one_time_token::{self, TokenPurpose};
use viva_store::models::session::{self, NewSession, RevocationReason, Rotation};
use viva_store::models::throttle as throttle_store;
use viva_store::models::user::{NewUser, User as StoredUser};

use viva_service::audit as audit_log;
use viva_domain::vocab::AuditAction;
use crate::auth::context::{ContextExt, CredentialAttempts};
use crate::auth::throttle;
use crate::auth::tokens::{generate_opaque_token, hash_opaque_token};
use crate::cookies;
use crate::error::{AppError, AppResult};
use crate::graphql::types::User;
use viva_service::mail;
use crate::state::Services;

/// Longest password accepted at sign-in; longer input is refused before hashing.
const MAX_PRESENTED_PASSWORD_BYTES: usize = 1024;
/// Longest opaque token accepted (ours are 43 characters).
const MAX_PRESENTED_TOKEN_BYTES: usize = 128;
/// Emails of one kind sent to one address per hour, at most.
const MAX_EMAILS_PER_HOUR: i64 = 3;

/// The roles anyone may register for. Admins are created by the CLI or by another admin.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationRole {
    /// Takes interviews and practises.
    Candidate,
    /// Schedules interviews once mapped to an admin.
    Hr,
}

impl From<RegistrationRole> for Role {
    fn from(role: RegistrationRole) -> Self {
        match role {
            RegistrationRole::Candidate => Role::Candidate,
            RegistrationRole::Hr => Role::Hr,
        }
    }
}

/// A new account.
#[derive(InputObject)]
pub struct RegisterInput {
    /// Email address; normalised to lower case and unique.
    pub email: String,
    /// 12 to 128 characters, not the email address, not a common password.
    pub password: String,
    /// Full name, up to 120 characters.
    pub full_name: String,
    /// CANDIDATE or HR.
    pub role: RegistrationRole,
}

/// Credentials to sign in with.
#[derive(InputObject)]
pub struct LoginInput {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
    /// Also set the refresh token as an HttpOnly, Secure, SameSite=Strict cookie.
    #[graphql(default)]
    pub set_cookie: bool,
}

/// A refresh token to rotate.
#[derive(InputObject, Default)]
pub struct RefreshSessionInput {
    /// The refresh token; may be omitted when it is sent as the `viva_refresh` cookie.
    pub refresh_token: Option<String>,
    /// Set the new refresh token as a cookie (always done when the old one came as a cookie).
    #[graphql(default)]
    pub set_cookie: bool,
}

/// A password reset.
#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The token from the reset email.
    pub token: String,
    /// The new password.
    pub new_password: String,
}

/// A password change by a signed-in user.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password in use now.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
}

/// A signed-in session's credentials.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// A JWT to send as `Authorization: Bearer <token>`; lives 15 minutes.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// An opaque token for `refreshSession`; single-use, lives 30 days. Keep it secret.
    pub refresh_token: String,
    /// When the refresh token expires.
    pub refresh_token_expires_at: DateTime<Utc>,
    /// The signed-in user.
    pub user: User,
}

/// What a registration did.
enum Registered {
    /// A new account.
    New(Box<StoredUser>),
    /// The address already had an account; its owner was told.
    Existing { email: String, full_name: String, role: Role },
}

/// Account and session mutations.
#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates a CANDIDATE or HR account and emails a verification link. Registrations are
    /// throttled per client address.
    #[graphql(complexity = 25)]
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> AppResult<User> {
        let services = ctx.services()?;
        let client = ctx.client();
        let limits = &services.config.throttle;
        let ip_bucket = throttle::address_bucket("register", client.ip.as_deref().unwrap_or("unknown"));
        {
            let mut conn = services.pool.get().await?;
            throttle::check(&mut conn, limits, &ip_bucket, limits.max_requests_per_address).await?;
            throttle_store::record(&mut conn, &[&ip_bucket]).await?;
        }

        let mut errors = Vec::new();
        let email = Email::parse(&input.email, "email").map_err(|e| errors.push(e)).ok();
        let full_name =
            required_text(&input.full_name, "fullName", MAX_NAME_CHARS).map_err(|e| errors.push(e)).ok();
        let policy_email = email.clone().unwrap_or_else(|| Email::from_stored(String::new()));
        if let Err(e) = check_password_policy(&input.password, &policy_email, "password") {
            errors.push(e);
        }
        let (Some(email), Some(full_name), true) = (email, full_name, errors.is_empty()) else {
            return Err(AppError::BadInput(errors));
        };

        let password_hash = services.passwords.hash(input.password).await?;
        let (token, token_hash) = generate_opaque_token();
        let expires = Utc::now() + chrono_duration(services.config.email_verification_ttl)?;
        let role: Role = input.role.into();
        let mut conn = services.pool.get().await?;
        let created = conn
            .transaction::<_, AppError, _>(async move |conn| {
                // An address that has an account gets the same answer as a new one (no account
                // enumeration); its owner is told by email instead.
                if let Some(existing) = StoredUser::find_by_email(conn, email.as_str()).await? {
                    let body = mail::existing_account_body(services, &existing.full_name);
                    mail::queue(
                        conn,
                        services,
                        mail::Message {
                            user_id: existing.id,
                            recipient: &existing.email,
                            subject: mail::EXISTING_ACCOUNT_SUBJECT,
                            body,
                        },
                    )
                    .await?;
                    audit_log::record(
                        conn,
                        None,
                        AuditAction::RegistrationForExistingAccount,
                        Some(existing.id),
                        client.ip.as_deref(),
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
                let user = StoredUser::insert(conn, &new).await.map_err(|err| {
                    if unique_violation(&err).is_some() {
                        AppError::Conflict("an account with this email address already exists".into())
                    } else {
                        err.into()
                    }
                })?;
                one_time_token::issue(conn, user.id, TokenPurpose::VerifyEmail, &token_hash, expires).await?;
                let body = mail::verification_body(services, &user.full_name, &token);
                mail::queue(
                    conn,
                    services,
                    mail::Message {
                        user_id: user.id,
                        recipient: &user.email,
                        subject: mail::VERIFY_SUBJECT,
                        body,
                    },
                )
                .await?;
                audit_log::record(
                    conn,
                    Some(user.id),
                    AuditAction::UserRegistered,
                    Some(user.id),
                    client.ip.as_deref(),
                    serde_json::json!({ "role": role.as_str() }),
                )
                .await?;
                Ok(Registered::New(Box::new(user)))
            })
            .await?;
        let user = match created {
            Registered::New(user) => *user,
            Registered::Existing { email, full_name, role } => {
                return Ok(User::unsaved(email, full_name, role));
            }
        };
        Ok(user.into())
    }

    /// Signs in. Wrong passwords and unknown emails get the same error and take the same time.
    /// Failures are throttled per account and per client address; one sign-in per operation.
    #[graphql(complexity = 25)]
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> AppResult<AuthPayload> {
        let services = ctx.services()?;
        ctx.data::<CredentialAttempts>()
            .map_err(|_| AppError::internal("attempt counter missing"))?
            .take()?;
        if input.password.len() > MAX_PRESENTED_PASSWORD_BYTES {
            return Err(AppError::bad_field("password", "is too long"));
        }
        let email = Email::parse(&input.email, "email")?;
        let client = ctx.client();
        let limits = &services.config.throttle;
        let account_bucket = throttle::account_bucket(email.as_str());
        let ip_bucket = throttle::address_bucket("login-fail", client.ip.as_deref().unwrap_or("unknown"));

        // The attempt is charged before the password is checked, so parallel guesses cannot all
        // pass the count; a right password gives it back.
        let (found, reserved) = {
            let mut conn = services.pool.get().await?;
            let reserved = throttle::reserve(
                &mut conn,
                limits,
                &[
                    (&account_bucket, limits.max_failures_per_account),
                    (&ip_bucket, limits.max_failures_per_address),
                ],
            )
            .await?;
            (StoredUser::find_with_password_hash(&mut conn, email.as_str()).await?, reserved)
        };
        let (user, hash) = found.map_or((None, None), |(user, hash)| (Some(user), Some(hash)));
        let password_matches = services.passwords.verify(input.password, hash).await?;

        let mut conn = services.pool.get().await?;
        let user = match user {
            Some(user) if password_matches => {
                throttle::release(&mut conn, &reserved).await?;
                user
            }
            user => {
                let target = user.map(|u| u.id);
                audit_log::record(
                    &mut conn,
                    None,
                    AuditAction::LoginFailed,
                    target,
                    client.ip.as_deref(),
                    serde_json::json!({}),
                )
                .await?;
                services.metrics.logins.with_label_values(&["failed"]).inc();
                return Err(AppError::Unauthenticated("invalid email or password"));
            }
        };
        if user.status != UserStatus::Active {
            audit_log::record(
                &mut conn,
                Some(user.id),
                AuditAction::LoginRefusedDeactivated,
                Some(user.id),
                client.ip.as_deref(),
                serde_json::json!({}),
            )
            .await?;
            services.metrics.logins.with_label_values(&["deactivated"]).inc();
            return Err(AppError::Forbidden("this account is deactivated"));
        }

        let session_id = SessionId::new();
        let (refresh_token, refresh_hash) = generate_opaque_token();
        let refresh_expires = Utc::now() + chrono_duration(services.config.refresh_token_ttl)?;
        let user_agent = client.user_agent.clone();
        conn.transaction::<_, AppError, _>(async move |conn| {
            session::create(
                conn,
                &NewSession {
                    id: session_id,
                    user_id: user.id,
                    refresh_token_hash: &refresh_hash,
                    refresh_expires_at: refresh_expires,
                    user_agent: user_agent.as_deref(),
                    ip_address: client.ip.as_deref(),
                },
            )
            .await?;
            StoredUser::record_login(conn, user.id).await?;
            throttle_store::clear(conn, &account_bucket).await?;
            audit_log::record(
                conn,
                Some(user.id),
                AuditAction::LoginSucceeded,
                Some(user.id),
                client.ip.as_deref(),
                serde_json::json!({ "sessionId": session_id.0 }),
            )
            .await?;
            Ok(())
        })
        .await?;
        services.metrics.logins.with_label_values(&["succeeded"]).inc();
        if input.set_cookie {
            cookies::set_refresh_cookie(ctx, services, &refresh_token);
        }
        issue_payload(services, user, session_id, refresh_token, refresh_expires)
    }

    /// Exchanges a refresh token for new credentials. The token is single-use: presenting one
    /// that was already rotated signs out its whole session family.
    #[graphql(complexity = 25)]
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] input: RefreshSessionInput,
    ) -> AppResult<AuthPayload> {
        let services = ctx.services()?;
        ctx.data::<CredentialAttempts>()
            .map_err(|_| AppError::internal("attempt counter missing"))?
            .take()?;
        let client = ctx.client();
        let from_cookie = input.refresh_token.is_none();
        let Some(presented) = input.refresh_token.or(client.refresh_cookie.clone()) else {
            return Err(AppError::Unauthenticated("no refresh token was presented"));
        };
        if presented.len() > MAX_PRESENTED_TOKEN_BYTES {
            return Err(AppError::Unauthenticated("invalid or expired refresh token"));
        }
        let (refresh_token, refresh_hash) = generate_opaque_token();
        let refresh_expires = Utc::now() + chrono_duration(services.config.refresh_token_ttl)?;
        let mut conn = services.pool.get().await?;
        let rotation = session::rotate_refresh_token(
            &mut conn,
            &hash_opaque_token(&presented),
            &refresh_hash,
            refresh_expires,
        )
        .await?;
        match rotation {
            Rotation::Rotated { session_id, user_id } => {
                let user = StoredUser::find(&mut conn, user_id)
                    .await?
                    .ok_or(AppError::Unauthenticated("invalid or expired refresh token"))?;
                if input.set_cookie || from_cookie {
                    cookies::set_refresh_cookie(ctx, services, &refresh_token);
                }
                issue_payload(services, user, session_id, refresh_token, refresh_expires)
            }
            Rotation::Reused { session_id, user_id } => {
                audit_log::record(
                    &mut conn,
                    None,
                    AuditAction::RefreshTokenReused,
                    Some(user_id),
                    client.ip.as_deref(),
                    serde_json::json!({ "sessionId": session_id.0 }),
                )
                .await?;
                tracing::warn!(%user_id, %session_id, "rotated refresh token presented again; session revoked");
                Err(AppError::Unauthenticated(
                    "this refresh token was already used; the session has been signed out",
                ))
            }
            Rotation::Invalid => Err(AppError::Unauthenticated("invalid or expired refresh token")),
        }
    }

    /// Signs out the current session. Returns true.
    async fn logout(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        let mut conn = services.pool.get().await?;
        session::revoke(&mut conn, principal.session_id, RevocationReason::Logout).await?;
        audit_log::record(
            &mut conn,
            Some(principal.user_id),
            AuditAction::Logout,
            Some(principal.user_id),
            ctx.client().ip.as_deref(),
            serde_json::json!({}),
        )
        .await?;
        cookies::clear_refresh_cookie(ctx, services);
        Ok(true)
    }

    /// Signs out every session of the signed-in user, this one included. Returns how many ended.
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        let mut conn = services.pool.get().await?;
        let ended = session::revoke_all_for_user(
            &mut conn,
            principal.user_id,
            RevocationReason::LogoutEverywhere,
            None,
        )
        .await?;
        audit_log::record(
            &mut conn,
            Some(principal.user_id),
            AuditAction::LogoutEverywhere,
            Some(principal.user_id),
            ctx.client().ip.as_deref(),
            serde_json::json!({ "sessions": ended }),
        )
        .await?;
        cookies::clear_refresh_cookie(ctx, services);
        Ok(i32::try_from(ended).unwrap_or(i32::MAX))
    }

    /// Emails the signed-in user a new verification link (at most 3 an hour).
    async fn request_email_verification(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        let mut conn = services.pool.get().await?;
        let user = StoredUser::find(&mut conn, principal.user_id).await?.ok_or(AppError::NotFound("user"))?;
        if user.email_verified_at.is_some() {
            return Err(AppError::Conflict("this email address is already verified".into()));
        }
        let since = Utc::now() - chrono::Duration::hours(1);
        let recent =
            viva_store::models::email::count_recent(&mut conn, &user.email, mail::VERIFY_SUBJECT, since)
                .await?;
        if recent >= MAX_EMAILS_PER_HOUR {
            return Err(AppError::RateLimited { retry_after_secs: 3600 });
        }
        let (token, token_hash) = generate_opaque_token();
        let expires = Utc::now() + chrono_duration(services.config.email_verification_ttl)?;
        conn.transaction::<_, AppError, _>(async move |conn| {
            one_time_token::issue(conn, user.id, TokenPurpose::VerifyEmail, &token_hash, expires).await?;
            let body = mail::verification_body(services, &user.full_name, &token);
            mail::queue(
                conn,
                services,
                mail::Message {
                    user_id: user.id,
                    recipient: &user.email,
                    subject: mail::VERIFY_SUBJECT,
                    body,
                },
            )
            .await
        })
        .await?;
        Ok(true)
    }

    /// Verifies an email address with the token from the verification email. Returns the user.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> AppResult<User> {
        let services = ctx.services()?;
        let invalid = || AppError::bad_field("token", "is invalid, used or expired");
        if token.len() > MAX_PRESENTED_TOKEN_BYTES {
            return Err(invalid());
        }
        let ip = ctx.client().ip;
        let mut conn = services.pool.get().await?;
        let user = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let user_id =
                    one_time_token::consume(conn, &hash_opaque_token(&token), TokenPurpose::VerifyEmail)
                        .await?
                        .ok_or_else(invalid)?;
                StoredUser::mark_email_verified(conn, user_id).await?;
                audit_log::record(
                    conn,
                    Some(user_id),
                    AuditAction::EmailVerified,
                    Some(user_id),
                    ip.as_deref(),
                    serde_json::json!({}),
                )
                .await?;
                StoredUser::find(conn, user_id).await?.ok_or_else(invalid)
            })
            .await?;
        Ok(user.into())
    }

    /// Emails a password-reset link if an active account has this address. Answers true either
    /// way, so it cannot be used to find out who has an account.
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> AppResult<bool> {
        let services = ctx.services()?;
        let email = Email::parse(&email, "email")?;
        let client = ctx.client();
        let limits = &services.config.throttle;
        let ip_bucket = throttle::address_bucket("reset-request", client.ip.as_deref().unwrap_or("unknown"));
        let mut conn = services.pool.get().await?;
        throttle::check(&mut conn, limits, &ip_bucket, limits.max_requests_per_address).await?;
        throttle_store::record(&mut conn, &[&ip_bucket]).await?;

        // The answer, and the work done before it, are the same whether the address has an
        // account or not: the lookup and the email happen after the response, in the background.
        drop(conn);
        let services = services.clone();
        let ip = client.ip.clone();
        tokio::spawn(async move {
            if let Err(err) = send_reset_link(&services, email, ip).await {
                tracing::error!(error = %err, "sending a password-reset link failed");
            }
        });
        Ok(true)
    }

    /// Sets a new password with the token from the reset email, and signs out every session.
    #[graphql(complexity = 25)]
    async fn reset_password(&self, ctx: &Context<'_>, input: ResetPasswordInput) -> AppResult<bool> {
        let services = ctx.services()?;
        ctx.data::<CredentialAttempts>()
            .map_err(|_| AppError::internal("attempt counter missing"))?
            .take()?;
        let invalid = || AppError::bad_field("token", "is invalid, used or expired");
        if input.token.len() > MAX_PRESENTED_TOKEN_BYTES {
            return Err(invalid());
        }
        let token_hash = hash_opaque_token(&input.token);
        let user = {
            let mut conn = services.pool.get().await?;
            let user_id = one_time_token::peek(&mut conn, &token_hash, TokenPurpose::ResetPassword)
                .await?
                .ok_or_else(invalid)?;
            StoredUser::find(&mut conn, user_id).await?.ok_or_else(invalid)?
        };
        check_password_policy(&input.new_password, &Email::from_stored(user.email.clone()), "newPassword")?;
        let new_hash = services.passwords.hash(input.new_password).await?;
        let ip = ctx.client().ip;
        let mut conn = services.pool.get().await?;
        conn.transaction::<_, AppError, _>(async move |conn| {
            let consumed = one_time_token::consume(conn, &token_hash, TokenPurpose::ResetPassword).await?;
            if consumed != Some(user.id) {
                return Err(invalid());
            }
            StoredUser::set_password_hash(conn, user.id, &new_hash).await?;
            // Receiving the email proves the address too.
            StoredUser::mark_email_verified(conn, user.id).await?;
            let ended =
                session::revoke_all_for_user(conn, user.id, RevocationReason::PasswordReset, None).await?;
            audit_log::record(
                conn,
                None,
                AuditAction::PasswordReset,
                Some(user.id),
                ip.as_deref(),
                serde_json::json!({ "sessionsEnded": ended }),
            )
            .await
        })
        .await?;
        Ok(true)
    }

    /// Changes the signed-in user's password and signs out their other sessions.
    #[graphql(complexity = 25)]
    async fn change_password(&self, ctx: &Context<'_>, input: ChangePasswordInput) -> AppResult<bool> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        ctx.data::<CredentialAttempts>()
            .map_err(|_| AppError::internal("attempt counter missing"))?
            .take()?;
        if input.current_password.len() > MAX_PRESENTED_PASSWORD_BYTES {
            return Err(AppError::bad_field("currentPassword", "is incorrect"));
        }
        let (user, hash, reserved) = {
            let mut conn = services.pool.get().await?;
            let user =
                StoredUser::find(&mut conn, principal.user_id).await?.ok_or(AppError::NotFound("user"))?;
            let bucket = throttle::account_bucket(&user.email);
            let limits = &services.config.throttle;
            let reserved =
                throttle::reserve(&mut conn, limits, &[(&bucket, limits.max_failures_per_account)]).await?;
            let hash = StoredUser::password_hash(&mut conn, principal.user_id).await?;
            (user, hash, reserved)
        };
        let email = Email::from_stored(user.email.clone());
        if !services.passwords.verify(input.current_password.clone(), hash).await? {
            return Err(AppError::bad_field("currentPassword", "is incorrect"));
        }
        throttle::release(&mut *services.pool.get().await?, &reserved).await?;
        check_password_policy(&input.new_password, &email, "newPassword")?;
        if input.new_password == input.current_password {
            return Err(AppError::bad_field("newPassword", "must differ from the current password"));
        }
        let new_hash = services.passwords.hash(input.new_password).await?;
        let ip = ctx.client().ip;
        let mut conn = services.pool.get().await?;
        conn.transaction::<_, AppError, _>(async move |conn| {
            StoredUser::set_password_hash(conn, principal.user_id, &new_hash).await?;
            // A reset link sent before the change must not undo it.
            one_time_token::revoke_unused(conn, principal.user_id, TokenPurpose::ResetPassword).await?;
            let ended = session::revoke_all_for_user(
                conn,
                principal.user_id,
                RevocationReason::PasswordChanged,
                Some(principal.session_id),
            )
            .await?;
            audit_log::record(
                conn,
                Some(principal.user_id),
                AuditAction::PasswordChanged,
                Some(principal.user_id),
                ip.as_deref(),
                serde_json::json!({ "sessionsEnded": ended }),
            )
            .await
        })
        .await?;
        Ok(true)
    }
}

fn chrono_duration(duration: std::time::Duration) -> AppResult<chrono::Duration> {
    chrono::Duration::from_std(duration).map_err(AppError::internal)
}

fn issue_payload(
    services: &Services,
    user: StoredUser,
    session_id: SessionId,
    refresh_token: String,
    refresh_token_expires_at: DateTime<Utc>,
) -> AppResult<AuthPayload> {
    let (access_token, access_token_expires_at) =
        services.tokens.issue(user.id, session_id).map_err(AppError::internal)?;
    Ok(AuthPayload {
        access_token,
        token_type: "Bearer",
        access_token_expires_at,
        refresh_token,
        refresh_token_expires_at,
        user: user.into(),
    })
}

impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        AppError::BadInput(errors)
    }
}

/// Issues a reset token and queues its email, if the address has an active account that has
/// not had too many already this hour. Runs after `requestPasswordReset` has answered.
async fn send_reset_link(
    services: &crate::state::Services,
    email: Email,
    ip: Option<String>,
) -> AppResult<()> {
    let mut conn = services.pool.get().await?;
    let Some(user) = StoredUser::find_by_email(&mut conn, email.as_str()).await? else {
        return Ok(());
    };
    let since = Utc::now() - chrono::Duration::hours(1);
    let recent =
        viva_store::models::email::count_recent(&mut conn, &user.email, mail::RESET_SUBJECT, since).await?;
    if user.status != UserStatus::Active || recent >= MAX_EMAILS_PER_HOUR {
        return Ok(());
    }
    let (token, token_hash) = generate_opaque_token();
    let expires = Utc::now() + chrono_duration(services.config.password_reset_ttl)?;
    conn.transaction::<_, AppError, _>(async move |conn| {
        one_time_token::issue(conn, user.id, TokenPurpose::ResetPassword, &token_hash, expires).await?;
        let body = mail::reset_body(services, &user.full_name, &token);
        mail::queue(
            conn,
            services,
            mail::Message { user_id: user.id, recipient: &user.email, subject: mail::RESET_SUBJECT, body },
        )
        .await?;
        audit_log::record(
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
