//! Spoken answers and recordings: what a file is, and its audio.
//!
//! - [`sniff`] tells the container (WebM, Matroska, Ogg, WAV, MP3, MP4, FLAC) from the first
//!   bytes, never from the name or the client's content type, and names what a refused file
//!   seems to be.
//! - [`AudioDecoder::decode`] turns the first audio stream into 16 kHz mono `f32` samples, what
//!   Whisper reads. Debian's ffmpeg decodes, in a child process ([`child::run`], the hidden
//!   `viva sandbox decode-audio` subcommand) that limits its own memory, CPU time and files
//!   before it `exec`s ffmpeg; the parent bounds the wall-clock time and the output, which also
//!   caps the duration. A hostile or broken file costs one decode and gives a [`MediaError`]
//!   that says so.

pub mod child;
mod decode;
mod sniff;

pub use decode::{AudioDecoder, DecodeLimits, Pcm};
pub use sniff::{Container, sniff};

/// Samples per second of decoded audio.
pub const SAMPLE_RATE: u32 = 16_000;

/// `samples` (in [-1, 1], [`SAMPLE_RATE`] per second) as a mono 16-bit PCM WAV file: the
/// smallest honest recording to send a transcriber.
pub fn wav_16k(samples: &[f32]) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX - 36);
    let mut wav = Vec::with_capacity(44 + samples.len() * 2);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    wav.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        let value = (sample.clamp(-1.0, 1.0) * 32_767.0) as i16;
        wav.extend_from_slice(&value.to_le_bytes());
    }
    wav
}

/// Why a recording could not be taken or decoded.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Nothing was uploaded.
    #[error("the file is empty")]
    Empty,
    /// Not a format Viva takes; says what it seems to be.
    #[error("{0}; upload WebM, Ogg, WAV, MP3, MP4 (M4A) or FLAC audio")]
    Unsupported(String),
    /// A container without an audio stream.
    #[error("the file has no audio track")]
    NoAudio,
    /// The decoder could not read it.
    #[error("the recording is damaged or cut short and cannot be played ({0}); record it again")]
    Damaged(String),
    /// Longer than allowed.
    #[error("the recording is longer than the {} allowed", minutes(*max_seconds))]
    TooLong {
        /// The limit, in seconds.
        max_seconds: f64,
    },
    /// Decoding ran out of memory or CPU time.
    #[error("the recording is too complex to decode within the limits")]
    TooComplex,
    /// Decoding took too long.
    #[error("decoding the recording took longer than {seconds} s")]
    Timeout {
        /// The limit, in seconds.
        seconds: u64,
    },
    /// Our side failed (ffmpeg missing, no temporary directory): worth retrying, not the
    /// uploader's fault.
    #[error("audio decoding is unavailable: {0}")]
    Internal(String),
}

impl MediaError {
    /// Whether the file is at fault (retrying will not help), rather than this machine.
    pub fn is_input_fault(&self) -> bool {
        !matches!(self, Self::Internal(_) | Self::Timeout { .. })
    }
}

fn minutes(seconds: f64) -> String {
    if seconds >= 60.0 && (seconds % 60.0).abs() < f64::EPSILON {
        let minutes = seconds / 60.0;
        format!("{minutes} minute{}", if (minutes - 1.0).abs() < f64::EPSILON { "" } else { "s" })
    } else {
        format!("{seconds} seconds")
    }
}
