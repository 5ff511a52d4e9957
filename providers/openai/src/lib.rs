//! A client for any OpenAI-compatible server: OpenAI itself, Ollama's `/v1`, vLLM, LocalAI,
//! llama.cpp's server.
//!
//! [`OpenAi`] implements the three AI capabilities of [`viva_domain::ai`]:
//! - [`ChatModel`] over `POST {base_url}/chat/completions`, with structured output through
//!   `response_format: json_schema` (strict), falling back once and for good to `json_object`
//!   with the schema written into the system message when the server does not support schemas;
//! - [`Embedder`] over `POST {base_url}/embeddings`, in batches of [`EMBEDDING_BATCH`] texts,
//!   every vector normalised to unit length;
//! - [`Transcriber`] over `POST {base_url}/audio/transcriptions` (multipart).
//!
//! One call is one HTTP request (the schema fallback aside): retries, backoff, circuit breaking
//! and fallback to another provider belong to the shared resilience layer, which decides from
//! the [`AiError`] each call returns:
//!
//! | server says | error |
//! | --- | --- |
//! | 429 | [`AiError::RateLimited`] with the `retry-after-ms` or `Retry-After` hint |
//! | 503 with `Retry-After` | [`AiError::RateLimited`] with that hint |
//! | 500, 502, 503, 504 (and other 5xx, 408) | [`AiError::Upstream`], transient |
//! | 400, 401, 403, 404, 422 (other 4xx) | [`AiError::Upstream`], not transient |
//! | no reply within [`Settings::timeout`] | [`AiError::Timeout`] |
//! | nobody listening | [`AiError::Unavailable`] |
//! | 200 that is not the documented JSON, a refusal, `finish_reason` `length` or `content_filter` | [`AiError::InvalidOutput`] |
//!
//! Error messages are the server's own (`error.message`, with its `code`), cut to about 200
//! characters, and never contain the API key: it is sent only as `Authorization: Bearer`, is
//! marked sensitive, and is scrubbed from anything a server echoes back.

mod chat;
mod embeddings;
mod errors;
mod transcription;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use viva_domain::ai::{
    AiError, Audio, ChatModel, ChatRequest, ChatResponse, Embedder, ModelInfo, Transcriber, Transcript,
};
use viva_domain::secret::Secret;

pub use embeddings::EMBEDDING_BATCH;

/// The provider's name in [`ModelInfo`], configuration and provenance.
pub const PROVIDER: &str = "openai";

/// Where the server is and which models to use.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The API root, up to and including `/v1`, such as `https://api.openai.com/v1`.
    /// Default: a local Ollama, `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    /// The API key, sent as `Authorization: Bearer`; none for local servers that need none.
    pub api_key: Option<Secret>,
    /// The chat model. Default: `qwen2.5:7b-instruct`.
    pub model: String,
    /// The embedding model; without one, [`Embedder::embed`] reports the capability unavailable.
    pub embedding_model: Option<String>,
    /// The embedding length to ask for (sent as `dimensions`); without it the model's own.
    pub embedding_dimensions: Option<usize>,
    /// The speech-to-text model. Default: `whisper-1`.
    pub transcription_model: String,
    /// How long one HTTP request may take, from connecting to the last byte of the reply.
    /// Default: 30 s.
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:11434/v1".to_owned(),
            api_key: None,
            model: "qwen2.5:7b-instruct".to_owned(),
            embedding_model: None,
            embedding_dimensions: None,
            transcription_model: "whisper-1".to_owned(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// A client for one OpenAI-compatible server; cheap to share behind an `Arc`.
pub struct OpenAi {
    client: reqwest::Client,
    /// Without a trailing slash.
    base_url: String,
    /// Kept only to scrub it from anything a server echoes back.
    api_key: Option<Secret>,
    model: String,
    embedding_model: Option<String>,
    embedding_dimensions: Option<usize>,
    /// The embedding length the server returned first (0 before any reply).
    learned_dimensions: AtomicUsize,
    transcription_model: String,
    /// Set once the server has rejected `response_format: json_schema`.
    json_object_only: AtomicBool,
}

impl OpenAi {
    /// A client for the server in `settings`.
    ///
    /// Fails when `base_url` is not an absolute `http` or `https` URL, the chat model is empty,
    /// the timeout is zero, or the key cannot be sent in a header. The key is never part of
    /// the error.
    pub fn new(settings: Settings) -> Result<Self, String> {
        let base_url = parse_base_url(&settings.base_url)?;
        if settings.model.trim().is_empty() {
            return Err("the OpenAI-compatible chat model must not be empty".to_owned());
        }
        if settings.timeout.is_zero() {
            return Err("the OpenAI-compatible timeout must be more than zero".to_owned());
        }
        if settings.embedding_dimensions == Some(0) {
            return Err("the OpenAI-compatible embedding dimensions must be more than zero".to_owned());
        }
        let mut headers = HeaderMap::new();
        if let Some(key) = &settings.api_key {
            let mut value = b"Bearer ".to_vec();
            value.extend_from_slice(key.expose());
            let mut value = HeaderValue::from_bytes(&value).map_err(|_| {
                "the OpenAI-compatible API key contains characters that cannot be sent in an HTTP header"
                    .to_owned()
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        // reqwest is built without a TLS crypto provider of its own; ring is the workspace's.
        // Installing fails only when one is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|error| format!("cannot build the HTTP client: {error}"))?;
        Ok(Self {
            client,
            base_url,
            api_key: settings.api_key,
            model: settings.model,
            embedding_model: settings.embedding_model.filter(|m| !m.trim().is_empty()),
            embedding_dimensions: settings.embedding_dimensions,
            learned_dimensions: AtomicUsize::new(0),
            transcription_model: settings.transcription_model,
            json_object_only: AtomicBool::new(false),
        })
    }

    /// The API root this client talks to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether chat calls with a schema use `json_object` because the server rejected
    /// `json_schema` earlier.
    pub fn uses_json_object_fallback(&self) -> bool {
        self.json_object_only.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url)
    }

    /// Sends one request and reads the whole reply, whatever its status.
    async fn exchange(&self, request: reqwest::RequestBuilder) -> Result<errors::Reply, AiError> {
        let response =
            request.send().await.map_err(|error| errors::transport_error(&error, &self.base_url))?;
        let status = response.status().as_u16();
        let retry_after = errors::retry_after(response.headers(), chrono::Utc::now());
        let body = response.bytes().await.map_err(|error| errors::transport_error(&error, &self.base_url))?;
        Ok(errors::Reply { status, retry_after, body: body.to_vec() })
    }

    /// The body of a successful reply, or the error a failed one means.
    fn success(&self, reply: errors::Reply) -> Result<Vec<u8>, AiError> {
        if (200..300).contains(&reply.status) {
            Ok(reply.body)
        } else {
            Err(errors::status_error(&reply, &|text| self.scrub(text)))
        }
    }

    /// `text` without the API key, cut to a loggable length.
    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        if let Some(key) = self.api_key.as_ref().and_then(|k| std::str::from_utf8(k.expose()).ok())
            && !key.is_empty()
        {
            text = text.replace(key, "<redacted>");
        }
        errors::truncate(&text, errors::MESSAGE_LIMIT)
    }
}

impl fmt::Debug for OpenAi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAi")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("embedding_model", &self.embedding_model)
            .field("transcription_model", &self.transcription_model)
            .field("json_object_only", &self.uses_json_object_fallback())
            .finish_non_exhaustive()
    }
}

