//! The provider registry: per capability, a fallback chain of providers chosen by
//! configuration, with health and usage recorded for every call.
//!
//! The registry knows providers only through the traits in `viva_domain::ai`; the binary
//! supplies a factory that turns a configured name into an instance, so this crate depends on
//! no provider. A provider that cannot be created (a model missing, a key absent) is left out
//! of its chain and recorded as a [`Degradation`], which the server reports at start.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use viva_domain::ai::{
    AiError, Audio, ChatModel, ChatRequest, ChatResponse, Embedder, ModelInfo, Transcriber, Transcript,
};

use crate::metrics::AiMetrics;

/// What a provider can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Chat completion with structured output.
    Chat,
    /// Sentence embeddings.
    Embeddings,
    /// Speech to text.
    Transcription,
}

impl Capability {
    /// The name used in configuration and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Chat => "chat",
            Capability::Embeddings => "embeddings",
            Capability::Transcription => "transcription",
        }
    }
}

/// The `[ai]` section of the configuration: provider names per capability, tried in order.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct AiSettings {
    /// Chat providers; empty means the offline rules write every text.
    pub chat: Vec<String>,
    /// Embedding providers.
    pub embeddings: Vec<String>,
    /// Transcription providers.
    pub transcription: Vec<String>,
}

impl Default for AiSettings {
    fn default() -> Self {
        Self { chat: Vec::new(), embeddings: vec!["candle".to_owned()], transcription: Vec::new() }
    }
}

/// A created provider.
pub enum Provider {
    /// A chat model.
    Chat(Arc<dyn ChatModel>),
    /// An embedder.
    Embedder(Arc<dyn Embedder>),
    /// A transcriber.
    Transcriber(Arc<dyn Transcriber>),
}

/// A configured provider that is not in service, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Degradation {
    /// The capability it was meant to serve.
    pub capability: Capability,
    /// Its configured name.
    pub provider: String,
    /// Why it could not be created.
    pub reason: String,
}

/// How a provider has been doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderHealth {
    /// The capability.
    pub capability: Capability,
    /// Provider and model.
    pub info: ModelInfo,
    /// Calls made.
    pub calls: u64,
    /// Calls failed.
    pub failures: u64,
    /// Failures since the last success.
    pub consecutive_failures: u64,
    /// The last failure, for operators.
    pub last_error: Option<String>,
}

impl ProviderHealth {
    /// Up unless its last three calls failed.
    pub fn is_up(&self) -> bool {
        self.consecutive_failures < 3
    }
}

struct Member<T: ?Sized> {
    provider: Arc<T>,
    info: ModelInfo,
    health: Mutex<ProviderHealth>,
}

/// A fallback chain: each call goes to the first provider, and on a transient failure to the
/// next. A failure that retrying cannot fix (bad input) stops the chain.
pub struct Chain<T: ?Sized> {
    capability: Capability,
    members: Vec<Member<T>>,
    metrics: AiMetrics,
}

type Call<'a, R> = Pin<Box<dyn Future<Output = Result<R, AiError>> + Send + 'a>>;

impl<T: ?Sized + Send + Sync> Chain<T> {
    fn new(capability: Capability, metrics: AiMetrics) -> Self {
        Self { capability, members: Vec::new(), metrics }
    }

    fn push(&mut self, provider: Arc<T>, info: ModelInfo) {
        let health = ProviderHealth {
            capability: self.capability,
            info: info.clone(),
            calls: 0,
            failures: 0,
            consecutive_failures: 0,
            last_error: None,
        };
        self.members.push(Member { provider, info, health: Mutex::new(health) });
    }

    /// Whether any provider serves this capability.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The first provider's name and model: what a call will normally use.
    pub fn primary(&self) -> Option<&ModelInfo> {
        self.members.first().map(|m| &m.info)
    }

    /// Runs `call` against the chain; returns the result and who produced it.
    pub async fn run<R>(
        &self,
        call: impl for<'a> Fn(&'a T) -> Call<'a, R>,
    ) -> Result<(R, ModelInfo), AiError> {
        let mut last =
            AiError::Unavailable(format!("no {} provider is configured", self.capability.as_str()));
        for member in &self.members {
            let started = Instant::now();
            let outcome = call(&member.provider).await;
            let labels = [self.capability.as_str(), member.info.provider.as_str()];
            self.metrics.seconds.with_label_values(&labels).observe(started.elapsed().as_secs_f64());
            let mut health = member.health.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            health.calls += 1;
            match outcome {
                Ok(value) => {
                    health.consecutive_failures = 0;
                    self.metrics.calls.with_label_values(&[labels[0], labels[1], "ok"]).inc();
                    return Ok((value, member.info.clone()));
                }
                Err(error) => {
                    health.failures += 1;
                    health.consecutive_failures += 1;
                    health.last_error = Some(error.to_string());
                    self.metrics.calls.with_label_values(&[labels[0], labels[1], "error"]).inc();
                    tracing::warn!(capability = labels[0], provider = labels[1], %error, "AI provider call failed");
                    if !error.is_transient() {
                        return Err(error);
                    }
                    last = error;
                }
            }
        }
        Err(last)
    }

    fn health(&self) -> impl Iterator<Item = ProviderHealth> + '_ {
        self.members.iter().map(|m| m.health.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
}

