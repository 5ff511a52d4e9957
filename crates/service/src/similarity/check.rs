//! Checking one stored answer for near-copies (the `check_answer_similarity` job's work).
//!
//! 1. The answer's fingerprint is stored and committed first. Two near-copies checked at the
//!    same time then cannot miss each other: whichever looks second finds the other's
//!    fingerprint (both may find each other; the pair's unique key keeps one flag).
//! 2. Answers to the same question by other candidates that share an LSH bucket are read
//!    through the band index, with their texts.
//! 3. Each is verified exactly (shingle Jaccard and containment); those over the text bar are
//!    embedded with the new answer in one call, and the pairs that pass
//!    [`super::is_near_copy`] are flagged.
//!
//! Nothing here holds a transaction open while the embedder runs.

use uuid::Uuid;
use viva_domain::AnswerId;
use viva_domain::ai::ModelInfo;
use viva_store::models::similarity::{self as store, AnswerSubject, BucketMate, NewFingerprint, NewFlag};

use super::fingerprint::{self, Overlap};
use crate::{Service, ServiceError, ServiceResult};

/// Sentences embedded per answer (the answer's meaning is the mean of its sentences').
const MAX_SENTENCES: usize = 40;

/// What a check did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Whether the answer was long enough to compare.
    pub compared: bool,
    /// Answers by other candidates that shared an LSH bucket with it.
    pub bucket_mates: usize,
    /// Of those, the ones whose text overlap called for a closer look.
    pub verified: usize,
    /// New flags raised.
    pub flagged: usize,
}

/// Fingerprints `answer_id` and flags near-copies of it. When the embedder fails, the check
/// fails (to be retried) unless `last_attempt`, when text overlap alone decides.
pub async fn check_answer(
    service: &Service,
    answer_id: AnswerId,
    last_attempt: bool,
) -> ServiceResult<CheckReport> {
    let mut conn = service.pool.get().await?;
    let Some(subject) = store::answer_subject(&mut conn, answer_id).await? else {
        return Ok(CheckReport::default());
    };
    let key = fingerprint::question_key(subject.question_id.map(Uuid::from), &subject.question_text);
    let words = fingerprint::words(&subject.text);
    let shingles = fingerprint::shingles(&words);
    let compared = words.len() >= fingerprint::MIN_WORDS;
    let bands =
        if compared { fingerprint::bands(key, &fingerprint::signature(&shingles)) } else { Vec::new() };
    store::insert_fingerprint(
        &mut conn,
        &NewFingerprint {
            answer_id,
            question_key: key,
            candidate_id: subject.candidate_id,
            practice: subject.practice,
            word_count: i32::try_from(words.len()).unwrap_or(i32::MAX),
            shingle_count: i32::try_from(shingles.len()).unwrap_or(i32::MAX),
            bands: &bands,
        },
    )
    .await?;
    if !compared {
        return Ok(CheckReport::default());
    }

    let mates =
        store::bucket_mates(&mut conn, key, &bands, subject.candidate_id, super::MAX_BUCKET_MATES).await?;
    drop(conn);
    let suspicious: Vec<(BucketMate, Overlap)> = mates
        .iter()
        .map(|mate| {
            (mate, fingerprint::overlap(&shingles, &fingerprint::shingles(&fingerprint::words(&mate.text))))
        })
        .filter(|(_, overlap)| super::text_suspicious(*overlap))
        .map(|(mate, overlap)| (mate.clone(), overlap))
        .collect();
    let mut report =
        CheckReport { compared, bucket_mates: mates.len(), verified: suspicious.len(), flagged: 0 };
    if suspicious.is_empty() {
        return Ok(report);
    }

    let (cosines, model) = match cosines(service, &subject, &suspicious, last_attempt).await? {
        Some((cosines, model)) => (cosines.into_iter().map(Some).collect(), Some(model)),
        None => (vec![None; suspicious.len()], None),
    };
    let model_name = model.map(|m| format!("{}:{}", m.provider, m.model));
    let mut conn = service.pool.get().await?;
    for ((mate, overlap), cosine) in suspicious.iter().zip(cosines) {
        if !super::is_near_copy(*overlap, cosine) {
            continue;
        }
        let flag = new_flag(&subject, key, mate, *overlap, cosine, model_name.as_deref());
        if store::insert_flag(&mut conn, &flag).await? {
            report.flagged += 1;
            tracing::info!(
                earlier = %flag.earlier_answer_id,
                later = %flag.later_answer_id,
                jaccard = overlap.jaccard,
                cosine,
                "near-copy answers flagged"
            );
        }
    }
    Ok(report)
}

