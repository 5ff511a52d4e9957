//! What a person sees when the model or the recording is not usable.

use viva_domain::ai::{AiError, Audio, Transcriber};
use viva_whisper::{LoadError, Model, WhisperTranscriber};

use crate::support::{decoder, model_dir, options, transcriber_in};

fn audio(bytes: Vec<u8>) -> Audio {
    Audio { bytes, mime_type: "audio/webm".to_owned(), language: None }
}

#[test]
fn a_missing_directory_says_how_to_fetch_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("whisper-tiny.en");
    let err = WhisperTranscriber::new(&missing, "tiny.en", options(), decoder()).err().unwrap();
    assert!(matches!(err, LoadError::Missing { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("scripts/fetch-whisper.sh") && message.contains("model.bin"), "{message}");
    assert!(viva_whisper::locate(Some(&missing), "tiny.en").is_none());
    assert!(Model::load(&missing, options()).is_err());
}

/// A copy of the model directory whose `model.bin` is replaced by `bytes`.
fn broken_model(bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(model_dir().join(file), dir.path().join(file)).unwrap();
    }
    std::fs::write(dir.path().join("model.bin"), bytes).unwrap();
    dir
}

#[test]
fn a_garbage_or_truncated_model_file_is_refused_clearly() {
    let garbage = broken_model(b"this is not a CTranslate2 model, it is a text file");
    let message = Model::load(garbage.path(), options()).err().unwrap().to_string();
    assert!(
        message.contains("model.bin") && message.contains("not a valid CTranslate2 Whisper file"),
        "{message}"
    );

    let real = std::fs::read(model_dir().join("model.bin")).unwrap();
    let truncated = broken_model(&real[..real.len() / 2]);
    let message = Model::load(truncated.path(), options()).err().unwrap().to_string();
    assert!(message.contains("ends early"), "{message}");
}

#[tokio::test]
async fn a_transcriber_over_a_broken_model_fails_each_call_with_the_reason() {
    let garbage = broken_model(&[0u8; 64]);
    let transcriber = transcriber_in(garbage.path());
    let silence = crate::support::wav(1.0, |_| 0.0);
    let err = transcriber.transcribe(&audio(silence)).await.unwrap_err();
    match err {
        AiError::Unavailable(message) => {
            assert!(message.contains("could not be loaded") && message.contains("model.bin"), "{message}")
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_file_that_is_not_audio_is_invalid_input() {
    let transcriber = transcriber_in(&model_dir());
    for bytes in [Vec::new(), b"PK\x03\x04 a zip renamed .webm".to_vec(), b"\x1aE\xdf\xa3 truncated".to_vec()]
    {
        let err = transcriber.transcribe(&audio(bytes.clone())).await.unwrap_err();
        assert!(matches!(err, AiError::InvalidInput(_)), "{bytes:?}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
}
