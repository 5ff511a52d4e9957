//! The email outbox.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::UserId;

use crate::QueryResult;
use crate::schema::email_outbox;

/// An email waiting to be sent, or sent.
#[derive(Clone, Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct OutboxEmail {
    /// The email's id.
    pub id: Uuid,
    /// The account it concerns, if any.
    pub user_id: Option<Uuid>,
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
pub async fn enqueue(conn: &mut AsyncPgConnection, email: &NewEmail<'_>) -> QueryResult<Uuid> {
    let id = Uuid::now_v7();
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

/// Claims up to `limit` emails due for delivery and counts an attempt on each. A claimed email
/// is leased for `lease_secs`, so other senders (other replicas) skip it; a sender that dies
/// loses the lease and the email is tried again.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    limit: i64,
    lease_secs: f64,
    max_attempts: i32,
) -> QueryResult<Vec<OutboxEmail>> {
    use diesel::sql_types::{BigInt, Double, Integer};
    diesel::sql_query(
        "UPDATE email_outbox SET locked_until = now() + make_interval(secs => $1), attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM email_outbox \
                      WHERE sent_at IS NULL AND attempts < $2 AND (locked_until IS NULL OR locked_until < now()) \
                      ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING id, user_id, recipient, subject, body, created_at, sent_at",
    )
    .bind::<Double, _>(lease_secs)
    .bind::<Integer, _>(max_attempts)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// Records a delivery. The body, which may hold a single-use link, is not kept once sent.
pub async fn mark_sent(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::update(email_outbox::table.find(id))
        .set((
            email_outbox::sent_at.eq(diesel::dsl::now),
            email_outbox::body.eq(""),
            email_outbox::locked_until.eq(None::<DateTime<Utc>>),
            email_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Records a failed delivery; the email is due again after `retry_at`.
pub async fn mark_failed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    error: &str,
    retry_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(email_outbox::table.find(id))
        .set((email_outbox::last_error.eq(error), email_outbox::locked_until.eq(retry_at)))
        .execute(conn)
        .await
        .map(drop)
}

/// The delivery state of one email: (sent, attempts, last error).
pub async fn delivery_state(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<(Option<DateTime<Utc>>, i32, Option<String>)> {
    email_outbox::table
        .find(id)
        .select((email_outbox::sent_at, email_outbox::attempts, email_outbox::last_error))
        .first(conn)
        .await
}

/// Outbox counts: (waiting to be sent, given up after the last attempt).
pub async fn counts(conn: &mut AsyncPgConnection, max_attempts: i32) -> QueryResult<(i64, i64)> {
    let pending = email_outbox::table
        .filter(email_outbox::sent_at.is_null())
        .filter(email_outbox::attempts.lt(max_attempts))
        .count()
        .get_result(conn)
        .await?;
    let failed = email_outbox::table
        .filter(email_outbox::sent_at.is_null())
        .filter(email_outbox::attempts.ge(max_attempts))
        .count()
        .get_result(conn)
        .await?;
    Ok((pending, failed))
}
