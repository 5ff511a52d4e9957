use viva_ai_fakes::{Behaviour, fake_embedding};
use viva_domain::ai::{AiError, Embedder, ModelInfo, cosine};
use viva_gemini::{Gemini, Settings};

use crate::{KEY, setup};

fn texts(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("answer number {i}")).collect()
}

fn assert_unit(vector: &[f32]) {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
}

#[tokio::test]
async fn one_text_uses_embed_content() {
    let (fake, gemini) = setup().await;
    let vectors = gemini.embed(&["Tell me about Rust".to_owned()]).await.unwrap();
    assert_eq!(vectors.len(), 1);
    assert_eq!(vectors[0].len(), 768);
    assert_eq!(gemini.dimensions(), 768);
    assert_unit(&vectors[0]);
    assert!(cosine(&vectors[0], &fake_embedding("Tell me about Rust", 768)) > 0.9999);
    assert_eq!(Embedder::info(&gemini), ModelInfo::new("gemini", "gemini-embedding-001"));

    let sent = fake.script().requests_to("/v1beta/models/gemini-embedding-001:embedContent");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("x-goog-api-key"), Some(KEY));
    assert_eq!(
        sent[0].json().unwrap(),
        serde_json::json!({
            "model": "models/gemini-embedding-001",
            "content": {"parts": [{"text": "Tell me about Rust"}]},
            "outputDimensionality": 768,
        })
    );
}

#[tokio::test]
async fn a_batch_keeps_order_and_is_chunked_at_100() {
    let (fake, gemini) = setup().await;
    let input = texts(230);
    let vectors = gemini.embed(&input).await.unwrap();
    assert_eq!(vectors.len(), 230);
    for (text, vector) in input.iter().zip(&vectors) {
        assert_eq!(vector.len(), 768);
        assert_unit(vector);
        assert!(cosine(vector, &fake_embedding(text, 768)) > 0.9999, "{text}");
    }
    let batches = fake.script().requests_to(":batchEmbedContents");
    let sizes: Vec<usize> =
        batches.iter().map(|r| r.json().unwrap()["requests"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [100, 100, 30]);
    let first = &batches[0].json().unwrap()["requests"][0];
    assert_eq!(first["model"], "models/gemini-embedding-001");
    assert_eq!(first["outputDimensionality"], 768);
}

#[tokio::test]
async fn configured_dimensions_are_requested_and_checked() {
    let fake = viva_ai_fakes::gemini::FakeGemini::start().await;
    let gemini = Gemini::new(Settings {
        api_key: Some(viva_domain::secret::Secret::new(KEY)),
        embedding_dimensions: 256,
        base_url: fake.base_url(),
        ..Settings::default()
    })
    .unwrap();
    let vectors = gemini.embed(&texts(2)).await.unwrap();
    assert!(vectors.iter().all(|v| v.len() == 256));
}

#[tokio::test]
async fn empty_input_makes_no_request_and_empty_texts_are_refused() {
    let (fake, gemini) = setup().await;
    assert_eq!(gemini.embed(&[]).await.unwrap(), Vec::<Vec<f32>>::new());
    let error = gemini.embed(&["ok".to_owned(), "  ".to_owned()]).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidInput(_)), "{error:?}");
    assert!(fake.script().requests().is_empty());
}

#[tokio::test]
async fn embedding_errors_map_like_chat_errors() {
    let (fake, gemini) = setup().await;
    fake.script().push(Behaviour::Status(503));
    let error = gemini.embed(&texts(3)).await.unwrap_err();
    assert!(matches!(error, AiError::Upstream { status: 503, .. }) && error.is_transient(), "{error:?}");
    fake.script().push(Behaviour::Malformed);
    assert!(matches!(gemini.embed(&texts(1)).await, Err(AiError::InvalidOutput(_))));
}
