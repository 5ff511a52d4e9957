//! A fake Gemini REST API: `generateContent` (chat, structured output, and transcription when
//! the turn carries `inlineData`), `embedContent` and `batchEmbedContents` under
//! `/v1beta/models/{model}:{method}`, with the v1beta request and reply shapes.
//!
//! It checks what it receives the way the real API does, so a client that sends the wrong
//! shape fails here and not in production: the key must be in the `x-goog-api-key` header (a
//! `key=` query parameter is refused with 400, a missing key is 403 `PERMISSION_DENIED`, a wrong
//! one 401 `UNAUTHENTICATED`, when [`Script::require_key`] was called), the body must be JSON
//! with the documented fields (unknown fields, empty `contents`, a schema without
//! `responseMimeType: "application/json"`, more than 100 batch requests: 400
//! `INVALID_ARGUMENT`). Every request is recorded first, whatever the answer.
//!
//! How a valid request is answered is the [`Script`]'s [`Behaviour`]: errors use Gemini's
//! `{"error": {"code", "message", "status", "details"}}` body, a 429 carries a
//! `google.rpc.RetryInfo` detail. `Finish` and `Text` apply to `generateContent` only;
//! embedding requests answer them normally.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use tokio::task::JoinHandle;

use crate::{Behaviour, ChatCall, Recorded, Script, fake_embedding};

/// The largest request the real API accepts (inline data included).
const MAX_REQUEST_BYTES: usize = 20 * 1024 * 1024;

/// The most requests `batchEmbedContents` accepts.
const MAX_BATCH: usize = 100;

/// The largest `outputDimensionality` of `gemini-embedding-001`, and its default.
const FULL_DIMENSIONS: usize = 3072;

/// The dimensions used when a request names none (Viva's configured size, not the model's).
const DEFAULT_DIMENSIONS: usize = 768;

/// A fake Gemini API on a loopback port, stopped when dropped.
pub struct FakeGemini {
    address: SocketAddr,
    script: Arc<Script>,
    server: JoinHandle<()>,
}

impl FakeGemini {
    /// Starts a fake on `127.0.0.1` at a free port, answering normally until scripted
    /// otherwise. Must be called inside a Tokio runtime.
    pub async fn start() -> Self {
        let script = Arc::new(Script::default());
        let state = Arc::new(Fake { script: Arc::clone(&script), replies: AtomicU64::new(0) });
        let app = Router::new()
            .fallback(handle)
            // Oversized requests reach the handler, which refuses them as the real API does.
            .layer(DefaultBodyLimit::max(4 * MAX_REQUEST_BYTES))
            .with_state(state);
        let (address, server) = crate::serve_on_loopback(app, "Gemini").await;
        Self { address, script, server }
    }

    /// The origin to configure as the client's base URL, such as `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// How requests are answered, and what was received.
    pub fn script(&self) -> &Arc<Script> {
        &self.script
    }
}

impl Drop for FakeGemini {
    fn drop(&mut self) {
        self.server.abort();
    }
}

struct Fake {
    script: Arc<Script>,
    replies: AtomicU64,
}

/// A request that passed the checks.
enum Call {
    Generate { model: String, chat: ChatCall, transcription: bool, prompt_words: usize },
    Embed { text: String, dimensions: usize },
    BatchEmbed { texts: Vec<(String, usize)> },
}

async fn handle(
    State(fake): State<Arc<Fake>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded::from_parts(&method, &uri, &headers, &body);
    let behaviour = fake.script.next(recorded);
    let call = match check(&fake.script, &method, &uri, &headers, &body) {
        Ok(call) => call,
        Err(refusal) => return error(refusal.code, refusal.message),
    };
    let delay = fake.script.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    answer(&fake, call, behaviour).await
}

/// An error status and message, answered in Gemini's error body.
struct Refusal {
    code: u16,
    message: String,
}

