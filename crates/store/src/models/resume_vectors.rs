//! The vectors behind matching and re-embedding: job descriptions' embeddings per model, the
//! facts a match scores (skills and years of searchable resumes), one resume's embedding, and
//! the resumes whose vectors are of another model than the active one.

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::vocab::ResumeStatus;
use viva_domain::{JobId, ResumeId, UserId};

use crate::QueryResult;
use crate::models::resume::{SearchFilters, SearchScope, searchable};
use crate::schema::{job_embeddings, resume_embeddings, resume_passages, resumes};

/// A job's stored embedding by one model.
#[derive(Clone, Debug)]
pub struct JobEmbedding {
    /// The job.
    pub job_id: JobId,
    /// SHA-256 (hex) of the description it was made from.
    pub description_digest: String,
    /// The vector.
    pub embedding: Vec<f32>,
}

/// The stored embeddings by `model` of these jobs.
pub async fn job_embeddings_of(
    conn: &mut AsyncPgConnection,
    jobs: &[JobId],
    model: &str,
) -> QueryResult<Vec<JobEmbedding>> {
    let ids: Vec<Uuid> = jobs.iter().map(|j| j.0).collect();
    let rows: Vec<(Uuid, String, Vec<f32>)> = job_embeddings::table
        .filter(job_embeddings::job_id.eq_any(ids))
        .filter(job_embeddings::model.eq(model))
        .select((job_embeddings::job_id, job_embeddings::description_digest, job_embeddings::embedding))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, digest, embedding)| JobEmbedding {
            job_id: JobId(id),
            description_digest: digest,
            embedding,
        })
        .collect())
}

/// Stores (or replaces) a job's embedding by `model`.
pub async fn save_job_embedding(
    conn: &mut AsyncPgConnection,
    model: &str,
    embedding: &JobEmbedding,
) -> QueryResult<()> {
    diesel::insert_into(job_embeddings::table)
        .values((
            job_embeddings::job_id.eq(embedding.job_id.0),
            job_embeddings::model.eq(model),
            job_embeddings::description_digest.eq(&embedding.description_digest),
            job_embeddings::embedding.eq(&embedding.embedding),
        ))
        .on_conflict((job_embeddings::job_id, job_embeddings::model))
        .do_update()
        .set((
            job_embeddings::description_digest.eq(excluded(job_embeddings::description_digest)),
            job_embeddings::embedding.eq(excluded(job_embeddings::embedding)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// What a match scores of one candidate's active resume.
#[derive(Clone, Debug)]
pub struct MatchFacts {
    /// The candidate.
    pub candidate_id: UserId,
    /// Their active resume.
    pub resume_id: ResumeId,
    /// Its canonical skills.
    pub skills: Vec<String>,
    /// Its years of experience.
    pub years_of_experience: Option<f32>,
}

/// The active, analysed resumes of the candidates in `scope` that list any of `skills` or are
/// among `also` (the nearest by meaning); every searchable one when `all`.
pub async fn match_facts(
    conn: &mut AsyncPgConnection,
    scope: SearchScope,
    skills: &[String],
    also: &[UserId],
    all: bool,
) -> QueryResult<Vec<MatchFacts>> {
    let filters = SearchFilters::default();
    let mut query = searchable(scope, &filters);
    if !all {
        let also: Vec<Uuid> = also.iter().map(|c| c.0).collect();
        query = query.filter(resumes::skills.overlaps_with(skills).or(resumes::candidate_id.eq_any(also)));
    }
    let rows: Vec<(Uuid, Uuid, Vec<String>, Option<f32>)> = query
        .select((resumes::candidate_id, resumes::id, resumes::skills, resumes::years_of_experience))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(candidate, resume, skills, years)| MatchFacts {
            candidate_id: UserId(candidate),
            resume_id: ResumeId(resume),
            skills,
            years_of_experience: years,
        })
        .collect())
}

/// A resume's whole embedding by `model`, if it has one.
pub async fn resume_embedding(
    conn: &mut AsyncPgConnection,
    resume: ResumeId,
    model: &str,
) -> QueryResult<Option<Vec<f32>>> {
    resume_embeddings::table
        .find((resume.0, model))
        .select(resume_embeddings::embedding)
        .first(conn)
        .await
        .optional()
}

/// Analysed resumes that have no embedding by `model` (their vectors are another model's, or
/// none): at most `limit`, oldest first.
pub async fn resumes_without_model(
    conn: &mut AsyncPgConnection,
    model: &str,
    limit: i64,
) -> QueryResult<Vec<(ResumeId, UserId)>> {
    let rows: Vec<(Uuid, Uuid)> = resumes::table
        .filter(resumes::status.eq(ResumeStatus::Analysed.as_str()))
        .filter(not(exists(
            resume_embeddings::table
                .filter(resume_embeddings::resume_id.eq(resumes::id))
                .filter(resume_embeddings::model.eq(model)),
        )))
        .order((resumes::created_at, resumes::id))
        .limit(limit)
        .select((resumes::id, resumes::candidate_id))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, candidate)| (ResumeId(id), UserId(candidate))).collect())
}

/// The passages of these resumes, whatever their model: (resume, ordinal, text), in order.
pub async fn passage_texts(
    conn: &mut AsyncPgConnection,
    resumes: &[ResumeId],
) -> QueryResult<Vec<(ResumeId, i32, String)>> {
    let ids: Vec<Uuid> = resumes.iter().map(|r| r.0).collect();
    let rows: Vec<(Uuid, i32, String)> = resume_passages::table
        .filter(resume_passages::resume_id.eq_any(ids))
        .order((resume_passages::resume_id, resume_passages::ordinal))
        .select((resume_passages::resume_id, resume_passages::ordinal, resume_passages::text))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, ordinal, text)| (ResumeId(id), ordinal, text)).collect())
}

/// Replaces a resume's vectors with `model`'s: each passage's (by ordinal) and the whole
/// resume's, dropping the whole-resume vectors of every other model, so that a resume's vectors
/// are always of one model (call in a transaction). `false` when the resume is gone.
pub async fn replace_vectors(
    conn: &mut AsyncPgConnection,
    resume: ResumeId,
    model: &str,
    passages: &[(i32, Vec<f32>)],
    embedding: &[f32],
) -> QueryResult<bool> {
    let present: i64 = resumes::table.find(resume.0).count().get_result(conn).await?;
    if present == 0 {
        return Ok(false);
    }
    for (ordinal, vector) in passages {
        diesel::update(resume_passages::table.find((resume.0, *ordinal)))
            .set((resume_passages::model.eq(model), resume_passages::embedding.eq(vector)))
            .execute(conn)
            .await?;
    }
    diesel::delete(resume_embeddings::table.filter(resume_embeddings::resume_id.eq(resume.0)))
        .execute(conn)
        .await?;
    diesel::insert_into(resume_embeddings::table)
        .values((
            resume_embeddings::resume_id.eq(resume.0),
            resume_embeddings::model.eq(model),
            resume_embeddings::embedding.eq(embedding),
        ))
        .execute(conn)
        .await?;
    Ok(true)
}
