//! The `[ai]` table: which providers serve each capability, in order, and how to reach and
//! guard each remote provider.
//!
//! ```toml
//! [ai]
//! chat = ["gemini", "openai"]      # tried in order; empty = offline rules
//! embeddings = ["candle"]
//! transcription = ["whisper"]      # in-process Whisper, the default; also "gemini", "openai"
//! [ai.whisper]
//! model = "tiny.en"                # or "base" (multilingual); also VIVA_WHISPER_MODEL
//! threads = 2
//! [ai.gemini]
//! api_key = "…"                    # also VIVA_GEMINI_API_KEY, or GEMINI_API_KEY
//! model = "gemini-2.5-flash"
//! timeout_secs = 30
//! [ai.gemini.resilience]
//! max_retries = 2
//! daily_budget_usd = 5.0
//! ```

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use serde::{Deserialize, Serialize};
use viva_ai::{AiSettings, Policy};
use viva_domain::secret::Secret;

/// Every setting of the `[ai]` table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiSection {
    /// Chat providers, tried in order; empty means the offline rules write every text.
    pub chat: Vec<String>,
    /// Embedding providers.
    pub embeddings: Vec<String>,
    /// Transcription providers; by default the in-process Whisper.
    pub transcription: Vec<String>,
    /// The in-process Whisper model.
    pub whisper: WhisperSection,
    /// The Gemini API.
    pub gemini: GeminiSection,
    /// An OpenAI-compatible server (OpenAI, Ollama's `/v1`, vLLM, LocalAI).
    pub openai: OpenAiSection,
}

impl Default for AiSection {
    fn default() -> Self {
        let chains = AiSettings::default();
        Self {
            chat: chains.chat,
            embeddings: chains.embeddings,
            // Transcription works offline by default, as embeddings do: on Whisper tiny.en when
            // its files are in the model cache, and degraded (saying why) when they are not.
            transcription: if chains.transcription.is_empty() {
                vec![viva_whisper::PROVIDER.to_owned()]
            } else {
                chains.transcription
            },
            whisper: WhisperSection::default(),
            gemini: GeminiSection::default(),
            openai: OpenAiSection::default(),
        }
    }
}

/// `[ai.whisper]`: the in-process transcription model.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WhisperSection {
    /// `tiny.en` (English only, fast; the default) or `base` (multilingual, about twice as
    /// slow); also `VIVA_WHISPER_MODEL`. `scripts/fetch-whisper.sh <model>` fetches either.
    pub model: String,
    /// A CTranslate2 Whisper directory; by default `VIVA_WHISPER_DIR`, else Viva's model cache
    /// (`~/.cache/viva/models/whisper-<model>`).
    pub model_dir: Option<PathBuf>,
    /// Threads one transcription uses; recordings are transcribed one at a time.
    pub threads: usize,
    /// The longest recording transcribed, in seconds.
    pub max_seconds: f64,
    /// Seconds one transcription may take, waiting for others included.
    pub timeout_secs: f64,
}

impl Default for WhisperSection {
    fn default() -> Self {
        let options = viva_whisper::Options::default();
        Self {
            model: viva_whisper::DEFAULT_MODEL.to_owned(),
            model_dir: None,
            threads: options.threads,
            max_seconds: options.max_seconds,
            timeout_secs: 900.0,
        }
    }
}

/// The checked `[ai.whisper]`.
#[derive(Clone, Debug)]
pub struct WhisperConfig {
    /// The model's name (`tiny.en`, `base`).
    pub model: String,
    /// Where it is, if configured; else it is looked for in the usual places.
    pub model_dir: Option<PathBuf>,
    /// How it runs.
    pub options: viva_whisper::Options,
    /// How calls are guarded: no retries, [`WhisperSection::timeout_secs`].
    pub policy: Policy,
}

