//! The AI registry built from configuration, and the `viva ai` operator commands.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use viva_ai::llm::evaluation::{Choice, assess};
use viva_ai::{AiMetrics, AnswerInput, Capability, Policy, Provider, QuestionContext, Registry};
use viva_domain::ai::{Audio, ChatMessage, ChatRequest, ChatRole};
use viva_domain::interview::QuestionKind;

use crate::config::ai::AiConfig;

/// Builds the providers named in the configuration. A provider that cannot start (the model
/// missing, no API key) is left out and reported by [`Registry::degraded_summary`]; nothing
/// here panics. Each remote client is created once and serves every capability it is named
/// for.
pub(crate) fn registry(ai: &AiConfig, model_dir: Option<&Path>, metrics: AiMetrics) -> Registry {
    let mut gemini: Option<Result<Arc<viva_gemini::Gemini>, String>> = None;
    let mut openai: Option<Result<Arc<viva_openai::OpenAi>, String>> = None;
    Registry::build(&ai.chains, metrics, |capability, name| match (capability, name) {
        (Capability::Embeddings, "candle") => {
            let dir = viva_candle::locate(model_dir).ok_or_else(|| match model_dir {
                Some(dir) => format!("{} holds no sentence-transformers model", dir.display()),
                None => "all-MiniLM-L6-v2 is not in the model cache; run scripts/fetch-model.sh or set VIVA_MODEL_DIR"
                    .to_owned(),
            })?;
            let embedder = viva_candle::CandleEmbedder::load(&dir, viva_candle::Options::default())
                .map_err(|err| err.to_string())?;
            Ok((Provider::Embedder(Arc::new(embedder)), Policy::local()))
        }
        (Capability::Transcription, "whisper") => {
            let w = &ai.whisper;
            let dir = viva_whisper::locate(w.model_dir.as_deref(), &w.model).ok_or_else(|| match &w.model_dir {
                Some(dir) => format!("{} holds no Whisper model (model.bin, config.json, tokenizer.json)", dir.display()),
                None => format!(
                    "Whisper {0} is not in the model cache; run scripts/fetch-whisper.sh {0} or set VIVA_WHISPER_DIR",
                    w.model
                ),
            })?;
            // Recordings are decoded by this very binary's `sandbox decode-audio` child.
            let decoder = viva_media::AudioDecoder::current_exe().map_err(|err| err.to_string())?;
            let transcriber = viva_whisper::WhisperTranscriber::new(&dir, &w.model, w.options, decoder)
                .map_err(|err| err.to_string())?;
            Ok((Provider::Transcriber(Arc::new(transcriber)), w.policy.clone()))
        }
        (capability, "gemini") => {
            let client = gemini
                .get_or_insert_with(|| viva_gemini::Gemini::new(ai.gemini.clone()).map(Arc::new))
                .clone()?;
            let provider = match capability {
                Capability::Chat => Provider::Chat(client),
                Capability::Embeddings => Provider::Embedder(client),
                Capability::Transcription => Provider::Transcriber(client),
            };
            Ok((provider, ai.gemini_policy.clone()))
        }
        (capability, "openai") => {
            let client = openai
                .get_or_insert_with(|| viva_openai::OpenAi::new(ai.openai.clone()).map(Arc::new))
                .clone()?;
            let provider = match capability {
                Capability::Chat => Provider::Chat(client),
                Capability::Embeddings => Provider::Embedder(client),
                Capability::Transcription => Provider::Transcriber(client),
            };
            Ok((provider, ai.openai_policy.clone()))
        }
        (capability, other) => Err(format!("no {} provider named {other:?}", capability.as_str())),
    })
}

