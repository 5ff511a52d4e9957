//! Analytics (SPEC USER-2, REPORT-2): `myStats`, and `analytics` with a candidate's progress,
//! per-job score distributions and funnels, platform analytics and the fairness view. Every
//! aggregate is computed in PostgreSQL and every access decided in
//! [`viva_service::analytics`]; these modules parse arguments and map results.

pub mod fairness;
pub mod jobs;
pub mod personal;
pub mod platform;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use viva_domain::UserId;
use viva_service::analytics::{self as service, DEFAULT_WINDOW_DAYS, PERSONAL_WINDOW_DAYS, Window};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::pagination::{page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::people::parse_id;

pub use fairness::{Disagreement, Fairness, FairnessGroup};
pub use jobs::{Funnel, JobScoreDistribution, ScoreBucket};
pub use personal::{CandidateProgress, MyStats};
pub use platform::PlatformAnalytics;

/// Analytics queries.
#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// The signed-in user's own statistics over the window `from` (included) to `to` (excluded,
    /// default now), by default the last 366 days and at most 366 days: interviews and practice
    /// sessions taken, averages per dimension, the trend per ISO week, and the best and weakest
    /// question types. Meaningful for candidates.
    async fn my_stats(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> AppResult<MyStats> {
        let principal = ctx.principal()?;
        let window = Window::new(from, to, PERSONAL_WINDOW_DAYS)?;
        let stats = service::candidate::my_stats(&ctx.services()?.service, &principal, window).await?;
        Ok(MyStats(stats))
    }

    /// Analytics for candidates (their progress), HR users (their jobs and candidates) and
    /// admins (everything); each field checks its own access.
    async fn analytics(&self, ctx: &Context<'_>) -> AppResult<Analytics> {
        ctx.principal()?;
        Ok(Analytics)
    }
}

/// Analytics: each field computes its aggregates in the database over a window of at most 366
/// days, and checks the caller's access itself.
pub struct Analytics;

/// Analytics: each field computes its aggregates in the database over a window of at most 366
/// days, and checks the caller's access itself.
#[Object]
impl Analytics {
    /// A candidate's progress per dimension, per ISO week, over a window (default: the last 366
    /// days). The candidate themself (the default when `candidateId` is not given), their HR
    /// user (scheduled interviews only) and admins; anyone else gets `NOT_FOUND`.
    async fn progress(
        &self,
        ctx: &Context<'_>,
        candidate_id: Option<ID>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> AppResult<CandidateProgress> {
        let principal = ctx.principal()?;
        let candidate = candidate_id.as_ref().map(|id| parse_id::<UserId>(id, "candidateId")).transpose()?;
        let window = Window::new(from, to, PERSONAL_WINDOW_DAYS)?;
        let progress =
            service::candidate::progress(&ctx.services()?.service, &principal, candidate, window).await?;
        Ok(CandidateProgress(progress))
    }

    /// Histograms of the overall results of the interviews scheduled in the window (default: the
    /// last 90 days), per job: one job with `jobId`, else every job the caller sees (admins all,
    /// HR users their own), newest first, a page at a time. HR users count the interviews of
    /// the candidates assigned to them. `bucketSize` is 5, 10, 20, 25 or 50 points.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a GraphQL field with its arguments")]
    async fn score_distribution(
        &self,
        ctx: &Context<'_>,
        job_id: Option<ID>,
        #[graphql(default = 10)] bucket_size: i32,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<jobs::JobScoreDistributionConnection> {
        let principal = ctx.principal()?;
        let job = job_id.as_ref().map(|id| parse_id(id, "jobId")).transpose()?;
        let window = Window::new(from, to, DEFAULT_WINDOW_DAYS)?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let rows = service::jobs::score_distribution(
            &ctx.services()?.service,
            &principal,
            job,
            bucket_size,
            window,
            cursor,
            limit + 1,
        )
        .await?;
        Ok(page(
            rows,
            limit,
            cursor.is_some(),
            |d| time_cursor(d.job.created_at, d.job.id),
            |d| JobScoreDistribution { inner: d, bucket_size },
        )
        .into())
    }

    /// The funnel scheduled → started → completed → evaluated → reviewed by a person of the
    /// interviews scheduled in the window (default: the last 90 days), for one job or every job
    /// the caller sees, with conversions, median times between stages and the time to
    /// evaluation. HR users and admins.
    async fn funnel(
        &self,
        ctx: &Context<'_>,
        job_id: Option<ID>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> AppResult<Funnel> {
        let principal = ctx.principal()?;
        let job = job_id.as_ref().map(|id| parse_id(id, "jobId")).transpose()?;
        let window = Window::new(from, to, DEFAULT_WINDOW_DAYS)?;
        let funnel = service::jobs::funnel(&ctx.services()?.service, &principal, job, window).await?;
        Ok(Funnel(funnel))
    }

    /// Platform analytics per UTC day over the days the window touches (default: the last 90
    /// days): activity, evaluations per provider, AI cost, and the job queue. Admins only.
    async fn platform(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> AppResult<PlatformAnalytics> {
        let principal = ctx.principal()?;
        Ok(PlatformAnalytics(service::platform_window(&principal, from, to)?))
    }

    /// The fairness view over the answers submitted in the window (default: the last 90 days):
    /// distributions of the AI's overall score per job, per question type and per evaluator
    /// version, each with its size, and the answers where a person and the AI disagree. Groups
    /// of fewer candidates than the configured minimum are listed without figures. HR users
    /// (their jobs and candidates) and admins.
    async fn fairness(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        #[graphql(default = 10)] bucket_size: i32,
    ) -> AppResult<Fairness> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        Ok(Fairness(service::fairness_request(&services.service, &principal, from, to, bucket_size)?))
    }
}

/// Buckets of `size` points over 0–100 with their counts; the last one includes 100.
fn buckets(counts: &[i64], size: i32) -> Vec<ScoreBucket> {
    (0..)
        .zip(counts)
        .map(|(i, &count): (i32, &i64)| {
            let from = i * size;
            let to = if from + size >= 100 { 100 } else { from + size - 1 };
            ScoreBucket { from, to, count }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_the_scale_and_the_last_holds_100() {
        let b = buckets(&[1, 2, 3, 4], 25);
        assert_eq!(
            b.iter().map(|b| (b.from, b.to, b.count)).collect::<Vec<_>>(),
            [(0, 24, 1), (25, 49, 2), (50, 74, 3), (75, 100, 4)]
        );
    }
}
