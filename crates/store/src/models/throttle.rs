//! Throttle counters shared by every replica.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

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
