//! Usage metrics of the AI providers.

use prometheus::{GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry};

/// Calls, latency and tokens per provider.
#[derive(Clone)]
pub struct AiMetrics {
    /// Calls by capability, provider and outcome.
    pub calls: IntCounterVec,
    /// Call time by capability and provider.
    pub seconds: HistogramVec,
    /// Tokens by provider and direction.
    pub tokens: IntCounterVec,
    /// Circuit breaker by capability and provider: 0 closed, 1 half-open, 2 open.
    pub breaker: IntGaugeVec,
    /// US dollars spent today by provider.
    pub spend: GaugeVec,
}

impl AiMetrics {
    /// Creates the metrics and registers them with `registry`.
    pub fn register(registry: &Registry) -> prometheus::Result<Self> {
        let metrics = Self::unregistered()?;
        registry.register(Box::new(metrics.calls.clone()))?;
        registry.register(Box::new(metrics.seconds.clone()))?;
        registry.register(Box::new(metrics.tokens.clone()))?;
        registry.register(Box::new(metrics.breaker.clone()))?;
        registry.register(Box::new(metrics.spend.clone()))?;
        Ok(metrics)
    }

    /// Creates the metrics without exposing them (tools and tests).
    pub fn unregistered() -> prometheus::Result<Self> {
        Ok(Self {
            calls: IntCounterVec::new(
                Opts::new("ai_calls_total", "AI provider calls by capability, provider and outcome"),
                &["capability", "provider", "outcome"],
            )?,
            seconds: HistogramVec::new(
                HistogramOpts::new("ai_call_duration_seconds", "AI provider call time")
                    .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
                &["capability", "provider"],
            )?,
            tokens: IntCounterVec::new(
                Opts::new("ai_tokens_total", "Tokens spent by provider and direction"),
                &["provider", "direction"],
            )?,
            breaker: IntGaugeVec::new(
                Opts::new("ai_breaker_state", "AI provider circuit breaker: 0 closed, 1 half-open, 2 open"),
                &["capability", "provider"],
            )?,
            spend: GaugeVec::new(
                Opts::new("ai_spend_usd_today", "US dollars spent today (UTC) by AI provider"),
                &["provider"],
            )?,
        })
    }
}
