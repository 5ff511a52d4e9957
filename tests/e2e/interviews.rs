//! The interview workflow against the real binary: scheduling, answering, live events over
//! WebSocket, results; and a practice session.

use std::time::Duration;

use chrono::Utc;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use viva_test_support::TestDatabase;

use crate::server::{Server, Socket, migrate_and_seed};

const DEMO_PASSWORD: &str = "viva-demo-passphrase";

pub(crate) async fn token(server: &Server, email: &str) -> String {
    let login = server
        .graphql(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            json!({ "i": { "email": email, "password": DEMO_PASSWORD } }),
        )
        .await;
    login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{email} signs in: {login}"))
        .to_owned()
}

pub(crate) fn ok(response: Value, field: &str) -> Value {
    assert!(response["errors"].is_null(), "{field}: {response}");
    response["data"][field].clone()
}

/// A server over a seeded database (question bank; demo HR user with an assigned candidate),
/// with both demo users signed in.
struct Seeded {
    server: Server,
    hr: String,
    candidate: String,
    candidate_id: Value,
    _database: TestDatabase,
}

async fn seeded() -> Seeded {
    let database = TestDatabase::new().await;
    migrate_and_seed(&database);
    // These flows test the interview mechanics; the AI pipeline has its own tests (evaluation.rs).
    let server = Server::start(&database, &[("VIVA_WORKERS_IN_SERVE", "false")]).await;
    let hr = token(&server, "hr@viva.test").await;
    let candidate = token(&server, "candidate@viva.test").await;
    let assigned = ok(
        server.graphql(Some(&hr), "{ assignedCandidates { edges { node { id } } } }", json!({})).await,
        "assignedCandidates",
    );
    let candidate_id = assigned["edges"][0]["node"]["id"].clone();
    Seeded { server, hr, candidate, candidate_id, _database: database }
}

/// Schedules an interview, open now, for the demo candidate; returns its id.
async fn schedule(s: &Seeded, role: &str, difficulty: &str, count: i32) -> String {
    let input = json!({
        "candidateId": s.candidate_id, "role": role, "difficulty": difficulty, "questionCount": count,
        "windowStart": (Utc::now() - chrono::Duration::minutes(5)).to_rfc3339(),
        "windowEnd": (Utc::now() + chrono::Duration::hours(1)).to_rfc3339(),
    });
    let scheduled = ok(
        s.server
            .graphql(
                Some(&s.hr),
                "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await,
        "scheduleInterview",
    );
    scheduled["id"].as_str().unwrap().to_owned()
}

/// Signs in the demo HR user and candidate, schedules a backend-engineer interview of `count`
/// medium questions, open now, for that candidate, and starts it as the candidate; returns the
/// HR user's and the candidate's tokens and the interview's id.
pub(crate) async fn demo_interview_started(server: &Server, count: i32) -> (String, String, String) {
    let hr = token(server, "hr@viva.test").await;
    let candidate = token(server, "candidate@viva.test").await;
    let assigned = ok(
        server.graphql(Some(&hr), "{ assignedCandidates { edges { node { id } } } }", json!({})).await,
        "assignedCandidates",
    );
    let input = json!({
        "candidateId": assigned["edges"][0]["node"]["id"], "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": count,
        "windowStart": (Utc::now() - chrono::Duration::minutes(5)).to_rfc3339(),
        "windowEnd": (Utc::now() + chrono::Duration::hours(1)).to_rfc3339(),
    });
    let scheduled = server
        .graphql(
            Some(&hr),
            "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    let id = ok(scheduled, "scheduleInterview")["id"].as_str().unwrap().to_owned();
    let started = server
        .graphql(
            Some(&candidate),
            "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    ok(started, "startInterview");
    (hr, candidate, id)
}

/// Opens a WebSocket as `token` and subscribes (as `watch`) to an interview's events.
async fn watch(server: &Server, token: &str, id: &str, selection: &str) -> Socket {
    let mut request = server.ws_url.as_str().into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "accessToken": token } });
    socket.send(Message::Text(init.to_string().into())).await.unwrap();
    assert!(socket.next().await.unwrap().unwrap().to_text().unwrap().contains("connection_ack"));
    let query = format!("subscription($id: ID!) {{ interviewEvents(interviewId: $id) {{ {selection} }} }}");
    let subscribe = json!({ "id": "watch", "type": "subscribe", "payload": { "query": query, "variables": { "id": id } } });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    crate::server::listening(&mut socket).await;
    socket
}

