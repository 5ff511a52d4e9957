//! The question bank and job roles (SPEC INT-1): listing the roles and questions, and the
//! questions HR users and admins add or change, with what such a question may contain
//! ([`QuestionDraft`]).
//!
//! Admins change any question; HR users the ones they added. Interviews already scheduled keep
//! the wording they were given (they copy their questions).

use viva_domain::error::FieldError;
use viva_domain::interview::{Difficulty, QuestionKind};
use viva_domain::profile::required_text;
use viva_domain::{QuestionId, Role};
use viva_store::AsyncPgConnection;
use viva_store::models::TimeCursor;
use viva_store::models::question::{self, JobRole, Question, QuestionFields, QuestionFilter};
use viva_store::models::session::Principal;

use crate::{Service, ServiceError, ServiceResult};

/// Shortest question, in characters.
const MIN_TEXT_CHARS: usize = 10;

/// Longest expected keyword, in bytes.
const MAX_KEYWORD_LEN: usize = 60;

/// A question's content as given, before it is checked.
#[derive(Clone, Debug)]
pub struct QuestionDraft {
    /// The job role (slug).
    pub role: String,
    /// What it tests.
    pub kind: QuestionKind,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// The question, 10 to 2000 characters.
    pub text: String,
    /// 3 to 10 phrases a strong answer contains.
    pub expected_keywords: Vec<String>,
    /// A model answer, up to 10000 characters.
    pub ideal_answer: String,
    /// Seconds allowed, 30 to 1800.
    pub time_limit_seconds: i32,
}

/// Checks a draft, reporting every field at fault at once. Keywords are trimmed and lowercased;
/// empty and overlong ones are dropped before counting.
async fn checked(conn: &mut AsyncPgConnection, draft: QuestionDraft) -> ServiceResult<QuestionFields> {
    let mut errors = Vec::new();
    if !question::role_exists(conn, &draft.role).await? {
        errors.push(FieldError::new("role", "is not a known job role"));
    }
    let text = required_text(&draft.text, "text", 2000).map_err(|e| errors.push(e)).ok();
    if text.as_ref().is_some_and(|t| t.chars().count() < MIN_TEXT_CHARS) {
        errors.push(FieldError::new("text", "must be at least 10 characters"));
    }
    let ideal = required_text(&draft.ideal_answer, "idealAnswer", 10000).map_err(|e| errors.push(e)).ok();
    let keywords: Vec<String> = draft
        .expected_keywords
        .iter()
        .map(|k| k.trim().to_lowercase())
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEYWORD_LEN)
        .collect();
    if !(3..=10).contains(&keywords.len()) {
        errors.push(FieldError::new("expectedKeywords", "must list 3 to 10 phrases of up to 60 characters"));
    }
    if !viva_domain::question_bank::TIME_LIMIT_RANGE.contains(&draft.time_limit_seconds) {
        errors.push(FieldError::new("timeLimitSeconds", "must be 30 to 1800"));
    }
    match (text, ideal, errors.is_empty()) {
        (Some(text), Some(ideal_answer), true) => Ok(QuestionFields {
            role_slug: draft.role,
            kind: draft.kind,
            difficulty: draft.difficulty,
            text,
            expected_keywords: keywords,
            ideal_answer,
            time_limit_seconds: draft.time_limit_seconds,
        }),
        _ => Err(ServiceError::BadInput(errors)),
    }
}

/// The job roles interviews and practice are offered for, by title.
pub async fn roles(service: &Service) -> ServiceResult<Vec<JobRole>> {
    let mut conn = service.pool.get().await?;
    Ok(question::roles(&mut conn).await?)
}

/// Questions matching the filter, newest first, after the cursor and at most `limit` of them.
/// They include the model answers: for HR users and admins only.
pub async fn list(
    service: &Service,
    filter: &QuestionFilter,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<Question>> {
    let mut conn = service.pool.get().await?;
    Ok(question::list(&mut conn, filter, after, limit).await?)
}

/// Adds a question to the bank, as added by the caller.
pub async fn create(
    service: &Service,
    principal: &Principal,
    draft: QuestionDraft,
) -> ServiceResult<Question> {
    let mut conn = service.pool.get().await?;
    let fields = checked(&mut conn, draft).await?;
    Ok(question::create(&mut conn, &fields, principal.user_id).await?)
}

/// Changes a question: an admin any, an HR user the ones they added (`FORBIDDEN` otherwise).
pub async fn update(
    service: &Service,
    principal: &Principal,
    id: QuestionId,
    draft: QuestionDraft,
) -> ServiceResult<Question> {
    let mut conn = service.pool.get().await?;
    let existing = question::find(&mut conn, id).await?.ok_or(ServiceError::NotFound("question"))?;
    if principal.role != Role::Admin && existing.created_by != Some(principal.user_id) {
        return Err(ServiceError::Forbidden("HR users change only the questions they added"));
    }
    let fields = checked(&mut conn, draft).await?;
    Ok(question::update(&mut conn, id, &fields).await?)
}
