//! `plan_follow_up`: after an answer of an interview in progress is evaluated, adds a follow-up
//! question right after it when the answer was vague or weak (one per question, never for a
//! follow-up). The chat model writes it to probe the gap the evaluation found, when one is
//! configured; the rules write it otherwise, or when every chat provider fails.

use diesel_async::AsyncConnection;
use viva_ai::followup;
use viva_ai::llm::follow_up;
use viva_domain::AnswerId;
use viva_domain::evaluation::Evaluation;
use viva_domain::interview::InterviewStatus;
use viva_domain::vocab::InterviewEventKind;
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::evaluation as evaluations;
use viva_store::models::interview as interviews;

use super::{AnswerJob, question_context};
use crate::{Service, ServiceError, ServiceResult};

/// Considers a follow-up after an evaluated answer.
pub struct PlanFollowUp;

impl JobSpec for PlanFollowUp {
    const KIND: JobKind = JobKind::PlanFollowUp;
    type Payload = AnswerJob;
}

#[async_trait::async_trait]
impl Handler<Service> for PlanFollowUp {
    async fn run(&self, service: &Service, _job: &JobInfo, payload: AnswerJob) -> Result<(), JobError> {
        Ok(plan(service, payload.answer_id).await?)
    }
}

async fn plan(service: &Service, answer_id: AnswerId) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    // Read first, with no lock held while a model writes the question.
    let Some((answer, question, interview)) = evaluations::find_context(&mut conn, answer_id).await? else {
        return Ok(());
    };
    if interview.status != InterviewStatus::InProgress || question.follow_up_of.is_some() {
        return Ok(());
    }
    let Some(current) = evaluations::current_of(&mut conn, &[answer_id]).await?.into_iter().next() else {
        return Ok(());
    };
    drop(conn);
    let evaluation: Evaluation = serde_json::from_value(current.body).map_err(ServiceError::internal)?;
    if !followup::wanted(&evaluation) {
        return Ok(());
    }
    let ctx = question_context(&question);
    let chat = &service.ai.registry.chat;
    let written = if chat.is_empty() {
        None
    } else {
        match follow_up::write(chat, &ctx, &answer.text, &evaluation).await {
            Ok(served) => Some(served.value),
            Err(exhausted) => {
                tracing::warn!(%answer_id, why = %exhausted, "follow-up written by the rules after the chat providers failed");
                None
            }
        }
    };
    let Some(follow_up) = written.or_else(|| followup::plan(&ctx, &evaluation)) else { return Ok(()) };

    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let Some(interview) = interviews::lock(conn, interview.id).await? else { return Ok(()) };
        if interview.status != InterviewStatus::InProgress
            || evaluations::has_follow_up(conn, question.id).await?
        {
            return Ok(());
        }
        // The question as it is now, under the interview's lock: another follow-up may have
        // moved it while the model wrote this one.
        let Some((_, question, _)) = evaluations::answer_context(conn, answer_id).await? else {
            return Ok(());
        };
        let added =
            evaluations::insert_follow_up(conn, &question, &follow_up.text, &follow_up.reason).await?;
        interviews::publish(conn, interview.id, InterviewEventKind::FollowUpAdded, added.id).await?;
        Ok(())
    })
    .await
}
