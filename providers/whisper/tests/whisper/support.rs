//! The model, loaded once for every test, the transcriber, and the fixtures.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use viva_media::AudioDecoder;
use viva_whisper::{Model, Options, WhisperTranscriber};

/// Where tiny.en is; the tests need it (`scripts/fetch-whisper.sh` puts it there).
pub(crate) fn model_dir() -> PathBuf {
    viva_whisper::locate(None, "tiny.en")
        .expect("Whisper tiny.en is not in the model cache: run scripts/fetch-whisper.sh (make test does)")
}

/// Two threads, as the benchmark uses.
pub(crate) fn options() -> Options {
    Options { threads: 2, ..Options::default() }
}

/// tiny.en, loaded once and shared (one transcription at a time).
pub(crate) fn model() -> std::sync::MutexGuard<'static, Model> {
    static MODEL: OnceLock<Mutex<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| Mutex::new(Model::load(&model_dir(), options()).expect("tiny.en loads")))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The decoder the server uses, through this package's copy of the sandboxed child.
pub(crate) fn decoder() -> AudioDecoder {
    AudioDecoder::new(env!("CARGO_BIN_EXE_viva-whisper-sandbox"), Vec::<String>::new())
}

/// The [`viva_domain::ai::Transcriber`] over tiny.en in `dir`.
pub(crate) fn transcriber_in(dir: &Path) -> WhisperTranscriber {
    WhisperTranscriber::new(dir, "tiny.en", options(), decoder()).expect("the directory holds a model")
}

/// A spoken clip and what it says.
pub(crate) struct Fixture {
    pub(crate) name: &'static str,
    pub(crate) path: PathBuf,
    pub(crate) text: String,
}

impl Fixture {
    pub(crate) fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }
}

pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every committed clip: WAV, WebM/Opus and Ogg/Opus, one over 30 s.
pub(crate) fn fixtures() -> Vec<Fixture> {
    ["teamwork.wav", "database.webm", "conflict.ogg", "project.ogg"]
        .into_iter()
        .map(|name| {
            let path = fixtures_dir().join(name);
            let stem = name.split('.').next().unwrap();
            let text = std::fs::read_to_string(fixtures_dir().join(format!("{stem}.txt"))).unwrap();
            Fixture { name, path, text: text.trim().to_owned() }
        })
        .collect()
}

/// `seconds` of 16 kHz mono 16-bit WAV holding `sample(i)`.
pub(crate) fn wav(seconds: f64, sample: impl Fn(usize) -> f32) -> Vec<u8> {
    let samples: Vec<f32> = (0..(seconds * 16_000.0) as usize).map(sample).collect();
    viva_media::wav_16k(&samples)
}
