//! Chat completion with `generateContent`, and reading its reply (shared with transcription).

use viva_domain::ai::{AiError, ChatRequest, ChatResponse, ChatRole, Usage};

use crate::http::Api;
use crate::wire::{
    Content, GenerateContentRequest, GenerateContentResponse, GenerationConfig, ThinkingConfig,
};

/// The longest upstream enum value (finish or block reason) quoted in an error.
const MAX_REASON_CHARS: usize = 64;

pub(crate) async fn complete(
    api: &Api,
    model: &str,
    thinking_budget: Option<u32>,
    request: &ChatRequest,
) -> Result<ChatResponse, AiError> {
    let mut body = generate_content_request(request)?;
    body.generation_config.thinking_config =
        thinking_budget.map(|budget| ThinkingConfig { thinking_budget: budget });
    let response: GenerateContentResponse = api.call(model, "generateContent", &body).await?;
    let reply = read_reply(response, model)?;
    if reply.text.trim().is_empty() {
        return Err(AiError::InvalidOutput("Gemini's reply has no text".to_owned()));
    }
    Ok(ChatResponse { text: reply.text, model: reply.model, usage: reply.usage })
}

fn generate_content_request(request: &ChatRequest) -> Result<GenerateContentRequest<'_>, AiError> {
    if request.messages.is_empty() {
        return Err(AiError::InvalidInput("a chat request needs at least one message".to_owned()));
    }
    let contents = request
        .messages
        .iter()
        .map(|message| {
            let role = match message.role {
                ChatRole::User => "user",
                ChatRole::Assistant => "model",
            };
            Content::text(Some(role), &message.content)
        })
        .collect();
    let schema = request.output.as_ref().map(|output| &output.schema);
    Ok(GenerateContentRequest {
        system_instruction: request.system.as_deref().map(|system| Content::text(None, system)),
        contents,
        generation_config: GenerationConfig {
            temperature: request.temperature,
            max_output_tokens: request.max_output_tokens,
            response_mime_type: schema.map(|_| "application/json"),
            response_json_schema: schema,
            thinking_config: None,
        },
    })
}

/// What a `generateContent` reply said.
pub(crate) struct Reply {
    /// The first candidate's text parts, thoughts left out; possibly empty.
    pub(crate) text: String,
    /// `modelVersion`, or the configured model.
    pub(crate) model: String,
    pub(crate) usage: Usage,
}

/// The first candidate's text, if the prompt was not blocked and the candidate finished
/// normally; a reply cut at the token limit or withheld (safety, recitation, …) is invalid
/// output, since half a JSON object is no use.
pub(crate) fn read_reply(response: GenerateContentResponse, model: &str) -> Result<Reply, AiError> {
    if let Some(reason) = response.prompt_feedback.as_ref().and_then(|f| f.block_reason.as_deref()) {
        return Err(AiError::InvalidOutput(format!(
            "Gemini blocked the prompt (blockReason {})",
            quoted(reason)
        )));
    }
    let Some(candidate) = response.candidates.into_iter().next() else {
        return Err(AiError::InvalidOutput("Gemini's reply has no candidates".to_owned()));
    };
    match candidate.finish_reason.as_deref() {
        None | Some("STOP") => {}
        Some("MAX_TOKENS") => {
            return Err(AiError::InvalidOutput(
                "the reply was cut off at the token limit (finishReason MAX_TOKENS)".to_owned(),
            ));
        }
        Some(reason) => {
            return Err(AiError::InvalidOutput(format!(
                "Gemini withheld or stopped the reply (finishReason {})",
                quoted(reason)
            )));
        }
    }
    let text = candidate
        .content
        .map(|content| {
            content.parts.into_iter().filter(|part| !part.thought).filter_map(|part| part.text).collect()
        })
        .unwrap_or_default();
    let usage = response
        .usage_metadata
        .map(|usage| Usage {
            input_tokens: usage.prompt_token_count,
            // Thinking tokens are billed as output.
            output_tokens: usage.candidates_token_count + usage.thoughts_token_count,
        })
        .unwrap_or_default();
    let model = response
        .model_version
        .filter(|version| !version.trim().is_empty())
        .unwrap_or_else(|| model.to_owned());
    Ok(Reply { text, model, usage })
}

