//! Interviews, their questions and answers.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::interview::{Difficulty, InterviewStatus, QuestionKind};
use viva_domain::{AnswerId, InterviewId, InterviewQuestionId, JobId, QuestionId, UserId};

use crate::QueryResult;
use crate::events::{self, Event};
use crate::models::TimeCursor;
use crate::models::question::Question;
use crate::models::user::Person;
use crate::schema::{answers, interview_questions, interviews, users};

/// An interview.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = interviews)]
pub struct Interview {
    /// Its id.
    pub id: InterviewId,
    /// The candidate.
    #[diesel(deserialize_as = Uuid)]
    pub candidate_id: UserId,
    /// The responsible HR user (scheduled interviews).
    pub hr_id: Option<UserId>,
    /// Who scheduled it.
    pub scheduled_by: Option<UserId>,
    /// The job it is for.
    pub job_id: Option<JobId>,
    /// The job role.
    pub role_slug: String,
    /// Difficulty.
    #[diesel(deserialize_as = String)]
    pub difficulty: Difficulty,
    /// Whether the candidate started it to practise.
    pub practice: bool,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub status: InterviewStatus,
    /// Where its questions came from.
    pub question_source: String,
    /// Earliest start.
    pub window_start: DateTime<Utc>,
    /// Latest start.
    pub window_end: DateTime<Utc>,
    /// When it was started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The overall score of the result.
    pub overall_score: Option<i32>,
    /// The grade of the result.
    pub grade: Option<String>,
    /// The result's feedback.
    pub feedback: Option<String>,
    /// The result's recommendations.
    pub recommendations: Vec<String>,
    /// Who recorded the result.
    pub result_by: Option<UserId>,
    /// When the result was recorded.
    pub result_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl Interview {
    /// Whether `user` may see it: its candidate, its HR user, or (checked by callers) an admin.
    pub fn involves(&self, user: UserId) -> bool {
        self.candidate_id == user || self.hr_id == Some(user)
    }
}

/// A question as asked in one interview.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = interview_questions)]
pub struct InterviewQuestion {
    /// Its id (answers refer to it).
    pub id: InterviewQuestionId,
    /// The interview.
    pub interview_id: InterviewId,
    /// Its order, from 1.
    pub position: i32,
    /// The bank question it was copied from.
    pub question_id: Option<QuestionId>,
    /// What it tests.
    #[diesel(deserialize_as = String)]
    pub kind: QuestionKind,
    /// The question.
    pub text: String,
    /// Phrases a strong answer contains.
    pub expected_keywords: Vec<String>,
    /// A model answer.
    pub ideal_answer: String,
    /// Seconds allowed.
    pub time_limit_seconds: i32,
    /// The question this one follows up on (INT-6); none for planned questions.
    pub follow_up_of: Option<InterviewQuestionId>,
    /// Why the follow-up was asked.
    pub follow_up_reason: Option<String>,
}

/// An interview question without its answer key: what pages of interviews show. The key (a
/// long model answer and the keywords) is most of a question's bytes, and is read only when
/// someone asks for it ([`AnswerKey`]).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = interview_questions)]
pub struct QuestionOutline {
    /// Its id (answers refer to it).
    pub id: InterviewQuestionId,
    /// The interview.
    pub interview_id: InterviewId,
    /// Its order, from 1.
    pub position: i32,
    /// The bank question it was copied from.
    pub question_id: Option<QuestionId>,
    /// What it tests.
    #[diesel(deserialize_as = String)]
    pub kind: QuestionKind,
    /// The question.
    pub text: String,
    /// Seconds allowed.
    pub time_limit_seconds: i32,
    /// The question this one follows up on (INT-6); none for planned questions.
    pub follow_up_of: Option<InterviewQuestionId>,
    /// Why the follow-up was asked.
    pub follow_up_reason: Option<String>,
}

/// What a strong answer to an interview question holds: the key the evaluator scores against.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = interview_questions)]
pub struct AnswerKey {
    /// The interview question.
    pub id: InterviewQuestionId,
    /// Phrases a strong answer contains.
    pub expected_keywords: Vec<String>,
    /// A model answer.
    pub ideal_answer: String,
}

impl InterviewQuestion {
    /// The question's outline and its answer key.
    pub fn into_parts(self) -> (QuestionOutline, AnswerKey) {
        let outline = QuestionOutline {
            id: self.id,
            interview_id: self.interview_id,
            position: self.position,
            question_id: self.question_id,
            kind: self.kind,
            text: self.text,
            time_limit_seconds: self.time_limit_seconds,
            follow_up_of: self.follow_up_of,
            follow_up_reason: self.follow_up_reason,
        };
        (
            outline,
            AnswerKey {
                id: self.id,
                expected_keywords: self.expected_keywords,
                ideal_answer: self.ideal_answer,
            },
        )
    }
}

/// An answer.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = answers)]
pub struct Answer {
    /// Its id.
    pub id: AnswerId,
    /// The interview.
    pub interview_id: InterviewId,
    /// The question answered.
    pub interview_question_id: InterviewQuestionId,
    /// The text.
    pub text: String,
    /// Seconds the candidate took.
    pub duration_seconds: Option<i32>,
    /// When it arrived.
    pub submitted_at: DateTime<Utc>,
    /// A person's score, overriding the AI's for the result.
    pub human_score: Option<i32>,
    /// Why the person scored it so.
    pub human_score_reason: Option<String>,
    /// Who scored it.
    pub human_scored_by: Option<UserId>,
    /// When.
    pub human_scored_at: Option<DateTime<Utc>>,
}

/// A new interview.
#[derive(Clone, Debug)]
pub struct NewInterview {
    /// The candidate.
    pub candidate_id: UserId,
    /// The responsible HR user.
    pub hr_id: Option<UserId>,
    /// Who scheduled it.
    pub scheduled_by: Option<UserId>,
    /// The job.
    pub job_id: Option<JobId>,
    /// The role.
    pub role_slug: String,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// Practice or scheduled.
    pub practice: bool,
    /// Its first status.
    pub status: InterviewStatus,
    /// Where its questions came from.
    pub question_source: &'static str,
    /// Earliest start.
    pub window_start: DateTime<Utc>,
    /// Latest start.
    pub window_end: DateTime<Utc>,
}

/// Who sees which interviews.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// Everyone's (admins).
    All,
    /// One candidate's.
    Candidate(UserId),
    /// What one HR user may see: the scheduled interviews of the candidates assigned to them,
    /// while they are mapped to an admin.
    Hr(UserId),
}

