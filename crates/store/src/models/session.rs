//! Sessions and their rotating refresh tokens.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::{Role, SessionId, UserId, UserStatus};

use crate::QueryResult;
use crate::schema::{refresh_tokens, sessions, users};

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationReason {
    /// The user signed out on this device.
    Logout,
    /// The user signed out everywhere.
    LogoutEverywhere,
    /// A rotated refresh token was presented again: the family is presumed stolen.
    TokenReuse,
    /// The password was changed; other sessions end.
    PasswordChanged,
    /// The password was reset by email; every session ends.
    PasswordReset,
    /// An admin deactivated or deleted the account.
    AccountDisabled,
}

impl RevocationReason {
    fn as_str(self) -> &'static str {
        match self {
            RevocationReason::Logout => "LOGOUT",
            RevocationReason::LogoutEverywhere => "LOGOUT_EVERYWHERE",
            RevocationReason::TokenReuse => "TOKEN_REUSE",
            RevocationReason::PasswordChanged => "PASSWORD_CHANGED",
            RevocationReason::PasswordReset => "PASSWORD_RESET",
            RevocationReason::AccountDisabled => "ACCOUNT_DISABLED",
        }
    }
}

/// A new session with its first refresh token.
#[derive(Debug)]
pub struct NewSession<'a> {
    /// The session's id, carried in access tokens as `sid`.
    pub id: SessionId,
    /// Whose session it is.
    pub user_id: UserId,
    /// SHA-256 of the first refresh token.
    pub refresh_token_hash: &'a [u8],
    /// When the first refresh token expires.
    pub refresh_expires_at: DateTime<Utc>,
    /// The client's user agent, truncated.
    pub user_agent: Option<&'a str>,
    /// The client's address.
    pub ip_address: Option<&'a str>,
}

/// Who an access token speaks for, as the database sees it now.
#[derive(Clone, Copy, Debug)]
pub struct Principal {
    /// The user.
    pub user_id: UserId,
    /// The session the token belongs to.
    pub session_id: SessionId,
    /// The user's current role.
    pub role: Role,
    /// The user's current status.
    pub status: UserStatus,
    /// The admin an HR user is mapped to now; HR users act on candidates only while mapped.
    pub mapped_admin_id: Option<UserId>,
}

/// What presenting a refresh token led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now used and its successor stored.
    Rotated {
        /// The session continued.
        session_id: SessionId,
        /// Its user.
        user_id: UserId,
    },
    /// The token had been rotated already: the whole session is now revoked.
    Reused {
        /// The session revoked.
        session_id: SessionId,
        /// Its user.
        user_id: UserId,
    },
    /// Unknown, expired, or its session is revoked or its user inactive.
    Invalid,
}

/// Starts a session with its first refresh token, atomically.
pub async fn create(conn: &mut AsyncPgConnection, new: &NewSession<'_>) -> QueryResult<()> {
    conn.transaction(async move |conn| {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(new.id.0),
                sessions::user_id.eq(new.user_id.0),
                sessions::user_agent.eq(new.user_agent),
                sessions::ip_address.eq(new.ip_address),
            ))
            .execute(conn)
            .await?;
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(new.refresh_token_hash),
                refresh_tokens::session_id.eq(new.id.0),
                refresh_tokens::expires_at.eq(new.refresh_expires_at),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

/// The principal for an access token's user and session, if the session is live and the user
/// still exists.
pub async fn find_principal(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    session_id: SessionId,
) -> QueryResult<Option<Principal>> {
    let row: Option<(String, String, Option<Uuid>)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id.0))
        .filter(sessions::user_id.eq(user_id.0))
        .filter(sessions::revoked_at.is_null())
        .select((users::role, users::status, users::mapped_admin_id))
        .first(conn)
        .await
        .optional()?;
    row.map(|(role, status, mapped_admin_id)| {
        Ok(Principal {
            user_id,
            session_id,
            mapped_admin_id: mapped_admin_id.map(UserId),
            role: role.parse().map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?,
            status: status.parse().map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?,
        })
    })
    .transpose()
}

