//! What an answer's evaluation holds: five scores, the analysis behind them, written feedback
//! and where it came from.

use serde::{Deserialize, Serialize};

/// The scores, each 0–100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    /// Substance: agreement with the ideal answer, coverage, specifics.
    pub content: i32,
    /// Clarity, structure, filler words, length.
    pub communication: i32,
    /// Command of the subject: concepts named and reasoned about.
    pub technical_depth: i32,
    /// How squarely the answer addresses the question.
    pub relevance: i32,
    /// The weighted whole.
    pub overall: i32,
}

/// Which parts of a situation–task–action–result story an answer tells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Star {
    /// The context was set.
    pub situation: bool,
    /// The goal or responsibility was stated.
    pub task: bool,
    /// What the speaker did.
    pub action: bool,
    /// The outcome.
    pub result: bool,
}

impl Star {
    /// How many of the four parts are there.
    pub fn parts(&self) -> u8 {
        [self.situation, self.task, self.action, self.result].iter().filter(|p| **p).count() as u8
    }
}

/// A filler word and how often it was said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillerCount {
    /// The word or phrase.
    pub word: String,
    /// Occurrences.
    pub count: u32,
}

/// How the answer's length compares with what the question's time allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LengthVerdict {
    /// Too little to judge or to convince.
    TooShort,
    /// Fits the time.
    Appropriate,
    /// More than the time allows.
    TooLong,
}

/// The measurements the scores are built from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Similarity of the answer to the question, 0–1.
    pub question_similarity: f32,
    /// Similarity of the answer to the ideal answer, 0–1.
    pub ideal_similarity: f32,
    /// Expected keywords the answer covers, literally or by meaning.
    pub keywords_covered: Vec<String>,
    /// Expected keywords it does not.
    pub keywords_missing: Vec<String>,
    /// The story's parts.
    pub star: Star,
    /// Filler words said.
    pub filler_words: Vec<FillerCount>,
    /// Words in the answer.
    pub words: u32,
    /// Sentences in the answer.
    pub sentences: u32,
    /// Speaking rate, when the duration is known.
    pub words_per_minute: Option<f32>,
    /// Length against the question's time.
    pub length: LengthVerdict,
}

/// A complete evaluation of one answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The scores.
    pub scores: Scores,
    /// What was good, each naming something in the answer.
    pub strengths: Vec<String>,
    /// What to improve, each naming something in (or missing from) the answer.
    pub improvements: Vec<String>,
    /// A paragraph of feedback specific to this answer.
    pub feedback: String,
    /// A model answer.
    pub ideal_answer: String,
    /// A one-line verdict.
    pub remark: String,
    /// The letter grade of the overall score.
    pub grade: String,
    /// The measurements behind the scores.
    pub analysis: Analysis,
}

/// Where an evaluation came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The provider (`offline` for the rules + embeddings evaluator).
    pub provider: String,
    /// The model or models used.
    pub model: String,
    /// The rubric's version.
    pub rubric_version: String,
    /// The prompt's version, for model-written evaluations.
    pub prompt_version: Option<String>,
}

/// How an evaluation was obtained from the providers: tokens and time at the provider that
/// wrote it, and the providers passed over on the way, with why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTrace {
    /// Prompt tokens spent (every attempt and repair).
    pub input_tokens: Option<u64>,
    /// Reply tokens spent.
    pub output_tokens: Option<u64>,
    /// Milliseconds from the first attempt at the provider that wrote it to its answer.
    pub latency_ms: Option<u64>,
    /// The providers that failed or were skipped first, each with why; `None` when the first
    /// choice served.
    pub fallback: Option<String>,
}
