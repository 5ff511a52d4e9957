//! How well the offline evaluator's overall score agrees with human graders, on real graded
//! answers, beside the plain-cosine baseline; and the fit of the evaluator's calibration.
//!
//! Data: `../shared/data/asag/mohler-dev.csv` (beside the repository, never copied into it):
//! the first six assignments of the Texas short-answer set (Mohler, Bunescu and Mihalcea, 2011),
//! 1,074 answers to 37 computer-science questions, each with a reference answer and the mean
//! grade (0–5) of two graders. Every answer goes through `Evaluator::evaluate_with_signals`, the
//! path `viva ai evaluate` takes, with the reference answer as the ideal answer.
//!
//! Printed:
//! - Pearson of the plain cosine (all-MiniLM-L6-v2 embeddings of reference and answer) with the
//!   mean grade: the baseline.
//! - Pearson of the evaluator's overall score with the committed calibration: in-sample, since
//!   the calibration was fitted on this file.
//! - Leave-one-assignment-out: the calibration refitted on five assignments and scored on the
//!   sixth, whose questions it never saw, pooled over the six folds: the figure to expect on
//!   unseen questions.
//! - The fit on the whole file (least-squares direction, spread chosen for the correlation of
//!   the final scores), to paste into `CALIBRATION` with a new `RUBRIC_VERSION` when the
//!   predictors change.
//!
//! `make bench-ai` runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::sync::Arc;

use viva_ai::evaluator::{CALIBRATION, Calibration, PREDICTOR_NAMES, PREDICTORS, Signals};
use viva_ai::{AiMetrics, AnswerInput, Capability, Evaluator, Provider, QuestionContext, Registry};
use viva_domain::ai::cosine;
use viva_domain::interview::QuestionKind;

/// The allocator the `viva` binary runs with, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Ridge term of the least-squares fit: keeps the normal equations well conditioned.
const RIDGE: f64 = 1e-3;

struct Row {
    assignment: String,
    question: String,
    reference: String,
    answer: String,
    grade: f64,
}

fn data_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/asag/mohler-dev.csv")
}

/// The fields of a CSV file with a header: quoted fields may hold commas, newlines and `""`.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn load() -> Vec<Row> {
    let path = data_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); it lives in shared/data/asag", path.display()));
    let mut rows = parse_csv(&text).into_iter();
    let header = rows.next().expect("a header");
    let col =
        |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (id, q, r, a, s) =
        (col("question_id"), col("question"), col("reference_answer"), col("student_answer"), col("score"));
    rows.filter(|f| f.len() == header.len())
        .map(|f| Row {
            assignment: f[id].split('.').next().unwrap_or_default().to_owned(),
            question: f[q].clone(),
            reference: f[r].clone(),
            answer: f[a].clone(),
            grade: f[s].parse().expect("a numeric score"),
        })
        .collect()
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Least squares with an intercept and a small ridge, by Gaussian elimination on the normal
/// equations.
fn fit(samples: &[([f32; PREDICTORS], f64)]) -> Calibration {
    const K: usize = PREDICTORS + 1;
    let mut a = [[0f64; K + 1]; K];
    for (x, y) in samples {
        let mut v = [1f64; K];
        for (slot, xi) in v[1..].iter_mut().zip(x) {
            *slot = f64::from(*xi);
        }
        for i in 0..K {
            for j in 0..K {
                a[i][j] += v[i] * v[j];
            }
            a[i][K] += v[i] * y;
        }
    }
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += RIDGE;
    }
    for col in 0..K {
        let pivot = (col..K).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs())).expect("rows");
        a.swap(col, pivot);
        for row in 0..K {
            if row != col {
                let factor = a[row][col] / a[col][col];
                let pivot_row = a[col];
                for (cell, p) in a[row].iter_mut().zip(pivot_row) {
                    *cell -= factor * p;
                }
            }
        }
    }
    let coef: Vec<f64> = (0..K).map(|i| a[i][K] / a[i][i]).collect();
    let round = |x: f64| ((x * 1000.0).round() / 1000.0) as f32;
    let mut weights = [0f32; PREDICTORS];
    for (w, c) in weights.iter_mut().zip(&coef[1..]) {
        *w = round(*c);
    }
    Calibration { intercept: round(coef[0]), weights }
}

/// [`fit`], then the spread that best ranks the final scores: the least-squares weights are
/// stretched (the intercept moved to keep the mean prediction) by the factor, from a fixed grid,
/// whose overall scores — clamped and adjusted as [`Signals::overall`] does — correlate best
/// with the grades. Least squares alone shrinks the spread towards the mean grade, and then the
/// rules' adjustments and the scale's ends weigh more than they should.
fn fit_spread(samples: &[(&Signals, f64)]) -> Calibration {
    let ls: Vec<([f32; PREDICTORS], f64)> =
        samples.iter().map(|(s, g)| (s.predictors(), target(*g, s))).collect();
    let base = fit(&ls);
    let n = samples.len() as f64;
    let means: Vec<f64> = (0..PREDICTORS)
        .map(|k| samples.iter().map(|(s, _)| f64::from(s.predictors()[k])).sum::<f64>() / n)
        .collect();
    let grades: Vec<f64> = samples.iter().map(|(_, g)| *g).collect();
    let mut best = (f64::NEG_INFINITY, base);
    for step in 0..=40 {
        let factor = 0.5 + 0.1 * f64::from(step);
        let mut weights = [0f32; PREDICTORS];
        let mut shift = 0f64;
        for k in 0..PREDICTORS {
            weights[k] = ((f64::from(base.weights[k]) * factor * 1000.0).round() / 1000.0) as f32;
            shift += (f64::from(weights[k]) - f64::from(base.weights[k])) * means[k];
        }
        let intercept = (((f64::from(base.intercept) - shift) * 1000.0).round() / 1000.0) as f32;
        let c = Calibration { intercept, weights };
        let scores: Vec<f64> = samples.iter().map(|(s, _)| f64::from(s.overall(&c))).collect();
        let r = pearson(&scores, &grades);
        if r > best.0 {
            best = (r, c);
        }
    }
    best.1
}

