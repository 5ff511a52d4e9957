//! HR-5 in the schema: `matchCandidates` (candidates ranked against a job) and `matchingJobs`
//! (jobs ranked against a candidate's active resume), each match explained. The rules are the
//! service's ([`viva_service::resumes::matching`]).

use async_graphql::{Context, ID, Object, SimpleObject};
use viva_service::resumes::matching::{self, Explanation};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::jobs::Job;
use crate::graphql::people::{PersonSummary, parse_id};
use crate::graphql::resumes::{offset_cursor, page_length, parse_offset};

/// Why a resume and a job match as they do. The score is
/// `100 · (0.5·skillsScore + 0.2·yearsScore + 0.3·meaningScore)` divided by the weights of the
/// components present: a component is null when it does not apply (the job lists no skills,
/// sets no minimum, or no embedding model is configured), and the others share its weight.
#[derive(SimpleObject)]
pub struct MatchExplanation {
    /// Required skills the resume lists, by their canonical names.
    pub matched_skills: Vec<String>,
    /// Required skills the resume does not list.
    pub missing_skills: Vec<String>,
    /// The resume's years of experience.
    pub years_of_experience: Option<f64>,
    /// The job's minimum years of experience.
    pub min_years: Option<i32>,
    /// Whether the years reach the minimum (true when the job sets none).
    pub meets_min_years: bool,
    /// Cosine similarity, −1 to 1, of the job's title and description to the resume, when both
    /// have vectors of the active embedding model.
    pub similarity: Option<f64>,
    /// The resume's passage nearest the job's description.
    pub passage: Option<String>,
    /// Share of the required skills the resume lists, 0 to 1.
    pub skills_score: Option<f64>,
    /// Years of experience over the minimum, at most 1.
    pub years_score: Option<f64>,
    /// The similarity, negative counted as 0.
    pub meaning_score: Option<f64>,
}

impl From<Explanation> for MatchExplanation {
    fn from(why: Explanation) -> Self {
        Self {
            matched_skills: why.matched_skills,
            missing_skills: why.missing_skills,
            years_of_experience: why.years_of_experience.map(|y| (f64::from(y) * 10.0).round() / 10.0),
            min_years: why.min_years,
            meets_min_years: why.meets_min_years,
            similarity: why.similarity.map(f64::from),
            passage: why.passage,
            skills_score: why.components.skills,
            years_score: why.components.years,
            meaning_score: why.components.meaning,
        }
    }
}

/// A candidate ranked against a job.
#[derive(SimpleObject)]
pub struct CandidateMatch {
    /// The candidate.
    pub candidate: PersonSummary,
    /// Their active resume.
    pub resume_id: ID,
    /// 0 to 100, higher is a better fit.
    pub score: f64,
    /// Why.
    pub explanation: MatchExplanation,
}

/// A page of candidates ranked against a job.
#[derive(SimpleObject)]
pub struct CandidateMatches {
    /// The candidates, best first.
    pub matches: Vec<CandidateMatch>,
    /// Whether more follow.
    pub has_next_page: bool,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// A job ranked against a candidate's active resume.
pub struct JobMatch(matching::JobMatch);

/// A job ranked against a candidate's active resume.
#[Object]
impl JobMatch {
    /// The job.
    async fn job(&self) -> Job {
        Job(self.0.job.clone())
    }

    /// 0 to 100, higher is a better fit.
    async fn score(&self) -> f64 {
        self.0.score
    }

    /// Why.
    async fn explanation(&self) -> MatchExplanation {
        self.0.explanation.clone().into()
    }
}

/// A page of jobs ranked against a candidate.
#[derive(SimpleObject)]
pub struct JobMatches {
    /// The jobs, best first.
    pub matches: Vec<JobMatch>,
    /// Whether more follow.
    pub has_next_page: bool,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Matching queries.
#[derive(Default)]
pub struct MatchingQuery;

#[Object]
impl MatchingQuery {
    /// Candidates ranked against one of your jobs (HR-5), best first, each with the required
    /// skills matched and missing, years against the minimum, and the resume's passage nearest
    /// the description. HR users rank the candidates they may find by search (assigned to them,
    /// or discoverable) against their own jobs; admins everyone against any job.
    async fn match_candidates(
        &self,
        ctx: &Context<'_>,
        job_id: ID,
        #[graphql(default = 10)] first: i32,
        after: Option<String>,
    ) -> AppResult<CandidateMatches> {
        let principal = ctx.principal()?;
        let job = parse_id(&job_id, "jobId")?;
        let first = page_length(first)?;
        let offset = parse_offset(after.as_deref())?;
        let page =
            matching::candidates_for_job(&ctx.services()?.service, &principal, job, first, offset).await?;
        let end = offset + page.matches.len();
        Ok(CandidateMatches {
            has_next_page: page.has_next,
            end_cursor: page.has_next.then(|| offset_cursor(end)),
            matches: page
                .matches
                .into_iter()
                .map(|m| CandidateMatch {
                    candidate: m.candidate.into(),
                    resume_id: ID(m.resume_id.to_string()),
                    score: m.score,
                    explanation: m.explanation.into(),
                })
                .collect(),
        })
    }

    /// Open jobs ranked against a candidate's active resume (yours without `candidateId`),
    /// best first, explained as in `matchCandidates`. Admins rank every open job, HR users
    /// their own, and a candidate the open jobs of the HR user they are assigned to. Refused
    /// with `CONFLICT` while the candidate has no analysed active resume.
    async fn matching_jobs(
        &self,
        ctx: &Context<'_>,
        candidate_id: Option<ID>,
        #[graphql(default = 10)] first: i32,
        after: Option<String>,
    ) -> AppResult<JobMatches> {
        let principal = ctx.principal()?;
        let candidate = candidate_id.as_ref().map(|id| parse_id(id, "candidateId")).transpose()?;
        let first = page_length(first)?;
        let offset = parse_offset(after.as_deref())?;
        let page =
            matching::jobs_for_candidate(&ctx.services()?.service, &principal, candidate, first, offset)
                .await?;
        let end = offset + page.matches.len();
        Ok(JobMatches {
            has_next_page: page.has_next,
            end_cursor: page.has_next.then(|| offset_cursor(end)),
            matches: page.matches.into_iter().map(JobMatch).collect(),
        })
    }
}
