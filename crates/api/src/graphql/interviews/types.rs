//! The interview types: an interview as one viewer sees it, its answers, progress, result and
//! live updates.

use std::collections::HashSet;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use viva_domain::interview::{InterviewStatus, grade};
use viva_domain::vocab::QuestionSource;
use viva_domain::{InterviewQuestionId, Role, UserId};
use viva_service::interviews::{Viewer, viewer_of};
use viva_store::models::interview::{
    Answer as StoredAnswer, Interview as StoredInterview, QuestionOutline as StoredQuestion,
};
use viva_store::models::session::Principal;

use super::spoken::{AnswerRecording, AnswerTranscript};
use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::evaluations::AnswerEvaluation;
use crate::graphql::interview_questions::{InterviewQuestion, Reveal};
use crate::graphql::jobs::Job;
use crate::graphql::pagination::connection;
use crate::graphql::people::{PersonSummary, person};
use crate::graphql::questions::GqlDifficulty;
use crate::loaders::{AnswersLoader, InterviewQuestionsLoader, JobLoader, load_one};

connection!(InterviewConnection, InterviewEdge, Interview, "interviews");

/// Questions (and answers) an interview is costed at in a query: the most it plans; adaptive
/// follow-ups may add a few.
const QUESTIONS_PER_INTERVIEW: usize = viva_service::interviews::MAX_QUESTIONS as usize;
/// Evaluations an answer is expected to have (re-evaluations included), for query cost.
const EVALUATIONS_PER_ANSWER: usize = 5;

/// Where an interview stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::interview::InterviewStatus", name = "InterviewStatus")]
pub enum GqlInterviewStatus {
    /// Planned; the candidate may start it within its window.
    Scheduled,
    /// The candidate is answering.
    InProgress,
    /// Every answer is in, or the candidate ended it.
    Completed,
    /// A result has been recorded.
    Evaluated,
    /// Called off.
    Cancelled,
    /// Its window passed before it was started.
    Expired,
}

/// Where an interview's questions come from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::vocab::QuestionSource", name = "QuestionSource")]
pub enum GqlQuestionSource {
    /// Chosen from the bank for the role and difficulty, mixing question types.
    Bank,
    /// Exactly the questions listed.
    Explicit,
    /// The questions listed, topped up from the bank.
    Mixed,
    /// Written by the configured chat model (or, without one, picked from the bank by meaning)
    /// for the job's description, the `context` given and the candidate's active resume (its
    /// skills, summary and the start of its text), mixing question types.
    Generated,
}

/// An interview as one viewer sees it.
pub struct Interview {
    pub(super) interview: StoredInterview,
    pub(super) viewer: Viewer,
}

/// An answer.
pub struct Answer(pub(super) StoredAnswer);

impl Answer {
    /// The current evaluation, if the viewer may see it: staff always, the candidate once the
    /// interview is over (it carries the model answer).
    async fn visible_evaluation(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<viva_store::models::evaluation::StoredEvaluation>> {
        let Some(evaluation) = crate::graphql::evaluations::current(ctx, self.0.id).await? else {
            return Ok(None);
        };
        if ctx.principal()?.role == Role::Candidate {
            let over = load_one::<crate::loaders::InterviewLoader, _>(ctx, self.0.interview_id)
                .await?
                .is_some_and(|i| matches!(i.status, InterviewStatus::Completed | InterviewStatus::Evaluated));
            if !over {
                return Ok(None);
            }
        }
        Ok(Some(evaluation))
    }
}

/// A candidate's answer, with the scores given to it.
#[Object]
impl Answer {
    /// The answer's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The interview question it answers.
    async fn question_id(&self) -> ID {
        ID(self.0.interview_question_id.to_string())
    }

    /// The typed text; empty for an answer that was only spoken (see `transcript`).
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// What was said, for a spoken answer: its text, timed segments, delivery measures and the
    /// model that heard it. Null for a typed answer.
    async fn transcript(&self, ctx: &Context<'_>) -> AppResult<Option<AnswerTranscript>> {
        super::spoken::transcript_of(ctx, self.0.id).await
    }

    /// The answer's audio and recordings, with download links while they are kept.
    async fn recordings(&self, ctx: &Context<'_>) -> AppResult<Vec<AnswerRecording>> {
        super::spoken::recordings_of(ctx, self.0.id).await
    }

    /// Seconds the candidate took.
    async fn duration_seconds(&self) -> Option<i32> {
        self.0.duration_seconds
    }

    /// When it arrived.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }

    /// The AI evaluation's overall score, 0 to 100; null until the answer is evaluated (and,
    /// for the candidate, until the interview is over).
    async fn ai_score(&self, ctx: &Context<'_>) -> AppResult<Option<i32>> {
        Ok(self.visible_evaluation(ctx).await?.map(|e| e.overall_score))
    }

