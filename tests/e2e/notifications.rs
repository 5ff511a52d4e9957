//! Notifications cross replicas through PostgreSQL LISTEN/NOTIFY, and keep flowing after the
//! database restarts.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use viva_test_support::EphemeralPostgres;

use crate::server::{Server, Socket};

async fn register(server: &Server, email: &str, role: &str) -> (String, String) {
    let password = "copper-kettle-sunrise-9";
    server
        .graphql(
            None,
            "mutation($i: RegisterInput!) { register(input: $i) { id } }",
            json!({ "i": { "email": email, "password": password, "fullName": email, "role": role } }),
        )
        .await;
    let login = server.sign_in(email, password).await;
    (
        login["accessToken"].as_str().expect("signed in").to_owned(),
        login["user"]["id"].as_str().unwrap().to_owned(),
    )
}

/// The next notification on the socket, skipping pings.
async fn next_notification(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("no notification within 20 s");
        match frame {
            Some(Ok(Message::Text(text))) => {
                let message: Value = serde_json::from_str(text.as_str()).unwrap();
                assert_eq!(message["type"], "next", "{message}");
                return message["payload"]["data"]["notifications"].clone();
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("unexpected frame: {other:?}"),
        }
    }
}

/// Sends a message, retrying while the server's pool reconnects after a restart.
async fn send_message(server: &Server, token: &str, to: &str, body: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let sent = server
            .graphql(
                Some(token),
                "mutation($r: ID!, $b: String!) { sendMessage(input: { recipientId: $r, body: $b }) { id } }",
                json!({ "r": to, "b": body }),
            )
            .await;
        if sent["data"]["sendMessage"]["id"].is_string() {
            return;
        }
        assert!(Instant::now() < deadline, "sendMessage kept failing: {sent}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_message_sent_through_one_server_reaches_a_subscriber_on_another_even_after_a_database_restart() {
    let postgres = EphemeralPostgres::start();
    postgres.create_database("viva").await;
    let url = postgres.url("viva");
    // One server migrates first; the second then finds the schema up to date.
    let first = Server::start_on(&url, &[]).await;
    let second = Server::start_on(&url, &[]).await;

    crate::server::create_root_admin(&url);
    let admin_password = crate::server::ROOT_PASSWORD;
    let admin = first.sign_in("root@example.org", admin_password).await;
    let admin_token = admin["accessToken"].as_str().unwrap().to_owned();
    let (hr_token, hr_id) = register(&first, "hr@example.org", "HR").await;
    let (candidate_token, candidate_id) = register(&second, "cara@example.org", "CANDIDATE").await;

    let applied = first
        .graphql(
            Some(&hr_token),
            "mutation($a: ID!) { applyToAdmin(adminId: $a) { id } }",
            json!({ "a": admin["user"]["id"] }),
        )
        .await;
    let application = applied["data"]["applyToAdmin"]["id"].as_str().expect("applied").to_owned();
    first
        .graphql(
            Some(&admin_token),
            "mutation($id: ID!) { respondToApplication(applicationId: $id, accept: true) { id } }",
            json!({ "id": application }),
        )
        .await;
    let assigned = first
        .graphql(
            Some(&admin_token),
            "mutation($c: ID!, $h: ID!) { assignCandidate(candidateId: $c, hrId: $h) { id } }",
            json!({ "c": candidate_id, "h": hr_id }),
        )
        .await;
    assert!(assigned["data"]["assignCandidate"]["id"].is_string(), "{assigned}");

    // The candidate listens on the second server; the HR user writes through the first.
    let mut socket = second.subscribe_notifications(&candidate_token, "kind title data").await;
    send_message(&first, &hr_token, &candidate_id, "Welcome, Cara").await;
    let note = next_notification(&mut socket).await;
    assert_eq!(note["kind"], "NEW_MESSAGE");
    assert_eq!(note["title"], "New message from hr@example.org");

    // The database restarts under both servers; neither is restarted.
    postgres.restart();
    send_message(&first, &hr_token, &candidate_id, "Are you still there?").await;
    let note = next_notification(&mut socket).await;
    assert_eq!(note["kind"], "NEW_MESSAGE");
    // And live delivery continues.
    send_message(&first, &hr_token, &candidate_id, "Great").await;
    let note = next_notification(&mut socket).await;
    assert_eq!(note["kind"], "NEW_MESSAGE");
    drop((first, second));
}
