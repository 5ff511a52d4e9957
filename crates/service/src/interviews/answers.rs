//! Taking an interview: starting it within its window, answering (each answer stored before the
//! call returns, idempotent by key) and completing it.

use chrono::Utc;
use diesel_async::AsyncConnection;
use sha2::{Digest, Sha256};
use viva_domain::interview::{InterviewEvent, InterviewStatus};
use viva_domain::vocab::InterviewEventKind;
use viva_domain::{InterviewId, InterviewQuestionId};
use viva_store::AsyncPgConnection;
use viva_store::errors::unique_violation;
use viva_store::models::interview::{
    self as store, Answer as StoredAnswer, Interview as StoredInterview, NewAnswer,
};
use viva_store::models::session::Principal;

use super::access::candidate_interview;
use super::schedule::MAX_QUESTIONS;
use crate::jobs::{check_answer_similarity, complete_interview, evaluate_answer};
use crate::{Service, ServiceError, ServiceResult};

/// Longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 20_000;

/// One answer to store.
#[derive(Clone, Debug)]
pub struct AnswerRequest {
    /// The interview question answered.
    pub question_id: InterviewQuestionId,
    /// The answer.
    pub text: String,
    /// Seconds taken, 0 to 7200.
    pub duration_seconds: Option<i32>,
    /// A key unique to this answer; sending it again returns the stored answer.
    pub idempotency_key: String,
}

/// The next state of an interview after `event`, or `CONFLICT`.
pub(crate) fn transition(
    interview: &StoredInterview,
    event: InterviewEvent,
) -> ServiceResult<InterviewStatus> {
    interview.status.apply(event).map_err(|e| ServiceError::Conflict(e.to_string()))
}

/// Starts a scheduled interview within its window. The candidate.
pub async fn start(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
) -> ServiceResult<StoredInterview> {
    let principal = *principal;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let interview = candidate_interview(conn, &principal, id).await?;
        let status = transition(&interview, InterviewEvent::Start)?;
        let now = Utc::now();
        if now < interview.window_start {
            return Err(ServiceError::Conflict(format!(
                "the interview opens at {}",
                interview.window_start.to_rfc3339()
            )));
        }
        if now > interview.window_end {
            return Err(ServiceError::Conflict("the interview's window has passed".into()));
        }
        let started = store::set_status(conn, id, status, None).await?;
        store::publish(conn, id, InterviewEventKind::InterviewStarted, id).await?;
        Ok(started)
    })
    .await
}

/// Stores one answer (or returns its replay); the interview completes when its last question
/// is answered. The candidate.
pub async fn submit_answer(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
    answer: AnswerRequest,
) -> ServiceResult<(StoredAnswer, StoredInterview)> {
    let principal = *principal;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let interview = candidate_interview(conn, &principal, id).await?;
        let (answer, _) = store_answer(conn, &interview, &answer).await?;
        let interview = complete_if_done(conn, interview).await?;
        Ok((answer, interview))
    })
    .await
}

/// Stores every answer at once and completes the interview; all are stored or none.
pub async fn submit_all(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
    answers: Vec<AnswerRequest>,
) -> ServiceResult<StoredInterview> {
    if answers.is_empty() || answers.len() > MAX_QUESTIONS as usize {
        return Err(ServiceError::bad_field("answers", format!("must hold 1 to {MAX_QUESTIONS} answers")));
    }
    let principal = *principal;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let interview = candidate_interview(conn, &principal, id).await?;
        for answer in &answers {
            store_answer(conn, &interview, answer).await?;
        }
        if interview.status == InterviewStatus::InProgress {
            complete(conn, &interview).await
        } else {
            Ok(interview)
        }
    })
    .await
}

/// Ends an interview early, with the answers given so far. The candidate.
pub async fn end(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
) -> ServiceResult<StoredInterview> {
    let principal = *principal;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let interview = candidate_interview(conn, &principal, id).await?;
        complete(conn, &interview).await
    })
    .await
}

/// Checks an answer's key, text and duration.
fn check_answer(input: &AnswerRequest) -> ServiceResult<(&str, &str)> {
    let key = input.idempotency_key.trim();
    if !(8..=128).contains(&key.len())
        || !key.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c))
    {
        return Err(ServiceError::bad_field("idempotencyKey", "must be 8 to 128 letters, digits or -_:."));
    }
    let text = input.text.trim();
    if text.is_empty() || text.chars().count() > MAX_ANSWER_CHARS {
        return Err(ServiceError::bad_field("text", format!("must be 1 to {MAX_ANSWER_CHARS} characters")));
    }
    if input.duration_seconds.is_some_and(|d| !(0..=7200).contains(&d)) {
        return Err(ServiceError::bad_field("durationSeconds", "must be between 0 and 7200"));
    }
    Ok((key, text))
}

