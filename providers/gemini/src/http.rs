//! One POST to the API: the key in its header, the reply read whole, failures mapped to
//! [`AiError`].

use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use viva_domain::ai::AiError;
use viva_domain::secret::Secret;

use crate::error;

/// The header Gemini reads the API key from.
const KEY_HEADER: &str = "x-goog-api-key";

/// The longest a connection attempt may take, whatever the request timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection pool, the API's origin and the key.
#[derive(Clone)]
pub(crate) struct Api {
    client: reqwest::Client,
    base_url: String,
    /// Marked sensitive, so it is redacted from any `Debug` output of headers.
    key: HeaderValue,
}

impl Api {
    pub(crate) fn new(base_url: &str, key: &Secret, timeout: Duration) -> Result<Self, String> {
        if key.expose().iter().all(u8::is_ascii_whitespace) {
            return Err("no Gemini API key is configured".to_owned());
        }
        let mut key = HeaderValue::from_bytes(key.expose()).map_err(|_| {
            "the Gemini API key contains characters that cannot be sent in a header".to_owned()
        })?;
        key.set_sensitive(true);
        let base_url = base_url_of(base_url)?;
        if timeout.is_zero() {
            return Err("the Gemini request timeout must be longer than zero".to_owned());
        }

        // reqwest is built without a default crypto provider; installing one twice is harmless
        // (the second call returns the one already installed).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
            // A redirect would carry the key header to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("viva-gemini/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client for Gemini: {e}"))?;
        Ok(Self { client, base_url, key })
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `POST {base_url}/v1beta/models/{model}:{method}` with a JSON body, and the reply's JSON.
    pub(crate) async fn call<B, R>(&self, model: &str, method: &str, body: &B) -> Result<R, AiError>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let url = format!("{}/v1beta/models/{model}:{method}", self.base_url);
        let started = Instant::now();
        let response = self
            .client
            .post(&url)
            .header(KEY_HEADER, self.key.clone())
            .json(body)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let retry_after = error::retry_after_header(response.headers());
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        tracing::debug!(
            model,
            method,
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Gemini API call"
        );

        if !(200..300).contains(&status) {
            return Err(error::from_status(status, retry_after, &bytes, self.key.as_bytes()));
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            AiError::InvalidOutput(format!("Gemini's {method} reply is not the documented JSON: {e}"))
        })
    }
}

/// The base URL without a trailing slash, if it is a plain `http(s)` URL. The URL is never
/// echoed: someone may have pasted one with `?key=…`.
fn base_url_of(base_url: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(base_url.trim())
        .map_err(|e| format!("the Gemini base URL is not a valid URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the Gemini base URL must start with http:// or https://".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(
            "the Gemini base URL must not have a query or fragment (the API key goes in a header)".to_owned()
        );
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the Gemini base URL must not carry credentials".to_owned());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A request that got no HTTP answer. reqwest's own message names the URL, which holds no key,
/// but is not needed: the kind says it all.
fn transport_error(e: &reqwest::Error) -> AiError {
    if e.is_timeout() {
        AiError::Timeout
    } else if e.is_connect() {
        AiError::Unavailable("cannot reach the Gemini API".to_owned())
    } else if e.is_body() || e.is_decode() {
        AiError::Unavailable("the connection to the Gemini API broke off during the reply".to_owned())
    } else if e.is_builder() {
        AiError::Internal("the request to the Gemini API could not be built".to_owned())
    } else {
        AiError::Unavailable("the request to the Gemini API failed before an answer came".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_plain_origins_or_paths() {
        assert_eq!(
            base_url_of("https://generativelanguage.googleapis.com/").as_deref(),
            Ok("https://generativelanguage.googleapis.com")
        );
        assert_eq!(base_url_of("http://127.0.0.1:8080/proxy/").as_deref(), Ok("http://127.0.0.1:8080/proxy"));
        assert!(base_url_of("ftp://example.com").is_err());
        assert!(base_url_of("not a url").is_err());
        assert!(base_url_of("https://user:pw@example.com").is_err());
        let err = base_url_of("https://example.com/?key=SECRET").unwrap_err();
        assert!(!err.contains("SECRET"));
    }

    #[test]
    fn a_blank_or_unsendable_key_is_refused() {
        let timeout = Duration::from_secs(1);
        assert!(Api::new("https://example.com", &Secret::new("  "), timeout).is_err());
        let err = Api::new("https://example.com", &Secret::new("abc\ndef"), timeout).err().unwrap();
        assert!(!err.contains("abc"), "{err}");
        assert!(Api::new("https://example.com", &Secret::new("k"), Duration::ZERO).is_err());
    }
}
