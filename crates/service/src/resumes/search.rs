//! HR-2: candidate search over active resumes, by keywords and by meaning, each hit explained.
//!
//! Two rankings are fused: PostgreSQL full-text search over the resume's skills (weight A) and
//! text (weight B), any query word matching, ranked by `ts_rank_cd`; and the cosine similarity
//! of the query's embedding to the resume's, from this replica's
//! [`super::index::ResumeIndex`]. Each side's scores are min-max normalised over the resumes it
//! found, then combined convexly: `0.6 · semantic + 0.4 · keyword` (Bruch, Gai and Ingber, "An
//! Analysis of Fusion Functions for Hybrid Retrieval", ACM TOIS 2023: a convex combination of
//! min-max normalised scores beats reciprocal rank fusion and needs few examples to set). The
//! keyword side's minimum is 0 by construction (a resume with no query word is not found), so
//! it is its rank over the query's best; the semantic side's cosines sit in a narrow band (0.1
//! to 0.6 for this model), which the normalisation spreads to 0..1 so that the weights mean
//! what they say. A resume one side did not find scores 0 there.
//!
//! The normalisation and the weight were chosen on the development queries of
//! `tests/e2e/resumes.rs` (24 queries judged for that purpose); the 30 test queries there are
//! only measured. On the development set (nDCG@10): semantic 0.913, keyword 0.913, the earlier
//! `0.7 · cosine + 0.3 · keyword` 0.958, reciprocal rank fusion 0.940, min-max at 0.5/0.6/0.7/0.8
//! on the semantic side 0.961/0.973/0.967/0.967, z-scores 0.961 to 0.968.
//!
//! Both rankings see only the candidates the caller may find (the resume policy) that pass the
//! filters. Each hit says which skills matched (the query's and the filters', by their
//! canonical names) and which passage of the resume is nearest the query.

use std::collections::{HashMap, HashSet};

use viva_domain::{ResumeId, Role, UserId};
use viva_store::models::resume::{self as store, SearchFilters, SearchScope};
use viva_store::models::session::Principal;
use viva_store::models::user::{self as users, User};

use crate::{Service, ServiceError, ServiceResult};

/// How many candidates each ranking contributes before fusion.
const DEPTH: usize = 100;
/// The semantic side's weight in the fusion (the keyword side has the rest), chosen on the
/// development queries.
const SEMANTIC_WEIGHT: f64 = 0.6;
/// Longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 500;

/// Which ranking to use: the fused one, or either alone (for comparison and evaluation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ranking {
    /// Keywords and meaning, fused.
    Hybrid,
    /// Full-text search alone.
    Keyword,
    /// Embedding similarity alone.
    Semantic,
}

/// One candidate found, with why.
#[derive(Debug)]
pub struct Hit {
    /// The candidate.
    pub candidate: User,
    /// Their active resume.
    pub resume_id: ResumeId,
    /// The fused score (higher is better; comparable within one search).
    pub score: f64,
    /// Rank in the keyword ranking, from 1, if it found them.
    pub keyword_rank: Option<usize>,
    /// Rank in the semantic ranking, from 1, if it found them.
    pub semantic_rank: Option<usize>,
    /// Cosine similarity of the resume to the query, when known.
    pub similarity: Option<f32>,
    /// Skills of the query and filters the resume has.
    pub matched_skills: Vec<String>,
    /// The resume's passage nearest the query.
    pub passage: Option<String>,
    /// Years of experience.
    pub years_of_experience: Option<f32>,
}

/// A candidate's place in the fused ranking.
#[derive(Debug, Default)]
struct Fused {
    score: f64,
    keyword_rank: Option<usize>,
    semantic_rank: Option<usize>,
    similarity: Option<f32>,
}

/// A page of hits.
#[derive(Debug)]
pub struct SearchPage {
    /// The hits, best first.
    pub hits: Vec<Hit>,
    /// Whether more follow.
    pub has_next: bool,
}

/// Skills named in free text: every run of one to three words that the shipped list knows, by
/// canonical name, in order of first appearance.
pub fn skills_in(text: &str) -> ServiceResult<Vec<String>> {
    let catalog = super::catalog()?;
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found: Vec<String> = Vec::new();
    for start in 0..words.len() {
        for len in (1..=3).rev() {
            if start + len > words.len() {
                continue;
            }
            let term = words[start..start + len].join(" ");
            let term = term.trim_matches('"');
            if let Some(name) = catalog.canonical(term.trim_end_matches(['.', ':'])) {
                if !found.iter().any(|f| f == name) {
                    found.push(name.to_owned());
                }
                break;
            }
        }
    }
    Ok(found)
}