/// Stores one answer (or finds its replay) inside the caller's transaction; the interview must
/// be locked. Returns the answer and whether it is new.
async fn store_answer(
    conn: &mut AsyncPgConnection,
    interview: &StoredInterview,
    input: &AnswerRequest,
) -> ServiceResult<(StoredAnswer, bool)> {
    let (key, text) = check_answer(input)?;
    let question = input.question_id;
    let hash: Vec<u8> = Sha256::digest(format!("{question}\0{text}\0{:?}", input.duration_seconds)).to_vec();
    if let Some(existing) = store::answer_by_key(conn, interview.id, key).await? {
        return if existing.request_hash == hash {
            Ok((existing, false))
        } else {
            Err(ServiceError::Conflict("this idempotency key was already used for a different answer".into()))
        };
    }
    if interview.status != InterviewStatus::InProgress {
        return Err(ServiceError::Conflict(format!(
            "an interview that is {} takes no answers",
            interview.status
        )));
    }
    let questions = store::questions_of(conn, &[interview.id]).await?;
    if !questions.iter().any(|q| q.id == question) {
        return Err(ServiceError::bad_field("questionId", "is not a question of this interview"));
    }
    let new = NewAnswer {
        interview_id: interview.id,
        interview_question_id: question,
        text,
        duration_seconds: input.duration_seconds,
        idempotency_key: key,
        request_hash: &hash,
    };
    let stored = store::insert_answer(conn, &new).await.map_err(|err| {
        if unique_violation(&err).is_some() {
            ServiceError::Conflict("this question is already answered".into())
        } else {
            err.into()
        }
    })?;
    let answer = match stored {
        Some(answer) => answer,
        // The interview row is locked, so a racing twin cannot be mid-insert; this is defensive.
        None => store::answer_by_key(conn, interview.id, key)
            .await?
            .ok_or_else(|| ServiceError::internal("answer vanished"))?,
    };
    store::publish(conn, interview.id, InterviewEventKind::AnswerReceived, answer.id).await?;
    evaluate_answer::enqueue(conn, answer.id, None, None).await?;
    check_answer_similarity::enqueue(conn, answer.id).await?;
    Ok((answer, true))
}

/// Completes the interview if every question is answered.
async fn complete_if_done(
    conn: &mut AsyncPgConnection,
    interview: StoredInterview,
) -> ServiceResult<StoredInterview> {
    let (answered, total) = store::progress(conn, interview.id).await?;
    if interview.status == InterviewStatus::InProgress && answered >= total {
        return complete(conn, &interview).await;
    }
    Ok(interview)
}

async fn complete(
    conn: &mut AsyncPgConnection,
    interview: &StoredInterview,
) -> ServiceResult<StoredInterview> {
    let status = transition(interview, InterviewEvent::Complete)?;
    let done = store::set_status(conn, interview.id, status, None).await?;
    store::publish(conn, interview.id, InterviewEventKind::InterviewCompleted, interview.id).await?;
    // Usually the last evaluation triggers the result; this covers answers evaluated already.
    complete_interview::enqueue(conn, interview.id).await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(key: &str, text: &str, duration: Option<i32>) -> AnswerRequest {
        AnswerRequest {
            question_id: InterviewQuestionId::new(),
            text: text.to_owned(),
            duration_seconds: duration,
            idempotency_key: key.to_owned(),
        }
    }

    #[test]
    fn answers_are_checked_field_by_field() {
        assert!(check_answer(&request("key-0001", "An answer.", Some(30))).is_ok());
        let field = |r: AnswerRequest| match check_answer(&r) {
            Err(ServiceError::BadInput(fields)) => fields[0].field,
            other => panic!("expected bad input, got {other:?}"),
        };
        assert_eq!(field(request("short", "An answer.", None)), "idempotencyKey");
        assert_eq!(field(request("key with spaces", "An answer.", None)), "idempotencyKey");
        assert_eq!(field(request("key-0001", "   ", None)), "text");
        assert_eq!(field(request("key-0001", &"x".repeat(MAX_ANSWER_CHARS + 1), None)), "text");
        assert_eq!(field(request("key-0001", "An answer.", Some(7201))), "durationSeconds");
    }
}