#[tokio::test]
async fn an_hr_user_schedules_watches_and_scores_an_interview_the_candidate_takes() {
    let seeded = seeded().await;
    let (server, hr, candidate) = (&seeded.server, &seeded.hr, &seeded.candidate);
    let id = schedule(&seeded, "product-manager", "MEDIUM", 3).await;

    // The HR user watches the interview live.
    let mut socket = watch(server, hr, &id, "kind status answer { id text }").await;

    // The candidate sees it, starts, and answers every question.
    let mine = ok(
        server
            .graphql(
                Some(candidate),
                "{ interviews(filter: { statuses: [SCHEDULED] }) { edges { node { id } } } }",
                json!({}),
            )
            .await,
        "interviews",
    );
    assert_eq!(mine["edges"][0]["node"]["id"], id.as_str());
    ok(
        server
            .graphql(
                Some(candidate),
                "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
                json!({ "id": id }),
            )
            .await,
        "startInterview",
    );
    let mut sent = Vec::new();
    for n in 0..3 {
        let current = ok(
            server
                .graphql(
                    Some(candidate),
                    "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
                    json!({ "id": id }),
                )
                .await,
            "currentQuestion",
        );
        let text = format!(
            "Answer {n}: I would start from the customer problem and the metric that shows it is solved."
        );
        let submitted = ok(
            server
                .graphql(Some(candidate), "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }", json!({ "id": id, "a": { "questionId": current["id"], "text": text, "idempotencyKey": format!("e2e-answer-{n}") } }))
                .await,
            "submitAnswer",
        );
        sent.push(submitted["answer"]["id"].as_str().unwrap().to_owned());
    }

    // The HR user received the start, each answer in order, and the completion.
    let mut kinds = Vec::new();
    let mut answers = Vec::new();
    while kinds.last().map(String::as_str) != Some("INTERVIEW_COMPLETED") {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("event in time")
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(frame.to_text().unwrap()).unwrap();
        let event = &message["payload"]["data"]["interviewEvents"];
        kinds.push(event["kind"].as_str().unwrap().to_owned());
        if let Some(answer) = event["answer"]["id"].as_str() {
            answers.push(answer.to_owned());
        }
    }
    assert_eq!(
        kinds,
        ["INTERVIEW_STARTED", "ANSWER_RECEIVED", "ANSWER_RECEIVED", "ANSWER_RECEIVED", "INTERVIEW_COMPLETED"]
    );
    assert_eq!(answers, sent, "answers arrive in the order they were given");

    // The HR user records the result and overrides a score; the candidate sees both.
    ok(server.graphql(Some(hr), "mutation($id: ID!) { submitInterviewResult(interviewId: $id, input: { overallScore: 74, feedback: \"Good structure\" }) { status } }", json!({ "id": id })).await, "submitInterviewResult");
    ok(server.graphql(Some(hr), "mutation($a: ID!) { overrideAnswerScore(answerId: $a, score: 88, reason: \"Strong prioritisation\") { humanScore } }", json!({ "a": sent[0] })).await, "overrideAnswerScore");
    let seen = ok(server.graphql(Some(candidate), "query($id: ID!) { interview(id: $id) { status result { overallScore grade } answers { id aiScore humanScore humanScoreReason } } }", json!({ "id": id })).await, "interview");
    assert_eq!(seen["status"], "EVALUATED");
    assert_eq!(seen["result"], json!({ "overallScore": 74, "grade": "C" }));
    let first =
        seen["answers"].as_array().unwrap().iter().find(|a| a["id"] == sent[0].as_str()).unwrap().clone();
    // No worker runs beside this server, so the AI has not scored it; the person's score shows.
    assert!(first["aiScore"].is_null(), "{first}");
    assert_eq!(first["humanScore"], 88);
    assert_eq!(first["humanScoreReason"], "Strong prioritisation");

    // A practice session, start to finish.
    let practice = ok(server.graphql(Some(candidate), "mutation { startPracticeInterview(input: { role: \"sales-representative\", difficulty: HARD, questionCount: 2 }) { id questions { id } } }", json!({})).await, "startPracticeInterview");
    let practice_id = practice["id"].as_str().unwrap();
    for n in 0..2 {
        let current = ok(
            server
                .graphql(
                    Some(candidate),
                    "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
                    json!({ "id": practice_id }),
                )
                .await,
            "currentQuestion",
        );
        ok(server.graphql(Some(candidate), "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }", json!({ "id": practice_id, "a": { "questionId": current["id"], "text": "I qualify the budget, the authority and the timeline before proposing.", "idempotencyKey": format!("practice-key-{n}") } })).await, "submitAnswer");
    }
    let done = ok(
        server
            .graphql(
                Some(candidate),
                "query($id: ID!) { interview(id: $id) { status questions { idealAnswer } } }",
                json!({ "id": practice_id }),
            )
            .await,
        "interview",
    );
    assert_eq!(done["status"], "COMPLETED");
    assert!(done["questions"][1]["idealAnswer"].is_string());
}

#[tokio::test]
async fn a_watcher_whose_session_ends_stops_receiving_interview_events() {
    let seeded = seeded().await;
    let (server, hr, candidate) = (&seeded.server, &seeded.hr, &seeded.candidate);
    let id = schedule(&seeded, "backend-engineer", "EASY", 1).await;
    let mut socket = watch(server, hr, &id, "kind").await;

    // The HR user signs out everywhere; the candidate's next move is not delivered to them.
    ok(server.graphql(Some(hr), "mutation { logoutEverywhere }", json!({})).await, "logoutEverywhere");
    ok(
        server
            .graphql(
                Some(candidate),
                "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
                json!({ "id": id }),
            )
            .await,
        "startInterview",
    );
    // No event arrives: the server ends the connection itself (4403, the session is gone), at
    // most after an `error` message ending the operation.
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("the connection ends in time")
            .unwrap()
            .unwrap();
        match frame {
            Message::Close(Some(close)) => {
                assert_eq!(u16::from(close.code), 4403);
                break;
            }
            Message::Text(text) => {
                let message: Value = serde_json::from_str(text.as_str()).unwrap();
                assert_eq!(
                    (message["id"].as_str(), message["type"].as_str()),
                    (Some("watch"), Some("error")),
                    "{message}"
                );
            }
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected frame: {other:?}"),
        }
    }
}
