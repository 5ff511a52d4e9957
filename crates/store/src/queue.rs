//! The durable background-job queue.
//!
//! Jobs are enqueued with [`enqueue`] inside the transaction of the write that needs them, so
//! a job exists exactly when its cause committed. Workers [`claim`] due jobs with
//! `FOR UPDATE SKIP LOCKED` (several workers never take the same job) under a lease; a worker
//! that dies loses the lease and the job is claimed again. Delivery is at least once, so
//! handlers must be idempotent. A failure is retried with doubling backoff until the job's
//! attempts run out; then it is `DEAD` and stays for an operator.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::BackgroundJobId;

use crate::QueryResult;
use crate::schema::background_jobs;

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting to run (again).
    Queued,
    /// Claimed by a worker whose lease has not run out.
    Running,
    /// Finished.
    Done,
    /// Out of attempts.
    Dead,
}

impl JobStatus {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "QUEUED",
            JobStatus::Running => "RUNNING",
            JobStatus::Done => "DONE",
            JobStatus::Dead => "DEAD",
        }
    }
}

impl TryFrom<String> for JobStatus {
    type Error = viva_domain::error::UnknownVariant;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        [JobStatus::Queued, JobStatus::Running, JobStatus::Done, JobStatus::Dead]
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or(viva_domain::error::UnknownVariant { kind: "job status", value })
    }
}

/// A job.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = background_jobs)]
pub struct Job {
    /// Its id.
    pub id: BackgroundJobId,
    /// What to do, such as `evaluate_answer`.
    pub kind: String,
    /// The handler's input.
    pub payload: serde_json::Value,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub status: JobStatus,
    /// Attempts started so far, this one included while running.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// Not before then.
    pub run_after: DateTime<Utc>,
    /// The lease of the worker running it.
    pub locked_until: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
}

/// Enqueues a job; call inside the transaction of the write that needs it.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    kind: &str,
    payload: &serde_json::Value,
    max_attempts: i32,
) -> QueryResult<BackgroundJobId> {
    diesel::insert_into(background_jobs::table)
        .values((
            background_jobs::id.eq(Uuid::now_v7()),
            background_jobs::kind.eq(kind),
            background_jobs::payload.eq(payload),
            background_jobs::max_attempts.eq(max_attempts),
        ))
        .returning(background_jobs::id)
        .get_result(conn)
        .await
}

/// Enqueues a job unless one with the same de-duplication key is waiting or running (periodic
/// jobs, with several replicas scheduling them). Returns the new job's id, if one was made.
pub async fn enqueue_unique(
    conn: &mut AsyncPgConnection,
    kind: &str,
    payload: &serde_json::Value,
    max_attempts: i32,
    dedup_key: &str,
) -> QueryResult<Option<BackgroundJobId>> {
    diesel::insert_into(background_jobs::table)
        .values((
            background_jobs::id.eq(Uuid::now_v7()),
            background_jobs::kind.eq(kind),
            background_jobs::payload.eq(payload),
            background_jobs::max_attempts.eq(max_attempts),
            background_jobs::dedup_key.eq(Some(dedup_key)),
        ))
        .on_conflict_do_nothing()
        .returning(background_jobs::id)
        .get_result(conn)
        .await
        .optional()
}

