//! `reembed_resumes` (periodic, and at start-up): gives every analysed resume vectors of the
//! active embedding model when it has none, as after the model is changed. Resumes are taken in
//! batches of [`RESUMES_PER_BATCH`]; each batch's passages are embedded in one call, and each
//! resume's vectors are replaced in one transaction (every passage and the whole resume at
//! once, the other models' whole-resume vectors dropped), so a resume's vectors are always of
//! one model and the search index, which keeps one index per model, never mixes two. Each
//! re-embedded candidate is announced on the bus so every replica's index reloads them.
//!
//! A run does at most [`BATCHES_PER_RUN`] batches, so that shutting a worker down never waits
//! long for it, then queues its own continuation when resumes remain. When another model than
//! the active one answers (the primary provider is down), the run fails and is retried: vectors
//! of the fallback model are exactly what this job replaces.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use viva_domain::ResumeId;
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::resume_vectors as vectors;

use crate::{Service, ServiceError, ServiceResult, resumes};

/// Resumes embedded per call to the embedder (up to 40 passages each).
pub const RESUMES_PER_BATCH: i64 = 16;
/// Batches per run.
pub const BATCHES_PER_RUN: usize = 25;

/// Re-embeds resumes that have no vectors of the active model.
pub struct ReembedResumes;

/// No input.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Payload {}

impl JobSpec for ReembedResumes {
    const KIND: JobKind = JobKind::ReembedResumes;
    const MAX_ATTEMPTS: i32 = 5;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for ReembedResumes {
    async fn run(&self, service: &Service, _job: &JobInfo, _payload: Payload) -> Result<(), JobError> {
        let (done, more) = reembed(service, BATCHES_PER_RUN).await?;
        if more {
            let mut conn = service.pool.get().await?;
            viva_jobs::enqueue_unique::<ReembedResumes>(&mut conn, &Payload {}, "reembed_resumes:more")
                .await?;
        }
        if done > 0 {
            tracing::info!(done, more, "resumes re-embedded with the active model");
        }
        Ok(())
    }
}

/// Queues a run now, unless one is waiting.
pub async fn enqueue(conn: &mut viva_store::AsyncPgConnection) -> ServiceResult<()> {
    viva_jobs::enqueue_unique::<ReembedResumes>(conn, &Payload {}, "reembed_resumes:more").await?;
    Ok(())
}

/// Re-embeds up to `batches` batches; returns how many resumes were done and whether any
/// remain. Does nothing without an embedder.
pub async fn reembed(service: &Service, batches: usize) -> ServiceResult<(usize, bool)> {
    let Some(model) = resumes::matching::active_model(service) else { return Ok((0, false)) };
    let mut done = 0;
    for _ in 0..batches {
        let mut conn = service.pool.get().await?;
        let batch = vectors::resumes_without_model(&mut conn, &model, RESUMES_PER_BATCH).await?;
        if batch.is_empty() {
            return Ok((done, false));
        }
        let ids: Vec<ResumeId> = batch.iter().map(|(id, _)| *id).collect();
        let passages = vectors::passage_texts(&mut conn, &ids).await?;
        drop(conn);
        let texts: Vec<String> = passages.iter().map(|(_, _, text)| text.clone()).collect();
        let embedded = if texts.is_empty() {
            Vec::new()
        } else {
            let (embedded, served) =
                service.ai.registry.embeddings.embed(&texts).await.map_err(ServiceError::internal)?;
            let served = format!("{}/{}", served.provider, served.model);
            if served != model {
                return Err(ServiceError::internal(format!(
                    "{served} answered instead of the active embedding model {model}; re-embedding waits for it"
                )));
            }
            embedded
        };
        let mut by_resume: HashMap<ResumeId, Vec<(i32, Vec<f32>)>> = HashMap::new();
        for ((resume, ordinal, _), vector) in passages.iter().zip(embedded) {
            by_resume.entry(*resume).or_default().push((*ordinal, vector));
        }
        let mut conn = service.pool.get().await?;
        for (resume, candidate) in batch {
            let vectors_of = by_resume.remove(&resume).unwrap_or_default();
            let whole: Vec<Vec<f32>> = vectors_of.iter().map(|(_, v)| v.clone()).collect();
            let embedding = resumes::mean_direction(&whole);
            diesel_async::AsyncConnection::transaction::<_, ServiceError, _>(&mut conn, async |conn| {
                if vectors::replace_vectors(conn, resume, &model, &vectors_of, &embedding).await? {
                    resumes::announce(conn, candidate, resume).await?;
                }
                Ok(())
            })
            .await?;
            done += 1;
        }
    }
    let mut conn = service.pool.get().await?;
    let more = !vectors::resumes_without_model(&mut conn, &model, 1).await?.is_empty();
    Ok((done, more))
}
