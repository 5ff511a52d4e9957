//! The candle provider against the real all-MiniLM-L6-v2 weights: parity with Python
//! sentence-transformers, and batching that never changes a result.
//!
//! The weights come from `scripts/fetch-model.sh` (run by `make test`); these tests fail with
//! that advice when the model is missing rather than pass without checking anything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;

use viva_candle::{CandleEmbedder, Model, Options};
use viva_domain::ai::{Embedder, cosine};

fn model_dir() -> PathBuf {
    viva_candle::locate(None).unwrap_or_else(|| {
        panic!("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh (make test does)")
    })
}

#[derive(serde::Deserialize)]
struct Fixture {
    sentences: Vec<String>,
    embeddings: Vec<Vec<f32>>,
}

fn fixture() -> Fixture {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity.json");
    serde_json::from_slice(&std::fs::read(path).expect("read the parity fixture")).expect("parse the fixture")
}

#[test]
fn embeddings_match_python_sentence_transformers() {
    let fixture = fixture();
    assert!(fixture.sentences.len() >= 50, "the fixture must hold at least 50 sentences");
    assert_eq!(fixture.sentences.len(), fixture.embeddings.len());
    let model = Model::load(&model_dir()).expect("load the model");
    let texts: Vec<&str> = fixture.sentences.iter().map(String::as_str).collect();
    // Both one at a time and in padded batches: padding must not move a vector.
    for batch in [1, 32] {
        let ours = model.embed_batch(&texts, batch).expect("embed");
        for ((sentence, expected), got) in fixture.sentences.iter().zip(&fixture.embeddings).zip(&ours) {
            assert_eq!(got.len(), 384);
            let similarity = cosine(expected, got);
            assert!(similarity >= 0.9999, "batch {batch}: cosine {similarity} for {sentence:?}");
        }
    }
}

#[test]
fn long_texts_are_truncated_to_the_models_window() {
    let model = Model::load(&model_dir()).expect("load the model");
    let long = "The interviewer asked about distributed consensus. ".repeat(200);
    assert_eq!(model.token_count(&long).expect("tokenize"), 256);
    assert_eq!(model.token_count("").expect("tokenize"), 2, "[CLS] and [SEP] only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_are_batched_without_mixing_results() {
    let embedder = Arc::new(CandleEmbedder::load(&model_dir(), Options::default()).expect("load"));
    let texts: Vec<String> = (0..24)
        .map(|i| format!("Candidate {i} described how they reduced API latency by {} percent.", i * 3))
        .collect();
    let alone = embedder.embed(&texts).await.expect("embed");
    let calls = texts.iter().map(|t| {
        let embedder = embedder.clone();
        let text = t.clone();
        tokio::spawn(async move { embedder.embed(&[text]).await })
    });
    let together = futures_join(calls.collect()).await;
    for (i, (a, b)) in alone.iter().zip(&together).enumerate() {
        assert_eq!(b.len(), 1);
        assert!(cosine(a, &b[0]) > 0.99999, "text {i} changed when batched with others");
    }
    let unit = alone.iter().all(|v| (v.iter().map(|x| x * x).sum::<f32>().sqrt() - 1.0).abs() < 1e-4);
    assert!(unit, "vectors are unit length");
    assert!(embedder.embed(&[]).await.expect("nothing to do").is_empty());
    let too_long = "x".repeat(70_000);
    assert!(embedder.embed(&[too_long]).await.is_err(), "oversized input is refused");
}

async fn futures_join(
    handles: Vec<tokio::task::JoinHandle<Result<Vec<Vec<f32>>, viva_domain::ai::AiError>>>,
) -> Vec<Vec<Vec<f32>>> {
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.expect("task").expect("embed"));
    }
    out
}
