//! Stored notifications, announced on the event bus.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::{NotificationId, UserId};

use crate::QueryResult;
use crate::events::{self, Event};
use crate::models::TimeCursor;
use crate::schema::notifications;

/// A notification.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct Notification {
    /// Its id.
    pub id: NotificationId,
    /// Whom it is for.
    pub user_id: UserId,
    /// What it is about, such as `NEW_MESSAGE`.
    pub kind: String,
    /// A short title.
    pub title: String,
    /// One or two sentences.
    pub body: String,
    /// Ids of the related objects.
    pub data: serde_json::Value,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When the user read it.
    pub read_at: Option<DateTime<Utc>>,
}

/// A notification to store and announce.
#[derive(Debug)]
pub struct NewNotification<'a> {
    /// Whom it is for.
    pub user_id: UserId,
    /// What it is about.
    pub kind: &'a str,
    /// A short title.
    pub title: &'a str,
    /// One or two sentences; no more personal data than the recipient may see.
    pub body: &'a str,
    /// Ids of related objects.
    pub data: serde_json::Value,
}

/// Stores a notification and publishes it; call inside the transaction of the change it
/// announces, so it is delivered only if that commits.
pub async fn notify(conn: &mut AsyncPgConnection, new: &NewNotification<'_>) -> QueryResult<Notification> {
    let stored: Notification = diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(Uuid::now_v7()),
            notifications::user_id.eq(new.user_id.0),
            notifications::kind.eq(new.kind),
            notifications::title.eq(new.title),
            notifications::body.eq(new.body),
            notifications::data.eq(&new.data),
        ))
        .returning(Notification::as_returning())
        .get_result(conn)
        .await?;
    events::publish(conn, &Event::notification(new.user_id, stored.id.0)).await?;
    Ok(stored)
}

/// One of a user's notifications.
pub async fn find_for(
    conn: &mut AsyncPgConnection,
    user: UserId,
    id: NotificationId,
) -> QueryResult<Option<Notification>> {
    notifications::table
        .find(id)
        .filter(notifications::user_id.eq(user.0))
        .select(Notification::as_select())
        .first(conn)
        .await
        .optional()
}

/// A user's notifications, newest first, after the cursor.
pub async fn list(
    conn: &mut AsyncPgConnection,
    user: UserId,
    unread_only: bool,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<Notification>> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user.0))
        .select(Notification::as_select())
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    if let Some(c) = after {
        query = query.filter(
            notifications::created_at
                .lt(c.at)
                .or(notifications::created_at.eq(c.at).and(notifications::id.lt(c.id))),
        );
    }
    crate::limit::limited(query.order((notifications::created_at.desc(), notifications::id.desc())), limit)
        .load(conn)
        .await
}

/// A user's notifications made after `since`, oldest first: what a subscriber missed.
pub async fn since(
    conn: &mut AsyncPgConnection,
    user: UserId,
    since: DateTime<Utc>,
) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::user_id.eq(user.0))
        .filter(notifications::created_at.gt(since))
        .order((notifications::created_at.asc(), notifications::id.asc()))
        .select(Notification::as_select())
        .load(conn)
        .await
}

/// Marks some (or, with `None`, all) of a user's notifications read; returns how many changed.
pub async fn mark_read(
    conn: &mut AsyncPgConnection,
    user: UserId,
    ids: Option<&[NotificationId]>,
) -> QueryResult<usize> {
    let mut query = diesel::update(notifications::table)
        .filter(notifications::user_id.eq(user.0))
        .filter(notifications::read_at.is_null())
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(notifications::id.eq_any(ids));
    }
    query.set(notifications::read_at.eq(diesel::dsl::now)).execute(conn).await
}

/// How many of a user's notifications are unread.
pub async fn unread_count(conn: &mut AsyncPgConnection, user: UserId) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user.0))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
        .await
}

/// Every notification of a user, for their data export.
pub async fn all_for(conn: &mut AsyncPgConnection, user: UserId) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::user_id.eq(user.0))
        .order(notifications::created_at.asc())
        .select(Notification::as_select())
        .load(conn)
        .await
}
