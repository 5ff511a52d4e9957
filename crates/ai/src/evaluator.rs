//! The offline answer evaluator: rules over the text plus sentence embeddings for meaning.
//!
//! It measures what an interviewer listens for — does the answer address the question and
//! agree with a strong answer, does it cover the expected ideas (literally or in other words),
//! does a story have a situation, a task, actions the speaker owned and a result, is it
//! specific, clear, free of filler and fitting for the time — and turns the measurements into
//! the five scores of the rubric, with strengths and improvements that quote the answer.
//! Without an embedding model it falls back to word overlap, and says so in its provenance.

use viva_domain::ai::{ModelInfo, cosine};
use viva_domain::evaluation::{Analysis, Evaluation, FillerCount, LengthVerdict, Provenance, Scores};
use viva_domain::interview::{QuestionKind, grade};

use crate::registry::Chain;
use crate::text::{self, Word};

mod calibration;
mod features;
mod notes;

pub use calibration::{CALIBRATION, Calibration, PREDICTOR_NAMES, PREDICTORS, Signals};
use features::features;
use notes::Notes;

/// The rubric this evaluator implements; stored with every evaluation. Version 2: the overall
/// score is the calibrated estimate of [`calibration`], no longer scaled by the time limit.
pub const RUBRIC_VERSION: &str = "offline-rubric-3";

/// The provider name recorded for rule-based evaluations.
pub const OFFLINE_PROVIDER: &str = "offline";

/// The question being answered.
#[derive(Clone, Copy, Debug)]
pub struct QuestionContext<'a> {
    /// The question.
    pub text: &'a str,
    /// Its kind.
    pub kind: QuestionKind,
    /// A strong answer to compare with.
    pub ideal_answer: &'a str,
    /// The ideas a good answer covers.
    pub expected_keywords: &'a [String],
    /// The time allowed.
    pub time_limit_seconds: i32,
}

impl<'a> From<&'a viva_domain::question_bank::BankQuestion> for QuestionContext<'a> {
    fn from(q: &'a viva_domain::question_bank::BankQuestion) -> Self {
        Self {
            text: &q.text,
            kind: q.kind,
            ideal_answer: &q.ideal_answer,
            expected_keywords: &q.expected_keywords,
            time_limit_seconds: q.time_limit_seconds,
        }
    }
}

/// The answer.
#[derive(Clone, Copy, Debug)]
pub struct AnswerInput<'a> {
    /// What was said or typed.
    pub text: &'a str,
    /// Seconds taken, if known.
    pub duration_seconds: Option<i32>,
}

/// Evaluates answers with the rules and whatever embedder the chain offers.
pub struct Evaluator<'a> {
    embeddings: &'a Chain<dyn viva_domain::ai::Embedder>,
    cache: Option<&'a QuestionCache>,
}

/// Embeddings of question-side texts (questions, ideal answers, keywords), which recur across
/// interviews: kept per provider and model, up to a bound, so each is computed once.
#[derive(Default)]
pub struct QuestionCache {
    vectors: std::sync::Mutex<std::collections::HashMap<(String, String), Vec<f32>>>,
}

const CACHE_ENTRIES: usize = 8192;

impl QuestionCache {
    fn get(&self, model: &ModelInfo, text: &str) -> Option<Vec<f32>> {
        let vectors = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
        vectors.get(&(format!("{}/{}", model.provider, model.model), text.to_owned())).cloned()
    }

    fn put(&self, model: &ModelInfo, text: &str, vector: &[f32]) {
        let mut vectors = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
        if vectors.len() >= CACHE_ENTRIES {
            vectors.clear();
        }
        vectors.insert((format!("{}/{}", model.provider, model.model), text.to_owned()), vector.to_vec());
    }
}

/// The meaning-based measurements.
struct Semantics {
    question: f32,
    /// Similarity to the ideal answer, or to the question when there is none.
    ideal: f32,
    /// Per expected keyword: covered, and the answer's byte span that covers it.
    keywords: Vec<Option<(usize, usize)>>,
    /// Per sentence of the answer: similarity to the question.
    sentence_relevance: Vec<f32>,
    model: Option<ModelInfo>,
}

/// Sentences embedded per answer; beyond them the answer's meaning is already clear, and each
/// one costs a pass through the model.
const MAX_SENTENCES: usize = 40;

