//! The Gemini client against the fake Gemini server over real HTTP, and (only when
//! `VIVA_GEMINI_API_KEY` is set) against the real API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod chat;
mod embeddings;
mod errors;
mod fake;
mod live;
mod transcription;

use std::time::Duration;

use viva_ai_fakes::gemini::FakeGemini;
use viva_domain::ai::{ChatMessage, ChatRequest, ChatRole};
use viva_domain::secret::Secret;
use viva_gemini::{Gemini, Settings};

/// The key every test client sends and every fake requires.
const KEY: &str = "AIzaSy-test-key-0123456789-SECRET";

/// A fake that requires [`KEY`], and a client for it.
async fn setup() -> (FakeGemini, Gemini) {
    let fake = FakeGemini::start().await;
    fake.script().require_key(KEY);
    let gemini = client(&fake.base_url(), Duration::from_secs(10));
    (fake, gemini)
}

fn client(base_url: &str, timeout: Duration) -> Gemini {
    Gemini::new(Settings {
        api_key: Some(Secret::new(KEY)),
        base_url: base_url.to_owned(),
        timeout,
        ..Settings::default()
    })
    .unwrap()
}

fn ask(question: &str) -> ChatRequest {
    ChatRequest {
        system: Some("You are a strict interviewer.".to_owned()),
        messages: vec![ChatMessage { role: ChatRole::User, content: question.to_owned() }],
        output: None,
        temperature: Some(0.2),
        max_output_tokens: Some(512),
    }
}
