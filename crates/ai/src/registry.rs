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
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use viva_domain::ai::{
    AiError, Audio, ChatModel, ChatRequest, ChatResponse, Embedder, ModelInfo, Transcriber, Transcript, Usage,
};

use crate::metrics::AiMetrics;
use crate::resilience::{Admission, BreakerState, Guard, Outcome, Policy, SpendLedger, is_retryable};

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
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderHealth {
    /// The capability.
    pub capability: Capability,
    /// Provider and model.
    pub info: ModelInfo,
    /// Calls made (each with its retries).
    pub calls: u64,
    /// Calls failed.
    pub failures: u64,
    /// Failures since the last success.
    pub consecutive_failures: u64,
    /// The last failure, for operators.
    pub last_error: Option<String>,
    /// The circuit breaker.
    pub breaker: BreakerState,
    /// US dollars spent today (UTC), from reported token usage and configured prices.
    pub spent_today_usd: f64,
    /// The daily cap, if any.
    pub daily_budget_usd: Option<f64>,
}

impl ProviderHealth {
    /// Up unless its breaker is open or its budget is spent.
    pub fn is_up(&self) -> bool {
        self.breaker != BreakerState::Open
            && self.daily_budget_usd.is_none_or(|cap| self.spent_today_usd < cap)
    }
}

struct Member<T: ?Sized> {
    provider: Arc<T>,
    info: ModelInfo,
    policy: Policy,
    state: Mutex<MemberState>,
}

struct MemberState {
    health: ProviderHealth,
    guard: Guard,
}

impl<T: ?Sized> Member<T> {
    fn state(&self) -> std::sync::MutexGuard<'_, MemberState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What a successful call produced, from whom, and at what cost.
#[derive(Clone, Debug)]
pub struct Served<R> {
    /// The result.
    pub value: R,
    /// The provider and model that produced it.
    pub info: ModelInfo,
    /// Tokens spent at that provider (every attempt, repairs included).
    pub usage: Usage,
    /// Time from the first attempt at that provider to its answer.
    pub latency: Duration,
    /// The providers tried before it, each with why it did not serve.
    pub fallback: Vec<String>,
}

/// Every provider failed or was skipped.
#[derive(Clone, Debug, PartialEq)]
pub struct Exhausted {
    /// The last failure (or why there was no provider).
    pub error: AiError,
    /// Each provider tried or skipped, with why.
    pub reasons: Vec<String>,
}

impl std::fmt::Display for Exhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.reasons.is_empty() {
            write!(f, "{}", self.error)
        } else {
            f.write_str(&self.reasons.join("; "))
        }
    }
}

/// Records what one call's replies cost; each call through a chain gets one.
pub struct Meter<'a> {
    provider: &'a str,
    policy: &'a Policy,
    state: &'a Mutex<MemberState>,
    metrics: &'a AiMetrics,
    usage: Mutex<Usage>,
}

