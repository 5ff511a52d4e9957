//! A fake OpenAI-compatible server: `POST /v1/chat/completions`, `/v1/embeddings` and
//! `/v1/audio/transcriptions`, with OpenAI's request checks and reply shapes.
//!
//! Every request is recorded (see [`Script::requests`]) and answered after
//! [`Script::delay`] according to [`Script::next`]:
//! - `Normal`: chat replies carry [`Script::reply`] (the responder sees the `json_schema` name
//!   and schema; in `json_object` mode it sees no schema), `finish_reason: "stop"` and a usage
//!   counting words; embeddings are [`fake_embedding`]s of the requested `dimensions` (384 when
//!   none), listed in *reverse* order with their `index` so that clients must sort them;
//!   transcriptions return [`Script::transcript`].
//! - `RateLimited`: 429 with `Retry-After` in seconds (fractional when the hint is) and
//!   OpenAI's `rate_limit_exceeded` error body.
//! - `Status(code)`: that status with OpenAI's error body; a 503 also carries `Retry-After`
//!   when [`FakeOpenAi::retry_after_on_503`] says so.
//! - `Hang`: no answer for an hour. `Malformed`: 200 with HTML. `Truncated`: 200 with the
//!   normal JSON body cut in half.
//! - `Finish(reason)`: chat replies with that `finish_reason` and half the normal content.
//! - `Text(t)`: chat replies whose content is exactly `t`; for embeddings and transcriptions,
//!   `t` is the whole response body (to serve a wrong count, bad indexes, vectors that are not
//!   unit length).
//!
//! Checks made before answering: `Authorization: Bearer <key>` when [`Script::require_key`]
//! was set (401 otherwise, echoing the key received, as servers sometimes do); `model` and
//! `messages` (or `input`, or the `file` and `model` form fields) present (400 otherwise); a
//! `json_schema` response format with a `name` and a `schema`, unless
//! [`FakeOpenAi::reject_json_schema`] makes the server refuse it like one without structured
//! output support; `json_object` mode only when a message mentions JSON, as OpenAI requires.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::{Behaviour, ChatCall, Recorded, Script, fake_embedding};

/// The embedding length when a request names none.
pub const DEFAULT_DIMENSIONS: usize = 384;

/// A running fake OpenAI-compatible server; stops when dropped.
pub struct FakeOpenAi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

/// What the request handler shares with the test.
struct Shared {
    script: Arc<Script>,
    reject_json_schema: AtomicBool,
    retry_after_on_503: Mutex<Option<Duration>>,
    completions: AtomicU64,
}

impl FakeOpenAi {
    /// Starts a server on a free loopback port.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            script: Arc::new(Script::default()),
            reject_json_schema: AtomicBool::new(false),
            retry_after_on_503: Mutex::new(None),
            completions: AtomicU64::new(0),
        });
        let router = Router::new()
            .fallback(answer)
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(shared.clone());
        let (addr, task) = crate::serve_on_loopback(router, "OpenAI").await;
        Self { addr, shared, task }
    }

    /// The API root, such as `http://127.0.0.1:41234/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// How requests are answered, and what was received.
    pub fn script(&self) -> &Arc<Script> {
        &self.shared.script
    }

    /// Whether to refuse `response_format: json_schema` with a 400 naming `response_format`,
    /// like a server without structured output support (`json_object` is still accepted).
    pub fn reject_json_schema(&self, yes: bool) {
        self.shared.reject_json_schema.store(yes, Ordering::Relaxed);
    }

    /// The `Retry-After` that `Behaviour::Status(503)` answers carry (none by default).
    pub fn retry_after_on_503(&self, hint: Option<Duration>) {
        *self.shared.retry_after_on_503.lock().unwrap() = hint;
    }
}

impl Drop for FakeOpenAi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One field of a `multipart/form-data` body.
#[derive(Clone, Debug, PartialEq)]
pub struct FormPart {
    /// The field name.
    pub name: String,
    /// The file name, for file fields.
    pub file_name: Option<String>,
    /// The part's `Content-Type`, if given.
    pub content_type: Option<String>,
    /// The content.
    pub data: Vec<u8>,
}

