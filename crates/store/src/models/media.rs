//! Spoken answers: the files attached to answers (audio and recordings) and the transcripts of
//! their audio.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::vocab::{MediaKind, TranscriptStatus};
use viva_domain::{AnswerId, InterviewId, UserId};

use crate::QueryResult;
use crate::schema::{answer_media, answer_transcripts, answers, interviews};

/// A file attached to an answer.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = answer_media)]
pub struct AnswerMedia {
    /// Its id.
    pub id: Uuid,
    /// The answer.
    #[diesel(deserialize_as = Uuid)]
    pub answer_id: AnswerId,
    /// What it holds.
    #[diesel(deserialize_as = String)]
    pub kind: MediaKind,
    /// Its type, from its content.
    pub media_type: String,
    /// Its size.
    pub byte_size: i64,
    /// The object's name in the store.
    pub object_key: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// When retention or erasure deleted the file.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A file to record.
#[derive(Debug)]
pub struct NewMedia<'a> {
    /// What it holds.
    pub kind: MediaKind,
    /// Its type.
    pub media_type: &'a str,
    /// Its size.
    pub byte_size: i64,
    /// The stored object's name.
    pub object_key: &'a str,
}

/// Records the files of a new answer.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    answer: AnswerId,
    files: &[NewMedia<'_>],
) -> QueryResult<Vec<AnswerMedia>> {
    let rows: Vec<_> = files
        .iter()
        .map(|f| {
            (
                answer_media::id.eq(Uuid::now_v7()),
                answer_media::answer_id.eq(answer.0),
                answer_media::kind.eq(f.kind.as_str()),
                answer_media::media_type.eq(f.media_type),
                answer_media::byte_size.eq(f.byte_size),
                answer_media::object_key.eq(f.object_key),
            )
        })
        .collect();
    diesel::insert_into(answer_media::table)
        .values(rows)
        .returning(AnswerMedia::as_returning())
        .get_results(conn)
        .await
}

/// The files of some answers, in the order they were stored.
pub async fn of_answers(conn: &mut AsyncPgConnection, ids: &[AnswerId]) -> QueryResult<Vec<AnswerMedia>> {
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    answer_media::table
        .filter(answer_media::answer_id.eq_any(ids))
        .order((answer_media::answer_id, answer_media::id))
        .select(AnswerMedia::as_select())
        .load(conn)
        .await
}

/// One file, with the interview and candidate of its answer (for the access check).
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(AnswerMedia, InterviewId, UserId)>> {
    let row: Option<(AnswerMedia, Uuid, Uuid)> = answer_media::table
        .inner_join(answers::table.inner_join(interviews::table.on(interviews::id.eq(answers::interview_id))))
        .filter(answer_media::id.eq(id))
        .select((AnswerMedia::as_select(), interviews::id, interviews::candidate_id))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(media, interview, candidate)| (media, InterviewId(interview), UserId(candidate))))
}

/// An answer's audio, if it has one.
pub async fn audio_of(conn: &mut AsyncPgConnection, answer: AnswerId) -> QueryResult<Option<AnswerMedia>> {
    answer_media::table
        .filter(answer_media::answer_id.eq(answer.0))
        .filter(answer_media::kind.eq(MediaKind::Audio.as_str()))
        .select(AnswerMedia::as_select())
        .first(conn)
        .await
        .optional()
}

