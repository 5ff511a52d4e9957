//! Shared plumbing of the load benchmarks: the real `viva` binary on a fresh database, and
//! concurrent clients that record each request's latency.

#![allow(dead_code, reason = "each benchmark uses part of this module")]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use viva_test_support::TestDatabase;

/// Concurrent clients.
pub(crate) const CLIENTS: usize = 32;
/// How long each phase runs.
pub(crate) const PHASE: Duration = Duration::from_secs(10);
/// The password of every benchmark user.
pub(crate) const PASSWORD: &str = "copper-kettle-sunrise-9";

/// An HTTP client builder. reqwest is built without a default TLS crypto provider (the AI
/// providers install ring's), so one is installed first.
pub(crate) fn http() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A running `viva serve`.
pub(crate) struct Server {
    child: Child,
    /// Its base URL.
    pub(crate) base: String,
}

impl Server {
    /// The server process's id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the release binary on the database with the throttles lifted (all clients share one address).
pub(crate) async fn start(database: &TestDatabase) -> Server {
    start_with(database, &[]).await
}

/// The same, with extra environment (it wins over the defaults here).
pub(crate) async fn start_with(database: &TestDatabase, env: &[(&str, String)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_viva"));
    command
        .arg("serve")
        .env("VIVA_DATABASE_URL", database.url())
        .env("VIVA_LISTEN", format!("127.0.0.1:{port}"))
        .env("VIVA_ENVIRONMENT", "test")
        .env("VIVA_JWT_SECRET", "bench-signing-key-that-is-long-enough-0123456789")
        // Every client comes from 127.0.0.1: lift the per-address throttles for the run.
        .env("VIVA_MAX_REQUESTS_PER_ADDRESS", "1000000")
        .env("VIVA_MAX_LOGIN_FAILURES_PER_ADDRESS", "1000000")
        .env("VIVA_MAX_LOGIN_FAILURES_PER_ACCOUNT", "1000000")
        .env("VIVA_DB_POOL_SIZE", "32")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command.spawn().expect("start viva serve");
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let client = http().build().unwrap();
    // Up to a minute: a server that loads a model takes a while.
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("viva serve did not become ready");
}

/// Posts a GraphQL request.
pub(crate) async fn graphql(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request =
        client.post(format!("{base}/graphql")).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// The sign-in mutation.
pub(crate) const LOGIN: &str = "mutation($i: LoginInput!) { login(input: $i) { accessToken } }";

/// Signs in.
pub(crate) async fn login(client: &reqwest::Client, base: &str, email: &str, password: &str) -> Value {
    graphql(client, base, None, LOGIN, json!({ "i": { "email": email, "password": password } })).await
}

/// Latencies of one phase, in microseconds.
#[derive(Default)]
pub(crate) struct Samples(pub(crate) Vec<u64>);

impl Samples {
    /// Prints throughput and p50/p99.
    pub(crate) fn report(&mut self, name: &str, elapsed: Duration) {
        self.0.sort_unstable();
        let n = self.0.len();
        let pct = |p: f64| {
            self.0.get(((n as f64 * p) as usize).min(n.saturating_sub(1))).copied().unwrap_or(0) as f64
                / 1000.0
        };
        println!(
            "{name:<44} {:>9.1} req/s   p50 {:>8.2} ms   p99 {:>8.2} ms   ({n} requests)",
            n as f64 / elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.99)
        );
    }
}

/// Runs `clients` loops of `work` until `stop`, collecting each call's latency.
pub(crate) async fn drive<F, Fut>(clients: usize, stop: Arc<AtomicBool>, work: F) -> Samples
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut tasks = Vec::new();
    for i in 0..clients {
        let stop = stop.clone();
        let work = work.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                work(i).await;
                latencies.push(started.elapsed().as_micros() as u64);
            }
            latencies
        }));
    }
    let mut all = Samples::default();
    for task in tasks {
        all.0.extend(task.await.unwrap());
    }
    all
}

/// Runs `clients` loops for one phase; returns the samples and the elapsed time.
pub(crate) async fn timed<F, Fut>(clients: usize, work: F) -> (Samples, Duration)
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let runner = tokio::spawn(drive(clients, stop.clone(), work));
    tokio::time::sleep(PHASE).await;
    stop.store(true, Ordering::Relaxed);
    let samples = runner.await.unwrap();
    (samples, started.elapsed())
}

/// Runs `viva migrate` and `viva seed` on the database (demo users and the question bank).
pub(crate) fn seed(database: &TestDatabase) {
    for command in ["migrate", "seed"] {
        let output = Command::new(env!("CARGO_BIN_EXE_viva"))
            .arg(command)
            .env("VIVA_DATABASE_URL", database.url())
            .env("VIVA_ENVIRONMENT", "test")
            .env("RUST_LOG", "error")
            .output()
            .expect("run viva");
        assert!(output.status.success(), "viva {command}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// Registers and signs in a candidate; returns the access token.
pub(crate) async fn candidate(client: &reqwest::Client, base: &str, email: &str) -> String {
    let register = "mutation($i: RegisterInput!) { register(input: $i) { id } }";
    graphql(client, base, None, register, json!({ "i": { "email": email, "password": PASSWORD, "fullName": "Bench Candidate", "role": "CANDIDATE" } })).await;
    login(client, base, email, PASSWORD).await["data"]["login"]["accessToken"]
        .as_str()
        .expect("signed in")
        .to_owned()
}

/// Schedules an interview of `questions` questions for the candidate `candidate_id` (as the HR
/// user `hr`, its window open now) and starts it as the candidate; returns its id and its
/// questions.
pub(crate) async fn scheduled_and_started(
    client: &reqwest::Client,
    base: &str,
    (hr, candidate): (&str, &str),
    candidate_id: &Value,
    questions: usize,
) -> (String, Vec<Value>) {
    let now = chrono::Utc::now();
    let input = json!({ "candidateId": candidate_id, "role": "backend-engineer", "difficulty": "MEDIUM",
        "questionCount": questions, "windowStart": (now - chrono::Duration::minutes(1)).to_rfc3339(),
        "windowEnd": (now + chrono::Duration::hours(2)).to_rfc3339() });
    let schedule = "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }";
    let scheduled = graphql(client, base, Some(hr), schedule, json!({ "i": input })).await;
    let id = scheduled["data"]["scheduleInterview"]["id"].as_str().expect("scheduled").to_owned();
    let start = "mutation($id: ID!) { startInterview(interviewId: $id) { questions { id } } }";
    let started = graphql(client, base, Some(candidate), start, json!({ "id": id })).await;
    let questions = started["data"]["startInterview"]["questions"].as_array().expect("started").clone();
    (id, questions)
}