/// An upstream enum value, cut short if it is not the short word it should be.
fn quoted(reason: &str) -> String {
    reason.chars().filter(|c| !c.is_control()).take(MAX_REASON_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use viva_domain::ai::{ChatMessage, OutputSchema};

    use super::*;

    fn reply(body: serde_json::Value) -> Result<Reply, AiError> {
        read_reply(serde_json::from_value(body).unwrap(), "gemini-2.5-flash")
    }

    #[test]
    fn the_request_has_the_documented_shape() {
        let request = ChatRequest {
            system: Some("Be brief.".into()),
            messages: vec![
                ChatMessage { role: ChatRole::User, content: "Hi".into() },
                ChatMessage { role: ChatRole::Assistant, content: "Hello".into() },
                ChatMessage { role: ChatRole::User, content: "Score this".into() },
            ],
            output: Some(OutputSchema { name: "score".into(), schema: json!({"type": "object"}) }),
            temperature: Some(0.5),
            max_output_tokens: Some(256),
        };
        let body = serde_json::to_value(generate_content_request(&request).unwrap()).unwrap();
        assert_eq!(
            body,
            json!({
                "systemInstruction": {"parts": [{"text": "Be brief."}]},
                "contents": [
                    {"role": "user", "parts": [{"text": "Hi"}]},
                    {"role": "model", "parts": [{"text": "Hello"}]},
                    {"role": "user", "parts": [{"text": "Score this"}]},
                ],
                "generationConfig": {
                    "temperature": 0.5,
                    "maxOutputTokens": 256,
                    "responseMimeType": "application/json",
                    "responseJsonSchema": {"type": "object"},
                },
            })
        );

        let plain =
            ChatRequest { system: None, output: None, temperature: None, max_output_tokens: None, ..request };
        let body = serde_json::to_value(generate_content_request(&plain).unwrap()).unwrap();
        assert_eq!(body["generationConfig"], json!({}));
        assert!(body.get("systemInstruction").is_none());
    }

    #[test]
    fn no_messages_is_invalid_input() {
        let request = ChatRequest {
            system: Some("x".into()),
            messages: vec![],
            output: None,
            temperature: None,
            max_output_tokens: None,
        };
        assert!(matches!(generate_content_request(&request), Err(AiError::InvalidInput(_))));
    }

    #[test]
    fn text_usage_and_model_are_read() {
        let reply = reply(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "thinking…", "thought": true}, {"text": "{\"a\":"}, {"text": "1}"}
            ]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 4, "thoughtsTokenCount": 6, "totalTokenCount": 20},
            "modelVersion": "gemini-2.5-flash-001"
        }))
        .unwrap();
        assert_eq!(reply.text, "{\"a\":1}");
        assert_eq!(reply.usage, Usage { input_tokens: 10, output_tokens: 10 });
        assert_eq!(reply.model, "gemini-2.5-flash-001");

        let reply = reply_without_metadata();
        assert_eq!(reply.model, "gemini-2.5-flash");
        assert_eq!(reply.usage, Usage::default());
    }

    fn reply_without_metadata() -> Reply {
        reply(json!({"candidates": [{"content": {"parts": [{"text": "ok"}]}}]})).unwrap()
    }

    #[test]
    fn cut_off_withheld_blocked_and_empty_replies_are_invalid() {
        let cases = [
            (
                json!({"candidates": [{"finishReason": "MAX_TOKENS", "content": {"parts": [{"text": "{\"a"}]}}]}),
                "MAX_TOKENS",
            ),
            (json!({"candidates": [{"finishReason": "SAFETY"}]}), "SAFETY"),
            (json!({"candidates": [{"finishReason": "RECITATION"}]}), "RECITATION"),
            (json!({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}), "PROHIBITED_CONTENT"),
            (json!({"candidates": []}), "no candidates"),
            (json!({}), "no candidates"),
        ];
        for (body, expected) in cases {
            match reply(body) {
                Err(AiError::InvalidOutput(message)) => assert!(message.contains(expected), "{message}"),
                Err(other) => panic!("expected InvalidOutput naming {expected}, got {other:?}"),
                Ok(_) => panic!("expected InvalidOutput naming {expected}"),
            }
        }
    }
}
