//! Evaluations of answers and the follow-up questions they lead to.
//!
//! Evaluations are never overwritten: a new one retires the answer's current one in the same
//! transaction, and a partial unique index keeps at most one current per answer. Each row
//! names the job that wrote it, so a job delivered twice writes once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::{AnswerId, BackgroundJobId, EvaluationId, InterviewId, InterviewQuestionId, UserId};

use crate::QueryResult;
use crate::models::interview::{Answer, Interview, InterviewQuestion};
use crate::schema::{answers, evaluations, interview_questions, interviews};

/// A stored evaluation.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = evaluations)]
pub struct StoredEvaluation {
    /// Its id.
    pub id: EvaluationId,
    /// The answer evaluated.
    pub answer_id: AnswerId,
    /// The job that wrote it.
    pub job_id: BackgroundJobId,
    /// Whether it is the answer's current evaluation.
    pub current: bool,
    /// The provider.
    pub provider: String,
    /// The model or models.
    pub model: String,
    /// The rubric's version.
    pub rubric_version: String,
    /// The prompt's version, if a model wrote it.
    pub prompt_version: Option<String>,
    /// The overall score.
    pub overall_score: i32,
    /// The letter grade.
    pub grade: String,
    /// The whole evaluation, as `viva_domain::evaluation::Evaluation` JSON.
    pub body: serde_json::Value,
    /// Who asked for a re-evaluation; none for the automatic one.
    pub requested_by: Option<UserId>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// Prompt tokens spent, for model-written evaluations.
    pub input_tokens: Option<i32>,
    /// Reply tokens spent.
    pub output_tokens: Option<i32>,
    /// Milliseconds the writing provider took.
    pub latency_ms: Option<i32>,
    /// Providers passed over first, with why.
    pub fallback: Option<String>,
}

/// A new evaluation.
#[derive(Clone, Debug)]
pub struct NewEvaluation<'a> {
    /// The answer.
    pub answer_id: AnswerId,
    /// The job writing it.
    pub job_id: BackgroundJobId,
    /// The provider.
    pub provider: &'a str,
    /// The model.
    pub model: &'a str,
    /// The rubric's version.
    pub rubric_version: &'a str,
    /// The prompt's version.
    pub prompt_version: Option<&'a str>,
    /// The overall score.
    pub overall_score: i32,
    /// The grade.
    pub grade: &'a str,
    /// The evaluation.
    pub body: &'a serde_json::Value,
    /// Who asked.
    pub requested_by: Option<UserId>,
    /// Tokens, latency and fallback.
    pub trace: &'a viva_domain::evaluation::CallTrace,
}

/// Locks the answer and loads what evaluating it needs: the answer, its question and interview.
pub async fn answer_context(
    conn: &mut AsyncPgConnection,
    answer_id: AnswerId,
) -> QueryResult<Option<(Answer, InterviewQuestion, Interview)>> {
    context(conn, answer_id, true).await
}

/// The answer, its question and interview, without locking (for work done before a transaction).
pub async fn find_context(
    conn: &mut AsyncPgConnection,
    answer_id: AnswerId,
) -> QueryResult<Option<(Answer, InterviewQuestion, Interview)>> {
    context(conn, answer_id, false).await
}

async fn context(
    conn: &mut AsyncPgConnection,
    answer_id: AnswerId,
    lock: bool,
) -> QueryResult<Option<(Answer, InterviewQuestion, Interview)>> {
    let query = answers::table.find(answer_id).select(Answer::as_select());
    let answer = if lock {
        query.for_update().first(conn).await.optional()?
    } else {
        query.first(conn).await.optional()?
    };
    let Some(answer) = answer else { return Ok(None) };
    let question = interview_questions::table
        .find(answer.interview_question_id)
        .select(InterviewQuestion::as_select())
        .first(conn)
        .await?;
    let interview =
        interviews::table.find(answer.interview_id).select(Interview::as_select()).first(conn).await?;
    Ok(Some((answer, question, interview)))
}

/// Whether this job already wrote its evaluation.
pub async fn written_by_job(conn: &mut AsyncPgConnection, job_id: BackgroundJobId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(evaluations::table.filter(evaluations::job_id.eq(job_id))))
        .get_result(conn)
        .await
}

/// Whether the answer has a current evaluation.
pub async fn has_current(conn: &mut AsyncPgConnection, answer_id: AnswerId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        evaluations::table.filter(evaluations::answer_id.eq(answer_id)).filter(evaluations::current),
    ))
    .get_result(conn)
    .await
}

