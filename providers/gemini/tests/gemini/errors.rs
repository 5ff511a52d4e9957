use std::time::Duration;

use viva_ai_fakes::Behaviour;
use viva_ai_fakes::gemini::FakeGemini;
use viva_domain::ai::{AiError, ChatModel, Embedder};
use viva_domain::secret::Secret;
use viva_gemini::{Gemini, Settings};

use crate::{KEY, ask, client, setup};

/// The error for one chat call answered with `behaviour`.
async fn chat_error(behaviour: Behaviour) -> AiError {
    let (fake, gemini) = setup().await;
    fake.script().push(behaviour.clone());
    let error = gemini.complete(&ask("Hi")).await.expect_err("the call should fail");
    assert_no_key(&error);
    assert_eq!(fake.script().requests().len(), 1, "one call is one request ({behaviour:?})");
    error
}

fn assert_no_key(error: &AiError) {
    assert!(!error.to_string().contains(KEY), "{error}");
    assert!(!format!("{error:?}").contains(KEY), "{error:?}");
}

#[tokio::test]
async fn rate_limits_carry_the_retry_info_delay() {
    for delay in [Duration::from_secs(7), Duration::from_millis(1500), Duration::from_millis(250)] {
        let error = chat_error(Behaviour::RateLimited { retry_after: delay }).await;
        assert_eq!(error, AiError::RateLimited { retry_after: Some(delay) });
        assert!(error.is_transient());
    }
}

#[tokio::test]
async fn server_errors_are_transient() {
    for (status, name) in [(500, "INTERNAL"), (503, "UNAVAILABLE"), (504, "DEADLINE_EXCEEDED")] {
        let error = chat_error(Behaviour::Status(status)).await;
        let AiError::Upstream { status: got, message } = &error else {
            panic!("expected Upstream, got {error:?}")
        };
        assert_eq!(*got, status);
        assert!(message.starts_with(name), "{message}");
        assert!(error.is_transient(), "{status} should be transient");
    }
}

#[tokio::test]
async fn client_errors_are_not_transient() {
    for (status, name) in
        [(400, "INVALID_ARGUMENT"), (401, "UNAUTHENTICATED"), (403, "PERMISSION_DENIED"), (404, "NOT_FOUND")]
    {
        let error = chat_error(Behaviour::Status(status)).await;
        let AiError::Upstream { status: got, message } = &error else {
            panic!("expected Upstream, got {error:?}")
        };
        assert_eq!(*got, status);
        assert!(message.starts_with(name), "{message}");
        assert!(!error.is_transient(), "{status} should not be transient");
    }
}

#[tokio::test]
async fn a_wrong_or_missing_key_is_refused_without_showing_it() {
    let fake = FakeGemini::start().await;
    fake.script().require_key("the-right-key");
    let error = client(&fake.base_url(), Duration::from_secs(5)).complete(&ask("Hi")).await.unwrap_err();
    assert!(matches!(error, AiError::Upstream { status: 401, .. }), "{error:?}");
    assert!(!error.is_transient());
    assert_no_key(&error);
}

#[tokio::test]
async fn a_hang_past_the_timeout_is_a_timeout() {
    let fake = FakeGemini::start().await;
    fake.script().set_default(Behaviour::Hang);
    let gemini = client(&fake.base_url(), Duration::from_millis(300));
    let started = std::time::Instant::now();
    assert_eq!(gemini.complete(&ask("Hi")).await.unwrap_err(), AiError::Timeout);
    assert_eq!(gemini.embed(&["a".to_owned()]).await.unwrap_err(), AiError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn malformed_and_truncated_bodies_are_invalid_output() {
    for behaviour in [Behaviour::Malformed, Behaviour::Truncated] {
        let error = chat_error(behaviour.clone()).await;
        assert!(matches!(error, AiError::InvalidOutput(_)), "{behaviour:?}: {error:?}");
    }
    let (fake, gemini) = setup().await;
    fake.script().push(Behaviour::Truncated);
    let error = gemini.embed(&["a".to_owned(), "b".to_owned()]).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidOutput(_)), "{error:?}");
}

#[tokio::test]
async fn withheld_and_cut_off_replies_are_invalid_output_naming_the_reason() {
    for reason in ["SAFETY", "MAX_TOKENS", "RECITATION", "PROHIBITED_CONTENT", "OTHER"] {
        let error = chat_error(Behaviour::Finish(reason.to_owned())).await;
        let AiError::InvalidOutput(message) = &error else { panic!("expected InvalidOutput, got {error:?}") };
        assert!(message.contains(reason), "{message}");
    }
    let AiError::InvalidOutput(message) = chat_error(Behaviour::Finish("MAX_TOKENS".to_owned())).await else {
        unreachable!()
    };
    assert!(message.contains("token limit"), "{message}");
}

#[tokio::test]
async fn an_empty_reply_is_invalid_output() {
    let error = chat_error(Behaviour::Text(String::new())).await;
    assert!(matches!(error, AiError::InvalidOutput(_)), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    // Bind a port, then free it, so that nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let gemini = client(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5));
    let error = gemini.complete(&ask("Hi")).await.unwrap_err();
    assert_eq!(error, AiError::Unavailable("cannot reach the Gemini API".to_owned()));
    assert!(error.is_transient());
    assert_no_key(&error);
}

#[tokio::test]
async fn the_key_is_never_in_debug_output_or_construction_errors() {
    let (_fake, gemini) = setup().await;
    assert!(!format!("{gemini:?}").contains(KEY));
    let settings = Settings { api_key: Some(Secret::new(KEY)), ..Settings::default() };
    assert!(!format!("{settings:?}").contains(KEY));

    for base_url in ["", "ftp://example.com", &format!("https://example.com/?key={KEY}")] {
        let settings = Settings {
            api_key: Some(Secret::new(KEY)),
            base_url: base_url.to_owned(),
            ..Settings::default()
        };
        let error = Gemini::new(settings).unwrap_err();
        assert!(!error.contains(KEY), "{error}");
    }
    let error = Gemini::new(Settings::default()).unwrap_err();
    assert!(error.contains("API key"), "{error}");
}
