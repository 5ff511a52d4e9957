//! HR-5: candidates ranked against a job, and jobs ranked against a candidate's active resume,
//! each match explained.
//!
//! # The score
//! A match scores 0 to 100: `100 · Σ wᵢ·cᵢ / Σ wᵢ` over the components that apply, each
//! between 0 and 1 ([`score`]):
//! - **skills**, weight 0.5: the share of the job's required skills that the resume lists, by
//!   the shipped skills list's canonical names (a job asking for `k8s` is asking for
//!   `Kubernetes`); applies when the job requires any skill;
//! - **years**, weight 0.2: the resume's years of experience over the job's minimum, at most 1;
//!   applies when the job sets a minimum above zero;
//! - **meaning**, weight 0.3: the cosine similarity of the embedding of the job's title and
//!   description to the resume's (the mean direction of its passages' vectors, the one this
//!   replica's index holds), a negative one counted as 0; applies when an embedding model
//!   answers. A resume without a vector of that model (one waiting to be re-embedded) scores 0
//!   here.
//!
//! What the job states as a requirement weighs most; meaning ranks among equals and finds the
//! resume that describes the work without naming the skills. A component that does not apply is
//! left out and the others share its weight, so a job listing no skills is ranked by years and
//! meaning. Every match carries its components, the skills matched and missing, the years
//! against the minimum, and the resume's passage nearest the job, so a reader can redo the sum.
//!
//! # Who sees what
//! - [`candidates_for_job`]: the job must be one the caller may see (its owner, or any for an
//!   admin); the candidates are those the caller may find by search ([`super::search`]: an HR
//!   user's assigned candidates and the discoverable ones, every candidate for admins). The
//!   candidates scored are those listing any required skill plus the [`NEAREST`] nearest by
//!   meaning (every findable one when the job lists no skill and no embedder answers): anyone
//!   else has no required skill and is further from the job than all of those.
//! - [`jobs_for_candidate`]: the caller must be allowed to see the candidate's resumes
//!   ([`super::access`]). The jobs are the open jobs the caller may see: every one for admins,
//!   an HR user's own, and for the candidate themself the open jobs of the HR user they are
//!   assigned to (none when unassigned).
//!
//! Job descriptions' vectors are stored per model with the digest of the text they were made
//! from (`job_embeddings`), made when a match first needs them and made again after the
//! description changes.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
use viva_domain::ai::cosine;
use viva_domain::vocab::ResumeStatus;
use viva_domain::{JobId, ResumeId, Role, UserId};
use viva_store::models::job::{self, Job};
use viva_store::models::resume::{self as store, SearchFilters};
use viva_store::models::resume_vectors::{self as vectors, JobEmbedding};
use viva_store::models::session::Principal;
use viva_store::models::user::{self as users, User};

use crate::{Service, ServiceError, ServiceResult};

/// The weight of required skills covered.
pub const SKILLS_WEIGHT: f64 = 0.5;
/// The weight of years against the minimum.
pub const YEARS_WEIGHT: f64 = 0.2;
/// The weight of the description's similarity to the resume.
pub const MEANING_WEIGHT: f64 = 0.3;
/// How many candidates nearest a job by meaning are scored besides those with a required skill.
pub const NEAREST: usize = 200;
/// Most jobs ranked for one candidate (the newest open ones).
const MAX_JOBS: i64 = 500;
/// Most passages of a job description embedded (about 80 words each).
const JOB_CHUNKS: usize = 8;
/// Jobs embedded per call to the embedder.
const JOBS_PER_CALL: usize = 32;

/// A match's components, each from 0 to 1; `None` for one that does not apply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Components {
    /// Share of the required skills the resume lists.
    pub skills: Option<f64>,
    /// Years of experience over the minimum, at most 1.
    pub years: Option<f64>,
    /// Similarity of the job's description to the resume, negative counted as 0.
    pub meaning: Option<f64>,
}