/// Which interviews to list.
#[derive(Clone, Debug, Default)]
pub struct InterviewFilter {
    /// Only in these states.
    pub statuses: Vec<InterviewStatus>,
    /// Only practice (true) or scheduled (false) ones.
    pub practice: Option<bool>,
    /// Only this candidate's.
    pub candidate_id: Option<UserId>,
}

/// Publishes an interview event; call inside the transaction of the change.
pub async fn publish(
    conn: &mut AsyncPgConnection,
    interview: InterviewId,
    kind: viva_domain::vocab::InterviewEventKind,
    id: impl Into<Uuid>,
) -> QueryResult<()> {
    events::publish(conn, &Event::interview(interview, kind, id.into())).await
}

/// A question as an interview asks it: a copy of a bank question, or one written for this
/// interview (no bank question).
#[derive(Clone, Copy, Debug)]
pub struct QuestionSpec<'a> {
    /// The bank question it copies, if any.
    pub question_id: Option<QuestionId>,
    /// What it tests.
    pub kind: QuestionKind,
    /// The question.
    pub text: &'a str,
    /// Phrases a strong answer contains.
    pub expected_keywords: &'a [String],
    /// A model answer.
    pub ideal_answer: &'a str,
    /// Seconds allowed.
    pub time_limit_seconds: i32,
}