impl Meter<'_> {
    /// Counts the tokens a reply reports toward the provider's spending and metrics.
    pub fn record(&self, usage: Usage) {
        {
            let mut total = self.usage.lock().unwrap_or_else(|p| p.into_inner());
            total.input_tokens += usage.input_tokens;
            total.output_tokens += usage.output_tokens;
        }
        let spent = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.guard.spend(self.policy, &usage);
            let spent = state.guard.spent_today();
            state.health.spent_today_usd = spent;
            spent
        };
        let tokens = &self.metrics.tokens;
        tokens.with_label_values(&[self.provider, "input"]).inc_by(usage.input_tokens);
        tokens.with_label_values(&[self.provider, "output"]).inc_by(usage.output_tokens);
        self.metrics.spend.with_label_values(&[self.provider]).set(spent);
    }

    fn total(&self) -> Usage {
        *self.usage.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A fallback chain: each call goes to the first provider its breaker and budget admit, with
/// a timeout per attempt and retries with backoff, and on failure to the next. Only input that
/// no provider could take (too long, empty) stops the chain.
pub struct Chain<T: ?Sized> {
    capability: Capability,
    members: Vec<Member<T>>,
    metrics: AiMetrics,
    ledger: Option<Arc<dyn SpendLedger>>,
}

type Call<'a, R> = Pin<Box<dyn Future<Output = Result<R, AiError>> + Send + 'a>>;

impl<T: ?Sized + Send + Sync> Chain<T> {
    fn new(capability: Capability, metrics: AiMetrics) -> Self {
        Self { capability, members: Vec::new(), metrics, ledger: None }
    }

    fn push(&mut self, provider: Arc<T>, info: ModelInfo, policy: Policy) {
        let health = ProviderHealth {
            capability: self.capability,
            info: info.clone(),
            calls: 0,
            failures: 0,
            consecutive_failures: 0,
            last_error: None,
            breaker: BreakerState::Closed,
            spent_today_usd: 0.0,
            daily_budget_usd: policy.daily_budget_usd,
        };
        let labels = [self.capability.as_str(), info.provider.as_str()];
        self.metrics.breaker.with_label_values(&labels).set(0);
        let state = Mutex::new(MemberState { health, guard: Guard::new() });
        self.members.push(Member { provider, info, policy, state });
    }

    /// Whether any provider serves this capability.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The first provider's name and model: what a call will normally use.
    pub fn primary(&self) -> Option<&ModelInfo> {
        self.members.first().map(|m| &m.info)
    }

    /// The providers' names, in order.
    pub fn providers(&self) -> Vec<String> {
        self.members.iter().map(|m| m.info.provider.clone()).collect()
    }

    /// Whether a provider of this name is in the chain.
    pub fn has(&self, provider: &str) -> bool {
        self.members.iter().any(|m| m.info.provider == provider)
    }

    /// Runs `call` against the chain; returns the result and who produced it.
    pub async fn run<R>(
        &self,
        call: impl for<'a> Fn(&'a T, &'a Meter<'a>) -> Call<'a, R>,
    ) -> Result<(R, ModelInfo), AiError> {
        self.serve(None, call).await.map(|s| (s.value, s.info)).map_err(|e| e.error)
    }

    /// Runs `call` against the chain (or only against the provider named `only`), guarded by
    /// each provider's policy; says who served, at what cost, and who was passed over and why.
    pub async fn serve<R>(
        &self,
        only: Option<&str>,
        call: impl for<'a> Fn(&'a T, &'a Meter<'a>) -> Call<'a, R>,
    ) -> Result<Served<R>, Exhausted> {
        let capability = self.capability.as_str();
        let mut reasons = Vec::new();
        let mut last = AiError::Unavailable(match only {
            Some(name) => format!("no {capability} provider named {name:?} is configured"),
            None => format!("no {capability} provider is configured"),
        });
        for member in self.members.iter().filter(|m| only.is_none_or(|name| m.info.provider == name)) {
            let provider = member.info.provider.as_str();
            let labels = [capability, provider];
            let budgeted = member.policy.daily_budget_usd.is_some();
            if let (Some(ledger), true) = (&self.ledger, budgeted) {
                match ledger.today(provider).await {
                    Ok(total) => member.state().guard.observe_spent(total),
                    Err(error) => {
                        tracing::warn!(provider, %error, "cannot read today's AI spending; counting this replica's only")
                    }
                }
            }
            let (admitted, breaker) = {
                let mut state = member.state();
                let admitted = state.guard.admit(&member.policy);
                state.health.breaker = state.guard.state(&member.policy);
                (admitted, state.health.breaker)
            };
            self.metrics.breaker.with_label_values(&labels).set(breaker_gauge(breaker));
            let admission = match admitted {
                Ok(admission) => Pending { state: &member.state, admission: Some(admission) },
                Err(refusal) => {
                    self.metrics.calls.with_label_values(&[capability, provider, "skipped"]).inc();
                    reasons.push(format!("{provider}: {}", refusal.reason()));
                    last = AiError::Unavailable(format!("{provider}: {}", refusal.reason()));
                    continue;
                }
            };
            let meter = Meter {
                provider,
                policy: &member.policy,
                state: &member.state,
                metrics: &self.metrics,
                usage: Mutex::new(Usage::default()),
            };
            let started = Instant::now();
            let mut retry = 0;
            let outcome = loop {
                let attempt = Instant::now();
                let result =
                    match tokio::time::timeout(attempt_limit(&member.policy), call(&member.provider, &meter))
                        .await
                    {
                        Ok(result) => result,
                        Err(_) => Err(AiError::Timeout),
                    };
                self.metrics.seconds.with_label_values(&labels).observe(attempt.elapsed().as_secs_f64());
                let outcome = if result.is_ok() { "ok" } else { "error" };
                self.metrics.calls.with_label_values(&[capability, provider, outcome]).inc();
                match result {
                    Err(error) if retry < member.policy.max_retries && is_retryable(&error) => {
                        match member.policy.backoff(retry, &error) {
                            Some(wait) => {
                                tracing::info!(capability, provider, %error, wait_ms = wait.as_millis() as u64, "AI provider call will be retried");
                                retry += 1;
                                tokio::time::sleep(wait).await;
                            }
                            None => break Err(error),
                        }
                    }
                    result => break result,
                }
            };
            let spent = meter.total();
            if let (Some(ledger), true) = (&self.ledger, spent != Usage::default()) {
                match ledger.add(provider, member.policy.cost_usd(&spent), spent).await {
                    Ok(total) => member.state().guard.observe_spent(total),
                    Err(error) => tracing::warn!(provider, %error, "cannot record AI spending"),
                }
            }
            let breaker = {
                let mut state = member.state();
                let MemberState { health, guard } = &mut *state;
                health.calls += 1;
                let settled = match &outcome {
                    Ok(_) => {
                        health.consecutive_failures = 0;
                        Outcome::Success
                    }
                    Err(error) => {
                        health.failures += 1;
                        health.consecutive_failures += 1;
                        health.last_error = Some(error.to_string());
                        if matches!(error, AiError::InvalidInput(_)) {
                            Outcome::BadInput
                        } else {
                            Outcome::Failure
                        }
                    }
                };
                if let Some(admission) = admission.settled() {
                    guard.settle(&member.policy, admission, settled);
                }
                health.breaker = guard.state(&member.policy);
                health.breaker
            };
            self.metrics.breaker.with_label_values(&labels).set(breaker_gauge(breaker));
            match outcome {
                Ok(value) => {
                    return Ok(Served {
                        value,
                        info: member.info.clone(),
                        usage: spent,
                        latency: started.elapsed(),
                        fallback: reasons,
                    });
                }
                Err(error) => {
                    tracing::warn!(capability, provider, %error, "AI provider call failed");
                    reasons.push(format!("{provider}: {error}"));
                    if matches!(error, AiError::InvalidInput(_)) {
                        return Err(Exhausted { error, reasons });
                    }
                    last = error;
                }
            }
        }
        Err(Exhausted { error: last, reasons })
    }

    fn health(&self) -> impl Iterator<Item = ProviderHealth> + '_ {
        self.members.iter().map(|m| {
            let mut state = m.state();
            let MemberState { health, guard } = &mut *state;
            health.breaker = guard.state(&m.policy);
            health.spent_today_usd = guard.spent_today();
            health.clone()
        })
    }
}

