//! Benchmark of remote evaluation (issue 11): answers evaluated by the chat chain through a fake
//! Gemini that answers every `generateContent` in 300 ms, with 2 and with 16 jobs at once.
//!
//! For each worker concurrency: a fresh database with the demo data, a fake Gemini, and the
//! release `viva serve` running the workers in-process (`VIVA_WORKERS_IN_SERVE=true`,
//! `VIVA_WORKER_CONCURRENCY`), configured by a temporary `VIVA_CONFIG` file with
//! `chat = ["gemini"]` pointing at the fake and the candle embedder for the offline analysis.
//! One warm-up answer is evaluated first (the model and connections load), then 16 practice
//! sessions of 9 answers (144 answers) are submitted at once with `submitAllAnswers`, which
//! queues one `evaluate_answer` job per answer.
//!
//! Reported, from the database (`answers.submitted_at`, `evaluations.created_at` and
//! `evaluations.latency_ms`): throughput from the first submission to the last evaluation,
//! p50/p99 of each evaluation's latency including its wait in the queue, and p50/p99 of the
//! provider call itself. From the fake: the peak number of `generateContent` requests in flight
//! at once. The responder runs when a request is answered (after the 300 ms delay), and every
//! request is recorded when it arrives, so just before each answer the requests in flight are
//! exactly the ones recorded so far minus the ones answered before; the peak over time is
//! reached just before some answer. The ideal throughput is concurrency / 0.3 s.
//!
//! Only correctness is asserted (every answer evaluated exactly once, by `gemini`); timings are
//! printed. Run with `make bench-ai` (it needs the candle model, `make model`).

// A benchmark is a program that reports on stdout and stops loudly when set-up fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

mod support;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::graphql;
use viva_ai_fakes::gemini::FakeGemini;
use viva_ai_fakes::{ChatCall, Script};
use viva_test_support::TestDatabase;

/// The fake model's latency.
const MODEL_LATENCY: Duration = Duration::from_millis(300);
/// Worker concurrencies measured.
const CONCURRENCIES: [usize; 2] = [2, 16];
/// Practice sessions submitted at once.
const SESSIONS: usize = 16;
/// Answers per session (the bank holds 9 questions per role at each difficulty).
const QUESTIONS: usize = 9;
/// Roles of the seeded bank.
const ROLES: [&str; 6] = [
    "backend-engineer",
    "product-manager",
    "customer-support",
    "data-scientist",
    "devops-engineer",
    "sales-representative",
];
const DEMO_PASSWORD: &str = "viva-demo-passphrase";
const ANSWERS: [&str; 4] = [
    "At my last job our checkout API slowed down every evening. I looked at the logs and the query plan, found a missing index on the orders table, added it and wrote a regression test; p99 latency fell from 900 ms to 120 ms.",
    "I would first clarify the goal with the stakeholders, then list the options with their trade-offs, pick the cheapest reversible one, and measure the result against a metric we agreed on up front.",
    "I keep a written plan, share it early, ask for review from the people who will run it, and adjust when the data says I was wrong.",
    "When two priorities collide I make the cost of each visible, agree with my manager which one slips, and tell the affected team the same day.",
];

/// What the fake saw: chat requests answered, and the most in flight at once.
#[derive(Default)]
struct Probe {
    answered: AtomicUsize,
    evaluations: AtomicUsize,
    peak: AtomicUsize,
}

impl Probe {
    fn reset(&self) {
        self.answered.store(0, Ordering::SeqCst);
        self.evaluations.store(0, Ordering::SeqCst);
        self.peak.store(0, Ordering::SeqCst);
    }
}

