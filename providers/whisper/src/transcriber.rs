//! The [`Transcriber`]: recordings decoded by `viva-media`, then a [`Model`] on its own
//! thread, loaded when first needed.

use std::path::Path;
use std::sync::mpsc;

use async_trait::async_trait;
use tokio::sync::{mpsc as async_mpsc, oneshot};
use viva_domain::ai::{AiError, Audio, ModelInfo, SegmentSink, Transcriber, Transcript, TranscriptSegment};
use viva_media::{AudioDecoder, DecodeLimits, MediaError};

use crate::{LoadError, Model, Options, PROVIDER, is_model_dir};

struct Job {
    pcm: Vec<f32>,
    language: Option<String>,
    segments: async_mpsc::UnboundedSender<TranscriptSegment>,
    reply: oneshot::Sender<Result<Transcript, AiError>>,
}

/// Whisper as Viva's [`Transcriber`]. Recordings are decoded to 16 kHz mono by `decoder` (a
/// sandboxed ffmpeg), then transcribed one at a time on a dedicated thread (each using
/// [`Options::threads`] threads); the model is loaded there on first use, so a server that
/// never transcribes never pays for it.
pub struct WhisperTranscriber {
    sender: mpsc::Sender<Job>,
    name: String,
    options: Options,
    decoder: AudioDecoder,
}

impl WhisperTranscriber {
    /// Checks that `dir` holds a model and starts the inference thread; `name` is the model's
    /// name as configured (`tiny.en`, `base`), `decoder` what turns recordings into samples.
    pub fn new(dir: &Path, name: &str, options: Options, decoder: AudioDecoder) -> Result<Self, LoadError> {
        if !is_model_dir(dir) {
            return Err(LoadError::Missing { dir: dir.to_path_buf() });
        }
        let (sender, receiver) = mpsc::channel::<Job>();
        let worker_dir = dir.to_path_buf();
        std::thread::Builder::new()
            .name("viva-whisper".to_owned())
            .spawn(move || serve(&worker_dir, options, &receiver))
            .map_err(|e| LoadError::Thread(e.to_string()))?;
        Ok(Self { sender, name: name.to_owned(), options, decoder })
    }

    /// Transcribes 16 kHz mono samples, handing each segment to `on_segment` as it is decoded.
    pub async fn transcribe_pcm(
        &self,
        pcm: Vec<f32>,
        language: Option<String>,
        on_segment: SegmentSink<'_>,
    ) -> Result<Transcript, AiError> {
        let seconds = pcm.len() as f64 / crate::SAMPLE_RATE as f64;
        if seconds > self.options.max_seconds {
            return Err(AiError::InvalidInput(format!(
                "the recording lasts {seconds:.0} s; at most {:.0} s can be transcribed",
                self.options.max_seconds
            )));
        }
        let (segments, mut decoded) = async_mpsc::unbounded_channel();
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job { pcm, language, segments, reply })
            .map_err(|_| AiError::Unavailable("the whisper inference thread has stopped".to_owned()))?;
        // Segments arrive while the model works; the channel closes when the job ends.
        while let Some(segment) = decoded.recv().await {
            on_segment(&segment);
        }
        answer
            .await
            .map_err(|_| AiError::Internal("the whisper inference thread dropped a request".to_owned()))?
    }

    /// Decodes a recording to 16 kHz mono samples within the configured duration.
    async fn decode(&self, audio: &Audio) -> Result<Vec<f32>, AiError> {
        let limits = DecodeLimits { max_seconds: self.options.max_seconds, ..DecodeLimits::default() };
        let pcm = self.decoder.decode(&audio.bytes, &limits).await.map_err(|err| match err {
            MediaError::Timeout { .. } => AiError::Timeout,
            MediaError::Internal(_) => AiError::Unavailable(err.to_string()),
            // The recording is at fault; the message says how (and is meant for its owner).
            _ => AiError::InvalidInput(err.to_string()),
        })?;
        Ok(pcm.samples)
    }
}

#[async_trait]
impl Transcriber for WhisperTranscriber {
    fn info(&self) -> ModelInfo {
        ModelInfo::new(PROVIDER, &self.name)
    }

    async fn transcribe(&self, audio: &Audio) -> Result<Transcript, AiError> {
        self.transcribe_streaming(audio, &|_| {}).await
    }

    async fn transcribe_streaming(
        &self,
        audio: &Audio,
        on_segment: SegmentSink<'_>,
    ) -> Result<Transcript, AiError> {
        let pcm = self.decode(audio).await?;
        self.transcribe_pcm(pcm, audio.language.clone(), on_segment).await
    }
}

/// The inference loop: loads the model on the first job (again after a failed load, so a
/// model fetched later is picked up), then runs jobs in order.
fn serve(dir: &Path, options: Options, receiver: &mpsc::Receiver<Job>) {
    let mut model: Option<Model> = None;
    while let Ok(job) = receiver.recv() {
        if job.reply.is_closed() {
            continue;
        }
        let loaded = match &mut model {
            Some(model) => Ok(model),
            None => Model::load(dir, options).map(|m| model.insert(m)).map_err(|error| {
                tracing::error!(%error, "whisper model could not be loaded");
                AiError::Unavailable(format!("the whisper model could not be loaded: {error}"))
            }),
        };
        let result = loaded.and_then(|model| {
            let started = std::time::Instant::now();
            let segments = job.segments;
            let reply = &job.reply;
            let result = model.transcribe_until(
                &job.pcm,
                job.language.as_deref(),
                &mut |segment| {
                    let _ = segments.send(segment.clone());
                },
                &|| !reply.is_closed(),
            );
            if let Ok(transcript) = &result {
                let audio = job.pcm.len() as f64 / crate::SAMPLE_RATE as f64;
                let seconds = started.elapsed().as_secs_f64();
                tracing::info!(
                    model = model.name(),
                    audio_seconds = audio,
                    seconds,
                    real_time_factor = if audio > 0.0 { seconds / audio } else { 0.0 },
                    segments = transcript.segments.len(),
                    "transcribed"
                );
            }
            result
        });
        let _ = job.reply.send(result);
    }
}
