//! The OpenAI-compatible client against the fake server over real HTTP, and against a real
//! server when `VIVA_OPENAI_BASE_URL` and `VIVA_OPENAI_API_KEY` are set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod chat;
mod embeddings;
mod errors;
mod live;
mod transcription;

use std::time::Duration;

use serde_json::json;
use viva_ai_fakes::openai::FakeOpenAi;
use viva_domain::ai::{ChatMessage, ChatRequest, ChatRole, OutputSchema};
use viva_domain::secret::Secret;
use viva_openai::{OpenAi, Settings};

/// The key the fake requires in most tests.
const KEY: &str = "sk-test-7f3a9c1e5b2d4f60";

/// A fake that requires [`KEY`], and a client that sends it.
async fn setup() -> (FakeOpenAi, OpenAi) {
    let fake = FakeOpenAi::start().await;
    fake.script().require_key(KEY);
    let client = client(&fake, |_| {});
    (fake, client)
}

/// A client for `fake` with [`KEY`], an embedding model, a 5 s timeout, adjusted by `change`.
fn client(fake: &FakeOpenAi, change: impl FnOnce(&mut Settings)) -> OpenAi {
    let mut settings = Settings {
        base_url: fake.base_url(),
        api_key: Some(Secret::new(KEY)),
        model: "gpt-test".to_owned(),
        embedding_model: Some("embed-test".to_owned()),
        timeout: Duration::from_secs(5),
        ..Settings::default()
    };
    change(&mut settings);
    OpenAi::new(settings).unwrap()
}

/// An evaluation-like request with a schema.
fn graded_request() -> ChatRequest {
    ChatRequest {
        system: Some("You are an interviewer grading an answer.".to_owned()),
        messages: vec![ChatMessage {
            role: ChatRole::User,
            content: "Question: what is a mutex? Answer: a lock.".to_owned(),
        }],
        output: Some(OutputSchema {
            name: "evaluation".to_owned(),
            schema: json!({
                "type": "object",
                "properties": {
                    "score": { "type": "integer", "minimum": 0, "maximum": 100 },
                    "feedback": { "type": "string" }
                },
                "required": ["score", "feedback"],
                "additionalProperties": false
            }),
        }),
        temperature: Some(0.2),
        max_output_tokens: Some(400),
    }
}

/// A request without a schema.
fn plain_request() -> ChatRequest {
    ChatRequest { output: None, ..graded_request() }
}
