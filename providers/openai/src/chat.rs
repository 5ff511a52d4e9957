//! Chat completions: `POST {base_url}/chat/completions`.
//!
//! The reply cap is sent as `max_tokens`: OpenAI's chat models accept it (deprecated in favour
//! of `max_completion_tokens`, which only its reasoning models require), and Ollama, vLLM,
//! LocalAI and llama.cpp all read it, while not all of them read `max_completion_tokens`.
//!
//! Structured output asks for `response_format: {"type": "json_schema", "json_schema": {"name",
//! "schema", "strict": true}}`. A server that rejects that (400 or 422 naming `response_format`
//! or `json_schema`: an older Ollama or LocalAI, or OpenAI refusing a schema that strict mode
//! does not support) is asked again, once, with `{"type": "json_object"}` and the schema
//! written into the system message; the client then remembers to use `json_object` for every
//! later call. Either way the caller validates the reply against the schema.

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use viva_domain::ai::{AiError, ChatRequest, ChatResponse, ChatRole, OutputSchema, Usage};

use crate::OpenAi;
use crate::errors::{self, MESSAGE_LIMIT, Reply};

/// How the reply's shape is asked for.
#[derive(Clone, Copy)]
enum Format<'a> {
    /// Free text.
    Text,
    /// `response_format: json_schema`, strict.
    JsonSchema(&'a OutputSchema),
    /// `response_format: json_object`, the schema in the system message.
    JsonObject(&'a OutputSchema),
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<Value>,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: Cow<'a, str>,
}

#[derive(Deserialize)]
struct WireResponse {
    #[serde(default)]
    model: Option<String>,
    choices: Vec<WireChoice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct WireChoice {
    message: WireReply,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct WireReply {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
}

impl OpenAi {
    /// One completion: one request, or two when the server turns out not to support
    /// `json_schema`.
    pub(crate) async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, AiError> {
        let has_system = request.system.as_deref().is_some_and(|s| !s.trim().is_empty());
        if request.messages.is_empty() && !has_system {
            return Err(AiError::InvalidInput(
                "a chat request needs a system instruction or a message".to_owned(),
            ));
        }
        if let Some(schema) = &request.output
            && !self.json_object_only.load(Ordering::Relaxed)
        {
            let reply = self.send_chat(request, Format::JsonSchema(schema)).await?;
            if !rejects_json_schema(&reply) {
                return self.read_chat(reply);
            }
            if !self.json_object_only.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    base_url = %self.base_url,
                    reply = %self.scrub(&errors::error_message(&reply.body)),
                    "the OpenAI-compatible server rejects json_schema output; using json_object from now on"
                );
            }
        }
        let format = match &request.output {
            Some(schema) => Format::JsonObject(schema),
            None => Format::Text,
        };
        let reply = self.send_chat(request, format).await?;
        self.read_chat(reply)
    }

    async fn send_chat(&self, request: &ChatRequest, format: Format<'_>) -> Result<Reply, AiError> {
        let body = wire_request(&self.model, request, format);
        self.exchange(self.client.post(self.endpoint("chat/completions")).json(&body)).await
    }

    fn read_chat(&self, reply: Reply) -> Result<ChatResponse, AiError> {
        let body = self.success(reply)?;
        let wire: WireResponse =
            serde_json::from_slice(&body).map_err(|e| errors::unparsable("the chat reply", &e))?;
        let Some(choice) = wire.choices.into_iter().next() else {
            return Err(AiError::InvalidOutput("the chat reply has no choices".to_owned()));
        };
        if let Some(refusal) = choice.message.refusal.filter(|r| !r.trim().is_empty()) {
            return Err(AiError::InvalidOutput(format!("the model refused: {}", self.scrub(&refusal))));
        }
        match choice.finish_reason.as_deref() {
            // Some servers leave it out of non-streamed replies.
            None | Some("stop") => {}
            Some("length") => {
                return Err(AiError::InvalidOutput("the reply was cut off at the token limit".to_owned()));
            }
            Some("content_filter") => {
                return Err(AiError::InvalidOutput(
                    "the reply was withheld by the content filter".to_owned(),
                ));
            }
            Some(other) => {
                return Err(AiError::InvalidOutput(errors::truncate(
                    &format!("the reply finished unexpectedly ({other})"),
                    MESSAGE_LIMIT,
                )));
            }
        }
        let text = choice.message.content.unwrap_or_default();
        if text.trim().is_empty() {
            return Err(AiError::InvalidOutput("the reply is empty".to_owned()));
        }
        let usage = wire.usage.map_or_else(Usage::default, |u| Usage {
            input_tokens: u.prompt_tokens.unwrap_or(0),
            output_tokens: u.completion_tokens.unwrap_or(0),
        });
        Ok(ChatResponse { text, model: wire.model.unwrap_or_else(|| self.model.clone()), usage })
    }
}

/// The request body: the system message first, then the turns.
fn wire_request<'a>(model: &'a str, request: &'a ChatRequest, format: Format<'a>) -> WireRequest<'a> {
    let system = match format {
        Format::JsonObject(schema) => Some(Cow::Owned(system_with_schema(request.system.as_deref(), schema))),
        Format::Text | Format::JsonSchema(_) => {
            request.system.as_deref().filter(|s| !s.trim().is_empty()).map(Cow::Borrowed)
        }
    };
    let turns = request.messages.iter().map(|m| WireMessage {
        role: match m.role {
            ChatRole::User => "user",
            ChatRole::Assistant => "assistant",
        },
        content: Cow::Borrowed(m.content.as_str()),
    });
    let messages =
        system.map(|content| WireMessage { role: "system", content }).into_iter().chain(turns).collect();
    let response_format = match format {
        Format::Text => None,
        Format::JsonSchema(schema) => Some(json!({
            "type": "json_schema",
            "json_schema": { "name": schema.name, "schema": schema.schema, "strict": true },
        })),
        Format::JsonObject(_) => Some(json!({ "type": "json_object" })),
    };
    WireRequest {
        model,
        messages,
        temperature: request.temperature,
        max_tokens: request.max_output_tokens,
        response_format,
    }
}

