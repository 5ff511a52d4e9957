//! What a failed exchange means: HTTP statuses and error bodies, retry hints, transport
//! failures, each mapped to the [`AiError`] the resilience layer decides on.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;
use viva_domain::ai::AiError;

/// How many characters of a server's message an error keeps.
pub(crate) const MESSAGE_LIMIT: usize = 200;

/// A whole reply, whatever its status.
pub(crate) struct Reply {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The server's retry hint, if it gave one.
    pub(crate) retry_after: Option<Duration>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// The body as text, lossily.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The retry hint of a reply: OpenAI's `retry-after-ms`, else `Retry-After` in seconds
/// (fractions allowed) or as an HTTP date (a date in the past means now).
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && let Ok(hint) = Duration::try_from_secs_f64(ms / 1000.0)
    {
        return Some(hint);
    }
    let value = header(RETRY_AFTER.as_str())?;
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// The error an unsuccessful status means. `scrub` removes the key and shortens the message.
pub(crate) fn status_error(reply: &Reply, scrub: &dyn Fn(&str) -> String) -> AiError {
    match (reply.status, reply.retry_after) {
        (429, retry_after) => AiError::RateLimited { retry_after },
        // An overloaded server that says when to come back is asking us to slow down.
        (503, Some(hint)) => AiError::RateLimited { retry_after: Some(hint) },
        (status, _) => AiError::Upstream { status, message: scrub(&error_message(&reply.body)) },
    }
}

/// The message of an error body: OpenAI's `{"error": {"message", "type", "param", "code"}}`
/// (with the code appended), Ollama's `{"error": "text"}`, a bare `{"message"}` or
/// `{"detail"}`, else the body itself.
pub(crate) fn error_message(body: &[u8]) -> String {
    let text = || String::from_utf8_lossy(body).trim().to_owned();
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return match text() {
            t if t.is_empty() => "(empty body)".to_owned(),
            t => t,
        };
    };
    let error = json.get("error").unwrap_or(&json);
    if let Some(message) = error.as_str() {
        return message.to_owned();
    }
    let message = ["message", "detail"].iter().find_map(|f| error.get(*f)).and_then(|m| match m {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    });
    let code = error
        .get("code")
        .and_then(|c| c.as_str().map(str::to_owned).or_else(|| c.as_i64().map(|n| n.to_string())));
    match (message, code) {
        (Some(message), Some(code)) => format!("{message} ({code})"),
        (Some(message), None) => message,
        (None, Some(code)) => code,
        (None, None) => text(),
    }
}

/// The error a failure to exchange (no reply, or a broken one) means.
pub(crate) fn transport_error(error: &reqwest::Error, base_url: &str) -> AiError {
    if error.is_timeout() {
        AiError::Timeout
    } else if error.is_connect() {
        AiError::Unavailable(format!("cannot reach the OpenAI-compatible server at {base_url}"))
    } else {
        // Without the URL: the message names the server through `base_url` already.
        let cause = truncate(&error_chain(error), MESSAGE_LIMIT);
        AiError::Unavailable(format!(
            "the exchange with the OpenAI-compatible server at {base_url} failed: {cause}"
        ))
    }
}

/// An error and its sources, joined by `: `, without the request URL.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `text` cut to at most `limit` characters, marked with `…` when cut.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// An `InvalidOutput` for a reply body that did not parse as the documented JSON.
pub(crate) fn unparsable(what: &str, error: &serde_json::Error) -> AiError {
    AiError::InvalidOutput(truncate(&format!("{what} is not the documented JSON: {error}"), MESSAGE_LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_hints_in_seconds_fractions_milliseconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(retry_after(&headers(&[("retry-after", "7")]), now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers(&[("retry-after", "1.5")]), now), Some(Duration::from_millis(1500)));
        assert_eq!(
            retry_after(&headers(&[("retry-after", "2"), ("retry-after-ms", "250")]), now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT")]), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "Wed, 21 Oct 2015 07:27:00 GMT")]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")]), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn error_bodies_of_openai_ollama_and_others() {
        let openai = br#"{"error":{"message":"Invalid model","type":"invalid_request_error","param":"model","code":"model_not_found"}}"#;
        assert_eq!(error_message(openai), "Invalid model (model_not_found)");
        assert_eq!(error_message(br#"{"error":"model 'x' not found"}"#), "model 'x' not found");
        assert_eq!(error_message(br#"{"detail":"Not Found"}"#), "Not Found");
        assert_eq!(error_message(br#"{"object":"error","message":"bad","code":400}"#), "bad (400)");
        assert_eq!(error_message(b"<html>Bad Gateway</html>"), "<html>Bad Gateway</html>");
        assert_eq!(error_message(b""), "(empty body)");
    }

    #[test]
    fn statuses_map_to_rate_limits_and_upstream_errors() {
        let reply = |status, retry_after| Reply {
            status,
            retry_after,
            body: br#"{"error":{"message":"m"}}"#.to_vec(),
        };
        let keep = |t: &str| t.to_owned();
        let hint = Some(Duration::from_secs(2));
        assert_eq!(status_error(&reply(429, hint), &keep), AiError::RateLimited { retry_after: hint });
        assert_eq!(status_error(&reply(429, None), &keep), AiError::RateLimited { retry_after: None });
        assert_eq!(status_error(&reply(503, hint), &keep), AiError::RateLimited { retry_after: hint });
        assert_eq!(
            status_error(&reply(503, None), &keep),
            AiError::Upstream { status: 503, message: "m".into() }
        );
        assert!(status_error(&reply(502, None), &keep).is_transient());
        assert!(!status_error(&reply(401, None), &keep).is_transient());
        assert!(!status_error(&reply(422, None), &keep).is_transient());
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hi", 2), "hi");
    }
}
