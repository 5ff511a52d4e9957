//! What the PDF says, in order: the title page (who, what, when, the overall score, the
//! summary), the charts, then every question with its answer and scores.

use chrono::{DateTime, Utc};

use super::chart::BarChart;
use super::fonts::FontSet;
use super::layout::{CONTENT_WIDTH, Flow, MARGIN_X, Op, TextStyle};
use super::paint::Rgb;
use crate::model::{AnswerReport, InterviewReport, QuestionReport};

/// Lays the report out as pages of drawing operations (footers not included).
pub(crate) fn lay_out(report: &InterviewReport, fonts: &FontSet<'_>) -> Vec<Vec<Op>> {
    let mut flow = Flow::new(fonts);
    title_page(&mut flow, report);
    summary(&mut flow, report);
    flow.new_page();
    charts(&mut flow, report);
    flow.new_page();
    flow.heading("Questions and answers", 16.0, 60.0);
    if report.questions.is_empty() {
        flow.text("No questions were asked.", TextStyle::BODY.colored(Rgb::MUTED));
    }
    for question in &report.questions {
        question_section(&mut flow, question);
    }
    flow.finish()
}

const LABEL_WIDTH: f32 = 118.0;

fn title_page(flow: &mut Flow<'_>, report: &InterviewReport) {
    flow.text("VIVA · INTERVIEW REPORT", TextStyle::SMALL.bold().sized(9.0));
    flow.gap(4.0);
    flow.text(&report.title, TextStyle::BODY.bold().sized(22.0));
    flow.gap(2.0);
    let mut subtitle = format!("{} · {}", report.candidate.name, report.role);
    if report.practice {
        subtitle.push_str(" · practice interview");
    }
    flow.text(&subtitle, TextStyle::BODY.sized(12.0).colored(Rgb::MUTED));
    flow.gap(14.0);
    score_panel(flow, report);
    flow.gap(14.0);

    let answered = report.questions.iter().filter(|q| q.answer.is_some()).count();
    let evaluated =
        report.questions.iter().filter(|q| q.answer.as_ref().is_some_and(|a| a.ai.is_some())).count();
    let person = |p: &crate::model::ReportPerson| format!("{} <{}>", p.name, p.email);
    let rows: Vec<(&str, String)> = vec![
        ("Candidate", person(&report.candidate)),
        ("Role", report.role.clone()),
        ("Job", report.job_title.clone().unwrap_or_else(|| "—".to_owned())),
        ("Difficulty", words(&report.difficulty)),
        ("HR", report.hr.as_ref().map(person).unwrap_or_else(|| "—".to_owned())),
        ("Status", words(&report.status)),
        ("Scheduled", instant(report.scheduled_at)),
        ("Started", report.started_at.map(instant).unwrap_or_else(|| "—".to_owned())),
        ("Completed", report.completed_at.map(instant).unwrap_or_else(|| "—".to_owned())),
        (
            "Questions",
            format!("{} asked, {answered} answered, {evaluated} evaluated", report.questions.len()),
        ),
        ("Report generated", instant(report.generated_at)),
        ("Interview id", report.interview_id.to_string()),
    ];
    for (label, value) in rows {
        labelled(flow, label, &value);
    }
}

/// A label in the left column and its value wrapped beside it.
fn labelled(flow: &mut Flow<'_>, label: &str, value: &str) {
    let style = TextStyle::BODY;
    flow.keep(style.size * 1.4);
    let y = flow.y() + style.size;
    flow.push(Op::Text {
        x: MARGIN_X,
        y,
        size: style.size,
        weight: style.weight,
        color: Rgb::MUTED,
        text: label.to_owned(),
    });
    flow.text_at(MARGIN_X + LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH, value, style);
    flow.gap(2.0);
}

fn score_panel(flow: &mut Flow<'_>, report: &InterviewReport) {
    let height = 64.0;
    let top = flow.reserve(height);
    flow.push(Op::Rect { x: MARGIN_X, y: top, width: CONTENT_WIDTH, height, color: Rgb::PANEL });
    let text = |x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: String| Op::Text {
        x,
        y,
        size,
        weight: if bold { super::fonts::Weight::Bold } else { super::fonts::Weight::Regular },
        color,
        text,
    };
    flow.push(text(MARGIN_X + 14.0, top + 18.0, 9.0, false, Rgb::MUTED, "Overall score".to_owned()));
    match report.overall_score {
        Some(score) => {
            flow.push(text(MARGIN_X + 14.0, top + 50.0, 26.0, true, Rgb::INK, format!("{score} / 100")));
            let grade = report.grade.clone().unwrap_or_else(|| "—".to_owned());
            flow.push(text(MARGIN_X + 190.0, top + 18.0, 9.0, false, Rgb::MUTED, "Grade".to_owned()));
            flow.push(text(MARGIN_X + 190.0, top + 50.0, 26.0, true, Rgb::INK, grade));
        }
        None => {
            flow.push(text(MARGIN_X + 14.0, top + 46.0, 16.0, true, Rgb::MUTED, "Not scored yet".to_owned()));
        }
    }
    let human = report.dimensions.iter().find_map(|d| d.human_score.filter(|_| d.dimension == "OVERALL"));
    if let Some(human) = human {
        flow.push(text(
            MARGIN_X + 290.0,
            top + 18.0,
            9.0,
            false,
            Rgb::MUTED,
            "Human score (mean)".to_owned(),
        ));
        flow.push(text(MARGIN_X + 290.0, top + 50.0, 26.0, true, Rgb::HUMAN, mean(human)));
    }
}

