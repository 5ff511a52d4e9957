//! Load benchmark for live subscriptions: one release `viva serve` holds 10,000
//! `interviewEvents` subscriptions (2,500 graphql-transport-ws connections × 4, half of them the
//! HR user in charge of the candidate, half the candidate), while the candidate submits answers
//! at a steady rate. Each answer's text carries its sequence number, so every subscriber
//! measures the delay from the moment the `submitAnswer` request was sent to the moment the
//! `ANSWER_RECEIVED` event reached it, and the delay from the answer's `submittedAt` (stamped
//! in the transaction that publishes the event) to the same moment. Prints delivery p50/p99, events and deliveries per
//! second, the server's RSS before connecting, with every connection idle, and after the run,
//! and the database transactions per published event (access checks on fan-out must not cost
//! one query per subscriber). Run with `make bench` (which raises the open-file limit), or
//! `cargo bench --bench subscriptions`.
//!
//! Sizes can be changed for a quick run: `BENCH_CONNECTIONS` (2500),
//! `BENCH_SUBSCRIPTIONS_PER_CONNECTION` (4), `BENCH_INTERVIEWS` (40),
//! `BENCH_EVENTS_PER_SEC` (25), `BENCH_SECONDS` (20).

// A benchmark is a program that reports on stdout and stops loudly when set-up fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use support::graphql;
use tokio::sync::{Mutex, Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use viva_test_support::TestDatabase;

const DEMO_PASSWORD: &str = "viva-demo-passphrase";
const SUBMIT: &str = "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { interview { status questions { id } } } }";
const WATCH: &str = "subscription($id: ID!) { interviewEvents(interviewId: $id) { kind status answer { id text submittedAt } } }";
/// What every answer's text starts with, before its sequence number.
const MARK: &str = "bench-seq-";

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A process's resident set size in KiB (VmRSS of /proc/<pid>/status).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The soft limit on open files of this process.
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Transactions committed or rolled back in the database so far (the statistics lag by up to a
/// second or so; read after a pause).
async fn transactions(db: &tokio_postgres::Client) -> i64 {
    db.batch_execute("SELECT pg_stat_clear_snapshot()").await.unwrap();
    let row = db
        .query_one(
            "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database WHERE datname = current_database()",
            &[],
        )
        .await
        .unwrap();
    row.get(0)
}

async fn demo_token(client: &reqwest::Client, base: &str, email: &str) -> String {
    support::login(client, base, email, DEMO_PASSWORD).await["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What one connection saw.
#[derive(Default)]
struct Seen {
    /// Delivery latency of each ANSWER_RECEIVED event, in microseconds.
    latencies: Vec<u32>,
    /// The same from the answer's `submittedAt` (stamped by the server in the transaction that
    /// publishes the event; same machine, same clock), in microseconds.
    from_stamp: Vec<u32>,
    /// Every `next` message (including the evaluation events that follow each answer).
    messages: u64,
    /// Anything unexpected: `error`, `complete`, a close.
    failures: Vec<String>,
}

/// The `submittedAt` of the event's answer.
fn submitted_at(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let stamp = value["payload"]["data"]["interviewEvents"]["answer"]["submittedAt"].as_str()?;
    chrono::DateTime::parse_from_rfc3339(stamp).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// Opens a connection as `token`, subscribes to `interviews` and confirms with a ping that the
/// subscriptions listen.
async fn open(url: &str, token: &str, interviews: &[String]) -> Result<Socket, String> {
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) =
        tokio_tungstenite::connect_async(request).await.map_err(|e| format!("connect: {e}"))?;
    let send = |v: Value| Message::Text(v.to_string().into());
    let init =
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket.send(send(init)).await.map_err(|e| e.to_string())?;
    let ack = socket.next().await.ok_or("closed before ack")?.map_err(|e| e.to_string())?;
    if !ack.to_text().unwrap_or_default().contains("connection_ack") {
        return Err(format!("no ack: {ack:?}"));
    }
    for (n, id) in interviews.iter().enumerate() {
        let subscribe = json!({ "id": format!("s{n}"), "type": "subscribe", "payload": { "query": WATCH, "variables": { "id": id } } });
        socket.send(send(subscribe)).await.map_err(|e| e.to_string())?;
    }
    socket.send(send(json!({ "type": "ping" }))).await.map_err(|e| e.to_string())?;
    loop {
        let reply = tokio::time::timeout(Duration::from_secs(60), socket.next())
            .await
            .map_err(|_| "no pong in 60 s".to_owned())?
            .ok_or("closed before pong")?
            .map_err(|e| e.to_string())?;
        match reply {
            Message::Text(text) if text.contains("\"pong\"") => return Ok(socket),
            Message::Text(text) => return Err(format!("before pong: {text}")),
            Message::Ping(_) | Message::Pong(_) => {}
            other => return Err(format!("before pong: {other:?}")),
        }
    }
}

/// Reads a connection until `stop`, timing each answer event against its send time.
async fn read(
    mut socket: Socket,
    base: Instant,
    sent: Arc<Vec<AtomicU64>>,
    mut stop: watch::Receiver<bool>,
) -> Seen {
    let mut seen = Seen::default();
    loop {
        let frame = tokio::select! {
            _ = stop.changed() => break,
            frame = socket.next() => frame,
        };
        let received = base.elapsed().as_micros() as u64;
        match frame {
            Some(Ok(Message::Text(text))) => {
                let text = text.as_str();
                if !text.contains("\"next\"") {
                    seen.failures.push(text.chars().take(300).collect());
                    continue;
                }
                seen.messages += 1;
                if !text.contains("ANSWER_RECEIVED") {
                    continue;
                }
                let seq = text
                    .find(MARK)
                    .and_then(|at| text.get(at + MARK.len()..at + MARK.len() + 8))
                    .and_then(|digits| digits.parse::<usize>().ok());
                let now = chrono::Utc::now();
                if let Some(stamp) = submitted_at(text) {
                    seen.from_stamp.push((now - stamp).num_microseconds().unwrap_or(0).max(0) as u32);
                }
                match seq.and_then(|seq| sent.get(seq)).map(|s| s.load(Ordering::Acquire)) {
                    Some(at) if at > 0 => seen.latencies.push(received.saturating_sub(at) as u32),
                    _ => seen
                        .failures
                        .push(format!("unmatched event: {}", text.chars().take(300).collect::<String>())),
                }
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => {
                seen.failures.push(format!("connection ended: {other:?}"));
                return seen;
            }
        }
    }
    let _ = socket.close(None).await;
    seen
}

/// Longer than PostgreSQL's longest delay in reporting a backend's counters (10 s when idle).
const STATS_SETTLE: Duration = Duration::from_secs(11);

fn percentile(sorted: &[u32], p: f64) -> f64 {
    sorted.get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1))).copied().unwrap_or(0)
        as f64
        / 1000.0
}

#[tokio::main]
async fn main() {
    let connections = setting("BENCH_CONNECTIONS", 2500);
    let per_connection = setting("BENCH_SUBSCRIPTIONS_PER_CONNECTION", 4);
    let interview_count = setting("BENCH_INTERVIEWS", 40);
    let rate = setting("BENCH_EVENTS_PER_SEC", 25).max(1);
    let seconds = setting("BENCH_SECONDS", 20);
    let needed = connections as u64 + 256;
    match open_file_limit() {
        Some(limit) if limit < needed => panic!(
            "the open-file limit is {limit}, and {connections} connections need about {needed}: raise it with `ulimit -n {}` (make bench does)",
            needed.max(65536)
        ),
        _ => {}
    }

    let database = TestDatabase::new().await;
    support::seed(&database);
    let server = support::start_with(
        &database,
        &[
            ("VIVA_MAX_WS_CONNECTIONS_PER_ADDRESS", (connections + 16).to_string()),
            ("VIVA_MAX_SUBSCRIPTIONS_PER_CONNECTION", per_connection.max(1).to_string()),
        ],
    )
    .await;
    let base_url: Arc<str> = server.base.clone().into();
    let ws_url = format!("{}/graphql/ws", base_url.replacen("http://", "ws://", 1));
    let client = support::http().pool_max_idle_per_host(64).build().unwrap();
    let hr = demo_token(&client, &base_url, "hr@viva.test").await;
    let candidate = demo_token(&client, &base_url, "candidate@viva.test").await;
    let (db, db_connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(db_connection);

    // Interviews of 20 questions for the demo candidate, scheduled by their HR user and started.
    let assigned =
        graphql(&client, &base_url, Some(&hr), "{ assignedCandidates { edges { node { id } } } }", json!({}))
            .await;
    let candidate_id = assigned["data"]["assignedCandidates"]["edges"][0]["node"]["id"].clone();
    let mut interviews = Vec::new();
    let mut next_question = Vec::new();
    for _ in 0..interview_count {
        let (id, questions) = support::scheduled_and_started(
            &client,
            &base_url,
            (hr.as_str(), candidate.as_str()),
            &candidate_id,
            20,
        )
        .await;
        let first = questions.last().cloned();
        next_question.push(Mutex::new(Some(first.expect("started"))));
        interviews.push(id);
    }
    let next_question = Arc::new(next_question);
    let interviews = Arc::new(interviews);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "viva subscriptions benchmark: {connections} connections × {per_connection} interviewEvents subscriptions, {interview_count} interviews, {rate} answers/s for {seconds} s, {cores} cores"
    );
    // Set-up work (question planning, the allocator giving pages back) settles first.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_before = rss_kib(server.pid());

    // Connections alternate between the HR user and the candidate; subscription j of connection
    // i watches interview (i * per_connection + j) mod interview_count.
    let capacity = rate * seconds + 1;
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..capacity).map(|_| AtomicU64::new(0)).collect());
    let mut watchers = vec![0usize; interview_count];
    let base = Instant::now();
    let (stop_tx, stop) = watch::channel(false);
    let handshakes = Arc::new(Semaphore::new(64));
    let (ready_tx, mut ready) = tokio::sync::mpsc::unbounded_channel::<Result<(), String>>();
    let connect_started = Instant::now();
    let mut readers = Vec::new();
    for i in 0..connections {
        let watched: Vec<String> = (0..per_connection)
            .map(|j| {
                let k = (i * per_connection + j) % interview_count;
                watchers[k] += 1;
                interviews[k].clone()
            })
            .collect();
        let token = if i % 2 == 0 { hr.clone() } else { candidate.clone() };
        let (url, handshakes, ready, sent, stop) =
            (ws_url.clone(), handshakes.clone(), ready_tx.clone(), sent.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let permit = handshakes.acquire_owned().await.unwrap();
            let socket = open(&url, &token, &watched).await;
            drop(permit);
            match socket {
                Ok(socket) => {
                    let _ = ready.send(Ok(()));
                    read(socket, base, sent, stop).await
                }
                Err(err) => {
                    let _ = ready.send(Err(err.clone()));
                    Seen { failures: vec![err], ..Seen::default() }
                }
            }
        }));
    }
    drop(ready_tx);
    let mut open_failures = Vec::new();
    for _ in 0..connections {
        if let Some(Err(err)) = ready.recv().await {
            open_failures.push(err);
        }
    }
    let connect_time = connect_started.elapsed();
    let open_connections = connections - open_failures.len();
    let subscribers = open_connections * per_connection;
    println!(
        "connected: {open_connections}/{connections} connections, {subscribers} subscriptions in {:.1} s",
        connect_time.as_secs_f64()
    );
    if let Some(first) = open_failures.first() {
        println!("  {} connections failed; the first: {first}", open_failures.len());
    }
    // Idle, for the memory per connection and the database's background rate (the job runner
    // polling), which is taken off the transactions counted during the run. PostgreSQL's
    // counters reach `pg_stat_database` only when a backend reports them, which an idle one
    // does after up to 10 s: every reading waits that out, so each window holds exactly its
    // own transactions (the subscribe-time checks of connecting, notably, stay out of both).
    tokio::time::sleep(STATS_SETTLE).await;
    let idle_started = (Instant::now(), transactions(&db).await);
    tokio::time::sleep(STATS_SETTLE).await;
    let rss_idle = rss_kib(server.pid());
    let tx_before = transactions(&db).await;
    let idle_rate = (tx_before - idle_started.1) as f64 / idle_started.0.elapsed().as_secs_f64();

    // Publish: one answer every 1/rate s, round robin over the interviews.
    let published = Arc::new(AtomicUsize::new(0));
    let expected = Arc::new(AtomicUsize::new(0));
    let watchers = Arc::new(watchers);
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let publish_started = Instant::now();
    let mut submits = Vec::new();
    let submit_times = Arc::new(std::sync::Mutex::new(Vec::new()));
    for seq in 0..rate * seconds {
        ticker.tick().await;
        let k = seq % interview_count;
        let times = submit_times.clone();
        let (c, b, t, ids, next, sent, published, expected, watchers) = (
            client.clone(),
            base_url.clone(),
            candidate.clone(),
            interviews.clone(),
            next_question.clone(),
            sent.clone(),
            published.clone(),
            expected.clone(),
            watchers.clone(),
        );
        submits.push(tokio::spawn(async move {
            let mut next = next[k].lock().await;
            let Some(question) = next.clone() else { return };
            let a = json!({ "questionId": question["id"], "text": format!("{MARK}{seq:08}: I would measure first, then change one thing at a time."), "idempotencyKey": format!("bench-{seq:08}") });
            sent[seq].store(base.elapsed().as_micros() as u64, Ordering::Release);
            let response = graphql(&c, &b, Some(&t), SUBMIT, json!({ "id": ids[k], "a": a })).await;
            let took = base.elapsed().as_micros() as u64 - sent[seq].load(Ordering::Acquire);
            times.lock().unwrap().push(took as u32);
            let after = &response["data"]["submitAnswer"]["interview"];
            assert!(after["status"].is_string(), "{response}");
            published.fetch_add(1, Ordering::Relaxed);
            expected.fetch_add(watchers[k], Ordering::Relaxed);
            *next = (after["status"] == "IN_PROGRESS")
                .then(|| after["questions"].as_array().and_then(|q| q.last().cloned()))
                .flatten();
        }));
    }
    for submit in submits {
        submit.await.unwrap();
    }
    let publish_time = publish_started.elapsed();
    // Stragglers, and the counters' reporting delay.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after = rss_kib(server.pid());
    tokio::time::sleep(STATS_SETTLE).await;
    let tx_after = transactions(&db).await;
    let run_time = publish_started.elapsed().as_secs_f64();
    stop_tx.send(true).unwrap();
    let mut latencies = Vec::new();
    let mut from_stamp = Vec::new();
    let mut messages = 0u64;
    let mut failures = Vec::new();
    for reader in readers {
        let seen = reader.await.unwrap();
        latencies.extend(seen.latencies);
        from_stamp.extend(seen.from_stamp);
        messages += seen.messages;
        failures.extend(seen.failures);
    }
    failures.retain(|f| !open_failures.contains(f));
    latencies.sort_unstable();
    from_stamp.sort_unstable();

    let published = published.load(Ordering::Relaxed);
    let expected = expected.load(Ordering::Relaxed);
    let elapsed = publish_time.as_secs_f64();
    println!(
        "published: {published} answers in {elapsed:.1} s = {:.1} events/s (ANSWER_RECEIVED; each answer is followed by its evaluation events)",
        published as f64 / elapsed
    );
    println!(
        "delivered: {}/{expected} ANSWER_RECEIVED deliveries ({:.0}/s), {messages} `next` messages in all ({:.0}/s)",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        messages as f64 / elapsed
    );
    println!(
        "delivery latency (submitAnswer sent → event received): p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    println!(
        "delivery latency (answer stamped in the publishing transaction → event received): p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        percentile(&from_stamp, 0.50),
        percentile(&from_stamp, 0.99),
        percentile(&from_stamp, 1.0)
    );
    let per = |kib: u64, n: usize| kib as f64 / n.max(1) as f64;
    let grown = rss_idle.saturating_sub(rss_before);
    println!(
        "server RSS: {:.1} MiB before connecting, {:.1} MiB with {open_connections} idle connections, {:.1} MiB after the run",
        rss_before as f64 / 1024.0,
        rss_idle as f64 / 1024.0,
        rss_after as f64 / 1024.0
    );
    println!(
        "memory per idle connection: {:.1} KiB ({:.1} KiB per subscription)",
        per(grown, open_connections),
        per(grown, subscribers)
    );
    let mut submit_times = std::mem::take(&mut *submit_times.lock().unwrap());
    submit_times.sort_unstable();
    println!(
        "submitAnswer itself (sent → response): p50 {:.2} ms   p99 {:.2} ms",
        percentile(&submit_times, 0.50),
        percentile(&submit_times, 0.99)
    );
    let net = (tx_after - tx_before) as f64 - idle_rate * run_time;
    println!(
        "database transactions during the run: {} ({:.0}/s idle rate taken off) ≈ {:.1} per answer published, for {:.0} subscribers per interview",
        tx_after - tx_before,
        idle_rate,
        net / published.max(1) as f64,
        subscribers as f64 / interview_count as f64
    );
    if !failures.is_empty() {
        println!("{} unexpected messages; the first: {}", failures.len(), failures[0]);
    }
    drop(server);
}
