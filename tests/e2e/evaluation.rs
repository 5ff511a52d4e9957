//! Crash safety of the evaluation pipeline: 50+ evaluations queued, the worker killed with
//! SIGKILL mid-way, a new one started; every answer ends with exactly one current evaluation
//! and every interview evaluated. A job that always fails ends dead after its attempts.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use viva_test_support::TestDatabase;

use crate::interviews::{ok, token};
use crate::server::{Server, migrate_and_seed, viva};

const ANSWERS: [&str; 4] = [
    "At my last job our checkout API slowed down every evening. I looked at the logs and the query plan, found a missing index on the orders table, added it and wrote a regression test; p99 latency fell from 900 ms to 120 ms.",
    "Um, I guess I would basically just talk to people and, you know, figure it out as a team.",
    "I would first clarify the goal with the stakeholders, then list the options with their trade-offs, pick the cheapest reversible one, and measure the result against a metric we agreed on up front.",
    "Honestly it was not my fault, the other team never told us about the change so there was nothing I could do.",
];

fn model_dir() -> String {
    viva_candle::locate(None)
        .expect("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh")
        .display()
        .to_string()
}

fn start_worker(database: &TestDatabase, model: &str) -> Child {
    viva(database.url())
        .arg("worker")
        .env("VIVA_MODEL_DIR", model)
        .env("VIVA_WORKER_LEASE_SECS", "3")
        .env("VIVA_WORKER_CONCURRENCY", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start viva worker")
}

/// Every answer's evaluation history (staff view), over all the interviews.
async fn histories(server: &Server, admin: &str, ids: &[String]) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for id in ids {
        let interview = ok(
            server
                .graphql(
                    Some(admin),
                    "query($id: ID!) { interview(id: $id) { answers { evaluations { current provenance { provider model rubricVersion } } } } }",
                    json!({ "id": id }),
                )
                .await,
            "interview",
        );
        for answer in interview["answers"].as_array().expect("answers") {
            out.push(answer["evaluations"].as_array().expect("evaluations").clone());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_loses_nothing_and_duplicates_nothing() {
    let database = TestDatabase::new().await;
    migrate_and_seed(&database);
    let model = model_dir();
    // The API alone: answers queue up with nobody evaluating them.
    let server =
        Server::start(&database, &[("VIVA_WORKERS_IN_SERVE", "false"), ("VIVA_MODEL_DIR", &model)]).await;
    let candidate = token(&server, "candidate@viva.test").await;
    let admin = token(&server, "admin@viva.test").await;

    let mut interviews = Vec::new();
    let mut answered = 0;
    // Practice sessions draw from one role and difficulty (9 questions each in the bank).
    let roles = [
        "backend-engineer",
        "product-manager",
        "customer-support",
        "data-scientist",
        "devops-engineer",
        "sales-representative",
    ];
    for role in roles {
        let count = 9;
        let started = ok(
            server
                .graphql(
                    Some(&candidate),
                    "mutation($i: PracticeInput!) { startPracticeInterview(input: $i) { id questions { id } } }",
                    json!({ "i": { "role": role, "difficulty": "MEDIUM", "questionCount": count } }),
                )
                .await,
            "startPracticeInterview",
        );
        let id = started["id"].as_str().expect("id").to_owned();
        // The candidate sees one question at a time; staff see them all.
        let all = ok(
            server
                .graphql(
                    Some(&admin),
                    "query($id: ID!) { interview(id: $id) { questions { id } } }",
                    json!({ "id": id }),
                )
                .await,
            "interview",
        );
        let answers: Vec<Value> = all["questions"]
            .as_array()
            .expect("questions")
            .iter()
            .enumerate()
            .map(|(n, q)| {
                json!({ "questionId": q["id"], "text": ANSWERS[n % ANSWERS.len()], "durationSeconds": 60, "idempotencyKey": format!("{id}-{n}") })
            })
            .collect();
        answered += answers.len();
        let submitted = ok(
            server
                .graphql(
                    Some(&candidate),
                    "mutation($id: ID!, $a: [AnswerInput!]!) { submitAllAnswers(interviewId: $id, answers: $a) { status } }",
                    json!({ "id": id, "a": answers }),
                )
                .await,
            "submitAllAnswers",
        );
        assert_eq!(submitted["status"], "COMPLETED");
        interviews.push(id);
    }
    assert!(answered >= 50);

    // A worker starts; once it is part-way through, it is killed without warning.
    let mut first = start_worker(&database, &model);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done: usize =
            histories(&server, &admin, &interviews).await.iter().filter(|h| !h.is_empty()).count();
        if done >= 5 {
            assert!(done < answered, "the worker finished before it could be killed; queue more work");
            break;
        }
        assert!(Instant::now() < deadline, "the worker evaluated nothing");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    first.kill().expect("SIGKILL the worker");
    first.wait().expect("reap the worker");

    // A new worker takes over, including the jobs whose lease the dead one held.
    let mut second = start_worker(&database, &model);
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let statuses: Vec<String> = {
            let mut s = Vec::new();
            for id in &interviews {
                let i = ok(
                    server
                        .graphql(
                            Some(&admin),
                            "query($id: ID!) { interview(id: $id) { status } }",
                            json!({ "id": id }),
                        )
                        .await,
                    "interview",
                );
                s.push(i["status"].as_str().unwrap_or_default().to_owned());
            }
            s
        };
        if statuses.iter().all(|s| s == "EVALUATED") {
            break;
        }
        assert!(Instant::now() < deadline, "interviews not evaluated in time: {statuses:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let all = histories(&server, &admin, &interviews).await;
    assert_eq!(all.len(), answered);
    for history in &all {
        assert_eq!(history.len(), 1, "each answer evaluated exactly once: {history:?}");
        assert_eq!(history[0]["current"], true);
        assert_eq!(history[0]["provenance"]["provider"], "offline");
        assert!(history[0]["provenance"]["model"].as_str().unwrap_or_default().contains("all-MiniLM-L6-v2"));
    }
    // The candidate sees scored feedback on a finished practice session.
    let seen = ok(
        server
            .graphql(
                Some(&candidate),
                "query($id: ID!) { interview(id: $id) { result { overallScore grade } answers { aiScore evaluation { strengths improvements feedback } } } }",
                json!({ "id": interviews[0] }),
            )
            .await,
        "interview",
    );
    assert!(seen["result"]["overallScore"].is_i64(), "{seen}");
    assert!(seen["answers"].as_array().expect("answers").iter().all(|a| a["aiScore"].is_i64()));

    // A job of a kind no handler knows is dead at once (it would fail the same way every time),
    // and operators see it.
    let (client, connection) =
        tokio_postgres::connect(database.url(), tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
        .execute(
            "INSERT INTO background_jobs (id, kind, payload, max_attempts) VALUES (gen_random_uuid(), 'no_such_job', '{}', 2)",
            &[],
        )
        .await
        .expect("enqueue a job nobody handles");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let row = client
            .query_one(
                "SELECT status, attempts, last_error FROM background_jobs WHERE kind = 'no_such_job'",
                &[],
            )
            .await
            .expect("job");
        let (status, attempts, error): (String, i32, Option<String>) = (row.get(0), row.get(1), row.get(2));
        if status == "DEAD" {
            assert_eq!(attempts, 1, "not retried");
            assert!(error.unwrap_or_default().contains("no handler"));
            break;
        }
        assert!(Instant::now() < deadline, "the failing job is {status} after {attempts} attempts");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let stats =
        ok(server.graphql(Some(&admin), "{ systemStats { jobsDead } }", json!({})).await, "systemStats");
    assert_eq!(stats["jobsDead"], 1);
    second.kill().expect("stop the worker");
    let _ = second.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_model_serve_starts_degraded_and_says_why_in_one_line() {
    let database = TestDatabase::new().await;
    let empty = std::env::temp_dir().join(format!("viva-no-model-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("empty model dir");
    let server =
        Server::start(&database, &[("VIVA_MODEL_DIR", empty.to_str().expect("path")), ("RUST_LOG", "info")])
            .await;
    let health = reqwest::get(format!("{}/healthz", server.base)).await.expect("healthz");
    assert!(health.status().is_success());
    let log = server.log_text();
    let degraded: Vec<&str> = log.lines().filter(|l| l.contains("AI features degraded")).collect();
    assert_eq!(degraded.len(), 1, "one line says what is degraded: {log}");
    assert!(
        degraded[0].contains("candle") && degraded[0].contains("holds no sentence-transformers model"),
        "{}",
        degraded[0]
    );
    assert!(degraded[0].contains("word overlap"), "it says what that means for users: {}", degraded[0]);
    assert!(!log.contains("panicked"), "{log}");
    let _ = std::fs::remove_dir_all(&empty);
}
