//! Question reuse (the counters a trigger keeps on `question_usage`) and answer similarity
//! (each answer's MinHash LSH fingerprint, and the flags raised on near-copies).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Int8, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::ids::SimilarityFlagId;
use viva_domain::vocab::FlagReview;
use viva_domain::{AnswerId, InterviewId, QuestionId, UserId};

use crate::QueryResult;
use crate::models::TimeCursor;
use crate::schema::answer_similarity_flags;

/// A bank question with how often it has been asked.
#[derive(Clone, Debug, QueryableByName)]
pub struct QuestionUsage {
    /// The bank question.
    #[diesel(sql_type = SqlUuid)]
    pub question_id: QuestionId,
    /// Its role.
    #[diesel(sql_type = Text)]
    pub role_slug: String,
    /// What it tests (stored form).
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// How hard it is (stored form).
    #[diesel(sql_type = Text)]
    pub difficulty: String,
    /// The question.
    #[diesel(sql_type = Text)]
    pub text: String,
    /// Whether it ships with Viva.
    #[diesel(sql_type = Bool)]
    pub shipped: bool,
    /// Times it was given in scheduled interviews.
    #[diesel(sql_type = BigInt)]
    pub asked_in_interviews: i64,
    /// Times it was given in practice sessions.
    #[diesel(sql_type = BigInt)]
    pub asked_in_practice: i64,
    /// Distinct candidates it was given to, in either.
    #[diesel(sql_type = BigInt)]
    pub distinct_candidates: i64,
    /// When it was last given.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A keyset position in the question-usage list (most exposed first): the last row's distinct
/// candidates and question id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageCursor {
    /// Distinct candidates of the last row seen.
    pub distinct_candidates: i64,
    /// Its question id, to break ties.
    pub question_id: Uuid,
}

/// Bank questions by exposure (distinct candidates, most first; ties by id, descending), optionally of one
/// role, after the cursor. Reads `question_usage`'s exposure index (with the role, its role
/// index), so every page costs the same.
pub async fn question_usage(
    conn: &mut AsyncPgConnection,
    role: Option<&str>,
    after: Option<UsageCursor>,
    limit: i64,
) -> QueryResult<Vec<QuestionUsage>> {
    diesel::sql_query(
        "SELECT u.question_id, u.role_slug, q.kind, q.difficulty, q.text, q.bank_id IS NOT NULL AS shipped, \
                u.asked_in_interviews, u.asked_in_practice, u.distinct_candidates, u.last_used_at \
         FROM question_usage u JOIN questions q ON q.id = u.question_id \
         WHERE ($1::text IS NULL OR u.role_slug = $1) \
           AND ($2::bigint IS NULL OR (u.distinct_candidates, u.question_id) < ($2, $3)) \
         ORDER BY u.distinct_candidates DESC, u.question_id DESC \
         LIMIT $4",
    )
    .bind::<Nullable<Text>, _>(role)
    .bind::<Nullable<BigInt>, _>(after.map(|c| c.distinct_candidates))
    .bind::<Nullable<SqlUuid>, _>(after.map(|c| c.question_id))
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// What the similarity check needs of an answer: its text, its candidate, and its question.
#[derive(Clone, Debug, QueryableByName)]
pub struct AnswerSubject {
    /// The answer.
    #[diesel(sql_type = SqlUuid)]
    pub answer_id: AnswerId,
    /// Its text.
    #[diesel(sql_type = Text)]
    pub text: String,
    /// When it was stored.
    #[diesel(sql_type = Timestamptz)]
    pub submitted_at: DateTime<Utc>,
    /// The candidate who gave it.
    #[diesel(sql_type = SqlUuid)]
    pub candidate_id: UserId,
    /// Whether it was given in a practice session.
    #[diesel(sql_type = Bool)]
    pub practice: bool,
    /// The bank question the interview question copies, if any.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub question_id: Option<QuestionId>,
    /// The question as asked.
    #[diesel(sql_type = Text)]
    pub question_text: String,
}

/// The answer with what the similarity check needs, if it still exists.
pub async fn answer_subject(
    conn: &mut AsyncPgConnection,
    answer: AnswerId,
) -> QueryResult<Option<AnswerSubject>> {
    diesel::sql_query(
        "SELECT a.id AS answer_id, a.text, a.submitted_at, i.candidate_id, i.practice, iq.question_id, \
                iq.text AS question_text \
         FROM answers a \
         JOIN interview_questions iq ON iq.id = a.interview_question_id \
         JOIN interviews i ON i.id = a.interview_id \
         WHERE a.id = $1",
    )
    .bind::<SqlUuid, _>(answer)
    .get_result(conn)
    .await
    .optional()
}

/// A fingerprint to store.
#[derive(Clone, Debug)]
pub struct NewFingerprint<'a> {
    /// The answer.
    pub answer_id: AnswerId,
    /// The bank question's id, or the hash of the question's normalised text.
    pub question_key: Uuid,
    /// The answer's candidate.
    pub candidate_id: UserId,
    /// Whether the answer was given in practice.
    pub practice: bool,
    /// Words in the normalised answer.
    pub word_count: i32,
    /// Distinct word 3-shingles.
    pub shingle_count: i32,
    /// Its LSH buckets, one per band; empty for an answer too short to compare.
    pub bands: &'a [i64],
}

