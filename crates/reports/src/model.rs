//! The interview report as plain data.
//!
//! One [`InterviewReport`] is what every rendering starts from: the JSON export is
//! `serde_json` of it, the API exposes the same types as GraphQL output types (with the
//! `graphql` feature), and `render_csv` and `render_pdf` read it.
//!
//! The serde names and the GraphQL names are the same (camelCase fields), and the values are
//! written the same way, so the JSON export equals the `interviewReport` query with every field
//! selected:
//! - ids are strings (`ID` in GraphQL);
//! - instants are RFC 3339 strings with a numeric offset (`2026-03-01T09:30:00+00:00`), as
//!   async-graphql writes `DateTime`;
//! - closed vocabularies (status, difficulty, question kind, dimension) are plain strings whose
//!   values each field documents, not enums, so that the two encodings cannot drift.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "graphql")]
use async_graphql::{ComplexObject, ID, SimpleObject};

/// An interview's report: who, what, when, the scores per dimension and per question, what went
/// well, what to improve, and each answer with its evaluation and its human score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject), graphql(complex))]
pub struct InterviewReport {
    /// The interview's id.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub interview_id: Uuid,
    /// The interview's title.
    pub title: String,
    /// The candidate interviewed.
    pub candidate: ReportPerson,
    /// The HR user responsible for the interview; none for practice interviews and when no HR
    /// user is assigned.
    pub hr: Option<ReportPerson>,
    /// The title of the job posting the interview is for, if any.
    pub job_title: Option<String>,
    /// The job role (slug), such as `backend-engineer`.
    pub role: String,
    /// Difficulty: `EASY`, `MEDIUM` or `HARD`.
    pub difficulty: String,
    /// Whether the candidate started the interview to practise.
    pub practice: bool,
    /// Where the interview stands: `SCHEDULED`, `IN_PROGRESS`, `COMPLETED`, `EVALUATED`,
    /// `CANCELLED` or `EXPIRED`.
    pub status: String,
    /// When the interview was scheduled to start.
    #[serde(with = "rfc3339")]
    pub scheduled_at: DateTime<Utc>,
    /// When the candidate started it.
    #[serde(default, with = "rfc3339_option")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the candidate completed it.
    #[serde(default, with = "rfc3339_option")]
    pub completed_at: Option<DateTime<Utc>>,
    /// When this report was generated.
    #[serde(with = "rfc3339")]
    pub generated_at: DateTime<Utc>,
    /// The interview's overall score, 0–100, once it has one.
    pub overall_score: Option<i32>,
    /// The letter grade of the overall score (`A` 90+, `B` 80+, `C` 70+, `D` 60+, else `F`).
    pub grade: Option<String>,
    /// The mean scores per dimension, in the order `CONTENT`, `COMMUNICATION`,
    /// `TECHNICAL_DEPTH`, `RELEVANCE`, `OVERALL`.
    pub dimensions: Vec<DimensionScore>,
    /// What went well across the interview.
    pub strengths: Vec<String>,
    /// What to improve across the interview.
    pub improvements: Vec<String>,
    /// Recommended next steps.
    pub recommendations: Vec<String>,
    /// Written feedback on the interview as a whole, if any.
    pub feedback: Option<String>,
    /// How the answers were delivered: length, pace, filler words.
    pub delivery: Delivery,
    /// Every question asked, in order, with its answer when there is one.
    pub questions: Vec<QuestionReport>,
}

#[cfg(feature = "graphql")]
#[ComplexObject]
impl InterviewReport {
    /// The interview's id.
    async fn interview_id(&self) -> ID {
        ID(self.interview_id.to_string())
    }
}

/// A person named in a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject), graphql(complex))]
pub struct ReportPerson {
    /// The user's id.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub id: Uuid,
    /// Full name.
    pub name: String,
    /// Email address.
    pub email: String,
}

#[cfg(feature = "graphql")]
#[ComplexObject]
impl ReportPerson {
    /// The user's id.
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
}

/// The mean score of one dimension across the evaluated answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject))]
pub struct DimensionScore {
    /// The dimension: `CONTENT`, `COMMUNICATION`, `TECHNICAL_DEPTH`, `RELEVANCE` or `OVERALL`.
    pub dimension: String,
    /// Its name for people, such as `Technical depth`.
    pub label: String,
    /// The mean AI score, 0–100, over the evaluated answers; none when no answer is evaluated.
    pub ai_score: Option<f64>,
    /// The mean human score, 0–100, over the answers a person scored; only `OVERALL` can have
    /// one (people give one score per answer).
    pub human_score: Option<f64>,
}

