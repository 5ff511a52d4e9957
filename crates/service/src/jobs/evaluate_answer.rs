//! `evaluate_answer`: evaluates an answer through the AI registry and stores the evaluation
//! with its provenance, retiring the previous one (a re-evaluation names who asked).
//!
//! The model runs with no transaction or row lock held; the write happens under the
//! interview's row lock, and names this job, so a job delivered twice writes once.

use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use viva_ai::{AnswerInput, Evaluator};
use viva_domain::interview::InterviewStatus;
use viva_domain::vocab::InterviewEventKind;
use viva_domain::{AnswerId, BackgroundJobId, UserId};
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::evaluation as evaluations;
use viva_store::models::interview as interviews;

use super::{AnswerJob, question_context};
use crate::{Service, ServiceError, ServiceResult};

/// Evaluates one answer.
pub struct EvaluateAnswer;

/// Which answer, and who asked for a re-evaluation (none for the first).
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The answer.
    pub answer_id: AnswerId,
    /// Who asked for a re-evaluation; none for the first evaluation.
    pub requested_by: Option<UserId>,
}

impl JobSpec for EvaluateAnswer {
    const KIND: JobKind = JobKind::EvaluateAnswer;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for EvaluateAnswer {
    async fn run(&self, service: &Service, job: &JobInfo, payload: Payload) -> Result<(), JobError> {
        Ok(evaluate(service, job.id, payload.answer_id, payload.requested_by).await?)
    }
}

/// Enqueues the evaluation of an answer; call in the transaction that stored it (or that asks
/// for a re-evaluation, naming who asked).
pub async fn enqueue(
    conn: &mut viva_store::AsyncPgConnection,
    answer_id: AnswerId,
    requested_by: Option<UserId>,
) -> ServiceResult<BackgroundJobId> {
    Ok(viva_jobs::enqueue::<EvaluateAnswer>(conn, &Payload { answer_id, requested_by }).await?)
}

async fn evaluate(
    service: &Service,
    job_id: BackgroundJobId,
    answer_id: AnswerId,
    requested_by: Option<UserId>,
) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    let context = conn
        .transaction::<_, ServiceError, _>(async move |conn| {
            if evaluations::written_by_job(conn, job_id).await? {
                return Ok(None);
            }
            if requested_by.is_none() && evaluations::has_current(conn, answer_id).await? {
                return Ok(None);
            }
            Ok(evaluations::answer_context(conn, answer_id).await?)
        })
        .await?;
    let Some((answer, question, interview)) = context else { return Ok(()) };
    interviews::publish(&mut conn, interview.id, InterviewEventKind::EvaluationStarted, answer.id).await?;
    drop(conn);

    let ai = &service.ai;
    let evaluator = Evaluator::with_cache(&ai.registry.embeddings, &ai.cache);
    let ctx = question_context(&question);
    let (evaluation, provenance) = evaluator
        .evaluate(&ctx, &AnswerInput { text: &answer.text, duration_seconds: answer.duration_seconds })
        .await;
    let body = serde_json::to_value(&evaluation).map_err(ServiceError::internal)?;

    let mut conn = service.pool.get().await?;
    let first = requested_by.is_none();
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        // The interview's lock orders this with answers arriving and other evaluations.
        let Some(interview) = interviews::lock(conn, interview.id).await? else { return Ok(()) };
        if evaluations::written_by_job(conn, job_id).await?
            || (first && evaluations::has_current(conn, answer_id).await?)
            || evaluations::answer_context(conn, answer_id).await?.is_none()
        {
            return Ok(());
        }
        let stored = evaluations::insert(
            conn,
            &evaluations::NewEvaluation {
                answer_id,
                job_id,
                provider: &provenance.provider,
                model: &provenance.model,
                rubric_version: &provenance.rubric_version,
                prompt_version: provenance.prompt_version.as_deref(),
                overall_score: evaluation.scores.overall,
                grade: &evaluation.grade,
                body: &body,
                requested_by,
            },
        )
        .await?;
        interviews::publish(conn, interview.id, InterviewEventKind::AnswerEvaluated, stored.answer_id)
            .await?;
        if first && interview.status == InterviewStatus::InProgress && question.follow_up_of.is_none() {
            viva_jobs::enqueue::<super::plan_follow_up::PlanFollowUp>(conn, &AnswerJob { answer_id }).await?;
        }
        if interview.status == InterviewStatus::Completed
            && evaluations::unevaluated_count(conn, interview.id).await? == 0
        {
            super::complete_interview::enqueue(conn, interview.id).await?;
        }
        Ok(())
    })
    .await
}