    /// The current AI evaluation: scores, strengths, improvements, feedback, analysis and
    /// provenance. Null until evaluated; the candidate sees it once the interview is over.
    async fn evaluation(&self, ctx: &Context<'_>) -> AppResult<Option<AnswerEvaluation>> {
        self.visible_evaluation(ctx).await?.map(AnswerEvaluation::from_stored).transpose()
    }

    /// Every evaluation of the answer, newest first, re-evaluations included. HR and admins.
    #[graphql(complexity = "crate::graphql::pagination::list_cost(EVALUATIONS_PER_ANSWER, child_complexity)")]
    async fn evaluations(&self, ctx: &Context<'_>) -> AppResult<Vec<AnswerEvaluation>> {
        ctx.require_role(&[Role::Admin, Role::Hr])?;
        load_one::<crate::loaders::EvaluationHistoryLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(AnswerEvaluation::from_stored)
            .collect()
    }

    /// A person's score, 0 to 100, which overrides the AI's in the result; null if none.
    async fn human_score(&self) -> Option<i32> {
        self.0.human_score
    }

    /// Why the person scored it so.
    async fn human_score_reason(&self) -> Option<&str> {
        self.0.human_score_reason.as_deref()
    }

    /// Who gave the human score.
    async fn human_scored_by(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, self.0.human_scored_by).await
    }

    /// When the human score was given.
    async fn human_scored_at(&self) -> Option<DateTime<Utc>> {
        self.0.human_scored_at
    }
}

/// How far an interview has got.
#[derive(SimpleObject)]
pub struct Progress {
    /// Questions answered.
    pub answered: i32,
    /// Questions in the interview.
    pub total: i32,
    /// Seconds since it was started (until it was completed); 0 before the start.
    pub elapsed_seconds: i64,
}

/// The recorded result of an interview.
#[derive(SimpleObject)]
pub struct InterviewResult {
    /// Overall score, 0 to 100.
    pub overall_score: i32,
    /// Letter grade, A to F.
    pub grade: String,
    /// Feedback for the candidate.
    pub feedback: String,
    /// What the candidate should work on, or the hiring recommendation.
    pub recommendations: Vec<String>,
    /// When it was recorded.
    pub decided_at: Option<DateTime<Utc>>,
}

impl Interview {
    /// The interview as this principal sees it, or `None` if they may not; `responsible_hr` is
    /// the candidate's HR user while assigned and mapped.
    pub fn for_viewer(
        principal: &Principal,
        interview: StoredInterview,
        responsible_hr: Option<UserId>,
    ) -> Option<Self> {
        let viewer = viewer_of(principal, &interview, responsible_hr)?;
        Some(Self { interview, viewer })
    }

    async fn loaded_questions(&self, ctx: &Context<'_>) -> AppResult<Vec<StoredQuestion>> {
        Ok(load_one::<InterviewQuestionsLoader, _>(ctx, self.interview.id).await?.unwrap_or_default())
    }

    async fn loaded_answers(&self, ctx: &Context<'_>) -> AppResult<Vec<StoredAnswer>> {
        Ok(load_one::<AnswersLoader, _>(ctx, self.interview.id).await?.unwrap_or_default())
    }
}

/// A scheduled interview or a practice session.
#[Object]
impl Interview {
    /// The interview's id.
    async fn id(&self) -> ID {
        ID(self.interview.id.to_string())
    }

    /// Where it stands.
    async fn status(&self) -> GqlInterviewStatus {
        self.interview.status.into()
    }

    /// Whether the candidate started it to practise.
    async fn practice(&self) -> bool {
        self.interview.practice
    }

    /// The job role (slug).
    async fn role(&self) -> &str {
        &self.interview.role_slug
    }

    /// Difficulty.
    async fn difficulty(&self) -> GqlDifficulty {
        self.interview.difficulty.into()
    }

    /// Where its questions came from: BANK, EXPLICIT, MIXED or GENERATED.
    async fn question_source(&self) -> AppResult<GqlQuestionSource> {
        let source: QuestionSource = self.interview.question_source.parse().map_err(AppError::internal)?;
        Ok(source.into())
    }

    /// Earliest start.
    async fn window_start(&self) -> DateTime<Utc> {
        self.interview.window_start
    }

    /// Latest start; unstarted after it, the interview expires.
    async fn window_end(&self) -> DateTime<Utc> {
        self.interview.window_end
    }

