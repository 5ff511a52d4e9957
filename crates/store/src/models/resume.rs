//! Candidates' resumes: the stored file, where its analysis stands, its text, analysis,
//! passages and embeddings.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::vocab::{ResumeFormat, ResumeStatus};
use viva_domain::{ResumeId, UserId};

use crate::QueryResult;
use crate::schema::{resume_embeddings, resume_passages, resumes};

/// A resume (without its text, which only the analysis and search read).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = resumes)]
pub struct Resume {
    /// Its id.
    pub id: ResumeId,
    /// Whose it is.
    #[diesel(deserialize_as = Uuid)]
    pub candidate_id: UserId,
    /// The name the candidate's file had (display only).
    pub file_name: String,
    /// Its format, from its content.
    #[diesel(deserialize_as = String)]
    pub kind: ResumeFormat,
    /// The file's size.
    pub byte_size: i64,
    /// The file's name in the object store.
    pub object_key: String,
    /// Where its analysis stands.
    #[diesel(deserialize_as = String)]
    pub status: ResumeStatus,
    /// Why it could not be read, for the candidate.
    pub failure: Option<String>,
    /// Whether it is the candidate's active resume.
    pub active: bool,
    /// The analysis, once analysed (JSON of the resume analysis).
    pub analysis: Option<serde_json::Value>,
    /// Canonical skills found.
    pub skills: Vec<String>,
    /// Years of experience computed from its dates.
    pub years_of_experience: Option<f32>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// When it was analysed.
    pub analysed_at: Option<DateTime<Utc>>,
}

/// A resume to record.
#[derive(Debug)]
pub struct NewResume<'a> {
    /// Whose it is.
    pub candidate_id: UserId,
    /// The client's file name.
    pub file_name: &'a str,
    /// Its format.
    pub kind: ResumeFormat,
    /// Its size.
    pub byte_size: i64,
    /// The stored object's name.
    pub object_key: &'a str,
    /// Whether it becomes the active resume.
    pub active: bool,
}

/// Records an uploaded resume, pending analysis.
pub async fn create(conn: &mut AsyncPgConnection, new: &NewResume<'_>) -> QueryResult<Resume> {
    diesel::insert_into(resumes::table)
        .values((
            resumes::id.eq(Uuid::now_v7()),
            resumes::candidate_id.eq(new.candidate_id.0),
            resumes::file_name.eq(new.file_name),
            resumes::kind.eq(new.kind.as_str()),
            resumes::byte_size.eq(new.byte_size),
            resumes::object_key.eq(new.object_key),
            resumes::status.eq(ResumeStatus::Pending.as_str()),
            resumes::active.eq(new.active),
        ))
        .returning(Resume::as_returning())
        .get_result(conn)
        .await
}

/// The resume with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: ResumeId) -> QueryResult<Option<Resume>> {
    resumes::table.find(id).select(Resume::as_select()).first(conn).await.optional()
}

/// A candidate's resumes, newest first.
pub async fn of_candidate(conn: &mut AsyncPgConnection, candidate: UserId) -> QueryResult<Vec<Resume>> {
    resumes::table
        .filter(resumes::candidate_id.eq(candidate.0))
        .order((resumes::created_at.desc(), resumes::id.desc()))
        .select(Resume::as_select())
        .load(conn)
        .await
}

/// How many resumes a candidate has.
pub async fn count_of(conn: &mut AsyncPgConnection, candidate: UserId) -> QueryResult<i64> {
    resumes::table.filter(resumes::candidate_id.eq(candidate.0)).count().get_result(conn).await
}

/// Makes `id` the candidate's one active resume (call in a transaction).
pub async fn set_active(conn: &mut AsyncPgConnection, candidate: UserId, id: ResumeId) -> QueryResult<()> {
    diesel::update(resumes::table.filter(resumes::candidate_id.eq(candidate.0)).filter(resumes::active))
        .set(resumes::active.eq(false))
        .execute(conn)
        .await?;
    diesel::update(resumes::table.find(id)).set(resumes::active.eq(true)).execute(conn).await?;
    Ok(())
}