/// The longest one attempt may take: a reply and its one repair, each bounded by the provider
/// client's own request timeout, and the checks between them. A backstop for in-process
/// providers and stalls the clients cannot see.
fn attempt_limit(policy: &Policy) -> Duration {
    policy.timeout.saturating_mul(2).saturating_add(Duration::from_secs(10))
}

/// An admission not yet settled: if the call is dropped before it ends (its caller went away),
/// the breaker hears of it, so a probe is never left out for good.
struct Pending<'a> {
    state: &'a Mutex<MemberState>,
    admission: Option<Admission>,
}

impl Pending<'_> {
    /// The admission, to settle now; the drop then does nothing.
    fn settled(mut self) -> Option<Admission> {
        self.admission.take()
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(admission) = self.admission.take() {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.guard.abandon(admission);
        }
    }
}

fn breaker_gauge(state: BreakerState) -> i64 {
    match state {
        BreakerState::Closed => 0,
        BreakerState::HalfOpen => 1,
        BreakerState::Open => 2,
    }
}

impl Chain<dyn Embedder> {
    /// Embeds with the first provider that succeeds.
    pub async fn embed(&self, texts: &[String]) -> Result<(Vec<Vec<f32>>, ModelInfo), AiError> {
        self.run(|p, _| p.embed(texts)).await
    }
}