impl Refusal {
    fn new(code: u16, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// Everything the real API would refuse, refused the same way.
fn check(
    script: &Script,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Call, Refusal> {
    let Some((model, action)) =
        uri.path().strip_prefix("/v1beta/models/").and_then(|rest| rest.rsplit_once(':'))
    else {
        return Err(Refusal::new(
            404,
            format!("The requested URL {} was not found on this server.", uri.path()),
        ));
    };
    if model.is_empty() || model.contains('/') {
        return Err(Refusal::new(404, format!("models/{model} is not found for API version v1beta.")));
    }
    if !matches!(action, "generateContent" | "embedContent" | "batchEmbedContents") {
        return Err(Refusal::new(404, format!("Method {action} is not supported by the fake Gemini.")));
    }
    if method != Method::POST {
        return Err(Refusal::new(404, format!("{method} is not allowed on :{action}; use POST.")));
    }
    if uri.query().is_some_and(|query| query.split('&').any(|pair| pair.starts_with("key="))) {
        return Err(Refusal::new(
            400,
            "API keys in the URL are refused by this fake: send the x-goog-api-key header.",
        ));
    }
    if let Some(required) = script.required_key() {
        match headers.get("x-goog-api-key").map(|value| value.as_bytes()) {
            None => {
                return Err(Refusal::new(
                    403,
                    "Method doesn't allow unregistered callers (callers without established identity). \
                     Please use API Key or other form of API consumer identity to call this API.",
                ));
            }
            Some(sent) if sent != required.as_bytes() => {
                return Err(Refusal::new(401, "API key not valid. Please pass a valid API key."));
            }
            Some(_) => {}
        }
    }
    if body.len() > MAX_REQUEST_BYTES {
        return Err(Refusal::new(
            400,
            format!("Request payload size exceeds the limit: {MAX_REQUEST_BYTES} bytes."),
        ));
    }
    let json: Value = serde_json::from_slice(body)
        .map_err(|e| Refusal::new(400, format!("Invalid JSON payload received. {e}")))?;
    let checked = match action {
        "generateContent" => generate_call(model, &json),
        "embedContent" => {
            embed_request(model, &json, false).map(|(text, dimensions)| Call::Embed { text, dimensions })
        }
        _ => batch_call(model, &json),
    };
    checked.map_err(|message| Refusal::new(400, message))
}

/// Top-level fields of a `generateContent` request.
const GENERATE_FIELDS: &[&str] = &[
    "contents",
    "systemInstruction",
    "generationConfig",
    "safetySettings",
    "tools",
    "toolConfig",
    "cachedContent",
];

/// Fields of `generationConfig`.
const GENERATION_CONFIG_FIELDS: &[&str] = &[
    "stopSequences",
    "responseMimeType",
    "responseSchema",
    "responseJsonSchema",
    "responseModalities",
    "candidateCount",
    "maxOutputTokens",
    "temperature",
    "topP",
    "topK",
    "seed",
    "presencePenalty",
    "frequencyPenalty",
    "responseLogprobs",
    "logprobs",
    "enableEnhancedCivicAnswers",
    "speechConfig",
    "thinkingConfig",
    "mediaResolution",
];

fn generate_call(model: &str, json: &Value) -> Result<Call, String> {
    let request = object(json, "GenerateContentRequest")?;
    known_fields(request, GENERATE_FIELDS, "GenerateContentRequest")?;
    let contents = field(request, "contents")
        .and_then(Value::as_array)
        .filter(|contents| !contents.is_empty())
        .ok_or("* GenerateContentRequest.contents: contents is not specified")?;

    let mut user_turns = Vec::new();
    let mut prompt_words = 0;
    let mut transcription = false;
    for (index, content) in contents.iter().enumerate() {
        let content = object(content, &format!("contents[{index}]"))?;
        let role = field(content, "role").map(|role| role.as_str().unwrap_or("?")).unwrap_or("user");
        if !matches!(role, "user" | "model") {
            return Err(format!(
                "* GenerateContentRequest.contents[{index}].role: Please use a valid role: user, model."
            ));
        }
        let (texts, inline) = parts(content, &format!("contents[{index}]"))?;
        transcription |= inline;
        prompt_words += texts.iter().map(|text| words(text)).sum::<usize>();
        if role == "user" {
            user_turns.push(texts.join("\n"));
        }
    }

    let system = match field(request, "systemInstruction") {
        None => None,
        Some(instruction) => {
            let (texts, inline) = parts(object(instruction, "systemInstruction")?, "systemInstruction")?;
            if inline {
                return Err(
                    "* GenerateContentRequest.system_instruction: only text parts are allowed".to_owned()
                );
            }
            prompt_words += texts.iter().map(|text| words(text)).sum::<usize>();
            Some(texts.join("\n"))
        }
    };

    let schema = match field(request, "generationConfig") {
        None => None,
        Some(config) => generation_config(object(config, "generationConfig")?)?,
    };
    let chat = ChatCall {
        model: model.to_owned(),
        system,
        user: user_turns.join("\n\n"),
        schema_name: None,
        schema,
    };
    Ok(Call::Generate { model: model.to_owned(), chat, transcription, prompt_words })
}

/// Checks `generationConfig` and returns its schema, if any.
fn generation_config(config: &Map<String, Value>) -> Result<Option<Value>, String> {
    known_fields(config, GENERATION_CONFIG_FIELDS, "GenerationConfig")?;
    if let Some(temperature) = field(config, "temperature")
        && !temperature.as_f64().is_some_and(|t| (0.0..=2.0).contains(&t))
    {
        return Err(format!(
            "* GenerateContentRequest.generation_config.temperature: {temperature} is not in [0, 2]"
        ));
    }
    if let Some(max) = field(config, "maxOutputTokens")
        && max.as_u64().is_none_or(|max| max < 1)
    {
        return Err(format!(
            "* GenerateContentRequest.generation_config.max_output_tokens: {max} is not a positive integer"
        ));
    }
    let mime_type = match field(config, "responseMimeType") {
        None => None,
        Some(mime) => match mime.as_str() {
            Some(mime @ ("text/plain" | "application/json" | "text/x.enum")) => Some(mime),
            _ => {
                return Err(format!(
                    "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are \
                     `text/plain`, `application/json` and `text/x.enum`, not {mime}"
                ));
            }
        },
    };
    let schema = match (field(config, "responseSchema"), field(config, "responseJsonSchema")) {
        (Some(_), Some(_)) => {
            return Err("* GenerateContentRequest.generation_config: responseSchema and responseJsonSchema \
                        cannot both be set"
                .to_owned());
        }
        (Some(schema), None) | (None, Some(schema)) => Some(schema.clone()),
        (None, None) => None,
    };
    if let Some(schema) = &schema {
        if !schema.is_object() {
            return Err(
                "* GenerateContentRequest.generation_config.response_schema: must be an object".to_owned()
            );
        }
        if !matches!(mime_type, Some("application/json" | "text/x.enum")) {
            return Err(
                "* GenerateContentRequest.generation_config.response_mime_type: must be application/json \
                        when a response schema is set"
                    .to_owned(),
            );
        }
    }
    Ok(schema)
}

/// A content's text parts, and whether it has inline data (which must be well-formed).
fn parts(content: &Map<String, Value>, at: &str) -> Result<(Vec<String>, bool), String> {
    let parts = field(content, "parts")
        .and_then(Value::as_array)
        .filter(|parts| !parts.is_empty())
        .ok_or_else(|| format!("* GenerateContentRequest.{at}.parts: contents.parts must not be empty."))?;
    let mut texts = Vec::new();
    let mut inline = false;
    for (index, part) in parts.iter().enumerate() {
        let part = object(part, &format!("{at}.parts[{index}]"))?;
        if let Some(text) = field(part, "text") {
            texts.push(
                text.as_str().ok_or_else(|| format!("* {at}.parts[{index}].text: not a string"))?.to_owned(),
            );
        } else if let Some(data) = field(part, "inlineData") {
            let data = object(data, &format!("{at}.parts[{index}].inlineData"))?;
            let mime = field(data, "mimeType").and_then(Value::as_str).unwrap_or_default();
            if mime.is_empty() || !mime.contains('/') {
                return Err(format!("* {at}.parts[{index}].inline_data.mime_type: a media type is required"));
            }
            let bytes = field(data, "data")
                .and_then(Value::as_str)
                .and_then(|data| STANDARD.decode(data).ok())
                .ok_or_else(|| {
                    format!("* {at}.parts[{index}].inline_data.data: Invalid value (bytes): not base64")
                })?;
            if bytes.is_empty() {
                return Err(format!("* {at}.parts[{index}].inline_data.data: must not be empty"));
            }
            inline = true;
        } else {
            return Err(format!(
                "* {at}.parts[{index}]: the fake understands only text and inlineData parts"
            ));
        }
    }
    Ok((texts, inline))
}

/// An `embedContent` request's text and dimensions.
fn embed_request(model: &str, json: &Value, in_batch: bool) -> Result<(String, usize), String> {
    let request = object(json, "EmbedContentRequest")?;
    known_fields(
        request,
        &["model", "content", "taskType", "title", "outputDimensionality"],
        "EmbedContentRequest",
    )?;
    match field(request, "model").map(Value::as_str) {
        None if !in_batch => {}
        Some(Some(named)) if named == format!("models/{model}") => {}
        _ => {
            return Err(format!(
                "* BatchEmbedContentsRequest.model: each request's model must be models/{model}, as in the URL"
            ));
        }
    }
    let content = field(request, "content").ok_or("* EmbedContentRequest.content: content is required")?;
    let (texts, inline) = parts(object(content, "content")?, "content")?;
    if inline {
        return Err("* EmbedContentRequest.content: only text can be embedded".to_owned());
    }
    let text = texts.join(" ");
    if text.trim().is_empty() {
        return Err("* EmbedContentRequest.content: the text must not be empty".to_owned());
    }
    let dimensions = match field(request, "outputDimensionality") {
        None => DEFAULT_DIMENSIONS,
        Some(value) => value
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| (1..=FULL_DIMENSIONS).contains(n))
            .ok_or_else(|| {
                format!(
                    "* EmbedContentRequest.output_dimensionality: {value} is not in [1, {FULL_DIMENSIONS}]"
                )
            })?,
    };
    Ok((text, dimensions))
}

fn batch_call(model: &str, json: &Value) -> Result<Call, String> {
    let request = object(json, "BatchEmbedContentsRequest")?;
    known_fields(request, &["requests"], "BatchEmbedContentsRequest")?;
    let requests = field(request, "requests")
        .and_then(Value::as_array)
        .filter(|requests| !requests.is_empty())
        .ok_or("* BatchEmbedContentsRequest.requests: requests must not be empty")?;
    if requests.len() > MAX_BATCH {
        return Err(format!(
            "* BatchEmbedContentsRequest.requests: at most {MAX_BATCH} requests can be in one batch"
        ));
    }
    let texts =
        requests.iter().map(|request| embed_request(model, request, true)).collect::<Result<_, _>>()?;
    Ok(Call::BatchEmbed { texts })
}

async fn answer(fake: &Fake, call: Call, behaviour: Behaviour) -> Response {
    match behaviour {
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            error(504, "Deadline expired before operation could complete.")
        }
        Behaviour::RateLimited { retry_after } => rate_limited(retry_after),
        Behaviour::Status(code) => error(code, default_message(code)),
        Behaviour::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<html><head><title>Error</title></head><body>Something went wrong.</body></html>",
        )
            .into_response(),
        Behaviour::Truncated => {
            let whole = success_body(fake, call, Behaviour::Normal).to_string();
            let mut cut = whole.len() / 2;
            while !whole.is_char_boundary(cut) {
                cut -= 1;
            }
            json_response(StatusCode::OK, whole[..cut].to_owned())
        }
        behaviour => json_response(StatusCode::OK, success_body(fake, call, behaviour).to_string()),
    }
}

