//! A soak of the WebSocket path: 1,000 live subscriptions on 1,000 connections of 100 users;
//! half the users sign out everywhere. Every one of their sockets must close (4403) within
//! 5 seconds, and every socket of the others must go on receiving.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use viva_test_support::TestDatabase;

use crate::server::{Server, Socket};

const USERS: usize = 100;
const SOCKETS_PER_USER: usize = 10;

/// What the socket does next: `Ok(kind)` for a notification, `Err(code)` when closed.
async fn next_event(socket: &mut Socket, limit: Duration) -> Result<String, u16> {
    loop {
        let frame = tokio::time::timeout(limit, socket.next()).await.map_err(|_| 0u16)?;
        match frame {
            Some(Ok(Message::Text(text))) => {
                let message: Value = serde_json::from_str(text.as_str()).unwrap();
                if message["type"] == "next" {
                    return Ok(message["payload"]["data"]["notifications"]["kind"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned());
                }
            }
            Some(Ok(Message::Close(Some(frame)))) => return Err(u16::from(frame.code)),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("unexpected frame: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_the_users_sign_out_everywhere_and_only_their_sockets_close_in_time() {
    let database = TestDatabase::new().await;
    let server = Server::start(
        &database,
        &[
            ("VIVA_MAX_WS_CONNECTIONS_PER_ADDRESS", "2000"),
            ("VIVA_MAX_REQUESTS_PER_ADDRESS", "1000"),
            ("VIVA_DB_POOL_SIZE", "32"),
        ],
    )
    .await;
    crate::server::create_root_admin(database.url());
    let admin = server.sign_in("root@example.org", "granite-lighthouse-echo-4").await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let password = "copper-kettle-sunrise-9";
    let mut users = Vec::new();
    for i in 0..USERS {
        let email = format!("hr{i}@example.org");
        server
            .graphql(
                None,
                "mutation($i: RegisterInput!) { register(input: $i) { id } }",
                json!({ "i": { "email": email, "password": password, "fullName": format!("Harper {i}"), "role": "HR" } }),
            )
            .await;
        let token =
            server.sign_in(&email, password).await["accessToken"].as_str().expect("signed in").to_owned();
        users.push((email, token));
    }
    let opened = Instant::now();
    let mut sockets: Vec<Vec<Socket>> = Vec::new();
    for (_, token) in &users {
        let mut mine = Vec::new();
        for _ in 0..SOCKETS_PER_USER {
            mine.push(server.subscribe_notifications(token, "kind").await);
        }
        sockets.push(mine);
    }
    eprintln!("{} subscriptions open in {:?}", USERS * SOCKETS_PER_USER, opened.elapsed());
    // Every subscription is live before anything happens: a ping round trip on each socket
    // comes after its subscribe was read.
    for socket in sockets.iter_mut().flatten() {
        socket.send(Message::Text(json!({ "type": "ping" }).to_string().into())).await.unwrap();
        let pong =
            tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
        assert!(pong.to_text().unwrap().contains("pong"), "{pong:?}");
    }

    // The first half sign out everywhere, each over HTTP.
    let (leaving, staying) = sockets.split_at_mut(USERS / 2);
    let signed_out = Instant::now();
    for (_, token) in &users[..USERS / 2] {
        let ended = server.graphql(Some(token), "mutation { logoutEverywhere }", json!({})).await;
        assert!(ended["data"]["logoutEverywhere"].is_number(), "{ended}");
    }
    let deadline = signed_out + Duration::from_secs(5);
    let closes = leaving.iter_mut().flatten().map(|socket| async move {
        let left = deadline.saturating_duration_since(Instant::now());
        next_event(socket, left).await
    });
    let outcomes = futures_util::future::join_all(closes).await;
    let closed = outcomes.iter().filter(|o| **o == Err(4403)).count();
    eprintln!("{closed} of {} sockets closed within {:?}", outcomes.len(), signed_out.elapsed());
    assert_eq!(
        closed,
        outcomes.len(),
        "not every socket of the signed-out users closed with 4403 in 5 s: {:?}",
        outcomes.iter().filter(|o| **o != Err(4403)).take(5).collect::<Vec<_>>()
    );

    // The others keep receiving: an invitation reaches every socket of every remaining user.
    let invited = Instant::now();
    for (email, _) in &users[USERS / 2..] {
        let invitation = server
            .graphql(
                Some(&admin),
                "mutation($e: String!) { inviteHr(email: $e) { id } }",
                json!({ "e": email }),
            )
            .await;
        assert!(invitation["data"]["inviteHr"]["id"].is_string(), "{invitation}");
    }
    let receipts = staying.iter_mut().flatten().map(|socket| next_event(socket, Duration::from_secs(20)));
    let received = futures_util::future::join_all(receipts).await;
    let delivered = received.iter().filter(|r| r.as_deref() == Ok("HR_INVITATION")).count();
    eprintln!(
        "{delivered} of {} staying sockets received their event within {:?}",
        received.len(),
        invited.elapsed()
    );
    assert_eq!(delivered, received.len());
}
