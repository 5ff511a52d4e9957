//! Job roles and the question bank.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::interview::{Difficulty, QuestionKind};
use viva_domain::question_bank::RoleBank;
use viva_domain::{QuestionId, UserId};

use crate::QueryResult;
use crate::models::TimeCursor;
use crate::schema::{job_roles, questions};

/// A job role.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = job_roles)]
pub struct JobRole {
    /// Its slug, such as `backend-engineer`.
    pub slug: String,
    /// Its title.
    pub title: String,
}

/// A question.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = questions)]
pub struct Question {
    /// Its id.
    pub id: QuestionId,
    /// The bank's id for shipped questions.
    pub bank_id: Option<String>,
    /// Its role.
    pub role_slug: String,
    /// What it tests.
    #[diesel(deserialize_as = String)]
    pub kind: QuestionKind,
    /// How hard it is.
    #[diesel(deserialize_as = String)]
    pub difficulty: Difficulty,
    /// The question.
    pub text: String,
    /// Phrases a strong answer contains.
    pub expected_keywords: Vec<String>,
    /// A model answer.
    pub ideal_answer: String,
    /// Seconds allowed.
    pub time_limit_seconds: i32,
    /// Who added it (null for shipped ones).
    pub created_by: Option<UserId>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// A question to add or the new state of one to change.
#[derive(Clone, Debug)]
pub struct QuestionFields {
    /// Its role.
    pub role_slug: String,
    /// What it tests.
    pub kind: QuestionKind,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// The question.
    pub text: String,
    /// Phrases a strong answer contains.
    pub expected_keywords: Vec<String>,
    /// A model answer.
    pub ideal_answer: String,
    /// Seconds allowed.
    pub time_limit_seconds: i32,
}

/// Which questions to list.
#[derive(Clone, Debug, Default)]
pub struct QuestionFilter {
    /// Only this role.
    pub role_slug: Option<String>,
    /// Only this kind.
    pub kind: Option<QuestionKind>,
    /// Only this difficulty.
    pub difficulty: Option<Difficulty>,
    /// Only shipped (true) or added (false) questions.
    pub shipped: Option<bool>,
}

/// Loads a role's bank: the role and its questions are inserted or, when they exist (by bank
/// id), updated. Returns how many questions were written. Safe to run again.
pub async fn upsert_bank(conn: &mut AsyncPgConnection, bank: &RoleBank) -> QueryResult<usize> {
    diesel::insert_into(job_roles::table)
        .values((job_roles::slug.eq(&bank.role), job_roles::title.eq(&bank.title)))
        .on_conflict(job_roles::slug)
        .do_update()
        .set(job_roles::title.eq(excluded(job_roles::title)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = bank
        .questions
        .iter()
        .map(|q| {
            (
                questions::id.eq(Uuid::now_v7()),
                questions::bank_id.eq(Some(q.id.clone())),
                questions::role_slug.eq(&bank.role),
                questions::kind.eq(q.kind.as_str()),
                questions::difficulty.eq(q.difficulty.as_str()),
                questions::text.eq(q.text.trim()),
                questions::expected_keywords.eq(&q.expected_keywords),
                questions::ideal_answer.eq(q.ideal_answer.trim()),
                questions::time_limit_seconds.eq(q.time_limit_seconds),
            )
        })
        .collect();
    diesel::insert_into(questions::table)
        .values(rows)
        .on_conflict(questions::bank_id)
        .do_update()
        .set((
            questions::kind.eq(excluded(questions::kind)),
            questions::difficulty.eq(excluded(questions::difficulty)),
            questions::text.eq(excluded(questions::text)),
            questions::expected_keywords.eq(excluded(questions::expected_keywords)),
            questions::ideal_answer.eq(excluded(questions::ideal_answer)),
            questions::time_limit_seconds.eq(excluded(questions::time_limit_seconds)),
            questions::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}

/// Every job role, by title.
pub async fn roles(conn: &mut AsyncPgConnection) -> QueryResult<Vec<JobRole>> {
    job_roles::table.order(job_roles::title.asc()).select(JobRole::as_select()).load(conn).await
}

/// Whether a role exists.
pub async fn role_exists(conn: &mut AsyncPgConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(job_roles::table.find(slug))).get_result(conn).await
}

/// Adds a question.
pub async fn create(
    conn: &mut AsyncPgConnection,
    fields: &QuestionFields,
    by: UserId,
) -> QueryResult<Question> {
    diesel::insert_into(questions::table)
        .values((
            questions::id.eq(Uuid::now_v7()),
            questions::role_slug.eq(&fields.role_slug),
            questions::kind.eq(fields.kind.as_str()),
            questions::difficulty.eq(fields.difficulty.as_str()),
            questions::text.eq(&fields.text),
            questions::expected_keywords.eq(&fields.expected_keywords),
            questions::ideal_answer.eq(&fields.ideal_answer),
            questions::time_limit_seconds.eq(fields.time_limit_seconds),
            questions::created_by.eq(by.0),
        ))
        .returning(Question::as_returning())
        .get_result(conn)
        .await
}

/// Replaces a question's fields.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    fields: &QuestionFields,
) -> QueryResult<Question> {
    diesel::update(questions::table.find(id))
        .set((
            questions::role_slug.eq(&fields.role_slug),
            questions::kind.eq(fields.kind.as_str()),
            questions::difficulty.eq(fields.difficulty.as_str()),
            questions::text.eq(&fields.text),
            questions::expected_keywords.eq(&fields.expected_keywords),
            questions::ideal_answer.eq(&fields.ideal_answer),
            questions::time_limit_seconds.eq(fields.time_limit_seconds),
            questions::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Question::as_returning())
        .get_result(conn)
        .await
}

/// The question with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: QuestionId) -> QueryResult<Option<Question>> {
    questions::table.find(id).select(Question::as_select()).first(conn).await.optional()
}

/// The questions with these ids.
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[QuestionId]) -> QueryResult<Vec<Question>> {
    questions::table.filter(questions::id.eq_any(ids)).select(Question::as_select()).load(conn).await
}

/// Questions matching the filter, newest first, after the cursor.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &QuestionFilter,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<Question>> {
    let mut query = questions::table.select(Question::as_select()).into_boxed();
    if let Some(role) = &filter.role_slug {
        query = query.filter(questions::role_slug.eq(role.clone()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(questions::kind.eq(kind.as_str()));
    }
    if let Some(difficulty) = filter.difficulty {
        query = query.filter(questions::difficulty.eq(difficulty.as_str()));
    }
    match filter.shipped {
        Some(true) => query = query.filter(questions::bank_id.is_not_null()),
        Some(false) => query = query.filter(questions::bank_id.is_null()),
        None => {}
    }
    if let Some(c) = after {
        query = query.filter(
            questions::created_at.lt(c.at).or(questions::created_at.eq(c.at).and(questions::id.lt(c.id))),
        );
    }
    crate::limit::limited(query.order((questions::created_at.desc(), questions::id.desc())), limit)
        .load(conn)
        .await
}

/// Candidate questions for an interview: a role's questions of a difficulty, in random order.
pub async fn pool_for(
    conn: &mut AsyncPgConnection,
    role_slug: &str,
    difficulty: Difficulty,
    exclude: &[QuestionId],
    practice: bool,
) -> QueryResult<Vec<Question>> {
    let mut query = questions::table
        .filter(questions::role_slug.eq(role_slug))
        .filter(questions::difficulty.eq(difficulty.as_str()))
        .filter(diesel::dsl::not(questions::id.eq_any(exclude)))
        .into_boxed();
    if practice {
        // Practice draws on the shipped bank only: questions HR users wrote for their
        // assessments never appear in it.
        query = query.filter(questions::created_by.is_null());
    }
    query
        .order(diesel::dsl::sql::<diesel::sql_types::Double>("random()"))
        .select(Question::as_select())
        .load(conn)
        .await
}
