//! Platform analytics for admins, per UTC day: activity (one index-only count per day and
//! table), evaluations per provider and model (`evaluation_days`), AI spending (`ai_spend`), and
//! the job queue as it is now.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Double, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::QueryResult;

/// What happened on one day.
#[derive(Clone, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct DayActivity {
    /// The UTC day.
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    /// Interviews created: scheduled ones and practice sessions.
    #[diesel(sql_type = BigInt)]
    pub interviews: i64,
    /// Of them, scheduled ones (not practice).
    #[diesel(sql_type = BigInt)]
    pub scheduled: i64,
    /// Answers submitted.
    #[diesel(sql_type = BigInt)]
    pub answers: i64,
    /// Accounts created.
    #[diesel(sql_type = BigInt)]
    pub sign_ups: i64,
}

/// Activity on each UTC day from `first` to `last` included, every day listed: each count is
/// an index-only range count (`interviews_created_idx`, `interviews_funnel_idx`,
/// `answers_submitted_idx`, `users_created_idx`), never a scan of the whole table.
pub async fn activity(
    conn: &mut AsyncPgConnection,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<DayActivity>> {
    diesel::sql_query(
        "SELECT (d AT TIME ZONE 'UTC')::date AS day, \
             (SELECT count(*) FROM interviews i \
              WHERE i.created_at >= d AND i.created_at < d + interval '24 hours') AS interviews, \
             (SELECT count(*) FROM interviews i \
              WHERE i.created_at >= d AND i.created_at < d + interval '24 hours' AND NOT i.practice) AS scheduled, \
             (SELECT count(*) FROM answers a \
              WHERE a.submitted_at >= d AND a.submitted_at < d + interval '24 hours') AS answers, \
             (SELECT count(*) FROM users u \
              WHERE u.created_at >= d AND u.created_at < d + interval '24 hours') AS sign_ups \
         FROM generate_series($1::timestamp AT TIME ZONE 'UTC', $2::timestamp AT TIME ZONE 'UTC', \
             interval '24 hours') AS d \
         ORDER BY 1",
    )
    .bind::<Date, _>(first)
    .bind::<Date, _>(last)
    .load(conn)
    .await
}

/// Evaluations one provider's model wrote.
#[derive(Clone, Debug, PartialEq, diesel::QueryableByName)]
pub struct ProviderEvaluations {
    /// The provider (`offline` for the rules).
    #[diesel(sql_type = Text)]
    pub provider: String,
    /// The model.
    #[diesel(sql_type = Text)]
    pub model: String,
    /// Evaluations written.
    #[diesel(sql_type = BigInt)]
    pub evaluations: i64,
    /// Of them, written after other providers failed or were skipped.
    #[diesel(sql_type = BigInt)]
    pub fallbacks: i64,
    /// Prompt tokens.
    #[diesel(sql_type = BigInt)]
    pub input_tokens: i64,
    /// Reply tokens.
    #[diesel(sql_type = BigInt)]
    pub output_tokens: i64,
    /// Mean latency in milliseconds, where measured.
    #[diesel(sql_type = Nullable<Double>)]
    pub mean_latency_ms: Option<f64>,
}

/// Evaluations written per provider and model on the days from `first` to `last` included, most
/// first, from the rollup `evaluation_days`.
pub async fn evaluations(
    conn: &mut AsyncPgConnection,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<ProviderEvaluations>> {
    diesel::sql_query(
        "SELECT provider, model, sum(evaluations)::bigint AS evaluations, sum(fallbacks)::bigint AS fallbacks, \
             sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens, \
             (sum(latency_ms_sum)::float8 / nullif(sum(latencies), 0)) AS mean_latency_ms \
         FROM evaluation_days WHERE day >= $1 AND day <= $2 \
         GROUP BY provider, model ORDER BY evaluations DESC, provider, model",
    )
    .bind::<Date, _>(first)
    .bind::<Date, _>(last)
    .load(conn)
    .await
}

/// What one provider cost on one day.
#[derive(Clone, Debug, PartialEq, diesel::QueryableByName)]
pub struct DayCost {
    /// The UTC day.
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    /// The provider.
    #[diesel(sql_type = Text)]
    pub provider: String,
    /// US dollars.
    #[diesel(sql_type = Double)]
    pub usd: f64,
    /// Calls.
    #[diesel(sql_type = BigInt)]
    pub calls: i64,
    /// Prompt tokens.
    #[diesel(sql_type = BigInt)]
    pub input_tokens: i64,
    /// Reply tokens.
    #[diesel(sql_type = BigInt)]
    pub output_tokens: i64,
}

/// AI spending per day and provider from `first` to `last` included (days without spending are
/// absent), oldest first.
pub async fn ai_cost(
    conn: &mut AsyncPgConnection,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<DayCost>> {
    diesel::sql_query(
        "SELECT day, provider, usd, calls, input_tokens, output_tokens FROM ai_spend \
         WHERE day >= $1 AND day <= $2 ORDER BY day, provider",
    )
    .bind::<Date, _>(first)
    .bind::<Date, _>(last)
    .load(conn)
    .await
}

/// Jobs of one kind in one status.
#[derive(Clone, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct QueueCount {
    /// The job kind, such as `evaluate_answer`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// `QUEUED`, `RUNNING`, `DONE` or `DEAD`.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// How many.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// The job queue now, by kind and status (finished jobs are kept a week, dead ones a month):
/// an index-only scan of `background_jobs_kind_status_idx`.
pub async fn queue_counts(conn: &mut AsyncPgConnection) -> QueryResult<Vec<QueueCount>> {
    diesel::sql_query(
        "SELECT kind, status, count(*) AS count FROM background_jobs GROUP BY kind, status ORDER BY kind, status",
    )
    .load(conn)
    .await
}

/// How the queue is keeping up.
#[derive(Clone, Debug, PartialEq, diesel::QueryableByName)]
pub struct QueueLag {
    /// Seconds the longest-waiting due job has been due; none when no job is due.
    #[diesel(sql_type = Nullable<Double>)]
    pub oldest_due_seconds: Option<f64>,
    /// Jobs due now.
    #[diesel(sql_type = BigInt)]
    pub due: i64,
    /// Jobs waiting to be retried after a failure.
    #[diesel(sql_type = BigInt)]
    pub retrying: i64,
    /// Jobs that ran out of attempts in the last 24 hours.
    #[diesel(sql_type = BigInt)]
    pub dead_last_day: i64,
}

/// The queue's lag, from its partial indexes (`background_jobs_due_idx`,
/// `background_jobs_dead_idx`).
pub async fn queue_lag(conn: &mut AsyncPgConnection) -> QueryResult<QueueLag> {
    diesel::sql_query(
        "SELECT extract(epoch FROM now() - (SELECT min(run_after) FROM background_jobs \
                 WHERE status = 'QUEUED' AND run_after <= now()))::float8 AS oldest_due_seconds, \
             (SELECT count(*) FROM background_jobs WHERE status = 'QUEUED' AND run_after <= now()) AS due, \
             (SELECT count(*) FROM background_jobs WHERE status = 'QUEUED' AND last_error IS NOT NULL) AS retrying, \
             (SELECT count(*) FROM background_jobs \
              WHERE status = 'DEAD' AND coalesce(finished_at, created_at) >= now() - interval '24 hours') \
                 AS dead_last_day",
    )
    .get_result(conn)
    .await
}