/// The system instruction with the schema the reply must follow (`json_object` mode also needs
/// the word "JSON" in the messages, which this supplies).
fn system_with_schema(system: Option<&str>, schema: &OutputSchema) -> String {
    let instruction = format!(
        "Reply with a single JSON object and nothing else. It must be valid against this JSON Schema \
         (named \"{}\"):\n{}",
        schema.name, schema.schema
    );
    match system.map(str::trim).filter(|s| !s.is_empty()) {
        Some(system) => format!("{system}\n\n{instruction}"),
        None => instruction,
    }
}

/// Whether a reply is a server refusing `response_format: json_schema`.
fn rejects_json_schema(reply: &Reply) -> bool {
    matches!(reply.status, 400 | 422) && {
        let text = reply.text().to_lowercase();
        text.contains("response_format") || text.contains("json_schema")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use viva_domain::ai::ChatMessage;

    fn request() -> ChatRequest {
        ChatRequest {
            system: Some("You grade answers.".into()),
            messages: vec![
                ChatMessage { role: ChatRole::User, content: "Q".into() },
                ChatMessage { role: ChatRole::Assistant, content: "A".into() },
            ],
            output: Some(OutputSchema { name: "grade".into(), schema: json!({"type": "object"}) }),
            temperature: Some(0.2),
            max_output_tokens: Some(100),
        }
    }

    #[test]
    fn the_system_message_comes_first_and_the_schema_is_strict() {
        let request = request();
        let Some(schema) = &request.output else { unreachable!() };
        let body = serde_json::to_value(wire_request("m", &request, Format::JsonSchema(schema))).unwrap();
        assert_eq!(body["messages"][0], json!({"role": "system", "content": "You grade answers."}));
        assert_eq!(body["messages"][1]["role"], "user");
        assert_eq!(body["messages"][2]["role"], "assistant");
        assert_eq!(body["max_tokens"], 100);
        assert_eq!(body["response_format"]["json_schema"]["strict"], true);
        assert_eq!(body["response_format"]["json_schema"]["name"], "grade");
    }

    #[test]
    fn json_object_mode_writes_the_schema_into_the_system_message() {
        let request = request();
        let Some(schema) = &request.output else { unreachable!() };
        let body = serde_json::to_value(wire_request("m", &request, Format::JsonObject(schema))).unwrap();
        let system = body["messages"][0]["content"].as_str().unwrap();
        assert!(system.starts_with("You grade answers."));
        assert!(system.contains(r#"{"type":"object"}"#));
        assert_eq!(body["response_format"], json!({"type": "json_object"}));
    }

    #[test]
    fn only_schema_complaints_count_as_rejecting_json_schema() {
        let reply =
            |status: u16, body: &str| Reply { status, retry_after: None, body: body.as_bytes().to_vec() };
        assert!(rejects_json_schema(&reply(400, r#"{"error":{"message":"x","param":"response_format"}}"#)));
        assert!(rejects_json_schema(&reply(422, "json_schema is not supported")));
        assert!(!rejects_json_schema(&reply(400, r#"{"error":{"message":"bad model"}}"#)));
        assert!(!rejects_json_schema(&reply(500, "response_format")));
    }
}
