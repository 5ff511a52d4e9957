//! Decoding real files through the real child and Debian's ffmpeg (installed by
//! `scripts/setup-audio-tests.sh`): formats browsers record, and files that must fail cleanly.

// Test code: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use viva_media::{AudioDecoder, DecodeLimits, MediaError, SAMPLE_RATE};

fn decoder() -> AudioDecoder {
    AudioDecoder::new(env!("CARGO_BIN_EXE_viva-media-sandbox"), Vec::<String>::new())
}

/// Runs ffmpeg to make a test file from its lavfi sources.
fn ffmpeg_make(dir: &Path, name: &str, args: &[&str]) -> Vec<u8> {
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(&out)
        .status()
        .expect("ffmpeg runs (scripts/setup-audio-tests.sh installs it)");
    assert!(status.success(), "ffmpeg made {name}");
    std::fs::read(out).unwrap()
}

/// A WAV file written by hand: `seconds` of a 440 Hz tone, 8 kHz stereo 16-bit.
fn tone_wav(seconds: f64) -> Vec<u8> {
    let rate = 8_000u32;
    let frames = (seconds * f64::from(rate)) as u32;
    let data_len = frames * 4;
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 4).to_le_bytes());
    wav.extend_from_slice(&4u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..frames {
        let t = f64::from(i) / f64::from(rate);
        let v = ((t * 440.0 * std::f64::consts::TAU).sin() * 16_000.0) as i16;
        wav.extend_from_slice(&v.to_le_bytes());
        wav.extend_from_slice(&v.to_le_bytes());
    }
    wav
}

fn limits(max_seconds: f64) -> DecodeLimits {
    DecodeLimits { max_seconds, ..DecodeLimits::default() }
}

#[tokio::test]
async fn wav_is_resampled_to_16_khz_mono() {
    let pcm = decoder().decode(&tone_wav(1.5), &limits(60.0)).await.unwrap();
    let expected = 1.5 * f64::from(SAMPLE_RATE);
    assert!((pcm.samples.len() as f64 - expected).abs() < 200.0, "{} samples", pcm.samples.len());
    let peak = pcm.samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    // Half scale in each channel; ffmpeg's stereo-to-mono downmix keeps it at -3 dB.
    assert!((0.6..0.75).contains(&peak), "the tone keeps its level: {peak}");
}

#[tokio::test]
async fn opus_in_webm_and_ogg_decodes() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["tone.webm", "tone.ogg"] {
        let bytes = ffmpeg_make(
            dir.path(),
            name,
            &["-f", "lavfi", "-i", "sine=frequency=300:duration=2", "-c:a", "libopus"],
        );
        let pcm = decoder().decode(&bytes, &limits(60.0)).await.unwrap();
        assert!((pcm.duration_seconds() - 2.0).abs() < 0.1, "{name}: {} s", pcm.duration_seconds());
    }
}

#[tokio::test]
async fn a_recording_over_the_limit_is_refused_without_decoding_it_all() {
    let err = decoder().decode(&tone_wav(5.0), &limits(2.0)).await.unwrap_err();
    assert!(matches!(err, MediaError::TooLong { .. }), "{err}");
    assert_eq!(err.to_string(), "the recording is longer than the 2 seconds allowed");
    // An hour of silence stops at the limit rather than decoding the hour.
    let dir = tempfile::tempdir().unwrap();
    let hour = ffmpeg_make(
        dir.path(),
        "silence.flac",
        &["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "3600", "-c:a", "flac"],
    );
    let err = decoder().decode(&hour, &limits(600.0)).await.unwrap_err();
    assert!(err.to_string().contains("longer than the 10 minutes allowed"), "{err}");
    assert!(err.is_input_fault());
}

#[tokio::test]
async fn a_truncated_webm_is_damaged_not_half_heard() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = ffmpeg_make(
        dir.path(),
        "tone.webm",
        &["-f", "lavfi", "-i", "sine=frequency=300:duration=4", "-c:a", "libopus"],
    );
    let err = decoder().decode(&bytes[..bytes.len() / 2], &limits(60.0)).await.unwrap_err();
    assert!(matches!(err, MediaError::Damaged(_)), "{err}");
    assert!(err.is_input_fault());
}

#[tokio::test]
async fn video_without_sound_has_no_audio() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = ffmpeg_make(
        dir.path(),
        "silent.webm",
        &["-f", "lavfi", "-i", "color=c=blue:s=64x64:d=1", "-c:v", "libvpx", "-b:v", "50k"],
    );
    let err = decoder().decode(&bytes, &limits(60.0)).await.unwrap_err();
    assert!(matches!(err, MediaError::NoAudio), "{err}");
}

#[tokio::test]
async fn files_that_are_not_audio_are_refused_before_decoding() {
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend(std::iter::repeat_n(0u8, 1000));
    let err = decoder().decode(&zip, &limits(60.0)).await.unwrap_err();
    assert_eq!(err.to_string(), "a ZIP archive; upload WebM, Ogg, WAV, MP3, MP4 (M4A) or FLAC audio");
    assert!(matches!(decoder().decode(b"", &limits(60.0)).await, Err(MediaError::Empty)));
    // A header that claims WebM over garbage: the decoder says it cannot read it.
    let mut fake = vec![0x1A, 0x45, 0xDF, 0xA3];
    fake.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let err = decoder().decode(&fake, &limits(60.0)).await.unwrap_err();
    assert!(matches!(err, MediaError::Damaged(_)), "{err}");
}

#[tokio::test]
async fn a_missing_ffmpeg_is_our_fault_not_the_file() {
    let err =
        decoder().with_ffmpeg("/nonexistent/ffmpeg").decode(&tone_wav(0.5), &limits(60.0)).await.unwrap_err();
    assert!(matches!(err, MediaError::Internal(_)), "{err}");
    assert!(!err.is_input_fault());
}
