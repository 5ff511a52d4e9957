//! Load benchmark for sign-in and `me`: starts the real `viva` binary on a fresh database and
//! drives it over loopback HTTP with 32 concurrent clients, then prints throughput and latency.
//!
//! Run with `make bench` (or `cargo bench --bench auth_load`). Needs PostgreSQL like the tests.
//! Bounded: each phase runs for a fixed number of seconds and the run stops by itself.

// A benchmark is a program that reports on stdout and stops loudly when set-up fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use viva_test_support::TestDatabase;

const CLIENTS: usize = 32;
const PHASE: Duration = Duration::from_secs(10);
const PASSWORD: &str = "copper-kettle-sunrise-9";

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(database: &TestDatabase) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_viva"))
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
        .stdout(Stdio::null())
        .spawn()
        .expect("start viva serve");
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("viva serve did not become ready");
}

async fn graphql(
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

const LOGIN: &str = "mutation($i: LoginInput!) { login(input: $i) { accessToken } }";

async fn login(client: &reqwest::Client, base: &str, email: &str, password: &str) -> Value {
    graphql(client, base, None, LOGIN, json!({ "i": { "email": email, "password": password } })).await
}

/// Latencies of one phase, in microseconds.
#[derive(Default)]
struct Samples(Vec<u64>);

impl Samples {
    fn report(&mut self, name: &str, elapsed: Duration) {
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
async fn drive<F, Fut>(clients: usize, stop: Arc<AtomicBool>, work: F) -> Samples
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

async fn timed<F, Fut>(clients: usize, work: F) -> (Samples, Duration)
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

#[tokio::main]
async fn main() {
    let database = TestDatabase::new().await;
    let server = start(&database).await;
    let base: Arc<str> = server.base.clone().into();
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();

    let mut tokens = Vec::new();
    for i in 0..CLIENTS {
        let email = format!("bench{i}@example.org");
        let register = "mutation($i: RegisterInput!) { register(input: $i) { id } }";
        graphql(&client, &base, None, register, json!({ "i": { "email": email, "password": PASSWORD, "fullName": "Bench User", "role": "CANDIDATE" } })).await;
        let token = login(&client, &base, &email, PASSWORD).await["data"]["login"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        tokens.push(token);
    }
    let tokens: Arc<Vec<String>> = Arc::new(tokens);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "viva auth benchmark: {CLIENTS} concurrent clients, {}s per phase, {cores} cores, argon2id m=19MiB t=2 p=1",
        PHASE.as_secs()
    );

    // Phase 1: sign-ins alone.
    let (c, b) = (client.clone(), base.clone());
    let (mut logins, elapsed) = timed(CLIENTS, move |i| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            let response = login(&c, &b, &format!("bench{i}@example.org"), PASSWORD).await;
            assert!(response["data"]["login"]["accessToken"].is_string(), "{response}");
        }
    })
    .await;
    logins.report("login (32 clients)", elapsed);

    // Phase 2: `me` from 32 clients while 4 more clients keep signing in.
    let stop = Arc::new(AtomicBool::new(false));
    let (c, b) = (client.clone(), base.clone());
    let background = tokio::spawn(drive(4, stop.clone(), move |i| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            login(&c, &b, &format!("bench{i}@example.org"), PASSWORD).await;
        }
    }));
    let (c, b, t) = (client.clone(), base.clone(), tokens.clone());
    let (mut me, elapsed) = timed(CLIENTS, move |i| {
        let (c, b, t) = (c.clone(), b.clone(), t.clone());
        async move {
            let response = graphql(&c, &b, Some(&t[i]), "{ me { id email role } }", json!({})).await;
            assert!(response["data"]["me"]["id"].is_string(), "{response}");
        }
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let mut concurrent_logins = background.await.unwrap();
    me.report("me (32 clients, logins running)", elapsed);
    concurrent_logins.report("  login alongside (4 clients)", elapsed);

    // Sign-in cost by outcome, one client at a time: these should be alike.
    for (name, email, password) in [
        ("login, wrong password (sequential)", "bench0@example.org", "not-the-password-at-all"),
        ("login, unknown email (sequential)", "nobody@example.org", "not-the-password-at-all"),
    ] {
        let mut samples = Samples::default();
        let started = Instant::now();
        for _ in 0..40 {
            let t = Instant::now();
            login(&client, &base, email, password).await;
            samples.0.push(t.elapsed().as_micros() as u64);
        }
        samples.report(name, started.elapsed());
    }
    drop(server);
}
