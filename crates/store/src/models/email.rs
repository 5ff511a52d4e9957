//! The email outbox.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use viva_domain::{EmailId, UserId};

use crate::QueryResult;
use crate::schema::email_outbox;

/// An email waiting to be sent, or sent.
#[derive(Clone, Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct OutboxEmail {
    /// The email's id.
    pub id: EmailId,
    /// The account it concerns, if any.
    pub user_id: Option<UserId>,
    /// Where it goes.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was delivered, if it was.
    pub sent_at: Option<DateTime<Utc>>,
}

/// A new email to queue.
#[derive(Debug)]
pub struct NewEmail<'a> {
    /// The account it concerns.
    pub user_id: Option<UserId>,
    /// Where it goes.
    pub recipient: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// Plain-text body.
    pub body: &'a str,
}

/// Queues an email; call inside the transaction of the change it announces.
pub async fn enqueue(conn: &mut AsyncPgConnection, email: &NewEmail<'_>) -> QueryResult<EmailId> {
    let id = EmailId::new();
    diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::id.eq(id),
            email_outbox::user_id.eq(email.user_id.map(|u| u.0)),
            email_outbox::recipient.eq(email.recipient),
            email_outbox::subject.eq(email.subject),
            email_outbox::body.eq(email.body),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// Blanks the bodies of unsent emails queued before `cutoff` (the longest link lifetime): the
/// single-use links they carry no longer work, and must not sit in plain text. Returns how many.
pub async fn purge_stale_bodies(conn: &mut AsyncPgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        email_outbox::table
            .filter(email_outbox::created_at.lt(cutoff))
            .filter(email_outbox::sent_at.is_null())
            .filter(email_outbox::body.ne("")),
    )
    .set(email_outbox::body.eq(""))
    .execute(conn)
    .await
}

/// The emails queued for a recipient, newest first.
pub async fn for_recipient(conn: &mut AsyncPgConnection, recipient: &str) -> QueryResult<Vec<OutboxEmail>> {
    email_outbox::table
        .filter(email_outbox::recipient.eq(recipient))
        .order((email_outbox::created_at.desc(), email_outbox::id.desc()))
        .select(OutboxEmail::as_select())
        .load(conn)
        .await
}

/// How many emails with this subject went to a recipient since `since`; bounds how often
/// anyone can make us mail an address.
pub async fn count_recent(
    conn: &mut AsyncPgConnection,
    recipient: &str,
    subject: &str,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    email_outbox::table
        .filter(email_outbox::recipient.eq(recipient))
        .filter(email_outbox::subject.eq(subject))
        .filter(email_outbox::created_at.gt(since))
        .count()
        .get_result(conn)
        .await
}

/// The email with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: EmailId) -> QueryResult<Option<OutboxEmail>> {
    email_outbox::table.find(id).select(OutboxEmail::as_select()).first(conn).await.optional()
}

/// Records a delivery. The body, which may hold a single-use link, is not kept once sent.
pub async fn mark_sent(conn: &mut AsyncPgConnection, id: EmailId) -> QueryResult<()> {
    diesel::update(email_outbox::table.find(id))
        .set((email_outbox::sent_at.eq(diesel::dsl::now), email_outbox::body.eq("")))
        .execute(conn)
        .await
        .map(drop)
}

/// Emails not sent yet (their delivery jobs say whether they are still being tried).
pub async fn count_unsent(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    email_outbox::table.filter(email_outbox::sent_at.is_null()).count().get_result(conn).await
}
