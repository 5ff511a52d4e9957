//! In-process speech to text for Viva: OpenAI's Whisper on candle, reading the CTranslate2
//! files faster-whisper uses, with no network and no Python.
//!
//! [`Model::load`] reads a CTranslate2 Whisper directory (`model.bin`, `config.json`,
//! `tokenizer.json`): the binary is parsed here, its float16 variables widened to float32 and
//! renamed to the layout candle-transformers' `Whisper::load` reads (fused attention
//! projections split), and the encoder is candle-transformers'; the decoder is this crate's,
//! with key/value caches. [`locate`] finds the directory `scripts/fetch-whisper.sh` fills.
//! [`WhisperTranscriber`] is the [`Transcriber`]: it decodes any recording to 16 kHz mono
//! with `viva-media` and runs the model on its own thread (and thread pool), never on the
//! async runtime, reporting each segment as it is decoded.

mod ct2;
mod decoder;
mod encoder;
mod layers;
mod mel;
mod tokens;
mod transcribe;
mod transcriber;
mod weights;
pub mod wer;

use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::Device;
use candle_nn::VarBuilder;
use candle_transformers::models::whisper::model::Whisper;
use tokenizers::Tokenizer;
use viva_domain::ai::{AiError, Transcript, TranscriptSegment};

pub use crate::transcriber::WhisperTranscriber;

/// The provider's name in configuration.
pub const PROVIDER: &str = "whisper";

/// The model Viva uses unless configured otherwise.
pub const DEFAULT_MODEL: &str = "tiny.en";

/// The models `scripts/fetch-whisper.sh` can fetch.
pub const MODELS: [&str; 2] = ["tiny.en", "base"];

/// Samples per second of the audio the model reads.
pub const SAMPLE_RATE: usize = mel::SAMPLE_RATE;

/// The files a model directory holds.
const FILES: [&str; 3] = ["model.bin", "config.json", "tokenizer.json"];

/// How the model runs.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Threads one transcription uses (the matrix products are split between them).
    pub threads: usize,
    /// The longest recording accepted, in seconds.
    pub max_seconds: f64,
}

impl Default for Options {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self { threads: cores.min(4), max_seconds: 3600.0 }
    }
}

/// Why a model directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory does not hold a model.
    #[error(
        "{dir} holds no Whisper model (it needs model.bin, config.json and tokenizer.json; run scripts/fetch-whisper.sh)"
    )]
    Missing {
        /// The directory.
        dir: PathBuf,
    },
    /// A file is unreadable.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not what a CTranslate2 Whisper directory holds.
    #[error("{path} is not a valid CTranslate2 Whisper file: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The inference thread or its pool could not start.
    #[error("cannot start the inference threads: {0}")]
    Thread(String),
}

/// Where the model is: `configured` if given (and then only there), else `$VIVA_WHISPER_DIR`,
/// else Viva's cache (`$XDG_CACHE_HOME` or `~/.cache`, `viva/models/whisper-<model>`, where
/// the fetch script puts it). `None` when no candidate holds a model.
pub fn locate(configured: Option<&Path>, model: &str) -> Option<PathBuf> {
    if let Some(dir) = configured {
        return is_model_dir(dir).then(|| dir.to_path_buf());
    }
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let cache = env("XDG_CACHE_HOME").or_else(|| env("HOME").map(|h| h.join(".cache")));
    let mut candidates: Vec<PathBuf> = env("VIVA_WHISPER_DIR").into_iter().collect();
    candidates.extend(cache.map(|c| c.join("viva/models").join(format!("whisper-{model}"))));
    candidates.into_iter().find(|d| is_model_dir(d))
}

/// Whether `dir` holds the files of a CTranslate2 Whisper model.
pub fn is_model_dir(dir: &Path) -> bool {
    FILES.iter().all(|f| dir.join(f).is_file())
}

/// The model, usable synchronously (the benchmark and tests drive it directly).
pub struct Model {
    engine: transcribe::Engine,
    name: String,
    pool: rayon::ThreadPool,
}

