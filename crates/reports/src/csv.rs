//! The report as CSV: one row per answered question, for spreadsheets.
//!
//! RFC 4180: comma-separated, CRLF line endings, fields quoted when they hold a comma, a quote
//! or a line break (quotes doubled), UTF-8 without a byte-order mark. A header row comes first.
//!
//! **Formula injection.** Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a
//! formula (and a leading tab or carriage return can hide one), so a candidate's answer such as
//! `=HYPERLINK("http://evil.example","click")` would become a live link, or worse, in the
//! hiring manager's spreadsheet. Following OWASP's advice on CSV injection, every text cell
//! that starts with one of those six characters gets a leading `'`, which spreadsheets show as
//! text. Number cells are written from integers and need no guard.

use crate::error::RenderError;
use crate::model::{AnswerReport, InterviewReport, QuestionReport};

/// The header row, in column order.
pub const CSV_COLUMNS: [&str; 18] = [
    "position",
    "question_kind",
    "question",
    "answer",
    "submitted_at",
    "duration_seconds",
    "ai_overall",
    "content",
    "communication",
    "technical_depth",
    "relevance",
    "ai_grade",
    "human_score",
    "human_reason",
    "provider",
    "model",
    "rubric_version",
    "prompt_version",
];

/// Writes the report as CSV: the header ([`CSV_COLUMNS`]) and one row per answered question,
/// in question order; unanswered questions have no row. Empty cells stand for "none" (no
/// evaluation yet, no human score, no prompt version).
///
/// # Errors
///
/// [`RenderError::Csv`] if the CSV writer fails; writing to memory, it does not in practice.
pub fn render_csv(report: &InterviewReport) -> Result<Vec<u8>, RenderError> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    writer.write_record(CSV_COLUMNS)?;
    for question in &report.questions {
        if let Some(answer) = &question.answer {
            writer.write_record(row(question, answer))?;
        }
    }
    writer.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
}

fn row(question: &QuestionReport, answer: &AnswerReport) -> [String; 18] {
    let ai = answer.ai.as_ref();
    let human = answer.human.as_ref();
    let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    [
        question.position.to_string(),
        text_cell(&question.kind),
        text_cell(&question.text),
        text_cell(&answer.text),
        answer.submitted_at.to_rfc3339(),
        number(answer.duration_seconds),
        number(ai.map(|a| a.overall)),
        number(ai.map(|a| a.content)),
        number(ai.map(|a| a.communication)),
        number(ai.map(|a| a.technical_depth)),
        number(ai.map(|a| a.relevance)),
        ai.map(|a| text_cell(&a.grade)).unwrap_or_default(),
        number(human.map(|h| h.score)),
        human.and_then(|h| h.reason.as_deref()).map(text_cell).unwrap_or_default(),
        ai.map(|a| text_cell(&a.provenance.provider)).unwrap_or_default(),
        ai.map(|a| text_cell(&a.provenance.model)).unwrap_or_default(),
        ai.map(|a| text_cell(&a.provenance.rubric_version)).unwrap_or_default(),
        ai.and_then(|a| a.provenance.prompt_version.as_deref()).map(text_cell).unwrap_or_default(),
    ]
}

/// A text cell, with a leading `'` when a spreadsheet would read it as a formula.
fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn cells_that_a_spreadsheet_would_run_get_a_leading_quote() {
        for text in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\r=1"] {
            assert_eq!(text_cell(text), format!("'{text}"));
        }
    }

    #[test]
    fn other_cells_are_left_alone() {
        for text in ["", "plain", " =not first", "'already", "a=b", "日本語", "😀"] {
            assert_eq!(text_cell(text), text);
        }
    }
}
