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

mod features;

use features::{Features, REASONING, features};

/// The rubric this evaluator implements; stored with every evaluation.
pub const RUBRIC_VERSION: &str = "offline-rubric-1";

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
    ideal: f32,
    /// Per expected keyword: covered, and the answer's byte span that covers it.
    keywords: Vec<Option<(usize, usize)>>,
    /// Per sentence of the answer: similarity to the question.
    sentence_relevance: Vec<f32>,
    model: Option<ModelInfo>,
}

const MAX_SENTENCES: usize = 60;
const MAX_WINDOWS: usize = 100;
const WINDOW_WORDS: usize = 6;

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
        let evaluation = score(question, answer, &words, &sentences, &semantics);
        let provenance = Provenance {
            provider: OFFLINE_PROVIDER.to_owned(),
            model,
            rubric_version: RUBRIC_VERSION.to_owned(),
            prompt_version: None,
        };
        (evaluation, provenance)
    }

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
        // Chunks of about 60 words stand for the whole answer: the model reads 256 tokens.
        let chunks = chunk_spans(sentences, words, 60);
        let lower = answer.to_lowercase();
        let literal: Vec<Option<(usize, usize)>> =
            question.expected_keywords.iter().map(|k| literal_keyword(&lower, words, k)).collect();
        // Short windows find an idea said in other words; only needed when one is not said outright.
        let windows = if literal.iter().all(Option::is_some) {
            Vec::new()
        } else {
            window_spans(words, WINDOW_WORDS, 3, MAX_WINDOWS)
        };
        // Without an ideal answer, the question stands in for it.
        let ideal_text =
            if question.ideal_answer.trim().is_empty() { question.text } else { question.ideal_answer };
        let mut texts: Vec<String> = vec![question.text.to_owned(), ideal_text.to_owned()];
        texts.extend(question.expected_keywords.iter().cloned());
        let spans: Vec<(usize, usize)> = chunks.iter().chain(sentences).chain(&windows).copied().collect();
        texts.extend(spans.iter().map(|&(s, e)| answer[s..e].to_owned()));
        let question_side = 2 + question.expected_keywords.len();
        let (vectors, info) = match self.embed(texts, question_side).await {
            Ok(v) => v,
            Err(error) => {
                tracing::warn!(%error, "embedding failed; evaluating by word overlap");
                return None;
            }
        };
        let (q, ideal) = (&vectors[0], &vectors[1]);
        let k = question.expected_keywords.len();
        let keyword_vectors = &vectors[2..2 + k];
        let chunk_vectors = &vectors[2 + k..2 + k + chunks.len()];
        let sentence_vectors = &vectors[2 + k + chunks.len()..2 + k + chunks.len() + sentences.len()];
        let window_vectors = &vectors[2 + k + chunks.len() + sentences.len()..];
        let answer_vector = mean_unit(chunk_vectors);
        let keywords = literal
            .into_iter()
            .zip(keyword_vectors)
            .map(|(literal, kv)| {
                literal.or_else(|| {
                    let pieces =
                        sentences.iter().zip(sentence_vectors).chain(windows.iter().zip(window_vectors));
                    pieces
                        .map(|(span, v)| (*span, cosine(kv, v)))
                        .filter(|(_, sim)| *sim >= KEYWORD_MEANING_THRESHOLD)
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(span, _)| span)
                })
            })
            .collect();
        Some(Semantics {
            question: cosine(q, &answer_vector),
            ideal: cosine(ideal, &answer_vector),
            keywords,
            sentence_relevance: sentence_vectors.iter().map(|v| cosine(q, v)).collect(),
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

/// Consecutive sentences grouped into spans of about `target` words.
fn chunk_spans(sentences: &[(usize, usize)], words: &[Word], target: usize) -> Vec<(usize, usize)> {
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(usize, usize, usize)> = None;
    for &(s, e) in sentences {
        let n = words.iter().filter(|w| w.start >= s && w.end <= e).count();
        current = match current {
            Some((cs, _, cn)) if cn + n <= target || cn == 0 => Some((cs, e, cn + n)),
            Some((cs, ce, _)) => {
                chunks.push((cs, ce));
                Some((s, e, n))
            }
            None => Some((s, e, n)),
        };
    }
    if let Some((cs, ce, _)) = current {
        chunks.push((cs, ce));
    }
    if chunks.is_empty()
        && let (Some(first), Some(last)) = (words.first(), words.last())
    {
        chunks.push((first.start, last.end));
    }
    chunks
}

/// Overlapping word windows, for finding an idea said in a few words.
fn window_spans(words: &[Word], size: usize, stride: usize, max: usize) -> Vec<(usize, usize)> {
    if words.len() <= size {
        return Vec::new();
    }
    (0..=words.len() - size)
        .step_by(stride)
        .take(max)
        .map(|i| (words[i].start, words[i + size - 1].end))
        .collect()
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
        ideal: overlap(&answer_bag, &bag(question.ideal_answer)),
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

fn score(
    question: &QuestionContext<'_>,
    answer: &AnswerInput<'_>,
    words: &[Word],
    sentences: &[(usize, usize)],
    sem: &Semantics,
) -> Evaluation {
    let f = features(answer.text, words, sentences);
    let n = f.words as f32;
    let kind = question.kind;
    let embedded = sem.model.is_some();

    let rel_q = if embedded { ramp(sem.question, 0.12, 0.55) } else { ramp(sem.question, 0.05, 0.45) };
    let rel_ideal = if embedded { ramp(sem.ideal, 0.30, 0.78) } else { ramp(sem.ideal, 0.05, 0.5) };
    let covered = sem.keywords.iter().filter(|k| k.is_some()).count();
    let coverage =
        if sem.keywords.is_empty() { rel_ideal } else { covered as f32 / sem.keywords.len() as f32 };
    let per100 = |x: f32| if n > 0.0 { x * 100.0 / n } else { 0.0 };
    let specific = clamp01(f.numbers.len() as f32 / 3.0) * 0.6 + clamp01(f.actions.len() as f32 / 4.0) * 0.4;
    let reasoning = clamp01(f.reasoning as f32 / 3.0);
    let structure = match kind {
        QuestionKind::Behavioural => f32::from(f.star.parts()) / 4.0,
        QuestionKind::Situational => clamp01(f.plan_markers as f32 / 4.0) * 0.6 + reasoning * 0.4,
        QuestionKind::Technical => reasoning * 0.7 + clamp01(f.sentences as f32 / 4.0) * 0.3,
    };

    // Length against what the time allows (about 140 spoken words a minute).
    let budget = (question.time_limit_seconds.max(30) as f32) * 140.0 / 60.0;
    let enough = (budget * 0.25).clamp(45.0, 140.0);
    let length = if n < 12.0 || n < enough * 0.6 {
        LengthVerdict::TooShort
    } else if n > budget * 1.3 {
        LengthVerdict::TooLong
    } else {
        LengthVerdict::Appropriate
    };
    let length_factor = match length {
        LengthVerdict::TooShort => 0.45 + 0.55 * clamp01(n / enough).powi(2),
        LengthVerdict::Appropriate => 1.0,
        LengthVerdict::TooLong => 0.92,
    };

    // Penalties, in points.
    let hypothetical =
        kind == QuestionKind::Behavioural && f.hedges.len() as f32 >= 2.0 && f.actions.len() < 2;
    let hedge_pen = if kind == QuestionKind::Behavioural { per100(f.hedges.len() as f32) * 2.5 } else { 0.0 }
        + if hypothetical { 12.0 } else { 0.0 };
    let buzz_pen = (per100(f.buzzwords.len() as f32) * 4.0).min(25.0);
    let blame_pen = (f.blame.len() as f32 * 9.0).min(25.0);
    let filler_rate = per100(f.filler_total as f32);
    let filler_pen = (filler_rate * 4.0).min(40.0);

    let content = 100.0 * (0.38 * rel_ideal + 0.27 * coverage + 0.2 * specific + 0.15 * structure)
        - hedge_pen
        - buzz_pen
        - blame_pen;
    let technical = 100.0 * (0.45 * coverage + 0.3 * rel_ideal + 0.25 * reasoning) - buzz_pen * 0.8;
    let relevance = 100.0 * (0.55 * rel_q + 0.45 * rel_ideal);
    let communication = 100.0 * (0.55 + 0.25 * structure + 0.2 * clamp01(f.sentences as f32 / 5.0))
        - filler_pen
        - (f.long_sentences as f32 * 6.0).min(18.0)
        - blame_pen * 0.5;
    let (content, technical, relevance, communication) = (
        content * length_factor,
        technical * length_factor,
        relevance * length_factor.sqrt(),
        communication * (0.5 + 0.5 * length_factor),
    );
    let (wc, wt, wr, wm) = match kind {
        QuestionKind::Behavioural => (0.38, 0.14, 0.22, 0.26),
        QuestionKind::Technical => (0.30, 0.35, 0.20, 0.15),
        QuestionKind::Situational => (0.36, 0.20, 0.22, 0.22),
    };
    let mut overall = wc * content + wt * technical + wr * relevance + wm * communication;
    let off_topic = rel_q < 0.25 && rel_ideal < 0.25;
    if off_topic {
        overall = overall.min(35.0);
    }
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
        ideal_similarity: sem.ideal,
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
    Evaluation {
        grade: grade(scores.overall).to_owned(),
        scores,
        strengths,
        improvements,
        feedback,
        ideal_answer: question.ideal_answer.trim().to_owned(),
        remark,
        analysis,
    }
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

/// Writes the strengths, improvements and feedback, quoting the answer.
struct Notes<'n> {
    question: &'n QuestionContext<'n>,
    answer: &'n str,
    words: &'n [Word],
    sentences: &'n [(usize, usize)],
    sem: &'n Semantics,
    f: &'n Features,
    analysis: &'n Analysis,
    off_topic: bool,
    hypothetical: bool,
}

impl Notes<'_> {
    fn quote(&self, at: usize, max_words: usize) -> String {
        let end = self.words.iter().find(|w| w.start >= at).map_or(at, |w| w.end);
        text::excerpt(self.answer, at, end, max_words)
    }

    fn strengths(&self) -> Vec<String> {
        let mut out = Vec::new();
        let covered: Vec<(usize, usize)> = self.sem.keywords.iter().flatten().copied().collect();
        if !self.analysis.keywords_covered.is_empty() && !self.off_topic {
            let names =
                self.analysis.keywords_covered.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
            let example = covered.first().map(|&(s, _)| self.quote(s, 12)).unwrap_or_default();
            out.push(format!("Covered what the question looks for ({names}), for example: \"{example}\"."));
        }
        if let Some(&at) = self.f.numbers.first() {
            out.push(format!("Made it concrete with numbers: \"{}\".", self.quote(at, 12)));
        }
        if self.question.kind != QuestionKind::Technical
            && self.f.actions.len() >= 2
            && self.f.blame.is_empty()
        {
            out.push(format!(
                "Owned the actions in the first person: \"{}\".",
                self.quote(self.f.actions[0], 10)
            ));
        }
        if self.question.kind == QuestionKind::Behavioural && self.f.star.parts() >= 3 {
            out.push("Told it as a story with a clear situation, task, action and result.".to_owned());
        }
        if self.f.reasoning >= 2 && self.question.kind != QuestionKind::Behavioural {
            let lower = self.answer.to_lowercase();
            let at = REASONING.iter().filter_map(|p| text::find_phrase_all(&lower, p).first().copied()).min();
            if let Some(at) = at {
                out.push(format!("Explained the reasoning and trade-offs: \"{}\".", self.quote(at, 12)));
            }
        }
        if self.f.filler_total == 0
            && self.analysis.length == LengthVerdict::Appropriate
            && self.f.long_sentences == 0
        {
            out.push(format!(
                "Clear delivery: {} words in {} sentences with no filler words.",
                self.f.words, self.f.sentences
            ));
        }
        out.truncate(4);
        out
    }

    fn improvements(&self) -> Vec<String> {
        let mut out = Vec::new();
        if (self.off_topic || self.sem.question < 0.2)
            && let Some(at) = self.least_relevant_sentence()
        {
            out.push(format!(
                "Stay on the question (\"{}\"): \"{}\" does not answer it.",
                text::clean_quote(self.question.text),
                self.quote(at, 14)
            ));
        }
        if self.hypothetical {
            out.push(format!(
                "Describe a real time you did this, not what you would do: \"{}\".",
                self.quote(self.f.hedges[0], 10)
            ));
        }
        if !self.f.blame.is_empty() {
            out.push(format!(
                "\"{}\" puts the blame on others; say what you owned and what you would do differently.",
                self.quote(self.f.blame[0], 12)
            ));
        }
        if self.f.filler_total >= 3 {
            let mut fillers = self.f.fillers.clone();
            fillers.sort_by_key(|f| std::cmp::Reverse(f.1));
            let list: Vec<String> = fillers.iter().take(3).map(|(w, n)| format!("\"{w}\" ({n}×)")).collect();
            out.push(format!("Cut the filler words: {}.", list.join(", ")));
        }
        if self.f.buzzwords.len() >= 2 {
            out.push(format!(
                "Replace buzzwords with specifics: \"{}\" says little about what you actually did.",
                self.quote(self.f.buzzwords[0], 10)
            ));
        }
        if !self.analysis.keywords_missing.is_empty() && !self.off_topic {
            let missing =
                self.analysis.keywords_missing.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
            match self.vaguest_sentence() {
                Some(at) => out.push(format!(
                    "Go deeper where it stays general, as in \"{}\"; the answer does not cover {missing}.",
                    self.quote(at, 12)
                )),
                None => out.push(format!("The answer does not cover {missing}.")),
            }
        }
        if self.question.kind == QuestionKind::Behavioural
            && !self.f.star.result
            && !self.off_topic
            && let Some(&(s, _)) = self.sentences.last()
        {
            out.push(format!(
                "End with the outcome and how you measured it; the story stops at \"{}\".",
                self.quote(s, 10)
            ));
        }
        if self.f.numbers.is_empty()
            && self.question.kind != QuestionKind::Technical
            && !self.off_topic
            && let Some(at) = self.vaguest_sentence()
        {
            let quote = self.quote(at, 12);
            if !out.iter().any(|o| o.contains(&quote)) {
                out.push(format!("Add numbers or concrete detail to claims like \"{quote}\"."));
            }
        }
        if self.analysis.length == LengthVerdict::TooShort {
            let said = self.words.first().map(|w| self.quote(w.start, 12)).unwrap_or_default();
            out.push(format!(
                "At {} words (\"{said}\") the answer is too short for a {}-second question; develop it with an example.",
                self.f.words, self.question.time_limit_seconds
            ));
        }
        if self.analysis.length == LengthVerdict::TooLong {
            out.push(format!(
                "At {} words the answer runs past its time; lead with the point.",
                self.f.words
            ));
        }
        if self.f.long_sentences > 0 {
            out.push("Break up the longest sentences; several run past forty words.".to_owned());
        }
        if out.is_empty() {
            out.push(
                "Close with one sentence on what you learned or would do differently next time.".to_owned(),
            );
        }
        out.truncate(4);
        out
    }

    fn least_relevant_sentence(&self) -> Option<usize> {
        self.sentences
            .iter()
            .zip(&self.sem.sentence_relevance)
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|((s, _), _)| *s)
    }

    /// The sentence with the fewest specifics: no numbers, no covered keyword, least relevant.
    fn vaguest_sentence(&self) -> Option<usize> {
        let covered: Vec<(usize, usize)> = self.sem.keywords.iter().flatten().copied().collect();
        self.sentences
            .iter()
            .zip(&self.sem.sentence_relevance)
            .filter(|((s, e), _)| {
                !self.f.numbers.iter().any(|n| n >= s && n < e)
                    && !covered.iter().any(|(ks, _)| ks >= s && ks < e)
            })
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|((s, _), _)| *s)
    }

    fn feedback(&self, scores: &Scores, strengths: &[String], improvements: &[String]) -> String {
        let a = self.analysis;
        let mut parts = Vec::new();
        parts.push(format!(
            "Overall {}/100 (content {}, communication {}, technical depth {}, relevance {}).",
            scores.overall, scores.content, scores.communication, scores.technical_depth, scores.relevance
        ));
        let total = a.keywords_covered.len() + a.keywords_missing.len();
        if total > 0 {
            parts.push(format!(
                "It covers {} of the {} key points expected.",
                a.keywords_covered.len(),
                total
            ));
        }
        if self.question.kind == QuestionKind::Behavioural {
            let missing: Vec<&str> = [
                (!a.star.situation).then_some("the situation"),
                (!a.star.task).then_some("your task"),
                (!a.star.action).then_some("your own actions"),
                (!a.star.result).then_some("the result"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if missing.is_empty() {
                parts.push("The story has all four STAR parts.".to_owned());
            } else {
                parts.push(format!("The story leaves out {}.", missing.join(", ")));
            }
        }
        if let Some(wpm) = a.words_per_minute {
            parts.push(format!("Pace: about {} words a minute.", wpm.round()));
        }
        if let Some(first) = strengths.first() {
            parts.push(format!("Best: {first}"));
        }
        if let Some(first) = improvements.first() {
            parts.push(format!("First thing to work on: {first}"));
        }
        parts.join(" ")
    }
}
