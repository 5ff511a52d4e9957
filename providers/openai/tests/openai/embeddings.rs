//! Embeddings: order, unit length, counts, dimensions, batching.

use serde_json::json;
use viva_ai_fakes::openai::FakeOpenAi;
use viva_ai_fakes::{Behaviour, fake_embedding};
use viva_domain::ai::{AiError, Embedder, ModelInfo};
use viva_openai::EMBEDDING_BATCH;

use crate::{client, setup};

fn texts(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("text number {i}")).collect()
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

#[tokio::test]
async fn vectors_come_back_in_input_order_at_unit_length() {
    let (fake, client) = setup().await;
    let texts = texts(3);

    // The fake lists the vectors in reverse order, each with its index.
    let vectors = client.embed(&texts).await.unwrap();

    assert_eq!(vectors.len(), 3);
    for (text, vector) in texts.iter().zip(&vectors) {
        let expected = fake_embedding(text, 384);
        assert!(vector.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-5), "{text}");
        assert!((norm(vector) - 1.0).abs() < 1e-5);
    }
    assert_eq!(client.dimensions(), 384, "learned from the first reply");
    assert_eq!(Embedder::info(&client), ModelInfo::new("openai", "embed-test"));
    let body = fake.script().requests_to("/embeddings")[0].json().unwrap();
    assert_eq!(body, json!({ "model": "embed-test", "input": texts }));
}

#[tokio::test]
async fn configured_dimensions_are_requested_and_checked() {
    let fake = FakeOpenAi::start().await;
    let client = client(&fake, |s| s.embedding_dimensions = Some(64));
    assert_eq!(client.dimensions(), 64, "known before any call");

    let vectors = client.embed(&texts(2)).await.unwrap();

    assert!(vectors.iter().all(|v| v.len() == 64));
    assert_eq!(fake.script().requests()[0].json().unwrap()["dimensions"], 64);

    fake.script()
        .push(Behaviour::Text(json!({ "data": [{ "index": 0, "embedding": [1.0, 0.0] }] }).to_string()));
    let error = client.embed(&texts(1)).await.unwrap_err();
    assert!(matches!(&error, AiError::InvalidOutput(m) if m.contains("2 dimensions")), "{error:?}");
}

#[tokio::test]
async fn vectors_that_are_not_unit_length_are_normalised() {
    let (fake, client) = setup().await;
    fake.script().push(Behaviour::Text(
        json!({ "data": [{ "index": 1, "embedding": [0.0, 2.0] }, { "index": 0, "embedding": [3.0, 4.0] }] })
            .to_string(),
    ));

    let vectors = client.embed(&texts(2)).await.unwrap();

    assert_eq!(vectors, vec![vec![0.6, 0.8], vec![0.0, 1.0]]);
}

#[tokio::test]
async fn a_wrong_count_or_a_zero_vector_is_invalid_output() {
    let (fake, client) = setup().await;

    fake.script().push(Behaviour::Text(json!({ "data": [{ "index": 0, "embedding": [1.0] }] }).to_string()));
    let error = client.embed(&texts(2)).await.unwrap_err();
    assert!(
        matches!(&error, AiError::InvalidOutput(m) if m.contains("1 embeddings for 2 texts")),
        "{error:?}"
    );

    fake.script()
        .push(Behaviour::Text(json!({ "data": [{ "index": 0, "embedding": [0.0, 0.0] }] }).to_string()));
    let error = client.embed(&texts(1)).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidOutput(_)), "{error:?}");

    fake.script().push(Behaviour::Truncated);
    let error = client.embed(&texts(1)).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidOutput(_)), "{error:?}");
}

#[tokio::test]
async fn a_changed_dimension_is_invalid_output() {
    let (fake, client) = setup().await;
    client.embed(&texts(1)).await.unwrap();

    fake.script()
        .push(Behaviour::Text(json!({ "data": [{ "index": 0, "embedding": [1.0, 0.0] }] }).to_string()));
    let error = client.embed(&texts(1)).await.unwrap_err();

    assert!(matches!(&error, AiError::InvalidOutput(m) if m.contains("384")), "{error:?}");
}

#[tokio::test]
async fn large_inputs_are_sent_in_batches() {
    let (fake, client) = setup().await;
    let texts = texts(EMBEDDING_BATCH + 10);

    let vectors = client.embed(&texts).await.unwrap();

    assert_eq!(vectors.len(), texts.len());
    let sizes: Vec<usize> = fake
        .script()
        .requests()
        .iter()
        .map(|r| r.json().unwrap()["input"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![EMBEDDING_BATCH, 10]);
    let last = texts.last().unwrap();
    assert!(vectors.last().unwrap().iter().zip(fake_embedding(last, 384)).all(|(a, b)| (a - b).abs() < 1e-5));
}

#[tokio::test]
async fn nothing_to_embed_sends_nothing_and_no_model_is_unavailable() {
    let (fake, client) = setup().await;
    assert_eq!(client.embed(&[]).await.unwrap(), Vec::<Vec<f32>>::new());
    assert!(fake.script().requests().is_empty());

    let unconfigured = crate::client(&fake, |s| s.embedding_model = None);
    let error = unconfigured.embed(&texts(1)).await.unwrap_err();
    assert!(matches!(error, AiError::Unavailable(_)), "{error:?}");
    assert_eq!(unconfigured.dimensions(), 0, "unknown before any reply");
}
