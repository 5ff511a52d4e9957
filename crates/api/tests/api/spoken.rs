//! INT-5, PLAT-4, PLAT-6 through the API: spoken answers and recordings uploaded as GraphQL
//! multipart requests, typed by content and capped; replays that store nothing twice; download
//! links for exactly the people who may see the answer; and retention that deletes the files
//! and keeps the transcript. The transcription job itself runs in the end-to-end tests, against
//! the real binary's decoder and the in-process Whisper model.

use axum::body::Body;
use chrono::{Duration, Utc};
use http::{Request, StatusCode};
use serde_json::{Value, json};
use viva_test_support::{RawResponse, TestApp, TestUser, UploadPart, multipart_request};

const SUBMIT: &str = "mutation($id: ID!, $a: AnswerInput!, $audio: Upload, $rec: [RecordingUpload!]) { submitAnswer(interviewId: $id, input: $a, audio: $audio, recordings: $rec) { answer { id text transcript { status segments { text } } recordings { id kind mediaType byteSize downloadUrl deletedAt } } } }";
const ANSWER: &str = "query($id: ID!) { interview(id: $id) { answers { id humanScore transcript { status text } recordings { kind downloadUrl deletedAt } } } }";

/// A WAV header and a tenth of a second of silence at 16 kHz: audio by its content.
fn wav() -> Vec<u8> {
    let data = vec![0u8; 3_200];
    let mut bytes = b"RIFF".to_vec();
    bytes.extend((36 + data.len() as u32).to_le_bytes());
    bytes.extend(b"WAVEfmt ");
    bytes.extend(16u32.to_le_bytes());
    bytes.extend(1u16.to_le_bytes());
    bytes.extend(1u16.to_le_bytes());
    bytes.extend(16_000u32.to_le_bytes());
    bytes.extend(32_000u32.to_le_bytes());
    bytes.extend(2u16.to_le_bytes());
    bytes.extend(16u16.to_le_bytes());
    bytes.extend(b"data");
    bytes.extend((data.len() as u32).to_le_bytes());
    bytes.extend(data);
    bytes
}

/// The start of a WebM file (an EBML header naming the `webm` document type).
fn webm() -> Vec<u8> {
    let mut bytes = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84];
    bytes.extend(b"webm");
    bytes.extend([0u8; 200]);
    bytes
}

struct Taking {
    app: TestApp,
    admin: TestUser,
    hr: TestUser,
    candidate: TestUser,
    interview: String,
    question: Value,
}