impl<'a> From<&'a Question> for QuestionSpec<'a> {
    fn from(q: &'a Question) -> Self {
        Self {
            question_id: Some(q.id),
            kind: q.kind,
            text: &q.text,
            expected_keywords: &q.expected_keywords,
            ideal_answer: &q.ideal_answer,
            time_limit_seconds: q.time_limit_seconds,
        }
    }
}

/// Creates an interview with its questions, in the given order.
pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewInterview,
    questions: &[QuestionSpec<'_>],
) -> QueryResult<Interview> {
    let started_at = (new.status == InterviewStatus::InProgress).then(Utc::now);
    let interview: Interview = diesel::insert_into(interviews::table)
        .values((
            interviews::id.eq(Uuid::now_v7()),
            interviews::candidate_id.eq(new.candidate_id.0),
            interviews::hr_id.eq(new.hr_id.map(|u| u.0)),
            interviews::scheduled_by.eq(new.scheduled_by.map(|u| u.0)),
            interviews::job_id.eq(new.job_id),
            interviews::role_slug.eq(&new.role_slug),
            interviews::difficulty.eq(new.difficulty.as_str()),
            interviews::practice.eq(new.practice),
            interviews::status.eq(new.status.as_str()),
            interviews::question_source.eq(new.question_source),
            interviews::window_start.eq(new.window_start),
            interviews::window_end.eq(new.window_end),
            interviews::started_at.eq(started_at),
        ))
        .returning(Interview::as_returning())
        .get_result(conn)
        .await?;
    let rows: Vec<_> = questions
        .iter()
        .zip(1..)
        .map(|(q, position): (&QuestionSpec<'_>, i32)| {
            (
                interview_questions::id.eq(Uuid::now_v7()),
                interview_questions::interview_id.eq(interview.id),
                interview_questions::position.eq(position),
                interview_questions::question_id.eq(q.question_id),
                interview_questions::kind.eq(q.kind.as_str()),
                interview_questions::text.eq(q.text),
                interview_questions::expected_keywords.eq(q.expected_keywords),
                interview_questions::ideal_answer.eq(q.ideal_answer),
                interview_questions::time_limit_seconds.eq(q.time_limit_seconds),
            )
        })
        .collect();
    diesel::insert_into(interview_questions::table).values(rows).execute(conn).await?;
    Ok(interview)
}

/// The interview with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: InterviewId) -> QueryResult<Option<Interview>> {
    interviews::table.find(id).select(Interview::as_select()).first(conn).await.optional()
}

/// Interviews by id (those that exist).
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[InterviewId]) -> QueryResult<Vec<Interview>> {
    interviews::table.filter(interviews::id.eq_any(ids)).select(Interview::as_select()).load(conn).await
}

/// The interview with this id, locked for the rest of the transaction: changes to one
/// interview (answers, transitions) happen one at a time and publish their events in order.
pub async fn lock(conn: &mut AsyncPgConnection, id: InterviewId) -> QueryResult<Option<Interview>> {
    interviews::table.find(id).select(Interview::as_select()).for_update().first(conn).await.optional()
}

