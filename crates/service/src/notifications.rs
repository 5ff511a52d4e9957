//! Reading one's notifications (INT-11): listed and counted for clients that were offline,
//! marked read, and loaded for the live subscription as the event bus announces them.
//!
//! Notifications are written by [`crate::notify`], in the transaction of the change they
//! announce; everything here reads or marks the caller's own only.

use chrono::{DateTime, Utc};
use viva_domain::NotificationId;
use viva_store::models::TimeCursor;
use viva_store::models::notification::{self as stored, Notification};
use viva_store::models::session::Principal;

use crate::{Service, ServiceResult};

/// The caller's notifications (only the unread ones with `unread_only`), newest first, after the
/// cursor and at most `limit` of them.
pub async fn list(
    service: &Service,
    principal: &Principal,
    unread_only: bool,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<Notification>> {
    let mut conn = service.pool.get().await?;
    Ok(stored::list(&mut conn, principal.user_id, unread_only, after, limit).await?)
}

/// How many of the caller's notifications are unread.
pub async fn unread_count(service: &Service, principal: &Principal) -> ServiceResult<i64> {
    let mut conn = service.pool.get().await?;
    Ok(stored::unread_count(&mut conn, principal.user_id).await?)
}

/// Marks the given notifications of the caller (or, with `None`, all of them) read; returns how
/// many changed.
pub async fn mark_read(
    service: &Service,
    principal: &Principal,
    ids: Option<&[NotificationId]>,
) -> ServiceResult<usize> {
    let mut conn = service.pool.get().await?;
    Ok(stored::mark_read(&mut conn, principal.user_id, ids).await?)
}

/// What a live subscriber is to be sent next, once the caller's session is checked to be still
/// live (`UNAUTHENTICATED` when it has ended): the announced notification `wanted`, if it is the
/// caller's; or, without one (after a lost bus connection or lagging), every notification of the
/// caller made after `after`, oldest first.
pub async fn for_subscriber(
    service: &Service,
    principal: &Principal,
    wanted: Option<NotificationId>,
    after: DateTime<Utc>,
) -> ServiceResult<Vec<Notification>> {
    crate::auth::ensure_live(service, principal).await?;
    let mut conn = service.pool.get().await?;
    let found = match wanted {
        Some(id) => stored::find_for(&mut conn, principal.user_id, id).await?.into_iter().collect(),
        None => stored::since(&mut conn, principal.user_id, after)
            .await?
            .into_iter()
            .filter(|n| n.created_at > after)
            .collect(),
    };
    Ok(found)
}