/// Deletes a resume (its passages and embeddings go with it); returns it as it was.
pub async fn delete(conn: &mut AsyncPgConnection, id: ResumeId) -> QueryResult<Option<Resume>> {
    diesel::delete(resumes::table.find(id))
        .returning(Resume::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The stored file names of every resume of a candidate (to delete the files on erasure).
pub async fn object_keys_of(conn: &mut AsyncPgConnection, candidate: UserId) -> QueryResult<Vec<String>> {
    resumes::table.filter(resumes::candidate_id.eq(candidate.0)).select(resumes::object_key).load(conn).await
}

/// What the analysis of a resume found.
#[derive(Debug)]
pub struct Analysed<'a> {
    /// The extracted text.
    pub text: &'a str,
    /// The analysis, as JSON.
    pub analysis: serde_json::Value,
    /// Canonical skills.
    pub skills: &'a [String],
    /// Years of experience.
    pub years_of_experience: f32,
    /// The model of the embeddings.
    pub model: &'a str,
    /// The passages and their embeddings.
    pub passages: &'a [(String, Vec<f32>)],
    /// The whole resume's embedding.
    pub embedding: &'a [f32],
}

/// Stores a pending resume's analysis and embeddings; `false` when it is gone or no longer
/// pending (call in a transaction).
pub async fn mark_analysed(
    conn: &mut AsyncPgConnection,
    id: ResumeId,
    found: &Analysed<'_>,
) -> QueryResult<bool> {
    let updated =
        diesel::update(resumes::table.find(id).filter(resumes::status.eq(ResumeStatus::Pending.as_str())))
            .set((
                resumes::status.eq(ResumeStatus::Analysed.as_str()),
                resumes::text.eq(found.text),
                resumes::analysis.eq(&found.analysis),
                resumes::skills.eq(found.skills),
                resumes::years_of_experience.eq(found.years_of_experience),
                resumes::analysed_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
    if updated == 0 {
        return Ok(false);
    }
    let passages: Vec<_> = found
        .passages
        .iter()
        .enumerate()
        .map(|(ordinal, (text, embedding))| {
            (
                resume_passages::resume_id.eq(id.0),
                resume_passages::ordinal.eq(ordinal as i32),
                resume_passages::text.eq(text),
                resume_passages::model.eq(found.model),
                resume_passages::embedding.eq(embedding),
            )
        })
        .collect();
    diesel::insert_into(resume_passages::table).values(&passages).execute(conn).await?;
    diesel::insert_into(resume_embeddings::table)
        .values((
            resume_embeddings::resume_id.eq(id.0),
            resume_embeddings::model.eq(found.model),
            resume_embeddings::embedding.eq(found.embedding),
        ))
        .execute(conn)
        .await?;
    Ok(true)
}

/// Marks a pending resume failed, with a reason for the candidate.
pub async fn mark_failed(conn: &mut AsyncPgConnection, id: ResumeId, failure: &str) -> QueryResult<()> {
    diesel::update(resumes::table.find(id).filter(resumes::status.eq(ResumeStatus::Pending.as_str())))
        .set((resumes::status.eq(ResumeStatus::Failed.as_str()), resumes::failure.eq(failure)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The stored text of a resume.
pub async fn text_of(conn: &mut AsyncPgConnection, id: ResumeId) -> QueryResult<Option<String>> {
    resumes::table.find(id).select(resumes::text).first(conn).await.optional().map(Option::flatten)
}

/// The embeddings by `model` of the candidates' active, analysed resumes: every candidate when
/// `candidates` is `None` (the index's first load), else those listed (its refreshes).
pub async fn active_embeddings(
    conn: &mut AsyncPgConnection,
    model: &str,
    candidates: Option<&[UserId]>,
) -> QueryResult<Vec<(UserId, Vec<f32>)>> {
    let mut query = resumes::table
        .inner_join(resume_embeddings::table)
        .filter(resume_embeddings::model.eq(model))
        .filter(resumes::active)
        .filter(resumes::status.eq(ResumeStatus::Analysed.as_str()))
        .select((resumes::candidate_id, resume_embeddings::embedding))
        .into_boxed();
    if let Some(candidates) = candidates {
        let ids: Vec<Uuid> = candidates.iter().map(|c| c.0).collect();
        query = query.filter(resumes::candidate_id.eq_any(ids));
    }
    let rows: Vec<(Uuid, Vec<f32>)> = query.load(conn).await?;
    Ok(rows.into_iter().map(|(candidate, embedding)| (UserId(candidate), embedding)).collect())
}

/// Whose resumes a search may return.
#[derive(Clone, Copy, Debug)]
pub enum SearchScope {
    /// Every candidate (admins).
    All,
    /// The candidates assigned to this HR user, and the discoverable ones.
    Hr(UserId),
}

/// What a search's hits must satisfy.
#[derive(Clone, Debug, Default)]
pub struct SearchFilters {
    /// Skills (canonical names) the resume must all have.
    pub skills: Vec<String>,
    /// Fewest years of experience.
    pub min_years: Option<f32>,
    /// Text the candidate's location must contain (case-insensitive).
    pub location: Option<String>,
}

/// Active, analysed resumes of active candidates in `scope` that pass `filters`: the boxed
/// query every search starts from.
pub(crate) fn searchable<'a>(
    scope: SearchScope,
    filters: &'a SearchFilters,
) -> resumes::BoxedQuery<'a, diesel::pg::Pg> {
    use crate::schema::users;
    let eligible = users::table
        .filter(users::role.eq(viva_domain::Role::Candidate.as_str()))
        .filter(users::status.eq(viva_domain::UserStatus::Active.as_str()))
        .into_boxed();
    let eligible = match scope {
        SearchScope::All => eligible,
        SearchScope::Hr(hr) => eligible.filter(users::assigned_hr_id.eq(hr.0).or(users::discoverable)),
    };
    let eligible = match &filters.location {
        Some(location) => {
            let escaped = location.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            eligible.filter(users::location.ilike(format!("%{escaped}%")))
        }
        None => eligible,
    };
    let mut query = resumes::table
        .filter(resumes::active)
        .filter(resumes::status.eq(ResumeStatus::Analysed.as_str()))
        .filter(resumes::candidate_id.eq_any(eligible.select(users::id)))
        .into_boxed();
    if !filters.skills.is_empty() {
        query = query.filter(resumes::skills.contains(&filters.skills));
    }
    if let Some(min) = filters.min_years {
        query = query.filter(resumes::years_of_experience.ge(min));
    }
    query
}

/// The candidates whose active resumes a search in `scope` with `filters` may return.
pub async fn searchable_candidates(
    conn: &mut AsyncPgConnection,
    scope: SearchScope,
    filters: &SearchFilters,
) -> QueryResult<Vec<UserId>> {
    let ids: Vec<Uuid> = searchable(scope, filters).select(resumes::candidate_id).load(conn).await?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Full-text search (PostgreSQL's `websearch_to_tsquery`, English) over the skills and text of
/// the searchable resumes, best first by `ts_rank_cd` (returned with each): at most `limit`.
pub async fn keyword_search(
    conn: &mut AsyncPgConnection,
    query: &str,
    scope: SearchScope,
    filters: &SearchFilters,
    limit: i64,
) -> QueryResult<Vec<(UserId, f32)>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Float4, Text};
    let ids: Vec<(Uuid, f32)> = searchable(scope, filters)
        .filter(
            sql::<Bool>("resumes.search @@ websearch_to_tsquery('english', ").bind::<Text, _>(query).sql(")"),
        )
        // The direction is written in the literal: diesel's `.desc()` on a literal with binds
        // renders invalid SQL.
        .order(
            sql::<Float4>("ts_rank_cd(resumes.search, websearch_to_tsquery('english', ")
                .bind::<Text, _>(query)
                .sql(")) DESC"),
        )
        .then_order_by(resumes::candidate_id.asc())
        .limit(limit)
        .select((
            resumes::candidate_id,
            sql::<Float4>("ts_rank_cd(resumes.search, websearch_to_tsquery('english', ")
                .bind::<Text, _>(query)
                .sql("))"),
        ))
        .load(conn)
        .await?;
    Ok(ids.into_iter().map(|(id, rank)| (UserId(id), rank)).collect())
}

/// The active resumes of these candidates (id, candidate, skills, years).
pub async fn active_of(conn: &mut AsyncPgConnection, candidates: &[UserId]) -> QueryResult<Vec<Resume>> {
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.0).collect();
    resumes::table
        .filter(resumes::candidate_id.eq_any(ids))
        .filter(resumes::active)
        .select(Resume::as_select())
        .load(conn)
        .await
}

/// The passages of these resumes embedded by `model`: (resume, text, embedding).
pub async fn passages_of(
    conn: &mut AsyncPgConnection,
    resumes: &[ResumeId],
    model: &str,
) -> QueryResult<Vec<(ResumeId, String, Vec<f32>)>> {
    let ids: Vec<Uuid> = resumes.iter().map(|r| r.0).collect();
    let rows: Vec<(Uuid, String, Vec<f32>)> = resume_passages::table
        .filter(resume_passages::resume_id.eq_any(ids))
        .filter(resume_passages::model.eq(model))
        .order((resume_passages::resume_id, resume_passages::ordinal))
        .select((resume_passages::resume_id, resume_passages::text, resume_passages::embedding))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, text, embedding)| (ResumeId(id), text, embedding)).collect())
}