/// Why a resume and a job match as they do.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// Required skills (canonical names) the resume lists.
    pub matched_skills: Vec<String>,
    /// Required skills it does not list.
    pub missing_skills: Vec<String>,
    /// The resume's years of experience.
    pub years_of_experience: Option<f32>,
    /// The job's minimum years.
    pub min_years: Option<i32>,
    /// Whether the years reach the minimum (true when there is none).
    pub meets_min_years: bool,
    /// Cosine similarity of the job's description to the resume, when both have vectors.
    pub similarity: Option<f32>,
    /// The resume's passage nearest the job's description.
    pub passage: Option<String>,
    /// The components of the score.
    pub components: Components,
}

/// A candidate ranked against a job.
#[derive(Debug)]
pub struct CandidateMatch {
    /// The candidate.
    pub candidate: User,
    /// Their active resume.
    pub resume_id: ResumeId,
    /// 0 to 100.
    pub score: f64,
    /// Why.
    pub explanation: Explanation,
}

/// A job ranked against a candidate's active resume.
#[derive(Debug)]
pub struct JobMatch {
    /// The job.
    pub job: Job,
    /// 0 to 100.
    pub score: f64,
    /// Why.
    pub explanation: Explanation,
}

/// A page of matches, best first.
#[derive(Debug)]
pub struct MatchPage<T> {
    /// The matches.
    pub matches: Vec<T>,
    /// Whether more follow.
    pub has_next: bool,
}

/// What a job asks for: its required skills by canonical names (as written when the skills
/// list does not know them), and its minimum years.
#[derive(Clone, Debug)]
pub struct Requirements {
    /// Required skills, each once.
    pub skills: Vec<String>,
    /// Minimum years of experience.
    pub min_years: Option<i32>,
}

impl Requirements {
    /// A job's requirements.
    pub fn of(job: &Job) -> ServiceResult<Self> {
        let catalog = super::catalog()?;
        let mut skills: Vec<String> = Vec::new();
        for written in &job.required_skills {
            let written = written.trim();
            let name = catalog.canonical(written).unwrap_or(written);
            if !name.is_empty() && !skills.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                skills.push(name.to_owned());
            }
        }
        Ok(Self { skills, min_years: job.min_years })
    }
}

/// Scores a resume (its canonical skills, years, and similarity to the job when known)
/// against a job's requirements; `semantic` says whether meaning is part of this ranking (a
/// resume without a similarity then scores 0 on it). The rule is in the module's docs.
pub fn score(
    required: &Requirements,
    skills: &[String],
    years: Option<f32>,
    similarity: Option<f32>,
    semantic: bool,
) -> (f64, Explanation) {
    let (matched, missing): (Vec<String>, Vec<String>) =
        required.skills.iter().cloned().partition(|r| skills.iter().any(|s| s.eq_ignore_ascii_case(r)));
    let minimum = required.min_years.filter(|m| *m > 0);
    let have = f64::from(years.unwrap_or(0.0).max(0.0));
    let components = Components {
        skills: (!required.skills.is_empty()).then(|| matched.len() as f64 / required.skills.len() as f64),
        years: minimum.map(|m| (have / f64::from(m)).min(1.0)),
        meaning: semantic.then(|| f64::from(similarity.unwrap_or(0.0)).clamp(0.0, 1.0)),
    };
    let parts = [
        (SKILLS_WEIGHT, components.skills),
        (YEARS_WEIGHT, components.years),
        (MEANING_WEIGHT, components.meaning),
    ];
    let weight: f64 = parts.iter().filter_map(|(w, c)| c.map(|_| *w)).sum();
    let sum: f64 = parts.iter().filter_map(|(w, c)| c.map(|c| w * c)).sum();
    let score = if weight > 0.0 { 100.0 * sum / weight } else { 0.0 };
    let explanation = Explanation {
        matched_skills: matched,
        missing_skills: missing,
        years_of_experience: years,
        min_years: required.min_years,
        meets_min_years: minimum.is_none_or(|m| have >= f64::from(m)),
        similarity,
        passage: None,
        components,
    };
    (score, explanation)
}

