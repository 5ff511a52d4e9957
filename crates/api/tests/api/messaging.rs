//! Messages between an HR user and their candidates.

use serde_json::json;
use viva_test_support::TestApp;

const SEND: &str = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id body sentByMe conversationId sender { id } readAt } }";
const CONVERSATIONS: &str = "{ conversations { count edges { node { id unreadCount participant { id fullName } lastMessage { body } } } } }";

#[tokio::test]
async fn hr_and_their_candidate_converse_with_unread_counts() {
    let app = TestApp::new().await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;

    let first = app
        .graphql_as(
            &hr,
            SEND,
            json!({ "i": { "recipientId": candidate.id, "body": "  Hello Cara, welcome!  " } }),
        )
        .await;
    let first = &first.data()["sendMessage"];
    assert_eq!(first["body"], "Hello Cara, welcome!");
    assert_eq!(first["sentByMe"], true);
    let conversation = first["conversationId"].as_str().unwrap().to_owned();

    let unread = app.graphql_as(&candidate, "{ unreadCount }", json!({})).await;
    assert_eq!(unread.data()["unreadCount"], 1);
    let listed = app.graphql_as(&candidate, CONVERSATIONS, json!({})).await;
    let node = &listed.data()["conversations"]["edges"][0]["node"];
    assert_eq!(node["participant"]["id"], hr.id.as_str());
    assert_eq!(node["unreadCount"], 1);
    assert_eq!(node["lastMessage"]["body"], "Hello Cara, welcome!");
    let notes = app
        .graphql_as(
            &candidate,
            "{ notifications(unreadOnly: true) { edges { node { kind data } } } }",
            json!({}),
        )
        .await;
    let note = notes.data()["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["kind"] == "NEW_MESSAGE")
        .cloned()
        .unwrap();
    assert_eq!(note["node"]["data"]["conversationId"], conversation.as_str());

    // The candidate replies in the conversation, and reads the HR message.
    let reply = app
        .graphql_as(
            &candidate,
            SEND,
            json!({ "i": { "conversationId": conversation, "body": "Thank you!" } }),
        )
        .await;
    assert_eq!(reply.data()["sendMessage"]["sender"]["id"], candidate.id.as_str());
    let message_id = first["id"].as_str().unwrap();
    let read = app
        .graphql_as(
            &candidate,
            "mutation($m: ID!) { markMessageRead(messageId: $m) { readAt } }",
            json!({ "m": message_id }),
        )
        .await;
    assert!(read.data()["markMessageRead"]["readAt"].is_string());
    assert_eq!(app.graphql_as(&candidate, "{ unreadCount }", json!({})).await.data()["unreadCount"], 0);
    let unread_again = app
        .graphql_as(
            &candidate,
            "mutation($m: ID!) { markMessageRead(messageId: $m, read: false) { readAt } }",
            json!({ "m": message_id }),
        )
        .await;
    assert!(unread_again.data()["markMessageRead"]["readAt"].is_null());
    // Only the recipient marks a message.
    app.graphql_as(
        &hr,
        "mutation($m: ID!) { markMessageRead(messageId: $m) { readAt } }",
        json!({ "m": message_id }),
    )
    .await
    .expect_error("BAD_USER_INPUT");

    let history = app.graphql_as(&hr, "query($c: ID!) { messages(conversationId: $c, first: 1) { count pageInfo { hasNextPage endCursor } edges { node { body } } } }", json!({ "c": conversation })).await;
    let page = &history.data()["messages"];
    assert_eq!(page["edges"][0]["node"]["body"], "Thank you!");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let cursor = page["pageInfo"]["endCursor"].as_str().unwrap();
    let next = app.graphql_as(&hr, "query($c: ID!, $a: String) { messages(conversationId: $c, first: 5, after: $a) { edges { node { body } } pageInfo { hasNextPage } } }", json!({ "c": conversation, "a": cursor })).await;
    assert_eq!(next.data()["messages"]["edges"][0]["node"]["body"], "Hello Cara, welcome!");
    assert_eq!(next.data()["messages"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn strangers_cannot_message_or_read() {
    let app = TestApp::new().await;
    let (admin, hr, other_hr, candidate, stranger) =
        (app.admin().await, app.hr().await, app.hr().await, app.candidate().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.map_hr(&admin, &other_hr).await;
    app.assign(&admin, &candidate, &hr).await;
    let sent = app.graphql_as(&hr, SEND, json!({ "i": { "recipientId": candidate.id, "body": "Hi" } })).await;
    let conversation = sent.data()["sendMessage"]["conversationId"].as_str().unwrap().to_owned();

    app.graphql_as(&other_hr, SEND, json!({ "i": { "recipientId": candidate.id, "body": "Hi" } }))
        .await
        .expect_error("FORBIDDEN");
    app.graphql_as(&stranger, SEND, json!({ "i": { "recipientId": hr.id, "body": "Hi" } }))
        .await
        .expect_error("FORBIDDEN");
    app.graphql_as(&candidate, SEND, json!({ "i": { "recipientId": stranger.id, "body": "Hi" } }))
        .await
        .expect_error("FORBIDDEN");
    app.graphql_as(&admin, SEND, json!({ "i": { "recipientId": candidate.id, "body": "Hi" } }))
        .await
        .expect_error("FORBIDDEN");
    app.graphql_as(&other_hr, SEND, json!({ "i": { "conversationId": conversation, "body": "Hi" } }))
        .await
        .expect_error("NOT_FOUND");
    app.graphql_as(
        &stranger,
        "query($c: ID!) { messages(conversationId: $c) { count } }",
        json!({ "c": conversation }),
    )
    .await
    .expect_error("NOT_FOUND");
    app.graphql_as(&hr, SEND, json!({ "i": { "recipientId": candidate.id, "body": "" } }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.graphql_as(&hr, SEND, json!({ "i": { "recipientId": candidate.id, "body": "x".repeat(5001) } }))
        .await
        .expect_error("BAD_USER_INPUT");
}