/// The base URL without a trailing slash, if it is an absolute http(s) URL.
fn parse_base_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed)
        .map_err(|error| format!("the OpenAI-compatible base_url `{trimmed}` is not a URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "the OpenAI-compatible base_url `{trimmed}` must be an http or https URL with a host"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "the OpenAI-compatible base_url `{trimmed}` must not have a query or a fragment"
        ));
    }
    Ok(trimmed.to_owned())
}

#[async_trait]
impl ChatModel for OpenAi {
    fn info(&self) -> ModelInfo {
        ModelInfo::new(PROVIDER, self.model.clone())
    }

    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, AiError> {
        self.chat(request).await
    }
}

#[async_trait]
impl Embedder for OpenAi {
    /// The embedding model, or `none` when none is configured.
    fn info(&self) -> ModelInfo {
        ModelInfo::new(PROVIDER, self.embedding_model.clone().unwrap_or_else(|| "none".to_owned()))
    }

    /// The configured [`Settings::embedding_dimensions`]; without them, the length of the
    /// vectors the server returned first (every later reply must match it), and 0 before any
    /// embedding has been returned.
    fn dimensions(&self) -> usize {
        self.embedding_dimensions
            .unwrap_or_else(|| self.learned_dimensions.load(std::sync::atomic::Ordering::Relaxed))
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AiError> {
        self.embed_all(texts).await
    }
}

#[async_trait]
impl Transcriber for OpenAi {
    fn info(&self) -> ModelInfo {
        ModelInfo::new(PROVIDER, self.transcription_model.clone())
    }

    async fn transcribe(&self, audio: &Audio) -> Result<Transcript, AiError> {
        self.transcribe_audio(audio).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_absolute_http() {
        assert_eq!(parse_base_url("http://127.0.0.1:11434/v1/").as_deref(), Ok("http://127.0.0.1:11434/v1"));
        assert_eq!(parse_base_url("https://api.openai.com/v1").as_deref(), Ok("https://api.openai.com/v1"));
        assert!(parse_base_url("api.openai.com/v1").is_err());
        assert!(parse_base_url("ftp://example.com/v1").is_err());
        assert!(parse_base_url("http://example.com/v1?key=x").is_err());
        assert!(parse_base_url("").is_err());
    }

    #[test]
    fn the_key_is_scrubbed_and_never_debug_printed() {
        let openai =
            OpenAi::new(Settings { api_key: Some(Secret::new("sk-very-secret")), ..Settings::default() })
                .unwrap();
        assert!(!format!("{openai:?}").contains("sk-very-secret"));
        assert_eq!(openai.scrub("bad key sk-very-secret"), "bad key <redacted>");
    }

    #[test]
    fn keys_that_cannot_be_headers_are_refused_without_showing_them() {
        let error =
            OpenAi::new(Settings { api_key: Some(Secret::new("sk-line\nbreak")), ..Settings::default() })
                .unwrap_err();
        assert!(error.contains("API key"), "{error}");
        assert!(!error.contains("sk-line"), "{error}");
    }
}
