//! The hardened GraphQL endpoint: limits, batching, CSRF, body size, introspection, error codes.

use axum::body::Body;
use futures_util::stream;
use http::{Request, StatusCode};
use serde_json::json;
use viva_test_support::{TEST_PASSWORD, TestApp};

fn post_json(body: String) -> Request<Body> {
    Request::post("/graphql").header("content-type", "application/json").body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn queries_deeper_than_the_limit_are_refused() {
    let app = TestApp::with_config(|c| c.limits.max_depth = 6).await;
    let deep = "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }";
    let response = app.graphql(deep, json!({})).await;
    let message = response.expect_error("BAD_USER_INPUT");
    assert!(message.to_lowercase().contains("nested too deep"), "{message}");
    let shallow = "{ __schema { types { name } } }";
    app.graphql(shallow, json!({})).await.data();
}

#[tokio::test]
async fn an_operation_of_a_hundred_aliased_logins_is_refused_before_any_password_check() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let aliases: String = (0..100)
        .map(|i| format!("a{i}: login(input: {{ email: \"{}\", password: \"guess-number-{i:04}\" }}) {{ accessToken }}\n", ada.email))
        .collect();
    let before = app.services.service.passwords.verifications();
    let response = app.graphql(&format!("mutation {{ {aliases} }}"), json!({})).await;
    response.expect_error("BAD_USER_INPUT");
    assert!(response.body["data"].is_null());
    assert_eq!(app.services.service.passwords.verifications(), before, "no password was checked");
}

#[tokio::test]
async fn a_few_aliased_logins_get_one_attempt_per_operation() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let query = format!(
        "mutation {{ a: login(input: {{ email: \"{0}\", password: \"wrong-guess-00001\" }}) {{ accessToken }} \
         b: login(input: {{ email: \"{0}\", password: \"{TEST_PASSWORD}\" }}) {{ accessToken }} }}",
        ada.email
    );
    let before = app.services.service.passwords.verifications();
    let response = app.graphql(&query, json!({})).await;
    let codes: Vec<String> =
        response.errors().iter().map(|e| e["extensions"]["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(codes, ["UNAUTHENTICATED", "RATE_LIMITED"]);
    assert_eq!(app.services.service.passwords.verifications() - before, 1);
}

#[tokio::test]
async fn json_array_batches_are_refused() {
    let app = TestApp::new().await;
    let batch = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]).to_string();
    let response = app.send(post_json(format!("  {batch}"))).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn mutations_over_get_are_refused() {
    let app = TestApp::new().await;
    let query = "mutation%20%7B%20logout%20%7D"; // mutation { logout }
    let response =
        app.send(Request::get(format!("/graphql?query={query}")).body(Body::empty()).unwrap()).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers.get("allow").unwrap(), "POST");

    let ok = app.send(Request::get("/graphql?query=%7B__typename%7D").body(Body::empty()).unwrap()).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["data"]["__typename"], "Query");
}

#[tokio::test]
async fn simple_content_types_are_refused() {
    let app = TestApp::new().await;
    let body = json!({ "query": "mutation { logout }" }).to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let request = Request::post("/graphql")
            .header("content-type", content_type)
            .body(Body::from(body.clone()))
            .unwrap();
        let response = app.send(request).await;
        assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
    }
    // multipart needs a header that forces a CORS preflight.
    let multipart = Request::post("/graphql")
        .header("content-type", "multipart/form-data; boundary=x")
        .body(Body::from("--x--"))
        .unwrap();
    assert_eq!(app.send(multipart).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let app = TestApp::with_config(|c| c.limits.max_body_bytes = 1024).await;
    let padding = "x".repeat(2048);
    let body = json!({ "query": "{ __typename }", "variables": { "pad": padding } }).to_string();
    // Declared too large: refused from the header alone.
    let declared = app.send(post_json(body.clone())).await;
    assert_eq!(declared.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Streamed without a length: refused once the limit is crossed, without reading the rest.
    let chunks_read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = chunks_read.clone();
    let endless = stream::iter(0..10_000).map(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok::<_, std::io::Error>(axum::body::Bytes::from_static(&[b' '; 512]))
    });
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from_stream(futures_util::StreamExt::boxed(endless)))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(chunks_read.load(std::sync::atomic::Ordering::SeqCst) < 10, "the body was not read whole");
}

use futures_util::StreamExt as _;

#[tokio::test]
async fn introspection_and_suggestions_can_be_switched_off() {
    let app = TestApp::with_config(|c| {
        c.introspection = false;
        c.suggestions = false;
    })
    .await;
    for query in [
        "{ __schema { types { name } } }",
        "{ __type(name: \"User\") { name } }",
        "query { ...f } fragment f on Query { __schema { queryType { name } } }",
    ] {
        let response = app.graphql(query, json!({})).await;
        assert!(response.expect_error("FORBIDDEN").contains("introspection is disabled"));
        assert!(response.body["data"].is_null());
    }
    app.graphql("{ __typename }", json!({})).await.data();
    let typo = app.graphql("{ me { emailVerifed } }", json!({})).await;
    typo.expect_error("BAD_USER_INPUT");
    assert!(!typo.body.to_string().contains("Did you mean"), "{}", typo.body);

    let open = TestApp::new().await;
    let typo = open.graphql("{ me { emailVerifed } }", json!({})).await;
    assert!(typo.body.to_string().contains("Did you mean"), "suggestions are on by default in tests");
}

#[tokio::test]
async fn a_database_failure_reaches_the_client_only_as_internal() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    app.database.drop_now().await;

    let login = app.login(&ada.email, &ada.password).await;
    assert_eq!(login.expect_error("INTERNAL"), "internal server error");
    let text = login.body.to_string().to_lowercase();
    for leak in ["database", "postgres", "connection", "viva_test", "does not exist"] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }

    let me = app.graphql_as(&ada, "{ me { id } }", json!({})).await;
    assert_eq!(me.expect_error("INTERNAL"), "internal server error");
    assert!(!me.body.to_string().to_lowercase().contains("database"));
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    let health = app.send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(health.status, StatusCode::OK);
    let ready = app.send(Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(ready.status, StatusCode::OK);
    app.candidate().await;
    let metrics = app.send(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    let text = String::from_utf8(metrics.body.to_vec()).unwrap();
    assert!(text.contains("viva_logins_total{outcome=\"succeeded\"} 1"), "{text}");
    assert!(text.contains("viva_graphql_operations_total"));

    app.database.drop_now().await;
    let ready = app.send(Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn response_fields_come_in_the_order_the_query_selected_them() {
    let app = TestApp::new().await;
    let body = json!({ "query": "{ zebra: __typename apple: __typename mango: __typename }" }).to_string();
    let response = app.send(post_json(body)).await;
    assert_eq!(response.status, StatusCode::OK);
    let text = std::str::from_utf8(&response.body).unwrap();
    assert_eq!(text, r#"{"data":{"zebra":"Query","apple":"Query","mango":"Query"}}"#);
}
