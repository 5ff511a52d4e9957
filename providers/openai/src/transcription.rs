//! Speech to text: `POST {base_url}/audio/transcriptions`, multipart.
//!
//! The server tells the audio format from the file name's extension, so the part is named
//! after the media type (`answer.webm`, `answer.mp3`, …); types it does not read are refused
//! before any request.

use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use viva_domain::ai::{AiError, Audio, Transcript, TranscriptSegment};

use crate::OpenAi;
use crate::errors;

/// The `json` reply, and the fields `verbose_json` adds, which servers that always give
/// timings (several OpenAI-compatible ones do) may send with it.
#[derive(Deserialize)]
struct WireTranscript {
    text: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    duration: Option<f64>,
    #[serde(default)]
    segments: Vec<WireSegment>,
}

#[derive(Deserialize)]
struct WireSegment {
    start: f64,
    end: f64,
    text: String,
}

impl OpenAi {
    /// The text of one recording.
    pub(crate) async fn transcribe_audio(&self, audio: &Audio) -> Result<Transcript, AiError> {
        if audio.bytes.is_empty() {
            return Err(AiError::InvalidInput("the recording is empty".to_owned()));
        }
        let essence = media_type_essence(&audio.mime_type);
        let extension = extension_for(&essence).ok_or_else(|| {
            AiError::InvalidInput(errors::truncate(
                &format!("the OpenAI-compatible transcription does not read `{essence}` audio"),
                errors::MESSAGE_LIMIT,
            ))
        })?;
        let file = Part::bytes(audio.bytes.clone())
            .file_name(format!("answer.{extension}"))
            .mime_str(&essence)
            .map_err(|_| AiError::InvalidInput(format!("`{essence}` is not a valid media type")))?;
        let mut form = Form::new()
            .part("file", file)
            .text("model", self.transcription_model.clone())
            .text("response_format", "json");
        if let Some(language) = audio.language.as_deref().and_then(iso_639_1) {
            form = form.text("language", language);
        }
        let reply =
            self.exchange(self.client.post(self.endpoint("audio/transcriptions")).multipart(form)).await?;
        let body = self.success(reply)?;
        let wire: WireTranscript =
            serde_json::from_slice(&body).map_err(|e| errors::unparsable("the transcription reply", &e))?;
        let segments = wire
            .segments
            .into_iter()
            .filter(|s| s.start.is_finite() && s.end.is_finite() && s.end >= s.start)
            .map(|s| TranscriptSegment { start: s.start, end: s.end, text: s.text.trim().to_owned() })
            .collect();
        Ok(Transcript {
            text: wire.text,
            language: wire.language.filter(|l| !l.is_empty()),
            duration_seconds: wire.duration.filter(|d| d.is_finite() && *d >= 0.0),
            segments,
        })
    }
}

/// `audio/webm;codecs=opus` → `audio/webm`.
fn media_type_essence(mime_type: &str) -> String {
    mime_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// The file extension the transcription endpoint recognises for a media type.
fn extension_for(essence: &str) -> Option<&'static str> {
    Some(match essence {
        "audio/webm" | "video/webm" => "webm",
        "audio/ogg" | "audio/opus" | "application/ogg" => "ogg",
        "audio/mpeg" | "audio/mp3" | "audio/mpga" => "mp3",
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" | "audio/aac" => "m4a",
        "video/mp4" => "mp4",
        "audio/wav" | "audio/wave" | "audio/x-wav" | "audio/vnd.wave" => "wav",
        "audio/flac" | "audio/x-flac" => "flac",
        _ => return None,
    })
}

/// The ISO 639-1 code the endpoint takes, from a BCP 47 tag: `en-US` → `en`.
fn iso_639_1(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
    (primary.len() == 2 && primary.chars().all(|c| c.is_ascii_alphabetic())).then_some(primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_name_the_file() {
        assert_eq!(extension_for(&media_type_essence("audio/webm;codecs=opus")), Some("webm"));
        assert_eq!(extension_for(&media_type_essence("Audio/MPEG")), Some("mp3"));
        assert_eq!(extension_for("audio/wav"), Some("wav"));
        assert_eq!(extension_for("text/plain"), None);
    }

    #[test]
    fn languages_are_sent_as_two_letter_codes() {
        assert_eq!(iso_639_1("en-US").as_deref(), Some("en"));
        assert_eq!(iso_639_1("fr").as_deref(), Some("fr"));
        assert_eq!(iso_639_1("yue-HK"), None);
    }
}
