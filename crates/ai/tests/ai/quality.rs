//! Scoring quality over the committed (question, strong answer, weak answer) triples: the bank
//! questions of `triples.toml` (with ideal answers and expected keywords) and the open questions
//! of `triples-open.toml` (none: only the question and the answer to go on). Over both the
//! evaluator must prefer the strong answer at least 95% of the time, and at least 90% of the
//! time where the weak answer is fluent, long and on-topic but evasive, generic or a red flag;
//! its strengths must quote the strong answer and its improvements the weak one.

use viva_ai::{AnswerInput, Evaluator, QuestionContext};
use viva_domain::evaluation::Evaluation;
use viva_domain::interview::QuestionKind;

#[derive(serde::Deserialize)]
struct Set {
    triples: Vec<Triple>,
}

#[derive(serde::Deserialize)]
struct Triple {
    /// A bank question's id, or (open set) the question's text.
    question: String,
    /// Open set only: the question's kind.
    #[serde(default)]
    kind: Option<String>,
    /// Open set only: whether the weak answer is fluent and on-topic but evasive.
    #[serde(default)]
    evasive: bool,
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

fn read(name: &str) -> Set {
    let path = format!("{}/../../data/evaluation/{name}", env!("CARGO_MANIFEST_DIR"));
    toml::from_str(&std::fs::read_to_string(path).expect("read triples")).expect("parse triples")
}

fn kind(name: &str) -> QuestionKind {
    match name {
        "BEHAVIOURAL" => QuestionKind::Behavioural,
        "SITUATIONAL" => QuestionKind::Situational,
        "TECHNICAL" => QuestionKind::Technical,
        other => panic!("unknown kind {other}"),
    }
}

/// What one triple came to.
struct Outcome {
    preferred: bool,
    evasive: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strong_answers_outscore_weak_ones_and_the_notes_quote_the_answer() {
    let banked = read("triples.toml");
    let open = read("triples-open.toml");
    assert!(banked.triples.len() >= 48, "the bank set must keep its 48 triples");
    assert!(open.triples.len() >= 60, "the open set must hold at least 60 triples");
    let evasive_total = open.triples.iter().filter(|t| t.evasive).count();
    assert!(evasive_total * 3 >= open.triples.len(), "a third of the open set must be evasive");
    let bank = super::bank();
    let registry = super::registry();
    let evaluator = Evaluator::new(&registry.embeddings);
    let mut outcomes = Vec::new();
    let mut report = Vec::new();
    let mut unquoted = Vec::new();
    let none: Vec<String> = Vec::new();
    let cases = banked.triples.iter().map(|t| (t, true)).chain(open.triples.iter().map(|t| (t, false)));
    for (t, from_bank) in cases {
        let ctx = if from_bank {
            let q = bank
                .iter()
                .find(|q| q.id == t.question)
                .unwrap_or_else(|| panic!("unknown question {}", t.question));
            QuestionContext::from(q)
        } else {
            QuestionContext {
                text: &t.question,
                kind: kind(t.kind.as_deref().expect("an open triple has a kind")),
                ideal_answer: "",
                expected_keywords: &none,
                time_limit_seconds: 180,
            }
        };
        let (strong, _, strong_signals) = evaluator
            .evaluate_with_signals(&ctx, &AnswerInput { text: &t.strong, duration_seconds: None })
            .await;
        let (weak, _, weak_signals): (Evaluation, _, _) = evaluator
            .evaluate_with_signals(&ctx, &AnswerInput { text: &t.weak, duration_seconds: None })
            .await;
        let preferred = strong.scores.overall > weak.scores.overall;
        outcomes.push(Outcome { preferred, evasive: t.evasive });
        let label: String = t.question.chars().take(40).collect();
        report.push(format!(
            "{} {:<40} strong {:>3} weak {:>3}  {}",
            if preferred { "ok  " } else { "MISS" },
            label,
            strong.scores.overall,
            weak.scores.overall,
            t.weakness.split(':').next().unwrap_or_default()
        ));
        if !preferred {
            report.push(format!("     strong {strong_signals:?}\n     weak   {weak_signals:?}"));
        }
        if !quotes_answer(&strong.strengths, &t.strong) {
            unquoted.push(format!("{label}: no strength quotes the strong answer: {:#?}", strong.strengths));
        }
        if !quotes_answer(&weak.improvements, &t.weak) {
            unquoted
                .push(format!("{label}: no improvement quotes the weak answer: {:#?}", weak.improvements));
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
            assert!(!e.feedback.is_empty() && !e.remark.is_empty());
            assert_eq!(e.ideal_answer.is_empty(), !from_bank);
        }
    }
    let preferred = outcomes.iter().filter(|o| o.preferred).count();
    let evasive_preferred = outcomes.iter().filter(|o| o.evasive && o.preferred).count();
    let share = preferred as f64 / outcomes.len() as f64;
    let evasive_share = evasive_preferred as f64 / evasive_total as f64;
    eprintln!(
        "{}\nstrong preferred in {preferred}/{} ({:.1}%), evasive {evasive_preferred}/{evasive_total} ({:.1}%)",
        report.join("\n"),
        outcomes.len(),
        share * 100.0,
        evasive_share * 100.0
    );
    assert!(unquoted.is_empty(), "{}", unquoted.join("\n"));
    assert!(share >= 0.95, "the strong answer won only {preferred} of {}", outcomes.len());
    assert!(
        evasive_share >= 0.9,
        "the strong answer won only {evasive_preferred} of the {evasive_total} evasive triples"
    );
}
