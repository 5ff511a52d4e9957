//! Platform analytics, for admins.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use viva_service::analytics::{Window, platform as service};

use crate::auth::context::ContextExt;
use crate::error::AppResult;

/// What happened on one UTC day.
#[derive(SimpleObject, Clone, Debug)]
pub struct DayActivity {
    /// The day.
    pub day: NaiveDate,
    /// Interviews scheduled.
    pub interviews_scheduled: i64,
    /// Practice sessions started.
    pub practice_sessions: i64,
    /// Answers submitted.
    pub answers_submitted: i64,
    /// Accounts created.
    pub sign_ups: i64,
}

/// Evaluations one provider's model wrote.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProviderEvaluations {
    /// The provider (`offline` for the rules and the in-process model).
    pub provider: String,
    /// The model.
    pub model: String,
    /// Evaluations written.
    pub evaluations: i64,
    /// Of them, written after other providers failed or were skipped.
    pub fallbacks: i64,
    /// Prompt tokens spent on them.
    pub input_tokens: i64,
    /// Reply tokens.
    pub output_tokens: i64,
    /// Mean milliseconds the provider took, where measured.
    pub mean_latency_ms: Option<f64>,
}

/// What one AI provider cost on one UTC day.
#[derive(SimpleObject, Clone, Debug)]
pub struct DayAiCost {
    /// The day.
    pub day: NaiveDate,
    /// The provider.
    pub provider: String,
    /// US dollars, from the configured prices.
    pub usd: f64,
    /// Calls made.
    pub calls: i64,
    /// Prompt tokens.
    pub input_tokens: i64,
    /// Reply tokens.
    pub output_tokens: i64,
}

/// Background jobs of one kind in one status.
#[derive(SimpleObject, Clone, Debug)]
pub struct QueueCount {
    /// The job kind, such as `evaluate_answer`.
    pub kind: String,
    /// `QUEUED`, `RUNNING`, `DONE` (kept a week) or `DEAD` (kept a month).
    pub status: String,
    /// How many.
    pub count: i64,
}

/// The background-job queue now.
#[derive(SimpleObject, Clone, Debug)]
pub struct QueueHealth {
    /// Jobs by kind and status.
    pub jobs: Vec<QueueCount>,
    /// Jobs due to run now.
    pub due: i64,
    /// Seconds the longest-waiting due job has waited; null when none is due.
    pub oldest_due_seconds: Option<f64>,
    /// Jobs waiting to be retried after a failure.
    pub retrying: i64,
    /// Jobs that ran out of attempts in the last 24 hours.
    pub dead_last_24_hours: i64,
}

/// Platform analytics over the UTC days a window touches. Admins only.
pub struct PlatformAnalytics(pub(super) Window);

/// Platform analytics over the UTC days a window touches: activity, evaluations per provider, AI
/// cost and the job queue. Admins only.
#[Object]
impl PlatformAnalytics {
    /// Start of the window asked for.
    async fn from(&self) -> DateTime<Utc> {
        self.0.from
    }

    /// End of the window asked for.
    async fn to(&self) -> DateTime<Utc> {
        self.0.to
    }

    /// The first UTC day counted.
    async fn first_day(&self) -> NaiveDate {
        self.0.days().0
    }

    /// The last UTC day counted.
    async fn last_day(&self) -> NaiveDate {
        self.0.days().1
    }

    /// Activity on every day, oldest first.
    #[graphql(complexity = "crate::graphql::pagination::list_cost(367, child_complexity)")]
    async fn activity(&self, ctx: &Context<'_>) -> AppResult<Vec<DayActivity>> {
        let principal = ctx.principal()?;
        let days = service::activity(&ctx.services()?.service, &principal, self.0).await?;
        Ok(days
            .into_iter()
            .map(|d| DayActivity {
                day: d.day,
                interviews_scheduled: d.scheduled,
                practice_sessions: d.interviews - d.scheduled,
                answers_submitted: d.answers,
                sign_ups: d.sign_ups,
            })
            .collect())
    }

    /// Evaluations written per provider and model, most first.
    async fn evaluations(&self, ctx: &Context<'_>) -> AppResult<Vec<ProviderEvaluations>> {
        let principal = ctx.principal()?;
        let rows = service::evaluations(&ctx.services()?.service, &principal, self.0).await?;
        Ok(rows
            .into_iter()
            .map(|r| ProviderEvaluations {
                provider: r.provider,
                model: r.model,
                evaluations: r.evaluations,
                fallbacks: r.fallbacks,
                input_tokens: r.input_tokens,
                output_tokens: r.output_tokens,
                mean_latency_ms: r.mean_latency_ms,
            })
            .collect())
    }

    /// AI spending per day and provider, oldest first (days without spending left out).
    #[graphql(complexity = "crate::graphql::pagination::list_cost(367, child_complexity)")]
    async fn ai_cost(&self, ctx: &Context<'_>) -> AppResult<Vec<DayAiCost>> {
        let principal = ctx.principal()?;
        let rows = service::ai_cost(&ctx.services()?.service, &principal, self.0).await?;
        Ok(rows
            .into_iter()
            .map(|r| DayAiCost {
                day: r.day,
                provider: r.provider,
                usd: r.usd,
                calls: r.calls,
                input_tokens: r.input_tokens,
                output_tokens: r.output_tokens,
            })
            .collect())
    }

    /// The background-job queue as it is now (not limited to the window).
    async fn queue(&self, ctx: &Context<'_>) -> AppResult<QueueHealth> {
        let principal = ctx.principal()?;
        let health = service::queue(&ctx.services()?.service, &principal).await?;
        Ok(QueueHealth {
            jobs: health
                .counts
                .into_iter()
                .map(|c| QueueCount { kind: c.kind, status: c.status, count: c.count })
                .collect(),
            due: health.lag.due,
            oldest_due_seconds: health.lag.oldest_due_seconds,
            retrying: health.lag.retrying,
            dead_last_24_hours: health.lag.dead_last_day,
        })
    }
}