impl<'a> Evaluator<'a> {
    /// An evaluator over an embedding chain (which may be empty).
    pub fn new(embeddings: &'a Chain<dyn viva_domain::ai::Embedder>) -> Self {
        Self { embeddings, cache: None }
    }

    /// The same, reusing question-side embeddings from `cache`.
    pub fn with_cache(
        embeddings: &'a Chain<dyn viva_domain::ai::Embedder>,
        cache: &'a QuestionCache,
    ) -> Self {
        Self { embeddings, cache: Some(cache) }
    }

    /// Embeds `texts`, taking the question-side ones (the first `question_side`) from the
    /// cache when the primary provider computed them before.
    async fn embed(
        &self,
        texts: Vec<String>,
        question_side: usize,
    ) -> Result<(Vec<Vec<f32>>, ModelInfo), viva_domain::ai::AiError> {
        let (Some(cache), Some(primary)) = (self.cache, self.embeddings.primary()) else {
            return self.embeddings.embed(&texts).await;
        };
        let cached: Vec<Option<Vec<f32>>> =
            texts[..question_side].iter().map(|t| cache.get(primary, t)).collect();
        let wanted: Vec<usize> =
            (0..texts.len()).filter(|&i| i >= question_side || cached[i].is_none()).collect();
        let batch: Vec<String> = wanted.iter().map(|&i| texts[i].clone()).collect();
        let (fresh, info) = self.embeddings.embed(&batch).await?;
        if info != *primary {
            // A fallback answered: its vectors are not comparable with cached ones.
            return self.embeddings.embed(&texts).await;
        }
        let mut out: Vec<Vec<f32>> = cached.into_iter().map(Option::unwrap_or_default).collect();
        out.resize(texts.len(), Vec::new());
        for (&i, v) in wanted.iter().zip(fresh) {
            if i < question_side {
                cache.put(&info, &texts[i], &v);
            }
            out[i] = v;
        }
        Ok((out, info))
    }

    /// Evaluates one answer. Never fails: when the embedder does, word overlap stands in.
    pub async fn evaluate(
        &self,
        question: &QuestionContext<'_>,
        answer: &AnswerInput<'_>,
    ) -> (Evaluation, Provenance) {
        let (evaluation, provenance, _) = self.evaluate_with_signals(question, answer).await;
        (evaluation, provenance)
    }

    /// [`Self::evaluate`], also returning the signals the overall score was computed from, so
    /// that a benchmark can refit [`CALIBRATION`] on some questions and test it on others.
    pub async fn evaluate_with_signals(
        &self,
        question: &QuestionContext<'_>,
        answer: &AnswerInput<'_>,
    ) -> (Evaluation, Provenance, Signals) {
        let words = text::words(answer.text);
        let sentences: Vec<(usize, usize)> =
            text::sentences(answer.text).into_iter().take(MAX_SENTENCES).collect();
        let semantics = match self.semantics(question, answer.text, &words, &sentences).await {
            Some(s) => s,
            None => lexical_semantics(question, answer.text, &words, &sentences),
        };
        let model = match &semantics.model {
            Some(info) => format!("rules+{}:{}", info.provider, info.model),
            None => "rules+word-overlap".to_owned(),
        };
        let (evaluation, signals) = score(question, answer, &words, &sentences, &semantics);
        let provenance = Provenance {
            provider: OFFLINE_PROVIDER.to_owned(),
            model,
            rubric_version: RUBRIC_VERSION.to_owned(),
            prompt_version: None,
        };
        (evaluation, provenance, signals)
    }

