//! A person's own data: erasure and export (SPEC USER-3, USER-4).

use async_graphql::{Context, Json, Object};
use viva_service::account_data;
use viva_service::accounts::MAX_PRESENTED_PASSWORD_BYTES;

use crate::auth::context::ContextExt;
use crate::cookies;
use crate::error::{AppError, AppResult};
use crate::graphql::accounts::take_credential_attempt;

/// Data queries.
#[derive(Default)]
pub struct AccountDataQuery;

#[Object]
impl AccountDataQuery {
    /// Everything stored about the signed-in user, as one JSON document: profile, interviews
    /// (questions, answers with their transcripts and which audio and recordings are still held,
    /// and their evaluations), resumes, sessions, audit entries about them (with
    /// only their own addresses), mapping requests, conversations with their messages,
    /// notifications and emails sent to them.
    async fn export_my_data(&self, ctx: &Context<'_>) -> AppResult<Json<serde_json::Value>> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        Ok(Json(account_data::export_my_data(&services.service, &principal).await?))
    }
}

/// Data mutations.
#[derive(Default)]
pub struct AccountDataMutation;

#[Object]
impl AccountDataMutation {
    /// Erases the signed-in user's account and data, after checking their password. Sessions end
    /// at once; the audit log keeps that the account was deleted, without personal data. The
    /// last admin cannot delete themselves.
    #[graphql(complexity = 25)]
    async fn delete_my_account(&self, ctx: &Context<'_>, password: String) -> AppResult<bool> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        // An oversized password is refused before it counts as this operation's one credential
        // check (the service refuses it too).
        if password.len() > MAX_PRESENTED_PASSWORD_BYTES {
            return Err(AppError::bad_field("password", "is incorrect"));
        }
        // One password check per operation, throttled like sign-in: a stolen access token
        // must not become a way to guess the password.
        take_credential_attempt(ctx)?;
        account_data::delete_my_account(&services.service, &principal, password).await?;
        cookies::clear_refresh_cookie(ctx, services);
        Ok(true)
    }
}
