//! REPORT-1 against the real binary: an interview taken and evaluated by the real pipeline
//! (the in-process model, the server's own workers) is exported as JSON, CSV and PDF into the
//! local object store. The JSON equals `interviewReport`; the CSV has one row per answer; the
//! PDF opens with poppler's `pdftotext` (candidate, every question, the scores) and every page
//! renders with `pdftoppm`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use viva_test_support::TestDatabase;

use crate::interviews::{demo_interview_started, ok};
use crate::server::{Server, http, migrate_and_seed};

const REPORT: &str = "query($id: ID!) { interviewReport(interviewId: $id) {
  interviewId title candidate { id name email } hr { id name email } jobTitle role difficulty practice status
  scheduledAt startedAt completedAt generatedAt overallScore grade
  dimensions { dimension label aiScore humanScore }
  strengths improvements recommendations feedback
  delivery { totalWords wordsPerMinute fillerWords longAnswers shortAnswers }
  questions { position kind text followUp answer { answerId text transcript submittedAt durationSeconds
    ai { overall content communication technicalDepth relevance grade strengths improvements feedback
      provenance { provider model rubricVersion promptVersion evaluatedAt fallback } }
    human { score reason scoredBy scoredAt } } } } }";
const EXPORT: &str = "mutation($id: ID!, $f: ReportFormat!) { exportInterviewReport(interviewId: $id, format: $f) { id status downloadUrl } }";
const STATUS: &str = "query($id: ID!) { reportExport(id: $id) { status downloadUrl failure } }";

const ANSWERS: [&str; 3] = [
    "At my last company I owned the orders service. Checkout latency had crept to 900 ms at p99, so my task was to bring it under 200 ms before the sale. I profiled it, read the query plan, added a composite index and cached the price lookups. As a result p99 fell to 140 ms and errors dropped by 30 percent.",
    "I would first clarify the goal with the stakeholders, then list the options with their trade-offs, pick the cheapest reversible one, and measure the result against a metric we agreed on up front.",
    "When two teammates disagreed about an API design, I set up a short meeting, asked each to write down the constraints, and we chose the version that kept backwards compatibility. We shipped on time.",
];

fn tool(name: &str) -> &str {
    let found = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().expect("sh");
    assert!(found.status.success(), "{name} is missing: run scripts/setup-report-tests.sh (poppler-utils)");
    name
}

fn model_dir() -> String {
    viva_candle::locate(None)
        .expect("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh")
        .display()
        .to_string()
}

/// Collapses runs of whitespace, so text wrapped across lines still matches.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn download(server: &Server, token: &str, url: &str) -> Vec<u8> {
    let response = http().get(format!("{}{url}", server.base)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "download {url}");
    response.bytes().await.unwrap().to_vec()
}