impl Chain<dyn Embedder> {
    /// Embeds with the first provider that succeeds.
    pub async fn embed(&self, texts: &[String]) -> Result<(Vec<Vec<f32>>, ModelInfo), AiError> {
        self.run(|p| p.embed(texts)).await
    }
}

impl Chain<dyn ChatModel> {
    /// Completes with the first provider that succeeds, counting tokens.
    pub async fn complete(&self, request: &ChatRequest) -> Result<(ChatResponse, ModelInfo), AiError> {
        let (response, info) = self.run(|p| p.complete(request)).await?;
        let tokens = &self.metrics.tokens;
        tokens.with_label_values(&[info.provider.as_str(), "input"]).inc_by(response.usage.input_tokens);
        tokens.with_label_values(&[info.provider.as_str(), "output"]).inc_by(response.usage.output_tokens);
        Ok((response, info))
    }
}

impl Chain<dyn Transcriber> {
    /// Transcribes with the first provider that succeeds.
    pub async fn transcribe(&self, audio: &Audio) -> Result<(Transcript, ModelInfo), AiError> {
        self.run(|p| p.transcribe(audio)).await
    }
}

/// Every capability's chain.
pub struct Registry {
    /// Chat models.
    pub chat: Chain<dyn ChatModel>,
    /// Embedders.
    pub embeddings: Chain<dyn Embedder>,
    /// Transcribers.
    pub transcription: Chain<dyn Transcriber>,
    degraded: Vec<Degradation>,
}

impl Registry {
    /// Builds the chains named in `settings`, creating each provider with `factory`.
    pub fn build(
        settings: &AiSettings,
        metrics: AiMetrics,
        mut factory: impl FnMut(Capability, &str) -> Result<Provider, String>,
    ) -> Self {
        let mut registry = Self::empty(metrics);
        let wanted = [
            (Capability::Chat, &settings.chat),
            (Capability::Embeddings, &settings.embeddings),
            (Capability::Transcription, &settings.transcription),
        ];
        for (capability, names) in wanted {
            for name in names {
                match factory(capability, name) {
                    Ok(provider) => {
                        if let Err(reason) = registry.add(capability, provider) {
                            registry.degraded.push(Degradation {
                                capability,
                                provider: name.clone(),
                                reason,
                            });
                        }
                    }
                    Err(reason) => {
                        registry.degraded.push(Degradation { capability, provider: name.clone(), reason })
                    }
                }
            }
        }
        registry
    }

    /// A registry with no providers: everything runs on the offline rules.
    pub fn empty(metrics: AiMetrics) -> Self {
        Self {
            chat: Chain::new(Capability::Chat, metrics.clone()),
            embeddings: Chain::new(Capability::Embeddings, metrics.clone()),
            transcription: Chain::new(Capability::Transcription, metrics),
            degraded: Vec::new(),
        }
    }

    /// Adds a provider at the end of its capability's chain.
    pub fn add(&mut self, capability: Capability, provider: Provider) -> Result<(), String> {
        match (capability, provider) {
            (Capability::Chat, Provider::Chat(p)) => {
                let info = p.info();
                self.chat.push(p, info);
            }
            (Capability::Embeddings, Provider::Embedder(p)) => {
                let info = p.info();
                self.embeddings.push(p, info);
            }
            (Capability::Transcription, Provider::Transcriber(p)) => {
                let info = p.info();
                self.transcription.push(p, info);
            }
            (capability, _) => return Err(format!("the provider does not offer {}", capability.as_str())),
        }
        Ok(())
    }

    /// Providers configured but not in service.
    pub fn degraded(&self) -> &[Degradation] {
        &self.degraded
    }

    /// Every provider's health.
    pub fn health(&self) -> Vec<ProviderHealth> {
        self.chat.health().chain(self.embeddings.health()).chain(self.transcription.health()).collect()
    }

    /// One line for operators on what runs degraded and why, or `None` when nothing does.
    pub fn degraded_summary(&self) -> Option<String> {
        let mut parts: Vec<String> = self
            .degraded
            .iter()
            .map(|d| {
                format!("{} provider {:?} unavailable ({})", d.capability.as_str(), d.provider, d.reason)
            })
            .collect();
        if self.embeddings.is_empty() {
            parts.push(
                "no embedding model: answer evaluation and question planning use word overlap instead of meaning"
                    .to_owned(),
            );
        }
        if self.transcription.is_empty() {
            parts.push("no transcription provider: spoken answers are not transcribed".to_owned());
        }
        (!parts.is_empty()).then(|| format!("AI features degraded: {}", parts.join("; ")))
    }
}