    /// Embeds the question side (cached) and each sentence of the answer in one batch; the
    /// answer's meaning is the mean of its sentences'.
    async fn semantics(
        &self,
        question: &QuestionContext<'_>,
        answer: &str,
        words: &[Word],
        sentences: &[(usize, usize)],
    ) -> Option<Semantics> {
        if self.embeddings.is_empty() || words.is_empty() {
            return None;
        }
        let lower = answer.to_lowercase();
        let literal: Vec<Option<(usize, usize)>> =
            question.expected_keywords.iter().map(|k| literal_keyword(&lower, words, k)).collect();
        let has_ideal = !question.ideal_answer.trim().is_empty();
        let mut texts: Vec<String> = vec![question.text.to_owned()];
        if has_ideal {
            texts.push(question.ideal_answer.to_owned());
        }
        texts.extend(question.expected_keywords.iter().cloned());
        let question_side = texts.len();
        let pieces: Vec<(usize, usize)> = if sentences.is_empty() {
            words.first().zip(words.last()).map(|(f, l)| (f.start, l.end)).into_iter().collect()
        } else {
            sentences.to_vec()
        };
        texts.extend(pieces.iter().map(|&(s, e)| answer[s..e].to_owned()));
        let (vectors, info) = match self.embed(texts, question_side).await {
            Ok(v) => v,
            Err(error) => {
                tracing::warn!(%error, "embedding failed; evaluating by word overlap");
                return None;
            }
        };
        let q = &vectors[0];
        let ideal = if has_ideal { &vectors[1] } else { q };
        let k0 = usize::from(has_ideal) + 1;
        let keyword_vectors = &vectors[k0..question_side];
        let piece_vectors = &vectors[question_side..];
        let answer_vector = mean_unit(piece_vectors);
        let keywords = literal
            .into_iter()
            .zip(keyword_vectors)
            .map(|(literal, kv)| {
                literal.or_else(|| {
                    pieces
                        .iter()
                        .zip(piece_vectors)
                        .map(|(span, v)| (*span, cosine(kv, v)))
                        .filter(|(_, sim)| *sim >= KEYWORD_MEANING_THRESHOLD)
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(span, _)| span)
                })
            })
            .collect();
        let sentence_relevance = if sentences.is_empty() {
            Vec::new()
        } else {
            piece_vectors.iter().map(|v| cosine(q, v)).collect()
        };
        Some(Semantics {
            question: cosine(q, &answer_vector),
            ideal: cosine(ideal, &answer_vector),
            keywords,
            sentence_relevance,
            model: Some(info),
        })
    }
}

/// How close a passage must be to an expected keyword to count as covering it.
const KEYWORD_MEANING_THRESHOLD: f32 = 0.6;

fn mean_unit(vectors: &[Vec<f32>]) -> Vec<f32> {
    let dims = vectors.first().map_or(0, Vec::len);
    let mut sum = vec![0f32; dims];
    for v in vectors {
        for (s, x) in sum.iter_mut().zip(v) {
            *s += x;
        }
    }
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    sum.iter().map(|x| x / norm).collect()
}

/// The span where a keyword is said in so many words (all its content words, inflected or not).
fn literal_keyword(lower: &str, words: &[Word], keyword: &str) -> Option<(usize, usize)> {
    let keyword = keyword.to_lowercase();
    if let Some(&at) = text::find_phrase_all(lower, &keyword).first() {
        return Some((at, at + keyword.len()));
    }
    let wanted: Vec<String> = text::words(&keyword)
        .iter()
        .filter(|w| !text::is_stopword(&w.text))
        .map(|w| text::stem(&w.text))
        .collect();
    if wanted.is_empty() {
        return None;
    }
    // Every content word within a few words of each other.
    let stems: Vec<String> = words.iter().map(|w| text::stem(&w.text)).collect();
    for (i, stem) in stems.iter().enumerate() {
        if *stem != wanted[0] {
            continue;
        }
        let window = &stems[i.saturating_sub(4)..(i + 5).min(stems.len())];
        if wanted.iter().all(|w| window.contains(w)) {
            return Some((words[i].start, words[i].end));
        }
    }
    None
}

/// Word-overlap stand-ins for the embedding measurements.
fn lexical_semantics(
    question: &QuestionContext<'_>,
    answer: &str,
    words: &[Word],
    sentences: &[(usize, usize)],
) -> Semantics {
    let bag = |t: &str| -> Vec<String> {
        text::words(t)
            .into_iter()
            .filter(|w| !text::is_stopword(&w.text))
            .map(|w| text::stem(&w.text))
            .collect()
    };
    let overlap = |a: &[String], b: &[String]| -> f32 {
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let set: std::collections::HashSet<&String> = b.iter().collect();
        let shared = a.iter().filter(|w| set.contains(w)).count() as f32;
        // Scaled to sit in the same range as sentence-embedding similarities.
        (shared / (a.len() as f32 * b.len() as f32).sqrt() * 1.6).min(1.0)
    };
    let answer_bag = bag(answer);
    let question_bag = bag(question.text);
    let lower = answer.to_lowercase();
    Semantics {
        question: overlap(&answer_bag, &question_bag),
        ideal: if question.ideal_answer.trim().is_empty() {
            overlap(&answer_bag, &question_bag)
        } else {
            overlap(&answer_bag, &bag(question.ideal_answer))
        },
        keywords: question.expected_keywords.iter().map(|k| literal_keyword(&lower, words, k)).collect(),
        sentence_relevance: sentences
            .iter()
            .map(|&(s, e)| overlap(&bag(&answer[s..e]), &question_bag))
            .collect(),
        model: None,
    }
}
fn clamp01(x: f32) -> f32 {
    x.clamp(0.0, 1.0)
}