impl FormPart {
    /// The content as text, lossily.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The fields of a recorded `multipart/form-data` request (empty when it is not one).
pub fn form_parts(request: &Recorded) -> Vec<FormPart> {
    request
        .header("content-type")
        .and_then(boundary)
        .map(|b| parse_form(&request.body, &b))
        .unwrap_or_default()
}

/// Records the request, then answers it as the script says.
async fn answer(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded::from_parts(&method, &uri, &headers, &body);
    let behaviour = shared.script.next(recorded.clone());
    let delay = shared.script.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(key) = shared.script.required_key() {
        let given = recorded.header("authorization").unwrap_or_default();
        if given != format!("Bearer {key}") {
            let shown = given.strip_prefix("Bearer ").unwrap_or(given);
            return error(
                StatusCode::UNAUTHORIZED,
                &format!(
                    "Incorrect API key provided: {shown}. You can find your API key in your account settings."
                ),
                "invalid_request_error",
                None,
                Some("invalid_api_key"),
            );
        }
    }
    match behaviour {
        Behaviour::RateLimited { retry_after } => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit reached for requests. Please try again later.",
                "requests",
                None,
                Some("rate_limit_exceeded"),
            );
            response.headers_mut().insert(header::RETRY_AFTER, seconds(retry_after));
            return response;
        }
        Behaviour::Status(code) => return scripted_status(&shared, code),
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
        Behaviour::Malformed => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body>upstream hiccup</body></html>",
            )
                .into_response();
        }
        Behaviour::Normal | Behaviour::Truncated | Behaviour::Finish(_) | Behaviour::Text(_) => {}
    }
    let reply = match (method, recorded.path.as_str()) {
        (Method::POST, "/v1/chat/completions") => chat(&shared, &recorded, &behaviour),
        (Method::POST, "/v1/embeddings") => embeddings(&recorded, &behaviour),
        (Method::POST, "/v1/audio/transcriptions") => transcription(&shared, &recorded, &behaviour),
        (_, path) => {
            return error(
                StatusCode::NOT_FOUND,
                &format!("Invalid URL (POST {path})"),
                "invalid_request_error",
                None,
                None,
            );
        }
    };
    match reply {
        Ok(body) => success(body, &behaviour),
        Err(invalid) => invalid.into_response(),
    }
}

