//! `check_answer_similarity`: fingerprints a stored answer and flags near-copies of it among
//! other candidates' answers to the same question ([`crate::similarity::check`]).
//!
//! Idempotent: the fingerprint and each flag are written at most once (a job delivered twice
//! finds them there). An embedder failure is retried; on the last attempt text overlap alone
//! decides, with its stricter threshold, so every answer is checked in the end.

use viva_domain::AnswerId;
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};

use super::AnswerJob;
use crate::similarity::check::check_answer;
use crate::{Service, ServiceResult};

/// Checks one answer for near-copies.
pub struct CheckAnswerSimilarity;

impl JobSpec for CheckAnswerSimilarity {
    const KIND: JobKind = JobKind::CheckAnswerSimilarity;
    type Payload = AnswerJob;
}

#[async_trait::async_trait]
impl Handler<Service> for CheckAnswerSimilarity {
    async fn run(&self, service: &Service, job: &JobInfo, payload: AnswerJob) -> Result<(), JobError> {
        let last_attempt = job.attempt >= Self::MAX_ATTEMPTS;
        check_answer(service, payload.answer_id, last_attempt).await?;
        Ok(())
    }
}

/// Enqueues the check of an answer; call in the transaction that stored it.
pub async fn enqueue(conn: &mut viva_store::AsyncPgConnection, answer_id: AnswerId) -> ServiceResult<()> {
    viva_jobs::enqueue::<CheckAnswerSimilarity>(conn, &AnswerJob { answer_id }).await?;
    Ok(())
}
