//! Scoring quality: over the committed (question, strong answer, weak answer) triples the
//! evaluator must prefer the strong answer at least 90% of the time, and its strengths and
//! improvements must quote the answer they are about.

use viva_ai::{AnswerInput, Evaluator, QuestionContext};
use viva_domain::evaluation::Evaluation;

#[derive(serde::Deserialize)]
struct Set {
    triples: Vec<Triple>,
}

#[derive(serde::Deserialize)]
struct Triple {
    question: String,
    weakness: String,
    strong: String,
    weak: String,
}

/// The quoted fragments of a note ("…").
fn quotes(note: &str) -> Vec<String> {
    note.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase().replace('"', "'")
}

/// Whether some note quotes the answer (a fragment of at least three words found in it).
fn quotes_answer(notes: &[String], answer: &str) -> bool {
    let answer = normalise(answer);
    notes
        .iter()
        .flat_map(|n| quotes(n))
        .any(|q| q.split_whitespace().count() >= 3 && answer.contains(&normalise(&q)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strong_answers_outscore_weak_ones_and_the_notes_quote_the_answer() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/evaluation/triples.toml");
    let set: Set =
        toml::from_str(&std::fs::read_to_string(path).expect("read triples")).expect("parse triples");
    assert!(set.triples.len() >= 40, "the set must hold at least 40 triples");
    let bank = super::bank();
    let registry = super::registry();
    let evaluator = Evaluator::new(&registry.embeddings);
    let mut preferred = 0;
    let mut report = Vec::new();
    let mut unquoted = Vec::new();
    for t in &set.triples {
        let q = bank
            .iter()
            .find(|q| q.id == t.question)
            .unwrap_or_else(|| panic!("unknown question {}", t.question));
        let ctx = QuestionContext::from(q);
        let strong: Evaluation =
            evaluator.evaluate(&ctx, &AnswerInput { text: &t.strong, duration_seconds: None }).await.0;
        let weak: Evaluation =
            evaluator.evaluate(&ctx, &AnswerInput { text: &t.weak, duration_seconds: None }).await.0;
        let ok = strong.scores.overall > weak.scores.overall;
        preferred += usize::from(ok);
        report.push(format!(
            "{} {:<26} strong {:>3} weak {:>3}  {}",
            if ok { "ok  " } else { "MISS" },
            t.question,
            strong.scores.overall,
            weak.scores.overall,
            t.weakness.split(':').next().unwrap_or_default()
        ));
        if !quotes_answer(&strong.strengths, &t.strong) {
            unquoted.push(format!(
                "{}: no strength quotes the strong answer: {:#?}",
                t.question, strong.strengths
            ));
        }
        if !quotes_answer(&weak.improvements, &t.weak) {
            unquoted.push(format!(
                "{}: no improvement quotes the weak answer: {:#?}",
                t.question, weak.improvements
            ));
        }
        for e in [&strong, &weak] {
            for s in [
                e.scores.content,
                e.scores.communication,
                e.scores.technical_depth,
                e.scores.relevance,
                e.scores.overall,
            ] {
                assert!((0..=100).contains(&s));
            }
            assert!(!e.feedback.is_empty() && !e.remark.is_empty() && !e.ideal_answer.is_empty());
        }
    }
    let share = preferred as f64 / set.triples.len() as f64;
    eprintln!(
        "{}\nstrong preferred in {preferred}/{} ({:.1}%)",
        report.join("\n"),
        set.triples.len(),
        share * 100.0
    );
    assert!(unquoted.is_empty(), "{}", unquoted.join("\n"));
    assert!(share >= 0.9, "the strong answer won only {preferred} of {}", set.triples.len());
}
