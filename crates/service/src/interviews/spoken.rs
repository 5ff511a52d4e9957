//! INT-5, PLAT-4, PLAT-6: spoken answers and recordings.
//!
//! An answer may come with its audio (transcribed, then evaluated on the transcript plus any
//! typed text) and with recordings of the camera, the screen or both (kept for people to
//! watch). Files are typed by their content ([`viva_media::sniff`]), held to size caps, stored
//! in the object store under generated names before the answer's transaction commits, and
//! deleted again if it does not. Downloads go through signed links for exactly the people who
//! may see the answer; retention deletes the files after [`SpokenSettings::retention`] and
//! keeps the transcript and scores.

use std::time::Duration;

use chrono::Utc;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use viva_domain::UserId;
use viva_domain::vocab::MediaKind;
use viva_media::{AudioDecoder, DecodeLimits, MediaError};
use viva_store::AsyncPgConnection;
use viva_store::models::interview as interviews;
use viva_store::models::media::{self as store, AnswerMedia, NewMedia};
use viva_store::models::session::Principal;

use super::access::viewer_for;
use crate::links::{self, Download, DownloadLink, LinkKind};
use crate::objects::ObjectKey;
use crate::{Service, ServiceError, ServiceResult};

/// Limits and retention of spoken answers.
#[derive(Clone, Debug)]
pub struct SpokenSettings {
    /// Largest audio file, in bytes.
    pub max_audio_bytes: usize,
    /// Largest recording, in bytes.
    pub max_recording_bytes: usize,
    /// Longest audio, in seconds; longer audio fails transcription and says so.
    pub max_audio_seconds: u32,
    /// How long audio and recordings are kept; transcripts and scores stay.
    pub retention: Duration,
    /// How long a download link works.
    pub link_ttl: Duration,
    /// The child that decodes audio; the running binary's `sandbox decode-audio` when `None`
    /// (tests name another).
    pub decoder: Option<AudioDecoder>,
}

impl Default for SpokenSettings {
    fn default() -> Self {
        Self {
            max_audio_bytes: 16 * 1024 * 1024,
            max_recording_bytes: 64 * 1024 * 1024,
            max_audio_seconds: 600,
            retention: Duration::from_secs(90 * 24 * 3600),
            link_ttl: Duration::from_secs(15 * 60),
            decoder: None,
        }
    }
}

impl SpokenSettings {
    /// The decoder to use.
    pub(crate) fn decoder(&self) -> ServiceResult<AudioDecoder> {
        match &self.decoder {
            Some(decoder) => Ok(decoder.clone()),
            None => AudioDecoder::current_exe().map_err(ServiceError::internal),
        }
    }

    /// The limits of one decode.
    pub(crate) fn decode_limits(&self) -> DecodeLimits {
        DecodeLimits { max_seconds: f64::from(self.max_audio_seconds), ..DecodeLimits::default() }
    }
}

/// An uploaded file for an answer.
#[derive(Clone, Debug)]
pub struct MediaUpload {
    /// What it holds.
    pub kind: MediaKind,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A file checked and ready to store.
#[derive(Debug)]
pub(crate) struct PreparedFile {
    pub(crate) kind: MediaKind,
    pub(crate) media_type: &'static str,
    pub(crate) extension: &'static str,
    pub(crate) bytes: Vec<u8>,
    pub(crate) digest: [u8; 32],
}

/// A file in the object store, not yet recorded.
#[derive(Debug)]
pub(crate) struct StoredFile {
    pub(crate) kind: MediaKind,
    pub(crate) media_type: &'static str,
    pub(crate) byte_size: i64,
    pub(crate) key: ObjectKey,
}

/// The GraphQL field a file came in.
fn field_of(kind: MediaKind) -> &'static str {
    if kind == MediaKind::Audio { "audio" } else { "recordings" }
}

/// Checks uploads by content and size: at most one of each kind; audio in any container Viva
/// decodes, recordings in WebM, Matroska or MP4. `BAD_USER_INPUT` naming the field otherwise.
pub(crate) fn prepare(
    settings: &SpokenSettings,
    uploads: Vec<MediaUpload>,
) -> ServiceResult<Vec<PreparedFile>> {
    let mut prepared: Vec<PreparedFile> = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let field = field_of(upload.kind);
        if prepared.iter().any(|p| p.kind == upload.kind) {
            return Err(ServiceError::bad_field(field, format!("holds two {} files; send one", upload.kind)));
        }
        let cap = if upload.kind == MediaKind::Audio {
            settings.max_audio_bytes
        } else {
            settings.max_recording_bytes
        };
        if upload.bytes.len() > cap {
            return Err(ServiceError::bad_field(
                field,
                format!("is larger than the {} accepted", human_size(cap)),
            ));
        }
        let container = viva_media::sniff(&upload.bytes).map_err(|err| refused(field, &err))?;
        let video = upload.kind != MediaKind::Audio;
        if video && !container.holds_video() {
            return Err(ServiceError::bad_field(
                field,
                format!(
                    "a {} recording must be WebM or MP4 video, not {}",
                    upload.kind,
                    container.extension()
                ),
            ));
        }
        let digest: [u8; 32] = Sha256::digest(&upload.bytes).into();
        prepared.push(PreparedFile {
            kind: upload.kind,
            media_type: container.mime_type(video),
            extension: container.extension(),
            bytes: upload.bytes,
            digest,
        });
    }
    Ok(prepared)
}

fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

/// A media error as the uploader's bad input.
fn refused(field: &'static str, err: &MediaError) -> ServiceError {
    ServiceError::bad_field(field, err.to_string())
}

