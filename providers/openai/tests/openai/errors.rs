//! Failures: statuses, retry hints, timeouts, unreachable servers, and the key kept secret.

use std::time::Duration;

use viva_ai_fakes::Behaviour;
use viva_ai_fakes::openai::FakeOpenAi;
use viva_domain::ai::{AiError, ChatModel, Embedder};
use viva_openai::{OpenAi, Settings};

use crate::{KEY, client, graded_request, plain_request, setup};

#[tokio::test]
async fn rate_limits_carry_the_retry_after_hint() {
    let (fake, client) = setup().await;

    fake.script().push(Behaviour::RateLimited { retry_after: Duration::from_secs(7) });
    let error = client.complete(&graded_request()).await.unwrap_err();
    assert_eq!(error, AiError::RateLimited { retry_after: Some(Duration::from_secs(7)) });

    fake.script().push(Behaviour::RateLimited { retry_after: Duration::from_millis(1500) });
    let error = client.complete(&graded_request()).await.unwrap_err();
    assert_eq!(error, AiError::RateLimited { retry_after: Some(Duration::from_millis(1500)) });
    assert!(error.is_transient());
    assert_eq!(fake.script().requests().len(), 2, "the provider never retries by itself");
}

#[tokio::test]
async fn an_overloaded_server_that_says_when_to_return_is_a_rate_limit() {
    let (fake, client) = setup().await;
    fake.retry_after_on_503(Some(Duration::from_secs(3)));

    fake.script().push(Behaviour::Status(503));
    let error = client.complete(&plain_request()).await.unwrap_err();

    assert_eq!(error, AiError::RateLimited { retry_after: Some(Duration::from_secs(3)) });
}

#[tokio::test]
async fn server_errors_are_transient_and_request_errors_are_not() {
    let (fake, client) = setup().await;

    for status in [500, 502, 503, 504] {
        fake.script().push(Behaviour::Status(status));
        let error = client.complete(&plain_request()).await.unwrap_err();
        assert!(matches!(&error, AiError::Upstream { status: s, .. } if *s == status), "{error:?}");
        assert!(error.is_transient(), "{status}: {error:?}");
    }
    for status in [400, 401, 403, 404, 422] {
        fake.script().push(Behaviour::Status(status));
        let error = client.complete(&plain_request()).await.unwrap_err();
        assert!(matches!(&error, AiError::Upstream { status: s, .. } if *s == status), "{error:?}");
        assert!(!error.is_transient(), "{status}: {error:?}");
    }
    assert_eq!(fake.script().requests().len(), 9, "the provider never retries by itself");
}

#[tokio::test]
async fn the_servers_message_and_code_are_kept() {
    let (fake, client) = setup().await;
    fake.script().push(Behaviour::Status(404));

    let error = client.complete(&plain_request()).await.unwrap_err();

    assert_eq!(
        error,
        AiError::Upstream {
            status: 404,
            message: "The model does not exist or you do not have access to it. (model_not_found)".to_owned(),
        }
    );
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let fake = FakeOpenAi::start().await;
    fake.script().push(Behaviour::Hang);
    let client = client(&fake, |s| s.timeout = Duration::from_millis(300));

    let started = std::time::Instant::now();
    let error = client.complete(&plain_request()).await.unwrap_err();

    assert_eq!(error, AiError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    // A port that was just free and is closed again.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let client = OpenAi::new(Settings { base_url: base_url.clone(), ..Settings::default() }).unwrap();

    let error = client.complete(&plain_request()).await.unwrap_err();

    assert_eq!(
        error,
        AiError::Unavailable(format!("cannot reach the OpenAI-compatible server at {base_url}"))
    );
}

#[tokio::test]
async fn the_key_never_appears_in_errors_or_debug_output() {
    let fake = FakeOpenAi::start().await;
    fake.script().require_key("sk-the-right-one");
    // The fake echoes the wrong key it received, as servers sometimes do.
    let client = client(&fake, |_| {});

    let error = client.complete(&graded_request()).await.unwrap_err();

    assert!(matches!(&error, AiError::Upstream { status: 401, .. }), "{error:?}");
    assert!(!error.to_string().contains(KEY), "{error}");
    assert!(!format!("{error:?}").contains(KEY), "{error:?}");
    assert!(error.to_string().contains("<redacted>"), "{error}");
    assert!(!format!("{client:?}").contains(KEY), "{client:?}");
    let embed_error = client.embed(&["hello".to_owned()]).await.unwrap_err();
    assert!(!format!("{embed_error:?}").contains(KEY), "{embed_error:?}");
    for request in fake.script().requests() {
        assert!(!request.path.contains(KEY) && request.query.is_none(), "{request:?}");
    }
}

#[tokio::test]
async fn without_a_key_no_authorization_header_is_sent() {
    let fake = FakeOpenAi::start().await;
    let client = client(&fake, |s| s.api_key = None);

    client.complete(&plain_request()).await.unwrap();

    assert_eq!(fake.script().requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn bad_settings_are_refused() {
    let bad = |change: fn(&mut Settings)| {
        let mut settings = Settings::default();
        change(&mut settings);
        OpenAi::new(settings).unwrap_err()
    };
    assert!(bad(|s| s.base_url = "not a url".to_owned()).contains("base_url"));
    assert!(bad(|s| s.base_url = "file:///v1".to_owned()).contains("base_url"));
    assert!(bad(|s| s.model = String::new()).contains("model"));
    assert!(bad(|s| s.timeout = Duration::ZERO).contains("timeout"));
}

#[tokio::test]
async fn an_empty_request_is_invalid_input() {
    let (fake, client) = setup().await;
    let request = viva_domain::ai::ChatRequest { system: None, messages: Vec::new(), ..plain_request() };

    let error = client.complete(&request).await.unwrap_err();

    assert!(matches!(error, AiError::InvalidInput(_)), "{error:?}");
    assert!(fake.script().requests().is_empty());
}