/// How the answers were delivered, summed over the evaluated answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject))]
pub struct Delivery {
    /// Words in all answers.
    pub total_words: i32,
    /// The mean speaking rate over the answers whose duration is known, if any.
    pub words_per_minute: Option<f64>,
    /// Filler words said ("um", "like", "you know"...), all answers together.
    pub filler_words: i32,
    /// Answers longer than their question's time allows.
    pub long_answers: i32,
    /// Answers too short to judge or to convince.
    pub short_answers: i32,
}

/// One question of the interview, with its answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject))]
pub struct QuestionReport {
    /// Its order in the interview, from 1.
    pub position: i32,
    /// What it tests: `BEHAVIOURAL`, `TECHNICAL` or `SITUATIONAL`.
    pub kind: String,
    /// The question.
    pub text: String,
    /// Whether it was asked as a follow-up to an earlier answer.
    pub follow_up: bool,
    /// The candidate's answer; none when the question was not answered.
    pub answer: Option<AnswerReport>,
}

/// A candidate's answer to one question, with its scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject), graphql(complex))]
pub struct AnswerReport {
    /// The answer's id.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub answer_id: Uuid,
    /// The answer as written (or as transcribed, for spoken answers).
    pub text: String,
    /// The transcript of a spoken answer, if any.
    pub transcript: Option<String>,
    /// When it was submitted.
    #[serde(with = "rfc3339")]
    pub submitted_at: DateTime<Utc>,
    /// How long the candidate took, in seconds, when known.
    pub duration_seconds: Option<i32>,
    /// The AI evaluation; none until the answer is evaluated.
    pub ai: Option<AiScore>,
    /// The human score, if a person scored the answer.
    pub human: Option<HumanScore>,
}

#[cfg(feature = "graphql")]
#[ComplexObject]
impl AnswerReport {
    /// The answer's id.
    async fn answer_id(&self) -> ID {
        ID(self.answer_id.to_string())
    }
}

/// An answer's AI evaluation: the five scores, written feedback and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject))]
pub struct AiScore {
    /// The weighted whole, 0–100.
    pub overall: i32,
    /// Substance: agreement with the ideal answer, coverage, specifics; 0–100.
    pub content: i32,
    /// Clarity, structure, filler words, length; 0–100.
    pub communication: i32,
    /// Command of the subject; 0–100.
    pub technical_depth: i32,
    /// How squarely the answer addresses the question; 0–100.
    pub relevance: i32,
    /// The letter grade of the overall score.
    pub grade: String,
    /// What was good in the answer.
    pub strengths: Vec<String>,
    /// What to improve in the answer.
    pub improvements: Vec<String>,
    /// A paragraph of feedback on the answer.
    pub feedback: String,
    /// Who evaluated the answer, with what and when.
    pub provenance: ScoreProvenance,
}

/// Where an AI evaluation came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject))]
pub struct ScoreProvenance {
    /// The provider (`offline` for the in-process rules and embeddings evaluator).
    pub provider: String,
    /// The model or models used.
    pub model: String,
    /// The rubric's version.
    pub rubric_version: String,
    /// The prompt's version, for model-written evaluations.
    pub prompt_version: Option<String>,
    /// When the evaluation was made.
    #[serde(with = "rfc3339")]
    pub evaluated_at: DateTime<Utc>,
    /// The providers that failed or were skipped before this one, each with why; none when the
    /// first choice served.
    pub fallback: Option<String>,
}

/// A score a person gave an answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "graphql", derive(SimpleObject))]
pub struct HumanScore {
    /// The score, 0–100.
    pub score: i32,
    /// Why, in the scorer's words.
    pub reason: Option<String>,
    /// The scorer's name, when known.
    pub scored_by: Option<String>,
    /// When the score was given.
    #[serde(default, with = "rfc3339_option")]
    pub scored_at: Option<DateTime<Utc>>,
}

/// Instants as async-graphql writes `DateTime` (`to_rfc3339`: a numeric offset, `+00:00`),
/// where chrono's own serde would write `Z`: the JSON export must equal the GraphQL response.
mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

/// [`rfc3339`] for optional instants (`null` when absent).
mod rfc3339_option {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_some(&at.to_rfc3339()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                DateTime::parse_from_rfc3339(&text)
                    .map(|at| at.with_timezone(&Utc))
                    .map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}