impl WhisperSection {
    fn validate(self) -> anyhow::Result<WhisperConfig> {
        let model = env_key(&["VIVA_WHISPER_MODEL"]).unwrap_or(self.model);
        if self.model_dir.is_none() && !viva_whisper::MODELS.contains(&model.as_str()) {
            bail!(
                "ai.whisper.model must be one of {} (or set ai.whisper.model_dir to a CTranslate2 Whisper directory), not {model:?}",
                viva_whisper::MODELS.join(", ")
            );
        }
        if !(1..=64).contains(&self.threads) {
            bail!("ai.whisper.threads must be between 1 and 64");
        }
        if !(1.0..=6.0 * 3600.0).contains(&self.max_seconds) {
            bail!("ai.whisper.max_seconds must be between 1 and 21600");
        }
        if !(1.0..=7200.0).contains(&self.timeout_secs) {
            bail!("ai.whisper.timeout_secs must be between 1 and 7200");
        }
        let model_dir = self.model_dir.or_else(|| std::env::var_os("VIVA_WHISPER_DIR").map(PathBuf::from));
        Ok(WhisperConfig {
            model,
            model_dir: model_dir.filter(|d| !d.as_os_str().is_empty()),
            options: viva_whisper::Options { threads: self.threads, max_seconds: self.max_seconds },
            policy: Policy { timeout: Duration::from_secs_f64(self.timeout_secs), ..Policy::local() },
        })
    }
}

/// How calls to one remote provider are guarded (`[ai.<provider>.resilience]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResilienceSection {
    /// Further attempts after a rate limit, timeout or server error.
    pub max_retries: u32,
    /// The first backoff's ceiling in seconds (doubling per retry, with full jitter).
    pub backoff_secs: f64,
    /// The largest backoff ceiling in seconds.
    pub max_backoff_secs: f64,
    /// The longest retry hint (`Retry-After`, `RetryInfo`) worth waiting for, in seconds.
    pub max_wait_secs: f64,
    /// Failed calls in a row that open the circuit breaker.
    pub breaker_failures: u32,
    /// Seconds an open breaker refuses calls before one probe.
    pub breaker_cooldown_secs: f64,
    /// Most US dollars to spend per UTC day; unset for no cap.
    pub daily_budget_usd: Option<f64>,
    /// Price per million prompt tokens, US dollars.
    pub input_usd_per_million: f64,
    /// Price per million reply tokens, US dollars.
    pub output_usd_per_million: f64,
}

impl Default for ResilienceSection {
    fn default() -> Self {
        let policy = Policy::remote();
        Self {
            max_retries: policy.max_retries,
            backoff_secs: policy.backoff_base.as_secs_f64(),
            max_backoff_secs: policy.backoff_max.as_secs_f64(),
            max_wait_secs: policy.max_wait.as_secs_f64(),
            breaker_failures: policy.breaker_threshold,
            breaker_cooldown_secs: policy.breaker_cooldown.as_secs_f64(),
            daily_budget_usd: None,
            input_usd_per_million: 0.0,
            output_usd_per_million: 0.0,
        }
    }
}

impl ResilienceSection {
    fn policy(&self, provider: &str, timeout_secs: f64) -> anyhow::Result<Policy> {
        let seconds = |name: &str, value: f64, max: f64| -> anyhow::Result<Duration> {
            if !(0.0..=max).contains(&value) {
                bail!("ai.{provider}: {name} must be between 0 and {max}");
            }
            Ok(Duration::from_secs_f64(value))
        };
        if !(0.1..=600.0).contains(&timeout_secs) {
            bail!("ai.{provider}.timeout_secs must be between 0.1 and 600");
        }
        if self.max_retries > 10 || self.breaker_failures == 0 {
            bail!("ai.{provider}.resilience: max_retries must be at most 10 and breaker_failures at least 1");
        }
        let prices = [self.input_usd_per_million, self.output_usd_per_million];
        if prices.iter().any(|p| !p.is_finite() || *p < 0.0)
            || self.daily_budget_usd.is_some_and(|b| !b.is_finite() || b < 0.0)
        {
            bail!("ai.{provider}.resilience: prices and daily_budget_usd must be positive numbers");
        }
        if self.daily_budget_usd.is_some() && prices.iter().all(|p| *p == 0.0) {
            bail!(
                "ai.{provider}.resilience: daily_budget_usd needs input_usd_per_million or output_usd_per_million"
            );
        }
        Ok(Policy {
            timeout: Duration::from_secs_f64(timeout_secs),
            max_retries: self.max_retries,
            backoff_base: seconds("backoff_secs", self.backoff_secs, 60.0)?,
            backoff_max: seconds("max_backoff_secs", self.max_backoff_secs, 600.0)?,
            max_wait: seconds("max_wait_secs", self.max_wait_secs, 3600.0)?,
            breaker_threshold: self.breaker_failures,
            breaker_cooldown: seconds("breaker_cooldown_secs", self.breaker_cooldown_secs, 86_400.0)?,
            daily_budget_usd: self.daily_budget_usd,
            input_usd_per_million: self.input_usd_per_million,
            output_usd_per_million: self.output_usd_per_million,
        })
    }
}

