//! Accounts and sessions: registration, sign-in, refresh rotation, sign-out, email verification,
//! password reset and change (SPEC AUTH-1 to AUTH-6).

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use viva_domain::Role;
use viva_service::ServiceError;
use viva_service::accounts::{self, NewAccount, Registered, SignedIn};

use crate::auth::context::{ContextExt, CredentialAttempts};
use crate::cookies;
use crate::error::{AppError, AppResult};
use crate::graphql::types::User;

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
        let account = NewAccount {
            email: input.email,
            password: input.password,
            full_name: input.full_name,
            role: input.role.into(),
        };
        match accounts::register(&services.service, account, ctx.client().ip.as_deref()).await? {
            Registered::New(user) => Ok((*user).into()),
            Registered::Existing { email, full_name, role } => Ok(User::unsaved(email, full_name, role)),
        }
    }

    /// Signs in. Wrong passwords and unknown emails get the same error and take the same time.
    /// Failures are throttled per account and per client address; one sign-in per operation.
    #[graphql(complexity = 25)]
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> AppResult<AuthPayload> {
        let services = ctx.services()?;
        take_credential_attempt(ctx)?;
        let client = ctx.client();
        let result = accounts::login(
            &services.service,
            &input.email,
            input.password,
            client.ip.as_deref(),
            client.user_agent.as_deref(),
        )
        .await;
        let outcome = match &result {
            Ok(_) => Some("succeeded"),
            Err(ServiceError::Unauthenticated(_)) => Some("failed"),
            Err(ServiceError::Forbidden(_)) => Some("deactivated"),
            Err(_) => None,
        };
        if let Some(outcome) = outcome {
            services.metrics.logins.with_label_values(&[outcome]).inc();
        }
        let signed_in = result?;
        if input.set_cookie {
            cookies::set_refresh_cookie(ctx, services, &signed_in.refresh_token);
        }
        Ok(signed_in.into())
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
        take_credential_attempt(ctx)?;
        let client = ctx.client();
        let from_cookie = input.refresh_token.is_none();
        let presented = input.refresh_token.or(client.refresh_cookie);
        let signed_in =
            accounts::refresh_session(&services.service, presented.as_deref(), client.ip.as_deref()).await?;
        if input.set_cookie || from_cookie {
            cookies::set_refresh_cookie(ctx, services, &signed_in.refresh_token);
        }
        Ok(signed_in.into())
    }

    /// Signs out the current session. Returns true.
    async fn logout(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        accounts::logout(&services.service, &principal, ctx.client().ip.as_deref()).await?;
        cookies::clear_refresh_cookie(ctx, services);
        Ok(true)
    }

    /// Signs out every session of the signed-in user, this one included. Returns how many ended.
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        let ended =
            accounts::logout_everywhere(&services.service, &principal, ctx.client().ip.as_deref()).await?;
        cookies::clear_refresh_cookie(ctx, services);
        Ok(i32::try_from(ended).unwrap_or(i32::MAX))
    }

    /// Emails the signed-in user a new verification link (at most 3 an hour).
    async fn request_email_verification(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        accounts::request_email_verification(&services.service, &principal).await?;
        Ok(true)
    }

    /// Verifies an email address with the token from the verification email. Returns the user.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> AppResult<User> {
        let services = ctx.services()?;
        let user = accounts::verify_email(&services.service, &token, ctx.client().ip.as_deref()).await?;
        Ok(user.into())
    }

    /// Emails a password-reset link if an active account has this address. Answers true either
    /// way, so it cannot be used to find out who has an account.
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> AppResult<bool> {
        let services = ctx.services()?;
        accounts::request_password_reset(&services.service, &email, ctx.client().ip.as_deref()).await?;
        Ok(true)
    }

    /// Sets a new password with the token from the reset email, and signs out every session.
    #[graphql(complexity = 25)]
    async fn reset_password(&self, ctx: &Context<'_>, input: ResetPasswordInput) -> AppResult<bool> {
        let services = ctx.services()?;
        take_credential_attempt(ctx)?;
        accounts::reset_password(
            &services.service,
            &input.token,
            input.new_password,
            ctx.client().ip.as_deref(),
        )
        .await?;
        Ok(true)
    }

    /// Changes the signed-in user's password and signs out their other sessions.
    #[graphql(complexity = 25)]
    async fn change_password(&self, ctx: &Context<'_>, input: ChangePasswordInput) -> AppResult<bool> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        take_credential_attempt(ctx)?;
        accounts::change_password(
            &services.service,
            &principal,
            input.current_password,
            input.new_password,
            ctx.client().ip.as_deref(),
        )
        .await?;
        Ok(true)
    }
}

/// Counts one credential check against the operation's allowance of one.
pub(crate) fn take_credential_attempt(ctx: &Context<'_>) -> AppResult<()> {
    ctx.data::<CredentialAttempts>().map_err(|_| AppError::internal("attempt counter missing"))?.take()
}

impl From<SignedIn> for AuthPayload {
    fn from(signed_in: SignedIn) -> Self {
        AuthPayload {
            access_token: signed_in.access_token,
            token_type: "Bearer",
            access_token_expires_at: signed_in.access_token_expires_at,
            refresh_token: signed_in.refresh_token,
            refresh_token_expires_at: signed_in.refresh_token_expires_at,
            user: signed_in.user.into(),
        }
    }
}
