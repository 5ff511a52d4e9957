//! The candle embedding provider against Python sentence-transformers (PyTorch), side by side
//! in one run with the same sentences and the same thread count, and the offline evaluation
//! latency per answer.
//!
//! `make bench-ai` runs it. The Python side is `benches/python/st_bench.py` in the venv made by
//! `scripts/python-env.sh`; if that cannot be set up, the candle figures are printed alone and
//! the benchmark says why.
//!
//! Sentences: `benches/data/embedding_sentences.json`, 64 of about 32 tokens and 64 of about
//! 128. Each (group, batch) cell runs for `SECONDS` after a warm-up.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::process::Command;
use std::time::{Duration, Instant};

use viva_ai::{AiMetrics, AnswerInput, Capability, Evaluator, Provider, QuestionContext, Registry};

/// The allocator the `viva` binary runs with, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SECONDS: f64 = 5.0;

#[derive(serde::Deserialize)]
struct Sentences {
    short: Vec<String>,
    long: Vec<String>,
    tokens: Tokens,
}

#[derive(serde::Deserialize)]
struct Tokens {
    short: f64,
    long: f64,
}

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn candle_rate(model: &viva_candle::Model, sentences: &[String], batch: usize) -> f64 {
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let slices: Vec<&[&str]> = texts.chunks(batch).collect();
    for slice in slices.iter().take(3) {
        model.embed_batch(slice, batch).expect("warm up");
    }
    let started = Instant::now();
    let mut done = 0usize;
    let mut i = 0;
    while started.elapsed().as_secs_f64() < SECONDS {
        let slice = slices[i % slices.len()];
        model.embed_batch(slice, batch).expect("embed");
        done += slice.len();
        i += 1;
    }
    done as f64 / started.elapsed().as_secs_f64()
}

fn python_rates(model_dir: &std::path::Path, threads: usize) -> Result<serde_json::Value, String> {
    let env = Command::new(root().join("scripts/python-env.sh")).output().map_err(|e| e.to_string())?;
    if !env.status.success() {
        return Err(String::from_utf8_lossy(&env.stderr).trim().to_owned());
    }
    let python = String::from_utf8_lossy(&env.stdout).trim().to_owned();
    let out = Command::new(python)
        .arg(root().join("benches/python/st_bench.py"))
        .arg("--model")
        .arg(model_dir)
        .arg("--sentences")
        .arg(root().join("benches/data/embedding_sentences.json"))
        .args(["--threads", &threads.to_string(), "--seconds", &SECONDS.to_string()])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or_default().to_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let model_dir = viva_candle::locate(None).expect("the model is missing: run scripts/fetch-model.sh");
    let threads = candle_core::utils::get_num_threads();
    let sentences: Sentences = serde_json::from_slice(
        &std::fs::read(root().join("benches/data/embedding_sentences.json")).expect("read sentences"),
    )
    .expect("parse sentences");
    let model = viva_candle::Model::load(&model_dir).expect("load the model");

    println!("embedding throughput, sentences/s ({threads} threads, {SECONDS} s per cell)");
    let mut candle = Vec::new();
    for (group, texts, tokens) in [
        ("short", &sentences.short, sentences.tokens.short),
        ("long", &sentences.long, sentences.tokens.long),
    ] {
        for batch in [1, 32] {
            candle.push((group, tokens, batch, candle_rate(&model, texts, batch)));
        }
    }
    let python = python_rates(&model_dir, threads);
    println!(
        "{:<6} {:>7} {:>6} {:>12} {:>12} {:>8}",
        "group", "tokens", "batch", "candle", "pytorch", "ratio"
    );
    for (group, tokens, batch, ours) in &candle {
        let theirs = python.as_ref().ok().and_then(|p| {
            p["results"].as_array()?.iter().find_map(|r| {
                (r["group"] == *group && r["batch"] == *batch)
                    .then(|| r["sentences_per_sec"].as_f64())
                    .flatten()
            })
        });
        match theirs {
            Some(t) => {
                println!("{group:<6} {tokens:>7.1} {batch:>6} {ours:>12.1} {t:>12.1} {:>7.2}x", ours / t)
            }
            None => println!("{group:<6} {tokens:>7.1} {batch:>6} {ours:>12.1} {:>12} {:>8}", "-", "-"),
        }
    }
    match &python {
        Ok(p) => println!("pytorch: torch {} via sentence-transformers", p["torch"].as_str().unwrap_or("?")),
        Err(why) => println!("pytorch side skipped: {why}"),
    }

    // Offline evaluation latency over the scoring-quality answers, one at a time: first with
    // an empty question cache (the first answer to each question also embeds the question,
    // its ideal answer and keywords), then again with the cache warm, as it is for every
    // later candidate answering the same question.
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let embedder =
            viva_candle::CandleEmbedder::load(&model_dir, viva_candle::Options::default()).expect("load");
        let mut registry = Registry::empty(AiMetrics::unregistered().expect("metrics"));
        registry.add(Capability::Embeddings, Provider::Embedder(std::sync::Arc::new(embedder))).expect("add");
        let cache = viva_ai::QuestionCache::default();
        let evaluator = Evaluator::with_cache(&registry.embeddings, &cache);
        let bank = bank();
        let triples: toml::Value = toml::from_str(
            &std::fs::read_to_string(root().join("data/evaluation/triples.toml")).expect("triples"),
        )
        .expect("parse triples");
        let mut answers = Vec::new();
        for t in triples["triples"].as_array().expect("triples") {
            let q = bank.iter().find(|q| Some(q.id.as_str()) == t["question"].as_str()).expect("question");
            for side in ["weak", "strong"] {
                answers.push((q, t[side].as_str().expect("answer")));
            }
        }
        // Warm the model itself, then fill the shared cache.
        for (q, text) in &answers {
            let _ = evaluator
                .evaluate(&QuestionContext::from(*q), &AnswerInput { text, duration_seconds: None })
                .await;
        }
        for cached in [false, true] {
            let label = if cached { "question cached" } else { "question not yet cached" };
            let mut latencies = Vec::new();
            for (q, text) in &answers {
                let ctx = QuestionContext::from(*q);
                let answer = AnswerInput { text, duration_seconds: None };
                let fresh = viva_ai::QuestionCache::default();
                let started = Instant::now();
                if cached {
                    let _ = evaluator.evaluate(&ctx, &answer).await;
                } else {
                    let _ = Evaluator::with_cache(&registry.embeddings, &fresh).evaluate(&ctx, &answer).await;
                }
                latencies.push(started.elapsed());
            }
            latencies.sort();
            println!(
                "offline evaluation ({label}): {} answers, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                latencies.len(),
                percentile(&latencies, 0.5).as_secs_f64() * 1e3,
                percentile(&latencies, 0.99).as_secs_f64() * 1e3,
                latencies.last().expect("some").as_secs_f64() * 1e3
            );
        }
    });
}

fn bank() -> Vec<viva_domain::question_bank::BankQuestion> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(root().join("data/questions")).expect("bank") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        all.extend(viva_domain::question_bank::parse_role("bank", &text).expect("parse").questions);
    }
    all
}