fn summary(flow: &mut Flow<'_>, report: &InterviewReport) {
    let lists = [
        ("Strengths", &report.strengths),
        ("To improve", &report.improvements),
        ("Recommendations", &report.recommendations),
    ];
    for (title, items) in lists {
        if items.is_empty() {
            continue;
        }
        flow.gap(10.0);
        flow.heading(title, 13.0, 30.0);
        flow.bullets(items, TextStyle::BODY);
    }
    if let Some(feedback) = &report.feedback {
        flow.gap(10.0);
        flow.heading("Feedback", 13.0, 30.0);
        flow.text(feedback, TextStyle::BODY);
    }
    let d = &report.delivery;
    flow.gap(10.0);
    flow.heading("Delivery", 13.0, 30.0);
    let mut parts = vec![format!("{} words", d.total_words)];
    if let Some(wpm) = d.words_per_minute {
        parts.push(format!("{wpm:.0} words per minute"));
    }
    parts.push(format!("{} filler words", d.filler_words));
    parts.push(format!("{} too long", plural(d.long_answers, "answer", "answers")));
    parts.push(format!("{} too short", plural(d.short_answers, "answer", "answers")));
    flow.text(&parts.join(" · "), TextStyle::BODY);
}

fn charts(flow: &mut Flow<'_>, report: &InterviewReport) {
    flow.heading("Scores by dimension", 16.0, 230.0);
    flow.text(
        "Mean AI score of the evaluated answers per dimension; for Overall, also the mean of \
         the human scores.",
        TextStyle::SMALL,
    );
    legend(flow);
    let dimensions = BarChart {
        categories: report.dimensions.iter().map(|d| d.label.clone()).collect(),
        ai: report.dimensions.iter().map(|d| d.ai_score).collect(),
        human: report.dimensions.iter().map(|d| d.human_score).collect(),
    };
    chart(flow, dimensions, 200.0);
    for d in &report.dimensions {
        let mut value = format!("AI {}", d.ai_score.map(mean).unwrap_or_else(|| "—".to_owned()));
        if let Some(human) = d.human_score {
            value.push_str(&format!(" · human {}", mean(human)));
        }
        labelled(flow, &d.label, &value);
    }

    flow.gap(18.0);
    flow.heading("Scores by question", 16.0, 230.0);
    flow.text(
        "Overall score per question: AI, and human where a person scored the answer. \
         Questions without a bar were not answered or not evaluated yet.",
        TextStyle::SMALL,
    );
    legend(flow);
    let questions = BarChart {
        categories: report.questions.iter().map(|q| format!("Q{}", q.position)).collect(),
        ai: report
            .questions
            .iter()
            .map(|q| q.answer.as_ref().and_then(|a| a.ai.as_ref()).map(|ai| f64::from(ai.overall)))
            .collect(),
        human: report
            .questions
            .iter()
            .map(|q| q.answer.as_ref().and_then(|a| a.human.as_ref()).map(|h| f64::from(h.score)))
            .collect(),
    };
    chart(flow, questions, 200.0);
}

fn chart(flow: &mut Flow<'_>, chart: BarChart, height: f32) {
    if chart.categories.is_empty() {
        flow.text("Nothing to chart.", TextStyle::BODY.colored(Rgb::MUTED));
        return;
    }
    let y = flow.reserve(height);
    flow.push(Op::Chart { x: MARGIN_X, y, width: CONTENT_WIDTH, height, chart });
    flow.gap(8.0);
}

fn legend(flow: &mut Flow<'_>) {
    let y = flow.reserve(16.0) + 4.0;
    let mut x = MARGIN_X;
    for (label, color) in [("AI", Rgb::AI), ("Human", Rgb::HUMAN)] {
        flow.push(Op::Rect { x, y, width: 8.0, height: 8.0, color });
        flow.push(Op::Text {
            x: x + 12.0,
            y: y + 7.5,
            size: 8.5,
            weight: super::fonts::Weight::Regular,
            color: Rgb::MUTED,
            text: label.to_owned(),
        });
        x += 60.0;
    }
}

