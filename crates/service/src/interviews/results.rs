//! Deciding about an interview: cancelling it, recording a person's result, asking for an
//! answer's re-evaluation, and giving an answer a person's score.

use diesel_async::AsyncConnection;
use viva_domain::interview::{InterviewEvent, InterviewStatus, check_score, grade};
use viva_domain::profile::required_text;
use viva_domain::vocab::{AuditAction, InterviewEventKind, NotificationKind};
use viva_domain::{AnswerId, InterviewId};
use viva_store::models::interview::{self as store, Answer as StoredAnswer, Interview as StoredInterview};
use viva_store::models::session::Principal;

use super::access::{Viewer, staff_interview, viewer_for};
use super::answers::transition;
use crate::jobs::evaluate_answer;
use crate::{Service, ServiceError, ServiceResult, audit, notify};

/// A person's result to record.
#[derive(Clone, Debug)]
pub struct ResultRequest {
    /// Overall score, 0 to 100.
    pub overall_score: i32,
    /// Feedback for the candidate, up to 10,000 characters.
    pub feedback: String,
    /// Recommendations, up to 20 of up to 500 characters.
    pub recommendations: Vec<String>,
}

/// Cancels an interview that is scheduled or in progress: its HR user or an admin, or the
/// candidate for their own practice session. The candidate of a scheduled one is notified.
pub async fn cancel(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
    reason: Option<&str>,
    ip: Option<&str>,
) -> ServiceResult<(StoredInterview, Viewer)> {
    let reason = reason.map(|r| required_text(r, "reason", 1000)).transpose()?;
    let (principal, ip) = (*principal, ip.map(str::to_owned));
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let interview = store::lock(conn, id).await?.ok_or(ServiceError::NotFound("interview"))?;
        let viewer =
            viewer_for(conn, &principal, &interview).await?.ok_or(ServiceError::NotFound("interview"))?;
        if viewer == Viewer::Candidate && !interview.practice {
            return Err(ServiceError::Forbidden(
                "a scheduled interview is cancelled by the HR user responsible",
            ));
        }
        let status = transition(&interview, InterviewEvent::Cancel)?;
        let cancelled = store::set_status(conn, id, status, reason.as_deref()).await?;
        store::publish(conn, id, InterviewEventKind::InterviewCancelled, id).await?;
        if viewer == Viewer::Staff {
            let data = serde_json::json!({ "interviewId": id });
            notify::send(
                conn,
                interview.candidate_id,
                NotificationKind::InterviewCancelled,
                "Interview cancelled",
                "An interview scheduled for you was cancelled.",
                data.clone(),
            )
            .await?;
            audit::record(
                conn,
                Some(principal.user_id),
                AuditAction::InterviewCancelled,
                Some(interview.candidate_id),
                ip.as_deref(),
                data,
            )
            .await?;
        }
        Ok((cancelled, viewer))
    })
    .await
}

/// Records the result of a completed interview (again, to revise it): its HR user or an admin.
/// A person's result may replace the AI's (the answers' AI evaluations stay), not another
/// person's. The candidate is notified.
pub async fn submit_result(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
    request: ResultRequest,
    ip: Option<&str>,
) -> ServiceResult<StoredInterview> {
    let score = check_score(request.overall_score)
        .map_err(|_| ServiceError::bad_field("overallScore", "must be between 0 and 100"))?;
    let feedback = required_text(&request.feedback, "feedback", 10_000)?;
    if request.recommendations.len() > 20
        || request.recommendations.iter().any(|r| r.trim().is_empty() || r.chars().count() > 500)
    {
        return Err(ServiceError::bad_field(
            "recommendations",
            "must be up to 20 items of 1 to 500 characters",
        ));
    }
    let recommendations: Vec<String> = request.recommendations.iter().map(|r| r.trim().to_owned()).collect();
    let (principal, ip) = (*principal, ip.map(str::to_owned));
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let interview = staff_interview(conn, &principal, id).await?;
        let replaces_ai = interview.status == InterviewStatus::Evaluated && interview.result_by.is_none();
        if !replaces_ai {
            transition(&interview, InterviewEvent::Evaluate)?;
        }
        let evaluated = store::record_result(
            conn,
            id,
            score,
            grade(score),
            &feedback,
            &recommendations,
            Some(principal.user_id),
        )
        .await?;
        store::publish(conn, id, InterviewEventKind::InterviewEvaluated, id).await?;
        notify::results_available(conn, interview.candidate_id, id).await?;
        audit::record(
            conn,
            Some(principal.user_id),
            AuditAction::InterviewResultSubmitted,
            Some(interview.candidate_id),
            ip.as_deref(),
            serde_json::json!({ "interviewId": id, "overallScore": score }),
        )
        .await?;
        Ok(evaluated)
    })
    .await
}