/// Interviews in scope matching the filter, newest first, after the cursor.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    filter: &InterviewFilter,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<(Interview, Person)>> {
    // The candidate comes in the same statement: every caller shows or needs them, and a join
    // on the primary key costs less than a second round trip.
    let mut query = interviews::table
        .inner_join(users::table.on(users::id.eq(interviews::candidate_id)))
        .select((Interview::as_select(), Person::as_select()))
        .into_boxed();
    match scope {
        Scope::All => {}
        Scope::Candidate(user) => query = query.filter(interviews::candidate_id.eq(user.0)),
        Scope::Hr(user) => {
            // The scheduled interviews of the candidates assigned to this HR user now, while
            // they are mapped to an admin.
            let hr = diesel::alias!(users as hr);
            let mapped = diesel::dsl::exists(
                hr.filter(hr.field(users::id).eq(user.0))
                    .filter(hr.field(users::mapped_admin_id).is_not_null()),
            );
            // Aliased: the outer query joins `users` for the candidate.
            let assigned = diesel::alias!(users as assigned);
            let candidates = assigned
                .filter(assigned.field(users::assigned_hr_id).eq(user.0))
                .select(assigned.field(users::id));
            query = query
                .filter(interviews::candidate_id.eq_any(candidates))
                .filter(interviews::practice.eq(false))
                .filter(mapped);
        }
    }
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        query = query.filter(interviews::status.eq_any(statuses));
    }
    if let Some(practice) = filter.practice {
        query = query.filter(interviews::practice.eq(practice));
    }
    if let Some(candidate) = filter.candidate_id {
        query = query.filter(interviews::candidate_id.eq(candidate.0));
    }
    if let Some(c) = after {
        query = query.filter(
            interviews::created_at.lt(c.at).or(interviews::created_at.eq(c.at).and(interviews::id.lt(c.id))),
        );
    }
    crate::limit::limited(query.order((interviews::created_at.desc(), interviews::id.desc())), limit)
        .load(conn)
        .await
}

/// The questions of these interviews, in order.
pub async fn questions_of(
    conn: &mut AsyncPgConnection,
    ids: &[InterviewId],
) -> QueryResult<Vec<InterviewQuestion>> {
    interview_questions::table
        .filter(interview_questions::interview_id.eq_any(ids))
        .order((interview_questions::interview_id, interview_questions::position))
        .select(InterviewQuestion::as_select())
        .load(conn)
        .await
}

/// The questions of these interviews without their answer keys, in order.
pub async fn outlines_of(
    conn: &mut AsyncPgConnection,
    ids: &[InterviewId],
) -> QueryResult<Vec<QuestionOutline>> {
    interview_questions::table
        .filter(interview_questions::interview_id.eq_any(ids))
        .order((interview_questions::interview_id, interview_questions::position))
        .select(QuestionOutline::as_select())
        .load(conn)
        .await
}

/// The answer keys of these interview questions.
pub async fn answer_keys_of(
    conn: &mut AsyncPgConnection,
    ids: &[InterviewQuestionId],
) -> QueryResult<Vec<AnswerKey>> {
    interview_questions::table
        .filter(interview_questions::id.eq_any(ids))
        .select(AnswerKey::as_select())
        .load(conn)
        .await
}

/// What [`contents_of`] reads: the questions of some interviews (each interview's in order),
/// their answer keys if asked, and their answers (each interview's oldest first).
#[derive(Debug, Default)]
pub struct Contents {
    /// The questions.
    pub questions: Vec<QuestionOutline>,
    /// Their answer keys (empty unless asked).
    pub keys: Vec<AnswerKey>,
    /// The answers.
    pub answers: Vec<Answer>,
}

/// The questions of these interviews with their answers, and their answer keys when
/// `with_keys`: one statement.
pub async fn contents_of(
    conn: &mut AsyncPgConnection,
    ids: &[InterviewId],
    with_keys: bool,
) -> QueryResult<Contents> {
    let query = interview_questions::table
        .left_join(answers::table)
        .filter(interview_questions::interview_id.eq_any(ids))
        .order((interview_questions::interview_id, interview_questions::position));
    let mut contents = Contents::default();
    let answers = if with_keys {
        let rows: Vec<(QuestionOutline, AnswerKey, Option<Answer>)> = query
            .select((QuestionOutline::as_select(), AnswerKey::as_select(), Option::<Answer>::as_select()))
            .load(conn)
            .await?;
        let mut answers = Vec::new();
        for (question, key, answer) in rows {
            contents.questions.push(question);
            contents.keys.push(key);
            answers.extend(answer);
        }
        answers
    } else {
        let rows: Vec<(QuestionOutline, Option<Answer>)> =
            query.select((QuestionOutline::as_select(), Option::<Answer>::as_select())).load(conn).await?;
        let (questions, answers): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        contents.questions = questions;
        answers.into_iter().flatten().collect()
    };
    contents.answers = answers;
    contents.answers.sort_by_key(|a| (a.interview_id, a.submitted_at, a.id));
    Ok(contents)
}