fn question_section(flow: &mut Flow<'_>, question: &QuestionReport) {
    let mut heading = format!("Question {} · {}", question.position, words(&question.kind));
    if question.follow_up {
        heading.push_str(" · follow-up");
    }
    flow.gap(6.0);
    flow.keep(70.0);
    flow.text(&heading, TextStyle::SMALL.bold());
    flow.gap(2.0);
    flow.text(&question.text, TextStyle::BODY.bold().sized(11.0));
    flow.gap(6.0);
    match &question.answer {
        None => flow.text("Not answered.", TextStyle::BODY.colored(Rgb::MUTED)),
        Some(answer) => answer_section(flow, answer),
    }
    flow.gap(4.0);
    flow.rule();
}

fn answer_section(flow: &mut Flow<'_>, answer: &AnswerReport) {
    let mut meta = format!("Answer · submitted {}", instant(answer.submitted_at));
    if let Some(seconds) = answer.duration_seconds {
        meta.push_str(&format!(" · took {}", duration(seconds)));
    }
    flow.keep(3.0 * TextStyle::BODY.size * 1.35);
    flow.text(&meta, TextStyle::SMALL);
    flow.gap(2.0);
    flow.text(&answer.text, TextStyle::BODY.indented(8.0));
    if let Some(transcript) = answer.transcript.as_deref().filter(|t| *t != answer.text) {
        flow.gap(4.0);
        flow.label("Transcript");
        flow.text(transcript, TextStyle::BODY.indented(8.0));
    }
    flow.gap(6.0);
    match &answer.ai {
        None => flow.text("AI evaluation: not evaluated yet.", TextStyle::BODY.colored(Rgb::MUTED)),
        Some(ai) => {
            flow.keep(2.0 * TextStyle::BODY.size * 1.35);
            flow.text(
                &format!("AI score {} / 100 · grade {}", ai.overall, ai.grade),
                TextStyle::BODY.bold().colored(Rgb::AI),
            );
            flow.text(
                &format!(
                    "Content {} · Communication {} · Technical depth {} · Relevance {}",
                    ai.content, ai.communication, ai.technical_depth, ai.relevance
                ),
                TextStyle::BODY,
            );
            if !ai.strengths.is_empty() {
                flow.gap(3.0);
                flow.label("Strengths");
                flow.bullets(&ai.strengths, TextStyle::BODY);
            }
            if !ai.improvements.is_empty() {
                flow.gap(3.0);
                flow.label("To improve");
                flow.bullets(&ai.improvements, TextStyle::BODY);
            }
            if !ai.feedback.trim().is_empty() {
                flow.gap(3.0);
                flow.label("Feedback");
                flow.text(&ai.feedback, TextStyle::BODY);
            }
            let p = &ai.provenance;
            let mut line = format!("Evaluated by {} ({}) · rubric {}", p.provider, p.model, p.rubric_version);
            if let Some(prompt) = &p.prompt_version {
                line.push_str(&format!(" · prompt {prompt}"));
            }
            line.push_str(&format!(" · {}", instant(p.evaluated_at)));
            if let Some(fallback) = &p.fallback {
                line.push_str(&format!(" · after fallback: {fallback}"));
            }
            flow.gap(3.0);
            flow.text(&line, TextStyle::SMALL);
        }
    }
    if let Some(human) = &answer.human {
        flow.gap(6.0);
        flow.text(&format!("Human score {} / 100", human.score), TextStyle::BODY.bold().colored(Rgb::HUMAN));
        let mut by = Vec::new();
        if let Some(name) = &human.scored_by {
            by.push(format!("by {name}"));
        }
        if let Some(at) = human.scored_at {
            by.push(instant(at));
        }
        if !by.is_empty() {
            flow.text(&format!("Scored {}", by.join(", ")), TextStyle::SMALL);
        }
        if let Some(reason) = &human.reason {
            flow.text(&format!("Reason: {reason}"), TextStyle::BODY);
        }
    }
}

/// `2 Mar 2026, 09:30 UTC`.
pub(crate) fn instant(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// A mean score with one decimal.
pub(crate) fn mean(value: f64) -> String {
    format!("{value:.1}")
}

/// `IN_PROGRESS` → `In progress`.
fn words(value: &str) -> String {
    let lower = value.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn duration(seconds: i32) -> String {
    let seconds = seconds.max(0);
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

fn plural(n: i32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_people() {
        assert_eq!(words("IN_PROGRESS"), "In progress");
        assert_eq!(words("TECHNICAL"), "Technical");
        assert_eq!(words(""), "");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(120), "2 min");
        assert_eq!(duration(150), "2 min 30 s");
        assert_eq!(duration(-3), "0 s");
    }
}
