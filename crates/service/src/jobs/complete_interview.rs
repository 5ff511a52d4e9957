//! `complete_interview`: once a completed interview's every answer is evaluated, records the AI
//! result, moves it to `EVALUATED` and tells the candidate.

use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use viva_domain::evaluation::Evaluation;
use viva_domain::interview::{InterviewStatus, grade};
use viva_domain::vocab::InterviewEventKind;
use viva_domain::{AnswerId, BackgroundJobId, InterviewId};
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::evaluation as evaluations;
use viva_store::models::interview as interviews;

use crate::{Service, ServiceError, ServiceResult, notify};

/// Records the AI result of a fully evaluated interview.
pub struct CompleteInterview;

/// Which interview.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The interview.
    pub interview_id: InterviewId,
}

impl JobSpec for CompleteInterview {
    const KIND: JobKind = JobKind::CompleteInterview;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for CompleteInterview {
    async fn run(&self, service: &Service, _job: &JobInfo, payload: Payload) -> Result<(), JobError> {
        Ok(complete(service, payload.interview_id).await?)
    }
}

/// Enqueues the completion check of an interview.
pub async fn enqueue(
    conn: &mut viva_store::AsyncPgConnection,
    interview_id: InterviewId,
) -> ServiceResult<BackgroundJobId> {
    Ok(viva_jobs::enqueue::<CompleteInterview>(conn, &Payload { interview_id }).await?)
}

async fn complete(service: &Service, interview_id: InterviewId) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let Some(interview) = interviews::lock(conn, interview_id).await? else { return Ok(()) };
        if interview.status != InterviewStatus::Completed
            || evaluations::unevaluated_count(conn, interview_id).await? > 0
        {
            return Ok(());
        }
        let answers = interviews::answers_of(conn, &[interview_id]).await?;
        let ids: Vec<AnswerId> = answers.iter().map(|a| a.id).collect();
        let current = evaluations::current_of(conn, &ids).await?;
        let mut scored: Vec<(i32, Evaluation)> = Vec::new();
        for answer in &answers {
            let Some(stored) = current.iter().find(|e| e.answer_id == answer.id) else { continue };
            let evaluation: Evaluation =
                serde_json::from_value(stored.body.clone()).map_err(ServiceError::internal)?;
            scored.push((answer.human_score.unwrap_or(stored.overall_score), evaluation));
        }
        if scored.is_empty() {
            return Ok(());
        }
        let overall =
            (scored.iter().map(|(s, _)| f64::from(*s)).sum::<f64>() / scored.len() as f64).round() as i32;
        let (feedback, recommendations) = summarise(overall, &scored);
        interviews::record_result(
            conn,
            interview_id,
            overall,
            grade(overall),
            &feedback,
            &recommendations,
            None,
        )
        .await?;
        interviews::publish(conn, interview_id, InterviewEventKind::InterviewEvaluated, interview_id).await?;
        notify::results_available(conn, interview.candidate_id, interview_id).await?;
        Ok(())
    })
    .await
}

/// The interview's feedback and recommendations from its answers' evaluations.
fn summarise(overall: i32, scored: &[(i32, Evaluation)]) -> (String, Vec<String>) {
    let mut by_score: Vec<&(i32, Evaluation)> = scored.iter().collect();
    by_score.sort_by_key(|(s, _)| *s);
    let dimension = |f: fn(&Evaluation) -> i32| {
        (scored.iter().map(|(_, e)| f64::from(f(e))).sum::<f64>() / scored.len() as f64).round() as i32
    };
    let mut feedback = format!(
        "Overall {overall}/100 over {} answers: content {}, communication {}, technical depth {}, relevance {}.",
        scored.len(),
        dimension(|e| e.scores.content),
        dimension(|e| e.scores.communication),
        dimension(|e| e.scores.technical_depth),
        dimension(|e| e.scores.relevance),
    );
    if let Some((best, e)) = by_score.last()
        && let Some(strength) = e.strengths.first()
    {
        feedback.push_str(&format!(" Strongest answer ({best}/100): {strength}"));
    }
    let mut recommendations: Vec<String> = Vec::new();
    for (_, e) in by_score.iter().take(3) {
        if let Some(first) = e.improvements.first()
            && !recommendations.contains(first)
        {
            recommendations.push(first.clone());
        }
    }
    (feedback, recommendations)
}
