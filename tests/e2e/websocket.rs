//! `/graphql/ws` speaks graphql-transport-ws: authentication in `connection_init`, an
//! initialisation timeout, and the protocol's close codes.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use viva_test_support::TestDatabase;

use crate::server::{Server, Socket};

async fn connect(server: &Server) -> Socket {
    let mut request = server.ws_url.as_str().into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.headers().get("sec-websocket-protocol").unwrap(), "graphql-transport-ws");
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.unwrap();
}

/// The next protocol message, or the close code if the server closed the connection.
async fn receive(socket: &mut Socket) -> Result<Value, u16> {
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("no answer in 10 s");
    match next {
        Some(Ok(Message::Text(text))) => Ok(serde_json::from_str(text.as_str()).unwrap()),
        Some(Ok(Message::Close(Some(frame)))) => Err(u16::from(frame.code)),
        other => panic!("unexpected frame: {other:?}"),
    }
}

async fn sign_up(server: &Server) -> String {
    server
        .graphql(
            None,
            "mutation($i: RegisterInput!) { register(input: $i) { id } }",
            json!({ "i": { "email": "ws@example.org", "password": "copper-kettle-sunrise-9", "fullName": "Wes Socket", "role": "CANDIDATE" } }),
        )
        .await;
    let login = server
        .graphql(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            json!({ "i": { "email": "ws@example.org", "password": "copper-kettle-sunrise-9" } }),
        )
        .await;
    login["data"]["login"]["accessToken"].as_str().expect("signed in").to_owned()
}

#[tokio::test]
async fn the_protocol_authenticates_in_connection_init_and_closes_with_its_codes() {
    let database = TestDatabase::new().await;
    let server = Server::start(&database, &[("VIVA_WS_INIT_TIMEOUT_SECS", "1")]).await;
    let token = sign_up(&server).await;

    // A valid token: acknowledged, and operations run with the user's identity.
    let mut socket = connect(&server).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }),
    )
    .await;
    assert_eq!(receive(&mut socket).await.unwrap()["type"], "connection_ack");
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(receive(&mut socket).await.unwrap()["type"], "pong");
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } }))
        .await;
    let next = receive(&mut socket).await.unwrap();
    assert_eq!((next["id"].as_str(), next["type"].as_str()), (Some("1"), Some("next")));
    assert_eq!(next["payload"]["data"]["me"]["email"], "ws@example.org");
    assert_eq!(receive(&mut socket).await.unwrap(), json!({ "id": "1", "type": "complete" }));
    // An invalid operation is an `error` message with codes, not a closed connection.
    send(&mut socket, json!({ "id": "2", "type": "subscribe", "payload": { "query": "{ nope }" } })).await;
    let error = receive(&mut socket).await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // A second connection_init closes with 4429.
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut socket).await, Err(4429));

    // A bad token: 4403 Forbidden.
    let mut socket = connect(&server).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": "Bearer forged" } }))
        .await;
    assert_eq!(receive(&mut socket).await, Err(4403));

    // No token at all: 4403 Forbidden too.
    let mut socket = connect(&server).await;
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut socket).await, Err(4403));

    // Subscribing before initialising: 4401 Unauthorized.
    let mut socket = connect(&server).await;
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } }))
        .await;
    assert_eq!(receive(&mut socket).await, Err(4401));

    // Saying nothing: 4408 after the initialisation timeout.
    let mut socket = connect(&server).await;
    assert_eq!(receive(&mut socket).await, Err(4408));

    // Garbage: 4400.
    let mut socket = connect(&server).await;
    socket.send(Message::Text("{not json".into())).await.unwrap();
    assert_eq!(receive(&mut socket).await, Err(4400));
}

#[tokio::test]
async fn subscriptions_are_capped_per_connection_and_ids_are_unique() {
    let database = TestDatabase::new().await;
    let server = Server::start(&database, &[("VIVA_MAX_SUBSCRIPTIONS_PER_CONNECTION", "2")]).await;
    let token = sign_up(&server).await;
    let mut socket = connect(&server).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "accessToken": token } })).await;
    assert_eq!(receive(&mut socket).await.unwrap()["type"], "connection_ack");
    let subscribe = |id: &str| json!({ "id": id, "type": "subscribe", "payload": { "query": "subscription { notifications { kind } }" } });
    send(&mut socket, subscribe("a")).await;
    send(&mut socket, subscribe("b")).await;
    send(&mut socket, subscribe("c")).await;
    let refused = receive(&mut socket).await.unwrap();
    assert_eq!((refused["id"].as_str(), refused["type"].as_str()), (Some("c"), Some("error")));
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");
    // Completing one frees a place.
    send(&mut socket, json!({ "id": "a", "type": "complete" })).await;
    send(&mut socket, subscribe("d")).await;
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(receive(&mut socket).await.unwrap()["type"], "pong", "d was accepted without an error");
    // Reusing a live id closes the connection with 4409.
    send(&mut socket, subscribe("b")).await;
    assert_eq!(receive(&mut socket).await, Err(4409));
}