impl Model {
    /// Loads a CTranslate2 Whisper directory.
    pub fn load(dir: &Path, options: Options) -> Result<Self, LoadError> {
        if !is_model_dir(dir) {
            return Err(LoadError::Missing { dir: dir.to_path_buf() });
        }
        let started = Instant::now();
        let read = |file: &str| {
            let path = dir.join(file);
            std::fs::read(&path).map_err(|source| LoadError::Io { path, source })
        };
        let invalid = |file: &str, message: String| LoadError::Invalid { path: dir.join(file), message };
        let config: tokens::Ct2Config = serde_json::from_slice(&read("config.json")?)
            .map_err(|e| invalid("config.json", e.to_string()))?;
        let tokenizer = Tokenizer::from_bytes(read("tokenizer.json")?)
            .map_err(|e| invalid("tokenizer.json", e.to_string()))?;
        let bytes = read("model.bin")?;
        let weights = {
            let parsed = ct2::Ct2Model::parse(&bytes).map_err(|m| invalid("model.bin", m))?;
            weights::from_ct2(&parsed, config.suppress_ids.clone()).map_err(|m| invalid("model.bin", m))?
        };
        drop(bytes);
        let special = tokens::SpecialTokens::new(&tokenizer, &config, weights.config.vocab_size)
            .map_err(|m| invalid("tokenizer.json", m))?;
        let whisper_config = weights.config.clone();
        let vb = VarBuilder::from_tensors(weights.tensors, candle_core::DType::F32, &Device::Cpu);
        // The full candle-transformers model is built once to check that every weight it
        // expects is there with its shape; this crate's encoder and decoder then share them.
        Whisper::load(&vb, whisper_config.clone()).map_err(|e| invalid("model.bin", e.to_string()))?;
        let encoder = encoder::AudioEncoder::load(
            &vb,
            whisper_config.encoder_layers,
            whisper_config.encoder_attention_heads,
        )
        .map_err(|e| invalid("model.bin", e.to_string()))?;
        let decoder = decoder::TextDecoder::load(
            &vb,
            whisper_config.decoder_layers,
            whisper_config.decoder_attention_heads,
        )
        .map_err(|e| invalid("model.bin", e.to_string()))?;
        let mel = mel::MelSpectrogram::new(whisper_config.num_mel_bins)
            .map_err(|e| invalid("model.bin", e.to_string()))?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads.max(1))
            .thread_name(|i| format!("viva-whisper-{i}"))
            .build()
            .map_err(|e| LoadError::Thread(e.to_string()))?;
        let name = model_name(dir, &whisper_config);
        tracing::info!(
            model = %name,
            dir = %dir.display(),
            load_ms = started.elapsed().as_millis() as u64,
            "whisper model loaded"
        );
        Ok(Self {
            engine: transcribe::Engine { encoder, decoder, mel, tokenizer, tokens: special },
            name,
            pool,
        })
    }

    /// The model's name, such as `tiny.en`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the model transcribes more than English (and detects the language).
    pub fn multilingual(&self) -> bool {
        self.engine.tokens.multilingual()
    }

    /// Transcribes 16 kHz mono samples in `[-1, 1]`, handing each segment to `on_segment` as
    /// soon as it is decoded. `language` (BCP 47, such as `en` or `de-CH`) skips detection on
    /// a multilingual model; it is ignored by an English-only one.
    pub fn transcribe_pcm(
        &mut self,
        pcm: &[f32],
        language: Option<&str>,
        on_segment: &mut (dyn FnMut(&TranscriptSegment) + Send),
    ) -> Result<Transcript, AiError> {
        self.transcribe_until(pcm, language, on_segment, &|| true)
    }

    /// [`Model::transcribe_pcm`], stopping between windows once `keep_going` says so.
    fn transcribe_until(
        &mut self,
        pcm: &[f32],
        language: Option<&str>,
        on_segment: &mut (dyn FnMut(&TranscriptSegment) + Send),
        keep_going: &(dyn Fn() -> bool + Sync),
    ) -> Result<Transcript, AiError> {
        if pcm.iter().any(|s| !s.is_finite()) {
            return Err(AiError::InvalidInput("the audio holds samples that are not numbers".to_owned()));
        }
        let engine = &mut self.engine;
        self.pool
            .install(|| engine.transcribe(pcm, language, on_segment, keep_going))
            .map_err(AiError::Internal)
    }
}

/// `tiny.en` for `…/whisper-tiny.en`, else named by size.
fn model_name(dir: &Path, config: &candle_transformers::models::whisper::Config) -> String {
    let from_dir = dir.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix("whisper-"));
    if let Some(name) = from_dir.filter(|n| !n.is_empty()) {
        return name.to_owned();
    }
    let size = match (config.d_model, config.encoder_layers) {
        (384, 4) => "tiny",
        (512, 6) => "base",
        (768, 12) => "small",
        (1024, 24) => "medium",
        (1280, 32) => "large",
        _ => "custom",
    };
    let english = if config.vocab_size < 51_865 { ".en" } else { "" };
    format!("{size}{english}")
}
