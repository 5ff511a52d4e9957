//! Persisted operations (Apollo's automatic persisted queries, trusted documents) and the
//! GraphiQL console's routes.

use std::sync::Arc;

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::{Value, json};
use viva_api::persisted::{TrustedDocuments, sha256_hex};
use viva_test_support::{LOGIN_DOCUMENT, REGISTER_DOCUMENT, RawResponse, TestApp};

fn post(body: Value, token: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql").header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

fn code(response: &RawResponse) -> Option<String> {
    response.json()["errors"][0]["extensions"]["code"].as_str().map(str::to_owned)
}

const ME: &str = "query Me { me { email } }";

#[tokio::test]
async fn apq_misses_then_registers_then_hits_and_refuses_a_wrong_hash() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let hash = sha256_hex(ME);

    // The hash alone: not known yet. The client is told to send the text.
    let miss = app.send(post(json!({ "extensions": persisted(&hash) }), Some(&ada.access_token))).await;
    assert_eq!(miss.status, StatusCode::OK);
    assert_eq!(code(&miss).as_deref(), Some("PERSISTED_QUERY_NOT_FOUND"), "{:?}", miss.json());
    assert_eq!(miss.json()["errors"][0]["message"], "PersistedQueryNotFound");

    // Text and hash: runs, and registers the text.
    let full =
        app.send(post(json!({ "query": ME, "extensions": persisted(&hash) }), Some(&ada.access_token))).await;
    assert_eq!(full.json()["data"]["me"]["email"], ada.email.as_str(), "{:?}", full.json());

    // The hash alone now runs the registered text, over POST and over GET.
    let hit = app.send(post(json!({ "extensions": persisted(&hash) }), Some(&ada.access_token))).await;
    assert_eq!(hit.json()["data"]["me"]["email"], ada.email.as_str(), "{:?}", hit.json());
    let extensions = persisted(&hash).to_string();
    let url = format!("/graphql?extensions={}", urlencode(&extensions));
    let get = app
        .send(
            Request::get(url)
                .header("authorization", format!("Bearer {}", ada.access_token))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(get.json()["data"]["me"]["email"], ada.email.as_str(), "{:?}", get.json());

    // A text sent with a hash that is not its own is refused, and registers nothing.
    let other = sha256_hex("{ __typename }");
    let wrong = app
        .send(post(json!({ "query": ME, "extensions": persisted(&other) }), Some(&ada.access_token)))
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&wrong).as_deref(), Some("PERSISTED_QUERY_HASH_MISMATCH"));
    assert_eq!(wrong.json()["errors"][0]["message"], "provided sha does not match query");
    let still_missing = app.send(post(json!({ "extensions": persisted(&other) }), None)).await;
    assert_eq!(code(&still_missing).as_deref(), Some("PERSISTED_QUERY_NOT_FOUND"));

    // Only version 1 exists.
    let v2 = app
        .send(post(json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": hash } } }), None))
        .await;
    assert_eq!(code(&v2).as_deref(), Some("PERSISTED_QUERY_VERSION_NOT_SUPPORTED"));
}

#[tokio::test]
async fn a_registered_mutation_cannot_be_run_over_get() {
    let app = TestApp::new().await;
    let mutation = "mutation { __typename }";
    let hash = sha256_hex(mutation);
    // Registered (and run) over POST.
    app.send(post(json!({ "query": mutation, "extensions": persisted(&hash) }), None)).await;
    let url = format!("/graphql?extensions={}", urlencode(&persisted(&hash).to_string()));
    let get = app.send(Request::get(url).body(Body::empty()).unwrap()).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED, "{:?}", get.json());
}

#[tokio::test]
async fn apq_can_be_turned_off() {
    let app = TestApp::with_config(|c| c.persisted.apq = false).await;
    let response = app.send(post(json!({ "extensions": persisted(&sha256_hex(ME)) }), None)).await;
    assert_eq!(code(&response).as_deref(), Some("PERSISTED_QUERY_NOT_SUPPORTED"));
    assert_eq!(response.json()["errors"][0]["message"], "PersistedQueryNotSupported");
}