/// `viva ai embed`: one JSON array per input line.
pub(crate) async fn embed(ai: &AiConfig, model_dir: Option<&Path>) -> anyhow::Result<()> {
    let registry = registry(ai, model_dir, AiMetrics::unregistered()?);
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

/// `viva ai transcribe FILE`: the recording transcribed by the first configured provider that
/// can, as one JSON object with the provider and model that made it.
pub(crate) async fn transcribe(
    ai: &AiConfig,
    model_dir: Option<&Path>,
    file: &Path,
    language: Option<String>,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    // Only the transcription chain: nothing else is needed, and models load at start.
    let mut only_transcription = ai.clone();
    only_transcription.chains.chat.clear();
    only_transcription.chains.embeddings.clear();
    let registry = registry(&only_transcription, model_dir, AiMetrics::unregistered()?);
    for degraded in registry.degraded() {
        eprintln!("viva: transcription provider {} unavailable: {}", degraded.provider, degraded.reason);
    }
    if registry.transcription.is_empty() {
        anyhow::bail!(
            "no transcription provider is available (see above; scripts/fetch-whisper.sh fetches the default)"
        );
    }
    let mime_type = viva_media::sniff(&bytes)
        .map(|container| container.mime_type(false).to_owned())
        .map_err(|err| anyhow::anyhow!("{}: {err}", file.display()))?;
    let audio = Audio { bytes, mime_type, language };
    let (transcript, info) = registry
        .transcription
        .transcribe(&audio)
        .await
        .map_err(|err| anyhow::anyhow!("transcription failed: {err}"))?;
    let line = serde_json::json!({
        "text": transcript.text,
        "language": transcript.language,
        "duration_seconds": transcript.duration_seconds,
        "segments": transcript.segments,
        "provider": info.provider,
        "model": info.model,
    });
    writeln!(std::io::stdout().lock(), "{line}")?;
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

/// `viva ai evaluate`: the request given, or JSON lines from stdin; one JSON line each with
/// the evaluation, its provenance and its trace (tokens, latency, any fallback taken). When
/// the chat providers fail, the offline evaluation is printed and standard error says why.
pub(crate) async fn evaluate(
    ai: &AiConfig,
    model_dir: Option<&Path>,
    single: Option<EvaluateRequest>,
) -> anyhow::Result<()> {
    let registry = registry(ai, model_dir, AiMetrics::unregistered()?);
    if let Some(line) = registry.degraded_summary() {
        tracing::warn!("{line}");
    }
    let cache = viva_ai::QuestionCache::default();
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
        let assessed = assess(&registry, &cache, &ctx, &answer, Choice::Chain)
            .await
            .map_err(|err| anyhow::anyhow!("evaluation failed: {err}"))?;
        if let Some(why) = &assessed.trace.fallback {
            let by = &assessed.provenance.provider;
            eprintln!("viva: evaluated by {by} after falling back: {why}");
        }
        let line = serde_json::json!({
            "evaluation": assessed.evaluation,
            "provenance": assessed.provenance,
            "trace": assessed.trace,
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `viva ai providers`: one tiny call to each configured provider, printing its health, model
/// and latency; fails when a configured provider does not answer.
pub(crate) async fn providers(ai: &AiConfig, model_dir: Option<&Path>) -> anyhow::Result<()> {
    let registry = registry(ai, model_dir, AiMetrics::unregistered()?);
    let mut out = std::io::stdout().lock();
    let mut failed = 0;
    for degraded in registry.degraded() {
        failed += 1;
        writeln!(
            out,
            "{:<14} {:<8} DOWN  not started: {}",
            degraded.capability.as_str(),
            degraded.provider,
            degraded.reason
        )?;
    }
    let ping = ChatRequest {
        system: None,
        messages: vec![ChatMessage {
            role: ChatRole::User,
            content: "Reply with the single word OK.".to_owned(),
        }],
        output: None,
        temperature: Some(0.0),
        // Room for a thinking model's thoughts, which count against the cap.
        max_output_tokens: Some(1024),
    };
    let audio =
        Audio { bytes: silent_wav(), mime_type: "audio/wav".to_owned(), language: Some("en".to_owned()) };
    let texts = ["ping".to_owned()];
    for health in registry.health() {
        let name = health.info.provider.as_str();
        let started = std::time::Instant::now();
        let outcome = match health.capability {
            Capability::Chat => registry.chat.serve(Some(name), |p, _| p.complete(&ping)).await.map(|_| ()),
            Capability::Embeddings => {
                registry.embeddings.serve(Some(name), |p, _| p.embed(&texts)).await.map(|_| ())
            }
            Capability::Transcription => {
                registry.transcription.serve(Some(name), |p, _| p.transcribe(&audio)).await.map(|_| ())
            }
        };
        let ms = started.elapsed().as_millis();
        let (capability, model) = (health.capability.as_str(), &health.info.model);
        match outcome {
            Ok(()) => writeln!(out, "{capability:<14} {name:<8} UP    {model}  {ms} ms")?,
            Err(err) => {
                failed += 1;
                writeln!(out, "{capability:<14} {name:<8} DOWN  {model}  {ms} ms  {err}")?;
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} AI provider(s) are not answering");
    }
    Ok(())
}

/// Half a second of silence as 16 kHz mono 16-bit WAV: the smallest honest transcription call.
fn silent_wav() -> Vec<u8> {
    viva_media::wav_16k(&[0.0; 8_000])
}
