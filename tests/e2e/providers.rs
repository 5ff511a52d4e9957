//! Remote AI providers end to end: `viva serve` configured with `chat = ["gemini", "openai"]`
//! against local fake Gemini and OpenAI-compatible servers speaking the documented APIs. The
//! real clients, the resilience layer (retries honouring `RetryInfo`, the circuit breaker, the
//! daily spend cap) and the fallback to the offline rules are exercised through the public API;
//! in every case each answer ends with exactly one current evaluation and the interview is
//! evaluated.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use viva_ai_fakes::gemini::FakeGemini;
use viva_ai_fakes::interviewer::interviewer;
use viva_ai_fakes::openai::FakeOpenAi;
use viva_ai_fakes::{Behaviour, Script};
use viva_test_support::TestDatabase;

use crate::interviews::{ok, token};
use crate::server::{Server, migrate_and_seed, viva};

const GEMINI_KEY: &str = "gemini-e2e-key-not-for-urls";
const OPENAI_KEY: &str = "openai-e2e-key";

const ANSWERS: [&str; 3] = [
    "At my last job our checkout API slowed down every evening. I read the query plan, found a missing index on the orders table, added it and wrote a regression test; p99 latency fell from 900 ms to 120 ms.",
    "I would first clarify the goal with the stakeholders, then list the options with their trade-offs, pick the cheapest reversible one, and measure the result against a metric we agreed on up front.",
    "I would just work hard and talk to people until it is sorted out.",
];

fn model_dir() -> String {
    viva_candle::locate(None)
        .expect("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh")
        .display()
        .to_string()
}

/// A configuration file naming both fakes, with fast retries and a breaker that opens after
/// three failed calls and cools down in eight seconds; `gemini_extra` adds Gemini resilience keys.
fn write_config(gemini: &FakeGemini, openai: &FakeOpenAi, gemini_extra: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "viva-e2e-ai-{}-{}.toml",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    let toml = format!(
        r#"
[ai]
chat = ["gemini", "openai"]
embeddings = ["candle"]

[ai.gemini]
api_key = "{GEMINI_KEY}"
base_url = "{}"
timeout_secs = 3

[ai.gemini.resilience]
max_retries = 2
backoff_secs = 0.05
max_backoff_secs = 0.2
breaker_failures = 3
breaker_cooldown_secs = 8
{gemini_extra}

[ai.openai]
base_url = "{}"
api_key = "{OPENAI_KEY}"
model = "local-instruct"
timeout_secs = 3

[ai.openai.resilience]
max_retries = 1
backoff_secs = 0.05
breaker_failures = 1000
"#,
        gemini.base_url(),
        openai.base_url()
    );
    std::fs::write(&path, toml).expect("write the configuration");
    path
}

struct World {
    server: Server,
    gemini: FakeGemini,
    openai: FakeOpenAi,
    candidate: String,
    admin: String,
    config: String,
    database: TestDatabase,
}

impl World {
    /// Replaces the server with a new one on the same database and configuration.
    async fn restart(&mut self) {
        let model = model_dir();
        let env = [("VIVA_CONFIG", self.config.as_str()), ("VIVA_MODEL_DIR", model.as_str())];
        self.server = Server::start(&self.database, &env).await;
        self.candidate = token(&self.server, "candidate@viva.test").await;
        self.admin = token(&self.server, "admin@viva.test").await;
    }
}

async fn world(gemini_extra: &str) -> World {
    let database = TestDatabase::new().await;
    migrate_and_seed(&database);
    let gemini = FakeGemini::start().await;
    let openai = FakeOpenAi::start().await;
    for script in [gemini.script(), openai.script()] {
        script.set_responder(interviewer);
    }
    gemini.script().require_key(GEMINI_KEY);
    openai.script().require_key(OPENAI_KEY);
    let config = write_config(&gemini, &openai, gemini_extra);
    let config = config.display().to_string();
    let model = model_dir();
    let server = Server::start(&database, &[("VIVA_CONFIG", &config), ("VIVA_MODEL_DIR", &model)]).await;
    let candidate = token(&server, "candidate@viva.test").await;
    let admin = token(&server, "admin@viva.test").await;
    World { server, gemini, openai, candidate, admin, config, database }
}