fn clamp(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Stores an evaluation as the answer's current one, retiring the previous.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewEvaluation<'_>) -> QueryResult<StoredEvaluation> {
    diesel::update(
        evaluations::table.filter(evaluations::answer_id.eq(new.answer_id)).filter(evaluations::current),
    )
    .set(evaluations::current.eq(false))
    .execute(conn)
    .await?;
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::id.eq(Uuid::now_v7()),
            evaluations::answer_id.eq(new.answer_id),
            evaluations::job_id.eq(new.job_id),
            evaluations::provider.eq(new.provider),
            evaluations::model.eq(new.model),
            evaluations::rubric_version.eq(new.rubric_version),
            evaluations::prompt_version.eq(new.prompt_version),
            evaluations::overall_score.eq(new.overall_score),
            evaluations::grade.eq(new.grade),
            evaluations::body.eq(new.body),
            evaluations::requested_by.eq(new.requested_by),
            evaluations::input_tokens.eq(new.trace.input_tokens.map(clamp)),
            evaluations::output_tokens.eq(new.trace.output_tokens.map(clamp)),
            evaluations::latency_ms.eq(new.trace.latency_ms.map(clamp)),
            evaluations::fallback.eq(new.trace.fallback.as_deref()),
        ))
        .returning(StoredEvaluation::as_returning())
        .get_result(conn)
        .await
}

/// The current evaluations of these answers.
pub async fn current_of(
    conn: &mut AsyncPgConnection,
    answer_ids: &[AnswerId],
) -> QueryResult<Vec<StoredEvaluation>> {
    evaluations::table
        .filter(evaluations::answer_id.eq_any(answer_ids))
        .filter(evaluations::current)
        .select(StoredEvaluation::as_select())
        .load(conn)
        .await
}

/// Every evaluation of an answer, newest first.
pub async fn history(
    conn: &mut AsyncPgConnection,
    answer_id: AnswerId,
) -> QueryResult<Vec<StoredEvaluation>> {
    evaluations::table
        .filter(evaluations::answer_id.eq(answer_id))
        .order((evaluations::created_at.desc(), evaluations::id.desc()))
        .select(StoredEvaluation::as_select())
        .load(conn)
        .await
}

/// Every evaluation of several answers, newest first within each.
pub async fn histories(
    conn: &mut AsyncPgConnection,
    answer_ids: &[AnswerId],
) -> QueryResult<Vec<StoredEvaluation>> {
    evaluations::table
        .filter(evaluations::answer_id.eq_any(answer_ids))
        .order((evaluations::created_at.desc(), evaluations::id.desc()))
        .select(StoredEvaluation::as_select())
        .load(conn)
        .await
}

/// Answers of the interview still without a current evaluation.
pub async fn unevaluated_count(conn: &mut AsyncPgConnection, interview_id: InterviewId) -> QueryResult<i64> {
    answers::table
        .filter(answers::interview_id.eq(interview_id))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            evaluations::table.filter(evaluations::answer_id.eq(answers::id)).filter(evaluations::current),
        )))
        .count()
        .get_result(conn)
        .await
}

/// Evaluations written, for operators.
pub async fn count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    evaluations::table.count().get_result(conn).await
}

/// Whether a question already has its follow-up.
pub async fn has_follow_up(
    conn: &mut AsyncPgConnection,
    question_id: InterviewQuestionId,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        interview_questions::table.filter(interview_questions::follow_up_of.eq(question_id)),
    ))
    .get_result(conn)
    .await
}

/// Inserts a follow-up right after `parent`, moving later questions down one place. Call with
/// the interview locked.
pub async fn insert_follow_up(
    conn: &mut AsyncPgConnection,
    parent: &InterviewQuestion,
    text: &str,
    reason: &str,
) -> QueryResult<InterviewQuestion> {
    diesel::sql_query("SET CONSTRAINTS interview_questions_position_key DEFERRED").execute(conn).await?;
    diesel::update(
        interview_questions::table
            .filter(interview_questions::interview_id.eq(parent.interview_id))
            .filter(interview_questions::position.gt(parent.position)),
    )
    .set(interview_questions::position.eq(interview_questions::position + 1))
    .execute(conn)
    .await?;
    diesel::insert_into(interview_questions::table)
        .values((
            interview_questions::id.eq(Uuid::now_v7()),
            interview_questions::interview_id.eq(parent.interview_id),
            interview_questions::position.eq(parent.position + 1),
            interview_questions::question_id.eq(None::<Uuid>),
            interview_questions::kind.eq(parent.kind.as_str()),
            interview_questions::text.eq(text),
            interview_questions::expected_keywords.eq(&parent.expected_keywords),
            interview_questions::ideal_answer.eq(&parent.ideal_answer),
            interview_questions::time_limit_seconds.eq(parent.time_limit_seconds),
            interview_questions::follow_up_of.eq(Some(parent.id)),
            interview_questions::follow_up_reason.eq(Some(reason)),
        ))
        .returning(InterviewQuestion::as_returning())
        .get_result(conn)
        .await
}
