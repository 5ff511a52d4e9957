//! Transcribing the fixtures: what is said, when, and as it is decoded.

use std::sync::Mutex;

use viva_domain::ai::{Audio, Transcriber, TranscriptSegment};
use viva_whisper::wer::word_error_rate;

use crate::support::{fixtures, model, model_dir, transcriber_in, wav};

/// tiny.en on espeak-ng's voice: faster-whisper, on the same weights, makes the same mistakes
/// (0.05 to 0.2 of the words per clip; the benchmark compares them). A clip over this is a
/// regression, not the voice.
const MAX_WER: f64 = 0.25;
/// And over all clips together.
const MAX_MEAN_WER: f64 = 0.15;

fn audio(bytes: Vec<u8>, mime_type: &str) -> Audio {
    Audio { bytes, mime_type: mime_type.to_owned(), language: None }
}

#[tokio::test]
async fn every_fixture_is_transcribed_closely_with_ordered_segments_reported_as_decoded() {
    let transcriber = transcriber_in(&model_dir());
    let mut total = 0.0;
    let clips = fixtures();
    for fixture in &clips {
        let reported: Mutex<Vec<TranscriptSegment>> = Mutex::new(Vec::new());
        let transcript = transcriber
            .transcribe_streaming(&audio(fixture.bytes(), "application/octet-stream"), &|segment| {
                reported.lock().unwrap().push(segment.clone());
            })
            .await
            .unwrap_or_else(|err| panic!("{}: {err}", fixture.name));
        let wer = word_error_rate(&fixture.text, &transcript.text);
        eprintln!("{}: WER {wer:.3}: {}", fixture.name, transcript.text);
        assert!(wer <= MAX_WER, "{}: WER {wer:.3} over {MAX_WER}: {:?}", fixture.name, transcript.text);
        total += wer;

        assert_eq!(transcript.language.as_deref(), Some("en"));
        let duration = transcript.duration_seconds.unwrap();
        assert!(duration > 5.0, "{}: {duration} s", fixture.name);
        assert!(!transcript.segments.is_empty());
        let mut previous_end = 0.0;
        for segment in &transcript.segments {
            assert!(segment.start <= segment.end, "{segment:?}");
            assert!(
                segment.start >= previous_end - 1e-9,
                "{}: out of order: {:?}",
                fixture.name,
                transcript.segments
            );
            assert!(segment.end <= duration + 1e-9, "{segment:?} past {duration}");
            assert!(!segment.text.trim().is_empty());
            previous_end = segment.end;
        }
        let joined: Vec<&str> = transcript.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(transcript.text, joined.join(" "));
        // Streaming reports the very segments the transcript ends with, in order.
        assert_eq!(*reported.lock().unwrap(), transcript.segments, "{}", fixture.name);
    }
    let mean = total / clips.len() as f64;
    assert!(mean <= MAX_MEAN_WER, "mean WER {mean:.3}");
}

#[tokio::test]
async fn a_recording_longer_than_a_window_is_transcribed_to_its_end() {
    let fixture = fixtures().into_iter().find(|f| f.name == "project.ogg").unwrap();
    let transcript =
        transcriber_in(&model_dir()).transcribe(&audio(fixture.bytes(), "audio/ogg")).await.unwrap();
    let duration = transcript.duration_seconds.unwrap();
    assert!(duration > 35.0, "{duration}");
    let last = transcript.segments.last().unwrap();
    // The last sentence starts after the first 30 s window and is all there.
    assert!(last.start > 30.0, "{:?}", transcript.segments);
    assert!(last.text.contains("launch"), "{:?}", last.text);
}

#[test]
fn silence_gives_an_empty_transcript_without_running_the_model() {
    let silence = vec![0.0f32; 16_000 * 95];
    let mut reported = 0;
    let transcript = model().transcribe_pcm(&silence, None, &mut |_| reported += 1).unwrap();
    assert_eq!(transcript.text, "");
    assert!(transcript.segments.is_empty());
    assert_eq!(reported, 0);
    assert_eq!(transcript.duration_seconds, Some(95.0));
}

#[tokio::test]
async fn hiss_gives_an_empty_transcript() {
    let transcriber = transcriber_in(&model_dir());
    // Pseudo-random hiss peaking at −70 dBFS (under the silence gate, as a quiet microphone
    // is: the model does not run) and at −34 dBFS (the model runs and finds no speech).
    for peak in [0.0003f32, 0.02] {
        let bytes = wav(20.0, |i| {
            let hash = (i as u32).wrapping_mul(2_654_435_761).rotate_left(13).wrapping_mul(2_246_822_519);
            (f64::from(hash) / f64::from(u32::MAX) * 2.0 - 1.0) as f32 * peak
        });
        let transcript = transcriber.transcribe(&audio(bytes, "audio/wav")).await.unwrap();
        assert_eq!(transcript.text, "", "peak {peak}: {transcript:?}");
        assert!(transcript.segments.is_empty());
    }
}

#[test]
fn an_empty_recording_gives_an_empty_transcript() {
    let transcript = model().transcribe_pcm(&[], None, &mut |_| {}).unwrap();
    assert_eq!(transcript.text, "");
    assert_eq!(transcript.duration_seconds, Some(0.0));
}
