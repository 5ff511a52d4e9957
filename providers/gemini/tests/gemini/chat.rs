use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use viva_ai_fakes::Behaviour;
use viva_domain::ai::{ChatMessage, ChatModel, ChatRole, ModelInfo, OutputSchema, Usage};

use crate::{KEY, ask, setup};

fn score_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "feedback": {"type": "string"}
        },
        "required": ["score", "feedback"]
    })
}

#[tokio::test]
async fn structured_chat_sends_the_documented_request_and_reads_the_reply() {
    let (fake, gemini) = setup().await;
    let mut request = ask("Rate this answer: caching");
    request.messages.push(ChatMessage { role: ChatRole::Assistant, content: "Which answer?".to_owned() });
    request.messages.push(ChatMessage { role: ChatRole::User, content: "The one about caches".to_owned() });
    request.output = Some(OutputSchema { name: "score".to_owned(), schema: score_schema() });

    let response = gemini.complete(&request).await.unwrap();

    let reply: Value = serde_json::from_str(&response.text).unwrap();
    assert_eq!(reply, json!({"score": 0, "feedback": "example"}));
    assert_eq!(response.model, "gemini-2.5-flash");
    assert!(response.usage.input_tokens >= 10, "{:?}", response.usage);
    assert_eq!(response.usage.output_tokens, 1);
    assert_eq!(ChatModel::info(&gemini), ModelInfo::new("gemini", "gemini-2.5-flash"));

    let sent = fake.script().requests_to("/v1beta/models/gemini-2.5-flash:generateContent");
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.header("x-goog-api-key"), Some(KEY));
    assert_eq!(sent.query, None);
    assert!(!sent.path.contains(KEY));
    let body = sent.json().unwrap();
    assert_eq!(body["systemInstruction"], json!({"parts": [{"text": "You are a strict interviewer."}]}));
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [{"text": "Rate this answer: caching"}]},
            {"role": "model", "parts": [{"text": "Which answer?"}]},
            {"role": "user", "parts": [{"text": "The one about caches"}]},
        ])
    );
    let config = &body["generationConfig"];
    assert_eq!(config["responseMimeType"], "application/json");
    assert_eq!(config["responseJsonSchema"], score_schema());
    assert!((config["temperature"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    assert_eq!(config["maxOutputTokens"], 512);
}

#[tokio::test]
async fn the_schema_reaches_the_model() {
    let (fake, gemini) = setup().await;
    let seen = Arc::new(Mutex::new(None));
    let seen_by_fake = Arc::clone(&seen);
    fake.script().set_responder(move |call| {
        *seen_by_fake.lock().unwrap() = Some(call.clone());
        json!({"score": 87, "feedback": "Clear."}).to_string()
    });
    let mut request = ask("Rate it");
    request.output = Some(OutputSchema { name: "score".to_owned(), schema: score_schema() });
    let response = gemini.complete(&request).await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&response.text).unwrap()["score"], 87);
    let call = seen.lock().unwrap().take().expect("the fake saw the call");
    assert_eq!(call.model, "gemini-2.5-flash");
    assert_eq!(call.schema, Some(score_schema()));
    assert_eq!(call.system.as_deref(), Some("You are a strict interviewer."));
    assert_eq!(call.user, "Rate it");
}

#[tokio::test]
async fn plain_chat_sends_no_schema() {
    let (fake, gemini) = setup().await;
    fake.script().push(Behaviour::Text("Tell me about a time you failed.".to_owned()));
    let mut request = ask("Ask a question");
    request.system = None;
    request.temperature = None;
    request.max_output_tokens = None;
    let response = gemini.complete(&request).await.unwrap();
    assert_eq!(response.text, "Tell me about a time you failed.");
    assert_eq!(response.usage, Usage { input_tokens: 3, output_tokens: 7 });

    let body = fake.script().requests()[0].json().unwrap();
    assert_eq!(body["generationConfig"], json!({}));
    assert!(body.get("systemInstruction").is_none());
}

#[tokio::test]
async fn a_configured_model_is_used_in_the_path() {
    let fake = viva_ai_fakes::gemini::FakeGemini::start().await;
    let gemini = viva_gemini::Gemini::new(viva_gemini::Settings {
        api_key: Some(viva_domain::secret::Secret::new(KEY)),
        model: "models/gemini-2.5-pro".to_owned(),
        base_url: format!("{}/", fake.base_url()),
        ..viva_gemini::Settings::default()
    })
    .unwrap();
    let response = gemini.complete(&ask("Hi")).await.unwrap();
    assert_eq!(response.model, "gemini-2.5-pro");
    assert_eq!(fake.script().requests()[0].path, "/v1beta/models/gemini-2.5-pro:generateContent");
}

#[tokio::test]
async fn a_thinking_budget_is_sent_only_when_configured() {
    let (fake, gemini) = setup().await;
    gemini.complete(&ask("Hi")).await.unwrap();
    let budgeted = viva_gemini::Gemini::new(viva_gemini::Settings {
        api_key: Some(viva_domain::secret::Secret::new(KEY)),
        base_url: fake.base_url(),
        thinking_budget: Some(0),
        ..viva_gemini::Settings::default()
    })
    .unwrap();
    budgeted.complete(&ask("Hi")).await.unwrap();
    let sent = fake.script().requests();
    assert!(sent[0].json().unwrap()["generationConfig"].get("thinkingConfig").is_none());
    assert_eq!(sent[1].json().unwrap()["generationConfig"]["thinkingConfig"], json!({"thinkingBudget": 0}));
}
