//! One real call per capability, only when a real server is configured:
//! `VIVA_OPENAI_BASE_URL` and `VIVA_OPENAI_API_KEY` (and optionally `VIVA_OPENAI_MODEL`,
//! `VIVA_OPENAI_EMBEDDING_MODEL`).

use std::time::Duration;

use serde_json::Value;
use viva_domain::ai::{ChatModel, Embedder};
use viva_domain::secret::Secret;
use viva_openai::{OpenAi, Settings};

use crate::graded_request;

#[tokio::test]
async fn live_server_answers_with_the_schema() {
    let (Ok(base_url), Ok(key)) =
        (std::env::var("VIVA_OPENAI_BASE_URL"), std::env::var("VIVA_OPENAI_API_KEY"))
    else {
        eprintln!("skipped: set VIVA_OPENAI_BASE_URL and VIVA_OPENAI_API_KEY to run the live test");
        return;
    };
    let client = OpenAi::new(Settings {
        base_url,
        api_key: Some(Secret::new(key)),
        model: std::env::var("VIVA_OPENAI_MODEL").unwrap_or_else(|_| "gpt-4o-mini".to_owned()),
        embedding_model: std::env::var("VIVA_OPENAI_EMBEDDING_MODEL").ok(),
        timeout: Duration::from_secs(60),
        ..Settings::default()
    })
    .unwrap();

    let reply = client.complete(&graded_request()).await.unwrap();
    let value: Value = serde_json::from_str(&reply.text).unwrap();
    assert!(value["score"].is_i64(), "{value}");
    assert!(reply.usage.input_tokens > 0 && reply.usage.output_tokens > 0, "{:?}", reply.usage);

    if std::env::var("VIVA_OPENAI_EMBEDDING_MODEL").is_ok() {
        let vectors = client.embed(&["a mutex".to_owned(), "a lock".to_owned()]).await.unwrap();
        assert_eq!(vectors.len(), 2);
        assert_eq!(vectors[0].len(), client.dimensions());
    }
}
