//! The request and reply bodies of `generateContent`, `embedContent` and
//! `batchEmbedContents`, as the v1beta REST reference documents them (camelCase JSON). Replies
//! are read leniently: every field the client does not need may be missing or added to.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A `generateContent` request.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenerateContentRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) system_instruction: Option<Content<'a>>,
    pub(crate) contents: Vec<Content<'a>>,
    pub(crate) generation_config: GenerationConfig<'a>,
}

/// One turn (or the system instruction, which has no role).
#[derive(Serialize)]
pub(crate) struct Content<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) role: Option<&'static str>,
    pub(crate) parts: Vec<Part<'a>>,
}

impl<'a> Content<'a> {
    /// A content of one text part.
    pub(crate) fn text(role: Option<&'static str>, text: &'a str) -> Self {
        Self { role, parts: vec![Part::Text(text)] }
    }
}

/// A part: `{"text": …}` or `{"inlineData": {"mimeType", "data"}}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Part<'a> {
    Text(&'a str),
    InlineData(InlineData<'a>),
}

/// Bytes sent in the request, base64-encoded.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InlineData<'a> {
    pub(crate) mime_type: &'a str,
    pub(crate) data: String,
}

/// Sampling and output format.
#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenerationConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) response_mime_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) response_json_schema: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) thinking_config: Option<ThinkingConfig>,
}

/// `generationConfig.thinkingConfig`: how many tokens a thinking model may think with.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThinkingConfig {
    pub(crate) thinking_budget: u32,
}

/// A `generateContent` reply.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenerateContentResponse {
    #[serde(default)]
    pub(crate) candidates: Vec<Candidate>,
    #[serde(default)]
    pub(crate) prompt_feedback: Option<PromptFeedback>,
    #[serde(default)]
    pub(crate) usage_metadata: Option<UsageMetadata>,
    #[serde(default)]
    pub(crate) model_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Candidate {
    #[serde(default)]
    pub(crate) content: Option<CandidateContent>,
    #[serde(default)]
    pub(crate) finish_reason: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct CandidateContent {
    #[serde(default)]
    pub(crate) parts: Vec<CandidatePart>,
}

#[derive(Deserialize)]
pub(crate) struct CandidatePart {
    #[serde(default)]
    pub(crate) text: Option<String>,
    /// Set on a thinking model's thought summaries, which are not the reply.
    #[serde(default)]
    pub(crate) thought: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PromptFeedback {
    #[serde(default)]
    pub(crate) block_reason: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsageMetadata {
    #[serde(default)]
    pub(crate) prompt_token_count: u64,
    #[serde(default)]
    pub(crate) candidates_token_count: u64,
    #[serde(default)]
    pub(crate) thoughts_token_count: u64,
}

/// An `embedContent` request, and one entry of a `batchEmbedContents` request.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmbedContentRequest<'a> {
    /// `models/{model}`.
    pub(crate) model: &'a str,
    pub(crate) content: Content<'a>,
    pub(crate) output_dimensionality: usize,
}

/// A `batchEmbedContents` request.
#[derive(Serialize)]
pub(crate) struct BatchEmbedContentsRequest<'a> {
    pub(crate) requests: Vec<EmbedContentRequest<'a>>,
}

/// An `embedContent` reply.
#[derive(Deserialize)]
pub(crate) struct EmbedContentResponse {
    pub(crate) embedding: ContentEmbedding,
}

/// A `batchEmbedContents` reply.
#[derive(Deserialize)]
pub(crate) struct BatchEmbedContentsResponse {
    pub(crate) embeddings: Vec<ContentEmbedding>,
}

#[derive(Deserialize)]
pub(crate) struct ContentEmbedding {
    pub(crate) values: Vec<f32>,
}