/// Files stored before `before` and still held, oldest first, at most `limit`.
pub async fn expired(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<AnswerMedia>> {
    answer_media::table
        .filter(answer_media::deleted_at.is_null())
        .filter(answer_media::created_at.lt(before))
        .order(answer_media::created_at)
        .limit(limit)
        .select(AnswerMedia::as_select())
        .load(conn)
        .await
}

/// Records that a file was deleted; true when it was still held.
pub async fn mark_deleted(conn: &mut AsyncPgConnection, id: Uuid, at: DateTime<Utc>) -> QueryResult<bool> {
    let updated = diesel::update(answer_media::table.filter(answer_media::id.eq(id)))
        .filter(answer_media::deleted_at.is_null())
        .set(answer_media::deleted_at.eq(at))
        .execute(conn)
        .await?;
    Ok(updated > 0)
}

/// The files still held of a candidate's answers, for erasure and data export.
pub async fn held_by_candidate(
    conn: &mut AsyncPgConnection,
    candidate: UserId,
) -> QueryResult<Vec<AnswerMedia>> {
    answer_media::table
        .inner_join(answers::table.inner_join(interviews::table.on(interviews::id.eq(answers::interview_id))))
        .filter(interviews::candidate_id.eq(candidate.0))
        .filter(answer_media::deleted_at.is_null())
        .order(answer_media::id)
        .select(AnswerMedia::as_select())
        .load(conn)
        .await
}

/// A spoken answer's transcript.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = answer_transcripts)]
pub struct Transcript {
    /// The answer.
    #[diesel(deserialize_as = Uuid)]
    pub answer_id: AnswerId,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub status: TranscriptStatus,
    /// The full text, once done.
    pub text: Option<String>,
    /// The language heard.
    pub language: Option<String>,
    /// The audio's length, in seconds.
    pub duration_seconds: Option<f64>,
    /// `[{start, end, text}]`, so far.
    pub segments: serde_json::Value,
    /// The provider that heard it.
    pub provider: Option<String>,
    /// Its model.
    pub model: Option<String>,
    /// Delivery measures, once done.
    pub delivery: Option<serde_json::Value>,
    /// Why it failed.
    pub failure: Option<String>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A finished transcription.
#[derive(Debug)]
pub struct Finished<'a> {
    /// The text.
    pub text: &'a str,
    /// The language heard.
    pub language: Option<&'a str>,
    /// The audio's length.
    pub duration_seconds: f64,
    /// Every segment.
    pub segments: &'a serde_json::Value,
    /// The provider.
    pub provider: &'a str,
    /// Its model.
    pub model: &'a str,
    /// Delivery measures.
    pub delivery: &'a serde_json::Value,
}

/// Records that an answer's audio awaits transcription.
pub async fn create_pending(conn: &mut AsyncPgConnection, answer: AnswerId) -> QueryResult<()> {
    diesel::insert_into(answer_transcripts::table)
        .values((
            answer_transcripts::answer_id.eq(answer.0),
            answer_transcripts::status.eq(TranscriptStatus::Pending.as_str()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the segments heard so far of a pending transcript; false when it is no longer pending.
pub async fn set_partial(
    conn: &mut AsyncPgConnection,
    answer: AnswerId,
    segments: &serde_json::Value,
) -> QueryResult<bool> {
    let updated = diesel::update(answer_transcripts::table.find(answer.0))
        .filter(answer_transcripts::status.eq(TranscriptStatus::Pending.as_str()))
        .set((answer_transcripts::segments.eq(segments), answer_transcripts::updated_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    Ok(updated > 0)
}

/// Completes a pending transcript; false when it was not pending (a job delivered twice).
pub async fn finish(
    conn: &mut AsyncPgConnection,
    answer: AnswerId,
    done: &Finished<'_>,
) -> QueryResult<bool> {
    let updated = diesel::update(answer_transcripts::table.find(answer.0))
        .filter(answer_transcripts::status.eq(TranscriptStatus::Pending.as_str()))
        .set((
            answer_transcripts::status.eq(TranscriptStatus::Done.as_str()),
            answer_transcripts::text.eq(done.text),
            answer_transcripts::language.eq(done.language),
            answer_transcripts::duration_seconds.eq(done.duration_seconds),
            answer_transcripts::segments.eq(done.segments),
            answer_transcripts::provider.eq(done.provider),
            answer_transcripts::model.eq(done.model),
            answer_transcripts::delivery.eq(done.delivery),
            answer_transcripts::failure.eq(None::<String>),
            answer_transcripts::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(updated > 0)
}

/// Fails a pending transcript with a reason; false when it was not pending.
pub async fn fail(conn: &mut AsyncPgConnection, answer: AnswerId, reason: &str) -> QueryResult<bool> {
    let updated = diesel::update(answer_transcripts::table.find(answer.0))
        .filter(answer_transcripts::status.eq(TranscriptStatus::Pending.as_str()))
        .set((
            answer_transcripts::status.eq(TranscriptStatus::Failed.as_str()),
            answer_transcripts::failure.eq(reason),
            answer_transcripts::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(updated > 0)
}

/// An answer's transcript.
pub async fn transcript_of(
    conn: &mut AsyncPgConnection,
    answer: AnswerId,
) -> QueryResult<Option<Transcript>> {
    answer_transcripts::table.find(answer.0).select(Transcript::as_select()).first(conn).await.optional()
}

/// The transcripts of some answers.
pub async fn transcripts_of(conn: &mut AsyncPgConnection, ids: &[AnswerId]) -> QueryResult<Vec<Transcript>> {
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    answer_transcripts::table
        .filter(answer_transcripts::answer_id.eq_any(ids))
        .select(Transcript::as_select())
        .load(conn)
        .await
}