/// The interviewer's replies, counting requests in flight just before each answer.
fn responder(script: Weak<Script>, probe: Arc<Probe>) -> impl Fn(&ChatCall) -> String + Send + Sync {
    move |call: &ChatCall| {
        let arrived = script.upgrade().map_or(0, |s| s.requests().len());
        let answered_before = probe.answered.fetch_add(1, Ordering::SeqCst);
        probe.peak.fetch_max(arrived.saturating_sub(answered_before), Ordering::SeqCst);
        let is_evaluation = call
            .schema
            .as_ref()
            .and_then(|s| s.get("properties"))
            .is_some_and(|p| p.get("overall").is_some());
        if is_evaluation {
            probe.evaluations.fetch_add(1, Ordering::SeqCst);
        }
        viva_ai_fakes::interviewer::interviewer(call)
    }
}

/// A running `viva serve`, killed when dropped.
/// Starts the release binary with the workers in-process, the chat chain on the fake Gemini.
async fn start(
    database: &TestDatabase,
    config: &std::path::Path,
    model: &str,
    concurrency: usize,
) -> support::Server {
    let env = [
        ("VIVA_CONFIG", config.display().to_string()),
        ("VIVA_MODEL_DIR", model.to_owned()),
        ("VIVA_WORKERS_IN_SERVE", "true".to_owned()),
        ("VIVA_WORKER_CONCURRENCY", concurrency.to_string()),
    ];
    support::start_with(database, &env).await
}

/// The data of a GraphQL reply, or a panic naming the operation and the errors.
fn data(response: Value, operation: &str) -> Value {
    let value = &response["data"][operation];
    assert!(!value.is_null(), "{operation}: {response}");
    value.clone()
}