/// The cosine similarity of the subject's embedding with each suspicious answer's, and the
/// model; `None` when no embedder is configured, or it failed on the last attempt.
async fn cosines(
    service: &Service,
    subject: &AnswerSubject,
    suspicious: &[(BucketMate, Overlap)],
    last_attempt: bool,
) -> ServiceResult<Option<(Vec<f32>, ModelInfo)>> {
    let chain = &service.ai.registry.embeddings;
    if chain.is_empty() {
        return Ok(None);
    }
    let answers: Vec<&str> = std::iter::once(subject.text.as_str())
        .chain(suspicious.iter().map(|(m, _)| m.text.as_str()))
        .collect();
    let pieces: Vec<Vec<&str>> = answers.iter().map(|t| fingerprint::sentences(t, MAX_SENTENCES)).collect();
    let texts: Vec<String> = pieces.iter().flatten().map(|s| (*s).to_owned()).collect();
    let (vectors, model) = match chain.embed(&texts).await {
        Ok(embedded) => embedded,
        Err(error) if last_attempt => {
            tracing::warn!(%error, "embedding failed on the last attempt; judging near-copies by text alone");
            return Ok(None);
        }
        Err(error) => return Err(ServiceError::internal(error)),
    };
    let mut means = Vec::with_capacity(answers.len());
    let mut next = 0;
    for sentences in &pieces {
        let count = sentences.len();
        means.push(mean_unit(vectors.get(next..next + count).unwrap_or_default()));
        next += count;
    }
    let (first, rest) = means.split_first().ok_or_else(|| ServiceError::internal("no embeddings"))?;
    Ok(Some((rest.iter().map(|v| dot(first, v).clamp(-1.0, 1.0)).collect(), model)))
}

/// The unit-length mean of unit vectors (empty when there are none).
fn mean_unit(vectors: &[Vec<f32>]) -> Vec<f32> {
    let Some(first) = vectors.first() else { return Vec::new() };
    let mut sum = vec![0.0f32; first.len()];
    for v in vectors {
        for (s, x) in sum.iter_mut().zip(v) {
            *s += x;
        }
    }
    let norm = dot(&sum, &sum).sqrt();
    if norm > 0.0 {
        sum.iter_mut().for_each(|s| *s /= norm);
    }
    sum
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The flag for a verified pair, the earlier answer (by submission, then id) first.
fn new_flag<'a>(
    subject: &AnswerSubject,
    key: Uuid,
    mate: &BucketMate,
    overlap: Overlap,
    cosine: Option<f32>,
    model: Option<&'a str>,
) -> NewFlag<'a> {
    let subject_side = (subject.submitted_at, subject.answer_id, subject.candidate_id, subject.practice);
    let mate_side = (mate.submitted_at, mate.answer_id, mate.candidate_id, mate.practice);
    let (earlier, later) =
        if mate_side < subject_side { (mate_side, subject_side) } else { (subject_side, mate_side) };
    NewFlag {
        id: viva_domain::ids::SimilarityFlagId::new(),
        earlier_answer_id: earlier.1,
        later_answer_id: later.1,
        question_key: key,
        question_id: subject.question_id,
        earlier_candidate_id: earlier.2,
        later_candidate_id: later.2,
        earlier_practice: earlier.3,
        later_practice: later.3,
        jaccard: overlap.jaccard.clamp(0.0, 1.0),
        containment: overlap.containment.clamp(0.0, 1.0),
        cosine,
        embedding_model: cosine.and(model),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_of_unit_vectors_is_unit_length() {
        let mean = mean_unit(&[vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert!((dot(&mean, &mean) - 1.0).abs() < 1e-6);
        assert!(mean_unit(&[]).is_empty());
    }
}
