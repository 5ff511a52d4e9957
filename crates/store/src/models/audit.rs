//! The audit log.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::vocab::AuditAction;
use viva_domain::{AuditEntryId, UserId};

use crate::QueryResult;
use crate::schema::audit_log;

/// One audit entry to record. `details` must hold no personal data: it outlives erased users.
#[derive(Debug)]
pub struct NewAuditEntry<'a> {
    /// Who acted; `None` for anonymous actions or the system.
    pub actor_id: Option<UserId>,
    /// What happened.
    pub action: AuditAction,
    /// Whom it was done to.
    pub target_user_id: Option<UserId>,
    /// The client's address.
    pub ip_address: Option<&'a str>,
    /// Structured facts about the action.
    pub details: serde_json::Value,
}

/// Records an entry; call inside the transaction of the change it records.
pub async fn record(conn: &mut AsyncPgConnection, entry: &NewAuditEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(Uuid::now_v7()),
            audit_log::actor_id.eq(entry.actor_id.map(|u| u.0)),
            audit_log::action.eq(entry.action.as_str()),
            audit_log::target_user_id.eq(entry.target_user_id.map(|u| u.0)),
            audit_log::ip_address.eq(entry.ip_address),
            audit_log::details.eq(&entry.details),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The actions recorded about a user (as actor or target), oldest first.
pub async fn actions_involving(conn: &mut AsyncPgConnection, user_id: UserId) -> QueryResult<Vec<String>> {
    audit_log::table
        .filter(audit_log::actor_id.eq(user_id.0).or(audit_log::target_user_id.eq(user_id.0)))
        .order((audit_log::occurred_at.asc(), audit_log::id.asc()))
        .select(audit_log::action)
        .load(conn)
        .await
}

/// An audit entry as stored.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Its id.
    pub id: AuditEntryId,
    /// When it happened.
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// Who acted, if known and not erased.
    pub actor_id: Option<UserId>,
    /// What happened.
    pub action: String,
    /// Whom it was done to, if anyone and not erased.
    pub target_user_id: Option<UserId>,
    /// The client's address.
    pub ip_address: Option<String>,
    /// Structured facts.
    pub details: serde_json::Value,
}

/// Which entries to list.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only these actions.
    pub actions: Vec<String>,
    /// Only by this actor.
    pub actor_id: Option<UserId>,
    /// Only to this user.
    pub target_user_id: Option<UserId>,
    /// Only at or after this time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only before this time.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Entries matching the filter, newest first, after the cursor.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter,
    after: Option<crate::models::TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    let mut query = audit_log::table.select(AuditEntry::as_select()).into_boxed();
    if !filter.actions.is_empty() {
        query = query.filter(audit_log::action.eq_any(&filter.actions));
    }
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor.0));
    }
    if let Some(target) = filter.target_user_id {
        query = query.filter(audit_log::target_user_id.eq(target.0));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::occurred_at.ge(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::occurred_at.lt(until));
    }
    if let Some(c) = after {
        query = query.filter(
            audit_log::occurred_at.lt(c.at).or(audit_log::occurred_at.eq(c.at).and(audit_log::id.lt(c.id))),
        );
    }
    crate::limit::limited(query.order((audit_log::occurred_at.desc(), audit_log::id.desc())), limit)
        .load(conn)
        .await
}

/// Every entry about a user, oldest first, for their data export.
pub async fn involving(conn: &mut AsyncPgConnection, user_id: UserId) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::actor_id.eq(user_id.0).or(audit_log::target_user_id.eq(user_id.0)))
        .order((audit_log::occurred_at.asc(), audit_log::id.asc()))
        .select(AuditEntry::as_select())
        .load(conn)
        .await
}
