//! The whisper provider against the real tiny.en weights (fetched by `scripts/fetch-whisper.sh`,
//! which `make test` runs) and the spoken fixtures of `scripts/make-audio-fixtures.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
mod transcribe;
