//! Load benchmark for sign-in and `me`: starts the real `viva` binary on a fresh database and
//! drives it over loopback HTTP with 32 concurrent clients, then prints throughput and latency.
//!
//! Run with `make bench` (or `cargo bench --bench auth_load`). Needs PostgreSQL like the tests.
//! Bounded: each phase runs for a fixed number of seconds and the run stops by itself.

// A benchmark is a program that reports on stdout and stops loudly when set-up fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde_json::json;
use support::{CLIENTS, PASSWORD, PHASE, Samples, drive, graphql, login, start, timed};
use viva_test_support::TestDatabase;

#[tokio::main]
async fn main() {
    let database = TestDatabase::new().await;
    let server = start(&database).await;
    let base: Arc<str> = server.base.clone().into();
    let client = support::http().pool_max_idle_per_host(64).build().unwrap();

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