/// Candidates ranked against a job the caller may see, best first: `first` of them after
/// `offset`.
pub async fn candidates_for_job(
    service: &Service,
    principal: &Principal,
    job_id: JobId,
    first: usize,
    offset: usize,
) -> ServiceResult<MatchPage<CandidateMatch>> {
    let scope = super::search::scope_of(principal)?;
    let mut conn = service.pool.get().await?;
    let job = crate::job_postings::owned(&mut conn, principal, job_id).await?;
    drop(conn);
    let required = Requirements::of(&job)?;
    let job_vector = job_vectors(service, &[&job]).await?.and_then(|(model, mut found)| {
        let vector = found.remove(&job.id)?;
        Some((model, vector))
    });
    let mut conn = service.pool.get().await?;
    let mut similarity: HashMap<UserId, f32> = HashMap::new();
    let mut nearest: Vec<UserId> = Vec::new();
    if let Some((model, vector)) = &job_vector {
        let eligible: HashSet<UserId> =
            store::searchable_candidates(&mut conn, scope, &SearchFilters::default())
                .await?
                .into_iter()
                .collect();
        if !eligible.is_empty() {
            let generation = service.events.generation();
            let hits = service
                .resume_index
                .search(&mut conn, generation, model, vector, eligible.len(), |c| eligible.contains(&c))
                .await?;
            nearest = hits.iter().take(NEAREST).map(|(c, _)| *c).collect();
            similarity = hits.into_iter().collect();
        }
    }
    let every = required.skills.is_empty() && job_vector.is_none();
    let facts = vectors::match_facts(&mut conn, scope, &required.skills, &nearest, every).await?;
    let semantic = job_vector.is_some();
    let mut ranked: Vec<_> = facts
        .into_iter()
        .map(|f| {
            let (score, explanation) = score(
                &required,
                &f.skills,
                f.years_of_experience,
                similarity.get(&f.candidate_id).copied(),
                semantic,
            );
            (f, score, explanation)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.candidate_id.cmp(&b.0.candidate_id)));
    let has_next = ranked.len() > offset + first;
    let page: Vec<_> = ranked.into_iter().skip(offset).take(first).collect();

    let ids: Vec<UserId> = page.iter().map(|(f, _, _)| f.candidate_id).collect();
    let mut people: HashMap<UserId, User> =
        users::find_many(&mut conn, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let mut passages = match &job_vector {
        Some((model, vector)) => {
            let resumes: Vec<ResumeId> = page.iter().map(|(f, _, _)| f.resume_id).collect();
            nearest_passages(store::passages_of(&mut conn, &resumes, model).await?, vector)
        }
        None => HashMap::new(),
    };
    let matches = page
        .into_iter()
        .filter_map(|(facts, score, mut explanation)| {
            explanation.passage = passages.remove(&facts.resume_id);
            Some(CandidateMatch {
                candidate: people.remove(&facts.candidate_id)?,
                resume_id: facts.resume_id,
                score,
                explanation,
            })
        })
        .collect();
    Ok(MatchPage { matches, has_next })
}

/// Jobs ranked against a candidate's active resume (the caller's own when `candidate` is
/// `None`), best first: `first` of them after `offset`. `CONFLICT` when the candidate has no
/// analysed active resume.
pub async fn jobs_for_candidate(
    service: &Service,
    principal: &Principal,
    candidate: Option<UserId>,
    first: usize,
    offset: usize,
) -> ServiceResult<MatchPage<JobMatch>> {
    let candidate = candidate.unwrap_or(principal.user_id);
    let mut conn = service.pool.get().await?;
    let person = super::access::check(&mut conn, principal, candidate).await?;
    let owner = match principal.role {
        Role::Admin => None,
        Role::Hr => Some(principal.user_id),
        Role::Candidate => match person.assigned_hr_id {
            Some(hr) => Some(hr),
            None => return Ok(MatchPage { matches: Vec::new(), has_next: false }),
        },
    };
    let resume = store::active_of(&mut conn, &[candidate])
        .await?
        .into_iter()
        .find(|r| r.status == ResumeStatus::Analysed)
        .ok_or_else(|| {
            ServiceError::Conflict("the candidate has no analysed active resume to match jobs against".into())
        })?;
    let jobs = job::list(&mut conn, owner, false, None, MAX_JOBS).await?;
    drop(conn);
    let job_refs: Vec<&Job> = jobs.iter().collect();
    let job_vectors = job_vectors(service, &job_refs).await?;
    let mut conn = service.pool.get().await?;
    let (resume_vector, passages) = match &job_vectors {
        Some((model, _)) => (
            vectors::resume_embedding(&mut conn, resume.id, model).await?.filter(|v| !v.is_empty()),
            store::passages_of(&mut conn, &[resume.id], model).await?,
        ),
        None => (None, Vec::new()),
    };
    let semantic = resume_vector.is_some();
    let mut ranked: Vec<(Job, f64, Explanation)> = Vec::with_capacity(jobs.len());
    for job in jobs {
        let required = Requirements::of(&job)?;
        let similarity = match (&resume_vector, &job_vectors) {
            (Some(resume_vector), Some((_, found))) => found.get(&job.id).map(|v| cosine(v, resume_vector)),
            _ => None,
        };
        let (score, explanation) =
            score(&required, &resume.skills, resume.years_of_experience, similarity, semantic);
        ranked.push((job, score, explanation));
    }
    ranked.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| b.0.created_at.cmp(&a.0.created_at))
            .then_with(|| a.0.id.cmp(&b.0.id))
    });
    let has_next = ranked.len() > offset + first;
    let matches = ranked
        .into_iter()
        .skip(offset)
        .take(first)
        .map(|(job, score, mut explanation)| {
            if let Some((_, found)) = &job_vectors
                && let Some(vector) = found.get(&job.id)
            {
                explanation.passage = nearest_passages(passages.clone(), vector).remove(&resume.id);
            }
            JobMatch { job, score, explanation }
        })
        .collect();
    Ok(MatchPage { matches, has_next })
}

