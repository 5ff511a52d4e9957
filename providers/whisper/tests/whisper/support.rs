//! The model, loaded once for every test, and the fixtures.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use viva_whisper::{Model, Options};

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

/// A spoken clip and what it says.
pub(crate) struct Fixture {
    pub(crate) name: &'static str,
    pub(crate) path: PathBuf,
    pub(crate) text: String,
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

/// 16 kHz mono samples of a clip, decoded by ffmpeg.
pub(crate) fn pcm(path: &Path) -> Vec<f32> {
    let output = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args(["-ac", "1", "-ar", "16000", "-f", "f32le", "-"])
        .output()
        .expect("ffmpeg runs (scripts/setup-audio-tests.sh installs it)");
    assert!(output.status.success(), "ffmpeg failed on {}", path.display());
    output.stdout.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}