/// Whose active resumes the caller may find (the resume policy, [`super::access`], as a
/// query): every candidate for admins; for an HR user mapped to an admin, the candidates
/// assigned to them and the discoverable ones. Refused for anyone else.
pub(crate) fn scope_of(principal: &Principal) -> ServiceResult<SearchScope> {
    match principal.role {
        Role::Admin => Ok(SearchScope::All),
        Role::Hr if crate::organisation::is_mapped_hr(principal) => Ok(SearchScope::Hr(principal.user_id)),
        Role::Hr => Err(ServiceError::Forbidden("you must be mapped to an admin to search candidates")),
        Role::Candidate => Err(ServiceError::Forbidden("only HR users and admins search candidates")),
    }
}

/// Searches the candidates the caller may find. HR users mapped to an admin, and admins.
pub async fn search(
    service: &Service,
    principal: &Principal,
    query: &str,
    mut filters: SearchFilters,
    ranking: Ranking,
    first: usize,
    offset: usize,
) -> ServiceResult<SearchPage> {
    let scope = scope_of(principal)?;
    let query = query.trim();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(ServiceError::bad_field(
            "query",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    if query.is_empty()
        && filters.skills.is_empty()
        && filters.min_years.is_none()
        && filters.location.is_none()
    {
        return Err(ServiceError::bad_field("query", "give a query, or at least one filter"));
    }
    // Filters name skills as people write them; resumes store canonical names.
    let catalog = super::catalog()?;
    filters.skills = filters
        .skills
        .iter()
        .map(|s| catalog.canonical(s.trim()).map_or_else(|| s.trim().to_owned(), str::to_owned))
        .collect();
    let mut conn = service.pool.get().await?;

    let keyword = if query.is_empty() || ranking == Ranking::Semantic {
        Vec::new()
    } else {
        store::keyword_search(&mut conn, &any_word(query), scope, &filters, DEPTH as i64).await?
    };
    let (semantic, query_vector) = if query.is_empty() || ranking == Ranking::Keyword {
        (Vec::new(), None)
    } else {
        let (mut vectors, model) = service
            .ai
            .registry
            .embeddings
            .embed(&[query.to_owned()])
            .await
            .map_err(ServiceError::internal)?;
        let vector =
            vectors.pop().ok_or_else(|| ServiceError::internal("the embedder returned no vector"))?;
        let model = format!("{}/{}", model.provider, model.model);
        let eligible: Option<HashSet<UserId>> = match (scope, &filters) {
            (SearchScope::All, f) if f.skills.is_empty() && f.min_years.is_none() && f.location.is_none() => {
                None
            }
            _ => Some(store::searchable_candidates(&mut conn, scope, &filters).await?.into_iter().collect()),
        };
        let generation = service.events.generation();
        let hits = service
            .resume_index
            .search(&mut conn, generation, &model, &vector, DEPTH, |candidate| {
                eligible.as_ref().is_none_or(|set| set.contains(&candidate))
            })
            .await?;
        (hits, Some((vector, model)))
    };
    let browse = if query.is_empty() {
        store::searchable_candidates(&mut conn, scope, &filters).await?
    } else {
        Vec::new()
    };

    // Fuse.
    let best_rank = keyword.iter().map(|(_, rank)| *rank).fold(0f32, f32::max);
    let keyword_weight = if semantic.is_empty() { 1.0 } else { 1.0 - SEMANTIC_WEIGHT };
    let semantic_weight = if keyword.is_empty() { 1.0 } else { SEMANTIC_WEIGHT };
    let mut fused: HashMap<UserId, Fused> = HashMap::new();
    for (position, (candidate, rank)) in keyword.iter().enumerate() {
        let entry = fused.entry(*candidate).or_default();
        if best_rank > 0.0 {
            entry.score += keyword_weight * f64::from(rank / best_rank);
        }
        entry.keyword_rank = Some(position + 1);
    }
    let (lowest, highest) = semantic
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), (_, similarity)| (lo.min(*similarity), hi.max(*similarity)));
    for (position, (candidate, similarity)) in semantic.iter().enumerate() {
        let entry = fused.entry(*candidate).or_default();
        entry.score += semantic_weight * min_max(*similarity, lowest, highest);
        entry.semantic_rank = Some(position + 1);
        entry.similarity = Some(*similarity);
    }
    for candidate in &browse {
        fused.entry(*candidate).or_default();
    }
    let mut ranked: Vec<(UserId, Fused)> = fused.into_iter().collect();
    ranked.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| a.0.cmp(&b.0)));
    let has_next = ranked.len() > offset + first;
    let page: Vec<_> = ranked.into_iter().skip(offset).take(first).collect();

    // Explain the page.
    let ids: Vec<UserId> = page.iter().map(|(c, _)| *c).collect();
    let people: HashMap<UserId, User> =
        users::find_many(&mut conn, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let resumes: HashMap<UserId, store::Resume> =
        store::active_of(&mut conn, &ids).await?.into_iter().map(|r| (r.candidate_id, r)).collect();
    let wanted: Vec<String> = {
        let mut wanted = skills_in(query)?;
        for skill in &filters.skills {
            if !wanted.contains(skill) {
                wanted.push(skill.clone());
            }
        }
        wanted
    };
    let best_passages: HashMap<ResumeId, String> = match &query_vector {
        Some((vector, model)) => {
            let resume_ids: Vec<ResumeId> = resumes.values().map(|r| r.id).collect();
            let mut best: HashMap<ResumeId, (f32, String)> = HashMap::new();
            for (resume, text, embedding) in store::passages_of(&mut conn, &resume_ids, model).await? {
                let score: f32 = embedding.iter().zip(vector).map(|(a, b)| a * b).sum();
                if best.get(&resume).is_none_or(|(s, _)| score > *s) {
                    best.insert(resume, (score, text));
                }
            }
            best.into_iter().map(|(id, (_, text))| (id, text)).collect()
        }
        None => HashMap::new(),
    };
    let hits = page
        .into_iter()
        .filter_map(|(candidate, Fused { score, keyword_rank, semantic_rank, similarity })| {
            let person = people.get(&candidate)?.clone();
            let resume = resumes.get(&candidate)?;
            let matched_skills = wanted
                .iter()
                .filter(|w| resume.skills.iter().any(|s| s.eq_ignore_ascii_case(w)))
                .cloned()
                .collect();
            let passage = best_passages.get(&resume.id).cloned().or_else(|| keyword_passage(resume, query));
            Some(Hit {
                candidate: person,
                resume_id: resume.id,
                score,
                keyword_rank,
                semantic_rank,
                similarity,
                matched_skills,
                passage,
                years_of_experience: resume.years_of_experience,
            })
        })
        .collect();
    Ok(SearchPage { hits, has_next })
}

