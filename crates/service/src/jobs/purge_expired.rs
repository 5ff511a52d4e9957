//! `purge_expired` (periodic): deletes what has outlived its use: throttle counters, used or
//! expired one-time tokens, expired sessions; and blanks unsent email bodies older than their
//! links (48 hours), so a stuck outbox holds no live links; deletes finished jobs after a week
//! (dead ones after a month); deletes the files of exported reports past their retention, and answers' audio and recordings
//! past theirs (their transcripts and scores stay).

use chrono::Utc;
use serde::{Deserialize, Serialize};
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::{email, one_time_token, session, throttle};
use viva_store::queue;

use crate::Service;

/// How long finished jobs are kept (for `evaluation.jobId` lookups and operators).
const DONE_JOBS_KEPT: chrono::Duration = chrono::Duration::days(7);
/// How long dead jobs are kept for an operator to look into.
const DEAD_JOBS_KEPT: chrono::Duration = chrono::Duration::days(30);

/// Expired report files deleted per run, at most (the rest wait for the next run).
const REPORTS_PER_RUN: i64 = 500;

/// Audio files and recordings past their retention deleted per run, at most.
const RECORDINGS_PER_RUN: i64 = 500;

/// Purges expired rows.
pub struct PurgeExpired;

/// No input.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Payload {}

impl JobSpec for PurgeExpired {
    const KIND: JobKind = JobKind::PurgeExpired;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for PurgeExpired {
    async fn run(&self, service: &Service, _job: &JobInfo, _payload: Payload) -> Result<(), JobError> {
        let mut conn = service.pool.get().await?;
        let now = Utc::now();
        let bodies = email::purge_stale_bodies(&mut conn, now - chrono::Duration::hours(48)).await?;
        let throttles = throttle::purge_older_than(&mut conn, now - chrono::Duration::days(1)).await?;
        let tokens = one_time_token::purge_expired(&mut conn, now - chrono::Duration::days(1)).await?;
        let sessions = session::purge_expired(&mut conn, now - chrono::Duration::days(1)).await?;
        let jobs = queue::purge_finished(&mut conn, now - DONE_JOBS_KEPT, now - DEAD_JOBS_KEPT).await?;
        drop(conn);
        let reports = crate::reports::purge_expired(service, REPORTS_PER_RUN).await?;
        let recordings = crate::interviews::spoken::purge_expired(service, RECORDINGS_PER_RUN).await?;
        tracing::debug!(
            bodies,
            throttles,
            tokens,
            sessions,
            jobs,
            reports,
            recordings,
            "purged expired rows"
        );
        Ok(())
    }
}