/// An API key as configuration holds it: read and written like a string, never shown by
/// `Debug` (configuration is logged and printed in errors; the key must not be).
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct ApiKey(String);

impl ApiKey {
    /// The key, unless it is blank.
    fn present(self) -> Option<String> {
        (!self.0.trim().is_empty()).then_some(self.0)
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// `[ai.gemini]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeminiSection {
    /// The API key; also `VIVA_GEMINI_API_KEY` or `GEMINI_API_KEY`.
    pub api_key: Option<ApiKey>,
    /// The chat and transcription model.
    pub model: String,
    /// The embedding model.
    pub embedding_model: String,
    /// Length of embedding vectors requested.
    pub embedding_dimensions: usize,
    /// The API's address.
    pub base_url: String,
    /// Seconds one attempt may take.
    pub timeout_secs: f64,
    /// Tokens a thinking model may think with per chat call (they count against the reply's
    /// cap); unset for the model's default, 0 to turn thinking off (Flash models).
    pub thinking_budget: Option<u32>,
    /// Retries, breaker and spending.
    pub resilience: ResilienceSection,
}

impl Default for GeminiSection {
    fn default() -> Self {
        let client = viva_gemini::Settings::default();
        Self {
            api_key: None,
            model: client.model,
            embedding_model: client.embedding_model,
            embedding_dimensions: client.embedding_dimensions,
            base_url: client.base_url,
            timeout_secs: client.timeout.as_secs_f64(),
            thinking_budget: client.thinking_budget,
            resilience: ResilienceSection::default(),
        }
    }
}

/// `[ai.openai]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenAiSection {
    /// The server's address, ending in `/v1`.
    pub base_url: String,
    /// The key, if the server needs one; also `VIVA_OPENAI_API_KEY`.
    pub api_key: Option<ApiKey>,
    /// The chat model.
    pub model: String,
    /// The embedding model, if embeddings are served.
    pub embedding_model: Option<String>,
    /// Length of embedding vectors requested, if the server supports choosing.
    pub embedding_dimensions: Option<usize>,
    /// The transcription model.
    pub transcription_model: String,
    /// Seconds one attempt may take.
    pub timeout_secs: f64,
    /// Retries, breaker and spending.
    pub resilience: ResilienceSection,
}

impl Default for OpenAiSection {
    fn default() -> Self {
        let client = viva_openai::Settings::default();
        Self {
            base_url: client.base_url,
            api_key: None,
            model: client.model,
            embedding_model: client.embedding_model,
            embedding_dimensions: client.embedding_dimensions,
            transcription_model: client.transcription_model,
            timeout_secs: client.timeout.as_secs_f64(),
            resilience: ResilienceSection::default(),
        }
    }
}

/// The checked AI configuration.
#[derive(Clone, Debug)]
pub struct AiConfig {
    /// Provider names per capability.
    pub chains: AiSettings,
    /// The Gemini client's settings.
    pub gemini: viva_gemini::Settings,
    /// How Gemini calls are guarded.
    pub gemini_policy: Policy,
    /// The OpenAI-compatible client's settings.
    pub openai: viva_openai::Settings,
    /// How OpenAI-compatible calls are guarded.
    pub openai_policy: Policy,
    /// The in-process Whisper model.
    pub whisper: WhisperConfig,
}

fn env_key(names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| std::env::var(n).ok()).filter(|k| !k.trim().is_empty())
}

