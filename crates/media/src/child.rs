//! The child side of decoding: `viva sandbox decode-audio …`.
//!
//! The child lowers its own resource limits first (address space, CPU time, no file written,
//! a few descriptors, no core dump), refusing to go on if it cannot, then `exec`s ffmpeg, which
//! keeps them, to decode the first audio stream of the input file to 32-bit float PCM, 16 kHz
//! mono, on standard output. ffmpeg is a maintained, fuzzed decoder for every format browsers
//! record (Opus in WebM or Ogg included); running it here means a crafted file costs one decode.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use viva_sandbox::Restrictions;

use crate::SAMPLE_RATE;

/// The exit statuses of the child before it becomes ffmpeg (ffmpeg itself exits 1 on failure).
pub(crate) mod exit {
    /// The arguments are wrong: a bug of ours.
    pub(crate) const USAGE: u8 = 64;
    /// The limits could not be set; nothing was decoded.
    pub(crate) const NO_LIMITS: u8 = 69;
    /// ffmpeg could not be started.
    pub(crate) const NO_FFMPEG: u8 = 70;
}

/// Descriptors: the three standard ones, the input, and what ffmpeg opens while it starts.
const MAX_OPEN_FILES: u64 = 32;

/// What the parent tells the child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChildOptions {
    pub(crate) memory_bytes: u64,
    pub(crate) cpu_seconds: u64,
    /// Decoding stops after this much audio.
    pub(crate) max_millis: u64,
    pub(crate) ffmpeg: OsString,
    pub(crate) input: OsString,
}

impl ChildOptions {
    pub(crate) fn to_args(&self) -> Vec<OsString> {
        vec![
            "--memory-bytes".into(),
            self.memory_bytes.to_string().into(),
            "--cpu-seconds".into(),
            self.cpu_seconds.to_string().into(),
            "--max-millis".into(),
            self.max_millis.to_string().into(),
            "--ffmpeg".into(),
            self.ffmpeg.clone(),
            "--input".into(),
            self.input.clone(),
        ]
    }

    pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Self, String> {
        let mut numbers = [None::<u64>; 3];
        let (mut ffmpeg, mut input) = (None, None);
        let mut args = args.into_iter();
        while let Some(name) = args.next() {
            let name = name.into_string().map_err(|name| format!("unexpected argument {name:?}"))?;
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            let number = || -> Result<u64, String> {
                value.to_str().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
            };
            match name.as_str() {
                "--memory-bytes" => numbers[0] = Some(number()?),
                "--cpu-seconds" => numbers[1] = Some(number()?),
                "--max-millis" => numbers[2] = Some(number()?),
                "--ffmpeg" => ffmpeg = Some(value),
                "--input" => input = Some(value),
                other => return Err(format!("unexpected argument {other:?}")),
            }
        }
        let [Some(memory_bytes), Some(cpu_seconds), Some(max_millis)] = numbers else {
            return Err("every limit must be given".to_owned());
        };
        Ok(Self {
            memory_bytes,
            cpu_seconds,
            max_millis,
            ffmpeg: ffmpeg.ok_or("--ffmpeg is required")?,
            input: input.ok_or("--input is required")?,
        })
    }
}

/// Runs the child: `args` are what follows `viva sandbox decode-audio`. Call it before any
/// runtime or thread starts. Returns only when ffmpeg could not be started.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let options = match ChildOptions::parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("viva sandbox: {message}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let restrictions = Restrictions {
        memory_bytes: options.memory_bytes,
        cpu_seconds: options.cpu_seconds,
        open_files: MAX_OPEN_FILES,
        // ffmpeg starts helper threads even when told to decode on one.
        new_processes: true,
    };
    if let Err(err) = viva_sandbox::restrict(&restrictions) {
        eprintln!("viva sandbox: cannot set resource limits, refusing to decode: {err}");
        return ExitCode::from(exit::NO_LIMITS);
    }
    let seconds = format!("{}.{:03}", options.max_millis / 1000, options.max_millis % 1000);
    let err = Command::new(&options.ffmpeg)
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1", "-i"])
        .arg(&options.input)
        .args(["-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar"])
        .arg(SAMPLE_RATE.to_string())
        .args(["-t", &seconds, "-f", "f32le", "pipe:1"])
        .exec();
    eprintln!("viva sandbox: cannot run {}: {err}", options.ffmpeg.to_string_lossy());
    ExitCode::from(exit::NO_FFMPEG)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_survive_the_command_line() {
        let options = ChildOptions {
            memory_bytes: 1 << 30,
            cpu_seconds: 60,
            max_millis: 600_500,
            ffmpeg: "ffmpeg".into(),
            input: "/tmp/x".into(),
        };
        assert_eq!(ChildOptions::parse(options.to_args()), Ok(options));
    }

    #[test]
    fn missing_or_bad_options_are_refused() {
        let bad = |args: &[&str]| ChildOptions::parse(args.iter().map(OsString::from)).is_err();
        assert!(bad(&[]));
        assert!(bad(&["--memory-bytes", "lots"]));
        assert!(bad(&["--memory-bytes", "1", "--cpu-seconds", "1", "--max-millis", "1", "--ffmpeg", "f"]));
        assert!(bad(&["--unknown", "1"]));
    }
}
