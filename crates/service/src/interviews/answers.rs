//! Taking an interview: starting it within its window, answering (each answer stored before the
//! call returns, idempotent by key) and completing it.

use chrono::Utc;
use diesel_async::AsyncConnection;
use sha2::{Digest, Sha256};
use viva_domain::interview::{InterviewEvent, InterviewStatus};
use viva_domain::vocab::{InterviewEventKind, MediaKind};
use viva_domain::{InterviewId, InterviewQuestionId};
use viva_store::AsyncPgConnection;
use viva_store::errors::unique_violation;
use viva_store::models::interview::{
    self as store, Answer as StoredAnswer, Interview as StoredInterview, NewAnswer,
};
use viva_store::models::media;
use viva_store::models::session::Principal;

use super::access::candidate_interview;
use super::schedule::MAX_QUESTIONS;
use super::spoken::{self, MediaUpload};
use crate::jobs::{check_answer_similarity, complete_interview, evaluate_answer, transcribe_answer};
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
    /// Its audio and recordings, if spoken or recorded (only through [`submit_answer`]).
    pub media: Vec<MediaUpload>,
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
/// is answered. The candidate. An answer with audio is transcribed before it is evaluated; its
/// files are in the object store before this returns, and a replay stores nothing again.
pub async fn submit_answer(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
    mut answer: AnswerRequest,
) -> ServiceResult<(StoredAnswer, StoredInterview)> {
    let principal = *principal;
    let prepared = spoken::prepare(&service.config.spoken, std::mem::take(&mut answer.media))?;
    let has_audio = prepared.iter().any(|f| f.kind == MediaKind::Audio);
    let checked = check_answer(&answer, has_audio)?;
    let hash = request_hash(&answer, checked.1, &prepared);
    let mut conn = service.pool.get().await?;
    // A replay stores no file: the files are put only when the key is new. (A twin racing past
    // this check is caught in the transaction, and its files deleted.)
    let files = if prepared.is_empty()
        || store::answer_by_key(&mut conn, id, checked.0).await?.is_some_and(|(_, stored)| stored == hash)
    {
        Vec::new()
    } else {
        spoken::put_all(service, prepared).await?
    };
    let files_ref = &files;
    let outcome = conn
        .transaction::<_, ServiceError, _>(async move |conn| {
            let interview = candidate_interview(conn, &principal, id).await?;
            let (answer, new) = store_answer(conn, &interview, &answer, &hash, files_ref).await?;
            let interview = complete_if_done(conn, interview).await?;
            Ok((answer, interview, new))
        })
        .await;
    match outcome {
        Ok((answer, interview, new)) => {
            if !new {
                spoken::delete_all(service, &files).await;
            }
            Ok((answer, interview))
        }
        Err(err) => {
            spoken::delete_all(service, &files).await;
            Err(err)
        }
    }
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
            if !answer.media.is_empty() {
                return Err(ServiceError::bad_field(
                    "answers",
                    "carry no files; send spoken answers one by one",
                ));
            }
            let (_, text) = check_answer(answer, false)?;
            let hash = request_hash(answer, text, &[]);
            store_answer(conn, &interview, answer, &hash, &[]).await?;
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

/// Checks an answer's key, text and duration; the text may be empty when the answer is spoken.
fn check_answer(input: &AnswerRequest, spoken: bool) -> ServiceResult<(&str, &str)> {
    let key = input.idempotency_key.trim();
    if !(8..=128).contains(&key.len())
        || !key.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c))
    {
        return Err(ServiceError::bad_field("idempotencyKey", "must be 8 to 128 letters, digits or -_:."));
    }
    let text = input.text.trim();
    if (text.is_empty() && !spoken) || text.chars().count() > MAX_ANSWER_CHARS {
        let message = if spoken {
            format!("must be at most {MAX_ANSWER_CHARS} characters")
        } else {
            format!("must be 1 to {MAX_ANSWER_CHARS} characters, or the answer spoken (audio)")
        };
        return Err(ServiceError::bad_field("text", message));
    }
    if input.duration_seconds.is_some_and(|d| !(0..=7200).contains(&d)) {
        return Err(ServiceError::bad_field("durationSeconds", "must be between 0 and 7200"));
    }
    Ok((key, text))
}

/// What identifies a submission for its idempotency key: the question, text, duration and the
/// digest of every file.
fn request_hash(input: &AnswerRequest, text: &str, files: &[spoken::PreparedFile]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(format!("{}\0{text}\0{:?}", input.question_id, input.duration_seconds));
    for file in files {
        hasher.update(format!("\0{}\0", file.kind));
        hasher.update(file.digest);
    }
    hasher.finalize().to_vec()
}

/// Stores one answer (or finds its replay) inside the caller's transaction; the interview must
/// be locked. Returns the answer and whether it is new.
async fn store_answer(
    conn: &mut AsyncPgConnection,
    interview: &StoredInterview,
    input: &AnswerRequest,
    hash: &[u8],
    files: &[spoken::StoredFile],
) -> ServiceResult<(StoredAnswer, bool)> {
    let key = input.idempotency_key.trim();
    let text = input.text.trim();
    let question = input.question_id;
    if let Some((existing, stored_hash)) = store::answer_by_key(conn, interview.id, key).await? {
        return if stored_hash == hash {
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
        request_hash: hash,
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
            .map(|(answer, _)| answer)
            .ok_or_else(|| ServiceError::internal("answer vanished"))?,
    };
    store::publish(conn, interview.id, InterviewEventKind::AnswerReceived, answer.id).await?;
    spoken::record(conn, answer.id, files).await?;
    if files.iter().any(|f| f.kind == MediaKind::Audio) {
        // Evaluation follows the transcript.
        media::create_pending(conn, answer.id).await?;
        transcribe_answer::enqueue(conn, answer.id).await?;
    } else {
        evaluate_answer::enqueue(conn, answer.id, None, None).await?;
        check_answer_similarity::enqueue(conn, answer.id).await?;
    }
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
            media: Vec::new(),
        }
    }

    #[test]
    fn answers_are_checked_field_by_field() {
        assert!(check_answer(&request("key-0001", "An answer.", Some(30)), false).is_ok());
        assert!(check_answer(&request("key-0001", "", None), true).is_ok(), "a spoken answer needs no text");
        let field = |r: AnswerRequest| match check_answer(&r, false) {
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
