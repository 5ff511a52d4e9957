//! Interviews: scheduling, practice, the lifecycle, answers, results and live events
//! (SPEC INT-2 to INT-5, INT-8 to INT-10, CAND-2, CAND-4). The rules and transactions are the
//! service layer's (`viva_service::interviews`); these modules parse input and map results.

mod inputs;
mod mutations;
mod queries;
mod spoken;
mod subscriptions;
mod types;

pub use inputs::{
    AnswerInput, InterviewListFilter, InterviewResultInput, PracticeInput, ScheduleInterviewInput,
    SubmitAnswerPayload,
};
pub use mutations::InterviewMutation;
pub use queries::InterviewQuery;
pub use spoken::{AnswerRecording, AnswerTranscript};
pub use subscriptions::InterviewSubscription;
pub use types::{
    Answer, GqlInterviewEventKind, GqlInterviewStatus, GqlQuestionSource, Interview, InterviewConnection,
    InterviewEdge, InterviewResult, InterviewUpdate, Progress,
};
