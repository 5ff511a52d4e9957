//! Transcribing the fixtures with the model itself.

use viva_whisper::wer::word_error_rate;

use crate::support::{fixtures, model, pcm};

#[test]
fn every_fixture_is_transcribed_closely() {
    for fixture in fixtures() {
        let samples = pcm(&fixture.path);
        let transcript = model().transcribe_pcm(&samples, None, &mut |_| {}).unwrap();
        let wer = word_error_rate(&fixture.text, &transcript.text);
        eprintln!("{}: WER {wer:.3}: {}", fixture.name, transcript.text);
    }
}
