//! `analyze_resume`: reads an uploaded resume's text in the isolated child process, analyses it
//! (contact details, sections, skills, years, quality, ATS feedback), has the chat model, when
//! one is configured, write the summary and add advice ([`resumes::review`]), embeds its
//! passages, and stores it all; the resume is then `ANALYSED`. A file that cannot be read is `FAILED` with the
//! reason for the candidate, at once: trying again would read the same bytes. Only a failure on
//! our side (the child could not start, the embedder is down) is retried.

use serde::{Deserialize, Serialize};
use viva_domain::vocab::ResumeStatus;
use viva_domain::{BackgroundJobId, ResumeId};
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_resumes::ExtractError;
use viva_store::models::resume::{self as store, Analysed};

use crate::objects::ObjectKey;
use crate::{Service, ServiceError, ServiceResult, resumes};

/// What the candidate is told when the failure is ours and the attempts ran out.
const GAVE_UP: &str =
    "the resume could not be analysed because of a problem on our side; upload it again later";

/// Analyses one resume.
pub struct AnalyzeResume;

/// Which resume.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The pending resume.
    pub resume_id: ResumeId,
}

impl JobSpec for AnalyzeResume {
    const KIND: JobKind = JobKind::AnalyzeResume;
    const MAX_ATTEMPTS: i32 = 3;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for AnalyzeResume {
    async fn run(&self, service: &Service, job: &JobInfo, payload: Payload) -> Result<(), JobError> {
        match analyze(service, payload.resume_id).await {
            Ok(()) => Ok(()),
            Err(err) => {
                if job.attempt >= Self::MAX_ATTEMPTS {
                    let mut conn = service.pool.get().await?;
                    store::mark_failed(&mut conn, payload.resume_id, GAVE_UP).await?;
                }
                Err(err.into())
            }
        }
    }
}

/// Enqueues the analysis of an uploaded resume.
pub async fn enqueue(
    conn: &mut viva_store::AsyncPgConnection,
    resume_id: ResumeId,
) -> ServiceResult<BackgroundJobId> {
    Ok(viva_jobs::enqueue::<AnalyzeResume>(conn, &Payload { resume_id }).await?)
}

async fn analyze(service: &Service, id: ResumeId) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    let Some(resume) = store::find(&mut conn, id).await? else { return Ok(()) };
    if resume.status != ResumeStatus::Pending {
        return Ok(());
    }
    let bytes = service.objects.get(&ObjectKey::parse(&resume.object_key)?).await?;
    drop(conn);
    let extracted = match resumes::extract(service, &bytes).await {
        Ok(extracted) => extracted,
        Err(ExtractError::Internal { detail }) => return Err(ServiceError::internal(detail)),
        Err(refused) => {
            let mut conn = service.pool.get().await?;
            store::mark_failed(&mut conn, id, &refused.to_string()).await?;
            return Ok(());
        }
    };
    let analysis = resumes::analyse(&extracted)?;
    let passages = resumes::passages(&extracted.text);
    let (vectors, model) =
        service.ai.registry.embeddings.embed(&passages).await.map_err(ServiceError::internal)?;
    let model = format!("{}/{}", model.provider, model.model);
    let embedding = resumes::mean_direction(&vectors);
    let mut analysis_json = serde_json::to_value(&analysis).map_err(ServiceError::internal)?;
    if let Some(review) = resumes::review(service, &extracted.text, &analysis).await? {
        analysis_json["review"] = review;
        if let Some(summary) = analysis_json["review"]["summary"].as_str().map(str::to_owned) {
            analysis_json["summary"] = serde_json::Value::String(summary);
        }
    }
    let pairs: Vec<(String, Vec<f32>)> = passages.into_iter().zip(vectors).collect();
    let found = Analysed {
        text: &extracted.text,
        analysis: analysis_json,
        skills: &analysis.skills,
        years_of_experience: analysis.years_of_experience,
        model: &model,
        passages: &pairs,
        embedding: &embedding,
    };
    let mut conn = service.pool.get().await?;
    diesel_async::AsyncConnection::transaction::<_, ServiceError, _>(&mut conn, async |conn| {
        if store::mark_analysed(conn, id, &found).await? {
            resumes::announce(conn, resume.candidate_id, id).await?;
        }
        Ok(())
    })
    .await
}
