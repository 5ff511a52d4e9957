//! The child side of audio decoding as a program of its own, for tests: the same
//! [`viva_media::child::run`] that `viva sandbox decode-audio` calls.

fn main() -> std::process::ExitCode {
    viva_media::child::run(std::env::args_os().skip(1))
}