/// Asks for an answer to be evaluated again (a job): with the configured chain, or with one
/// named chat provider (or `offline`) to compare with the evaluations it already has, which
/// all stay in its history. Its HR user or an admin.
pub async fn reevaluate(
    service: &Service,
    principal: &Principal,
    answer_id: AnswerId,
    provider: Option<&str>,
    ip: Option<&str>,
) -> ServiceResult<StoredAnswer> {
    let provider = match provider.map(str::trim) {
        None | Some("") => None,
        Some(name) if name == viva_ai::evaluator::OFFLINE_PROVIDER || service.ai.registry.chat.has(name) => {
            Some(name.to_owned())
        }
        Some(_) => {
            let mut known = vec![viva_ai::evaluator::OFFLINE_PROVIDER.to_owned()];
            known.extend(service.ai.registry.chat.providers());
            return Err(ServiceError::bad_field(
                "provider",
                format!("is not a configured chat provider (configured: {})", known.join(", ")),
            ));
        }
    };
    let (principal, ip) = (*principal, ip.map(str::to_owned));
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let answer = store::find_answer(conn, answer_id).await?.ok_or(ServiceError::NotFound("answer"))?;
        let interview = staff_interview(conn, &principal, answer.interview_id).await?;
        evaluate_answer::enqueue(conn, answer.id, Some(principal.user_id), provider.clone()).await?;
        audit::record(
            conn,
            Some(principal.user_id),
            AuditAction::AnswerReevaluationRequested,
            Some(interview.candidate_id),
            ip.as_deref(),
            serde_json::json!({ "interviewId": interview.id, "answerId": answer.id, "provider": provider }),
        )
        .await?;
        Ok(answer)
    })
    .await
}

/// Gives an answer a person's score with the reason, once the interview is over; the AI's
/// score is kept beside it. Its HR user or an admin.
pub async fn override_score(
    service: &Service,
    principal: &Principal,
    answer_id: AnswerId,
    score: i32,
    reason: &str,
    ip: Option<&str>,
) -> ServiceResult<StoredAnswer> {
    let score = check_score(score)?;
    let reason = required_text(reason, "reason", 1000)?;
    if reason.chars().count() < 3 {
        return Err(ServiceError::bad_field("reason", "must say why, in at least 3 characters"));
    }
    let (principal, ip) = (*principal, ip.map(str::to_owned));
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let answer = store::find_answer(conn, answer_id).await?.ok_or(ServiceError::NotFound("answer"))?;
        let interview = staff_interview(conn, &principal, answer.interview_id).await?;
        if !matches!(interview.status, InterviewStatus::Completed | InterviewStatus::Evaluated) {
            return Err(ServiceError::Conflict(format!(
                "answers of an interview that is {} cannot be scored",
                interview.status
            )));
        }
        let scored = store::override_score(conn, answer.id, score, &reason, principal.user_id).await?;
        crate::analytics::record_human_score(conn, answer.id).await?;
        store::publish(conn, interview.id, InterviewEventKind::ScoreOverridden, answer.id).await?;
        audit::record(
            conn,
            Some(principal.user_id),
            AuditAction::ScoreOverridden,
            Some(interview.candidate_id),
            ip.as_deref(),
            serde_json::json!({ "interviewId": interview.id, "answerId": answer.id, "score": score }),
        )
        .await?;
        Ok(scored)
    })
    .await
}
