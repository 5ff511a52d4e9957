//! Per-job score distributions and the funnel.

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use viva_service::analytics::jobs::{self as service, JobDistribution};

use crate::graphql::pagination::connection;

connection!(
    JobScoreDistributionConnection,
    JobScoreDistributionEdge,
    JobScoreDistribution,
    "jobs' score distributions"
);

/// A range of scores and how many fall in it.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct ScoreBucket {
    /// Lowest score in the bucket.
    pub from: i32,
    /// Highest score in the bucket (the last bucket's is 100).
    pub to: i32,
    /// How many fall in it.
    pub count: i64,
}

/// The overall results of one job's interviews scheduled in the window.
pub struct JobScoreDistribution {
    pub(super) inner: JobDistribution,
    pub(super) bucket_size: i32,
}

/// The distribution of the overall results of one job's interviews scheduled in the window.
#[Object]
impl JobScoreDistribution {
    /// The job.
    async fn job_id(&self) -> ID {
        ID(self.inner.job.id.to_string())
    }

    /// The job's title.
    async fn job_title(&self) -> &str {
        &self.inner.job.title
    }

    /// Interviews with a result (the AI's or a person's) counted.
    async fn interviews(&self) -> i64 {
        self.inner.distribution.interviews
    }

    /// Their mean overall score; null when there are none.
    async fn mean(&self) -> Option<f64> {
        self.inner.distribution.mean
    }

    /// Their median overall score; null when there are none.
    async fn median(&self) -> Option<f64> {
        self.inner.distribution.median
    }

    /// The histogram, lowest scores first, every bucket listed.
    async fn buckets(&self) -> Vec<ScoreBucket> {
        super::buckets(&self.inner.distribution.buckets, self.bucket_size)
    }
}

/// A stage of the interview funnel.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_service::analytics::jobs::Stage")]
pub enum FunnelStageName {
    /// Scheduled by an HR user or admin.
    Scheduled,
    /// Started by the candidate.
    Started,
    /// Completed: every question answered.
    Completed,
    /// With a result, the AI's or a person's.
    Evaluated,
    /// Reviewed by a person: a person's result, or a person's score on an answer.
    HumanReviewed,
}

/// One stage of the funnel.
#[derive(SimpleObject, Clone, Debug)]
pub struct FunnelStage {
    /// Which stage.
    pub stage: FunnelStageName,
    /// Interviews that reached it.
    pub count: i64,
    /// The share (0–1) of the previous stage's interviews that reached it; null for the first
    /// stage, or when the previous one has none.
    pub conversion_from_previous: Option<f64>,
    /// The share (0–1) of the scheduled interviews that reached it.
    pub conversion_from_scheduled: Option<f64>,
    /// The median seconds from the previous stage (for HUMAN_REVIEWED, from completion, since a
    /// person may score answers before the AI's result); null when none reached it.
    pub median_seconds_from_previous: Option<f64>,
}

/// Percentiles of a duration, in seconds.
#[derive(SimpleObject, Clone, Debug)]
pub struct DurationPercentiles {
    /// The median.
    pub p50_seconds: Option<f64>,
    /// The 90th percentile.
    pub p90_seconds: Option<f64>,
}

/// The funnel of the interviews scheduled in a window.
pub struct Funnel(pub(super) service::Funnel);

/// The funnel of the interviews scheduled in a window, from scheduling to a person's review.
#[Object]
impl Funnel {
    /// The job, or null for every job the caller sees.
    async fn job_id(&self) -> Option<ID> {
        self.0.job.as_ref().map(|j| ID(j.id.to_string()))
    }

    /// Start of the window the interviews were scheduled in (included).
    async fn from(&self) -> DateTime<Utc> {
        self.0.window.from
    }

    /// End of the window (excluded).
    async fn to(&self) -> DateTime<Utc> {
        self.0.window.to
    }

    /// The stages in order, scheduled first.
    async fn stages(&self) -> Vec<FunnelStage> {
        self.0
            .stages
            .iter()
            .map(|s| FunnelStage {
                stage: s.stage.into(),
                count: s.count,
                conversion_from_previous: s.conversion_from_previous,
                conversion_from_scheduled: s.conversion_from_scheduled,
                median_seconds_from_previous: s.median_seconds_from_previous,
            })
            .collect()
    }

    /// Time to evaluation: from completion to the result.
    async fn time_to_evaluation(&self) -> DurationPercentiles {
        DurationPercentiles {
            p50_seconds: self.0.time_to_evaluation_p50,
            p90_seconds: self.0.time_to_evaluation_p90,
        }
    }
}
