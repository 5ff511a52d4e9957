//! The parent side of decoding: write the upload to a private temporary file, start the child,
//! bound it, and read 16 kHz mono samples back.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::time::Duration;

use tokio::process::Command;
use viva_sandbox::{Bounds, RunError};

use crate::child::{ChildOptions, exit};
use crate::{MediaError, SAMPLE_RATE, sniff};

/// How much of ffmpeg's standard error is kept for the error's detail.
const STDERR_KEPT: usize = 4 * 1024;
/// Bytes per decoded sample (`f32le`).
const SAMPLE_BYTES: usize = 4;

/// Bounds on one decode.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeLimits {
    /// The longest recording accepted, in seconds; a longer one is [`MediaError::TooLong`],
    /// found out after decoding at most a little more than this.
    pub max_seconds: f64,
    /// The child's address space.
    pub memory_bytes: u64,
    /// The child's CPU time.
    pub cpu_seconds: u64,
    /// How long the parent waits for the whole decode.
    pub wall_clock: Duration,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_seconds: 600.0,
            memory_bytes: 768 << 20,
            cpu_seconds: 120,
            wall_clock: Duration::from_secs(180),
        }
    }
}

/// Decoded audio: 32-bit float samples, [`SAMPLE_RATE`] per second, one channel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pcm {
    /// The samples, in [-1, 1].
    pub samples: Vec<f32>,
}

impl Pcm {
    /// How long it lasts, in seconds.
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(SAMPLE_RATE)
    }
}

/// Decodes audio in a child process: the running `viva` binary's hidden
/// `sandbox decode-audio` subcommand ([`AudioDecoder::current_exe`]), or in tests this crate's
/// `viva-media-sandbox` binary; both run [`crate::child::run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioDecoder {
    program: PathBuf,
    args: Vec<OsString>,
    ffmpeg: PathBuf,
}

impl AudioDecoder {
    /// The running binary, as `<exe> sandbox decode-audio …`.
    pub fn current_exe() -> Result<Self, MediaError> {
        let program = std::env::current_exe()
            .map_err(|err| MediaError::Internal(format!("cannot locate the running binary: {err}")))?;
        Ok(Self::new(program, ["sandbox", "decode-audio"]))
    }