/// The 200 body for a call answered `Normal`, `Text` or `Finish`.
fn success_body(fake: &Fake, call: Call, behaviour: Behaviour) -> Value {
    match call {
        Call::Generate { model, chat, transcription, prompt_words } => {
            let reply = match &behaviour {
                Behaviour::Text(text) => text.clone(),
                _ if transcription => fake.script.transcript(),
                _ => fake.script.reply(&chat),
            };
            let id = fake.replies.fetch_add(1, Ordering::Relaxed);
            let candidate = match behaviour {
                Behaviour::Finish(reason) if reason == "MAX_TOKENS" => {
                    let half: String = reply.chars().take(reply.chars().count() / 2).collect();
                    json!({"content": {"role": "model", "parts": [{"text": half}]}, "finishReason": reason, "index": 0})
                }
                Behaviour::Finish(reason) => json!({
                    "finishReason": reason,
                    "index": 0,
                    "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}],
                }),
                _ => {
                    json!({"content": {"role": "model", "parts": [{"text": reply}]}, "finishReason": "STOP", "index": 0})
                }
            };
            let prompt_tokens = prompt_words.max(1);
            let reply_tokens = words(&reply).max(1);
            json!({
                "candidates": [candidate],
                "usageMetadata": {
                    "promptTokenCount": prompt_tokens,
                    "candidatesTokenCount": reply_tokens,
                    "totalTokenCount": prompt_tokens + reply_tokens,
                },
                "modelVersion": model,
                "responseId": format!("fake-gemini-{id}"),
            })
        }
        Call::Embed { text, dimensions } => json!({"embedding": {"values": embedding(&text, dimensions)}}),
        Call::BatchEmbed { texts } => json!({
            "embeddings": texts
                .iter()
                .map(|(text, dimensions)| json!({"values": embedding(text, *dimensions)}))
                .collect::<Vec<_>>(),
        }),
    }
}

