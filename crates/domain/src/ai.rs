//! The AI provider traits and the evaluation types every pipeline shares.
//!
//! Three capabilities, each a trait object so that a registry can hold a fallback chain of
//! providers chosen by configuration: [`ChatModel`] (with structured JSON output), [`Embedder`]
//! and [`Transcriber`]. The shapes follow what both Gemini and OpenAI-compatible servers offer:
//! a system instruction plus turns, an optional JSON Schema the reply must satisfy, token usage
//! in the reply, and errors that say whether (and when) a retry may succeed.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Which provider and model produced something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The provider's configured name, such as `candle` or `gemini`.
    pub provider: String,
    /// The model, such as `all-MiniLM-L6-v2`.
    pub model: String,
}

impl ModelInfo {
    /// A provider and model pair.
    pub fn new(provider: impl Into<String>, model: impl Into<String>) -> Self {
        Self { provider: provider.into(), model: model.into() }
    }
}

/// Why a provider call failed.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum AiError {
    /// The capability is not available: not configured, or its model could not be loaded.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The provider asked us to slow down, possibly saying for how long.
    #[error("rate limited")]
    RateLimited {
        /// The provider's retry hint.
        retry_after: Option<Duration>,
    },
    /// No reply in time.
    #[error("timed out")]
    Timeout,
    /// The provider answered with an error status.
    #[error("provider error {status}: {message}")]
    Upstream {
        /// The HTTP status.
        status: u16,
        /// The provider's message, for logs only.
        message: String,
    },
    /// The reply did not have the promised shape.
    #[error("invalid output: {0}")]
    InvalidOutput(String),
    /// The request itself is unacceptable (too long, empty); retrying will not help.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A failure inside the provider (inference, I/O).
    #[error("internal: {0}")]
    Internal(String),
}

impl AiError {
    /// Whether trying again (later, or with the next provider) may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            AiError::RateLimited { .. } | AiError::Timeout => true,
            AiError::Upstream { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            AiError::Unavailable(_) | AiError::InvalidOutput(_) | AiError::Internal(_) => true,
            AiError::InvalidInput(_) => false,
        }
    }
}

/// Sentence embeddings.
#[async_trait]
pub trait Embedder: Send + Sync {
    /// The provider and model.
    fn info(&self) -> ModelInfo;
    /// The length of every vector this embedder returns.
    fn dimensions(&self) -> usize;
    /// One unit-length vector per text, in order.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AiError>;
}

/// Who said a turn of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    /// The application, on the user's behalf.
    User,
    /// The model.
    Assistant,
}

/// One turn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who said it.
    pub role: ChatRole,
    /// What was said.
    pub content: String,
}

/// A JSON Schema the reply must satisfy (Gemini's `responseJsonSchema`, OpenAI's
/// `response_format: json_schema`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputSchema {
    /// A short name for the schema (OpenAI requires one).
    pub name: String,
    /// The schema.
    pub schema: serde_json::Value,
}

/// A chat completion request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The system instruction.
    pub system: Option<String>,
    /// The conversation so far, oldest first.
    pub messages: Vec<ChatMessage>,
    /// When set, the reply is one JSON value valid against this schema.
    pub output: Option<OutputSchema>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// A cap on the reply's length.
    pub max_output_tokens: Option<u32>,
}

/// Tokens spent on one call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Reply tokens.
    pub output_tokens: u64,
}

/// A chat completion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The reply text (JSON when a schema was given).
    pub text: String,
    /// The model that answered, as the provider reports it.
    pub model: String,
    /// Tokens spent.
    pub usage: Usage,
}

/// Chat completion, optionally with structured output.
#[async_trait]
pub trait ChatModel: Send + Sync {
    /// The provider and model.
    fn info(&self) -> ModelInfo;
    /// Completes the conversation.
    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, AiError>;
}

/// Recorded speech.
#[derive(Clone, Debug, PartialEq)]
pub struct Audio {
    /// The encoded bytes.
    pub bytes: Vec<u8>,
    /// Their media type, such as `audio/webm`.
    pub mime_type: String,
    /// The expected language (BCP 47), if known.
    pub language: Option<String>,
}

/// What was said in a recording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// The full text.
    pub text: String,
    /// The detected language, if reported.
    pub language: Option<String>,
    /// How long the recording lasts, in seconds, if the provider reports it.
    #[serde(default)]
    pub duration_seconds: Option<f64>,
    /// The text with its timing, in order; empty when the provider gives no timings.
    #[serde(default)]
    pub segments: Vec<TranscriptSegment>,
}

/// A stretch of speech and when it was said.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TranscriptSegment {
    /// Where it starts, in seconds from the beginning of the recording.
    pub start: f64,
    /// Where it ends, in seconds.
    pub end: f64,
    /// What was said.
    pub text: String,
}

/// Told of each segment as soon as it is transcribed.
pub type SegmentSink<'a> = &'a (dyn Fn(&TranscriptSegment) + Send + Sync);

/// Speech to text.
#[async_trait]
pub trait Transcriber: Send + Sync {
    /// The provider and model.
    fn info(&self) -> ModelInfo;
    /// Transcribes a recording.
    async fn transcribe(&self, audio: &Audio) -> Result<Transcript, AiError>;
    /// Transcribes a recording, handing each segment to `on_segment` as soon as it is known.
    /// Providers that decode incrementally override this; the default reports every segment
    /// once the whole transcript is back.
    async fn transcribe_streaming(
        &self,
        audio: &Audio,
        on_segment: SegmentSink<'_>,
    ) -> Result<Transcript, AiError> {
        let transcript = self.transcribe(audio).await?;
        for segment in &transcript.segments {
            on_segment(segment);
        }
        Ok(transcript)
    }
}

/// Cosine similarity of two vectors (0 when either is all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na.sqrt() * nb.sqrt()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_parallel_orthogonal_and_zero_vectors() {
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
    }

    #[test]
    fn only_bad_input_is_not_worth_retrying() {
        assert!(AiError::RateLimited { retry_after: None }.is_transient());
        assert!(AiError::Upstream { status: 503, message: String::new() }.is_transient());
        assert!(!AiError::Upstream { status: 400, message: String::new() }.is_transient());
        assert!(!AiError::InvalidInput("empty".into()).is_transient());
    }
}