/// Presents a refresh token: rotates it if it is current, revokes its family if it was already
/// used. Race-safe: of two concurrent presentations of one token, one rotates and the other is
/// treated as reuse.
pub async fn rotate_refresh_token(
    conn: &mut AsyncPgConnection,
    presented_hash: &[u8],
    successor_hash: &[u8],
    successor_expires_at: DateTime<Utc>,
) -> QueryResult<Rotation> {
    conn.transaction(async move |conn| {
        let claimed: Option<Uuid> = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(presented_hash))
                .filter(refresh_tokens::used_at.is_null())
                .filter(refresh_tokens::expires_at.gt(diesel::dsl::now)),
        )
        .set(refresh_tokens::used_at.eq(diesel::dsl::now))
        .returning(refresh_tokens::session_id)
        .get_result(conn)
        .await
        .optional()?;

        let Some(session_id) = claimed else {
            let used: Option<(Uuid, Uuid)> = refresh_tokens::table
                .inner_join(sessions::table)
                .filter(refresh_tokens::token_hash.eq(presented_hash))
                .filter(refresh_tokens::used_at.is_not_null())
                .select((sessions::id, sessions::user_id))
                .first(conn)
                .await
                .optional()?;
            return match used {
                Some((session_id, user_id)) => {
                    revoke(conn, SessionId(session_id), RevocationReason::TokenReuse).await?;
                    Ok(Rotation::Reused { session_id: SessionId(session_id), user_id: UserId(user_id) })
                }
                None => Ok(Rotation::Invalid),
            };
        };

        let live: Option<Uuid> = sessions::table
            .inner_join(users::table)
            .filter(sessions::id.eq(session_id))
            .filter(sessions::revoked_at.is_null())
            .filter(users::status.eq(UserStatus::Active.as_str()))
            .select(users::id)
            .first(conn)
            .await
            .optional()?;
        let Some(user_id) = live else {
            return Ok(Rotation::Invalid);
        };

        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(successor_hash),
                refresh_tokens::session_id.eq(session_id),
                refresh_tokens::expires_at.eq(successor_expires_at),
            ))
            .execute(conn)
            .await?;
        diesel::update(sessions::table.find(session_id))
            .set(sessions::last_seen_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
        Ok(Rotation::Rotated { session_id: SessionId(session_id), user_id: UserId(user_id) })
    })
    .await
}

/// Revokes one session; returns whether it was live.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    reason: RevocationReason,
) -> QueryResult<bool> {
    let user: Option<Uuid> =
        diesel::update(sessions::table.find(id.0).filter(sessions::revoked_at.is_null()))
            .set((sessions::revoked_at.eq(diesel::dsl::now), sessions::revoked_reason.eq(reason.as_str())))
            .returning(sessions::user_id)
            .get_result(conn)
            .await
            .optional()?;
    if let Some(user) = user {
        crate::events::publish(conn, &crate::events::Event::access_changed(UserId(user))).await?;
    }
    Ok(user.is_some())
}

/// Revokes every live session of a user, except `keep` if given; returns how many ended.
pub async fn revoke_all_for_user(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    reason: RevocationReason,
    keep: Option<SessionId>,
) -> QueryResult<usize> {
    let keep = keep.map(|id| id.0).unwrap_or(Uuid::nil());
    let ended = diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id.0))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep)),
    )
    .set((sessions::revoked_at.eq(diesel::dsl::now), sessions::revoked_reason.eq(reason.as_str())))
    .execute(conn)
    .await?;
    if ended > 0 {
        crate::events::publish(conn, &crate::events::Event::access_changed(user_id)).await?;
    }
    Ok(ended)
}

/// Deletes refresh tokens that expired before `cutoff`, and sessions left with none.
pub async fn purge_expired(conn: &mut AsyncPgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    let tokens = diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(cutoff)))
        .execute(conn)
        .await?;
    let orphans = diesel::delete(sessions::table.filter(diesel::dsl::not(diesel::dsl::exists(
        refresh_tokens::table.filter(refresh_tokens::session_id.eq(sessions::id)),
    ))))
    .execute(conn)
    .await?;
    Ok(tokens + orphans)
}

/// A session as its owner may see it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRecord {
    /// Its id.
    pub id: SessionId,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// When its refresh token was last used.
    pub last_seen_at: DateTime<Utc>,
    /// When it ended, if it did.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The client's address.
    pub ip_address: Option<String>,
}

/// Every session of a user, oldest first, for their data export.
pub async fn all_for(conn: &mut AsyncPgConnection, user_id: UserId) -> QueryResult<Vec<SessionRecord>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id.0))
        .order(sessions::created_at.asc())
        .select(SessionRecord::as_select())
        .load(conn)
        .await
}

/// Live sessions across the platform.
pub async fn count_live(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    sessions::table.filter(sessions::revoked_at.is_null()).count().get_result(conn).await
}