/// [`fake_embedding`], but like the real model only unit length at the full 3072 dimensions:
/// shortened embeddings come unnormalised, and the client must scale them.
fn embedding(text: &str, dimensions: usize) -> Vec<f32> {
    let scale = if dimensions == FULL_DIMENSIONS { 1.0 } else { 0.75 };
    fake_embedding(text, dimensions).into_iter().map(|x| x * scale).collect()
}

fn rate_limited(retry_after: Duration) -> Response {
    let body = json!({"error": {
        "code": 429,
        "message": "You exceeded your current quota, please check your plan and billing details.",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                    "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                    "quotaValue": "10",
                }],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": proto_duration(retry_after)},
        ],
    }});
    json_response(StatusCode::TOO_MANY_REQUESTS, body.to_string())
}

/// A duration as `google.protobuf.Duration` JSON: `"7s"`, `"1.5s"`, `"0.25s"`.
fn proto_duration(duration: Duration) -> String {
    let nanos = duration.subsec_nanos();
    if nanos == 0 {
        format!("{}s", duration.as_secs())
    } else {
        let fraction = format!("{nanos:09}");
        format!("{}.{}s", duration.as_secs(), fraction.trim_end_matches('0'))
    }
}

/// Gemini's error body with the status name for `code`.
fn error(code: u16, message: impl Into<String>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"error": {"code": code, "message": message.into(), "status": status_name(code)}});
    json_response(status, body.to_string())
}

