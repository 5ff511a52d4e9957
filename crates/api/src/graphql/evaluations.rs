//! Answer evaluations in the schema: the current one on every answer, the history for staff,
//! and re-evaluation.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use viva_domain::Role;
use viva_domain::evaluation::{Evaluation, LengthVerdict};
use viva_store::models::evaluation::StoredEvaluation;

use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::loaders::{CurrentEvaluationLoader, load_one};

/// An AI evaluation of an answer, with where it came from.
pub struct AnswerEvaluation {
    stored: StoredEvaluation,
    body: Evaluation,
}

impl AnswerEvaluation {
    /// Parses a stored evaluation; a body that no longer parses is an internal error.
    pub fn from_stored(stored: StoredEvaluation) -> AppResult<Self> {
        let body = serde_json::from_value(stored.body.clone()).map_err(AppError::internal)?;
        Ok(Self { stored, body })
    }
}

/// The five scores of the rubric, each 0 to 100.
#[derive(SimpleObject)]
pub struct EvaluationScores {
    /// Substance: agreement with a strong answer, coverage of the expected points, specifics.
    pub content: i32,
    /// Clarity, structure, filler words and length.
    pub communication: i32,
    /// Command of the subject: concepts named and reasoned about.
    pub technical_depth: i32,
    /// How squarely the answer addresses the question.
    pub relevance: i32,
    /// The weighted whole.
    pub overall: i32,
}

/// Where an evaluation came from.
#[derive(SimpleObject)]
pub struct EvaluationProvenance {
    /// The provider (`offline` for the rules and embeddings evaluator).
    pub provider: String,
    /// The model or models.
    pub model: String,
    /// The rubric's version.
    pub rubric_version: String,
    /// The prompt's version, for evaluations a language model wrote.
    pub prompt_version: Option<String>,
    /// Prompt tokens spent at the provider that wrote it (repairs included); null for the
    /// offline rules. Staff only.
    pub input_tokens: Option<i32>,
    /// Reply tokens spent. Staff only.
    pub output_tokens: Option<i32>,
    /// Milliseconds the writing provider took, retries included. Staff only.
    pub latency_ms: Option<i32>,
    /// The providers passed over before this one, each with why (rate limited, circuit open,
    /// daily spend cap reached, invalid replies, …); null when the first choice wrote it.
    /// Staff only.
    pub fallback: Option<String>,
}

/// Which parts of a situation–task–action–result story the answer tells.
#[derive(SimpleObject)]
pub struct StarParts {
    /// The context was set.
    pub situation: bool,
    /// The goal or responsibility was stated.
    pub task: bool,
    /// The speaker's own actions.
    pub action: bool,
    /// The outcome.
    pub result: bool,
}

/// A filler word and how often it was said.
#[derive(SimpleObject)]
pub struct FillerWord {
    /// The word or phrase.
    pub word: String,
    /// Occurrences.
    pub count: i32,
}

/// How an answer's length compares with its question's time.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AnswerLength {
    /// Too little to judge or to convince.
    TooShort,
    /// Fits the time.
    Appropriate,
    /// More than the time allows.
    TooLong,
}

/// The measurements behind the scores.
#[derive(SimpleObject)]
pub struct EvaluationAnalysis {
    /// Similarity of the answer to the question, 0 to 1.
    pub question_similarity: f64,
    /// Similarity of the answer to the ideal answer, 0 to 1.
    pub ideal_similarity: f64,
    /// Expected keywords covered, in so many words or by meaning.
    pub keywords_covered: Vec<String>,
    /// Expected keywords missing.
    pub keywords_missing: Vec<String>,
    /// The story's parts.
    pub star: StarParts,
    /// Filler words said.
    pub filler_words: Vec<FillerWord>,
    /// Words in the answer.
    pub words: i32,
    /// Sentences in the answer.
    pub sentences: i32,
    /// Speaking rate, when the duration is known.
    pub words_per_minute: Option<f64>,
    /// Length against the question's time.
    pub length: AnswerLength,
}

