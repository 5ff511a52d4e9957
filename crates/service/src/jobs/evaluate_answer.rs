//! `evaluate_answer`: evaluates an answer through the AI registry and stores the evaluation
//! with its provenance, retiring the previous one (a re-evaluation names who asked).
//!
//! The chat chain writes the evaluation when one is configured, each provider guarded by its
//! policy, and the offline rules when every provider fails: the first evaluation of an answer
//! always lands. A re-evaluation that names a provider uses only that one, and on failure the
//! job fails (and is retried) rather than writing anything in its name.
//!
//! The model runs with no transaction or row lock held; the write happens under the
//! interview's row lock, and names this job, so a job delivered twice writes once.

use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use viva_ai::AnswerInput;
use viva_ai::llm::evaluation::{Choice, assess};
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

/// Which answer, who asked for a re-evaluation (none for the first), and with which provider.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The answer.
    pub answer_id: AnswerId,
    /// Who asked for a re-evaluation; none for the first evaluation.
    pub requested_by: Option<UserId>,
    /// The chat provider to use (or `offline`); none for the configured chain.
    #[serde(default)]
    pub provider: Option<String>,
}

impl JobSpec for EvaluateAnswer {
    const KIND: JobKind = JobKind::EvaluateAnswer;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for EvaluateAnswer {
    async fn run(&self, service: &Service, job: &JobInfo, payload: Payload) -> Result<(), JobError> {
        Ok(evaluate(service, job.id, payload).await?)
    }
}

/// Enqueues the evaluation of an answer; call in the transaction that stored it (or that asks
/// for a re-evaluation, naming who asked and optionally the provider).
pub async fn enqueue(
    conn: &mut viva_store::AsyncPgConnection,
    answer_id: AnswerId,
    requested_by: Option<UserId>,
    provider: Option<String>,
) -> ServiceResult<BackgroundJobId> {
    Ok(viva_jobs::enqueue::<EvaluateAnswer>(conn, &Payload { answer_id, requested_by, provider }).await?)
}

async fn evaluate(service: &Service, job_id: BackgroundJobId, payload: Payload) -> ServiceResult<()> {
    let Payload { answer_id, requested_by, provider } = payload;
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
    let transcript = viva_store::models::media::transcript_of(&mut conn, answer.id).await?;
    interviews::publish(&mut conn, interview.id, InterviewEventKind::EvaluationStarted, answer.id).await?;
    drop(conn);
    let (text, duration_seconds) = spoken_input(&answer, transcript.as_ref());

    let ai = &service.ai;
    let ctx = question_context(&question);
    let choice = match provider.as_deref() {
        Some(name) => Choice::Provider(name),
        None => Choice::Chain,
    };
    let input = AnswerInput { text: &text, duration_seconds };
    let assessed =
        assess(&ai.registry, &ai.cache, &ctx, &input, choice).await.map_err(ServiceError::internal)?;
    let (evaluation, provenance, trace) = (assessed.evaluation, assessed.provenance, assessed.trace);
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
                trace: &trace,
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
        crate::analytics::record_evaluation(conn, &stored).await?;
        Ok(())
    })
    .await
}

/// What is evaluated: the typed text, followed by the transcript of the audio once it is done;
/// for a spoken answer, the audio's length is the time taken unless the client gave one.
fn spoken_input(
    answer: &interviews::Answer,
    transcript: Option<&viva_store::models::media::Transcript>,
) -> (String, Option<i32>) {
    let done = transcript.filter(|t| t.status == viva_domain::vocab::TranscriptStatus::Done);
    let heard = done.and_then(|t| t.text.as_deref()).map(str::trim).unwrap_or_default();
    let typed = answer.text.trim();
    let text = match (typed.is_empty(), heard.is_empty()) {
        (_, true) => typed.to_owned(),
        (true, false) => heard.to_owned(),
        (false, false) => format!("{typed}\n\n{heard}"),
    };
    let duration = answer
        .duration_seconds
        .or_else(|| done.and_then(|t| t.duration_seconds).map(|d| d.round().clamp(0.0, 7200.0) as i32));
    (text, duration)
}