/// Stores a fingerprint and its buckets in the band index, in one statement, unless the answer
/// has one (a job delivered twice).
pub async fn insert_fingerprint(conn: &mut AsyncPgConnection, new: &NewFingerprint<'_>) -> QueryResult<()> {
    diesel::sql_query(
        "WITH stored AS ( \
             INSERT INTO answer_fingerprints (answer_id, question_key, candidate_id, practice, word_count, \
                                              shingle_count, bands) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (answer_id) DO NOTHING \
             RETURNING answer_id, bands) \
         INSERT INTO answer_lsh_buckets (bucket, answer_id) \
         SELECT DISTINCT unnest(bands), answer_id FROM stored \
         ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(new.answer_id)
    .bind::<SqlUuid, _>(new.question_key)
    .bind::<SqlUuid, _>(new.candidate_id)
    .bind::<Bool, _>(new.practice)
    .bind::<Integer, _>(new.word_count)
    .bind::<Integer, _>(new.shingle_count)
    .bind::<Array<Int8>, _>(new.bands)
    .execute(conn)
    .await
    .map(drop)
}

/// An answer that shares an LSH bucket with the one being checked.
#[derive(Clone, Debug, QueryableByName)]
pub struct BucketMate {
    /// The answer.
    #[diesel(sql_type = SqlUuid)]
    pub answer_id: AnswerId,
    /// Its text.
    #[diesel(sql_type = Text)]
    pub text: String,
    /// When it was stored.
    #[diesel(sql_type = Timestamptz)]
    pub submitted_at: DateTime<Utc>,
    /// Its candidate.
    #[diesel(sql_type = SqlUuid)]
    pub candidate_id: UserId,
    /// Whether it was given in practice.
    #[diesel(sql_type = Bool)]
    pub practice: bool,
    /// How many of the checked answer's bands it shares.
    #[diesel(sql_type = BigInt)]
    pub shared_bands: i64,
}

/// Answers to the same question (`question_key`) by other candidates that share at least one
/// LSH bucket with `bands`, most shared buckets first, at most `limit`. One probe of the band
/// index's primary key per band.
pub async fn bucket_mates(
    conn: &mut AsyncPgConnection,
    question_key: Uuid,
    bands: &[i64],
    candidate: UserId,
    limit: i64,
) -> QueryResult<Vec<BucketMate>> {
    diesel::sql_query(
        "SELECT f.answer_id, a.text, a.submitted_at, f.candidate_id, f.practice, m.shared_bands \
         FROM (SELECT answer_id, count(*) AS shared_bands FROM answer_lsh_buckets \
               WHERE bucket = ANY ($2) GROUP BY answer_id) m \
         JOIN answer_fingerprints f ON f.answer_id = m.answer_id \
         JOIN answers a ON a.id = f.answer_id \
         WHERE f.question_key = $1 AND f.candidate_id <> $3 \
         ORDER BY m.shared_bands DESC, f.answer_id \
         LIMIT $4",
    )
    .bind::<SqlUuid, _>(question_key)
    .bind::<Array<Int8>, _>(bands)
    .bind::<SqlUuid, _>(candidate)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// A flag to raise on two answers.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = answer_similarity_flags)]
pub struct NewFlag<'a> {
    /// Its id.
    pub id: SimilarityFlagId,
    /// The answer submitted first.
    pub earlier_answer_id: AnswerId,
    /// The answer submitted later.
    pub later_answer_id: AnswerId,
    /// The question key both answers share.
    pub question_key: Uuid,
    /// The bank question, if any.
    pub question_id: Option<QuestionId>,
    /// The earlier answer's candidate.
    pub earlier_candidate_id: UserId,
    /// The later answer's candidate.
    pub later_candidate_id: UserId,
    /// Whether the earlier answer was practice.
    pub earlier_practice: bool,
    /// Whether the later answer was practice.
    pub later_practice: bool,
    /// Jaccard similarity of the two answers' shingle sets.
    pub jaccard: f32,
    /// Shared shingles over the smaller set's size.
    pub containment: f32,
    /// Cosine similarity of the answers' embeddings, when an embedder was available.
    pub cosine: Option<f32>,
    /// The embedding model (`provider:model`) that gave the cosine.
    pub embedding_model: Option<&'a str>,
}

/// Raises a flag unless the pair has one; returns whether it was new.
pub async fn insert_flag(conn: &mut AsyncPgConnection, new: &NewFlag<'_>) -> QueryResult<bool> {
    let inserted = diesel::insert_into(answer_similarity_flags::table)
        .values(new)
        .on_conflict((answer_similarity_flags::earlier_answer_id, answer_similarity_flags::later_answer_id))
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// Whose flags a list holds.
#[derive(Clone, Copy, Debug)]
pub enum FlagScope {
    /// Every flag (admins).
    All,
    /// Flags with at least one answer from a scheduled (not practice) interview of a candidate
    /// assigned to this HR user.
    Hr(UserId),
}

/// A flag with both answers side by side, and who is responsible for each answer's candidate.
#[derive(Clone, Debug, QueryableByName)]
pub struct FlagRow {
    /// Its id.
    #[diesel(sql_type = SqlUuid)]
    pub id: SimilarityFlagId,
    /// The bank question, if any.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub question_id: Option<QuestionId>,
    /// The question as the earlier answer's interview asked it.
    #[diesel(sql_type = Text)]
    pub question_text: String,
    /// Jaccard similarity of the shingle sets.
    #[diesel(sql_type = diesel::sql_types::Float4)]
    pub jaccard: f32,
    /// Containment of the smaller shingle set in the larger.
    #[diesel(sql_type = diesel::sql_types::Float4)]
    pub containment: f32,
    /// Cosine similarity of the embeddings, if computed.
    #[diesel(sql_type = Nullable<diesel::sql_types::Float4>)]
    pub cosine: Option<f32>,
    /// The embedding model that gave the cosine.
    #[diesel(sql_type = Nullable<Text>)]
    pub embedding_model: Option<String>,
    /// Where its review stands (stored form).
    #[diesel(sql_type = Text)]
    pub status: String,
    /// The reviewer's note.
    #[diesel(sql_type = Nullable<Text>)]
    pub review_note: Option<String>,
    /// Who reviewed it last.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub reviewed_by: Option<UserId>,
    /// When.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When it was raised.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// The earlier answer.
    #[diesel(sql_type = SqlUuid)]
    pub earlier_answer_id: AnswerId,
    /// Its text.
    #[diesel(sql_type = Text)]
    pub earlier_text: String,
    /// When it was stored.
    #[diesel(sql_type = Timestamptz)]
    pub earlier_submitted_at: DateTime<Utc>,
    /// Its interview.
    #[diesel(sql_type = SqlUuid)]
    pub earlier_interview_id: InterviewId,
    /// Its candidate.
    #[diesel(sql_type = SqlUuid)]
    pub earlier_candidate_id: UserId,
    /// The candidate's name.
    #[diesel(sql_type = Text)]
    pub earlier_candidate_name: String,
    /// The candidate's HR user, if that HR user is mapped to an admin.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub earlier_responsible_hr: Option<UserId>,
    /// The later answer.
    #[diesel(sql_type = SqlUuid)]
    pub later_answer_id: AnswerId,
    /// Its text.
    #[diesel(sql_type = Text)]
    pub later_text: String,
    /// When it was stored.
    #[diesel(sql_type = Timestamptz)]
    pub later_submitted_at: DateTime<Utc>,
    /// Its interview.
    #[diesel(sql_type = SqlUuid)]
    pub later_interview_id: InterviewId,
    /// Its candidate.
    #[diesel(sql_type = SqlUuid)]
    pub later_candidate_id: UserId,
    /// The candidate's name.
    #[diesel(sql_type = Text)]
    pub later_candidate_name: String,
    /// The candidate's HR user, if that HR user is mapped to an admin.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub later_responsible_hr: Option<UserId>,
}

/// The columns of a [`FlagRow`], over `f` (the flag), `ea`/`la` (the answers), `eu`/`lu`
/// (their candidates), `eh`/`lh` (the candidates' HR users) and `iq` (the earlier answer's
/// question).
const FLAG_SELECT: &str = "SELECT f.id, f.question_id, iq.text AS question_text, f.jaccard, f.containment, \
        f.cosine, f.embedding_model, f.status, f.review_note, f.reviewed_by, f.reviewed_at, f.created_at, \
        ea.id AS earlier_answer_id, ea.text AS earlier_text, ea.submitted_at AS earlier_submitted_at, \
        ea.interview_id AS earlier_interview_id, f.earlier_candidate_id, eu.full_name AS earlier_candidate_name, \
        CASE WHEN eh.mapped_admin_id IS NOT NULL THEN eh.id END AS earlier_responsible_hr, \
        la.id AS later_answer_id, la.text AS later_text, la.submitted_at AS later_submitted_at, \
        la.interview_id AS later_interview_id, f.later_candidate_id, lu.full_name AS later_candidate_name, \
        CASE WHEN lh.mapped_admin_id IS NOT NULL THEN lh.id END AS later_responsible_hr \
    FROM answer_similarity_flags f \
    JOIN answers ea ON ea.id = f.earlier_answer_id \
    JOIN answers la ON la.id = f.later_answer_id \
    JOIN interview_questions iq ON iq.id = ea.interview_question_id \
    JOIN users eu ON eu.id = f.earlier_candidate_id \
    JOIN users lu ON lu.id = f.later_candidate_id \
    LEFT JOIN users eh ON eh.id = eu.assigned_hr_id \
    LEFT JOIN users lh ON lh.id = lu.assigned_hr_id ";

/// Flags in scope, optionally of one status, newest first, after the cursor. Walks the
/// flags' `(created_at, id)` index (with a status, `(status, created_at, id)`), so a page costs
/// the same however deep it is.
pub async fn flags(
    conn: &mut AsyncPgConnection,
    scope: FlagScope,
    status: Option<FlagReview>,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<FlagRow>> {
    let hr = match scope {
        FlagScope::All => None,
        FlagScope::Hr(hr) => Some(hr),
    };
    let sql = format!(
        "{FLAG_SELECT} \
         WHERE ($1::uuid IS NULL \
                OR (NOT f.earlier_practice AND eu.assigned_hr_id = $1) \
                OR (NOT f.later_practice AND lu.assigned_hr_id = $1)) \
           AND ($2::text IS NULL OR f.status = $2) \
           AND ($3::timestamptz IS NULL OR (f.created_at, f.id) < ($3, $4)) \
         ORDER BY f.created_at DESC, f.id DESC \
         LIMIT $5"
    );
    diesel::sql_query(sql)
        .bind::<Nullable<SqlUuid>, _>(hr)
        .bind::<Nullable<Text>, _>(status.map(FlagReview::as_str))
        .bind::<Nullable<Timestamptz>, _>(after.map(|c| c.at))
        .bind::<Nullable<SqlUuid>, _>(after.map(|c| c.id))
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
}

/// One flag with both answers.
pub async fn find_flag(conn: &mut AsyncPgConnection, id: SimilarityFlagId) -> QueryResult<Option<FlagRow>> {
    diesel::sql_query(format!("{FLAG_SELECT} WHERE f.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// Records a review of a flag: its status, the note (replacing any earlier one), who and when.
pub async fn review_flag(
    conn: &mut AsyncPgConnection,
    id: SimilarityFlagId,
    status: FlagReview,
    note: Option<&str>,
    reviewer: UserId,
) -> QueryResult<usize> {
    diesel::update(answer_similarity_flags::table.find(id))
        .set((
            answer_similarity_flags::status.eq(status.as_str()),
            answer_similarity_flags::review_note.eq(note),
            answer_similarity_flags::reviewed_by.eq(Some(reviewer)),
            answer_similarity_flags::reviewed_at.eq(Some(Utc::now())),
        ))
        .execute(conn)
        .await
}
