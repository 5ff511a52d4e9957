//! Viva's domain: the pure types and rules every other crate shares.
//!
//! Nothing here performs I/O or knows about the database, HTTP or GraphQL, so every rule can be
//! unit-tested in isolation and reused by the store, the API and the workers alike.

pub mod ai;
pub mod email;
pub mod error;
pub mod evaluation;
pub mod ids;
pub mod interview;
pub mod password;
pub mod profile;
pub mod question_bank;
pub mod role;
pub mod secret;
pub mod vocab;

pub use email::Email;
pub use error::ErrorCode;
pub use ids::{
    AnswerId, AuditEntryId, BackgroundJobId, ConversationId, EmailId, EvaluationId, InterviewId,
    InterviewQuestionId, JobId, MappingRequestId, MessageId, NotificationId, QuestionId, ReportExportId,
    ResumeId, SessionId, UserId,
};
pub use role::{Role, UserStatus};
