use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use viva_domain::ai::{AiError, Audio, ModelInfo, Transcriber};

use crate::{KEY, setup};

fn recording() -> Audio {
    Audio {
        bytes: vec![0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4],
        mime_type: "audio/webm;codecs=opus".to_owned(),
        language: Some("en-GB".to_owned()),
    }
}

#[tokio::test]
async fn audio_is_sent_inline_and_the_transcript_returned() {
    let (fake, gemini) = setup().await;
    fake.script().set_transcript("  I would profile first.  ");
    let transcript = gemini.transcribe(&recording()).await.unwrap();
    assert_eq!(transcript.text, "I would profile first.");
    assert_eq!(transcript.language.as_deref(), Some("en-GB"));
    assert_eq!(Transcriber::info(&gemini), ModelInfo::new("gemini", "gemini-2.5-flash"));

    let sent = fake.script().requests_to("/v1beta/models/gemini-2.5-flash:generateContent");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("x-goog-api-key"), Some(KEY));
    let body = sent[0].json().unwrap();
    let parts = body["contents"][0]["parts"].as_array().unwrap();
    assert_eq!(body["contents"][0]["role"], "user");
    let inline = parts.iter().find_map(|part| part.get("inlineData")).expect("an inlineData part");
    assert_eq!(inline["mimeType"], "audio/webm");
    assert_eq!(STANDARD.decode(inline["data"].as_str().unwrap()).unwrap(), recording().bytes);
    let instruction = parts.iter().find_map(|part| part["text"].as_str()).expect("a text part");
    assert!(instruction.contains("verbatim"), "{instruction}");
    assert!(instruction.contains("en-GB"), "{instruction}");
}

#[tokio::test]
async fn empty_and_oversized_recordings_are_invalid_input() {
    let (fake, gemini) = setup().await;
    let empty = Audio { bytes: Vec::new(), ..recording() };
    assert!(matches!(gemini.transcribe(&empty).await, Err(AiError::InvalidInput(_))));
    let huge = Audio { bytes: vec![0; 21 * 1024 * 1024], ..recording() };
    assert!(matches!(gemini.transcribe(&huge).await, Err(AiError::InvalidInput(_))));
    assert!(fake.script().requests().is_empty());
}

#[tokio::test]
async fn transcription_errors_map_like_chat_errors() {
    let (fake, gemini) = setup().await;
    fake.script()
        .push(viva_ai_fakes::Behaviour::RateLimited { retry_after: std::time::Duration::from_secs(2) });
    assert_eq!(
        gemini.transcribe(&recording()).await.unwrap_err(),
        AiError::RateLimited { retry_after: Some(std::time::Duration::from_secs(2)) }
    );
}
