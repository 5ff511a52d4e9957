//! Load benchmark for interviews: the nested interviews list (20 items with candidates,
//! questions, answers and progress) and `submitAnswer`, each from 32 concurrent clients against
//! the real release binary. Prints throughput and p50/p99. Run with `make bench`.

// A benchmark is a program that reports on stdout and stops loudly when set-up fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use support::{CLIENTS, PHASE, graphql, start, timed};
use viva_test_support::TestDatabase;

const DEMO_PASSWORD: &str = "viva-demo-passphrase";
const NESTED: &str = "{ interviews(first: 20) { edges { node { id status candidate { fullName } questions { text } answers { text } progress { answered total } } } } }";
const SUBMIT: &str = "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } interview { id status questions { id } } } }";

/// A practice session in progress: its id, and the question to answer next.
type Session = Option<(Value, Value)>;

async fn demo_token(client: &reqwest::Client, base: &str, email: &str) -> String {
    support::login(client, base, email, DEMO_PASSWORD).await["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::main]
async fn main() {
    let database = TestDatabase::new().await;
    support::seed(&database);
    let server = start(&database).await;
    let base: Arc<str> = server.base.clone().into();
    let client = support::http().pool_max_idle_per_host(64).build().unwrap();
    let hr = demo_token(&client, &base, "hr@viva.test").await;
    let cand = demo_token(&client, &base, "candidate@viva.test").await;

    // 25 interviews of 5 questions for the demo candidate, each started with 2 answers.
    let assigned =
        graphql(&client, &base, Some(&hr), "{ assignedCandidates { edges { node { id } } } }", json!({}))
            .await;
    let candidate_id = assigned["data"]["assignedCandidates"]["edges"][0]["node"]["id"].clone();
    for n in 0..25 {
        let (id, questions) =
            support::scheduled_and_started(&client, &base, (hr.as_str(), cand.as_str()), &candidate_id, 5)
                .await;
        for (q, question) in questions.iter().take(2).enumerate() {
            let a = json!({ "questionId": question["id"], "text": "I would measure first, then change one thing at a time.", "idempotencyKey": format!("seed-{n}-{q}-key") });
            graphql(&client, &base, Some(&cand), SUBMIT, json!({ "id": id, "a": a })).await;
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "viva interviews benchmark: {CLIENTS} concurrent clients, {}s per phase, {cores} cores",
        PHASE.as_secs()
    );

    // Phase 1: the nested list, as the HR user.
    let (c, b, t) = (client.clone(), base.clone(), Arc::new(hr.clone()));
    let (mut listed, elapsed) = timed(CLIENTS, move |_| {
        let (c, b, t) = (c.clone(), b.clone(), t.clone());
        async move {
            let response = graphql(&c, &b, Some(&t), NESTED, json!({})).await;
            assert_eq!(
                response["data"]["interviews"]["edges"].as_array().map(Vec::len),
                Some(20),
                "{response}"
            );
        }
    })
    .await;
    listed.report("interviews list, 20 nested items (32 clients)", elapsed);

    // Phase 2: submitAnswer from 32 candidates, each working through 20-question practice sessions.
    let mut tokens = Vec::new();
    for i in 0..CLIENTS {
        tokens.push(support::candidate(&client, &base, &format!("bench-candidate-{i}@example.org")).await);
    }
    let tokens = Arc::new(tokens);
    let counter = Arc::new(AtomicUsize::new(0));
    // Per client: the practice session in progress (id, and the question to answer next).
    let sessions: Arc<Vec<tokio::sync::Mutex<Session>>> =
        Arc::new((0..CLIENTS).map(|_| tokio::sync::Mutex::new(None)).collect());
    let (c, b) = (client.clone(), base.clone());
    let (mut submitted, elapsed) = timed(CLIENTS, move |i| {
        let (c, b, tokens, counter, sessions) = (c.clone(), b.clone(), tokens.clone(), counter.clone(), sessions.clone());
        async move {
            let mut session = sessions[i].lock().await;
            if session.is_none() {
                // Starting a session is inside the timed call: it happens once per 20 answers.
                let practice = graphql(&c, &b, Some(&tokens[i]), "mutation { startPracticeInterview(input: { role: \"devops-engineer\", difficulty: MEDIUM, questionCount: 20 }) { id questions { id } } }", json!({})).await;
                let practice = &practice["data"]["startPracticeInterview"];
                *session = Some((practice["id"].clone(), practice["questions"][0]["id"].clone()));
            }
            let (interview, question) = session.clone().unwrap();
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let a = json!({ "questionId": question, "text": "I would roll out behind a flag, watch the error budget and roll back on regression.", "idempotencyKey": format!("bench-answer-{n:08}") });
            let response = graphql(&c, &b, Some(&tokens[i]), SUBMIT, json!({ "id": interview, "a": a })).await;
            let after = &response["data"]["submitAnswer"]["interview"];
            assert!(after["id"].is_string(), "{response}");
            // While answering, the questions shown end with the one to answer next.
            *session = (after["status"] == "IN_PROGRESS").then(|| (interview, after["questions"].as_array().unwrap().last().unwrap()["id"].clone()));
        }
    })
    .await;
    submitted.report("submitAnswer (32 clients, 1 in 20 also starts a session)", elapsed);
    drop(server);
}
