//! Against the real Gemini API, only when `VIVA_GEMINI_API_KEY` is set.

use std::time::Duration;

use serde_json::{Value, json};
use viva_domain::ai::{ChatMessage, ChatModel, ChatRequest, ChatRole, Embedder, OutputSchema, cosine};
use viva_domain::secret::Secret;
use viva_gemini::{Gemini, Settings};

fn live_client() -> Option<Gemini> {
    let Some(key) = std::env::var("VIVA_GEMINI_API_KEY").ok().filter(|key| !key.trim().is_empty()) else {
        eprintln!("skipped: set VIVA_GEMINI_API_KEY to run the live Gemini test");
        return None;
    };
    let mut settings =
        Settings { api_key: Some(Secret::new(key)), timeout: Duration::from_secs(60), ..Settings::default() };
    if let Ok(model) = std::env::var("VIVA_GEMINI_MODEL") {
        settings.model = model;
    }
    Some(Gemini::new(settings).unwrap())
}

#[tokio::test]
async fn live_structured_chat_and_embeddings() {
    let Some(gemini) = live_client() else { return };

    let schema = json!({
        "type": "object",
        "properties": {
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "feedback": {"type": "string"}
        },
        "required": ["score", "feedback"]
    });
    let request = ChatRequest {
        system: Some("You grade interview answers. Reply with JSON only.".to_owned()),
        messages: vec![ChatMessage {
            role: ChatRole::User,
            content:
                "Question: What is a hash map? Answer: A structure mapping keys to values through a hash \
                      function, with average O(1) lookups."
                    .to_owned(),
        }],
        output: Some(OutputSchema { name: "grade".to_owned(), schema }),
        temperature: Some(0.0),
        max_output_tokens: Some(2048),
    };
    let response = gemini.complete(&request).await.unwrap();
    let grade: Value = serde_json::from_str(&response.text).unwrap();
    assert!(grade["score"].as_i64().is_some_and(|s| (0..=100).contains(&s)), "{grade}");
    assert!(grade["feedback"].as_str().is_some_and(|f| !f.is_empty()), "{grade}");
    assert!(response.usage.input_tokens > 0 && response.usage.output_tokens > 0);
    eprintln!("live Gemini: model {}, usage {:?}", response.model, response.usage);

    let texts =
        ["How do you cache results?", "How would you cache results?", "The sky is blue."].map(String::from);
    let vectors = gemini.embed(&texts).await.unwrap();
    assert_eq!(vectors.len(), 3);
    assert!(vectors.iter().all(|v| v.len() == gemini.dimensions()));
    assert!(cosine(&vectors[0], &vectors[1]) > cosine(&vectors[0], &vectors[2]));
}
