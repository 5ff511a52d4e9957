//! Single-use tokens sent by email.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::UserId;

use crate::QueryResult;
use crate::schema::one_time_tokens;

/// What a one-time token proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Proves the holder receives mail at the account's address.
    VerifyEmail,
    /// Lets the holder set a new password.
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "VERIFY_EMAIL",
            TokenPurpose::ResetPassword => "RESET_PASSWORD",
        }
    }
}

/// Stores a new token, replacing any unused one of the same purpose, so only the newest link
/// sent works.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    purpose: TokenPurpose,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    revoke_unused(conn, user_id, purpose).await?;
    diesel::insert_into(one_time_tokens::table)
        .values((
            one_time_tokens::token_hash.eq(token_hash),
            one_time_tokens::user_id.eq(user_id.0),
            one_time_tokens::purpose.eq(purpose.as_str()),
            one_time_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Uses a token: marks it used and returns its user if it was unused, unexpired and for this
/// purpose. A second use of the same token finds nothing.
pub async fn consume(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    purpose: TokenPurpose,
) -> QueryResult<Option<UserId>> {
    let user: Option<Uuid> = diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::token_hash.eq(token_hash))
            .filter(one_time_tokens::purpose.eq(purpose.as_str()))
            .filter(one_time_tokens::used_at.is_null())
            .filter(one_time_tokens::expires_at.gt(diesel::dsl::now)),
    )
    .set(one_time_tokens::used_at.eq(diesel::dsl::now))
    .returning(one_time_tokens::user_id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(user.map(UserId))
}

/// Withdraws a user's unused tokens of one purpose (a password change makes an outstanding reset
/// link worthless); returns how many.
pub async fn revoke_unused(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    purpose: TokenPurpose,
) -> QueryResult<usize> {
    diesel::delete(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq(user_id.0))
            .filter(one_time_tokens::purpose.eq(purpose.as_str()))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .execute(conn)
    .await
}

/// Deletes tokens that expired before `cutoff`.
pub async fn purge_expired(conn: &mut AsyncPgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(one_time_tokens::table.filter(one_time_tokens::expires_at.lt(cutoff))).execute(conn).await
}

/// The user of a token that is still usable for this purpose, without using it.
pub async fn peek(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    purpose: TokenPurpose,
) -> QueryResult<Option<UserId>> {
    let user: Option<Uuid> = one_time_tokens::table
        .filter(one_time_tokens::token_hash.eq(token_hash))
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(diesel::dsl::now))
        .select(one_time_tokens::user_id)
        .first(conn)
        .await
        .optional()?;
    Ok(user.map(UserId))
}
