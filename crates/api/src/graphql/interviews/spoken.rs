//! Spoken answers and recordings (INT-5): transcripts with their timing and delivery measures,
//! the files of an answer with download links, and the uploads `submitAnswer` takes.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use viva_domain::AnswerId;
use viva_domain::vocab::MediaKind;
use viva_service::interviews::spoken::{self as service, MediaUpload};
use viva_store::models::media::{AnswerMedia, Transcript};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::uploads::read_upload;
use crate::loaders::{AnswerMediaLoader, TranscriptLoader, load_one};

/// What a file attached to an answer holds.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::vocab::MediaKind", name = "MediaKind")]
pub enum GqlMediaKind {
    /// The spoken answer's audio, which is transcribed.
    Audio,
    /// A camera recording.
    Camera,
    /// A screen recording.
    Screen,
    /// Camera and screen in one recording.
    Combined,
}

/// What a recording shows.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordingKind {
    /// The camera.
    Camera,
    /// The screen.
    Screen,
    /// Camera and screen in one recording.
    Combined,
}

impl From<RecordingKind> for MediaKind {
    fn from(kind: RecordingKind) -> Self {
        match kind {
            RecordingKind::Camera => Self::Camera,
            RecordingKind::Screen => Self::Screen,
            RecordingKind::Combined => Self::Combined,
        }
    }
}

/// Where a spoken answer's transcript stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::vocab::TranscriptStatus", name = "TranscriptStatus")]
pub enum GqlTranscriptStatus {
    /// Waiting for, or in, transcription: `segments` grow as the audio is heard.
    Pending,
    /// Complete; the answer's evaluation follows.
    Done,
    /// The audio could not be transcribed: `failure` says why.
    Failed,
}

/// A recording sent with an answer, as a GraphQL multipart upload.
#[derive(InputObject)]
pub(super) struct RecordingUpload {
    /// What it shows.
    pub(super) kind: RecordingKind,
    /// The file: WebM or MP4 video, judged by its content; at most `max_recording_bytes`.
    pub(super) file: Upload,
}

/// Reads a spoken answer's uploads, each held to its cap, into the service's request.
pub(super) async fn uploads(
    ctx: &Context<'_>,
    audio: Option<Upload>,
    recordings: Option<Vec<RecordingUpload>>,
) -> AppResult<Vec<MediaUpload>> {
    let settings = &ctx.services()?.service.config.spoken;
    let recordings = recordings.unwrap_or_default();
    let mut files = Vec::with_capacity(recordings.len() + 1);
    if let Some(audio) = audio {
        let bytes = read_upload(ctx, &audio, "audio", settings.max_audio_bytes).await?;
        files.push(MediaUpload { kind: MediaKind::Audio, bytes });
    }
    for recording in recordings {
        let bytes = read_upload(ctx, &recording.file, "recordings", settings.max_recording_bytes).await?;
        files.push(MediaUpload { kind: recording.kind.into(), bytes });
    }
    Ok(files)
}

/// A stretch of speech and when it was said.
#[derive(SimpleObject, Clone, Debug, serde::Deserialize)]
pub(super) struct TranscriptSegment {
    /// Where it starts, in seconds from the beginning of the audio.
    pub start: f64,
    /// Where it ends, in seconds.
    pub end: f64,
    /// What was said.
    pub text: String,
}

/// How an answer was spoken, from the transcript's timing.
#[derive(SimpleObject, Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) struct SpeechDelivery {
    /// Words per minute from the first word to the last; null without speech.
    pub words_per_minute: Option<f64>,
    /// Silences of three seconds or more.
    pub long_pauses: u32,
    /// The longest silence, in seconds.
    pub longest_pause_seconds: f64,
    /// Filler words ("um", "uh", "you know", …).
    pub filler_words: u32,
    /// Words spoken.
    pub words: u32,
}

/// What was said in a spoken answer, with its timing and the provider and model that heard it.
pub struct AnswerTranscript(pub Transcript);

/// What was said in a spoken answer.
#[Object]
impl AnswerTranscript {
    /// Where it stands.
    async fn status(&self) -> GqlTranscriptStatus {
        self.0.status.into()
    }

    /// The full text, once done.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// The language heard (ISO 639-1), when the provider tells.
    async fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }

    /// The audio's length, in seconds, once done.
    async fn duration_seconds(&self) -> Option<f64> {
        self.0.duration_seconds
    }

    /// The text with its timing, in order; while `PENDING`, what has been heard so far.
    async fn segments(&self) -> Vec<TranscriptSegment> {
        serde_json::from_value(self.0.segments.clone()).unwrap_or_default()
    }

    /// Pace, long pauses and filler words, once done.
    async fn delivery(&self) -> Option<SpeechDelivery> {
        self.0.delivery.clone().and_then(|d| serde_json::from_value(d).ok())
    }

    /// The provider that transcribed it (`whisper` in-process, `gemini`, `openai`).
    async fn provider(&self) -> Option<&str> {
        self.0.provider.as_deref()
    }

    /// The model that transcribed it.
    async fn model(&self) -> Option<&str> {
        self.0.model.as_deref()
    }

    /// Why it failed, for the candidate and their HR user.
    async fn failure(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An answer's audio or recording.
pub struct AnswerRecording(pub AnswerMedia);

/// An answer's audio or recording, downloadable while it is kept.
#[Object]
impl AnswerRecording {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What it holds.
    async fn kind(&self) -> GqlMediaKind {
        self.0.kind.into()
    }

    /// Its media type, told from its content (`audio/webm`, `video/mp4`, …).
    async fn media_type(&self) -> &str {
        &self.0.media_type
    }

    /// Its size in bytes.
    async fn byte_size(&self) -> i64 {
        self.0.byte_size
    }

    /// When it was stored.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was deleted (its retention ended, or its owner's account was erased); the
    /// transcript and scores stay.
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }

    /// A link to download it: GET it from the API's origin with your access token as
    /// `Authorization: Bearer`. It works for you only, for `media_link_ttl_secs` (15 minutes by
    /// default). Null once the file is deleted.
    async fn download_url(&self, ctx: &Context<'_>) -> AppResult<Option<String>> {
        let principal = ctx.principal()?;
        let link = service::link(&ctx.services()?.service, principal.user_id, &self.0)?;
        Ok(link.map(|l| l.url))
    }
}

/// An answer's transcript, through the request's loader.
pub(super) async fn transcript_of(
    ctx: &Context<'_>,
    answer: AnswerId,
) -> AppResult<Option<AnswerTranscript>> {
    Ok(load_one::<TranscriptLoader, _>(ctx, answer).await?.map(AnswerTranscript))
}

/// An answer's files, through the request's loader.
pub(super) async fn recordings_of(ctx: &Context<'_>, answer: AnswerId) -> AppResult<Vec<AnswerRecording>> {
    let files = load_one::<AnswerMediaLoader, _>(ctx, answer).await?;
    Ok(files.unwrap_or_default().into_iter().map(AnswerRecording).collect())
}