/// A practice session of `count` questions, all answered at once; returns its id.
async fn answered_session(w: &World, count: usize) -> String {
    let started = ok(
        w.server
            .graphql(
                Some(&w.candidate),
                "mutation($i: PracticeInput!) { startPracticeInterview(input: $i) { id } }",
                json!({ "i": { "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": count } }),
            )
            .await,
        "startPracticeInterview",
    );
    let id = started["id"].as_str().unwrap().to_owned();
    let all = ok(
        w.server
            .graphql(
                Some(&w.admin),
                "query($id: ID!) { interview(id: $id) { questions { id } } }",
                json!({ "id": id }),
            )
            .await,
        "interview",
    );
    let answers: Vec<Value> = all["questions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, q)| json!({ "questionId": q["id"], "text": ANSWERS[n % ANSWERS.len()], "durationSeconds": 50, "idempotencyKey": format!("{id}-{n}") }))
        .collect();
    let submitted = ok(
        w.server
            .graphql(
                Some(&w.candidate),
                "mutation($id: ID!, $a: [AnswerInput!]!) { submitAllAnswers(interviewId: $id, answers: $a) { status } }",
                json!({ "id": id, "a": answers }),
            )
            .await,
        "submitAllAnswers",
    );
    assert_eq!(submitted["status"], "COMPLETED");
    id
}

/// Waits until the interview is evaluated; returns each answer's evaluation history, after
/// checking that each holds exactly one evaluation, the current one.
async fn evaluations(w: &World, id: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let interview = ok(
            w.server
                .graphql(
                    Some(&w.admin),
                    "query($id: ID!) { interview(id: $id) { status answers { evaluations { current scores { overall } strengths provenance { provider model promptVersion inputTokens outputTokens latencyMs fallback } } } } }",
                    json!({ "id": id }),
                )
                .await,
            "interview",
        );
        if interview["status"] == "EVALUATED" {
            let mut out = Vec::new();
            for answer in interview["answers"].as_array().unwrap() {
                let history = answer["evaluations"].as_array().unwrap();
                assert_eq!(history.len(), 1, "exactly one evaluation per answer: {history:?}");
                assert_eq!(history[0]["current"], true);
                out.push(history[0].clone());
            }
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "not evaluated in time: {interview}; log:\n{}",
            w.server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn providers(w: &World) -> Vec<Value> {
    let stats = ok(
        w.server
            .graphql(
                Some(&w.admin),
                "{ systemStats { aiProviders { capability provider model up breaker consecutiveFailures spentTodayUsd dailyBudgetUsd } } }",
                json!({}),
            )
            .await,
        "systemStats",
    );
    stats["aiProviders"].as_array().unwrap().clone()
}

async fn chat_health(w: &World, provider: &str) -> Value {
    providers(w)
        .await
        .into_iter()
        .find(|p| p["capability"] == "chat" && p["provider"] == provider)
        .unwrap_or_else(|| panic!("no chat provider {provider}"))
}

fn generate_calls(script: &Script) -> usize {
    script.requests().iter().filter(|r| r.path.ends_with(":generateContent")).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gemini_evaluates_and_outages_fall_back_without_losing_an_answer() {
    let w = world("").await;

    // Gemini up: it writes every evaluation, and says so.
    let id = answered_session(&w, 2).await;
    for e in evaluations(&w, &id).await {
        let p = &e["provenance"];
        assert_eq!(p["provider"], "gemini", "{e}");
        assert_eq!(p["model"], "gemini-2.5-flash");
        assert!(p["promptVersion"].as_str().is_some_and(|v| v.starts_with("evaluate-")), "{e}");
        assert!(p["inputTokens"].as_i64().unwrap() > 0 && p["outputTokens"].as_i64().unwrap() > 0, "{e}");
        assert!(p["fallback"].is_null());
    }
    for request in w.gemini.script().requests() {
        assert_eq!(request.header("x-goog-api-key"), Some(GEMINI_KEY));
        assert!(
            !request.query.as_deref().unwrap_or_default().contains("key="),
            "the key never goes in a URL"
        );
        let body = request.json().unwrap();
        assert_eq!(body["generationConfig"]["responseMimeType"], "application/json");
        assert!(body["generationConfig"]["responseJsonSchema"]["properties"]["overall"].is_object());
    }

    // Two 429s with RetryInfo, then 200: still Gemini, after backing off as told.
    let before = generate_calls(w.gemini.script());
    for _ in 0..2 {
        w.gemini.script().push(Behaviour::RateLimited { retry_after: Duration::from_millis(300) });
    }
    let id = answered_session(&w, 1).await;
    let e = &evaluations(&w, &id).await[0];
    assert_eq!(e["provenance"]["provider"], "gemini", "{e}");
    assert!(e["provenance"]["latencyMs"].as_i64().unwrap() >= 600, "both retry hints were honoured: {e}");
    assert_eq!(generate_calls(w.gemini.script()) - before, 3);

    // Gemini down: the OpenAI-compatible server writes them, and the provenance says why.
    w.gemini.script().set_default(Behaviour::Status(503));
    let id = answered_session(&w, 4).await;
    for e in evaluations(&w, &id).await {
        assert_eq!(e["provenance"]["provider"], "openai", "{e}");
        assert_eq!(e["provenance"]["model"], "local-instruct");
        assert!(e["provenance"]["fallback"].as_str().unwrap().contains("gemini"), "{e}");
    }
    let gemini = chat_health(&w, "gemini").await;
    assert_eq!(gemini["breaker"], "OPEN", "three failed calls open the breaker: {gemini}");
    assert_eq!(gemini["up"], false);
    let metrics = crate::server::http()
        .get(format!("{}/metrics", w.server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("viva_ai_breaker_state{capability=\"chat\",provider=\"gemini\"} 2"),
        "{metrics}"
    );
    let openai_requests = w.openai.script().requests();
    assert!(
        openai_requests.iter().all(|r| r.header("authorization") == Some(&format!("Bearer {OPENAI_KEY}")))
    );
    assert!(openai_requests.iter().any(|r| r.json().unwrap()["response_format"]["type"] == "json_schema"));
    // While the breaker is open, Gemini is not called at all.
    let calls = generate_calls(w.gemini.script());

    // Both failing, one with garbage (out-of-range scores, twice): the offline rules write
    // them, and say why.
    w.openai.script().set_default(Behaviour::Text("{\"content\": 500, \"overall\": -3}".to_owned()));
    let id = answered_session(&w, 2).await;
    for e in evaluations(&w, &id).await {
        assert_eq!(e["provenance"]["provider"], "offline", "{e}");
        let why = e["provenance"]["fallback"].as_str().unwrap();
        assert!(why.contains("gemini: circuit open") && why.contains("openai"), "{why}");
    }
    assert_eq!(generate_calls(w.gemini.script()), calls, "an open breaker makes no calls");
    // The candidate sees who evaluated, but not the cost or why providers were passed over.
    let seen = ok(
        w.server
            .graphql(
                Some(&w.candidate),
                "query($id: ID!) { interview(id: $id) { answers { evaluation { provenance { provider fallback inputTokens } } } } }",
                json!({ "id": id }),
            )
            .await,
        "interview",
    );
    let provenance = &seen["answers"][0]["evaluation"]["provenance"];
    assert_eq!(provenance["provider"], "offline");
    assert!(provenance["fallback"].is_null() && provenance["inputTokens"].is_null(), "{provenance}");

    // Gemini recovers: after the cooldown one probe closes the breaker.
    w.gemini.script().set_default(Behaviour::Normal);
    w.openai.script().set_default(Behaviour::Normal);
    tokio::time::sleep(Duration::from_millis(8100)).await;
    assert_eq!(chat_health(&w, "gemini").await["breaker"], "HALF_OPEN");
    let id = answered_session(&w, 1).await;
    assert_eq!(evaluations(&w, &id).await[0]["provenance"]["provider"], "gemini");
    let gemini = chat_health(&w, "gemini").await;
    assert_eq!(
        (gemini["breaker"].as_str(), gemini["up"].as_bool()),
        (Some("CLOSED"), Some(true)),
        "{gemini}"
    );

    // HR can re-score an answer with another provider and compare: both stay in the history.
    let answer = ok(
        w.server
            .graphql(
                Some(&w.admin),
                "query($id: ID!) { interview(id: $id) { answers { id } } }",
                json!({ "id": id }),
            )
            .await,
        "interview",
    )["answers"][0]["id"]
        .clone();
    let asked = w
        .server
        .graphql(
            Some(&w.admin),
            "mutation($a: ID!) { evaluateResponse(answerId: $a, provider: \"nobody\") { id } }",
            json!({ "a": answer }),
        )
        .await;
    assert_eq!(asked["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{asked}");
    ok(
        w.server
            .graphql(
                Some(&w.admin),
                "mutation($a: ID!) { evaluateResponse(answerId: $a, provider: \"openai\") { id } }",
                json!({ "a": answer }),
            )
            .await,
        "evaluateResponse",
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let a = ok(
            w.server
                .graphql(Some(&w.admin), "query($id: ID!) { interview(id: $id) { answers { evaluations { current provenance { provider } } } } }", json!({ "id": id }))
                .await,
            "interview",
        );
        let history = a["answers"][0]["evaluations"].as_array().unwrap().clone();
        if history.len() == 2 {
            let current: Vec<&Value> = history.iter().filter(|e| e["current"] == true).collect();
            assert_eq!(current.len(), 1);
            assert_eq!(current[0]["provenance"]["provider"], "openai");
            assert!(history.iter().any(|e| e["provenance"]["provider"] == "gemini"));
            break;
        }
        assert!(Instant::now() < deadline, "the re-evaluation did not land: {history:?}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spend_cap_stops_calls_for_the_day_and_the_chain_falls_back() {
    // A cap of a hundred-thousandth of a dollar at a dollar per million tokens: one call spends it.
    let mut w =
        world("daily_budget_usd = 0.00001\ninput_usd_per_million = 1.0\noutput_usd_per_million = 1.0").await;
    let id = answered_session(&w, 1).await;
    assert_eq!(evaluations(&w, &id).await[0]["provenance"]["provider"], "gemini");
    let gemini = chat_health(&w, "gemini").await;
    assert!(gemini["spentTodayUsd"].as_f64().unwrap() >= 0.00001, "{gemini}");
    assert_eq!(gemini["up"], false, "{gemini}");
    let calls = generate_calls(w.gemini.script());
    let id = answered_session(&w, 2).await;
    for e in evaluations(&w, &id).await {
        assert_eq!(e["provenance"]["provider"], "openai", "{e}");
        assert!(
            e["provenance"]["fallback"].as_str().unwrap().contains("gemini: daily spend cap reached"),
            "{e}"
        );
    }
    assert_eq!(generate_calls(w.gemini.script()), calls, "no call past the cap");

    // The spending is kept in the database: a restarted (or another) replica keeps to the cap.
    w.restart().await;
    let id = answered_session(&w, 1).await;
    let e = &evaluations(&w, &id).await[0];
    assert_eq!(e["provenance"]["provider"], "openai", "{e}");
    assert!(e["provenance"]["fallback"].as_str().unwrap().contains("gemini: daily spend cap reached"), "{e}");
    assert_eq!(generate_calls(w.gemini.script()), calls, "no call past the cap after a restart");
    let gemini = chat_health(&w, "gemini").await;
    assert!(gemini["spentTodayUsd"].as_f64().unwrap() >= 0.00001 && gemini["up"] == false, "{gemini}");
}

/// Whether `text` takes up a word (of five letters or more) of `context`.
fn drawn_from(text: &str, context: &str) -> bool {
    let text = text.to_lowercase();
    context
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 5)
        .any(|w| text.contains(&w.to_lowercase()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_questions_and_follow_ups_are_written_by_the_model() {
    const CONTEXT: &str = "Backend engineer for a payments platform: PostgreSQL tuning, Kubernetes deployments and incident response.";
    const JOB: &str =
        "Site reliability for a logistics company: observability, capacity planning and on-call rotations.";
    let w = world("").await;
    let hr = token(&w.server, "hr@viva.test").await;
    let assigned = ok(
        w.server.graphql(Some(&hr), "{ assignedCandidates { edges { node { id } } } }", json!({})).await,
        "assignedCandidates",
    );
    let input = json!({
        "candidateId": assigned["edges"][0]["node"]["id"], "role": "backend-engineer", "difficulty": "HARD",
        "questionCount": 3, "questionSource": "GENERATED",
        "context": CONTEXT,
        "windowStart": (Utc::now() - chrono::Duration::minutes(5)).to_rfc3339(),
        "windowEnd": (Utc::now() + chrono::Duration::hours(1)).to_rfc3339(),
    });
    let scheduled = ok(
        w.server.graphql(Some(&hr), "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id questionSource questions { text type expectedKeywords idealAnswer timeLimitSeconds } } }", json!({ "i": input })).await,
        "scheduleInterview",
    );
    assert_eq!(scheduled["questionSource"], "GENERATED");
    let questions = scheduled["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 3);
    for q in questions {
        assert!(drawn_from(q["text"].as_str().unwrap(), CONTEXT), "{q}");
        assert!(!q["expectedKeywords"].as_array().unwrap().is_empty(), "{q}");
        assert!(q["idealAnswer"].as_str().unwrap().len() > 20, "{q}");
        assert_eq!(q["timeLimitSeconds"], 120);
    }
    let kinds: std::collections::HashSet<&str> =
        questions.iter().map(|q| q["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 3, "the types are mixed");
    let asked = w.gemini.script().requests_to(":generateContent");
    let body = asked.last().unwrap().json().unwrap();
    assert!(body["generationConfig"]["responseJsonSchema"]["properties"]["questions"].is_object());
    assert!(body["contents"][0]["parts"][0]["text"].as_str().unwrap().contains("PostgreSQL tuning"));

    // Practice for a job description: questions written for it; a weak answer that misses
    // the expected ideas gets a follow-up naming what it missed.
    let started = ok(
        w.server
            .graphql(
                Some(&w.candidate),
                "mutation($i: PracticeInput!) { startPracticeInterview(input: $i) { id questionSource } }",
                json!({ "i": { "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": 2,
                               "jobDescription": JOB } }),
            )
            .await,
        "startPracticeInterview",
    );
    assert_eq!(started["questionSource"], "GENERATED");
    let id = started["id"].as_str().unwrap();
    let current = ok(
        w.server
            .graphql(
                Some(&w.candidate),
                "query($id: ID!) { currentQuestion(interviewId: $id) { id text } }",
                json!({ "id": id }),
            )
            .await,
        "currentQuestion",
    );
    assert!(drawn_from(current["text"].as_str().unwrap(), JOB), "{current}");
    ok(
        w.server
            .graphql(Some(&w.candidate), "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
                json!({ "id": id, "a": { "questionId": current["id"], "text": "I would just work hard and talk to people until it is sorted out.", "idempotencyKey": "weak-answer-1" } }))
            .await,
        "submitAnswer",
    );
    let keywords = ok(
        w.server
            .graphql(
                Some(&w.admin),
                "query($id: ID!) { interview(id: $id) { questions { id expectedKeywords } } }",
                json!({ "id": id }),
            )
            .await,
        "interview",
    )["questions"][0]["expectedKeywords"]
        .clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    let follow_up = loop {
        let interview = ok(
            w.server
                .graphql(
                    Some(&w.admin),
                    "query($id: ID!) { interview(id: $id) { questions { text followUpOf } } }",
                    json!({ "id": id }),
                )
                .await,
            "interview",
        );
        if let Some(q) =
            interview["questions"].as_array().unwrap().iter().find(|q| !q["followUpOf"].is_null())
        {
            break q["text"].as_str().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "no follow-up: {interview}; log:\n{}", w.server.log_text());
        tokio::time::sleep(Duration::from_millis(150)).await;
    };
    assert!(
        keywords.as_array().unwrap().iter().any(|k| follow_up.contains(k.as_str().unwrap())),
        "the follow-up {follow_up:?} names what the answer missed ({keywords})"
    );
    let probed = w.gemini.script().requests_to(":generateContent");
    assert!(probed.iter().any(|r| {
        r.json().unwrap()["generationConfig"]["responseJsonSchema"]["properties"]["reason"].is_object()
    }));
}

/// Runs `viva` with `args` off the runtime (the fakes answer on it); returns (success, stdout, stderr).
async fn run_viva(config: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let mut command = viva("postgres://unused@127.0.0.1:1/unused");
    // Both in-process models, as `make test` fetches them: the default chains include them.
    let whisper = crate::server::script_dir("fetch-whisper.sh");
    command
        .env("VIVA_CONFIG", config)
        .env("VIVA_MODEL_DIR", model_dir())
        .env("VIVA_WHISPER_DIR", whisper)
        .args(args);
    let output = tokio::task::spawn_blocking(move || command.output().expect("run viva")).await.unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_evaluates_with_gemini_and_says_why_it_fell_back() {
    let gemini = FakeGemini::start().await;
    gemini.script().set_responder(interviewer);
    let config = std::env::temp_dir().join(format!("viva-e2e-cli-ai-{}.toml", uuid::Uuid::new_v4()));
    let write = |base_url: &str| {
        std::fs::write(
            &config,
            format!(
                "[ai]\nchat = [\"gemini\"]\nembeddings = [\"candle\"]\n[ai.gemini]\napi_key = \"{GEMINI_KEY}\"\nbase_url = \"{base_url}\"\ntimeout_secs = 2\n[ai.gemini.resilience]\nmax_retries = 1\nbackoff_secs = 0.05\n"
            ),
        )
        .unwrap()
    };
    write(&gemini.base_url());
    let question = "How would you find why a SQL query got slow?";
    let answer = "I would read the query plan with EXPLAIN ANALYZE, look for a sequential scan on a big table, add the missing index and measure again.";
    let args = ["ai", "evaluate", "--question", question, "--answer", answer];
    let (success, stdout, stderr) = run_viva(&config, &args).await;
    assert!(success, "{stderr}");
    let line: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(line["provenance"]["provider"], "gemini", "{line}");
    assert_eq!(line["provenance"]["model"], "gemini-2.5-flash");
    assert!(line["evaluation"]["scores"]["overall"].is_i64());
    assert_eq!(gemini.script().requests()[0].header("x-goog-api-key"), Some(GEMINI_KEY));

    // `viva ai providers` checks each one with a tiny call.
    let (success, stdout, stderr) = run_viva(&config, &["ai", "providers"]).await;
    assert!(success, "{stdout}{stderr}");
    assert!(
        stdout.lines().any(|l| l.starts_with("chat") && l.contains("gemini") && l.contains("UP")),
        "{stdout}"
    );

    // Unreachable: the offline evaluation, and why.
    let unreachable = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    );
    write(&unreachable);
    let (success, stdout, stderr) = run_viva(&config, &args).await;
    assert!(success, "{stderr}");
    let line: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(line["provenance"]["provider"], "offline", "{line}");
    assert!(line["trace"]["fallback"].as_str().unwrap().contains("gemini"), "{line}");
    assert!(stderr.contains("falling back") && stderr.contains("cannot reach"), "{stderr}");
    assert!(!stderr.contains(GEMINI_KEY) && !stdout.contains(GEMINI_KEY), "the key is never printed");
    let (success, stdout, _) = run_viva(&config, &["ai", "providers"]).await;
    assert!(!success && stdout.contains("DOWN"), "{stdout}");
    let _ = std::fs::remove_file(&config);
}

#[tokio::test]
async fn a_resume_is_reviewed_by_the_chat_model_over_the_offline_analysis() {
    let w = world("").await;
    let review = |call: &viva_ai_fakes::ChatCall| -> String {
        let reviewing =
            call.schema.as_ref().and_then(|s| s.get("properties")).is_some_and(|p| p.get("advice").is_some());
        if !reviewing {
            return interviewer(call);
        }
        json!({
            "summary": "An experienced backend engineer who designs, builds and runs services for many users.",
            "advice": [
                { "topic": "IMPACT", "message": "Lead each role with the result you are proudest of, in numbers." },
                { "topic": "KEYWORDS", "message": "Name the cloud you ran the services on." },
            ],
        })
        .to_string()
    };
    w.gemini.script().set_responder(review);
    let uploaded = crate::resumes::upload(&w.server, &w.candidate, "backend_go").await;
    assert_eq!(uploaded["status"], "PENDING");
    let query = "{ resumes { status skills analysis { summary qualityScore atsFeedback { code message source } reviewedBy { provider model promptVersion } } } }";
    let deadline = Instant::now() + Duration::from_secs(60);
    let resume = loop {
        let mine = ok(w.server.graphql(Some(&w.candidate), query, json!({})).await, "resumes");
        match mine[0]["status"].as_str().unwrap() {
            "ANALYSED" => break mine[0].clone(),
            "FAILED" => panic!("failed: {mine}"),
            _ => {
                assert!(Instant::now() < deadline, "not analysed in time\n{}", w.server.log_text());
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    let analysis = &resume["analysis"];
    assert_eq!(analysis["reviewedBy"]["provider"], "gemini", "{analysis}");
    assert_eq!(analysis["reviewedBy"]["promptVersion"], "resume-review-2026-12-01");
    assert!(
        analysis["summary"].as_str().unwrap().starts_with("An experienced backend engineer"),
        "{analysis}"
    );
    let advice = analysis["atsFeedback"].as_array().unwrap();
    let from_model: Vec<&Value> = advice.iter().filter(|a| a["source"] == "MODEL").collect();
    assert_eq!(from_model.len(), 2, "{advice:?}");
    assert_eq!(from_model[0]["code"], "IMPACT");
    // The facts stay the rules': skills, the quality score.
    assert!(resume["skills"].as_array().unwrap().len() >= 5);
    assert!(analysis["qualityScore"].as_i64().unwrap() > 0);
    // The model was asked with the rules' findings and the resume's text, quoted as data.
    let asked: Vec<String> = w
        .gemini
        .script()
        .requests()
        .iter()
        .filter_map(|r| r.json())
        .map(|body| body["contents"].to_string())
        .filter(|c| c.contains("Review this resume"))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].contains("Skills recognised:") && asked[0].contains("<resume-"), "{}", asked[0]);
    let _ = &w.openai;
}