/// An interview with its candidate and the candidate's responsible HR user (assigned, and
/// mapped to an admin): what the access policy needs, in one statement.
pub async fn find_with_candidate(
    conn: &mut AsyncPgConnection,
    id: InterviewId,
) -> QueryResult<Option<(Interview, Person, Option<UserId>)>> {
    let hr = diesel::alias!(users as responsible);
    let found: Option<(Interview, Person, Option<Uuid>)> = interviews::table
        .inner_join(users::table.on(users::id.eq(interviews::candidate_id)))
        .left_join(
            hr.on(hr
                .field(users::id)
                .nullable()
                .eq(users::assigned_hr_id)
                .and(hr.field(users::mapped_admin_id).is_not_null())),
        )
        .filter(interviews::id.eq(id))
        .select((Interview::as_select(), Person::as_select(), hr.field(users::id).nullable()))
        .first(conn)
        .await
        .optional()?;
    Ok(found.map(|(interview, candidate, responsible)| (interview, candidate, responsible.map(UserId))))
}

/// The answers of these interviews, oldest first.
pub async fn answers_of(conn: &mut AsyncPgConnection, ids: &[InterviewId]) -> QueryResult<Vec<Answer>> {
    answers::table
        .filter(answers::interview_id.eq_any(ids))
        .order((answers::interview_id, answers::submitted_at, answers::id))
        .select(Answer::as_select())
        .load(conn)
        .await
}

/// Moves an interview to a new status, stamping when it started, completed or was cancelled.
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: InterviewId,
    status: InterviewStatus,
    cancel_reason: Option<&str>,
) -> QueryResult<Interview> {
    let now = Utc::now();
    let stamp = |wanted: InterviewStatus| (status == wanted).then_some(now);
    diesel::update(interviews::table.find(id))
        .set((
            interviews::status.eq(status.as_str()),
            interviews::started_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("COALESCE(started_at, ")
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>, _>(stamp(
                InterviewStatus::InProgress,
            ))
            .sql(")")),
            interviews::completed_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("COALESCE(completed_at, ")
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>, _>(stamp(
                InterviewStatus::Completed,
            ))
            .sql(")")),
            interviews::cancelled_at.eq(stamp(InterviewStatus::Cancelled)),
            interviews::cancel_reason.eq(cancel_reason),
            interviews::updated_at.eq(now),
        ))
        .returning(Interview::as_returning())
        .get_result(conn)
        .await
}

/// Records a result and marks the interview evaluated.
pub async fn record_result(
    conn: &mut AsyncPgConnection,
    id: InterviewId,
    score: i32,
    grade: &str,
    feedback: &str,
    recommendations: &[String],
    by: Option<UserId>,
) -> QueryResult<Interview> {
    diesel::update(interviews::table.find(id))
        .set((
            interviews::status.eq(InterviewStatus::Evaluated.as_str()),
            interviews::overall_score.eq(score),
            interviews::grade.eq(grade),
            interviews::feedback.eq(feedback),
            interviews::recommendations.eq(recommendations),
            interviews::result_by.eq(by.map(|u| u.0)),
            interviews::result_at.eq(diesel::dsl::now),
            interviews::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Interview::as_returning())
        .get_result(conn)
        .await
}

/// A new answer.
#[derive(Clone, Debug)]
pub struct NewAnswer<'a> {
    /// The interview.
    pub interview_id: InterviewId,
    /// The question answered.
    pub interview_question_id: InterviewQuestionId,
    /// The text.
    pub text: &'a str,
    /// Seconds taken.
    pub duration_seconds: Option<i32>,
    /// The client's idempotency key.
    pub idempotency_key: &'a str,
    /// SHA-256 of what was submitted.
    pub request_hash: &'a [u8],
}

