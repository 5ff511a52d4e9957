//! The Gemini REST API as Viva's AI provider: [`Gemini`] implements [`ChatModel`] (with
//! structured JSON output), [`Embedder`] and [`Transcriber`] from `viva_domain::ai`.
//!
//! One trait call is one HTTP request (a batch of more than 100 texts to embed is the one
//! exception: the API takes at most 100 per request). Retries, backoff, circuit breaking and
//! fallback belong to the shared layer in `viva-ai`; this crate only maps every failure to the
//! [`AiError`] that lets that layer decide: a 429 becomes [`AiError::RateLimited`] with the
//! `google.rpc.RetryInfo` delay, 5xx statuses are transient [`AiError::Upstream`] errors, 4xx
//! are not, a timeout is [`AiError::Timeout`], an unreachable server [`AiError::Unavailable`],
//! and a reply without the documented shape (or cut short, or withheld for safety)
//! [`AiError::InvalidOutput`].
//!
//! The API key travels only in the `x-goog-api-key` header: never in a URL, a log line, an
//! error message or `Debug` output.

mod chat;
mod embeddings;
mod error;
mod http;
mod transcription;
mod wire;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use viva_domain::ai::{
    AiError, Audio, ChatModel, ChatRequest, ChatResponse, Embedder, ModelInfo, Transcriber, Transcript,
};
use viva_domain::secret::Secret;

/// The provider name in [`ModelInfo`] and in provenance.
pub const PROVIDER: &str = "gemini";

/// How to reach Gemini and which models to use. The server builds it from its configuration;
/// [`Settings::default`] has every documented default but no API key.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The API key, sent as the `x-goog-api-key` header. Required by [`Gemini::new`].
    pub api_key: Option<Secret>,
    /// The chat (and transcription) model, such as `gemini-2.5-flash`.
    pub model: String,
    /// The embedding model, such as `gemini-embedding-001`.
    pub embedding_model: String,
    /// The length of every embedding, sent as `outputDimensionality`.
    pub embedding_dimensions: usize,
    /// The API's origin, such as `https://generativelanguage.googleapis.com` (a fake server's
    /// address in tests); requests go to `{base_url}/v1beta/models/…`.
    pub base_url: String,
    /// The limit on one HTTP request, from connecting to the last byte of the reply.
    pub timeout: Duration,
    /// Tokens a thinking model may spend thinking per chat call (`thinkingConfig.thinkingBudget`),
    /// which count against the reply's token cap; `None` leaves the model's default (dynamic on
    /// 2.5 models), `Some(0)` turns thinking off where the model allows it (Flash, not Pro).
    pub thinking_budget: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            api_key: None,
            model: "gemini-2.5-flash".to_owned(),
            embedding_model: "gemini-embedding-001".to_owned(),
            embedding_dimensions: 768,
            base_url: "https://generativelanguage.googleapis.com".to_owned(),
            timeout: Duration::from_secs(30),
            thinking_budget: None,
        }
    }
}

/// A Gemini API client: chat, embeddings and transcription. Cheap to clone (the connection
/// pool is shared).
#[derive(Clone)]
pub struct Gemini {
    api: http::Api,
    model: String,
    embedding_model: String,
    embedding_dimensions: usize,
    thinking_budget: Option<u32>,
}

impl Gemini {
    /// A client for these settings. Fails, with a message that never contains the key, when
    /// there is no key, the base URL is not a plain `http(s)` origin or path, a model name is
    /// not one the API could accept, the dimensions or timeout are zero, or the HTTP client
    /// cannot be built.
    pub fn new(settings: Settings) -> Result<Self, String> {
        let Settings {
            api_key,
            model,
            embedding_model,
            embedding_dimensions,
            base_url,
            timeout,
            thinking_budget,
        } = settings;
        let api_key = api_key.ok_or_else(|| "no Gemini API key is configured".to_owned())?;
        let model = model_name(&model)?;
        let embedding_model = model_name(&embedding_model)?;
        if embedding_dimensions == 0 {
            return Err("the Gemini embedding dimensions must be at least 1".to_owned());
        }
        let api = http::Api::new(&base_url, &api_key, timeout)?;
        Ok(Self { api, model, embedding_model, embedding_dimensions, thinking_budget })
    }
}

/// The model name as it goes in a URL path: `models/` stripped, and only characters that
/// Gemini's model ids use, so that nothing can escape the path segment.
fn model_name(model: &str) -> Result<String, String> {
    let name = model.trim();
    let name = name.strip_prefix("models/").unwrap_or(name);
    let valid = !name.is_empty()
        && name.len() <= 128
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid { Ok(name.to_owned()) } else { Err(format!("{model:?} is not a valid Gemini model name")) }
}

impl fmt::Debug for Gemini {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gemini")
            .field("base_url", &self.api.base_url())
            .field("model", &self.model)
            .field("embedding_model", &self.embedding_model)
            .field("embedding_dimensions", &self.embedding_dimensions)
            .field("thinking_budget", &self.thinking_budget)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ChatModel for Gemini {
    fn info(&self) -> ModelInfo {
        ModelInfo::new(PROVIDER, &self.model)
    }

    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, AiError> {
        chat::complete(&self.api, &self.model, self.thinking_budget, request).await
    }
}

#[async_trait]
impl Embedder for Gemini {
    fn info(&self) -> ModelInfo {
        ModelInfo::new(PROVIDER, &self.embedding_model)
    }

    fn dimensions(&self) -> usize {
        self.embedding_dimensions
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AiError> {
        embeddings::embed(&self.api, &self.embedding_model, self.embedding_dimensions, texts).await
    }
}

#[async_trait]
impl Transcriber for Gemini {
    fn info(&self) -> ModelInfo {
        ModelInfo::new(PROVIDER, &self.model)
    }

    async fn transcribe(&self, audio: &Audio) -> Result<Transcript, AiError> {
        transcription::transcribe(&self.api, &self.model, audio).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_are_path_safe() {
        assert_eq!(model_name("models/gemini-2.5-flash").as_deref(), Ok("gemini-2.5-flash"));
        assert_eq!(model_name(" gemini-embedding-001 ").as_deref(), Ok("gemini-embedding-001"));
        assert!(model_name("").is_err());
        assert!(model_name("gemini/../../x").is_err());
        assert!(model_name("gemini?key=1").is_err());
    }

    #[test]
    fn a_key_is_required_and_never_shown() {
        let err = Gemini::new(Settings::default()).unwrap_err();
        assert!(err.contains("API key"), "{err}");

        let key = "AIzaSy-very-secret";
        let settings = Settings {
            api_key: Some(Secret::new(key)),
            base_url: format!("https://example.com/?key={key}"),
            ..Settings::default()
        };
        let err = Gemini::new(settings).unwrap_err();
        assert!(!err.contains(key), "{err}");

        let settings = Settings { api_key: Some(Secret::new(key)), ..Settings::default() };
        let gemini = Gemini::new(settings).unwrap();
        assert!(!format!("{gemini:?}").contains(key));
    }
}
