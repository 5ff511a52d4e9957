//! Transcription: the multipart form sent, the text read.

use viva_ai_fakes::Behaviour;
use viva_ai_fakes::openai::form_parts;
use viva_domain::ai::{AiError, Audio, ModelInfo, Transcriber};

use crate::{KEY, setup};

fn recording() -> Audio {
    Audio {
        bytes: b"\x1aE\xdf\xa3 fake webm".to_vec(),
        mime_type: "audio/webm;codecs=opus".to_owned(),
        language: Some("en-US".to_owned()),
    }
}

#[tokio::test]
async fn the_recording_is_sent_as_a_named_file_with_the_model() {
    let (fake, client) = setup().await;
    fake.script().set_transcript("A mutex guards shared state.");

    let transcript = client.transcribe(&recording()).await.unwrap();

    assert_eq!(transcript.text, "A mutex guards shared state.");
    assert_eq!(transcript.language, None);
    assert_eq!(Transcriber::info(&client), ModelInfo::new("openai", "whisper-1"));
    let requests = fake.script().requests_to("/audio/transcriptions");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    let parts = form_parts(&requests[0]);
    let field = |name: &str| {
        parts.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no {name} in {parts:?}"))
    };
    assert_eq!(field("file").file_name.as_deref(), Some("answer.webm"));
    assert_eq!(field("file").content_type.as_deref(), Some("audio/webm"));
    assert_eq!(field("file").data, recording().bytes);
    assert_eq!(field("model").text(), "whisper-1");
    assert_eq!(field("response_format").text(), "json");
    assert_eq!(field("language").text(), "en");
}

#[tokio::test]
async fn a_reported_language_is_kept() {
    let (fake, client) = setup().await;
    fake.script().push(Behaviour::Text(r#"{"text": "Bonjour", "language": "fr"}"#.to_owned()));

    let transcript = client.transcribe(&recording()).await.unwrap();

    assert_eq!(transcript.text, "Bonjour");
    assert_eq!(transcript.language.as_deref(), Some("fr"));
}

#[tokio::test]
async fn unreadable_audio_is_refused_before_sending() {
    let (fake, client) = setup().await;

    let error =
        client.transcribe(&Audio { mime_type: "text/plain".to_owned(), ..recording() }).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidInput(_)), "{error:?}");
    let error = client.transcribe(&Audio { bytes: Vec::new(), ..recording() }).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidInput(_)), "{error:?}");

    assert!(fake.script().requests().is_empty());
}

#[tokio::test]
async fn failures_map_like_chat_failures() {
    let (fake, client) = setup().await;

    fake.script().push(Behaviour::Status(500));
    let error = client.transcribe(&recording()).await.unwrap_err();
    assert!(matches!(error, AiError::Upstream { status: 500, .. }), "{error:?}");

    fake.script().push(Behaviour::Malformed);
    let error = client.transcribe(&recording()).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidOutput(_)), "{error:?}");
}