impl AiSection {
    /// Checks the table and takes API keys from the environment when the file has none.
    pub fn validate(self) -> anyhow::Result<AiConfig> {
        for (capability, names, known) in [
            ("chat", &self.chat, &["gemini", "openai"][..]),
            ("embeddings", &self.embeddings, &["candle", "gemini", "openai"][..]),
            ("transcription", &self.transcription, &["whisper", "gemini", "openai"][..]),
        ] {
            if let Some(unknown) = names.iter().find(|n| !known.contains(&n.as_str())) {
                bail!("ai.{capability}: unknown provider {unknown:?} (known: {})", known.join(", "));
            }
        }
        let whisper = self.whisper.validate()?;
        let g = self.gemini;
        let gemini_key = g
            .api_key
            .and_then(ApiKey::present)
            .or_else(|| env_key(&["VIVA_GEMINI_API_KEY", "GEMINI_API_KEY"]));
        let gemini = viva_gemini::Settings {
            api_key: gemini_key.map(|k| Secret::new(k.into_bytes())),
            model: g.model,
            embedding_model: g.embedding_model,
            embedding_dimensions: g.embedding_dimensions,
            base_url: g.base_url.trim_end_matches('/').to_owned(),
            timeout: Duration::from_secs_f64(g.timeout_secs.clamp(0.1, 600.0)),
            thinking_budget: g.thinking_budget,
        };
        let gemini_policy = g.resilience.policy("gemini", g.timeout_secs)?;
        let o = self.openai;
        let openai_key = o.api_key.and_then(ApiKey::present).or_else(|| env_key(&["VIVA_OPENAI_API_KEY"]));
        let openai = viva_openai::Settings {
            base_url: o.base_url.trim_end_matches('/').to_owned(),
            api_key: openai_key.map(|k| Secret::new(k.into_bytes())),
            model: o.model,
            embedding_model: o.embedding_model,
            embedding_dimensions: o.embedding_dimensions,
            transcription_model: o.transcription_model,
            timeout: Duration::from_secs_f64(o.timeout_secs.clamp(0.1, 600.0)),
        };
        let openai_policy = o.resilience.policy("openai", o.timeout_secs)?;
        for (name, url) in [("gemini", &gemini.base_url), ("openai", &openai.base_url)] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("ai.{name}.base_url must be an http:// or https:// URL");
            }
            let authority = url.split("://").nth(1).unwrap_or_default().split('/').next().unwrap_or_default();
            if authority.contains('@') || url.contains('?') || url.contains('#') {
                // It would be echoed in errors and logs; keys go in api_key.
                bail!(
                    "ai.{name}.base_url must not hold credentials, a query or a fragment; put keys in api_key"
                );
            }
        }
        Ok(AiConfig {
            chains: AiSettings {
                chat: self.chat,
                embeddings: self.embeddings,
                transcription: self.transcription,
            },
            gemini,
            gemini_policy,
            openai,
            openai_policy,
            whisper,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn keys_are_never_shown_by_debug() {
        use figment::providers::{Format, Toml};
        let section: AiSection = figment::Figment::from(Toml::string(
            "[gemini]\napi_key = \"gm-secret-123\"\n[openai]\napi_key = \"sk-secret-456\"\n",
        ))
        .extract()
        .expect("parse");
        let shown = format!("{section:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let config = section.validate().expect("valid");
        assert!(!format!("{config:?}").contains("secret"));
    }

    #[test]
    fn transcription_defaults_to_whisper_tiny_en_and_base_is_a_setting() {
        use figment::providers::{Format, Toml};
        let config = AiSection::default().validate().expect("valid");
        assert_eq!(config.chains.transcription, vec!["whisper".to_owned()]);
        if std::env::var_os("VIVA_WHISPER_MODEL").is_none() {
            assert_eq!(config.whisper.model, "tiny.en");
        }
        let base: AiSection =
            figment::Figment::from(Toml::string("[whisper]\nmodel = \"base\"\nthreads = 3\n"))
                .extract()
                .expect("parse");
        let base = base.validate().expect("valid");
        if std::env::var_os("VIVA_WHISPER_MODEL").is_none() {
            assert_eq!(base.whisper.model, "base");
        }
        assert_eq!(base.whisper.options.threads, 3);
        let unknown: AiSection =
            figment::Figment::from(Toml::string("[whisper]\nmodel = \"huge\"\n")).extract().expect("parse");
        if std::env::var_os("VIVA_WHISPER_MODEL").is_none() {
            let err = unknown.validate().expect_err("unknown model").to_string();
            assert!(err.contains("ai.whisper.model") && err.contains("tiny.en, base"), "{err}");
        }
    }
}
