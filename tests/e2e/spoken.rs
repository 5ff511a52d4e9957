//! INT-5 against the real binary: a candidate answers by voice (WebM/Opus, as a browser records
//! it) over HTTP; their HR user, watching over WebSocket, sees the transcript arrive in parts,
//! then whole, then the evaluation, all heard by the in-process Whisper model (tiny.en) and
//! decoded in the binary's own sandbox. The transcript and the recording are the candidate's,
//! their HR user's and admins', and no one else's. Files that are not what they claim, cut
//! short, an hour long or a zip bomb each fail cleanly, and the server's memory stays bounded.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use viva_test_support::TestDatabase;

use crate::interviews::{demo_interview_started, ok, token};
use crate::server::{Server, http, migrate_and_seed};

const SUBMIT: &str = "mutation($id: ID!, $a: AnswerInput!, $audio: Upload) { submitAnswer(interviewId: $id, input: $a, audio: $audio) { answer { id transcript { status } recordings { kind mediaType downloadUrl } } } }";
const ANSWERS: &str = "query($id: ID!) { interview(id: $id) { answers { id aiScore transcript { status text language durationSeconds provider model failure segments { start end text } delivery { wordsPerMinute longPauses fillerWords words } } recordings { kind downloadUrl } } } }";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("providers/whisper/tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn model_dir() -> String {
    viva_candle::locate(None)
        .expect("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh")
        .display()
        .to_string()
}

/// Words, lower-cased, without punctuation.
fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate of `heard` against `said` (edit distance over words).
fn wer(said: &str, heard: &str) -> f64 {
    let (a, b) = (words(said), words(heard));
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitution = previous + usize::from(x != y);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()] as f64 / a.len().max(1) as f64
}

struct Spoken {
    server: Server,
    hr: String,
    candidate: String,
    interview: String,
    _objects: tempfile::TempDir,
    _database: TestDatabase,
}

async fn started() -> Spoken {
    started_with(&[]).await
}

/// As [`started`], with more settings for the server.
async fn started_with(extra: &[(&str, &str)]) -> Spoken {
    let database = TestDatabase::new().await;
    migrate_and_seed(&database);
    let objects = tempfile::tempdir().unwrap();
    let model = model_dir();
    let whisper = crate::server::script_dir("fetch-whisper.sh").display().to_string();
    let mut env = vec![
        ("VIVA_MODEL_DIR", model.as_str()),
        ("VIVA_WHISPER_DIR", whisper.as_str()),
        ("VIVA_OBJECTS_DIR", objects.path().to_str().unwrap()),
    ];
    env.extend_from_slice(extra);
    let server = Server::start(&database, &env).await;
    let (hr, candidate, interview) = demo_interview_started(&server, 4).await;
    Spoken { server, hr, candidate, interview, _objects: objects, _database: database }
}

impl Spoken {
    /// The candidate answers the current question with `audio` (a file named `name`).
    async fn answer(&self, key: &str, name: &str, audio: Vec<u8>) -> Value {
        let current = self
            .server
            .graphql(
                Some(&self.candidate),
                "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
                json!({ "id": self.interview }),
            )
            .await;
        let question = ok(current, "currentQuestion")["id"].clone();
        let operations = json!({ "query": SUBMIT, "variables": { "id": self.interview,
            "a": { "questionId": question, "idempotencyKey": key }, "audio": null } });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.audio"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(audio)
                    .file_name(name.to_owned())
                    .mime_str("audio/webm")
                    .unwrap(),
            );
        http()
            .post(format!("{}/graphql", self.server.base))
            .bearer_auth(&self.candidate)
            .header("x-viva-csrf", "1")
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The interview's answers, as `token` reads them.
    async fn answers(&self, token: &str) -> Value {
        self.server.graphql(Some(token), ANSWERS, json!({ "id": self.interview })).await
    }

