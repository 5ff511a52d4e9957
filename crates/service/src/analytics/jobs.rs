//! Per-job views for HR users and admins: the distribution of interview results, and the funnel
//! from scheduling to a person's review. An admin sees every job and interview; an HR user the
//! jobs they own, counting the interviews the access policy lets them see (the scheduled
//! interviews of the candidates assigned to them).

use viva_domain::JobId;
use viva_store::AsyncPgConnection;
use viva_store::models::TimeCursor;
use viva_store::models::analytics::interviews::{self as store, FunnelCounts, JobRef, ResultDistribution};
use viva_store::models::session::Principal;

use super::{Staff, Window};
use crate::{Service, ServiceError, ServiceResult};

/// One job's distribution of interview results.
#[derive(Clone, Debug)]
pub struct JobDistribution {
    /// The job.
    pub job: JobRef,
    /// Its interviews' results in the window.
    pub distribution: ResultDistribution,
}

/// The job, if the caller may see its analytics: any job for admins, their own for HR users;
/// `NOT_FOUND` otherwise.
async fn visible_job(conn: &mut AsyncPgConnection, staff: Staff, id: JobId) -> ServiceResult<JobRef> {
    let job = store::job(conn, id).await?.ok_or(ServiceError::NotFound("job"))?;
    match staff.job_owner() {
        Some(owner) if owner != job.owner_id => Err(ServiceError::NotFound("job")),
        _ => Ok(job),
    }
}

/// The distribution of the overall results of the interviews scheduled in the window, in
/// buckets of `bucket_size` points: for one job, or for every job the caller sees, newest job
/// first, `limit` of them after the cursor (the API asks for one more than its page).
pub async fn score_distribution(
    service: &Service,
    principal: &Principal,
    job: Option<JobId>,
    bucket_size: i32,
    window: Window,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<JobDistribution>> {
    let staff = Staff::of(principal)?;
    let bucket_size = super::bucket_size(bucket_size)?;
    let mut conn = service.pool.get().await?;
    conn.build_transaction()
        .read_only()
        .run(async |conn| {
            let jobs = match job {
                Some(id) => vec![visible_job(conn, staff, id).await?],
                None => store::jobs_page(conn, staff.job_owner(), after, limit).await?,
            };
            viva_store::models::analytics::tune(conn).await?;
            let ids: Vec<JobId> = jobs.iter().map(|j| j.id).collect();
            let mut distributions =
                store::result_distributions(conn, &ids, staff.population(), window.span(), bucket_size)
                    .await?;
            Ok::<_, ServiceError>(
                jobs.into_iter()
                    .filter_map(|job| {
                        let at = distributions.iter().position(|d| d.job_id == job.id)?;
                        Some(JobDistribution { job, distribution: distributions.swap_remove(at) })
                    })
                    .collect(),
            )
        })
        .await
}

/// A stage of the funnel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Scheduled.
    Scheduled,
    /// Started by the candidate.
    Started,
    /// Completed.
    Completed,
    /// With a result.
    Evaluated,
    /// Reviewed by a person.
    HumanReviewed,
}

/// One stage of the funnel.
#[derive(Clone, Debug, PartialEq)]
pub struct StageFigures {
    /// Which.
    pub stage: Stage,
    /// Interviews that reached it.
    pub count: i64,
    /// The share of the previous stage's interviews that reached it (none for the first, or
    /// when the previous stage has none).
    pub conversion_from_previous: Option<f64>,
    /// The share of the scheduled interviews that reached it.
    pub conversion_from_scheduled: Option<f64>,
    /// The median seconds from the previous stage (for a person's review, from completion,
    /// since a person may score answers before the AI's result).
    pub median_seconds_from_previous: Option<f64>,
}

/// The funnel of a window.
#[derive(Clone, Debug)]
pub struct Funnel {
    /// The job, or none for every job the caller sees.
    pub job: Option<JobRef>,
    /// The window the interviews were scheduled in.
    pub window: Window,
    /// The stages in order.
    pub stages: Vec<StageFigures>,
    /// Seconds from completion to the result: the median.
    pub time_to_evaluation_p50: Option<f64>,
    /// Seconds from completion to the result: the 90th percentile.
    pub time_to_evaluation_p90: Option<f64>,
}

/// The funnel scheduled → started → completed → evaluated → reviewed by a person of the
/// interviews scheduled in the window, for one job or every job the caller sees, with the
/// conversion between stages, the median time between them, and the time to evaluation.
pub async fn funnel(
    service: &Service,
    principal: &Principal,
    job: Option<JobId>,
    window: Window,
) -> ServiceResult<Funnel> {
    let staff = Staff::of(principal)?;
    let mut conn = service.pool.get().await?;
    let (job, counts) = conn
        .build_transaction()
        .read_only()
        .run(async |conn| {
            let job = match job {
                Some(id) => Some(visible_job(conn, staff, id).await?),
                None => None,
            };
            viva_store::models::analytics::tune(conn).await?;
            let counts =
                store::funnel(conn, job.as_ref().map(|j| j.id), staff.population(), window.span()).await?;
            Ok::<_, ServiceError>((job, counts))
        })
        .await?;
    let percentile = |i: usize| counts.to_result.as_ref().and_then(|p| p.get(i).copied());
    Ok(Funnel {
        job,
        window,
        time_to_evaluation_p50: percentile(0),
        time_to_evaluation_p90: percentile(1),
        stages: stages(&counts),
    })
}

fn stages(counts: &FunnelCounts) -> Vec<StageFigures> {
    let share = |part: i64, whole: i64| (whole > 0).then(|| part as f64 / whole as f64);
    let rows = [
        (Stage::Scheduled, counts.scheduled, None),
        (Stage::Started, counts.started, counts.to_start_p50),
        (Stage::Completed, counts.completed, counts.to_complete_p50),
        (Stage::Evaluated, counts.evaluated, counts.to_result.as_ref().and_then(|p| p.first().copied())),
        (Stage::HumanReviewed, counts.human_reviewed, counts.to_review_p50),
    ];
    let mut previous: Option<i64> = None;
    rows.into_iter()
        .map(|(stage, count, median)| {
            let figures = StageFigures {
                stage,
                count,
                conversion_from_previous: previous.and_then(|p| share(count, p)),
                conversion_from_scheduled: share(count, counts.scheduled),
                median_seconds_from_previous: median,
            };
            previous = Some(count);
            figures
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_convert_from_the_previous_and_from_scheduling() {
        let counts = FunnelCounts {
            scheduled: 10,
            started: 8,
            completed: 4,
            evaluated: 4,
            human_reviewed: 0,
            to_start_p50: Some(60.0),
            to_result: Some(vec![5.0, 9.0]),
            ..FunnelCounts::default()
        };
        let stages = stages(&counts);
        assert_eq!(stages[0].conversion_from_previous, None);
        assert_eq!(stages[1].conversion_from_previous, Some(0.8));
        assert_eq!(stages[2].conversion_from_previous, Some(0.5));
        assert_eq!(stages[2].conversion_from_scheduled, Some(0.4));
        assert_eq!(stages[3].median_seconds_from_previous, Some(5.0));
        assert_eq!(stages[4].conversion_from_previous, Some(0.0));
        let empty = super::stages(&FunnelCounts::default());
        assert!(empty.iter().all(|s| s.conversion_from_scheduled.is_none()));
    }
}
