//! CAND-1 in the schema: uploading resumes (GraphQL multipart request), listing them, choosing
//! the active one, deleting one.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Upload};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use viva_domain::vocab;
use viva_service::resumes::search;
use viva_store::models::resume::Resume as StoredResume;

use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::people::{PersonSummary, parse_id};
use crate::graphql::uploads::read_upload;

/// The format of a resume, from its content.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResumeFormat {
    /// A PDF.
    Pdf,
    /// A Word (.docx) document.
    Docx,
}

/// Where a resume's analysis stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResumeStatus {
    /// Uploaded; being read and analysed.
    Pending,
    /// Read and analysed: its skills and experience are known, and it can be found by search.
    Analysed,
    /// Could not be read; `failure` says why and what to do.
    Failed,
}

/// A candidate's resume.
pub struct Resume(StoredResume);

/// A candidate's resume: the uploaded file and what its analysis found.
#[Object]
impl Resume {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The candidate it belongs to.
    async fn candidate_id(&self) -> ID {
        ID(self.0.candidate_id.to_string())
    }

    /// The uploaded file's name (for display; the file is stored under a name of ours).
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }

    /// Its format, from its content.
    async fn format(&self) -> ResumeFormat {
        match self.0.kind {
            vocab::ResumeFormat::Pdf => ResumeFormat::Pdf,
            vocab::ResumeFormat::Docx => ResumeFormat::Docx,
        }
    }

    /// The file's size in bytes.
    async fn byte_size(&self) -> i64 {
        self.0.byte_size
    }

    /// Where its analysis stands.
    async fn status(&self) -> ResumeStatus {
        match self.0.status {
            vocab::ResumeStatus::Pending => ResumeStatus::Pending,
            vocab::ResumeStatus::Analysed => ResumeStatus::Analysed,
            vocab::ResumeStatus::Failed => ResumeStatus::Failed,
        }
    }

    /// Why it could not be read, and what to do, when `FAILED`.
    async fn failure(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }

    /// Whether it is the candidate's active resume (the one search, matching and generated
    /// questions use).
    async fn active(&self) -> bool {
        self.0.active
    }

    /// The skills found, by their canonical names (`k8s` is `Kubernetes`), once analysed.
    async fn skills(&self) -> &[String] {
        &self.0.skills
    }

    /// Years of experience computed from its dated roles (overlaps counted once), once analysed.
    async fn years_of_experience(&self) -> Option<f64> {
        self.0.years_of_experience.map(|y| (f64::from(y) * 10.0).round() / 10.0)
    }

    /// When it was uploaded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was analysed.
    async fn analysed_at(&self) -> Option<DateTime<Utc>> {
        self.0.analysed_at
    }
}

/// How to rank a candidate search.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SearchRanking {
    /// Keywords and meaning fused by reciprocal rank fusion: the best of both.
    #[default]
    Hybrid,
    /// PostgreSQL full-text search over skills and text alone.
    Keyword,
    /// Similarity of meaning (embeddings) alone.
    Semantic,
}

/// What every hit of a candidate search must satisfy.
#[derive(InputObject, Default)]
pub struct CandidateFilters {
    /// Skills the active resume must all list (as written; `k8s` is `Kubernetes`).
    #[graphql(default)]
    pub skills: Vec<String>,
    /// Fewest years of experience.
    pub min_years: Option<f64>,
    /// Text the candidate's location must contain, such as `Berlin` or `remote`.
    pub location: Option<String>,
}

/// A candidate found, and why.
#[derive(SimpleObject)]
pub struct CandidateHit {
    /// The candidate.
    pub candidate: PersonSummary,
    /// Their active resume.
    pub resume_id: ID,
    /// The fused score: higher is better (comparable within one search only).
    pub score: f64,
    /// Their rank by keywords, from 1, if the keyword search found them.
    pub keyword_rank: Option<i32>,
    /// Their rank by meaning, from 1, if the semantic search found them.
    pub semantic_rank: Option<i32>,
    /// Cosine similarity of the resume to the query, −1 to 1, when known.
    pub similarity: Option<f64>,
    /// The skills of the query and the filters that the resume lists.
    pub matched_skills: Vec<String>,
    /// The passage of the resume that matched the query best.
    pub passage: Option<String>,
    /// Years of experience from the resume's dated roles.
    pub years_of_experience: Option<f64>,
}