/// A 200 reply with `body`, cut in half for `Truncated`; `Text` bodies go out verbatim.
fn success(body: Reply, behaviour: &Behaviour) -> Response {
    let text = match body {
        Reply::Json(value) => value.to_string(),
        Reply::Raw(text) => text,
    };
    let text = match behaviour {
        Behaviour::Truncated => text.chars().take(text.chars().count() / 2).collect(),
        _ => text,
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

/// What an endpoint answers, before `Truncated` is applied.
enum Reply {
    Json(Value),
    Raw(String),
}

fn chat(shared: &Shared, request: &Recorded, behaviour: &Behaviour) -> Result<Reply, Invalid> {
    let body = json_body(request)?;
    let model = required_model(&body)?;
    let Some(messages) = body.get("messages").and_then(Value::as_array).filter(|m| !m.is_empty()) else {
        return Err(invalid("'messages' is a required property and must be a non-empty array", "messages"));
    };
    let mut call = ChatCall { model: model.clone(), ..ChatCall::default() };
    let (mut system, mut user) = (Vec::new(), Vec::new());
    for message in messages {
        let content = message.get("content").and_then(Value::as_str);
        match (message.get("role").and_then(Value::as_str), content) {
            (Some("system" | "developer"), Some(content)) => system.push(content.to_owned()),
            (Some("user"), Some(content)) => user.push(content.to_owned()),
            (Some("assistant"), Some(_)) => {}
            _ => return Err(invalid("each message needs a known 'role' and a string 'content'", "messages")),
        }
    }
    call.system = (!system.is_empty()).then(|| system.join("\n\n"));
    call.user = user.join("\n\n");
    if let Some(format) = body.get("response_format") {
        match format.get("type").and_then(Value::as_str) {
            Some("json_schema") if shared.reject_json_schema.load(Ordering::Relaxed) => {
                return Err(invalid(
                    "Invalid value for 'response_format.type': 'json_schema' is not supported by this server; \
                     use 'json_object' or 'text'",
                    "response_format",
                ));
            }
            Some("json_schema") => {
                let spec = format.get("json_schema");
                let name = spec.and_then(|s| s.get("name")).and_then(Value::as_str);
                let schema = spec.and_then(|s| s.get("schema")).filter(|s| s.is_object());
                let (Some(name), Some(schema)) = (name, schema) else {
                    return Err(invalid(
                        "'response_format.json_schema' needs a 'name' and a 'schema' object",
                        "response_format",
                    ));
                };
                call.schema_name = Some(name.to_owned());
                call.schema = Some(schema.clone());
            }
            Some("json_object") => {
                let mentions_json = messages
                    .iter()
                    .filter_map(|m| m.get("content").and_then(Value::as_str))
                    .any(|c| c.to_ascii_lowercase().contains("json"));
                if !mentions_json {
                    return Err(invalid(
                        "'messages' must contain the word 'json' in some form, to use 'response_format' of type \
                         'json_object'.",
                        "messages",
                    ));
                }
            }
            Some("text") => {}
            _ => return Err(invalid("Invalid value for 'response_format.type'", "response_format")),
        }
    }
    let (content, finish_reason) = match behaviour {
        Behaviour::Text(text) => (text.clone(), "stop".to_owned()),
        Behaviour::Finish(reason) => {
            let full = shared.script.reply(&call);
            (full.chars().take(full.chars().count() / 2).collect(), reason.clone())
        }
        _ => (shared.script.reply(&call), "stop".to_owned()),
    };
    let prompt_tokens: usize = messages
        .iter()
        .filter_map(|m| m.get("content").and_then(Value::as_str))
        .map(|c| c.split_whitespace().count())
        .sum();
    let completion_tokens = content.split_whitespace().count().max(1);
    let id = shared.completions.fetch_add(1, Ordering::Relaxed);
    Ok(Reply::Json(json!({
        "id": format!("chatcmpl-fake-{id}"),
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content, "refusal": null },
            "logprobs": null,
            "finish_reason": finish_reason,
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    })))
}

fn embeddings(request: &Recorded, behaviour: &Behaviour) -> Result<Reply, Invalid> {
    let body = json_body(request)?;
    let model = required_model(&body)?;
    let inputs: Vec<String> = match body.get("input") {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) if !items.is_empty() => {
            let texts: Option<Vec<String>> = items.iter().map(|i| i.as_str().map(str::to_owned)).collect();
            texts.ok_or_else(|| invalid("'input' must be a string or an array of strings", "input"))?
        }
        _ => return Err(invalid("'input' is a required property", "input")),
    };
    if inputs.iter().any(|i| i.is_empty()) {
        return Err(invalid("'input' cannot contain an empty string", "input"));
    }
    if let Behaviour::Text(raw) = behaviour {
        return Ok(Reply::Raw(raw.clone()));
    }
    let dimensions = match body.get("dimensions") {
        None | Some(Value::Null) => DEFAULT_DIMENSIONS,
        Some(value) => match value.as_u64().filter(|d| *d > 0) {
            Some(d) => d as usize,
            None => return Err(invalid("'dimensions' must be a positive integer", "dimensions")),
        },
    };
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .rev()
        .map(|(index, text)| json!({ "object": "embedding", "index": index, "embedding": fake_embedding(text, dimensions) }))
        .collect();
    let tokens: usize = inputs.iter().map(|i| i.split_whitespace().count()).sum();
    Ok(Reply::Json(json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": { "prompt_tokens": tokens, "total_tokens": tokens },
    })))
}

fn transcription(shared: &Shared, request: &Recorded, behaviour: &Behaviour) -> Result<Reply, Invalid> {
    let parts = form_parts(request);
    if parts.is_empty() {
        return Err(invalid("the request must be multipart/form-data", "file"));
    }
    let field = |name: &str| parts.iter().find(|p| p.name == name);
    match field("file") {
        Some(file) if file.file_name.is_some() && !file.data.is_empty() => {}
        _ => return Err(invalid("'file' is a required property and must be an audio file", "file")),
    }
    if field("model").is_none_or(|m| m.data.is_empty()) {
        return Err(invalid("you must provide a model parameter", "model"));
    }
    if let Behaviour::Text(raw) = behaviour {
        return Ok(Reply::Raw(raw.clone()));
    }
    Ok(Reply::Json(json!({ "text": shared.script.transcript() })))
}

/// The request body as a JSON object, or OpenAI's 400.
fn json_body(request: &Recorded) -> Result<Value, Invalid> {
    match request.json() {
        Some(body) if body.is_object() => Ok(body),
        _ => Err(invalid("We could not parse the JSON body of your request.", "body")),
    }
}

