//! A candidate's own statistics and progress.

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use viva_domain::interview::QuestionKind;
use viva_service::analytics::candidate::{self as service, Averages, KindScore};

use crate::graphql::questions::GqlQuestionKind;

/// Averages of a set of evaluated answers, each 0–100, null when no answer has that score. The
/// dimensions are the current AI evaluations'; `overall` is the score that counts for results
/// (a person's score where one was given, else the AI's), `aiOverall` the AI's alone.
#[derive(SimpleObject, Clone, Debug)]
pub struct DimensionAverages {
    /// Evaluated answers counted.
    pub answers: i64,
    /// Of them, answers a person scored.
    pub human_scored: i64,
    /// Content: agreement with the ideal answer, coverage, specifics.
    pub content: Option<f64>,
    /// Communication: clarity, structure, filler words, length.
    pub communication: Option<f64>,
    /// Technical depth: concepts named and reasoned about.
    pub technical_depth: Option<f64>,
    /// Relevance: how squarely the answers address the questions.
    pub relevance: Option<f64>,
    /// Overall as it counts for results: a person's score where given, else the AI's.
    pub overall: Option<f64>,
    /// Overall as the AI scored it.
    pub ai_overall: Option<f64>,
}

impl From<&Averages> for DimensionAverages {
    fn from(a: &Averages) -> Self {
        Self {
            answers: a.answers,
            human_scored: a.human_scored,
            content: a.content,
            communication: a.communication,
            technical_depth: a.technical_depth,
            relevance: a.relevance,
            overall: a.overall,
            ai_overall: a.ai_overall,
        }
    }
}

/// One ISO week of a trend.
#[derive(SimpleObject, Clone, Debug)]
pub struct WeeklyScores {
    /// The week's Monday (UTC).
    pub week_start: NaiveDate,
    /// The averages of the answers submitted that week.
    pub scores: DimensionAverages,
}

fn weeks(weeks: &[(NaiveDate, Averages)]) -> Vec<WeeklyScores> {
    weeks.iter().map(|(week, a)| WeeklyScores { week_start: *week, scores: a.into() }).collect()
}

/// How one type of question went.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuestionTypeScores {
    /// The question type.
    pub question_type: GqlQuestionKind,
    /// Evaluated answers to questions of this type.
    pub answers: i64,
    /// Their average overall score (a person's where given, else the AI's).
    pub average_overall: Option<f64>,
}

fn kind_scores(kind: &KindScore) -> Option<QuestionTypeScores> {
    let question_type = QuestionKind::try_from(kind.kind.clone()).ok()?;
    Some(QuestionTypeScores {
        question_type: question_type.into(),
        answers: kind.averages.answers,
        average_overall: kind.averages.overall,
    })
}

/// The signed-in user's own statistics over a window: scheduled interviews and practice
/// sessions alike.
pub struct MyStats(pub(super) service::MyStats);

/// The signed-in user's own statistics over a window: sessions taken, averages per dimension,
/// the weekly trend and the best and weakest question types.
#[Object]
impl MyStats {
    /// Start of the window (included).
    async fn from(&self) -> DateTime<Utc> {
        self.0.window.from
    }

    /// End of the window (excluded).
    async fn to(&self) -> DateTime<Utc> {
        self.0.window.to
    }

    /// Scheduled interviews started in the window.
    async fn interviews_taken(&self) -> i64 {
        self.0.interviews_taken
    }

    /// Practice sessions started in the window.
    async fn practice_sessions_taken(&self) -> i64 {
        self.0.practice_sessions_taken
    }

    /// Averages per dimension of the answers evaluated, submitted in the window.
    async fn averages(&self) -> DimensionAverages {
        (&self.0.scores.total).into()
    }

    /// The trend: averages per ISO week, oldest first; weeks without evaluated answers are
    /// left out.
    async fn trend(&self) -> Vec<WeeklyScores> {
        weeks(&self.0.scores.weeks)
    }

    /// Every question type answered, best average overall first.
    async fn question_types(&self) -> Vec<QuestionTypeScores> {
        self.0.kinds.iter().filter_map(kind_scores).collect()
    }

    /// The question type with the best average overall; null before any evaluated answer.
    async fn best_question_type(&self) -> Option<QuestionTypeScores> {
        self.0.best_kind().and_then(kind_scores)
    }

    /// The question type with the weakest average overall (the best one when only one type was
    /// answered); null before any evaluated answer.
    async fn weakest_question_type(&self) -> Option<QuestionTypeScores> {
        self.0.weakest_kind().and_then(kind_scores)
    }
}

/// A candidate's progress over a window.
pub struct CandidateProgress(pub(super) service::Progress);

/// A candidate's progress per dimension over a window, per ISO week.
#[Object]
impl CandidateProgress {
    /// The candidate.
    async fn candidate_id(&self) -> ID {
        ID(self.0.candidate.to_string())
    }

    /// Start of the window (included).
    async fn from(&self) -> DateTime<Utc> {
        self.0.window.from
    }

    /// End of the window (excluded).
    async fn to(&self) -> DateTime<Utc> {
        self.0.window.to
    }

    /// Whether practice sessions count: yes for the candidate and admins, not for HR users,
    /// who see scheduled interviews only.
    async fn practice_included(&self) -> bool {
        self.0.practice_included
    }

    /// Averages per dimension over the whole window.
    async fn overall(&self) -> DimensionAverages {
        (&self.0.scores.total).into()
    }

    /// Averages per dimension per ISO week, oldest first; weeks without evaluated answers are
    /// left out.
    async fn weeks(&self) -> Vec<WeeklyScores> {
        weeks(&self.0.scores.weeks)
    }
}
