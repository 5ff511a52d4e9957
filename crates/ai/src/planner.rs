//! Question planning (the `GENERATED` source of INT-2): bank questions ranked by meaning
//! against a job description and a resume, picked with diversity over question types and
//! topics (maximal marginal relevance).

use viva_domain::ai::{AiError, Embedder, cosine};
use viva_domain::interview::QuestionKind;

use crate::registry::Chain;

/// A bank question that may be picked.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Its id, returned in the plan.
    pub id: uuid::Uuid,
    /// Its kind.
    pub kind: QuestionKind,
    /// The question.
    pub text: String,
    /// Its expected keywords (they say what it is about).
    pub keywords: Vec<String>,
}

/// How much relevance counts against novelty when picking the next question.
const RELEVANCE_WEIGHT: f32 = 0.7;

/// Picks `count` questions for `context` (a job description and/or a resume): the most
/// relevant first, each next one trading relevance against similarity to those already
/// picked, and the kinds taken in turn so the interview mixes them. Without an embedder,
/// words shared with the context stand in for meaning.
pub async fn plan(
    embeddings: &Chain<dyn Embedder>,
    context: &str,
    candidates: &[Candidate],
    count: usize,
) -> Result<Vec<uuid::Uuid>, AiError> {
    if candidates.is_empty() || count == 0 {
        return Ok(Vec::new());
    }
    let describe = |c: &Candidate| format!("{} {}", c.text, c.keywords.join(", "));
    let (relevance, similarity): (Vec<f32>, Similarity) = if embeddings.is_empty() {
        lexical(context, candidates)
    } else {
        // The context may be long; its chunks of ~80 words are embedded and averaged.
        let mut texts: Vec<String> = chunks(context, 80);
        let n_chunks = texts.len();
        texts.extend(candidates.iter().map(describe));
        let (vectors, _) = embeddings.embed(&texts).await?;
        let (context_vectors, question_vectors) = vectors.split_at(n_chunks);
        let relevance = question_vectors
            .iter()
            .map(|q| context_vectors.iter().map(|c| cosine(c, q)).fold(f32::MIN, f32::max))
            .collect();
        let question_vectors = question_vectors.to_vec();
        (relevance, Box::new(move |a, b| cosine(&question_vectors[a], &question_vectors[b])))
    };
    let mut picked: Vec<usize> = Vec::new();
    let kinds = [QuestionKind::Technical, QuestionKind::Behavioural, QuestionKind::Situational];
    let mut turn = 0;
    while picked.len() < count.min(candidates.len()) {
        let wanted = kinds[turn % kinds.len()];
        turn += 1;
        let best = (0..candidates.len())
            .filter(|i| !picked.contains(i))
            .filter(|&i| {
                candidates[i].kind == wanted
                    || !candidates.iter().enumerate().any(|(j, c)| c.kind == wanted && !picked.contains(&j))
            })
            .map(|i| {
                let redundancy = picked.iter().map(|&p| similarity(i, p)).fold(0f32, f32::max);
                (i, RELEVANCE_WEIGHT * relevance[i] - (1.0 - RELEVANCE_WEIGHT) * redundancy)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = best {
            picked.push(i);
        }
    }
    Ok(picked.into_iter().map(|i| candidates[i].id).collect())
}

fn chunks(text: &str, words: usize) -> Vec<String> {
    let all: Vec<&str> = text.split_whitespace().collect();
    if all.is_empty() {
        return vec![String::new()];
    }
    all.chunks(words).map(|c| c.join(" ")).collect()
}

type Similarity = Box<dyn Fn(usize, usize) -> f32>;

fn lexical(context: &str, candidates: &[Candidate]) -> (Vec<f32>, Similarity) {
    use std::collections::HashSet;
    let bag = |t: &str| -> HashSet<String> {
        crate::text::words(t)
            .into_iter()
            .filter(|w| !crate::text::is_stopword(&w.text))
            .map(|w| crate::text::stem(&w.text))
            .collect()
    };
    let jaccard = |a: &HashSet<String>, b: &HashSet<String>| {
        let union = a.union(b).count();
        if union == 0 { 0.0 } else { a.intersection(b).count() as f32 / union as f32 }
    };
    let context_bag = bag(context);
    let bags: Vec<HashSet<String>> =
        candidates.iter().map(|c| bag(&format!("{} {}", c.text, c.keywords.join(" ")))).collect();
    let relevance =
        bags.iter().map(|b| b.intersection(&context_bag).count() as f32 / (b.len().max(1) as f32)).collect();
    (relevance, Box::new(move |a, b| jaccard(&bags[a], &bags[b])))
}