/// The request's `model`, or OpenAI's 400.
fn required_model(body: &Value) -> Result<String, Invalid> {
    match body.get("model").and_then(Value::as_str).filter(|m| !m.is_empty()) {
        Some(model) => Ok(model.to_owned()),
        None => Err(invalid("you must provide a model parameter", "model")),
    }
}

/// A scripted error status with a body like the one OpenAI sends for it.
fn scripted_status(shared: &Shared, code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (message, kind, code_name) = match code {
        400 => ("Invalid request (scripted).", "invalid_request_error", None),
        401 => ("Incorrect API key provided.", "invalid_request_error", Some("invalid_api_key")),
        403 => ("You are not allowed to sample from this model.", "invalid_request_error", None),
        404 => (
            "The model does not exist or you do not have access to it.",
            "invalid_request_error",
            Some("model_not_found"),
        ),
        422 => ("Unprocessable request (scripted).", "invalid_request_error", None),
        500 => {
            ("The server had an error while processing your request. Sorry about that!", "server_error", None)
        }
        502 => ("Bad gateway.", "server_error", None),
        503 => ("The engine is currently overloaded, please try again later.", "server_error", None),
        504 => ("Gateway timeout.", "server_error", None),
        _ => ("Scripted error.", "server_error", None),
    };
    let mut response = error(status, message, kind, None, code_name);
    if code == 503
        && let Some(hint) = *shared.retry_after_on_503.lock().unwrap()
    {
        response.headers_mut().insert(header::RETRY_AFTER, seconds(hint));
    }
    response
}

/// A request the server refuses with 400, naming the offending parameter.
struct Invalid {
    message: &'static str,
    param: &'static str,
}

impl IntoResponse for Invalid {
    fn into_response(self) -> Response {
        error(StatusCode::BAD_REQUEST, self.message, "invalid_request_error", Some(self.param), None)
    }
}

/// A 400 naming the offending parameter.
fn invalid(message: &'static str, param: &'static str) -> Invalid {
    Invalid { message, param }
}

/// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`.
fn error(status: StatusCode, message: &str, kind: &str, param: Option<&str>, code: Option<&str>) -> Response {
    let body = json!({ "error": { "message": message, "type": kind, "param": param, "code": code } });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A `Retry-After` value in seconds: whole when the hint is, fractional otherwise.
fn seconds(hint: Duration) -> HeaderValue {
    let text =
        if hint.subsec_nanos() == 0 { hint.as_secs().to_string() } else { format!("{}", hint.as_secs_f64()) };
    HeaderValue::from_str(&text).expect("seconds are a valid header value")
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The parts of a multipart body (RFC 7578), as far as they are well formed.
fn parse_form(body: &[u8], boundary: &str) -> Vec<FormPart> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let Some(mut at) = find(body, &delimiter, 0) else { return parts };
    loop {
        let start = at + delimiter.len();
        if body[start..].starts_with(b"--") {
            break;
        }
        let Some(next) = find(body, &delimiter, start) else { break };
        let section = &body[start..next];
        let section = section.strip_prefix(b"\r\n").unwrap_or(section);
        let section = section.strip_suffix(b"\r\n").unwrap_or(section);
        if let Some(split) = find(section, b"\r\n\r\n", 0) {
            let head = String::from_utf8_lossy(&section[..split]);
            let mut part = FormPart {
                name: String::new(),
                file_name: None,
                content_type: None,
                data: section[split + 4..].to_vec(),
            };
            for line in head.split("\r\n") {
                let Some((name, value)) = line.split_once(':') else { continue };
                if name.trim().eq_ignore_ascii_case("content-disposition") {
                    part.name = disposition_param(value, "name").unwrap_or_default();
                    part.file_name = disposition_param(value, "filename");
                } else if name.trim().eq_ignore_ascii_case("content-type") {
                    part.content_type = Some(value.trim().to_owned());
                }
            }
            parts.push(part);
        }
        at = next;
    }
    parts
}

/// A quoted parameter of a `Content-Disposition` value.
fn disposition_param(value: &str, name: &str) -> Option<String> {
    value.split(';').find_map(|p| {
        let (key, value) = p.split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The first index of `needle` in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}
