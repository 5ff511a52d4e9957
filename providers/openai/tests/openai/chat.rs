//! Chat completions: the request sent, the reply read, the `json_object` fallback.

use serde_json::{Value, json};
use viva_ai_fakes::Behaviour;
use viva_domain::ai::{AiError, ChatModel, ModelInfo};

use crate::{KEY, graded_request, plain_request, setup};

#[tokio::test]
async fn a_schema_request_is_sent_strict_with_the_key_in_the_header() {
    let (fake, client) = setup().await;

    let reply = client.complete(&graded_request()).await.unwrap();

    let value: Value = serde_json::from_str(&reply.text).unwrap();
    assert_eq!(value, json!({ "score": 0, "feedback": "example" }));
    assert_eq!(reply.model, "gpt-test");
    // The fake counts words: the system and user messages, and the reply.
    assert_eq!(reply.usage.input_tokens, 7 + 8);
    assert_eq!(reply.usage.output_tokens, 1);

    let requests = fake.script().requests_to("/chat/completions");
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.query, None);
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    let body = sent.json().unwrap();
    assert_eq!(body["model"], "gpt-test");
    assert_eq!(
        body["messages"][0],
        json!({ "role": "system", "content": "You are an interviewer grading an answer." })
    );
    assert_eq!(body["messages"][1]["role"], "user");
    assert_eq!(body["max_tokens"], 400);
    assert!((body["temperature"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    let format = &body["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "evaluation");
    assert_eq!(format["json_schema"]["strict"], true);
    assert_eq!(format["json_schema"]["schema"], graded_request().output.unwrap().schema);
}

#[tokio::test]
async fn the_model_the_server_names_is_reported_and_info_names_the_configured_one() {
    let (fake, client) = setup().await;
    fake.script().set_responder(|call| format!("model {} said hi", call.model));

    let reply = client.complete(&plain_request()).await.unwrap();

    assert_eq!(reply.text, "model gpt-test said hi");
    assert_eq!(ChatModel::info(&client), ModelInfo::new("openai", "gpt-test"));
    let body = fake.script().requests()[0].json().unwrap();
    assert!(body.get("response_format").is_none(), "{body}");
}

#[tokio::test]
async fn a_server_without_json_schema_gets_json_object_and_the_schema_in_the_system_message() {
    let (fake, client) = setup().await;
    fake.reject_json_schema(true);
    fake.script().set_responder(|call| {
        assert!(call.schema.is_none());
        r#"{"score": 70, "feedback": "Good."}"#.to_owned()
    });

    let reply = client.complete(&graded_request()).await.unwrap();

    assert_eq!(reply.text, r#"{"score": 70, "feedback": "Good."}"#);
    assert!(client.uses_json_object_fallback());
    let requests = fake.script().requests_to("/chat/completions");
    assert_eq!(requests.len(), 2, "one refused json_schema request, one json_object request");
    assert_eq!(requests[0].json().unwrap()["response_format"]["type"], "json_schema");
    let fallback = requests[1].json().unwrap();
    assert_eq!(fallback["response_format"], json!({ "type": "json_object" }));
    let system = fallback["messages"][0]["content"].as_str().unwrap();
    assert!(system.starts_with("You are an interviewer grading an answer."), "{system}");
    assert!(system.contains("JSON Schema"), "{system}");
    assert!(system.contains(r#""required":["score","feedback"]"#), "{system}");

    // Remembered: the next call goes straight to json_object.
    fake.script().clear_requests();
    client.complete(&graded_request()).await.unwrap();
    let requests = fake.script().requests_to("/chat/completions");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].json().unwrap()["response_format"]["type"], "json_object");
}

#[tokio::test]
async fn other_bad_requests_do_not_switch_to_json_object() {
    let (fake, client) = setup().await;
    fake.script().push(Behaviour::Status(400));

    let error = client.complete(&graded_request()).await.unwrap_err();

    assert!(matches!(error, AiError::Upstream { status: 400, .. }), "{error:?}");
    assert!(!client.uses_json_object_fallback());
    assert_eq!(fake.script().requests().len(), 1);
}

#[tokio::test]
async fn the_reply_text_is_returned_as_sent() {
    let (fake, client) = setup().await;
    fake.script().push(Behaviour::Text("{\"score\": 101}".to_owned()));

    let reply = client.complete(&graded_request()).await.unwrap();

    // Validating against the schema's bounds is the caller's job.
    assert_eq!(reply.text, "{\"score\": 101}");
}

#[tokio::test]
async fn replies_cut_off_or_filtered_are_invalid_output() {
    let (fake, client) = setup().await;

    fake.script().push(Behaviour::Finish("length".to_owned()));
    let error = client.complete(&graded_request()).await.unwrap_err();
    assert_eq!(error, AiError::InvalidOutput("the reply was cut off at the token limit".to_owned()));

    fake.script().push(Behaviour::Finish("content_filter".to_owned()));
    let error = client.complete(&graded_request()).await.unwrap_err();
    assert!(matches!(&error, AiError::InvalidOutput(m) if m.contains("content filter")), "{error:?}");

    fake.script().push(Behaviour::Text("   ".to_owned()));
    let error = client.complete(&graded_request()).await.unwrap_err();
    assert!(matches!(&error, AiError::InvalidOutput(m) if m.contains("empty")), "{error:?}");
}

#[tokio::test]
async fn malformed_and_truncated_replies_are_invalid_output() {
    let (fake, client) = setup().await;

    fake.script().push(Behaviour::Malformed);
    let error = client.complete(&graded_request()).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidOutput(_)), "{error:?}");

    fake.script().push(Behaviour::Truncated);
    let error = client.complete(&graded_request()).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidOutput(_)), "{error:?}");
    assert!(error.is_transient());
}