#[tokio::test]
async fn trusted_documents_hold_on_the_socket_and_a_bad_manifest_stops_the_server_in_one_line() {
    let database = TestDatabase::new().await;
    let dir = std::env::temp_dir().join(format!("viva-trusted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let register = "mutation($i: RegisterInput!) { register(input: $i) { id } }";
    let login = "mutation($i: LoginInput!) { login(input: $i) { accessToken } }";
    let watch = "subscription Watch { notifications { kind } }";
    let manifest = dir.join("manifest.json");
    std::fs::write(&manifest, json!({ "register": register, "login": login, "watch": watch }).to_string())
        .unwrap();

    let broken = dir.join("broken.json");
    std::fs::write(&broken, json!({ "x": "query {" }).to_string()).unwrap();
    let refused = crate::server::viva(database.url())
        .arg("serve")
        .env("VIVA_LISTEN", "127.0.0.1:0")
        .env("VIVA_TRUSTED_DOCUMENTS", &broken)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("VIVA_TRUSTED_DOCUMENTS") && !stderr.contains("panicked"), "{stderr}");

    let server = Server::start(&database, &[("VIVA_TRUSTED_DOCUMENTS", manifest.to_str().unwrap())]).await;
    let token = sign_up(&server).await;
    let mut socket = connect(&server).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }),
    )
    .await;
    assert_eq!(receive(&mut socket).await.unwrap()["type"], "connection_ack");
    // Not registered: an error message for that operation; the connection stays open.
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { notifications { kind title } }" } }),
    )
    .await;
    let error = receive(&mut socket).await.unwrap();
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_IN_LIST", "{error}");
    // Registered, by id: accepted (a live subscription sends nothing until an event).
    send(
        &mut socket,
        json!({ "id": "2", "type": "subscribe", "payload": { "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "watch" } } } }),
    )
    .await;
    send(&mut socket, json!({ "type": "ping" })).await;
    let pong = receive(&mut socket).await.unwrap();
    assert_eq!(pong["type"], "pong", "the registered subscription was accepted quietly: {pong}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Signs in and returns the access and refresh tokens.
async fn login(server: &Server, email: &str, password: &str) -> (String, String) {
    let tokens = server.sign_in(email, password).await;
    (tokens["accessToken"].as_str().unwrap().to_owned(), tokens["refreshToken"].as_str().unwrap().to_owned())
}

/// Waits, sending nothing, until the server closes the socket; returns the code and how long
/// it took. Fails after `limit`.
async fn closed_within(socket: &mut Socket, limit: std::time::Duration) -> (u16, std::time::Duration) {
    let started = std::time::Instant::now();
    loop {
        let next = tokio::time::timeout(limit.saturating_sub(started.elapsed()), socket.next())
            .await
            .unwrap_or_else(|_| panic!("the socket was still open after {limit:?}"));
        match next {
            Some(Ok(Message::Close(Some(frame)))) => return (u16::from(frame.code), started.elapsed()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            None | Some(Err(_)) => panic!("the socket ended without a close frame"),
            other => panic!("unexpected frame: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_socket_ends_when_its_session_or_account_ends_and_lives_only_as_long_as_its_token() {
    let database = TestDatabase::new().await;
    let server = Server::start(&database, &[("VIVA_ACCESS_TOKEN_TTL_SECS", "4")]).await;
    let (email, password) = ("ws@example.org", "copper-kettle-sunrise-9");
    sign_up(&server).await;

    // Signed out everywhere (over HTTP, on another session): the idle socket closes with 4403.
    let (token, _) = login(&server, email, password).await;
    let mut socket = server.subscribe_notifications(&token, "kind").await;
    let (other, _) = login(&server, email, password).await;
    let ended = server.graphql(Some(&other), "mutation { logoutEverywhere }", json!({})).await;
    assert!(ended["data"]["logoutEverywhere"].as_i64().unwrap() >= 2, "{ended}");
    let (code, took) = closed_within(&mut socket, std::time::Duration::from_secs(5)).await;
    assert_eq!(code, 4403);
    eprintln!("closed {took:?} after logoutEverywhere");

    // Deactivated by an admin: the same.
    crate::server::create_root_admin(database.url());
    let (admin, _) = login(&server, "root@example.org", "granite-lighthouse-echo-4").await;
    let (token, _) = login(&server, email, password).await;
    let me = server.graphql(Some(&token), "{ me { id } }", json!({})).await;
    let mut socket = server.subscribe_notifications(&token, "kind").await;
    let deactivated = server
        .graphql(
            Some(&admin),
            "mutation($u: ID!) { setUserActive(userId: $u, active: false) { id } }",
            json!({ "u": me["data"]["me"]["id"] }),
        )
        .await;
    assert!(deactivated["data"]["setUserActive"]["id"].is_string(), "{deactivated}");
    assert_eq!(closed_within(&mut socket, std::time::Duration::from_secs(5)).await.0, 4403);
    server
        .graphql(
            Some(&admin),
            "mutation($u: ID!) { setUserActive(userId: $u, active: true) { id } }",
            json!({ "u": me["data"]["me"]["id"] }),
        )
        .await;

    // The token lives 4 s. Renewed with a ping carrying a newer token of the same session, the
    // socket outlives the first token, then ends when the second one expires.
    let (token, refresh) = login(&server, email, password).await;
    let opened = std::time::Instant::now();
    let mut socket = server.subscribe_notifications(&token, "kind").await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let refreshed = server
        .graphql(
            None,
            "mutation($i: RefreshSessionInput!) { refreshSession(input: $i) { accessToken } }",
            json!({ "i": { "refreshToken": refresh } }),
        )
        .await;
    let renewed = refreshed["data"]["refreshSession"]["accessToken"].as_str().expect("refreshed").to_owned();
    send(&mut socket, json!({ "type": "ping", "payload": { "authorization": format!("Bearer {renewed}") } }))
        .await;
    assert_eq!(receive(&mut socket).await.unwrap()["type"], "pong");
    tokio::time::sleep(std::time::Duration::from_secs(5).saturating_sub(opened.elapsed())).await;
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(receive(&mut socket).await.unwrap()["type"], "pong", "open past the first token's expiry");
    let (code, _) = closed_within(&mut socket, std::time::Duration::from_secs(5)).await;
    assert_eq!(code, 4403);
    assert!(opened.elapsed() >= std::time::Duration::from_secs(5), "{:?}", opened.elapsed());

    // A ping with a token of someone else's (or no valid) session ends the connection.
    let (token, _) = login(&server, email, password).await;
    let mut socket = server.subscribe_notifications(&token, "kind").await;
    send(&mut socket, json!({ "type": "ping", "payload": { "accessToken": admin } })).await;
    assert_eq!(closed_within(&mut socket, std::time::Duration::from_secs(5)).await.0, 4403);
}

#[tokio::test]
async fn socket_messages_are_held_to_the_body_limit_and_connections_are_capped_per_address() {
    let database = TestDatabase::new().await;
    let server = Server::start(
        &database,
        &[("VIVA_MAX_BODY_BYTES", "4096"), ("VIVA_MAX_WS_CONNECTIONS_PER_ADDRESS", "3")],
    )
    .await;

    // A message over the limit, even before `connection_init`, ends the connection unparsed.
    let mut socket = connect(&server).await;
    let huge = json!({ "type": "connection_init", "payload": { "pad": "x".repeat(64 * 1024) } });
    let _ = socket.send(Message::Text(huge.to_string().into())).await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("closed in time");
    match ended {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 1009, "{frame:?}"),
        None | Some(Err(_)) | Some(Ok(Message::Close(None))) => {}
        other => panic!("the oversized message was answered: {other:?}"),
    }
    drop(socket);

    // Three connections from one address at once; a fourth is refused at the handshake.
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(connect(&server).await);
    }
    let mut request = server.ws_url.as_str().into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("a fourth connection was accepted: {:?}", other.map(|(_, r)| r.status())),
    }
    // Closing one frees its place.
    drop(open.pop());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let mut request = server.ws_url.as_str().into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        if tokio_tungstenite::connect_async(request).await.is_ok() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the closed connection's place was never freed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
