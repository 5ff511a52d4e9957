//! Interviews per job: the jobs a view lists, the distribution of interview results per job, and
//! the funnel from scheduling to a person's review. Interviews count in the window they were
//! scheduled in (`created_at`).

use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use viva_domain::{JobId, UserId};

use super::{Population, Span};
use crate::QueryResult;
use crate::models::TimeCursor;

/// A job as the analytics views name it.
#[derive(Clone, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct JobRef {
    /// Its id.
    #[diesel(sql_type = SqlUuid)]
    pub id: JobId,
    /// Its title.
    #[diesel(sql_type = Text)]
    pub title: String,
    /// Its owner.
    #[diesel(sql_type = SqlUuid)]
    pub owner_id: UserId,
    /// When it was created (the list's order).
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// The job with this id.
pub async fn job(conn: &mut AsyncPgConnection, id: JobId) -> QueryResult<Option<JobRef>> {
    diesel::sql_query("SELECT id, title, owner_id, created_at FROM jobs WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Jobs newest first after the cursor, `limit` of them: every job, or those `owner` owns.
pub async fn jobs_page(
    conn: &mut AsyncPgConnection,
    owner: Option<UserId>,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<JobRef>> {
    let owner_condition = if owner.is_some() { "owner_id = $1" } else { "TRUE" };
    let cursor = if after.is_some() { "AND (created_at, id) < ($2, $3)" } else { "" };
    let (at, id) = after.map_or((DateTime::<Utc>::UNIX_EPOCH, uuid::Uuid::nil()), |c| (c.at, c.id));
    diesel::sql_query(format!(
        "SELECT id, title, owner_id, created_at FROM jobs WHERE {owner_condition} {cursor} \
         ORDER BY created_at DESC, id DESC LIMIT $4"
    ))
    .bind::<SqlUuid, _>(owner.unwrap_or(UserId(uuid::Uuid::nil())))
    .bind::<Timestamptz, _>(at)
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// One job's interview results in a window.
#[derive(Clone, Debug, PartialEq, diesel::QueryableByName)]
pub struct ResultDistribution {
    /// The job.
    #[diesel(sql_type = SqlUuid)]
    pub job_id: JobId,
    /// Interviews with a result.
    #[diesel(sql_type = BigInt)]
    pub interviews: i64,
    /// Their mean overall score.
    #[diesel(sql_type = Nullable<Double>)]
    pub mean: Option<f64>,
    /// Their median overall score.
    #[diesel(sql_type = Nullable<Double>)]
    pub median: Option<f64>,
    /// Interviews per bucket, lowest first (bucket `i` holds scores from `i × size`; the last
    /// one includes 100).
    #[diesel(sql_type = Array<BigInt>)]
    pub buckets: Vec<i64>,
}

/// The distribution of the overall results of the interviews scheduled in the window for each
/// of these jobs, in buckets of `bucket_size` points (a divisor of 100), down
/// `interviews_job_created_idx`.
pub async fn result_distributions(
    conn: &mut AsyncPgConnection,
    jobs: &[JobId],
    population: Population,
    span: Span,
    bucket_size: i32,
) -> QueryResult<Vec<ResultDistribution>> {
    let scope = match population {
        Population::All => "TRUE",
        Population::HrCandidates(_) => {
            "i.candidate_id IN (SELECT u.id FROM users u WHERE u.assigned_hr_id = $5) AND NOT i.practice"
        }
    };
    diesel::sql_query(format!(
        "WITH scored AS ( \
             SELECT i.job_id, i.overall_score AS score FROM interviews i \
             WHERE i.job_id = ANY($1) AND i.created_at >= $2 AND i.created_at < $3 \
               AND i.result_at IS NOT NULL AND i.overall_score IS NOT NULL AND {scope}), \
         totals AS ( \
             SELECT job_id, count(*) AS interviews, avg(score)::float8 AS mean, \
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS median \
             FROM scored GROUP BY job_id), \
         bucketed AS ( \
             SELECT job_id, least(score, 99) / $4 AS bucket, count(*) AS n FROM scored GROUP BY 1, 2), \
         dense AS ( \
             SELECT j.job_id, array_agg(coalesce(b.n, 0) ORDER BY k) AS buckets \
             FROM unnest($1) AS j(job_id) CROSS JOIN generate_series(0, 100 / $4 - 1) AS k \
             LEFT JOIN bucketed b ON b.job_id = j.job_id AND b.bucket = k \
             GROUP BY j.job_id) \
         SELECT d.job_id, coalesce(t.interviews, 0) AS interviews, t.mean, t.median, d.buckets \
         FROM dense d LEFT JOIN totals t ON t.job_id = d.job_id"
    ))
    .bind::<Array<SqlUuid>, _>(jobs)
    .bind::<Timestamptz, _>(span.from)
    .bind::<Timestamptz, _>(span.to)
    .bind::<Integer, _>(bucket_size)
    .bind::<SqlUuid, _>(population.hr())
    .load(conn)
    .await
}

/// The funnel of the interviews scheduled in a window: how many reached each stage, and the
/// times between stages in seconds.
#[derive(Clone, Debug, Default, PartialEq, diesel::QueryableByName)]
pub struct FunnelCounts {
    /// Scheduled.
    #[diesel(sql_type = BigInt)]
    pub scheduled: i64,
    /// Started by the candidate.
    #[diesel(sql_type = BigInt)]
    pub started: i64,
    /// Completed.
    #[diesel(sql_type = BigInt)]
    pub completed: i64,
    /// With a result (the AI's or a person's).
    #[diesel(sql_type = BigInt)]
    pub evaluated: i64,
    /// Reviewed by a person: a person's result, or a person's score on an answer.
    #[diesel(sql_type = BigInt)]
    pub human_reviewed: i64,
    /// Median from scheduling to the start.
    #[diesel(sql_type = Nullable<Double>)]
    pub to_start_p50: Option<f64>,
    /// Median from the start to completion.
    #[diesel(sql_type = Nullable<Double>)]
    pub to_complete_p50: Option<f64>,
    /// The median and the 90th percentile from completion to the result (time to evaluation).
    #[diesel(sql_type = Nullable<Array<Double>>)]
    pub to_result: Option<Vec<f64>>,
    /// Median from completion to a person's first review.
    #[diesel(sql_type = Nullable<Double>)]
    pub to_review_p50: Option<f64>,
}

/// The funnel of the (not practice) interviews scheduled in the window, for one job or all:
/// over every job an index-only scan of `interviews_funnel_idx`, for one job of
/// `interviews_job_created_idx`; people's scores since the window began from
/// `answers_human_scored_idx`.
pub async fn funnel(
    conn: &mut AsyncPgConnection,
    job: Option<JobId>,
    population: Population,
    span: Span,
) -> QueryResult<FunnelCounts> {
    let job_condition = if job.is_some() { "i.job_id = $3" } else { "TRUE" };
    // Over one job's interviews an HR user's candidates are looked up per row (in a hash); over
    // every job they drive the scan, candidate by candidate, down `interviews_candidate_idx`.
    let scope = match (population, job) {
        (Population::All, _) => "TRUE",
        (Population::HrCandidates(_), Some(_)) => {
            "i.candidate_id IN (SELECT u.id FROM users u WHERE u.assigned_hr_id = $4)"
        }
        (Population::HrCandidates(_), None) => {
            "i.candidate_id = ANY (ARRAY(SELECT u.id FROM users u WHERE u.assigned_hr_id = $4))"
        }
    };
    diesel::sql_query(format!(
        "WITH cohort AS ( \
             SELECT i.id, i.created_at, i.started_at, i.completed_at, i.result_at, \
                 CASE WHEN i.result_by IS NOT NULL THEN i.result_at END AS human_result_at \
             FROM interviews i \
             WHERE NOT i.practice AND i.created_at >= $1 AND i.created_at < $2 AND {job_condition} AND {scope}), \
         reviews AS ( \
             SELECT a.interview_id, min(a.human_scored_at) AS at FROM answers a \
             WHERE a.human_score IS NOT NULL AND a.human_scored_at >= $1 GROUP BY a.interview_id), \
         reviewed AS ( \
             SELECT c.*, least(c.human_result_at, r.at) AS human_at \
             FROM cohort c LEFT JOIN reviews r ON r.interview_id = c.id) \
         SELECT count(*) AS scheduled, count(started_at) AS started, count(completed_at) AS completed, \
             count(result_at) AS evaluated, count(human_at) AS human_reviewed, \
             percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', started_at - created_at)) \
                 AS to_start_p50, \
             percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', completed_at - started_at)) \
                 AS to_complete_p50, \
             percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', result_at - completed_at)) \
                 AS to_result, \
             percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', human_at - completed_at)) \
                 AS to_review_p50 \
         FROM reviewed"
    ))
    .bind::<Timestamptz, _>(span.from)
    .bind::<Timestamptz, _>(span.to)
    .bind::<SqlUuid, _>(job.unwrap_or(JobId(uuid::Uuid::nil())))
    .bind::<SqlUuid, _>(population.hr())
    .get_result(conn)
    .await
}
