//! Fake AI servers for tests: a Gemini REST server ([`gemini`]) and an OpenAI-compatible server
//! ([`openai`]), each listening on a loopback port and answering the documented request and
//! response shapes, so the real provider clients are tested over real HTTP.
//!
//! A [`Script`] decides how each request is answered: a queue of one-shot [`Behaviour`]s (429
//! with a retry hint, 5xx, a hang past the client's timeout, a malformed or truncated body, a
//! refusal), then a default; a [`Responder`] writes the model's reply text for chat requests;
//! and every request is recorded so tests can check what the client sent (the key in a
//! header, never in the URL; the schema present).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod gemini;
pub mod interviewer;
pub mod openai;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

/// How the next request is answered.
#[derive(Clone, Debug, PartialEq)]
pub enum Behaviour {
    /// A normal, successful reply (the responder writes chat text).
    Normal,
    /// 429 with a retry hint: Gemini's `google.rpc.RetryInfo` `retryDelay`, OpenAI's
    /// `Retry-After` header.
    RateLimited {
        /// The hint.
        retry_after: Duration,
    },
    /// This HTTP status with the provider's error body (e.g. 500, 503, 400, 401).
    Status(u16),
    /// Accept the request and never answer.
    Hang,
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 with a JSON body cut off part-way.
    Truncated,
    /// 200 with this finish reason (Gemini `SAFETY`, `MAX_TOKENS`, `RECITATION`; OpenAI
    /// `length`, `content_filter`) and the reply cut short or empty.
    Finish(String),
    /// 200 with exactly this reply text (for chat), whatever the responder would say.
    Text(String),
}

/// What a chat request asked, as the fake read it.
#[derive(Clone, Debug, Default)]
pub struct ChatCall {
    /// The model named in the request.
    pub model: String,
    /// The system instruction.
    pub system: Option<String>,
    /// Every user turn, joined by blank lines.
    pub user: String,
    /// The schema's name, when the request gave one (OpenAI `json_schema.name`; Gemini has none).
    pub schema_name: Option<String>,
    /// The JSON Schema the reply must satisfy, when given.
    pub schema: Option<Value>,
}

/// Writes the model's reply text for a chat request.
pub type Responder = Arc<dyn Fn(&ChatCall) -> String + Send + Sync>;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `POST`, `GET`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// A request as an axum handler received it.
    pub fn from_parts(
        method: &axum::http::Method,
        uri: &axum::http::Uri,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Self {
        Self {
            method: method.to_string(),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers: headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: body.to_vec(),
        }
    }

    /// The first header of this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// How a fake answers, and what it received.
pub struct Script {
    queue: Mutex<VecDeque<Behaviour>>,
    default: Mutex<Behaviour>,
    delay: Mutex<Duration>,
    responder: Mutex<Responder>,
    transcript: Mutex<String>,
    api_key: Mutex<Option<String>>,
    requests: Mutex<Vec<Recorded>>,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            queue: Mutex::new(VecDeque::new()),
            default: Mutex::new(Behaviour::Normal),
            delay: Mutex::new(Duration::ZERO),
            responder: Mutex::new(Arc::new(|call: &ChatCall| match &call.schema {
                Some(schema) => example_of(schema).to_string(),
                None => "OK".to_owned(),
            })),
            transcript: Mutex::new("I would start by measuring where the time goes.".to_owned()),
            api_key: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
        }
    }
}

impl Script {
    /// Answers the next request (not yet answered) with `behaviour`, once.
    pub fn push(&self, behaviour: Behaviour) {
        self.queue.lock().unwrap().push_back(behaviour);
    }

    /// Answers with `behaviour` whenever the queue is empty.
    pub fn set_default(&self, behaviour: Behaviour) {
        *self.default.lock().unwrap() = behaviour;
    }

    /// Waits this long before every answer (a model's latency).
    pub fn set_delay(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    /// Writes chat replies with `responder`.
    pub fn set_responder(&self, responder: impl Fn(&ChatCall) -> String + Send + Sync + 'static) {
        *self.responder.lock().unwrap() = Arc::new(responder);
    }

    /// What transcription requests return.
    pub fn set_transcript(&self, text: impl Into<String>) {
        *self.transcript.lock().unwrap() = text.into();
    }

    /// Requires this key (in the provider's header) on every request; others get 401/403.
    pub fn require_key(&self, key: impl Into<String>) {
        *self.api_key.lock().unwrap() = Some(key.into());
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Requests received so far whose path ends with `suffix`.
    pub fn requests_to(&self, suffix: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.path.ends_with(suffix)).collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.requests.lock().unwrap().clear();
    }

    /// Records a request and takes the behaviour for it.
    pub fn next(&self, request: Recorded) -> Behaviour {
        self.requests.lock().unwrap().push(request);
        self.queue.lock().unwrap().pop_front().unwrap_or_else(|| self.default.lock().unwrap().clone())
    }

    /// The configured latency.
    pub fn delay(&self) -> Duration {
        *self.delay.lock().unwrap()
    }

    /// The reply text for a chat call.
    pub fn reply(&self, call: &ChatCall) -> String {
        let responder = self.responder.lock().unwrap().clone();
        responder(call)
    }

    /// The transcript to return.
    pub fn transcript(&self) -> String {
        self.transcript.lock().unwrap().clone()
    }

    /// The key required, if any.
    pub fn required_key(&self) -> Option<String> {
        self.api_key.lock().unwrap().clone()
    }
}

/// Serves `router` on a free loopback port in a task of its own; returns the address and the
/// task (abort it to stop the server). Must be called inside a Tokio runtime.
async fn serve_on_loopback(
    router: axum::Router,
    name: &'static str,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|err| panic!("bind the fake {name} server to a loopback port: {err}"));
    let address =
        listener.local_addr().unwrap_or_else(|err| panic!("the fake {name} server's address: {err}"));
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .unwrap_or_else(|err| panic!("the fake {name} server stopped: {err}"));
    });
    (address, task)
}

/// A deterministic unit vector for a text (the fakes' embeddings): similar only when equal.
pub fn fake_embedding(text: &str, dimensions: usize) -> Vec<f32> {
    let mut state: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        state = (state ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut v: Vec<f32> = (0..dimensions)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 2000) as f32 / 1000.0 - 1.0
        })
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::EPSILON);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

/// A minimal value satisfying a JSON Schema: required properties filled, numbers at their
/// minimum, strings non-empty, arrays with `minItems` elements (at least one).
pub fn example_of(schema: &Value) -> Value {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("object");
    match kind {
        "object" => {
            let mut out = serde_json::Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    out.insert(name.clone(), example_of(prop));
                }
            }
            Value::Object(out)
        }
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let n = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1).max(1);
            Value::Array((0..n).map(|_| example_of(&items)).collect())
        }
        "integer" | "number" => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            Value::from(min)
        }
        "boolean" => Value::Bool(false),
        _ => match schema.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
            Some(first) => first.clone(),
            None => Value::String("example".to_owned()),
        },
    }
}