/// Stores prepared files under generated names; on failure deletes what was stored.
pub(crate) async fn put_all(service: &Service, files: Vec<PreparedFile>) -> ServiceResult<Vec<StoredFile>> {
    let mut stored: Vec<StoredFile> = Vec::with_capacity(files.len());
    for file in files {
        let key = ObjectKey::generate(
            if file.kind == MediaKind::Audio { "audio" } else { "recordings" },
            file.extension,
        );
        let byte_size = i64::try_from(file.bytes.len()).map_err(ServiceError::internal)?;
        if let Err(err) = service.objects.put(&key, file.bytes).await {
            delete_all(service, &stored).await;
            return Err(err);
        }
        stored.push(StoredFile { kind: file.kind, media_type: file.media_type, byte_size, key });
    }
    Ok(stored)
}

/// Deletes stored files whose answer did not commit (or was a replay).
pub(crate) async fn delete_all(service: &Service, files: &[StoredFile]) {
    for file in files {
        if let Err(err) = service.objects.delete(&file.key).await {
            tracing::warn!(error = %err, key = file.key.as_str(), "an orphaned answer file could not be deleted");
        }
    }
}

/// Records the stored files of a new answer, inside its transaction.
pub(crate) async fn record(
    conn: &mut AsyncPgConnection,
    answer: viva_domain::AnswerId,
    files: &[StoredFile],
) -> ServiceResult<()> {
    let rows: Vec<NewMedia<'_>> = files
        .iter()
        .map(|f| NewMedia {
            kind: f.kind,
            media_type: f.media_type,
            byte_size: f.byte_size,
            object_key: f.key.as_str(),
        })
        .collect();
    store::insert(conn, answer, &rows).await?;
    Ok(())
}

/// A download link to a file for the viewer; none once the file is deleted. Call only for a
/// viewer who may see the answer (the route checks again).
pub fn link(service: &Service, viewer: UserId, media: &AnswerMedia) -> ServiceResult<Option<DownloadLink>> {
    if media.deleted_at.is_some() {
        return Ok(None);
    }
    let expires_at = Utc::now() + service.config.spoken.link_ttl;
    links::issue(service, LinkKind::AnswerMedia, media.id, viewer, expires_at).map(Some)
}

/// A file, for the user its link was issued to, while the link lasts and they may still see the
/// answer's interview. `NOT_FOUND` otherwise, and once retention deleted it.
pub async fn download(
    service: &Service,
    principal: &Principal,
    id: Uuid,
    expires: i64,
    signature: &str,
) -> ServiceResult<Download> {
    links::verify(service, LinkKind::AnswerMedia, id, principal.user_id, expires, signature)?;
    let not_found = || LinkKind::AnswerMedia.not_found();
    let mut conn = service.pool.get().await?;
    let (media, interview_id, _) = store::find(&mut conn, id).await?.ok_or_else(not_found)?;
    let interview = interviews::find(&mut conn, interview_id).await?.ok_or_else(not_found)?;
    if viewer_for(&mut conn, principal, &interview).await?.is_none() || media.deleted_at.is_some() {
        return Err(not_found());
    }
    drop(conn);
    let key = ObjectKey::parse(&media.object_key)?;
    let bytes = service.objects.get(&key).await.map_err(|err| match err {
        ServiceError::NotFound(_) => not_found(),
        other => other,
    })?;
    let extension = media.object_key.rsplit('.').next().unwrap_or("bin");
    Ok(Download {
        bytes,
        content_type: media.media_type,
        filename: format!("answer-{}-{}.{extension}", media.answer_id, media.kind.as_str().to_lowercase()),
    })
}

/// Deletes up to `limit` files past their retention and records it; returns how many. A file
/// that cannot be deleted now is tried again next time.
pub async fn purge_expired(service: &Service, limit: i64) -> ServiceResult<usize> {
    let before = Utc::now() - service.config.spoken.retention;
    let mut conn = service.pool.get().await?;
    let expired = store::expired(&mut conn, before, limit).await?;
    let mut purged = 0;
    for media in expired {
        let key = ObjectKey::parse(&media.object_key)?;
        if let Err(err) = service.objects.delete(&key).await {
            tracing::warn!(error = %err, key = key.as_str(), "an expired recording could not be deleted; retrying later");
            continue;
        }
        if store::mark_deleted(&mut conn, media.id, Utc::now()).await? {
            purged += 1;
        }
    }
    Ok(purged)
}

/// The files still held of a candidate's answers, for erasure.
pub(crate) async fn files_of_candidate(
    conn: &mut AsyncPgConnection,
    candidate: UserId,
) -> ServiceResult<Vec<ObjectKey>> {
    store::held_by_candidate(conn, candidate).await?.iter().map(|m| ObjectKey::parse(&m.object_key)).collect()
}

/// The files and transcripts of some answers, for readers that may see them.
pub async fn media_of(
    service: &Service,
    answers: &[viva_domain::AnswerId],
) -> ServiceResult<Vec<AnswerMedia>> {
    let mut conn = service.pool.get().await?;
    Ok(store::of_answers(&mut conn, answers).await?)
}

/// The transcripts of some answers, for readers that may see them.
pub async fn transcripts_of(
    service: &Service,
    answers: &[viva_domain::AnswerId],
) -> ServiceResult<Vec<store::Transcript>> {
    let mut conn = service.pool.get().await?;
    Ok(store::transcripts_of(&mut conn, answers).await?)
}
