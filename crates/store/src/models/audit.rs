//! The audit log.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::UserId;

use crate::QueryResult;
use crate::schema::audit_log;

/// One audit entry to record. `details` must hold no personal data: it outlives erased users.
#[derive(Debug)]
pub struct NewAuditEntry<'a> {
    /// Who acted; `None` for anonymous actions or the system.
    pub actor_id: Option<UserId>,
    /// What happened, as a stable SCREAMING_SNAKE_CASE name such as `LOGIN_SUCCEEDED`.
    pub action: &'a str,
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
            audit_log::action.eq(entry.action),
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