/// Exports the report in `format` and waits until its file is ready; returns the file.
async fn exported(server: &Server, token: &str, id: &str, format: &str) -> Vec<u8> {
    let export = ok(
        server.graphql(Some(token), EXPORT, json!({ "id": id, "f": format })).await,
        "exportInterviewReport",
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut status = export.clone();
    while status["status"] == "PENDING" {
        assert!(Instant::now() < deadline, "the {format} export is still pending: {}", server.log_text());
        tokio::time::sleep(Duration::from_millis(200)).await;
        status = ok(server.graphql(Some(token), STATUS, json!({ "id": export["id"] })).await, "reportExport");
    }
    assert_eq!(status["status"], "READY", "{format}: {status}");
    download(server, token, status["downloadUrl"].as_str().unwrap()).await
}

#[tokio::test]
async fn an_evaluated_interview_exports_as_json_csv_and_a_pdf_that_poppler_reads_and_renders() {
    let (pdftotext, pdftoppm) = (tool("pdftotext"), tool("pdftoppm"));
    let database = TestDatabase::new().await;
    migrate_and_seed(&database);
    let objects = tempfile::tempdir().unwrap();
    let model = model_dir();
    let server = Server::start(
        &database,
        &[("VIVA_MODEL_DIR", model.as_str()), ("VIVA_OBJECTS_DIR", objects.path().to_str().unwrap())],
    )
    .await;
    let (hr, candidate, id) = demo_interview_started(&server, 3).await;

    // The candidate answers every question, follow-ups included, until the interview ends.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut answered = 0;
    loop {
        let now = ok(
            server
                .graphql(
                    Some(&candidate),
                    "query($id: ID!) { interview(id: $id) { status } }",
                    json!({ "id": id }),
                )
                .await,
            "interview",
        );
        match now["status"].as_str().unwrap() {
            "EVALUATED" => break,
            "IN_PROGRESS" => {
                let current = server
                    .graphql(
                        Some(&candidate),
                        "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
                        json!({ "id": id }),
                    )
                    .await;
                let question = current["data"]["currentQuestion"]["id"].clone();
                if !question.is_null() {
                    let answer = json!({ "questionId": question, "text": ANSWERS[answered % 3], "durationSeconds": 75, "idempotencyKey": format!("report-e2e-{answered}") });
                    ok(
                        server.graphql(Some(&candidate), "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }", json!({ "id": id, "a": answer })).await,
                        "submitAnswer",
                    );
                    answered += 1;
                    continue;
                }
            }
            _ => {}
        }
        assert!(
            Instant::now() < deadline,
            "the interview was not evaluated in time: {now}\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let report = ok(server.graphql(Some(&hr), REPORT, json!({ "id": id })).await, "interviewReport");
    let questions = report["questions"].as_array().unwrap().clone();
    assert_eq!(questions.len(), answered, "every question asked was answered");
    assert!(report["overallScore"].is_i64(), "{report}");

    // JSON: the report itself (only the moment it was generated differs).
    let mut from_file: Value = serde_json::from_slice(&exported(&server, &hr, &id, "JSON").await).unwrap();
    let mut expected = report.clone();
    for value in [&mut from_file, &mut expected] {
        value.as_object_mut().unwrap().remove("generatedAt");
    }
    assert_eq!(from_file, expected);

    // CSV: one row per answer, in order, with the scores.
    let csv = exported(&server, &hr, &id, "CSV").await;
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} column: {headers:?}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), questions.len());
    for (row, question) in rows.iter().zip(&questions) {
        assert_eq!(&row[column("question")], question["text"].as_str().unwrap());
        assert_eq!(&row[column("answer")], question["answer"]["text"].as_str().unwrap());
        assert_eq!(
            row[column("ai_overall")].parse::<i64>().unwrap(),
            question["answer"]["ai"]["overall"].as_i64().unwrap()
        );
    }

    // PDF: rendered by the worker, stored in the object store, read and rendered by poppler.
    let pdf = exported(&server, &hr, &id, "PDF").await;
    assert!(pdf.starts_with(b"%PDF-"));
    let stored = walk(objects.path());
    assert!(
        stored.iter().any(|p| p.extension().is_some_and(|e| e == "pdf")),
        "the PDF is in the object store: {stored:?}"
    );
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("report.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = Command::new(pdftotext).arg(&file).arg("-").output().unwrap();
    assert!(text.status.success(), "pdftotext: {}", String::from_utf8_lossy(&text.stderr));
    let text = words(&String::from_utf8_lossy(&text.stdout));
    assert!(text.contains(report["candidate"]["name"].as_str().unwrap()), "the candidate is named: {text}");
    for question in &questions {
        assert!(
            text.contains(&words(question["text"].as_str().unwrap())),
            "question missing: {}\n{text}",
            question["text"]
        );
        let score = question["answer"]["ai"]["overall"].as_i64().unwrap().to_string();
        assert!(text.contains(&score), "score {score} missing");
    }
    assert!(text.contains(&report["overallScore"].as_i64().unwrap().to_string()));
    let rendered = Command::new(pdftoppm)
        .args(["-r", "40", "-png"])
        .arg(&file)
        .arg(scratch.path().join("page"))
        .output()
        .unwrap();
    assert!(rendered.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&rendered.stderr));
    let pages = walk(scratch.path()).iter().filter(|p| p.extension().is_some_and(|e| e == "png")).count();
    assert!(pages >= 2, "a title page and at least one more page render: {pages}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