    /// Any program that calls [`crate::child::run`] with the arguments after `args`.
    pub fn new(program: impl Into<PathBuf>, args: impl IntoIterator<Item = impl Into<OsString>>) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            ffmpeg: "ffmpeg".into(),
        }
    }

    /// Another ffmpeg than the one on `PATH`.
    #[must_use]
    pub fn with_ffmpeg(mut self, ffmpeg: impl Into<PathBuf>) -> Self {
        self.ffmpeg = ffmpeg.into();
        self
    }

    /// Decodes the first audio stream of `bytes` to 16 kHz mono. The format is checked by
    /// content first; every failure is a [`MediaError`] that says whose fault it is.
    pub async fn decode(&self, bytes: &[u8], limits: &DecodeLimits) -> Result<Pcm, MediaError> {
        sniff(bytes)?;
        if !(limits.max_seconds.is_finite() && limits.max_seconds > 0.0) {
            return Err(MediaError::Internal("the longest recording allowed must be positive".to_owned()));
        }
        let input = tempfile::Builder::new()
            .prefix("viva-audio-")
            .tempfile()
            .and_then(|mut file| file.write_all(bytes).and_then(|()| file.flush()).map(|()| file))
            .map_err(|err| MediaError::Internal(format!("cannot stage the recording: {err}")))?;
        // A little more than the limit, so that "longer" can be told from "exactly as long".
        let decode_seconds = limits.max_seconds + 0.5;
        let options = ChildOptions {
            memory_bytes: limits.memory_bytes,
            cpu_seconds: limits.cpu_seconds,
            max_millis: (decode_seconds * 1000.0).ceil() as u64,
            ffmpeg: self.ffmpeg.as_os_str().to_owned(),
            input: input.path().as_os_str().to_owned(),
        };
        let mut command = Command::new(&self.program);
        command.args(&self.args).args(options.to_args());
        let max_samples = (decode_seconds * f64::from(SAMPLE_RATE)).ceil() as usize + SAMPLE_RATE as usize;
        let bounds = Bounds {
            wall_clock: limits.wall_clock,
            max_stdout: max_samples * SAMPLE_BYTES,
            stderr_kept: STDERR_KEPT,
        };
        let output = viva_sandbox::run(command, &[], &bounds).await.map_err(|err| match err {
            RunError::Timeout => MediaError::Timeout { seconds: limits.wall_clock.as_secs() },
            RunError::Overflow => MediaError::TooLong { max_seconds: limits.max_seconds },
            RunError::Start(err) => {
                MediaError::Internal(format!("cannot start {}: {err}", self.program.display()))
            }
            RunError::Io(err) => MediaError::Internal(format!("cannot read the decoder's output: {err}")),
        })?;
        drop(input);
        let stderr = output.stderr();
        if let Some(signal) = output.status.signal() {
            return Err(match signal {
                libc::SIGXCPU | libc::SIGKILL => MediaError::TooComplex,
                libc::SIGSEGV | libc::SIGBUS | libc::SIGABRT | libc::SIGILL => {
                    MediaError::Damaged("the decoder crashed on it".to_owned())
                }
                other => MediaError::Internal(format!("the decoder was stopped by signal {other}")),
            });
        }
        match output.status.code() {
            Some(0) => {}
            Some(code) if code == i32::from(exit::USAGE) || code == i32::from(exit::NO_LIMITS) => {
                return Err(MediaError::Internal(first_line(&stderr)));
            }
            Some(code) if code == i32::from(exit::NO_FFMPEG) => {
                return Err(MediaError::Internal(format!(
                    "ffmpeg is not available ({}); install Debian's ffmpeg",
                    first_line(&stderr)
                )));
            }
            _ => return Err(classify_failure(&stderr)),
        }
        // ffmpeg reports a file that ends early at error level but still exits 0 with what it
        // could read: a cut-off answer must not be scored as if it were whole.
        if !stderr.trim().is_empty() {
            return Err(MediaError::Damaged(first_line(&stderr)));
        }
        if output.stdout.len() % SAMPLE_BYTES != 0 {
            return Err(MediaError::Internal("the decoder's output ends mid-sample".to_owned()));
        }
        let samples: Vec<f32> = output
            .stdout
            .chunks_exact(SAMPLE_BYTES)
            .map(|b| {
                let sample = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                if sample.is_finite() { sample.clamp(-1.0, 1.0) } else { 0.0 }
            })
            .collect();
        let pcm = Pcm { samples };
        if pcm.duration_seconds() > limits.max_seconds {
            return Err(MediaError::TooLong { max_seconds: limits.max_seconds });
        }
        Ok(pcm)
    }
}

/// What ffmpeg's error output says went wrong.
fn classify_failure(stderr: &str) -> MediaError {
    let lower = stderr.to_ascii_lowercase();
    if lower.contains("matches no streams") || lower.contains("does not contain any stream") {
        MediaError::NoAudio
    } else if lower.contains("cannot allocate memory") || lower.contains("out of memory") {
        MediaError::TooComplex
    } else {
        MediaError::Damaged(first_line(stderr))
    }
}

/// The first line of ffmpeg's message, without its `[demuxer @ 0x…]` prefix, bounded.
fn first_line(stderr: &str) -> String {
    let line = stderr.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no detail");
    let line = match line.find("] ") {
        Some(at) if line.starts_with('[') => &line[at + 2..],
        _ => line,
    };
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffmpeg_messages_are_told_apart() {
        assert!(matches!(classify_failure("Stream map '0:a:0' matches no streams.\n"), MediaError::NoAudio));
        match classify_failure("[matroska,webm @ 0x55d] EBML header parsing failed\nx.webm: Invalid data\n") {
            MediaError::Damaged(detail) => assert_eq!(detail, "EBML header parsing failed"),
            other => panic!("{other:?}"),
        }
    }
}
