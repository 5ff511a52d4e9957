//! Throttle counters shared by every replica.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::QueryResult;
use crate::schema::throttle_events;

/// How many events a bucket has counted since `since`.
pub async fn count_since(
    conn: &mut AsyncPgConnection,
    bucket: &str,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    throttle_events::table
        .filter(throttle_events::bucket.eq(bucket))
        .filter(throttle_events::occurred_at.gt(since))
        .count()
        .get_result(conn)
        .await
}

/// Counts one event in each bucket.
pub async fn record(conn: &mut AsyncPgConnection, buckets: &[&str]) -> QueryResult<()> {
    let rows: Vec<_> = buckets.iter().map(|bucket| throttle_events::bucket.eq(*bucket)).collect();
    diesel::insert_into(throttle_events::table).values(rows).execute(conn).await.map(drop)
}

/// Forgets a bucket's events, as after a successful sign-in.
pub async fn clear(conn: &mut AsyncPgConnection, bucket: &str) -> QueryResult<()> {
    diesel::delete(throttle_events::table.filter(throttle_events::bucket.eq(bucket)))
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes events older than `cutoff`, which no throttle window reaches.
pub async fn purge_older_than(conn: &mut AsyncPgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(throttle_events::table.filter(throttle_events::occurred_at.lt(cutoff))).execute(conn).await
}

/// Reserves one attempt in each bucket, atomically across concurrent callers and replicas: each
/// bucket is locked (a transaction-scoped advisory lock), counted since `since` and, if every
/// bucket is under its limit, charged one event. Returns the ids of the events charged (to
/// [`release`] if the attempt succeeds), or `None` if some bucket is at its limit (nothing is
/// charged then).
pub async fn reserve(
    conn: &mut AsyncPgConnection,
    buckets: &[(&str, i64)],
    since: DateTime<Utc>,
) -> QueryResult<Option<Vec<i64>>> {
    let mut ordered: Vec<(&str, i64)> = buckets.to_vec();
    // One order for every caller, so two reservations never wait on each other's locks.
    ordered.sort_unstable();
    ordered.dedup_by(|a, b| a.0 == b.0);
    conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
        for (bucket, _) in &ordered {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7031))")
                .bind::<Text, _>(*bucket)
                .execute(conn)
                .await?;
        }
        for (bucket, limit) in &ordered {
            if count_since(conn, bucket, since).await? >= *limit {
                return Ok(None);
            }
        }
        let rows: Vec<_> = ordered.iter().map(|(bucket, _)| throttle_events::bucket.eq(*bucket)).collect();
        let ids: Vec<i64> = diesel::insert_into(throttle_events::table)
            .values(rows)
            .returning(throttle_events::id)
            .get_results(conn)
            .await?;
        Ok(Some(ids))
    })
    .await
}

/// Gives back attempts reserved by [`reserve`] (the credentials were right).
pub async fn release(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<()> {
    diesel::delete(throttle_events::table.filter(throttle_events::id.eq_any(ids)))
        .execute(conn)
        .await
        .map(drop)
}