/// What the calibrated grade should be for the overall score to equal the human grade: the
/// rules' adjustment is added after the calibration, so the fit answers for it.
fn target(grade: f64, signals: &Signals) -> f64 {
    grade - 5.0 * f64::from(signals.adjustment)
}

fn main() {
    let rows = load();
    let model_dir = viva_candle::locate(None).expect("the model is missing: run scripts/fetch-model.sh");
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (signals, overall, cosines) = runtime.block_on(async {
        let embedder =
            viva_candle::CandleEmbedder::load(&model_dir, viva_candle::Options::default()).expect("load");
        let mut registry = Registry::empty(AiMetrics::unregistered().expect("metrics"));
        registry.add(Capability::Embeddings, Provider::Embedder(Arc::new(embedder))).expect("add");
        let cache = viva_ai::QuestionCache::default();
        let evaluator = Evaluator::with_cache(&registry.embeddings, &cache);
        let (mut signals, mut overall, mut cosines) = (Vec::new(), Vec::new(), Vec::new());
        for row in &rows {
            let ctx = QuestionContext {
                text: &row.question,
                kind: QuestionKind::Technical,
                ideal_answer: &row.reference,
                expected_keywords: &[],
                time_limit_seconds: 180,
            };
            let (evaluation, _, s) = evaluator
                .evaluate_with_signals(&ctx, &AnswerInput { text: &row.answer, duration_seconds: None })
                .await;
            overall.push(f64::from(evaluation.scores.overall));
            signals.push(s);
            let (v, _) =
                registry.embeddings.embed(&[row.reference.clone(), row.answer.clone()]).await.expect("embed");
            cosines.push(f64::from(cosine(&v[0], &v[1])));
        }
        (signals, overall, cosines)
    });
    let grades: Vec<f64> = rows.iter().map(|r| r.grade).collect();

    // Leave one assignment out: fit on the others, score the held-out questions.
    let mut assignments: Vec<&str> = rows.iter().map(|r| r.assignment.as_str()).collect();
    assignments.sort_unstable();
    assignments.dedup();
    let mut held_out = vec![0f64; rows.len()];
    let mut fold_lines = Vec::new();
    for fold in &assignments {
        let train: Vec<(&Signals, f64)> = rows
            .iter()
            .zip(&signals)
            .filter(|(r, _)| r.assignment != *fold)
            .map(|(r, s)| (s, r.grade))
            .collect();
        let calibration = fit_spread(&train);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for (i, (r, s)) in rows.iter().zip(&signals).enumerate() {
            if r.assignment == *fold {
                held_out[i] = f64::from(s.overall(&calibration));
                xs.push(held_out[i]);
                ys.push(r.grade);
            }
        }
        fold_lines.push(format!(
            "  assignment {fold}: {} answers, pearson {:.3}",
            xs.len(),
            pearson(&xs, &ys)
        ));
    }
    let all: Vec<(&Signals, f64)> = signals.iter().zip(&grades).map(|(s, g)| (s, *g)).collect();
    let fitted = fit_spread(&all);
    let refitted: Vec<f64> = signals.iter().map(|s| f64::from(s.overall(&fitted))).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let rmse = (overall.iter().zip(&grades).map(|(o, g)| (o / 20.0 - g).powi(2)).sum::<f64>()
        / grades.len() as f64)
        .sqrt();

    println!(
        "short-answer grading, {} answers to {} assignments ({})",
        rows.len(),
        assignments.len(),
        data_path().display()
    );
    println!("pearson with the mean human grade:");
    println!("  plain cosine (baseline)                         {:.3}", pearson(&cosines, &grades));
    println!("  evaluator, unseen questions (leave one assignment out) {:.3}", pearson(&held_out, &grades));
    println!("  evaluator, committed calibration (in-sample)    {:.3}", pearson(&overall, &grades));
    println!("  evaluator, refitted on the whole file           {:.3}", pearson(&refitted, &grades));
    println!("per held-out assignment:\n{}", fold_lines.join("\n"));
    println!(
        "scale: mean overall/20 {:.2} vs mean grade {:.2}; rmse {:.2} grade points",
        mean(&overall) / 20.0,
        mean(&grades),
        rmse
    );
    println!("calibration (grade 0-5 = intercept + weights . predictors):");
    println!("  predictors {PREDICTOR_NAMES:?}");
    println!("  committed  intercept {:.3} weights {:?}", CALIBRATION.intercept, CALIBRATION.weights);
    println!("  fitted     intercept {:.3} weights {:?}", fitted.intercept, fitted.weights);
    if fitted != CALIBRATION {
        println!("  the fit differs from the committed constants: update CALIBRATION and RUBRIC_VERSION");
    }
}