#[tokio::test]
async fn trusted_documents_mode_runs_registered_operations_only() {
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            { "id": "me-v1", "name": "Me", "type": "query", "body": ME },
            // What the test helpers send to create and sign in the user.
            { "id": "register-v1", "name": "Register", "type": "mutation", "body": REGISTER_DOCUMENT },
            { "id": "login-v1", "name": "Login", "type": "mutation", "body": LOGIN_DOCUMENT }
        ]
    });
    let trusted = Arc::new(TrustedDocuments::parse(&manifest.to_string()).unwrap());
    let app = TestApp::with_config(|c| c.persisted.trusted = Some(trusted)).await;
    let ada = app.candidate().await;

    // Registered, by id: runs.
    let by_id = app.send(post(json!({ "extensions": persisted("me-v1") }), Some(&ada.access_token))).await;
    assert_eq!(by_id.json()["data"]["me"]["email"], ada.email.as_str(), "{:?}", by_id.json());
    // Registered, sent as the full text without an id: runs.
    let by_text = app.send(post(json!({ "query": ME }), Some(&ada.access_token))).await;
    assert_eq!(by_text.json()["data"]["me"]["email"], ada.email.as_str(), "{:?}", by_text.json());

    // Anything else is refused before it runs, with a clear error.
    let unregistered =
        app.send(post(json!({ "query": "{ me { id email role } }" }), Some(&ada.access_token))).await;
    assert_eq!(unregistered.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&unregistered).as_deref(), Some("PERSISTED_QUERY_NOT_IN_LIST"));
    let message = unregistered.json()["errors"][0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("not registered"), "{message}");
    assert!(unregistered.json()["data"].is_null());
    let unknown_id =
        app.send(post(json!({ "extensions": persisted(&sha256_hex("{ __typename }")) }), None)).await;
    assert_eq!(code(&unknown_id).as_deref(), Some("PERSISTED_QUERY_NOT_IN_LIST"));
    // APQ cannot register new documents in this mode.
    let text = "{ __typename }";
    let register =
        app.send(post(json!({ "query": text, "extensions": persisted(&sha256_hex(text)) }), None)).await;
    assert_eq!(code(&register).as_deref(), Some("PERSISTED_QUERY_NOT_IN_LIST"));
    // A registered id sent with some other text is refused.
    let swapped = app.send(post(json!({ "query": text, "extensions": persisted("me-v1") }), None)).await;
    assert_eq!(code(&swapped).as_deref(), Some("PERSISTED_QUERY_HASH_MISMATCH"));
    // GET is held to the same list.
    let get = app
        .send(Request::get(format!("/graphql?query={}", urlencode(text))).body(Body::empty()).unwrap())
        .await;
    assert_eq!(code(&get).as_deref(), Some("PERSISTED_QUERY_NOT_IN_LIST"));
}

#[tokio::test]
async fn the_console_is_served_with_a_strict_policy_or_explains_how_to_get_its_assets() {
    let dir = std::env::temp_dir().join(format!("viva-graphiql-assets-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing_dir = dir.clone();
    let app = TestApp::with_config(|c| c.graphiql_assets = Some(missing_dir)).await;
    let page = app.send(Request::get("/graphiql").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    let text = String::from_utf8_lossy(&page.body).into_owned();
    assert!(text.contains("scripts/fetch-graphiql.sh"), "{text}");
    assert!(!text.contains(dir.to_str().unwrap()), "the page does not reveal server paths");

    for (name, _) in viva_api::graphiql::ASSET_FILES {
        std::fs::write(dir.join(name), format!("/* {name} */")).unwrap();
    }
    let assets_dir = dir.clone();
    let app = TestApp::with_config(|c| c.graphiql_assets = Some(assets_dir)).await;
    let page = app.send(Request::get("/graphiql").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = page.headers["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self'") && policy.contains("default-src 'none'"), "{policy}");
    let html = String::from_utf8_lossy(&page.body).into_owned();
    assert!(!html.contains("http://") && !html.contains("https://"), "no third-party origin: {html}");
    let script =
        app.send(Request::get("/graphiql/assets/graphiql.min.js").body(Body::empty()).unwrap()).await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(String::from_utf8_lossy(&script.body), "/* graphiql.min.js */");
    assert!(script.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    let console = app.send(Request::get("/graphiql/console.js").body(Body::empty()).unwrap()).await;
    assert_eq!(console.status, StatusCode::OK);
    // Only the listed files are served.
    for path in
        ["/graphiql/assets/.viva-graphiql", "/graphiql/assets/..%2FCargo.toml", "/graphiql/assets/x.js"]
    {
        let response = app.send(Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
    }
    std::fs::remove_dir_all(&dir).unwrap();

    // Off means off.
    let app = TestApp::with_config(|c| c.graphiql = false).await;
    let page = app.send(Request::get("/graphiql").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::time::SystemTime::now())
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
