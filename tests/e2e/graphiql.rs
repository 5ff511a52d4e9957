//! The admins' console in a real browser: headless Chromium (Debian's), driven by
//! playwright-core, against the real binary, with nothing reachable beyond loopback.
//! `scripts/setup-browser-tests.sh` (run by `make test`) installs both.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use viva_test_support::TestDatabase;

use crate::server::{Server, script_dir};

#[tokio::test]
async fn an_admin_runs_queries_and_a_live_subscription_in_graphiql_offline() {
    let assets = script_dir("fetch-graphiql.sh");
    let browser_tests = script_dir("setup-browser-tests.sh");
    let node_modules = browser_tests.join("node_modules");
    assert!(
        node_modules.join("playwright-core").is_dir() && assets.join("graphiql.min.js").is_file(),
        "the browser tests are not set up: run scripts/setup-browser-tests.sh (make test does)"
    );
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists())
        .expect("Debian's chromium is not installed: run scripts/setup-browser-tests.sh (make test does)");

    let database = TestDatabase::new().await;
    let server = Server::start(
        &database,
        &[("VIVA_GRAPHIQL", "true"), ("VIVA_GRAPHIQL_ASSETS", assets.to_str().unwrap())],
    )
    .await;
    crate::server::create_root_admin(database.url());
    let admin_password = crate::server::ROOT_PASSWORD;
    let admin = server.sign_in("root@example.org", admin_password).await;
    let admin_id = admin["user"]["id"].as_str().unwrap().to_owned();

    // HR users whose applications notify the admin; more than one, in case the first event
    // arrives before the subscription is listening.
    let mut hr_tokens = Vec::new();
    for i in 0..3 {
        let email = format!("hr{i}@example.org");
        let password = "copper-kettle-sunrise-9";
        server
            .graphql(
                None,
                "mutation($i: RegisterInput!) { register(input: $i) { id } }",
                json!({ "i": { "email": email, "password": password, "fullName": format!("Harper {i}"), "role": "HR" } }),
            )
            .await;
        hr_tokens.push(server.sign_in(&email, password).await["accessToken"].as_str().unwrap().to_owned());
    }

    let screenshots = std::env::temp_dir().join(format!("viva-graphiql-{}", std::process::id()));
    std::fs::create_dir_all(&screenshots).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/graphiql.cjs");
    let mut child = tokio::process::Command::new("node")
        .arg(&script)
        .env("NODE_PATH", &node_modules)
        .env("VIVA_URL", &server.base)
        .env("VIVA_TOKEN", admin["accessToken"].as_str().unwrap())
        .env("VIVA_EMAIL", "root@example.org")
        .env("CHROMIUM", chromium)
        .env("SCREENSHOT_DIR", &screenshots)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node is installed");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();

    let mut received = None;
    let mut triggered = 0;
    let mut done = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(150);
    loop {
        let wait = if triggered > 0 && received.is_none() {
            Duration::from_secs(8)
        } else {
            Duration::from_secs(150)
        };
        let line = match tokio::time::timeout_at(
            deadline.min(tokio::time::Instant::now() + wait),
            lines.next_line(),
        )
        .await
        {
            Ok(line) => line.unwrap(),
            // No notification yet: trigger another one, a bounded number of times.
            Err(_) if triggered > 0 && triggered < hr_tokens.len() && received.is_none() => {
                Some("RETRIGGER".to_owned())
            }
            Err(_) => panic!("the browser test timed out (triggered {triggered} events)"),
        };
        let Some(line) = line else { break };
        if line == "SUBSCRIBED" || line == "RETRIGGER" {
            let applied = server
                .graphql(
                    Some(&hr_tokens[triggered]),
                    "mutation($a: ID!) { applyToAdmin(adminId: $a) { id } }",
                    json!({ "a": admin_id }),
                )
                .await;
            assert!(applied["data"]["applyToAdmin"]["id"].is_string(), "{applied}");
            triggered += 1;
            stdin.write_all(b"triggered\n").await.unwrap();
        } else if let Some(json) = line.strip_prefix("RECEIVED ") {
            received = Some(serde_json::from_str::<Value>(json).unwrap());
        } else if line == "DONE" {
            done = true;
        }
    }
    let status = child.wait().await.unwrap();
    let mut errors = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut errors).await.unwrap();
    assert!(
        status.success() && done,
        "the browser test failed ({status}):\n{errors}\nserver log:\n{}",
        server.log_text()
    );

    let note = &received.expect("a notification reached GraphiQL")["data"]["notifications"];
    assert_eq!(note["kind"], "HR_APPLICATION", "{note}");
    assert_eq!(note["title"], "New HR application", "{note}");
    assert!(note["body"].as_str().unwrap().contains("Harper"), "{note}");
    let screenshot = std::fs::read(screenshots.join("graphiql.png")).unwrap();
    assert!(screenshot.starts_with(b"\x89PNG") && screenshot.len() > 10_000, "a real screenshot");
    eprintln!("GraphiQL screenshot: {}", screenshots.join("graphiql.png").display());
}
