//! In-process sentence embeddings for Viva: sentence-transformers `all-MiniLM-L6-v2` (or any
//! BERT sentence-transformers model with mean pooling) on candle, with no network and no
//! Python.
//!
//! [`CandleEmbedder::load`] reads a sentence-transformers directory (`config.json`,
//! `tokenizer.json`, `model.safetensors`, optionally `sentence_bert_config.json`); [`locate`]
//! finds one in the configured path, Viva's model cache or a Hugging Face hub cache. Inference
//! runs on a dedicated thread, never on the async runtime: concurrent [`Embedder::embed`] calls
//! queue there and are taken together and packed into batches without padding, so many small
//! requests cost little more than one large one.

mod attention;
mod gelu;
pub mod kernels;
mod model;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use async_trait::async_trait;
use tokenizers::{Tokenizer, TruncationParams};
use tokio::sync::oneshot;
use viva_domain::ai::{AiError, Embedder, ModelInfo};

use crate::model::{Bert, BertConfig};

/// The provider's name in configuration.
pub const PROVIDER: &str = "candle";

/// The model Viva ships with.
pub const DEFAULT_MODEL: &str = "all-MiniLM-L6-v2";

/// How the embedder batches.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The most texts in one forward pass.
    pub max_batch: usize,
    /// The most texts one call may send.
    pub max_texts: usize,
    /// The longest text accepted, in bytes; longer texts are refused (the model reads only
    /// its first `max_seq_length` tokens anyway).
    pub max_text_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { max_batch: 32, max_texts: 512, max_text_bytes: 64 * 1024 }
    }
}

/// Why a model directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file is missing or unreadable.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not what a sentence-transformers directory holds.
    #[error("{path} is not valid: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The inference thread could not start.
    #[error("cannot start the inference thread: {0}")]
    Thread(std::io::Error),
}

/// Where to look for the model: `configured` if given, then `$VIVA_MODEL_DIR`, then Viva's
/// cache (`$XDG_CACHE_HOME` or `~/.cache`, `viva/models/all-MiniLM-L6-v2`, where the setup
/// script puts it), then a Hugging Face hub cache (`$HF_HUB_CACHE`, `$HF_HOME/hub` or
/// `~/.cache/huggingface/hub`) holding `sentence-transformers/all-MiniLM-L6-v2`. Returns the
/// first directory that holds a model; `None` when none does.
pub fn locate(configured: Option<&Path>) -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let cache = env("XDG_CACHE_HOME").or_else(|| env("HOME").map(|h| h.join(".cache")));
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = configured {
        // An explicit choice is the only one considered.
        return is_model_dir(dir).then(|| dir.to_path_buf());
    }
    candidates.extend(env("VIVA_MODEL_DIR"));
    if let Some(cache) = &cache {
        candidates.push(cache.join("viva/models").join(DEFAULT_MODEL));
    }
    let hub = env("HF_HUB_CACHE")
        .or_else(|| env("HF_HOME").map(|h| h.join("hub")))
        .or_else(|| cache.as_ref().map(|c| c.join("huggingface/hub")));
    if let Some(snapshots) = hub.map(|h| h.join("models--sentence-transformers--all-MiniLM-L6-v2/snapshots"))
        && let Ok(entries) = std::fs::read_dir(snapshots)
    {
        let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        dirs.sort();
        candidates.extend(dirs);
    }
    candidates.into_iter().find(|d| is_model_dir(d))
}

fn is_model_dir(dir: &Path) -> bool {
    ["config.json", "tokenizer.json", "model.safetensors"].iter().all(|f| dir.join(f).is_file())
}

#[derive(serde::Deserialize)]
struct SentenceConfig {
    max_seq_length: Option<usize>,
}

/// The model and its tokenizer, usable synchronously (the benchmark drives it directly).
pub struct Model {
    bert: Bert,
    tokenizer: Tokenizer,
    name: String,
    max_tokens: usize,
    /// One thread, for forward passes too small to share: splitting a few hundred tokens'
    /// work between threads costs more in synchronisation than it saves, and makes the
    /// latency of one answer's evaluation depend on what else the machine is doing.
    serial: rayon::ThreadPool,
}

/// Below this many tokens a forward pass runs on one thread ([`Model::serial`]).
const SERIAL_BELOW_TOKENS: usize = 512;