    /// When the candidate started.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.interview.started_at
    }

    /// When it was completed.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.interview.completed_at
    }

    /// Why it was cancelled, if it was.
    async fn cancel_reason(&self) -> Option<&str> {
        self.interview.cancel_reason.as_deref()
    }

    /// The candidate.
    async fn candidate(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, Some(self.interview.candidate_id)).await
    }

    /// The HR user responsible; null for practice.
    async fn hr(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, self.interview.hr_id).await
    }

    /// The job it is for, if any (visible to staff).
    async fn job(&self, ctx: &Context<'_>) -> AppResult<Option<Job>> {
        let Some(id) = self.interview.job_id.filter(|_| self.viewer == Viewer::Staff) else {
            return Ok(None);
        };
        Ok(load_one::<JobLoader, _>(ctx, id).await?.map(Job))
    }

    /// Its questions. Staff see them all; the candidate sees those answered and the current
    /// one while answering, and all of them once it is over (with the model answers of those
    /// they answered).
    #[graphql(
        complexity = "crate::graphql::pagination::list_cost(QUESTIONS_PER_INTERVIEW, child_complexity)"
    )]
    async fn questions(&self, ctx: &Context<'_>) -> AppResult<Vec<InterviewQuestion>> {
        let questions = self.loaded_questions(ctx).await?;
        let over = self.interview.status.is_finished();
        if self.viewer == Viewer::Staff {
            return Ok(questions
                .into_iter()
                .map(|question| InterviewQuestion { question, reveal: Reveal::Everything })
                .collect());
        }
        if !over && self.interview.status != InterviewStatus::InProgress {
            return Ok(Vec::new());
        }
        let answered: HashSet<InterviewQuestionId> =
            self.loaded_answers(ctx).await?.iter().map(|a| a.interview_question_id).collect();
        if over {
            return Ok(questions
                .into_iter()
                .map(|question| {
                    let reveal =
                        if answered.contains(&question.id) { Reveal::ModelAnswer } else { Reveal::Nothing };
                    InterviewQuestion { question, reveal }
                })
                .collect());
        }
        let mut shown = Vec::new();
        for question in questions {
            let done = answered.contains(&question.id);
            shown.push(InterviewQuestion { question, reveal: Reveal::Nothing });
            if !done {
                break;
            }
        }
        Ok(shown)
    }

    /// The answers given so far.
    #[graphql(
        complexity = "crate::graphql::pagination::list_cost(QUESTIONS_PER_INTERVIEW, child_complexity)"
    )]
    async fn answers(&self, ctx: &Context<'_>) -> AppResult<Vec<Answer>> {
        Ok(self.loaded_answers(ctx).await?.into_iter().map(Answer).collect())
    }

    /// How far it has got.
    async fn progress(&self, ctx: &Context<'_>) -> AppResult<Progress> {
        let total = self.loaded_questions(ctx).await?.len();
        let answered = self.loaded_answers(ctx).await?.len();
        let end = self.interview.completed_at.unwrap_or_else(Utc::now);
        let elapsed_seconds = self.interview.started_at.map_or(0, |start| (end - start).num_seconds().max(0));
        Ok(Progress {
            answered: i32::try_from(answered).unwrap_or(i32::MAX),
            total: i32::try_from(total).unwrap_or(i32::MAX),
            elapsed_seconds,
        })
    }

    /// The recorded result, once there is one.
    async fn result(&self) -> Option<InterviewResult> {
        let score = self.interview.overall_score?;
        Some(InterviewResult {
            overall_score: score,
            grade: self.interview.grade.clone().unwrap_or_else(|| grade(score).to_owned()),
            feedback: self.interview.feedback.clone().unwrap_or_default(),
            recommendations: self.interview.recommendations.clone(),
            decided_at: self.interview.result_at,
        })
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.interview.created_at
    }
}

/// What happened in an interview.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::vocab::InterviewEventKind", name = "InterviewEventKind")]
pub enum GqlInterviewEventKind {
    /// The candidate started.
    InterviewStarted,
    /// An answer arrived.
    AnswerReceived,
    /// The interview completed.
    InterviewCompleted,
    /// A result was recorded.
    InterviewEvaluated,
    /// An answer got a human score.
    ScoreOverridden,
    /// The interview was cancelled.
    InterviewCancelled,
    /// The interview expired unstarted.
    InterviewExpired,
    /// The AI began evaluating an answer.
    EvaluationStarted,
    /// An answer's evaluation was stored.
    AnswerEvaluated,
    /// A follow-up question was added after a vague or weak answer.
    FollowUpAdded,
    /// More of a spoken answer was transcribed: `transcript` holds what was heard so far.
    TranscriptPartial,
    /// A spoken answer's transcript is complete; its evaluation follows.
    TranscriptFinal,
    /// A spoken answer could not be transcribed: `transcript.failure` says why.
    TranscriptFailed,
}

/// Something that happened in an interview, as it happened.
#[derive(SimpleObject)]
pub struct InterviewUpdate {
    /// What happened.
    pub kind: GqlInterviewEventKind,
    /// The interview.
    pub interview_id: ID,
    /// The interview's status after it.
    pub status: GqlInterviewStatus,
    /// The answer concerned (ANSWER_RECEIVED, SCORE_OVERRIDDEN, EVALUATION_STARTED,
    /// ANSWER_EVALUATED and the TRANSCRIPT_ events).
    pub answer: Option<Answer>,
    /// The question added (FOLLOW_UP_ADDED).
    pub question_id: Option<ID>,
    /// The answer's transcript (TRANSCRIPT_PARTIAL, TRANSCRIPT_FINAL, TRANSCRIPT_FAILED), as it
    /// stands when the event is delivered: at least what was heard when the event was published.
    pub transcript: Option<AnswerTranscript>,
}
