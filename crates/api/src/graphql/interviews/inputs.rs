//! What interview mutations and queries take, and how it becomes a service request.

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use viva_domain::UserId;
use viva_service::interviews::{AnswerRequest, PracticeRequest, ResultRequest, ScheduleRequest};
use viva_store::models::interview::InterviewFilter;

use super::types::{Answer, GqlInterviewStatus, GqlQuestionSource, Interview};
use crate::error::AppResult;
use crate::graphql::people::parse_id;
use crate::graphql::questions::GqlDifficulty;

/// Which interviews to list.
#[derive(InputObject, Default)]
pub struct InterviewListFilter {
    /// Only in these states.
    pub statuses: Option<Vec<GqlInterviewStatus>>,
    /// Only practice (true) or scheduled (false) ones.
    pub practice: Option<bool>,
    /// Only this candidate's (staff).
    pub candidate_id: Option<ID>,
}

/// An interview to schedule.
#[derive(InputObject)]
pub struct ScheduleInterviewInput {
    /// The candidate; HR users schedule for their assigned candidates.
    pub candidate_id: ID,
    /// The job it is for; its role is used when `role` is not given.
    pub job_id: Option<ID>,
    /// The job role (slug).
    pub role: Option<String>,
    /// Difficulty.
    pub difficulty: GqlDifficulty,
    /// How many questions, 1 to 20 (ignored for EXPLICIT).
    #[graphql(default = 5)]
    pub question_count: i32,
    /// Where the questions come from.
    #[graphql(default_with = "GqlQuestionSource::Bank")]
    pub question_source: GqlQuestionSource,
    /// The questions to ask, for EXPLICIT and MIXED.
    #[graphql(default)]
    pub question_ids: Vec<ID>,
    /// For GENERATED: what to plan the questions against besides the job's description, such
    /// as the candidate's resume or notes; up to 20,000 characters.
    pub context: Option<String>,
    /// Earliest start.
    pub window_start: DateTime<Utc>,
    /// Latest start, at most 30 days after the earliest.
    pub window_end: DateTime<Utc>,
}

/// A practice session to start.
#[derive(InputObject)]
pub struct PracticeInput {
    /// The job role (slug).
    pub role: String,
    /// Difficulty.
    pub difficulty: GqlDifficulty,
    /// How many questions, 1 to 20.
    #[graphql(default = 5)]
    pub question_count: i32,
    /// A job description to practise for (at most 20,000 characters): the questions are then
    /// written for it by the configured chat model, or picked from the bank by meaning.
    pub job_description: Option<String>,
    /// Your resume text or other background (at most 20,000 characters), used the same way.
    pub context: Option<String>,
}

/// An answer to submit.
#[derive(InputObject, Clone)]
pub struct AnswerInput {
    /// The interview question answered.
    pub question_id: ID,
    /// The typed answer, up to 20000 characters; required unless the answer is spoken (the
    /// `audio` of `submitAnswer`), when it is added before the transcript.
    pub text: Option<String>,
    /// Seconds taken, 0 to 7200.
    pub duration_seconds: Option<i32>,
    /// A key unique to this answer (8 to 128 characters); sending it again returns the stored
    /// answer instead of storing a second one.
    pub idempotency_key: String,
}

/// What submitting an answer did.
#[derive(SimpleObject)]
pub struct SubmitAnswerPayload {
    /// The stored answer (the same one again for a repeated idempotency key).
    pub answer: Answer,
    /// The interview after the answer.
    pub interview: Interview,
}

/// A result to record.
#[derive(InputObject)]
pub struct InterviewResultInput {
    /// Overall score, 0 to 100.
    pub overall_score: i32,
    /// Feedback for the candidate, up to 10000 characters.
    pub feedback: String,
    /// Recommendations, up to 20 of up to 500 characters.
    #[graphql(default)]
    pub recommendations: Vec<String>,
}

impl InterviewListFilter {
    /// The store's filter.
    pub(super) fn parse(self) -> AppResult<InterviewFilter> {
        Ok(InterviewFilter {
            statuses: self.statuses.unwrap_or_default().into_iter().map(Into::into).collect(),
            practice: self.practice,
            candidate_id: self
                .candidate_id
                .as_ref()
                .map(|id| parse_id(id, "filter.candidateId"))
                .transpose()?
                .map(UserId),
        })
    }
}

impl ScheduleInterviewInput {
    /// The service's request.
    pub(super) fn parse(self) -> AppResult<ScheduleRequest> {
        Ok(ScheduleRequest {
            candidate_id: UserId(parse_id(&self.candidate_id, "candidateId")?),
            job_id: self.job_id.as_ref().map(|id| parse_id(id, "jobId")).transpose()?,
            role: self.role,
            difficulty: self.difficulty.into(),
            question_count: self.question_count,
            question_source: self.question_source.into(),
            question_ids: self
                .question_ids
                .iter()
                .map(|id| parse_id(id, "questionIds"))
                .collect::<AppResult<_>>()?,
            context: self.context,
            window_start: self.window_start,
            window_end: self.window_end,
        })
    }
}

impl From<PracticeInput> for PracticeRequest {
    fn from(input: PracticeInput) -> Self {
        Self {
            role: input.role,
            difficulty: input.difficulty.into(),
            question_count: input.question_count,
            job_description: input.job_description,
            context: input.context,
        }
    }
}

impl AnswerInput {
    /// The service's request.
    pub(super) fn parse(self) -> AppResult<AnswerRequest> {
        Ok(AnswerRequest {
            question_id: parse_id(&self.question_id, "questionId")?,
            text: self.text.unwrap_or_default(),
            duration_seconds: self.duration_seconds,
            idempotency_key: self.idempotency_key,
            media: Vec::new(),
        })
    }
}

impl From<InterviewResultInput> for ResultRequest {
    fn from(input: InterviewResultInput) -> Self {
        Self {
            overall_score: input.overall_score,
            feedback: input.feedback,
            recommendations: input.recommendations,
        }
    }
}