/// Stores an answer unless one with the same idempotency key exists (then `None`). A second
/// answer to the same question fails with a unique violation on `answers_one_per_question`.
pub async fn insert_answer(conn: &mut AsyncPgConnection, new: &NewAnswer<'_>) -> QueryResult<Option<Answer>> {
    diesel::insert_into(answers::table)
        .values((
            answers::id.eq(Uuid::now_v7()),
            answers::interview_id.eq(new.interview_id),
            answers::interview_question_id.eq(new.interview_question_id),
            answers::text.eq(new.text),
            answers::duration_seconds.eq(new.duration_seconds),
            answers::idempotency_key.eq(new.idempotency_key),
            answers::request_hash.eq(new.request_hash),
        ))
        .on_conflict((answers::interview_id, answers::idempotency_key))
        .do_nothing()
        .returning(Answer::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The answer stored under an idempotency key, with the hash of what was submitted with it.
pub async fn answer_by_key(
    conn: &mut AsyncPgConnection,
    interview: InterviewId,
    key: &str,
) -> QueryResult<Option<(Answer, Vec<u8>)>> {
    answers::table
        .filter(answers::interview_id.eq(interview))
        .filter(answers::idempotency_key.eq(key))
        .select((Answer::as_select(), answers::request_hash))
        .first(conn)
        .await
        .optional()
}

/// The answer with this id.
pub async fn find_answer(conn: &mut AsyncPgConnection, id: AnswerId) -> QueryResult<Option<Answer>> {
    answers::table.find(id).select(Answer::as_select()).first(conn).await.optional()
}

/// How many questions of an interview are answered, and how many it has.
pub async fn progress(conn: &mut AsyncPgConnection, id: InterviewId) -> QueryResult<(i64, i64)> {
    let answered = answers::table.filter(answers::interview_id.eq(id)).count().get_result(conn).await?;
    let total = interview_questions::table
        .filter(interview_questions::interview_id.eq(id))
        .count()
        .get_result(conn)
        .await?;
    Ok((answered, total))
}

/// Records a person's score for an answer, with the reason.
pub async fn override_score(
    conn: &mut AsyncPgConnection,
    answer: AnswerId,
    score: i32,
    reason: &str,
    by: UserId,
) -> QueryResult<Answer> {
    diesel::update(answers::table.find(answer))
        .set((
            answers::human_score.eq(score),
            answers::human_score_reason.eq(reason),
            answers::human_scored_by.eq(by.0),
            answers::human_scored_at.eq(diesel::dsl::now),
        ))
        .returning(Answer::as_returning())
        .get_result(conn)
        .await
}

/// Expires the scheduled interviews whose window has passed; returns them.
pub async fn expire_overdue(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Interview>> {
    diesel::update(
        interviews::table
            .filter(interviews::status.eq(InterviewStatus::Scheduled.as_str()))
            .filter(interviews::window_end.lt(diesel::dsl::now)),
    )
    .set((
        interviews::status.eq(InterviewStatus::Expired.as_str()),
        interviews::updated_at.eq(diesel::dsl::now),
    ))
    .returning(Interview::as_returning())
    .get_results(conn)
    .await
}

/// The newest scheduled (not practice) interview of each of these candidates.
pub async fn latest_scheduled_of(
    conn: &mut AsyncPgConnection,
    candidates: &[UserId],
) -> QueryResult<Vec<Interview>> {
    interviews::table
        .filter(interviews::candidate_id.eq_any(candidates))
        .filter(interviews::practice.eq(false))
        .distinct_on(interviews::candidate_id)
        .order((interviews::candidate_id, interviews::created_at.desc(), interviews::id.desc()))
        .select(Interview::as_select())
        .load(conn)
        .await
}

/// Interviews by status: `(status, count)`.
pub async fn count_by_status(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(String, i64)>> {
    interviews::table
        .group_by(interviews::status)
        .select((interviews::status, diesel::dsl::count_star()))
        .load(conn)
        .await
}