async fn token(client: &reqwest::Client, base: &str, email: &str) -> String {
    data(support::login(client, base, email, DEMO_PASSWORD).await, "login")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Starts a practice session and returns its id and its answers, ready to submit.
async fn session(
    client: &reqwest::Client,
    base: &str,
    candidate: &str,
    admin: &str,
    role: &str,
    count: usize,
) -> (String, Value) {
    let started = data(
        graphql(
            client,
            base,
            Some(candidate),
            "mutation($i: PracticeInput!) { startPracticeInterview(input: $i) { id } }",
            json!({ "i": { "role": role, "difficulty": "MEDIUM", "questionCount": count } }),
        )
        .await,
        "startPracticeInterview",
    );
    let id = started["id"].as_str().unwrap().to_owned();
    // The candidate sees one question at a time; staff see them all.
    let all = data(
        graphql(
            client,
            base,
            Some(admin),
            "query($id: ID!) { interview(id: $id) { questions { id } } }",
            json!({ "id": id }),
        )
        .await,
        "interview",
    );
    let questions = all["questions"].as_array().unwrap();
    assert_eq!(questions.len(), count, "questions of a {role} session");
    let answers: Vec<Value> = questions
        .iter()
        .enumerate()
        .map(|(n, q)| json!({ "questionId": q["id"], "text": ANSWERS[n % ANSWERS.len()], "durationSeconds": 60, "idempotencyKey": format!("{id}-{n}") }))
        .collect();
    (id, Value::Array(answers))
}

async fn submit_all(client: &reqwest::Client, base: &str, candidate: &str, id: &str, answers: &Value) {
    let submitted = data(
        graphql(
            client,
            base,
            Some(candidate),
            "mutation($id: ID!, $a: [AnswerInput!]!) { submitAllAnswers(interviewId: $id, answers: $a) { status } }",
            json!({ "id": id, "a": answers }),
        )
        .await,
        "submitAllAnswers",
    );
    assert_eq!(submitted["status"], "COMPLETED");
}

/// Evaluations of the answers to these interviews, waiting up to `timeout` for `expected`.
async fn wait_evaluated(
    db: &tokio_postgres::Client,
    interviews: &[String],
    expected: usize,
    timeout: Duration,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let row = db
            .query_one(
                "SELECT count(*) FROM evaluations e JOIN answers a ON a.id = e.answer_id WHERE a.interview_id::text = ANY($1)",
                &[&interviews],
            )
            .await
            .unwrap();
        let done = usize::try_from(row.get::<_, i64>(0)).unwrap();
        if done >= expected {
            return;
        }
        assert!(Instant::now() < deadline, "{done} of {expected} answers evaluated in {timeout:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// CPU seconds (user and system) a process has used so far, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the parenthesised command name, field 3 (state) comes first: utime is field 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| f.iter().filter_map(|t| t.parse::<f64>().ok()).sum());
    let per_second = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    ticks / per_second
}

/// The value at quantile `q` of sorted `values`.
fn quantile(values: &[f64], q: f64) -> f64 {
    let index = ((values.len() as f64 * q) as usize).min(values.len().saturating_sub(1));
    values.get(index).copied().unwrap_or(f64::NAN)
}

struct Measured {
    concurrency: usize,
    evaluations: usize,
    span: f64,
    latency: Vec<f64>,
    provider: Vec<f64>,
    peak: usize,
    requests: usize,
    cpu: f64,
}

async fn measure(model: &str, concurrency: usize) -> Measured {
    let database = TestDatabase::new().await;
    support::seed(&database);
    let fake = FakeGemini::start().await;
    let probe = Arc::new(Probe::default());
    fake.script().set_delay(MODEL_LATENCY);
    fake.script().set_responder(responder(Arc::downgrade(fake.script()), probe.clone()));
    let config =
        std::env::temp_dir().join(format!("viva-remote-eval-{}-{concurrency}.toml", std::process::id()));
    std::fs::write(
        &config,
        format!(
            "[ai]\nchat = [\"gemini\"]\nembeddings = [\"candle\"]\n[ai.gemini]\napi_key = \"bench-key\"\nbase_url = \"{}\"\ntimeout_secs = 10\n",
            fake.base_url()
        ),
    )
    .unwrap();
    let server = start(&database, &config, model, concurrency).await;
    let base = server.base.clone();
    let client = support::http().pool_max_idle_per_host(64).build().unwrap();
    let candidate = token(&client, &base, "candidate@viva.test").await;
    let admin = token(&client, &base, "admin@viva.test").await;
    let (db, connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);

    // Warm-up: one evaluation loads the model and opens the connections.
    let (warm, answers) = session(&client, &base, &candidate, &admin, ROLES[0], 1).await;
    submit_all(&client, &base, &candidate, &warm, &answers).await;
    wait_evaluated(&db, std::slice::from_ref(&warm), 1, Duration::from_secs(120)).await;
    // Its completion job runs no model; let it settle before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut sessions = Vec::new();
    for n in 0..SESSIONS {
        sessions.push(session(&client, &base, &candidate, &admin, ROLES[n % ROLES.len()], QUESTIONS).await);
    }
    let ids: Vec<String> = sessions.iter().map(|(id, _)| id.clone()).collect();
    fake.script().clear_requests();
    probe.reset();
    let cpu_before = cpu_seconds(server.pid());

    // Every answer at once: the sessions are submitted concurrently.
    let mut submissions = Vec::new();
    for (id, answers) in sessions {
        let (client, base, candidate) = (client.clone(), base.clone(), candidate.clone());
        submissions
            .push(tokio::spawn(async move { submit_all(&client, &base, &candidate, &id, &answers).await }));
    }
    for submission in submissions {
        submission.await.unwrap();
    }
    let expected = SESSIONS * QUESTIONS;
    wait_evaluated(&db, &ids, expected, Duration::from_secs(600)).await;
    let cpu = cpu_seconds(server.pid()) - cpu_before;
    // A duplicate would land soon after; give it the chance to show.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let rows = db
        .query(
            "SELECT extract(epoch FROM a.submitted_at)::float8, extract(epoch FROM e.created_at)::float8, e.provider, e.latency_ms, e.fallback,
                    (SELECT count(*) FROM evaluations x WHERE x.answer_id = a.id)
               FROM answers a JOIN evaluations e ON e.answer_id = a.id
              WHERE a.interview_id::text = ANY($1)",
            &[&ids],
        )
        .await
        .unwrap();
    let answered = db
        .query_one("SELECT count(*) FROM answers WHERE interview_id::text = ANY($1)", &[&ids])
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(usize::try_from(answered).unwrap(), expected, "answers stored");
    assert_eq!(rows.len(), expected, "evaluations of the answers");
    let (mut first_submitted, mut last_evaluated) = (f64::MAX, f64::MIN);
    let (mut latency, mut provider) = (Vec::new(), Vec::new());
    for row in &rows {
        let (submitted, created): (f64, f64) = (row.get(0), row.get(1));
        let (name, latency_ms, fallback): (String, Option<i32>, Option<String>) =
            (row.get(2), row.get(3), row.get(4));
        assert_eq!(row.get::<_, i64>(5), 1, "each answer evaluated exactly once");
        assert_eq!(name, "gemini", "evaluated by the fake Gemini (fallback: {fallback:?})");
        first_submitted = first_submitted.min(submitted);
        last_evaluated = last_evaluated.max(created);
        latency.push((created - submitted) * 1000.0);
        provider.push(f64::from(latency_ms.expect("the provider call's latency is recorded")));
    }
    latency.sort_by(f64::total_cmp);
    provider.sort_by(f64::total_cmp);
    let requests = fake.script().requests_to(":generateContent").len();
    let evaluations = probe.evaluations.load(Ordering::SeqCst);
    if requests != evaluations || probe.answered.load(Ordering::SeqCst) != requests {
        println!(
            "  note: concurrency {concurrency}: the fake received {requests} generateContent requests, answered {} ({evaluations} evaluations) for {expected} answers",
            probe.answered.load(Ordering::SeqCst)
        );
    }
    drop(server);
    let _ = std::fs::remove_file(&config);
    Measured {
        concurrency,
        evaluations: expected,
        span: last_evaluated - first_submitted,
        latency,
        provider,
        peak: probe.peak.load(Ordering::SeqCst),
        requests,
        cpu,
    }
}

#[tokio::main]
async fn main() {
    let model = viva_candle::locate(None)
        .expect("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh (make model)")
        .display()
        .to_string();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "viva remote evaluation benchmark: fake Gemini answering in {} ms, {} answers queued at once ({SESSIONS} sessions x {QUESTIONS}), {cores} cores",
        MODEL_LATENCY.as_millis(),
        SESSIONS * QUESTIONS
    );
    let mut results = Vec::new();
    for concurrency in CONCURRENCIES {
        results.push(measure(&model, concurrency).await);
    }
    println!();
    println!(
        "{:>11} {:>10} {:>9} {:>9} {:>11} {:>11} {:>12} {:>12} {:>9} {:>9} {:>12}",
        "concurrency",
        "evals",
        "eval/s",
        "ideal/s",
        "p50 ms",
        "p99 ms",
        "call p50 ms",
        "call p99 ms",
        "overlap",
        "requests",
        "cpu ms/eval"
    );
    for m in &results {
        let ideal = m.concurrency as f64 / MODEL_LATENCY.as_secs_f64();
        println!(
            "{:>11} {:>10} {:>9.2} {:>9.2} {:>11.0} {:>11.0} {:>12.0} {:>12.0} {:>9} {:>9} {:>12.0}",
            m.concurrency,
            m.evaluations,
            m.evaluations as f64 / m.span,
            ideal,
            quantile(&m.latency, 0.50),
            quantile(&m.latency, 0.99),
            quantile(&m.provider, 0.50),
            quantile(&m.provider, 0.99),
            m.peak,
            m.requests,
            m.cpu * 1000.0 / m.evaluations as f64,
        );
    }
    println!();
    println!("eval/s: evaluations from the first submission to the last evaluation (database clock)");
    println!("p50/p99: evaluation written minus answer submitted (queue wait included)");
    println!("call p50/p99: the provider call as recorded in evaluations.latency_ms");
    println!("cpu ms/eval: CPU time of the viva serve process (API, workers, model) per evaluation");
    println!(
        "overlap: most generateContent requests in flight at once at the fake; ideal/s: concurrency / {} s",
        MODEL_LATENCY.as_secs_f64()
    );
}
