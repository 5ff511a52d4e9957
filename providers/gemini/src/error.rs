//! Gemini's error replies as [`AiError`]s.
//!
//! The body is `{"error": {"code", "message", "status", "details"}}`. A 429 is
//! [`AiError::RateLimited`] with the delay from the `google.rpc.RetryInfo` detail (or a
//! `Retry-After` header); every other status is [`AiError::Upstream`] with that status, so
//! [`AiError::is_transient`] tells 500/503/504 (worth retrying) from 400/401/403/404 (not).
//! Messages are for logs: the key is redacted from them and they are cut to a readable length.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use serde_json::Value;
use viva_domain::ai::AiError;

/// The longest message kept from an error body, in characters.
const MAX_MESSAGE_CHARS: usize = 200;

/// The longest retry hint believed; anything longer is a misreading or not worth waiting for.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The `@type` of the detail that says when to retry.
const RETRY_INFO_TYPE: &str = "type.googleapis.com/google.rpc.RetryInfo";

#[derive(Deserialize)]
struct Envelope {
    error: Status,
}

/// `google.rpc.Status` as the REST API writes it.
#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    details: Vec<Value>,
}

/// The error for a non-2xx reply.
pub(crate) fn from_status(
    status: u16,
    retry_after_header: Option<Duration>,
    body: &[u8],
    key: &[u8],
) -> AiError {
    let parsed = serde_json::from_slice::<Envelope>(body).ok().map(|envelope| envelope.error);
    if status == 429 {
        let retry_after = parsed.as_ref().and_then(retry_info_delay).or(retry_after_header);
        return AiError::RateLimited { retry_after };
    }
    let message = match &parsed {
        Some(error) => format!(
            "{}: {}",
            error.status.as_deref().unwrap_or("UNKNOWN"),
            error.message.as_deref().unwrap_or("(no message)")
        ),
        None if body.is_empty() => "(empty body)".to_owned(),
        None => format!("(not a Gemini error body) {}", String::from_utf8_lossy(body)),
    };
    AiError::Upstream { status, message: loggable(&message, key) }
}

/// The `retryDelay` of the `RetryInfo` detail.
fn retry_info_delay(error: &Status) -> Option<Duration> {
    error
        .details
        .iter()
        .find(|detail| detail.get("@type").and_then(Value::as_str) == Some(RETRY_INFO_TYPE))
        .and_then(|detail| detail.get("retryDelay"))
        .and_then(proto_duration)
}

/// A `google.protobuf.Duration` in its JSON form (`"7s"`, `"0.5s"`, `"1.000340012s"`), or the
/// `{"seconds", "nanos"}` object some encoders write.
fn proto_duration(value: &Value) -> Option<Duration> {
    let seconds = match value {
        Value::String(text) => text.trim().strip_suffix('s')?.parse::<f64>().ok()?,
        Value::Object(fields) => {
            let number = |name: &str| match fields.get(name) {
                None => Some(0.0),
                Some(Value::String(text)) => text.parse::<f64>().ok(),
                Some(other) => other.as_f64(),
            };
            number("seconds")? + number("nanos")? / 1e9
        }
        _ => return None,
    };
    seconds_to_duration(seconds)
}

/// A `Retry-After` header in seconds (an HTTP date is not worth the parsing: Gemini sends none).
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    seconds_to_duration(text.trim().parse::<f64>().ok()?)
}

fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(seconds).ok().filter(|delay| *delay <= MAX_RETRY_DELAY)
}

/// One line, without the key, at most [`MAX_MESSAGE_CHARS`] long.
fn loggable(message: &str, key: &[u8]) -> String {
    let mut text = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Ok(key) = std::str::from_utf8(key)
        && !key.is_empty()
    {
        text = text.replace(key, "[redacted]");
    }
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_limited(body: &str, header: Option<Duration>) -> Option<Duration> {
        match from_status(429, header, body.as_bytes(), b"key") {
            AiError::RateLimited { retry_after } => retry_after,
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }

    #[test]
    fn retry_info_gives_the_delay() {
        let body = r#"{"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
                        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}]}}"#;
        assert_eq!(rate_limited(body, None), Some(Duration::from_secs(7)));
        let body = r#"{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.5s"}]}}"#;
        assert_eq!(rate_limited(body, Some(Duration::from_secs(9))), Some(Duration::from_millis(500)));
    }

    #[test]
    fn without_retry_info_the_header_or_nothing() {
        let body = r#"{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": []}}"#;
        assert_eq!(rate_limited(body, Some(Duration::from_secs(3))), Some(Duration::from_secs(3)));
        assert_eq!(rate_limited(body, None), None);
        assert_eq!(rate_limited("<html>busy</html>", None), None);
    }

    #[test]
    fn proto_durations() {
        assert_eq!(proto_duration(&Value::from("1.000340012s")), Some(Duration::new(1, 340_012)));
        assert_eq!(
            proto_duration(&serde_json::json!({"seconds": "2", "nanos": 5e8})),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(proto_duration(&Value::from("7")), None);
        assert_eq!(proto_duration(&Value::from("-1s")), None);
        assert_eq!(proto_duration(&Value::from("1e12s")), None);
    }

    #[test]
    fn statuses_keep_their_code_and_a_safe_message() {
        let body =
            r#"{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}"#;
        let error = from_status(503, None, body.as_bytes(), b"key");
        assert_eq!(
            error,
            AiError::Upstream { status: 503, message: "UNAVAILABLE: The model is overloaded.".to_owned() }
        );
        assert!(error.is_transient());

        let body = format!("<html>{}</html>", "x".repeat(5000));
        let AiError::Upstream { status: 400, message } = from_status(400, None, body.as_bytes(), b"k") else {
            panic!("expected Upstream 400");
        };
        assert!(message.chars().count() <= MAX_MESSAGE_CHARS + 1, "{message}");
    }

    #[test]
    fn the_key_is_redacted_from_messages() {
        let body = r#"{"error": {"code": 400, "message": "API key AIza-secret not valid", "status": "INVALID_ARGUMENT"}}"#;
        let error = from_status(400, None, body.as_bytes(), b"AIza-secret");
        assert!(!error.to_string().contains("AIza-secret"), "{error}");
        assert!(error.to_string().contains("INVALID_ARGUMENT"), "{error}");
    }
}