/// A page of a candidate search.
#[derive(SimpleObject)]
pub struct CandidateSearch {
    /// The candidates, best first.
    pub hits: Vec<CandidateHit>,
    /// Whether more follow.
    pub has_next_page: bool,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Most hits on one page.
const MAX_PAGE: i32 = 50;

fn parse_offset(after: Option<&str>) -> AppResult<usize> {
    let Some(after) = after else { return Ok(0) };
    URL_SAFE_NO_PAD
        .decode(after)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| text.strip_prefix("offset:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| AppError::bad_field("after", "is not a cursor from this search"))
}

/// Resume queries.
#[derive(Default)]
pub struct ResumeQuery;

#[Object]
impl ResumeQuery {
    /// The resumes of a candidate, newest first: your own without `candidateId`. HR users see
    /// those of candidates assigned to them or who chose to be discoverable; admins all.
    async fn resumes(&self, ctx: &Context<'_>, candidate_id: Option<ID>) -> AppResult<Vec<Resume>> {
        let principal = ctx.principal()?;
        let candidate = candidate_id.as_ref().map(|id| parse_id(id, "candidateId")).transpose()?;
        let found = viva_service::resumes::list(&ctx.services()?.service, &principal, candidate).await?;
        Ok(found.into_iter().map(Resume).collect())
    }

    /// Searches candidates' active resumes by keywords and by meaning (HR-2), each hit with the
    /// skills that matched and the passage that matched best. HR users find the candidates
    /// assigned to them and those who chose to be discoverable; admins everyone.
    async fn search_candidates(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default)] filters: CandidateFilters,
        #[graphql(default)] ranking: SearchRanking,
        #[graphql(default = 10)] first: i32,
        after: Option<String>,
    ) -> AppResult<CandidateSearch> {
        let principal = ctx.principal()?;
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(AppError::bad_field("first", format!("must be between 1 and {MAX_PAGE}")));
        }
        let offset = parse_offset(after.as_deref())?;
        let filters = viva_store::models::resume::SearchFilters {
            skills: filters.skills,
            min_years: filters.min_years.map(|y| y as f32),
            location: filters.location.filter(|l| !l.trim().is_empty()),
        };
        let ranking = match ranking {
            SearchRanking::Hybrid => search::Ranking::Hybrid,
            SearchRanking::Keyword => search::Ranking::Keyword,
            SearchRanking::Semantic => search::Ranking::Semantic,
        };
        let first = first as usize;
        let page =
            search::search(&ctx.services()?.service, &principal, &query, filters, ranking, first, offset)
                .await?;
        let end = offset + page.hits.len();
        Ok(CandidateSearch {
            has_next_page: page.has_next,
            end_cursor: page.has_next.then(|| URL_SAFE_NO_PAD.encode(format!("offset:{end}"))),
            hits: page
                .hits
                .into_iter()
                .map(|hit| CandidateHit {
                    candidate: hit.candidate.into(),
                    resume_id: ID(hit.resume_id.to_string()),
                    score: hit.score,
                    keyword_rank: hit.keyword_rank.map(|r| r as i32),
                    semantic_rank: hit.semantic_rank.map(|r| r as i32),
                    similarity: hit.similarity.map(f64::from),
                    matched_skills: hit.matched_skills,
                    passage: hit.passage,
                    years_of_experience: hit
                        .years_of_experience
                        .map(|y| (f64::from(y) * 10.0).round() / 10.0),
                })
                .collect(),
        })
    }
}

/// Resume mutations.
#[derive(Default)]
pub struct ResumeMutation;

#[Object]
impl ResumeMutation {
    /// Uploads a resume (a PDF or a Word .docx, judged by its content; at most
    /// `max_resume_bytes`) as a GraphQL multipart request. It is analysed in the background:
    /// `status` is `PENDING` until then. Your first resume becomes the active one. Candidates
    /// only.
    async fn upload_resume(&self, ctx: &Context<'_>, file: Upload) -> AppResult<Resume> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        let name = file.value(ctx).map(|upload| upload.filename).unwrap_or_default();
        let bytes = read_upload(ctx, &file, "file", services.service.config.resumes.max_bytes).await?;
        let resume = viva_service::resumes::upload(&services.service, &principal, &name, bytes).await?;
        Ok(Resume(resume))
    }

    /// Makes one of your resumes the active one.
    async fn set_active_resume(&self, ctx: &Context<'_>, id: ID) -> AppResult<Resume> {
        let principal = ctx.principal()?;
        let id = parse_id(&id, "id")?;
        Ok(Resume(viva_service::resumes::set_active(&ctx.services()?.service, &principal, id).await?))
    }

    /// Deletes one of your resumes and its file; if it was active, your newest other resume
    /// becomes active. Returns the deleted resume's id.
    async fn delete_resume(&self, ctx: &Context<'_>, id: ID) -> AppResult<ID> {
        let principal = ctx.principal()?;
        let parsed = parse_id(&id, "id")?;
        viva_service::resumes::delete(&ctx.services()?.service, &principal, parsed).await?;
        Ok(id)
    }
}
