//! The whisper provider against the real tiny.en weights (fetched by `scripts/fetch-whisper.sh`,
//! which `make test` runs), the spoken fixtures of `scripts/make-audio-fixtures.sh`, and the
//! real sandboxed ffmpeg decoder (`scripts/setup-audio-tests.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod errors;
mod support;
mod transcribe;
