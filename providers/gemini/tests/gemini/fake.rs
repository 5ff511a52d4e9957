//! The fake refuses what the real API would, so that a client sending the wrong shape fails
//! here rather than in production.

use serde_json::{Value, json};
use viva_ai_fakes::gemini::FakeGemini;

use crate::KEY;

async fn post(fake: &FakeGemini, path_and_query: &str, key: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("{}{path_and_query}", fake.base_url())).json(&body);
    if let Some(key) = key {
        request = request.header("x-goog-api-key", key);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn hello() -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": "Hello"}]}]})
}

#[tokio::test]
async fn the_fake_refuses_keys_in_the_url_and_records_them() {
    let fake = FakeGemini::start().await;
    fake.script().require_key(KEY);
    let path = format!("/v1beta/models/gemini-2.5-flash:generateContent?key={KEY}");
    let (status, body) = post(&fake, &path, Some(KEY), hello()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["status"], "INVALID_ARGUMENT");
    assert_eq!(fake.script().requests()[0].query.as_deref(), Some(&*format!("key={KEY}")));
}

#[tokio::test]
async fn the_fake_checks_the_key_header() {
    let fake = FakeGemini::start().await;
    fake.script().require_key(KEY);
    let path = "/v1beta/models/gemini-2.5-flash:generateContent";
    let (status, body) = post(&fake, path, None, hello()).await;
    assert_eq!((status, body["error"]["status"].as_str()), (403, Some("PERMISSION_DENIED")));
    let (status, body) = post(&fake, path, Some("wrong"), hello()).await;
    assert_eq!((status, body["error"]["status"].as_str()), (401, Some("UNAUTHENTICATED")));
    let (status, _) = post(&fake, path, Some(KEY), hello()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_fake_refuses_malformed_requests() {
    let fake = FakeGemini::start().await;
    let generate = "/v1beta/models/gemini-2.5-flash:generateContent";
    let schema_without_mime = json!({
        "contents": [{"parts": [{"text": "Hi"}]}],
        "generationConfig": {"responseJsonSchema": {"type": "object"}},
    });
    let cases = [
        (generate, json!({})),
        (generate, json!({"contents": []})),
        (generate, json!({"contents": [{"role": "assistant", "parts": [{"text": "Hi"}]}]})),
        (
            generate,
            json!({"contents": [{"parts": [{"text": "Hi"}]}], "generation_config": {"max_tokens": 5}}),
        ),
        (generate, json!({"contents": [{"parts": [{"text": "Hi"}]}], "temperature": 0.1})),
        (generate, schema_without_mime),
        (
            generate,
            json!({"contents": [{"parts": [{"inlineData": {"mimeType": "audio/wav", "data": "%%%"}}]}]}),
        ),
        ("/v1beta/models/gemini-embedding-001:embedContent", json!({"content": {"parts": []}})),
        (
            "/v1beta/models/gemini-embedding-001:batchEmbedContents",
            json!({"requests": [{"model": "models/other", "content": {"parts": [{"text": "a"}]}}]}),
        ),
    ];
    for (path, body) in cases {
        let (status, reply) = post(&fake, path, None, body.clone()).await;
        assert_eq!(status, 400, "{path} {body}: {reply}");
        assert_eq!(reply["error"]["status"], "INVALID_ARGUMENT", "{body}");
    }
    let (status, reply) = post(&fake, "/v1beta/models/gemini-2.5-flash:countTokens", None, hello()).await;
    assert_eq!((status, reply["error"]["status"].as_str()), (404, Some("NOT_FOUND")));
}