/// Each resume's passage nearest `vector`.
fn nearest_passages(
    passages: Vec<(ResumeId, String, Vec<f32>)>,
    vector: &[f32],
) -> HashMap<ResumeId, String> {
    let mut best: HashMap<ResumeId, (f32, String)> = HashMap::new();
    for (resume, text, embedding) in passages {
        let similarity = cosine(&embedding, vector);
        if best.get(&resume).is_none_or(|(s, _)| similarity > *s) {
            best.insert(resume, (similarity, text));
        }
    }
    best.into_iter().map(|(id, (_, text))| (id, text)).collect()
}

/// The name vectors of the embedder's first model are stored under (`provider/model`).
pub(crate) fn active_model(service: &Service) -> Option<String> {
    service.ai.registry.embeddings.primary().map(|m| format!("{}/{}", m.provider, m.model))
}

/// SHA-256 of a text, hex.
fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The text of a job that is embedded: its title and description.
fn job_text(job: &Job) -> String {
    format!("{}\n{}", job.title, job.description)
}

/// The vectors by the active model of these jobs' titles and descriptions: the stored ones
/// still made from the current text, the others made now and stored. `None` when no embedder
/// is configured, or when another model than the active one answered (its vectors cannot be
/// compared with the index's).
async fn job_vectors(
    service: &Service,
    jobs: &[&Job],
) -> ServiceResult<Option<(String, HashMap<JobId, Vec<f32>>)>> {
    let Some(model) = active_model(service) else { return Ok(None) };
    let ids: Vec<JobId> = jobs.iter().map(|j| j.id).collect();
    let digests: HashMap<JobId, String> = jobs.iter().map(|j| (j.id, digest(&job_text(j)))).collect();
    let mut found: HashMap<JobId, Vec<f32>> = HashMap::new();
    {
        let mut conn = service.pool.get().await?;
        for stored in vectors::job_embeddings_of(&mut conn, &ids, &model).await? {
            if digests.get(&stored.job_id) == Some(&stored.description_digest) {
                found.insert(stored.job_id, stored.embedding);
            }
        }
    }
    let missing: Vec<&Job> = jobs.iter().copied().filter(|j| !found.contains_key(&j.id)).collect();
    for group in missing.chunks(JOBS_PER_CALL) {
        let mut texts: Vec<String> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for job in group {
            let mut chunks = super::passages(&job_text(job));
            chunks.truncate(JOB_CHUNKS);
            spans.push((texts.len(), chunks.len()));
            texts.extend(chunks);
        }
        let (embedded, served) =
            service.ai.registry.embeddings.embed(&texts).await.map_err(ServiceError::internal)?;
        if format!("{}/{}", served.provider, served.model) != model {
            tracing::warn!(%model, served = %served.model, "jobs are matched without meaning: the active embedding model did not answer");
            return Ok(None);
        }
        let mut conn = service.pool.get().await?;
        for (job, (start, len)) in group.iter().zip(spans) {
            let vector = super::mean_direction(&embedded[start..start + len]);
            let stored = JobEmbedding {
                job_id: job.id,
                description_digest: digests.get(&job.id).cloned().unwrap_or_default(),
                embedding: vector,
            };
            vectors::save_job_embedding(&mut conn, &model, &stored).await?;
            found.insert(job.id, stored.embedding);
        }
    }
    Ok(Some((model, found)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn required(skills: &[&str], min_years: Option<i32>) -> Requirements {
        Requirements { skills: skills.iter().map(|s| (*s).to_owned()).collect(), min_years }
    }

    fn owned(skills: &[&str]) -> Vec<String> {
        skills.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_score_is_the_weighted_mean_of_the_components_that_apply() {
        let job = required(&["Rust", "PostgreSQL", "Kubernetes", "Kafka"], Some(4));
        let (total, why) = score(&job, &owned(&["rust", "Kafka", "Go"]), Some(2.0), Some(0.75), true);
        assert_eq!(why.matched_skills, owned(&["Rust", "Kafka"]));
        assert_eq!(why.missing_skills, owned(&["PostgreSQL", "Kubernetes"]));
        assert_eq!(why.components, Components { skills: Some(0.5), years: Some(0.5), meaning: Some(0.75) });
        assert!(!why.meets_min_years);
        assert!((total - 100.0 * (0.5 * 0.5 + 0.2 * 0.5 + 0.3 * 0.75)).abs() < 1e-4, "{total}");
    }

    #[test]
    fn components_that_do_not_apply_leave_their_weight_to_the_others() {
        // No skills, no minimum: meaning alone.
        let (total, why) = score(&required(&[], None), &[], None, Some(0.25), true);
        assert_eq!(why.components, Components { skills: None, years: None, meaning: Some(0.25) });
        assert!(why.meets_min_years);
        assert!((total - 25.0).abs() < 1e-4);
        // No embedder: skills and years share everything; years beyond the minimum count as 1.
        let (total, _) = score(&required(&["Rust"], Some(3)), &owned(&["Rust"]), Some(9.0), None, false);
        assert!((total - 100.0).abs() < 1e-9);
        // A resume without a vector in a semantic ranking scores 0 on meaning, not less.
        let (total, why) = score(&required(&["Rust"], None), &owned(&["Rust"]), None, None, true);
        assert_eq!(why.components.meaning, Some(0.0));
        assert!((total - 100.0 * 0.5 / 0.8).abs() < 1e-9);
        // Negative similarity counts as 0.
        let (total, _) = score(&required(&[], None), &[], None, Some(-0.3), true);
        assert_eq!(total, 0.0);
    }

    #[test]
    fn digests_are_sha256_hex() {
        assert_eq!(digest("abc").len(), 64);
        assert_eq!(&digest("abc")[..8], "ba7816bf");
    }
}