    /// Waits until the answer's transcript has left `PENDING` and, when it is done, the answer
    /// is evaluated; returns the answer as the HR user reads it.
    async fn settled(&self, answer_id: &Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let read = self.answers(&self.hr).await;
            let answer = read["data"]["interview"]["answers"]
                .as_array()
                .and_then(|all| all.iter().find(|a| a["id"] == *answer_id).cloned())
                .unwrap_or(Value::Null);
            let status = &answer["transcript"]["status"];
            if status == "FAILED" || (status == "DONE" && !answer["aiScore"].is_null()) {
                return answer;
            }
            assert!(Instant::now() < deadline, "still pending: {answer}\n{}", self.server.log_text());
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn a_spoken_answer_is_heard_live_transcribed_evaluated_and_kept_for_the_right_people() {
    let s = started().await;
    // The HR user watches the interview.
    let mut request = s.server.ws_url.as_str().into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "accessToken": s.hr } });
    socket.send(Message::Text(init.to_string().into())).await.unwrap();
    assert!(socket.next().await.unwrap().unwrap().to_text().unwrap().contains("connection_ack"));
    let query = "subscription($id: ID!) { interviewEvents(interviewId: $id) { kind answer { id } transcript { status text failure segments { start end text } } } }";
    let subscribe = json!({ "id": "watch", "type": "subscribe", "payload": { "query": query, "variables": { "id": s.interview } } });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    // Live once the server answers a ping. The interview was started before this subscription,
    // and under load its INTERVIEW_STARTED may still be on the bus and arrive first: skip it.
    socket.send(Message::Text(json!({ "type": "ping" }).to_string().into())).await.unwrap();
    loop {
        let reply = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a pong")
            .unwrap()
            .unwrap();
        let reply: Value = serde_json::from_str(reply.to_text().unwrap()).unwrap();
        if reply["type"] == "pong" {
            break;
        }
        assert_eq!(reply["payload"]["data"]["interviewEvents"]["kind"], "INTERVIEW_STARTED", "{reply}");
    }

    let said = String::from_utf8(fixture("database.txt")).unwrap();
    let submitted = s.answer("voice-answer-0001", "answer.webm", fixture("database.webm")).await;
    let answer = &submitted["data"]["submitAnswer"]["answer"];
    assert_eq!(answer["transcript"]["status"], "PENDING", "{submitted}");
    assert_eq!(answer["recordings"][0]["mediaType"], "audio/webm");
    let answer_id = answer["id"].clone();

    // Partial transcripts, then the final one, then the evaluation, in that order.
    let mut kinds = Vec::new();
    let mut final_text = String::new();
    let deadline = Instant::now() + Duration::from_secs(180);
    while !kinds.contains(&"ANSWER_EVALUATED".to_owned()) {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(left, socket.next())
            .await
            .expect("events within 3 minutes")
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        let event = &message["payload"]["data"]["interviewEvents"];
        assert!(event.is_object(), "{message}");
        if event["answer"]["id"] != answer_id {
            continue;
        }
        let kind = event["kind"].as_str().unwrap().to_owned();
        assert_ne!(kind, "TRANSCRIPT_FAILED", "{event}\n{}", s.server.log_text());
        if kind == "TRANSCRIPT_PARTIAL" {
            // An event shows the transcript as it stands when it is delivered: at least what
            // was heard when it was announced, and possibly all of it already.
            assert!(
                ["PENDING", "DONE"].contains(&event["transcript"]["status"].as_str().unwrap()),
                "{event}"
            );
            assert!(!event["transcript"]["segments"].as_array().unwrap().is_empty(), "{event}");
        }
        if kind == "TRANSCRIPT_FINAL" {
            assert_eq!(event["transcript"]["status"], "DONE", "{event}");
            final_text = event["transcript"]["text"].as_str().unwrap().to_owned();
        }
        kinds.push(kind);
    }
    let position =
        |k: &str| kinds.iter().position(|x| x == k).unwrap_or_else(|| panic!("no {k} in {kinds:?}"));
    assert!(position("TRANSCRIPT_PARTIAL") < position("TRANSCRIPT_FINAL"), "{kinds:?}");
    assert!(position("TRANSCRIPT_FINAL") < position("ANSWER_EVALUATED"), "{kinds:?}");
    let error = wer(&said, &final_text);
    assert!(error <= 0.25, "heard {final_text:?} for {said:?}: WER {error:.2}");

    // The candidate and their HR user read the transcript, its timing and delivery.
    let answer = s.settled(&answer_id).await;
    let transcript = &answer["transcript"];
    assert_eq!(transcript["provider"], "whisper", "{transcript}");
    assert!(transcript["model"].as_str().unwrap().contains("tiny"), "{transcript}");
    let duration = transcript["durationSeconds"].as_f64().unwrap();
    let segments = transcript["segments"].as_array().unwrap();
    assert!(!segments.is_empty());
    for pair in segments.windows(2) {
        assert!(pair[0]["start"].as_f64() <= pair[1]["start"].as_f64(), "{segments:?}");
    }
    assert!(segments.iter().all(|s| s["end"].as_f64().unwrap() <= duration + 0.5), "{segments:?}");
    assert!(transcript["delivery"]["wordsPerMinute"].as_f64().unwrap() > 60.0, "{transcript}");
    let mine = s.answers(&s.candidate).await;
    assert_eq!(mine["data"]["interview"]["answers"][0]["transcript"]["text"], transcript["text"]);

    // The recording: downloadable by the candidate and the HR user, refused to anyone else.
    let url = answer["recordings"][0]["downloadUrl"].as_str().unwrap().to_owned();
    let fetch = |token: Option<String>| {
        let request = http().get(format!("{}{url}", s.server.base));
        async move {
            match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
            .send()
            .await
            .unwrap()
        }
    };
    let file = fetch(Some(s.hr.clone())).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().to_vec(), fixture("database.webm"));
    let register = s
        .server
        .graphql(None, "mutation($i: RegisterInput!) { register(input: $i) { id } }", json!({ "i": { "email": "someone.else@example.org", "password": "viva-demo-passphrase", "fullName": "Some One", "role": "CANDIDATE" } }))
        .await;
    assert!(register["data"]["register"]["id"].is_string(), "{register}");
    let stranger = token(&s.server, "someone.else@example.org").await;
    assert_eq!(fetch(Some(stranger.clone())).await.status(), 404, "another candidate cannot use the link");
    assert_eq!(fetch(None).await.status(), 401);
    let theirs = s.answers(&stranger).await;
    assert_eq!(theirs["errors"][0]["extensions"]["code"], "NOT_FOUND", "{theirs}");
}