/// An evaluation of an answer: scores, written feedback, the analysis and its provenance.
#[Object]
impl AnswerEvaluation {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.stored.id.to_string())
    }

    /// The five scores.
    async fn scores(&self) -> EvaluationScores {
        let s = &self.body.scores;
        EvaluationScores {
            content: s.content,
            communication: s.communication,
            technical_depth: s.technical_depth,
            relevance: s.relevance,
            overall: s.overall,
        }
    }

    /// The letter grade of the overall score.
    async fn grade(&self) -> &str {
        &self.body.grade
    }

    /// What was good, each naming something in the answer.
    async fn strengths(&self) -> &[String] {
        &self.body.strengths
    }

    /// What to improve, each naming something in or missing from the answer.
    async fn improvements(&self) -> &[String] {
        &self.body.improvements
    }

    /// A paragraph of feedback on this answer.
    async fn feedback(&self) -> &str {
        &self.body.feedback
    }

    /// A model answer to learn from.
    async fn ideal_answer(&self) -> &str {
        &self.body.ideal_answer
    }

    /// A one-line verdict.
    async fn remark(&self) -> &str {
        &self.body.remark
    }

    /// The measurements behind the scores. The expected keywords covered and missing are for
    /// HR users and admins: a candidate gets both lists empty (they are the answer key).
    async fn analysis(&self, ctx: &Context<'_>) -> AppResult<EvaluationAnalysis> {
        let a = &self.body.analysis;
        let staff = ctx.principal()?.role != Role::Candidate;
        Ok(EvaluationAnalysis {
            question_similarity: f64::from(a.question_similarity),
            ideal_similarity: f64::from(a.ideal_similarity),
            keywords_covered: if staff { a.keywords_covered.clone() } else { Vec::new() },
            keywords_missing: if staff { a.keywords_missing.clone() } else { Vec::new() },
            star: StarParts {
                situation: a.star.situation,
                task: a.star.task,
                action: a.star.action,
                result: a.star.result,
            },
            filler_words: a
                .filler_words
                .iter()
                .map(|f| FillerWord {
                    word: f.word.clone(),
                    count: i32::try_from(f.count).unwrap_or(i32::MAX),
                })
                .collect(),
            words: i32::try_from(a.words).unwrap_or(i32::MAX),
            sentences: i32::try_from(a.sentences).unwrap_or(i32::MAX),
            words_per_minute: a.words_per_minute.map(f64::from),
            length: match a.length {
                LengthVerdict::TooShort => AnswerLength::TooShort,
                LengthVerdict::Appropriate => AnswerLength::Appropriate,
                LengthVerdict::TooLong => AnswerLength::TooLong,
            },
        })
    }

    /// Which provider, model and rubric produced it. The cost, latency and fallback are for
    /// staff: a candidate sees them null.
    async fn provenance(&self, ctx: &Context<'_>) -> AppResult<EvaluationProvenance> {
        let staff = ctx.principal()?.role != Role::Candidate;
        Ok(EvaluationProvenance {
            provider: self.stored.provider.clone(),
            model: self.stored.model.clone(),
            rubric_version: self.stored.rubric_version.clone(),
            prompt_version: self.stored.prompt_version.clone(),
            input_tokens: self.stored.input_tokens.filter(|_| staff),
            output_tokens: self.stored.output_tokens.filter(|_| staff),
            latency_ms: self.stored.latency_ms.filter(|_| staff),
            fallback: self.stored.fallback.clone().filter(|_| staff),
        })
    }

    /// Whether it is the answer's current evaluation (earlier ones are kept when re-evaluated).
    async fn current(&self) -> bool {
        self.stored.current
    }

    /// Who asked for this re-evaluation; null for the automatic evaluation. Staff only.
    async fn requested_by(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<crate::graphql::types::PersonSummary>> {
        if ctx.principal()?.role == Role::Candidate {
            return Ok(None);
        }
        crate::graphql::types::person(ctx, self.stored.requested_by).await
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.stored.created_at
    }
}

/// The current evaluation of an answer, through the request's loader.
pub async fn current(
    ctx: &Context<'_>,
    answer_id: viva_domain::AnswerId,
) -> AppResult<Option<StoredEvaluation>> {
    load_one::<CurrentEvaluationLoader, _>(ctx, answer_id).await
}