impl Model {
    /// Loads a sentence-transformers directory.
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let read = |file: &str| {
            let path = dir.join(file);
            std::fs::read(&path).map_err(|source| LoadError::Io { path, source })
        };
        let invalid = |file: &str, message: String| LoadError::Invalid { path: dir.join(file), message };
        let config: BertConfig = serde_json::from_slice(&read("config.json")?)
            .map_err(|e| invalid("config.json", e.to_string()))?;
        let max_seq = match std::fs::read(dir.join("sentence_bert_config.json")) {
            Ok(bytes) => {
                serde_json::from_slice::<SentenceConfig>(&bytes)
                    .map_err(|e| invalid("sentence_bert_config.json", e.to_string()))?
                    .max_seq_length
            }
            Err(_) => None,
        };
        let max_tokens =
            max_seq.unwrap_or(config.max_position_embeddings).min(config.max_position_embeddings);
        let mut tokenizer = Tokenizer::from_bytes(read("tokenizer.json")?)
            .map_err(|e| invalid("tokenizer.json", e.to_string()))?;
        // sentence-transformers truncates at max_seq_length and pads per batch itself.
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: max_tokens, ..Default::default() }))
            .map_err(|e| invalid("tokenizer.json", e.to_string()))?;
        tokenizer.with_padding(None);
        let weights = dir.join("model.safetensors");
        let bert = Bert::load(&weights, &config).map_err(|e| invalid("model.safetensors", e.to_string()))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n.starts_with("all-") || n.contains("MiniLM"))
            .unwrap_or_else(|| DEFAULT_MODEL.to_owned());
        let serial = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "viva-embedder-serial".to_owned())
            .build()
            .map_err(|e| LoadError::Thread(std::io::Error::other(e)))?;
        Ok(Self { bert, tokenizer, name, max_tokens, serial })
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The embedding length.
    pub fn dimensions(&self) -> usize {
        self.bert.hidden()
    }

    /// The tokens the model reads of a text, `[CLS]` and `[SEP]` included.
    pub fn token_count(&self, text: &str) -> Result<usize, AiError> {
        Ok(self.tokenize(text)?.len())
    }

    fn tokenize(&self, text: &str) -> Result<Vec<u32>, AiError> {
        let encoding =
            self.tokenizer.encode(text, true).map_err(|e| AiError::Internal(format!("tokenizer: {e}")))?;
        let mut ids = encoding.get_ids().to_vec();
        ids.truncate(self.max_tokens);
        Ok(ids)
    }

    /// Embeds texts in one packed forward pass per `max_batch` slice, in the given order.
    pub fn embed_batch(&self, texts: &[&str], max_batch: usize) -> Result<Vec<Vec<f32>>, AiError> {
        let tokenized = texts.iter().map(|t| self.tokenize(t)).collect::<Result<Vec<_>, _>>()?;
        self.embed_tokenized(&tokenized, max_batch)
    }

    /// Embeds token sequences, `max_batch` at a time. Sequences are packed, not padded, so
    /// their lengths may differ freely and a vector never depends on its neighbours.
    fn embed_tokenized(&self, tokenized: &[Vec<u32>], max_batch: usize) -> Result<Vec<Vec<f32>>, AiError> {
        let mut out = Vec::with_capacity(tokenized.len());
        for chunk in tokenized.chunks(max_batch.max(1)) {
            let sequences: Vec<&[u32]> = chunk.iter().map(Vec::as_slice).collect();
            let tokens: usize = sequences.iter().map(|s| s.len()).sum();
            let vectors = if tokens < SERIAL_BELOW_TOKENS {
                self.serial.install(|| self.bert.embed(&sequences))
            } else {
                self.bert.embed(&sequences)
            };
            out.extend(vectors.map_err(|e| AiError::Internal(format!("inference: {e}")))?);
        }
        Ok(out)
    }
}

struct Request {
    tokens: Vec<Vec<u32>>,
    reply: oneshot::Sender<Result<Vec<Vec<f32>>, AiError>>,
}

/// The candle [`Embedder`]: a [`Model`] on its own inference thread.
pub struct CandleEmbedder {
    sender: mpsc::Sender<Request>,
    model: std::sync::Arc<Model>,
    options: Options,
}

impl CandleEmbedder {
    /// Loads the model in `dir` and starts its inference thread.
    pub fn load(dir: &Path, options: Options) -> Result<Self, LoadError> {
        let started = Instant::now();
        let model = std::sync::Arc::new(Model::load(dir)?);
        let (sender, receiver) = mpsc::channel::<Request>();
        let worker = model.clone();
        std::thread::Builder::new()
            .name("viva-embedder".to_owned())
            .spawn(move || serve(&worker, &receiver, options.max_batch))
            .map_err(LoadError::Thread)?;
        tracing::info!(
            model = model.name(),
            dir = %dir.display(),
            load_ms = started.elapsed().as_millis() as u64,
            "embedding model loaded"
        );
        Ok(Self { sender, model, options })
    }
}

/// The inference loop: waits for a request, takes every other one already queued (up to a
/// few batches' worth), runs them together and answers each.
fn serve(model: &Model, receiver: &mpsc::Receiver<Request>, max_batch: usize) {
    while let Ok(first) = receiver.recv() {
        let mut requests = vec![first];
        let mut queued: usize = requests[0].tokens.len();
        while queued < max_batch * 4 {
            match receiver.try_recv() {
                Ok(next) => {
                    queued += next.tokens.len();
                    requests.push(next);
                }
                Err(_) => break,
            }
        }
        let all: Vec<Vec<u32>> = requests.iter().flat_map(|r| r.tokens.iter().cloned()).collect();
        match model.embed_tokenized(&all, max_batch) {
            Ok(mut vectors) => {
                // Hand each request its own slice, front to back.
                for request in requests {
                    let rest = vectors.split_off(request.tokens.len());
                    let mine = std::mem::replace(&mut vectors, rest);
                    let _ = request.reply.send(Ok(mine));
                }
            }
            Err(error) => {
                tracing::error!(%error, "embedding batch failed");
                for request in requests {
                    let _ = request.reply.send(Err(error.clone()));
                }
            }
        }
    }
}

#[async_trait]
impl Embedder for CandleEmbedder {
    fn info(&self) -> ModelInfo {
        ModelInfo::new(PROVIDER, self.model.name())
    }

    fn dimensions(&self) -> usize {
        self.model.dimensions()
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AiError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        if texts.len() > self.options.max_texts {
            return Err(AiError::InvalidInput(format!("at most {} texts per call", self.options.max_texts)));
        }
        if texts.iter().any(|t| t.len() > self.options.max_text_bytes) {
            return Err(AiError::InvalidInput(format!(
                "texts are limited to {} bytes",
                self.options.max_text_bytes
            )));
        }
        // Tokenising is cheap and parallel here; the inference thread only runs the model.
        let tokens = texts.iter().map(|t| self.model.tokenize(t)).collect::<Result<Vec<_>, _>>()?;
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Request { tokens, reply })
            .map_err(|_| AiError::Unavailable("the inference thread has stopped".to_owned()))?;
        answer.await.map_err(|_| AiError::Internal("the inference thread dropped a request".to_owned()))?
    }
}