fn status_name(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        500 => "INTERNAL",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    }
}

fn default_message(code: u16) -> &'static str {
    match code {
        400 => "Request contains an invalid argument.",
        401 => "Request had invalid authentication credentials.",
        403 => "The caller does not have permission.",
        404 => "Requested entity was not found.",
        429 => "Resource has been exhausted (e.g. check quota).",
        500 => {
            "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
        }
        503 => "The model is overloaded. Please try again later.",
        504 => "Deadline expired before operation could complete.",
        _ => "Unknown error.",
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=UTF-8")], body).into_response()
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| format!("Invalid JSON payload received. {what} must be an object."))
}

/// A field by its camelCase name or its snake_case twin (the API accepts both).
fn field<'a>(object: &'a Map<String, Value>, camel: &str) -> Option<&'a Value> {
    object.get(camel).or_else(|| object.get(&snake_case(camel)))
}

/// Refuses fields the API does not know, as it does (`Unknown name "…"`).
fn known_fields(object: &Map<String, Value>, known: &[&str], what: &str) -> Result<(), String> {
    match object.keys().find(|name| !known.iter().any(|k| *k == name.as_str() || snake_case(k) == **name)) {
        Some(unknown) => {
            Err(format!("Invalid JSON payload received. Unknown name \"{unknown}\" at '{what}'"))
        }
        None => Ok(()),
    }
}

fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_as_protobuf_json() {
        assert_eq!(proto_duration(Duration::from_secs(7)), "7s");
        assert_eq!(proto_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(proto_duration(Duration::from_millis(250)), "0.25s");
    }

    #[test]
    fn snake_case_twins_are_accepted_and_unknown_fields_refused() {
        let config = json!({"max_output_tokens": 5, "responseMimeType": "application/json"});
        assert!(known_fields(config.as_object().unwrap(), GENERATION_CONFIG_FIELDS, "g").is_ok());
        let config = json!({"maxTokens": 5});
        assert!(known_fields(config.as_object().unwrap(), GENERATION_CONFIG_FIELDS, "g").is_err());
    }

    #[test]
    fn a_schema_needs_the_json_mime_type() {
        let schema = json!({"type": "object"});
        let ok = json!({"responseMimeType": "application/json", "responseJsonSchema": schema});
        assert_eq!(generation_config(ok.as_object().unwrap()).unwrap(), Some(schema.clone()));
        let missing = json!({"responseJsonSchema": schema});
        assert!(generation_config(missing.as_object().unwrap()).is_err());
        let both = json!({"responseMimeType": "application/json", "responseJsonSchema": schema, "responseSchema": schema});
        assert!(generation_config(both.as_object().unwrap()).is_err());
    }
}
