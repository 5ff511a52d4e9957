//! Batch reads by id for the API's per-request loaders, and the readiness probe's query.
//!
//! The loaders resolve nested fields (a person's summary, an interview's questions and answers,
//! a candidate's latest interview) in one query per kind. These reads check no access: the API
//! calls them only under parents whose access it has already checked, and shows of a person
//! only their public summary.

use viva_domain::{InterviewId, InterviewQuestionId, UserId};
use viva_store::models::interview::{self, Answer, AnswerKey, Interview, QuestionOutline};
use viva_store::models::user::{self, Person};

use crate::{Service, ServiceResult};

/// The people with these ids, as anyone who deals with them may see them.
pub async fn people_by_ids(service: &Service, ids: &[UserId]) -> ServiceResult<Vec<Person>> {
    let mut conn = service.pool.get().await?;
    Ok(user::people(&mut conn, ids).await?)
}

/// The interviews with these ids.
pub async fn interviews_by_ids(service: &Service, ids: &[InterviewId]) -> ServiceResult<Vec<Interview>> {
    let mut conn = service.pool.get().await?;
    Ok(interview::find_many(&mut conn, ids).await?)
}

/// The questions of these interviews without their answer keys, each interview's in order.
pub async fn interview_questions_of(
    service: &Service,
    interview_ids: &[InterviewId],
) -> ServiceResult<Vec<QuestionOutline>> {
    let mut conn = service.pool.get().await?;
    Ok(interview::outlines_of(&mut conn, interview_ids).await?)
}

/// The answer keys of these interview questions. Whether the caller may see them is the
/// API's to decide, question by question.
pub async fn answer_keys_of(service: &Service, ids: &[InterviewQuestionId]) -> ServiceResult<Vec<AnswerKey>> {
    let mut conn = service.pool.get().await?;
    Ok(interview::answer_keys_of(&mut conn, ids).await?)
}

/// The answers of these interviews, each interview's oldest first.
pub async fn answers_of(service: &Service, interview_ids: &[InterviewId]) -> ServiceResult<Vec<Answer>> {
    let mut conn = service.pool.get().await?;
    Ok(interview::answers_of(&mut conn, interview_ids).await?)
}

/// The newest scheduled (not practice) interview of each of these candidates that has one.
pub async fn latest_scheduled_of(
    service: &Service,
    candidate_ids: &[UserId],
) -> ServiceResult<Vec<Interview>> {
    let mut conn = service.pool.get().await?;
    Ok(interview::latest_scheduled_of(&mut conn, candidate_ids).await?)
}

/// Whether the database answers: takes a connection from the pool and runs one trivial query.
pub async fn database_ready(service: &Service) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    Ok(viva_store::pool::ping(&mut conn).await?)
}