/// A candidate in a started interview, with their HR user and an admin.
async fn taking(adjust: impl FnOnce(&mut viva_api::config::ApiConfig)) -> Taking {
    let app = TestApp::with_config(adjust).await;
    app.leave_jobs();
    app.seed_question_bank().await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    let input = json!({ "candidateId": candidate.id, "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": 2,
        "windowStart": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "windowEnd": (Utc::now() + Duration::hours(2)).to_rfc3339() });
    let scheduled = app
        .graphql_as(
            &hr,
            "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    let interview = scheduled.data()["scheduleInterview"]["id"].as_str().unwrap().to_owned();
    app.graphql_as(
        &candidate,
        "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
        json!({ "id": interview }),
    )
    .await
    .data();
    let current = app
        .graphql_as(
            &candidate,
            "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
            json!({ "id": interview }),
        )
        .await;
    let question = current.data()["currentQuestion"]["id"].clone();
    Taking { app, admin, hr, candidate, interview, question }
}

impl Taking {
    async fn submit(&self, key: &str, text: Option<&str>, files: &[UploadPart<'_>]) -> Value {
        let variables = json!({ "id": self.interview, "a": { "questionId": self.question, "text": text, "idempotencyKey": key },
            "audio": null, "rec": files.iter().filter(|f| f.0.starts_with("variables.rec")).map(|_| json!({ "kind": "CAMERA", "file": null })).collect::<Vec<_>>() });
        self.app.send(multipart_request(&self.candidate.access_token, SUBMIT, variables, files)).await.json()
    }

    /// The rows of `table` (a no-op update reports how many rows it touched).
    async fn count(&self, table: &str) -> usize {
        self.app.execute(&format!("UPDATE {table} SET answer_id = answer_id")).await
    }
}

async fn get(app: &TestApp, url: &str, token: Option<&str>) -> RawResponse {
    let mut request = Request::get(url);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn a_spoken_answer_is_stored_with_its_files_and_waits_for_its_transcript() {
    let t = taking(|_| {}).await;
    let files = [("variables.audio", "answer.bin", wav()), ("variables.rec.0.file", "me.mp4", webm())];
    let submitted = t.submit("spoken-0001", None, &files).await;
    let answer = &submitted["data"]["submitAnswer"]["answer"];
    assert_eq!(answer["text"], "", "{submitted}");
    assert_eq!(answer["transcript"]["status"], "PENDING");
    let kinds: Vec<(&str, &str)> = answer["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["mediaType"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("AUDIO", "audio/wav"), ("CAMERA", "video/webm")], "typed by content, not by name");
    assert_eq!(answer["recordings"][0]["byteSize"], wav().len());
    // Transcription comes first; evaluation waits for it.
    assert_eq!(t.app.jobs_of_kind("transcribe_answer").await.len(), 1);
    assert!(t.app.jobs_of_kind("evaluate_answer").await.is_empty());

    // The same key and files again: the same answer, nothing stored twice.
    let again = t.submit("spoken-0001", None, &files).await;
    assert_eq!(again["data"]["submitAnswer"]["answer"]["id"], answer["id"], "{again}");
    assert_eq!(t.count("answer_media").await, 2);
    assert_eq!(t.app.jobs_of_kind("transcribe_answer").await.len(), 1);
    // The same key with other audio is a different answer: refused.
    let mut other = wav();
    other.push(1);
    let reused = t.submit("spoken-0001", None, &[("variables.audio", "a.wav", other)]).await;
    assert_eq!(reused["errors"][0]["extensions"]["code"], "CONFLICT", "{reused}");
    assert_eq!(t.count("answer_media").await, 2);

    // The file behind the link is the one uploaded, for the candidate.
    let url = answer["recordings"][0]["downloadUrl"].as_str().unwrap();
    let file = get(&t.app, url, Some(&t.candidate.access_token)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, wav());
    assert_eq!(file.headers["content-type"], "audio/wav");
}

#[tokio::test]
async fn bad_uploads_are_refused_with_what_to_do_and_nothing_is_stored() {
    let t = taking(|config| {
        config.service.spoken.max_audio_bytes = 10_000;
        config.limits.max_upload_bytes = 64 * 1024;
    })
    .await;
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend([0u8; 500]);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let mut too_big = wav();
    too_big.extend(vec![0u8; 20_000]);
    let cases: [(&str, Vec<UploadPart<'_>>, &str); 6] = [
        ("a zip renamed", vec![("variables.audio", "answer.webm", zip)], "a ZIP archive"),
        ("an image", vec![("variables.audio", "answer.webm", png)], "a PNG image"),
        ("nothing", vec![("variables.audio", "answer.webm", Vec::new())], "the file is empty"),
        (
            "over the audio cap",
            vec![("variables.audio", "long.wav", too_big)],
            "larger than the 10 KiB accepted",
        ),
        (
            "audio as a camera recording",
            vec![("variables.audio", "a.wav", wav()), ("variables.rec.0.file", "cam.webm", wav())],
            "must be WebM or MP4 video",
        ),
        ("no text and no audio", vec![], "or the answer spoken"),
    ];
    for (n, (case, files, says)) in cases.into_iter().enumerate() {
        let refused = t.submit(&format!("bad-upload-{n:04}"), None, &files).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{case}: {refused}");
        let message = refused["errors"][0]["extensions"]["fields"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
            + refused["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{case}: {refused}");
    }
    assert_eq!(t.count("answer_media").await, 0);
    assert_eq!(t.app.execute("UPDATE answers SET id = id").await, 0, "no answer stored");

    // A request over the upload limit is refused while it is still being sent.
    let huge = vec![0u8; 200 * 1024];
    let response = t
        .app
        .send(multipart_request(&t.candidate.access_token, SUBMIT, json!({ "id": t.interview, "a": { "questionId": t.question, "idempotencyKey": "bad-upload-huge" }, "audio": null }), &[("variables.audio", "a.wav", huge)]))
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", String::from_utf8_lossy(&response.body));
}

#[tokio::test]
async fn recordings_are_for_the_candidate_their_hr_user_and_admins_only() {
    let t = taking(|_| {}).await;
    let (other_candidate, other_hr) = (t.app.candidate().await, t.app.hr().await);
    t.app.map_hr(&t.admin, &other_hr).await;
    let submitted =
        t.submit("spoken-access-1", Some("And in words."), &[("variables.audio", "a.wav", wav())]).await;
    assert!(submitted["data"]["submitAnswer"]["answer"]["id"].is_string(), "{submitted}");

    for user in [&t.candidate, &t.hr, &t.admin] {
        let read = t.app.graphql_as(user, ANSWER, json!({ "id": t.interview })).await;
        let url = read.data()["interview"]["answers"][0]["recordings"][0]["downloadUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(get(&t.app, &url, Some(&user.access_token)).await.status, StatusCode::OK);
        // A link is its user's alone.
        for stranger in [&other_candidate, &other_hr] {
            assert_eq!(get(&t.app, &url, Some(&stranger.access_token)).await.status, StatusCode::NOT_FOUND);
        }
        assert_eq!(get(&t.app, &url, None).await.status, StatusCode::UNAUTHORIZED);
        let altered = url.replace("signature=", "signature=A");
        assert_eq!(get(&t.app, &altered, Some(&user.access_token)).await.status, StatusCode::NOT_FOUND);
    }
    // The others cannot read the answer at all.
    for stranger in [&other_candidate, &other_hr] {
        let refused = t.app.graphql_as(stranger, ANSWER, json!({ "id": t.interview })).await;
        refused.expect_error("NOT_FOUND");
    }
    // An HR user who loses the candidate loses the link at once.
    let read = t.app.graphql_as(&t.hr, ANSWER, json!({ "id": t.interview })).await;
    let url =
        read.data()["interview"]["answers"][0]["recordings"][0]["downloadUrl"].as_str().unwrap().to_owned();
    t.app.assign(&t.admin, &t.candidate, &other_hr).await;
    assert_eq!(get(&t.app, &url, Some(&t.hr.access_token)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn retention_deletes_the_files_and_keeps_the_transcript() {
    // The local directory store, as deployed by default.
    let objects = tempfile::tempdir().unwrap();
    let dir = objects.path().to_path_buf();
    let t = taking(move |config| {
        config.service.spoken.retention = std::time::Duration::from_secs(30 * 24 * 3600);
        config.service.objects = viva_service::objects::ObjectStorage::Local { dir };
    })
    .await;
    let submitted =
        t.submit("spoken-keep-01", Some("Typed too."), &[("variables.audio", "a.wav", wav())]).await;
    let answer = submitted["data"]["submitAnswer"]["answer"].clone();
    let url = answer["recordings"][0]["downloadUrl"].as_str().unwrap().to_owned();
    t.app
        .execute(&format!(
            "UPDATE answer_transcripts SET status = 'DONE', text = 'What was said.' WHERE answer_id = '{}'",
            answer["id"].as_str().unwrap()
        ))
        .await;
    t.app
        .graphql_as(
            &t.candidate,
            "mutation($id: ID!) { endInterview(interviewId: $id) { status } }",
            json!({ "id": t.interview }),
        )
        .await
        .data();
    t.app
        .graphql_as(
            &t.hr,
            "mutation($a: ID!) { overrideAnswerScore(answerId: $a, score: 64, reason: \"Heard it\") { humanScore } }",
            json!({ "a": answer["id"] }),
        )
        .await
        .data();
    let files_on_disk =
        || walk(objects.path()).into_iter().filter(|p| p.extension().is_some_and(|e| e == "wav")).count();
    assert_eq!(files_on_disk(), 1, "the audio is in the store's directory");
    let service = &t.app.services.service;
    // Not yet past retention: kept.
    assert_eq!(viva_service::interviews::spoken::purge_expired(service, 100).await.unwrap(), 0);
    t.app.execute("UPDATE answer_media SET created_at = now() - interval '31 days'").await;
    assert_eq!(viva_service::interviews::spoken::purge_expired(service, 100).await.unwrap(), 1);
    assert_eq!(files_on_disk(), 0, "the file is gone from the directory");
    assert_eq!(get(&t.app, &url, Some(&t.candidate.access_token)).await.status, StatusCode::NOT_FOUND);
    let read = t.app.graphql_as(&t.candidate, ANSWER, json!({ "id": t.interview })).await;
    let kept = &read.data()["interview"]["answers"][0];
    assert_eq!(kept["transcript"]["text"], "What was said.");
    assert_eq!(kept["humanScore"], 64, "scores stay");
    assert!(kept["recordings"][0]["deletedAt"].is_string(), "{kept}");
    assert!(kept["recordings"][0]["downloadUrl"].is_null());
    // The data export says what is still held.
    let export = t.app.graphql_as(&t.candidate, "{ exportMyData }", json!({})).await;
    let files = &export.data()["exportMyData"]["interviews"][0]["questions"];
    assert!(files.to_string().contains("\"held\":false"), "{files}");
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
