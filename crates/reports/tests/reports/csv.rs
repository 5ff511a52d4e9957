//! The CSV: parses back as RFC 4180 with one row per answered question, and no cell a
//! spreadsheet would run as a formula.

use crate::sample;
use viva_reports::{CSV_COLUMNS, render_csv};

fn parse(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>()).collect();
    (header, rows)
}

fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header.iter().position(|h| h == column).unwrap();
    &row[i]
}

#[test]
fn one_row_per_answered_question_with_every_column() {
    let report = sample::report();
    let bytes = render_csv(&report).unwrap();
    let (header, rows) = parse(&bytes);
    assert_eq!(header, CSV_COLUMNS);
    let answered: Vec<_> = report.questions.iter().filter(|q| q.answer.is_some()).collect();
    assert_eq!(rows.len(), answered.len());
    assert_eq!(rows.len(), 9, "ten questions, one unanswered");
    for (row, question) in rows.iter().zip(&answered) {
        assert_eq!(row.len(), CSV_COLUMNS.len());
        assert_eq!(cell(&header, row, "position"), question.position.to_string());
        assert_eq!(cell(&header, row, "question"), question.text);
        let answer = question.answer.as_ref().unwrap();
        assert_eq!(cell(&header, row, "submitted_at"), answer.submitted_at.to_rfc3339());
        match &answer.ai {
            Some(ai) => {
                assert_eq!(cell(&header, row, "ai_overall"), ai.overall.to_string());
                assert_eq!(cell(&header, row, "technical_depth"), ai.technical_depth.to_string());
                assert_eq!(cell(&header, row, "ai_grade"), ai.grade);
                assert_eq!(cell(&header, row, "rubric_version"), ai.provenance.rubric_version);
                assert_eq!(
                    cell(&header, row, "prompt_version"),
                    ai.provenance.prompt_version.as_deref().unwrap_or("")
                );
            }
            None => {
                for column in ["ai_overall", "content", "ai_grade", "provider", "model"] {
                    assert_eq!(cell(&header, row, column), "", "{column}");
                }
            }
        }
    }
    assert!(!rows.iter().any(|r| cell(&header, r, "position") == sample::UNANSWERED.to_string()));

    let second = &rows[1];
    assert_eq!(cell(&header, second, "human_score"), "91");
    assert_eq!(cell(&header, second, "human_reason"), "Better than the AI thought: exact on leaf pages.");
    // The long answer, the unicode answer and the answer with a CRLF inside come back whole.
    let long = &report.questions[2].answer.as_ref().unwrap().text;
    assert_eq!(cell(&header, &rows[2], "answer"), long);
    let unicode = &report.questions[7].answer.as_ref().unwrap().text;
    assert_eq!(cell(&header, &rows[6], "answer"), unicode);
    let crlf = &report.questions[8].answer.as_ref().unwrap().text;
    assert_eq!(cell(&header, &rows[7], "answer"), crlf);
    assert_eq!(cell(&header, &rows[7], "duration_seconds"), "");
}

#[test]
fn records_end_with_crlf() {
    let bytes = render_csv(&sample::report()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("position,question_kind,question,answer,submitted_at,"));
    assert!(text.ends_with("\r\n"));
    let header_end = text.find('\n').unwrap();
    assert_eq!(&text[header_end - 1..=header_end], "\r\n");
}

#[test]
fn cells_a_spreadsheet_would_run_start_with_a_quote() {
    let report = sample::report();
    let (header, rows) = parse(&render_csv(&report).unwrap());
    let answer = |i: usize| cell(&header, &rows[i], "answer").to_owned();
    assert!(answer(0).starts_with("'=HYPERLINK("), "{}", answer(0));
    assert!(answer(1).starts_with("'+1 "));
    assert!(answer(3).starts_with("'-- "));
    assert!(answer(4).starts_with("'@DNS"));
    assert!(answer(5).starts_with("'\tI would"));
    for row in &rows {
        for value in row {
            assert!(
                !value.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {value:?}"
            );
        }
    }
    // Guarded everywhere text comes from people, the human reason included.
    let mut report = report;
    let human = report.questions[1].answer.as_mut().unwrap().human.as_mut().unwrap();
    human.reason = Some("=cmd|' /C calc'!A0".to_owned());
    let (header, rows) = parse(&render_csv(&report).unwrap());
    assert_eq!(cell(&header, &rows[1], "human_reason"), "'=cmd|' /C calc'!A0");
}

#[test]
fn a_report_without_answers_is_a_header_alone() {
    let (header, rows) = parse(&render_csv(&sample::unscored()).unwrap());
    assert_eq!(header, CSV_COLUMNS);
    assert!(rows.is_empty());
}
