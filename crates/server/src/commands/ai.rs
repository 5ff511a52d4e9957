//! The AI registry built from configuration, and the `viva ai` operator commands.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use viva_ai::{
    AiMetrics, AiSettings, AnswerInput, Capability, Evaluator, Provider, QuestionContext, Registry,
};
use viva_domain::interview::QuestionKind;

/// Builds the providers named in `settings`. A provider that cannot start (the model missing)
/// is left out and reported by [`Registry::degraded_summary`]; nothing here panics.
pub(crate) fn registry(settings: &AiSettings, model_dir: Option<&Path>, metrics: AiMetrics) -> Registry {
    Registry::build(settings, metrics, |capability, name| match (capability, name) {
        (Capability::Embeddings, "candle") => {
            let dir = viva_candle::locate(model_dir).ok_or_else(|| match model_dir {
                Some(dir) => format!("{} holds no sentence-transformers model", dir.display()),
                None => "all-MiniLM-L6-v2 is not in the model cache; run scripts/fetch-model.sh or set VIVA_MODEL_DIR"
                    .to_owned(),
            })?;
            let embedder = viva_candle::CandleEmbedder::load(&dir, viva_candle::Options::default())
                .map_err(|err| err.to_string())?;
            Ok(Provider::Embedder(Arc::new(embedder)))
        }
        (_, "gemini" | "openai") => Err("remote providers are not part of this build yet".to_owned()),
        (capability, other) => Err(format!("no {} provider named {other:?}", capability.as_str())),
    })
}

/// `viva ai embed`: one JSON array per input line.
pub(crate) async fn embed(settings: &AiSettings, model_dir: Option<&Path>) -> anyhow::Result<()> {
    let registry = registry(settings, model_dir, AiMetrics::unregistered()?);
    if let Some(line) = registry.degraded_summary() {
        tracing::warn!("{line}");
    }
    if registry.embeddings.is_empty() {
        anyhow::bail!("no embedding provider is available");
    }
    let lines: Vec<String> =
        std::io::stdin().lock().lines().collect::<Result<_, _>>().context("cannot read stdin")?;
    let mut out = std::io::stdout().lock();
    for chunk in lines.chunks(64) {
        let (vectors, _) =
            registry.embeddings.embed(chunk).await.map_err(|e| anyhow::anyhow!("embedding failed: {e}"))?;
        for v in vectors {
            writeln!(out, "{}", serde_json::to_string(&v)?)?;
        }
    }
    Ok(())
}

/// One evaluation request.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct EvaluateRequest {
    pub(crate) question: String,
    pub(crate) answer: String,
    #[serde(default)]
    pub(crate) ideal_answer: Option<String>,
    #[serde(default)]
    pub(crate) expected_keywords: Vec<String>,
    #[serde(default)]
    pub(crate) kind: Option<String>,
    #[serde(default)]
    pub(crate) time_limit_seconds: Option<i32>,
    #[serde(default)]
    pub(crate) duration_seconds: Option<i32>,
}

/// `viva ai evaluate`: the request given, or JSON lines from stdin; one JSON evaluation each.
pub(crate) async fn evaluate(
    settings: &AiSettings,
    model_dir: Option<&Path>,
    single: Option<EvaluateRequest>,
) -> anyhow::Result<()> {
    let registry = registry(settings, model_dir, AiMetrics::unregistered()?);
    if let Some(line) = registry.degraded_summary() {
        tracing::warn!("{line}");
    }
    let cache = viva_ai::QuestionCache::default();
    let evaluator = Evaluator::with_cache(&registry.embeddings, &cache);
    let requests: Box<dyn Iterator<Item = anyhow::Result<EvaluateRequest>>> = match single {
        Some(request) => Box::new(std::iter::once(Ok(request))),
        None => Box::new(std::io::stdin().lock().lines().enumerate().filter_map(|(i, line)| match line {
            Ok(line) if line.trim().is_empty() => None,
            Ok(line) => Some(
                serde_json::from_str(&line).with_context(|| format!("line {}: not a valid request", i + 1)),
            ),
            Err(err) => Some(Err(err.into())),
        })),
    };
    let mut out = std::io::stdout().lock();
    for request in requests {
        let request = request?;
        let kind = match request.kind.as_deref().map(str::to_ascii_uppercase).as_deref() {
            None | Some("TECHNICAL") => QuestionKind::Technical,
            Some("BEHAVIOURAL" | "BEHAVIORAL") => QuestionKind::Behavioural,
            Some("SITUATIONAL") => QuestionKind::Situational,
            Some(other) => anyhow::bail!("kind must be TECHNICAL, BEHAVIOURAL or SITUATIONAL, not {other}"),
        };
        if request.question.trim().is_empty() || request.answer.trim().is_empty() {
            anyhow::bail!("question and answer must not be empty");
        }
        let ideal = request.ideal_answer.clone().unwrap_or_default();
        let ctx = QuestionContext {
            text: &request.question,
            kind,
            ideal_answer: &ideal,
            expected_keywords: &request.expected_keywords,
            time_limit_seconds: request.time_limit_seconds.unwrap_or(180).clamp(30, 1800),
        };
        let answer = AnswerInput { text: &request.answer, duration_seconds: request.duration_seconds };
        let (evaluation, provenance) = evaluator.evaluate(&ctx, &answer).await;
        let line = serde_json::json!({ "evaluation": evaluation, "provenance": provenance });
        writeln!(out, "{line}")?;
    }
    Ok(())
}
