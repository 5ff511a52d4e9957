//! The background jobs, one file per kind, and the runner that handles every kind.
//!
//! | kind | enqueued by | does |
//! |---|---|---|
//! | `evaluate_answer` | an answer stored (a spoken one once transcribed), a re-evaluation asked | scores the answer |
//! | `transcribe_answer` | a spoken answer stored | decodes and transcribes its audio, announcing segments as they are heard, then queues its evaluation |
//! | `check_answer_similarity` | an answer stored | fingerprints it and flags near-copies of other candidates' answers |
//! | `plan_follow_up` | a first evaluation of an interview in progress | may add a follow-up |
//! | `complete_interview` | completion, the last evaluation | records the AI result |
//! | `send_email` | any email queued | delivers it over SMTP |
//! | `render_report` | a PDF export asked for | renders the report and stores the file |
//! | `analyze_resume` | a resume uploaded | reads it in a sandbox, analyses and embeds it |
//! | `password_reset` | a reset asked for | issues the link and queues its email, if the address has an account |
//! | `expire_interviews` | every minute (periodic) | expires overdue interviews |
//! | `purge_expired` | every ten minutes (periodic) | purges expired rows, old finished jobs, expired report files and recordings past their retention |
//!
//! `viva worker` runs the [`runner`]; so does `viva serve` unless `workers_in_serve` is off.

pub mod analyze_resume;
pub mod check_answer_similarity;
pub mod complete_interview;
pub mod evaluate_answer;
pub mod expire_interviews;
pub mod password_reset;
pub mod plan_follow_up;
pub mod purge_expired;
pub mod render_report;
pub mod send_email;
pub mod transcribe_answer;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use viva_ai::QuestionContext;
use viva_domain::AnswerId;
use viva_jobs::Runner;
pub use viva_jobs::RunnerSettings;
use viva_store::models::interview as interviews;

use crate::Service;

/// How often overdue interviews are expired.
pub const EXPIRE_EVERY: Duration = Duration::from_secs(60);
/// How often expired rows are purged.
pub const PURGE_EVERY: Duration = Duration::from_secs(600);

/// The payload of a job about one answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct AnswerJob {
    /// The answer.
    pub answer_id: AnswerId,
}

/// The runner of every job kind, with the periodic ones scheduled.
pub fn runner(service: Service, settings: RunnerSettings) -> Runner<Service> {
    let pool = service.pool.clone();
    Runner::new(service, pool, settings)
        .handle(evaluate_answer::EvaluateAnswer)
        .handle(check_answer_similarity::CheckAnswerSimilarity)
        .handle(plan_follow_up::PlanFollowUp)
        .handle(complete_interview::CompleteInterview)
        .handle(send_email::SendEmail)
        .handle(password_reset::PasswordReset)
        .handle(expire_interviews::ExpireInterviews)
        .handle(purge_expired::PurgeExpired)
        .handle(render_report::RenderReport)
        .handle(analyze_resume::AnalyzeResume)
        .handle(transcribe_answer::TranscribeAnswer)
        .every::<expire_interviews::ExpireInterviews>(EXPIRE_EVERY, &expire_interviews::Payload::default())
        .every::<purge_expired::PurgeExpired>(PURGE_EVERY, &purge_expired::Payload::default())
}

/// What the evaluator needs to know of an interview question.
pub(crate) fn question_context(question: &interviews::InterviewQuestion) -> QuestionContext<'_> {
    QuestionContext {
        text: &question.text,
        kind: question.kind,
        ideal_answer: &question.ideal_answer,
        expected_keywords: &question.expected_keywords,
        time_limit_seconds: question.time_limit_seconds,
    }
}
