//! The interview report (REPORT-1): the document ([`model`]) and its renderings.
//!
//! The service fills an [`InterviewReport`] from the database; this crate knows nothing of the
//! database, HTTP or GraphQL beyond deriving the GraphQL output types behind the `graphql`
//! feature. The JSON export is `serde_json` of the report.

pub mod model;

pub use model::{
    AiScore, AnswerReport, Delivery, DimensionScore, HumanScore, InterviewReport, QuestionReport,
    ReportPerson, ScoreProvenance,
};