fn ramp(x: f32, low: f32, high: f32) -> f32 {
    clamp01((x - low) / (high - low))
}

fn to_score(x: f32) -> i32 {
    (x.clamp(0.0, 100.0)).round() as i32
}

/// Measures the answer and turns the measurements into scores, notes and the signals the
/// overall score came from.
fn score(
    question: &QuestionContext<'_>,
    answer: &AnswerInput<'_>,
    words: &[Word],
    sentences: &[(usize, usize)],
    sem: &Semantics,
) -> (Evaluation, Signals) {
    let f = features(answer.text, words, sentences);
    let n = f.words as f32;
    let kind = question.kind;
    let embedded = sem.model.is_some();
    let has_ideal = !question.ideal_answer.trim().is_empty();

    let rel_q = if embedded { ramp(sem.question, 0.12, 0.55) } else { ramp(sem.question, 0.05, 0.45) };
    let rel_ideal = if embedded { ramp(sem.ideal, 0.30, 0.78) } else { ramp(sem.ideal, 0.05, 0.5) };
    let covered = sem.keywords.iter().filter(|k| k.is_some()).count();
    let per100 = |x: f32| if n > 0.0 { x * 100.0 / n } else { 0.0 };
    let specific = f.specificity();
    let generic = f.genericity();
    let reasoning = clamp01(f.reasoning as f32 / 3.0);
    let structure = match kind {
        QuestionKind::Behavioural => f32::from(f.star.parts()) / 4.0,
        QuestionKind::Situational => clamp01(f.plan_markers as f32 / 4.0) * 0.6 + reasoning * 0.4,
        QuestionKind::Technical => reasoning * 0.7 + clamp01(f.sentences as f32 / 4.0) * 0.3,
    };

    // Length against what the time allows (about 140 spoken words a minute): a verdict for
    // the notes. It scales no score; a short answer loses through what it leaves out.
    let budget = (question.time_limit_seconds.max(30) as f32) * 140.0 / 60.0;
    let enough = (budget * 0.25).clamp(45.0, 140.0);
    let length = if n < 12.0 || n < enough * 0.6 {
        LengthVerdict::TooShort
    } else if n > budget * 1.3 {
        LengthVerdict::TooLong
    } else {
        LengthVerdict::Appropriate
    };

    // What an answer says about the ideal one, and, without one, what it carries on its own.
    let overlap = calibration::overlap(question.text, question.ideal_answer, answer.text);
    let ideal_similarity = sem.ideal;
    let keyword_share = (!sem.keywords.is_empty()).then(|| covered as f32 / sem.keywords.len() as f32);
    // Under about 25 words an answer to an interview question cannot show much.
    let brevity = clamp01(n / 25.0);
    // How much the answer adds beyond the question's own words: distinct content words.
    let richness = 1.0 - (-(calibration::new_content_words(question.text, answer.text) as f32) / 40.0).exp();
    let substance = 0.4 * specific + 0.3 * structure + 0.3 * richness;
    // Relevance weighs little here: repeating the question's words is the evasive answer's trick.
    let open_estimate = (0.35 + 0.2 * rel_q + 0.45 * substance) * (0.6 + 0.4 * brevity);

    // The interview rules: what a trained interviewer marks down whatever the content.
    let hypothetical =
        kind == QuestionKind::Behavioural && f.hedges.len() as f32 >= 2.0 && f.actions.len() < 2;
    let story = kind != QuestionKind::Technical;
    let generic_pen = generic * if story { 0.25 } else { 0.12 };
    let red_flag_pen = (f.red_flags.len() as f32 * 0.1).min(0.25);
    let blame_pen = (f.blame.len() as f32 * 0.08).min(0.2);
    let buzz_pen = (per100(f.buzzwords.len() as f32) * 0.03).min(0.2);
    let filler_pen = (per100(f.filler_total as f32) * 0.01).min(0.15);
    let hedge_pen = if hypothetical { 0.1 } else { 0.0 };
    let overclaim_pen = (f.overclaims as f32 * 0.04).min(0.15);
    let keyword_pen = keyword_share.map_or(0.0, |share| 0.1 * (1.0 - share));
    // With an ideal answer, a story's specifics still count for something beyond the overlap.
    let specific_bonus = if has_ideal && story { 0.06 * specific } else { 0.0 };
    let adjustment = specific_bonus
        - generic_pen
        - red_flag_pen
        - blame_pen
        - buzz_pen
        - filler_pen
        - hedge_pen
        - overclaim_pen
        - keyword_pen;
    let off_topic = rel_q < 0.25 && rel_ideal < 0.25;
    let signals = Signals {
        has_ideal,
        ideal_similarity,
        ideal_recall: overlap.recall,
        answer_precision: overlap.precision,
        length_ratio: overlap.length_ratio,
        open_estimate,
        adjustment,
        ceiling: if off_topic { 0.35 } else { 1.0 },
    };
    let overall = signals.overall(&CALIBRATION);

    // The dimensions keep their meaning: content (substance and correctness), technical
    // depth (the expected ideas and the reasoning), relevance (to the question and the ideal
    // answer), communication (structure and delivery).
    let correctness = if has_ideal { CALIBRATION.grade(&signals.predictors()) / 5.0 } else { rel_q };
    let coverage = keyword_share.unwrap_or(correctness);
    let content = 100.0 * (0.45 * correctness + 0.25 * coverage + 0.3 * substance)
        - 100.0 * (generic_pen + red_flag_pen + blame_pen + buzz_pen + hedge_pen);
    let technical = 100.0 * (0.45 * coverage + 0.3 * correctness + 0.25 * reasoning) - 80.0 * buzz_pen;
    let relevance = 100.0 * (0.55 * rel_q + 0.45 * if has_ideal { rel_ideal } else { rel_q });
    let communication =
        100.0 * (0.55 + 0.25 * structure + 0.2 * clamp01(f.sentences as f32 / 5.0)) * (0.7 + 0.3 * brevity)
            - 400.0 * filler_pen
            - (f.long_sentences as f32 * 6.0).min(18.0)
            - 50.0 * blame_pen;
    let scores = Scores {
        content: to_score(content),
        communication: to_score(communication),
        technical_depth: to_score(technical),
        relevance: to_score(relevance),
        overall: to_score(overall),
    };

    let covered_words: Vec<String> = question
        .expected_keywords
        .iter()
        .zip(&sem.keywords)
        .filter(|(_, k)| k.is_some())
        .map(|(k, _)| k.clone())
        .collect();
    let missing: Vec<String> = question
        .expected_keywords
        .iter()
        .zip(&sem.keywords)
        .filter(|(_, k)| k.is_none())
        .map(|(k, _)| k.clone())
        .collect();
    let analysis = Analysis {
        question_similarity: sem.question,
        ideal_similarity,
        keywords_covered: covered_words,
        keywords_missing: missing,
        star: f.star,
        filler_words: f.fillers.iter().map(|(w, c)| FillerCount { word: w.clone(), count: *c }).collect(),
        words: f.words,
        sentences: f.sentences,
        words_per_minute: answer.duration_seconds.filter(|d| *d > 0).map(|d| n * 60.0 / d as f32),
        length,
    };
    let notes = Notes {
        question,
        answer: answer.text,
        words,
        sentences,
        sem,
        f: &f,
        analysis: &analysis,
        off_topic,
        hypothetical,
    };
    let strengths = notes.strengths();
    let improvements = notes.improvements();
    let feedback = notes.feedback(&scores, &strengths, &improvements);
    let remark = remark(scores.overall, off_topic);
    let evaluation = Evaluation {
        grade: grade(scores.overall).to_owned(),
        scores,
        strengths,
        improvements,
        feedback,
        ideal_answer: question.ideal_answer.trim().to_owned(),
        remark,
        analysis,
    };
    (evaluation, signals)
}

fn remark(overall: i32, off_topic: bool) -> String {
    let text = if off_topic {
        "The answer does not address the question that was asked."
    } else {
        match overall {
            85.. => "Excellent: specific, well structured and on point.",
            70..=84 => "Strong answer with a few gaps to close.",
            55..=69 => "Adequate, but it needs more substance and specifics.",
            40..=54 => "Weak: too general and missing key points.",
            _ => "Well below the bar for this question.",
        }
    };
    text.to_owned()
}