/// Marks a claimed job dead at once, with why: it can never succeed (an unknown kind, a
/// payload that does not parse).
pub async fn bury(conn: &mut AsyncPgConnection, id: BackgroundJobId, reason: &str) -> QueryResult<()> {
    let reason: String = reason.chars().take(2000).collect();
    diesel::update(background_jobs::table.find(id))
        .set((
            background_jobs::status.eq(JobStatus::Dead.as_str()),
            background_jobs::locked_until.eq(None::<DateTime<Utc>>),
            background_jobs::last_error.eq(Some(reason)),
            background_jobs::finished_at.eq(Some(Utc::now())),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Blanks a finished job's payload (one that held personal data).
pub async fn clear_payload(conn: &mut AsyncPgConnection, id: BackgroundJobId) -> QueryResult<()> {
    diesel::update(background_jobs::table.find(id))
        .set(background_jobs::payload.eq(serde_json::json!({})))
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes finished jobs older than `cutoff`: done ones, and dead ones an operator has had time
/// to see. Returns how many.
pub async fn purge_finished(
    conn: &mut AsyncPgConnection,
    done_before: DateTime<Utc>,
    dead_before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        background_jobs::table.filter(
            (background_jobs::status
                .eq(JobStatus::Done.as_str())
                .and(background_jobs::finished_at.lt(done_before)))
            .or(background_jobs::status
                .eq(JobStatus::Dead.as_str())
                .and(background_jobs::finished_at.lt(dead_before))),
        ),
    )
    .execute(conn)
    .await
}

/// Dead jobs of one kind.
pub async fn dead_of_kind(conn: &mut AsyncPgConnection, kind: &str) -> QueryResult<i64> {
    background_jobs::table
        .filter(background_jobs::status.eq(JobStatus::Dead.as_str()))
        .filter(background_jobs::kind.eq(kind))
        .count()
        .get_result(conn)
        .await
}

/// Jobs of one kind waiting or running.
pub async fn waiting_of_kind(conn: &mut AsyncPgConnection, kind: &str) -> QueryResult<i64> {
    background_jobs::table
        .filter(background_jobs::status.eq_any([JobStatus::Queued.as_str(), JobStatus::Running.as_str()]))
        .filter(background_jobs::kind.eq(kind))
        .count()
        .get_result(conn)
        .await
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Claims up to `limit` due jobs for `lease_secs`: queued ones whose time has come, and running
/// ones whose worker's lease ran out. Counts an attempt on each.
pub async fn claim(conn: &mut AsyncPgConnection, limit: i64, lease_secs: f64) -> QueryResult<Vec<Job>> {
    let claimed: Vec<ClaimedId> = diesel::sql_query(
        "UPDATE background_jobs SET status = 'RUNNING', attempts = attempts + 1, \
                locked_until = now() + make_interval(secs => $1) \
         WHERE id IN (SELECT id FROM background_jobs \
                      WHERE (status = 'QUEUED' AND run_after <= now()) \
                         OR (status = 'RUNNING' AND locked_until < now()) \
                      ORDER BY run_after, id LIMIT $2 FOR UPDATE SKIP LOCKED) \
         RETURNING id",
    )
    .bind::<Double, _>(lease_secs)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    let ids: Vec<Uuid> = claimed.into_iter().map(|c| c.id).collect();
    background_jobs::table
        .filter(background_jobs::id.eq_any(&ids))
        .order((background_jobs::run_after, background_jobs::id))
        .select(Job::as_select())
        .load(conn)
        .await
}

/// Extends the lease of a job its worker is still running, so that a handler slower than one
/// lease is not claimed and run a second time meanwhile. Returns false when the job is no longer
/// this claim's (finished, or claimed again after the lease ran out: `attempt` then differs).
pub async fn renew(
    conn: &mut AsyncPgConnection,
    id: BackgroundJobId,
    attempt: i32,
    lease_secs: f64,
) -> QueryResult<bool> {
    // The database's clock, as `claim` uses: replicas' clocks may differ.
    let changed = diesel::sql_query(
        "UPDATE background_jobs SET locked_until = now() + make_interval(secs => $1) \
         WHERE id = $2 AND status = 'RUNNING' AND attempts = $3",
    )
    .bind::<Double, _>(lease_secs)
    .bind::<diesel::sql_types::Uuid, _>(id.0)
    .bind::<diesel::sql_types::Integer, _>(attempt)
    .execute(conn)
    .await?;
    Ok(changed == 1)
}

/// Marks a claimed job done; returns whether this worker still held it.
pub async fn complete(conn: &mut AsyncPgConnection, id: BackgroundJobId) -> QueryResult<bool> {
    let changed = diesel::update(
        background_jobs::table.find(id).filter(background_jobs::status.eq(JobStatus::Running.as_str())),
    )
    .set((
        background_jobs::status.eq(JobStatus::Done.as_str()),
        background_jobs::locked_until.eq(None::<DateTime<Utc>>),
        background_jobs::finished_at.eq(Some(Utc::now())),
        background_jobs::last_error.eq(None::<String>),
    ))
    .execute(conn)
    .await?;
    Ok(changed == 1)
}

/// Records a failed attempt: the job runs again after a backoff of 2^(attempts-1) times
/// `base_delay_secs`, or is `DEAD` when its attempts are used up. Returns the new status.
pub async fn fail(
    conn: &mut AsyncPgConnection,
    job: &Job,
    error: &str,
    base_delay_secs: i64,
) -> QueryResult<JobStatus> {
    let dead = job.attempts >= job.max_attempts;
    let status = if dead { JobStatus::Dead } else { JobStatus::Queued };
    let exponent = u32::try_from((job.attempts - 1).clamp(0, 16)).unwrap_or(0);
    let delay = chrono::Duration::seconds(base_delay_secs.saturating_mul(1i64 << exponent).min(6 * 3600));
    let error: String = error.chars().take(2000).collect();
    diesel::update(
        background_jobs::table.find(job.id).filter(background_jobs::status.eq(JobStatus::Running.as_str())),
    )
    .set((
        background_jobs::status.eq(status.as_str()),
        background_jobs::locked_until.eq(None::<DateTime<Utc>>),
        background_jobs::run_after.eq(Utc::now() + delay),
        background_jobs::last_error.eq(Some(error)),
        background_jobs::finished_at.eq(dead.then(Utc::now)),
    ))
    .execute(conn)
    .await?;
    Ok(status)
}

/// The job with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: BackgroundJobId) -> QueryResult<Option<Job>> {
    background_jobs::table.find(id).select(Job::as_select()).first(conn).await.optional()
}

/// Jobs waiting or running, and dead ones: the queue's depth for operators.
pub async fn depth(conn: &mut AsyncPgConnection) -> QueryResult<(i64, i64)> {
    let waiting = background_jobs::table
        .filter(background_jobs::status.eq_any([JobStatus::Queued.as_str(), JobStatus::Running.as_str()]))
        .count()
        .get_result(conn)
        .await?;
    let dead = background_jobs::table
        .filter(background_jobs::status.eq(JobStatus::Dead.as_str()))
        .count()
        .get_result(conn)
        .await?;
    Ok((waiting, dead))
}