impl Chain<dyn ChatModel> {
    /// Completes with the first provider that succeeds, counting tokens.
    pub async fn complete(&self, request: &ChatRequest) -> Result<(ChatResponse, ModelInfo), AiError> {
        self.run(|p, meter| {
            Box::pin(async move {
                let response = p.complete(request).await?;
                meter.record(response.usage);
                Ok(response)
            })
        })
        .await
    }
}

impl Chain<dyn Transcriber> {
    /// Transcribes with the first provider that succeeds.
    pub async fn transcribe(&self, audio: &Audio) -> Result<(Transcript, ModelInfo), AiError> {
        self.run(|p, _| p.transcribe(audio)).await
    }

    /// Transcribes with the first provider that succeeds, reporting segments as they come.
    /// A provider that fails part-way may already have reported segments; the next one starts
    /// again from the beginning.
    pub async fn transcribe_streaming(
        &self,
        audio: &Audio,
        on_segment: viva_domain::ai::SegmentSink<'_>,
    ) -> Result<(Transcript, ModelInfo), AiError> {
        self.run(|p, _| p.transcribe_streaming(audio, on_segment)).await
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
        mut factory: impl FnMut(Capability, &str) -> Result<(Provider, Policy), String>,
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
                    Ok((provider, policy)) => {
                        if let Err(reason) = registry.add_with(capability, provider, policy) {
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

    /// Adds an in-process provider at the end of its capability's chain, guarded by
    /// [`Policy::local`].
    pub fn add(&mut self, capability: Capability, provider: Provider) -> Result<(), String> {
        self.add_with(capability, provider, Policy::local())
    }

    /// Adds a provider at the end of its capability's chain, guarded by `policy`.
    pub fn add_with(
        &mut self,
        capability: Capability,
        provider: Provider,
        policy: Policy,
    ) -> Result<(), String> {
        match (capability, provider) {
            (Capability::Chat, Provider::Chat(p)) => {
                let info = p.info();
                self.chat.push(p, info, policy);
            }
            (Capability::Embeddings, Provider::Embedder(p)) => {
                let info = p.info();
                self.embeddings.push(p, info, policy);
            }
            (Capability::Transcription, Provider::Transcriber(p)) => {
                let info = p.info();
                self.transcription.push(p, info, policy);
            }
            (capability, _) => return Err(format!("the provider does not offer {}", capability.as_str())),
        }
        Ok(())
    }

    /// Keeps every provider's spending in `ledger` (shared by replicas, kept over restarts), so
    /// daily caps hold platform-wide.
    pub fn set_ledger(&mut self, ledger: Arc<dyn SpendLedger>) {
        self.chat.ledger = Some(ledger.clone());
        self.embeddings.ledger = Some(ledger.clone());
        self.transcription.ledger = Some(ledger);
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