#[tokio::test]
async fn recordings_that_are_broken_too_long_or_not_audio_fail_cleanly_with_memory_bounded() {
    let s = started().await;
    let pid = s.server.pid();
    let before = rss_kib(pid);

    // Not what it claims: refused at once, nothing stored.
    let mut bomb = b"PK\x03\x04".to_vec();
    bomb.extend(vec![0u8; 4096]);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10".to_vec();
    for (name, bytes, says) in [
        ("bomb.webm", bomb, "a ZIP archive"),
        ("photo.webm", png, "a PNG image"),
        ("empty.webm", Vec::new(), "the file is empty"),
    ] {
        let refused = s.answer(&format!("refused-{name}"), name, bytes).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{name}: {refused}");
        assert!(refused.to_string().contains(says), "{name}: {refused}");
    }

    // Cut short: the transcript fails and says so; the answer is still evaluated (on nothing).
    let webm = fixture("database.webm");
    let truncated = s.answer("cut-short-0001", "cut.webm", webm[..webm.len() / 2].to_vec()).await;
    let cut = truncated["data"]["submitAnswer"]["answer"]["id"].clone();
    assert!(cut.is_string(), "{truncated}");
    // An hour of silence (FLAC compresses it to a few hundred kilobytes): too long.
    let dir = tempfile::tempdir().unwrap();
    let hour = dir.path().join("silence.flac");
    let made = std::process::Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=8000:cl=mono",
            "-t",
            "3600",
            "-c:a",
            "flac",
        ])
        .arg(&hour)
        .status()
        .expect("ffmpeg (scripts/setup-audio-tests.sh installs it)");
    assert!(made.success());
    let long = s.answer("an-hour-0001", "silence.flac", std::fs::read(&hour).unwrap()).await;
    let long = long["data"]["submitAnswer"]["answer"]["id"].clone();
    assert!(long.is_string());

    let cut = s.settled(&cut).await;
    assert_eq!(cut["transcript"]["status"], "FAILED", "{cut}");
    assert!(cut["transcript"]["failure"].as_str().unwrap().contains("damaged or cut short"), "{cut}");
    let long = s.settled(&long).await;
    assert_eq!(long["transcript"]["status"], "FAILED", "{long}");
    assert!(
        long["transcript"]["failure"].as_str().unwrap().contains("longer than the 10 minutes allowed"),
        "{long}"
    );

    // Still serving, and its memory did not grow with the files (the decoding ran elsewhere).
    let after = rss_kib(pid);
    assert!(after < before + 150 * 1024, "the server grew from {before} KiB to {after} KiB");
    let me = s.server.graphql(Some(&s.candidate), "{ me { email } }", json!({})).await;
    assert_eq!(me["data"]["me"]["email"], "candidate@viva.test");
}

/// moto's S3-compatible server on a free port, stopped when dropped.
struct S3Server {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn s3_server() -> S3Server {
    let program = crate::server::script_dir("setup-s3-test-server.sh");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = std::process::Command::new(&program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} (run scripts/setup-s3-test-server.sh): {e}", program.display()));
    let server = S3Server { child, endpoint: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    while http().get(&server.endpoint).send().await.is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server
}

#[tokio::test]
async fn files_can_live_in_an_s3_compatible_bucket() {
    let s3 = s3_server().await;
    let created = http().put(format!("{}/viva-files", s3.endpoint)).send().await.unwrap();
    assert!(created.status().is_success(), "bucket: {}", created.status());
    let s = started_with(&[
        ("VIVA_OBJECTS_S3_BUCKET", "viva-files"),
        ("VIVA_OBJECTS_S3_ENDPOINT", s3.endpoint.as_str()),
        ("VIVA_OBJECTS_S3_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "viva-test"),
        ("AWS_SECRET_ACCESS_KEY", "viva-test-secret"),
    ])
    .await;
    let submitted = s.answer("s3-answer-0001", "answer.webm", fixture("database.webm")).await;
    let answer_id = submitted["data"]["submitAnswer"]["answer"]["id"].clone();
    assert!(answer_id.is_string(), "{submitted}");
    // The file is in the bucket, under a generated name.
    let listing = http().get(format!("{}/viva-files?list-type=2", s3.endpoint)).send().await.unwrap();
    let listing = listing.text().await.unwrap();
    assert!(listing.contains("<Key>audio/"), "{listing}");
    assert!(!listing.contains("answer.webm"), "the client's name is never the object's");
    // The transcription job reads it back from there, and the HR user's link serves it.
    let answer = s.settled(&answer_id).await;
    assert_eq!(answer["transcript"]["status"], "DONE", "{answer}");
    let url = answer["recordings"][0]["downloadUrl"].as_str().unwrap();
    let file = http().get(format!("{}{url}", s.server.base)).bearer_auth(&s.hr).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().to_vec(), fixture("database.webm"));
}
