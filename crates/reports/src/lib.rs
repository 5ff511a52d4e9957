//! The interview report (REPORT-1): the document ([`model`]) and its renderings.
//!
//! The service fills an [`InterviewReport`] from the database; this crate knows nothing of the
//! database, HTTP or GraphQL beyond deriving the GraphQL output types behind the `graphql`
//! feature. The JSON export is `serde_json` of the report; [`render_csv`] writes one row per
//! answer for spreadsheets.

pub mod csv;
pub mod error;
pub mod model;

pub use crate::csv::{CSV_COLUMNS, render_csv};
pub use error::RenderError;
pub use model::{
    AiScore, AnswerReport, Delivery, DimensionScore, HumanScore, InterviewReport, QuestionReport,
    ReportPerson, ScoreProvenance,
};