/// `value` placed between the lowest and highest of its ranking, 0 to 1; 1 when they are equal
/// (a single hit, or ties, are the best of their ranking).
fn min_max(value: f32, lowest: f32, highest: f32) -> f64 {
    if highest > lowest { f64::from((value - lowest) / (highest - lowest)) } else { 1.0 }
}

/// The query for full-text search with its words joined by `or` (websearch syntax): a resume
/// matching any word is found, and ranked higher the more it matches; quoted phrases stay
/// phrases. A recruiter's query lists what they hope for, not what every hit must have (that is
/// what the skill filter is for).
fn any_word(query: &str) -> String {
    let mut terms: Vec<String> = Vec::new();
    let mut rest = query;
    while let Some(start) = rest.find('"') {
        terms.extend(rest[..start].split_whitespace().map(plain_word).filter(|w| !w.is_empty()));
        let after = &rest[start + 1..];
        match after.find('"') {
            Some(end) => {
                let phrase = after[..end].trim();
                if !phrase.is_empty() {
                    terms.push(format!("\"{phrase}\""));
                }
                rest = &after[end + 1..];
            }
            None => {
                rest = after;
            }
        }
    }
    terms.extend(rest.split_whitespace().map(plain_word).filter(|w| !w.is_empty()));
    terms.join(" or ")
}

/// A word without websearch operators: `or` is the operator itself, and a word with a leading
/// `-` ("not") is dropped, since any-word matching cannot exclude.
fn plain_word(word: &str) -> String {
    let word = word.trim_matches(|c: char| c == '"');
    if word.starts_with('-') || word.eq_ignore_ascii_case("or") { String::new() } else { word.to_owned() }
}

/// Without embeddings, the summary of the analysis stands in for the nearest passage.
fn keyword_passage(resume: &store::Resume, query: &str) -> Option<String> {
    let summary = resume.analysis.as_ref()?.get("summary")?.as_str()?;
    (!query.is_empty() || !summary.is_empty()).then(|| summary.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarities_are_spread_over_their_ranking() {
        assert!((min_max(0.3, 0.1, 0.5) - 0.5).abs() < 1e-6);
        assert_eq!(min_max(0.1, 0.1, 0.5), 0.0);
        assert_eq!(min_max(0.4, 0.4, 0.4), 1.0);
    }

    #[test]
    fn keyword_queries_match_any_word_and_keep_phrases() {
        assert_eq!(any_word("Go gRPC  Kafka"), "Go or gRPC or Kafka");
        assert_eq!(any_word("\"site reliability\" -java or k8s"), "\"site reliability\" or k8s");
        assert_eq!(any_word("\"unclosed phrase"), "unclosed or phrase");
        assert_eq!(any_word("   "), "");
    }
}
