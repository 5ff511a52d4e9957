//! REPORT-1 through the API: the report of an evaluated interview, its exports, and who may
//! read them. A report and an export link work for the candidate, their HR user and admins,
//! and for no one else; a link works only for the user it was issued to; an expired or altered
//! link is refused; a file past its retention is deleted.

use axum::body::Body;
use chrono::{Duration, Utc};
use http::{Request, StatusCode};
use serde_json::{Value, json};
use viva_test_support::{RawResponse, TestApp, TestUser};

const REPORT: &str = "query($id: ID!) { interviewReport(interviewId: $id) { interviewId title candidate { id name email } status overallScore dimensions { dimension label aiScore humanScore } questions { position kind text answer { answerId text ai { overall content provenance { provider fallback } } human { score reason scoredBy } } } } }";
const EXPORT: &str = "mutation($id: ID!, $f: ReportFormat!) { exportInterviewReport(interviewId: $id, format: $f) { id status format downloadUrl downloadUrlExpiresAt byteSize failure } }";
const STATUS: &str = "query($id: ID!) { reportExport(id: $id) { id status downloadUrl byteSize failure } }";

struct Org {
    app: TestApp,
    admin: TestUser,
    hr: TestUser,
    candidate: TestUser,
    other_candidate: TestUser,
    other_hr: TestUser,
}

/// Schedules an interview of two bank questions for `candidate` and starts it; returns its id.
async fn started(app: &TestApp, hr: &TestUser, candidate: &TestUser, difficulty: &str) -> String {
    let input = json!({ "candidateId": candidate.id, "role": "backend-engineer", "difficulty": difficulty, "questionCount": 2,
        "windowStart": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "windowEnd": (Utc::now() + Duration::hours(2)).to_rfc3339() });
    let scheduled = app
        .graphql_as(
            hr,
            "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    let id = scheduled.data()["scheduleInterview"]["id"].as_str().unwrap().to_owned();
    app.graphql_as(
        candidate,
        "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
        json!({ "id": id }),
    )
    .await
    .data();
    id
}

/// An organisation whose candidate has a completed, evaluated interview of two questions, one
/// of them scored by the HR user too; returns it and the interview's id.
async fn evaluated(link_ttl_secs: u64) -> (Org, String) {
    let app = TestApp::with_config(|config| {
        config.service.reports.link_ttl = std::time::Duration::from_secs(link_ttl_secs);
    })
    .await;
    app.seed_question_bank().await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.candidate().await);
    let (other_candidate, other_hr) = (app.candidate().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    app.map_hr(&admin, &other_hr).await;
    app.assign(&admin, &candidate, &hr).await;
    app.assign(&admin, &other_candidate, &other_hr).await;
    let id = started(&app, &hr, &candidate, "MEDIUM").await;
    let answer = "At my last company I owned the orders service. Checkout latency had crept to 900 ms at p99, so my task was to bring it under 200 ms. I profiled it, added a composite index and cached the price lookups. As a result p99 fell to 140 ms and errors dropped by 30 percent.";
    let mut first_answer = None;
    for n in 0..2 {
        let current = app
            .graphql_as(
                &candidate,
                "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        let question = current.data()["currentQuestion"]["id"].clone();
        if question.is_null() {
            break;
        }
        let submitted = app
            .graphql_as(
                &candidate,
                "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
                json!({ "id": id, "a": { "questionId": question, "text": answer, "durationSeconds": 70, "idempotencyKey": format!("report-answer-{n}") } }),
            )
            .await;
        first_answer.get_or_insert(submitted.data()["submitAnswer"]["answer"]["id"].clone());
        app.run_jobs().await;
    }
    // Answer whatever follow-ups the evaluation asked, until the interview is over.
    for n in 0..4 {
        let status = app
            .graphql_as(&candidate, "query($id: ID!) { interview(id: $id) { status } }", json!({ "id": id }))
            .await;
        if status.data()["interview"]["status"] != "IN_PROGRESS" {
            break;
        }
        let current = app
            .graphql_as(
                &candidate,
                "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        if current.data()["currentQuestion"].is_null() {
            break;
        }
        app.graphql_as(
            &candidate,
            "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
            json!({ "id": id, "a": { "questionId": current.data()["currentQuestion"]["id"], "text": answer, "idempotencyKey": format!("report-follow-up-{n}") } }),
        )
        .await
        .data();
        app.run_jobs().await;
    }
    app.graphql_as(
        &hr,
        "mutation($a: ID!) { overrideAnswerScore(answerId: $a, score: 91, reason: \"Clear, measured result\") { humanScore } }",
        json!({ "a": first_answer.unwrap() }),
    )
    .await
    .data();
    app.run_jobs().await;
    (Org { app, admin, hr, candidate, other_candidate, other_hr }, id)
}

async fn get(app: &TestApp, url: &str, token: Option<&str>) -> RawResponse {
    let mut request = Request::get(url);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

async fn export(app: &TestApp, user: &TestUser, id: &str, format: &str) -> Value {
    app.graphql_as(user, EXPORT, json!({ "id": id, "f": format })).await.data()["exportInterviewReport"]
        .clone()
}

#[tokio::test]
async fn the_report_shows_every_question_with_ai_and_human_scores_for_those_who_may_see_it() {
    let (o, id) = evaluated(900).await;
    let report = o.app.graphql_as(&o.hr, REPORT, json!({ "id": id })).await.data()["interviewReport"].clone();
    assert_eq!(report["interviewId"], id.as_str());
    assert_eq!(report["candidate"]["id"], o.candidate.id.as_str());
    assert_eq!(report["status"], "EVALUATED", "{report}");
    let questions = report["questions"].as_array().unwrap();
    assert!(questions.len() >= 2);
    for question in questions {
        let answer = &question["answer"];
        assert!(answer["ai"]["overall"].is_i64(), "every answer is scored by the AI: {question}");
        assert_eq!(answer["ai"]["provenance"]["provider"], "offline");
    }
    assert_eq!(questions[0]["answer"]["human"]["score"], 91);
    assert_eq!(questions[0]["answer"]["human"]["reason"], "Clear, measured result");
    let dimensions: Vec<&str> =
        report["dimensions"].as_array().unwrap().iter().map(|d| d["dimension"].as_str().unwrap()).collect();
    assert_eq!(dimensions, ["CONTENT", "COMMUNICATION", "TECHNICAL_DEPTH", "RELEVANCE", "OVERALL"]);
    let overall = &report["dimensions"][4];
    let scored: Vec<i64> = questions.iter().map(|q| q["answer"]["ai"]["overall"].as_i64().unwrap()).collect();
    let mean = scored.iter().sum::<i64>() as f64 / scored.len() as f64;
    assert!((overall["aiScore"].as_f64().unwrap() - mean).abs() <= 0.05, "{overall} vs {scored:?}");
    assert_eq!(overall["humanScore"], 91.0);

    // The candidate and an admin read it too; no one else.
    for user in [&o.candidate, &o.admin] {
        let seen = o.app.graphql_as(user, REPORT, json!({ "id": id })).await;
        assert_eq!(seen.data()["interviewReport"]["interviewId"], id.as_str());
    }
    for user in [&o.other_candidate, &o.other_hr] {
        o.app.graphql_as(user, REPORT, json!({ "id": id })).await.expect_error("NOT_FOUND");
    }
    o.app.graphql_with(None, REPORT, json!({ "id": id })).await.expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn export_links_work_for_the_candidate_their_hr_user_and_admins_and_no_one_else() {
    let (o, id) = evaluated(900).await;

    for user in [&o.candidate, &o.hr, &o.admin] {
        let csv = export(&o.app, user, &id, "CSV").await;
        assert_eq!(csv["status"], "READY", "{csv}");
        let url = csv["downloadUrl"].as_str().unwrap();
        let file = get(&o.app, url, Some(&user.access_token)).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(file.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(csv["byteSize"].as_i64().unwrap() as usize, file.body.len());
    }

    // The HR user's link: refused to everyone else, even to people who may see the interview.
    let json = export(&o.app, &o.hr, &id, "JSON").await;
    let url = json["downloadUrl"].as_str().unwrap().to_owned();
    assert_eq!(get(&o.app, &url, Some(&o.hr.access_token)).await.status, StatusCode::OK);
    assert_eq!(get(&o.app, &url, None).await.status, StatusCode::UNAUTHORIZED);
    for user in [&o.other_candidate, &o.other_hr, &o.candidate, &o.admin] {
        assert_eq!(
            get(&o.app, &url, Some(&user.access_token)).await.status,
            StatusCode::NOT_FOUND,
            "{}",
            user.email
        );
    }
    // An altered link: another expiry, another signature, another export.
    let altered_expiry = url.replace("expires=", "expires=9");
    assert_eq!(get(&o.app, &altered_expiry, Some(&o.hr.access_token)).await.status, StatusCode::NOT_FOUND);
    let (path, query) = url.split_once('?').unwrap();
    let forged = format!("{path}?{}", query.replace("signature=", "signature=A"));
    assert_eq!(get(&o.app, &forged, Some(&o.hr.access_token)).await.status, StatusCode::NOT_FOUND);
    let csv = export(&o.app, &o.hr, &id, "CSV").await;
    let other_export = url.replace(json["id"].as_str().unwrap(), csv["id"].as_str().unwrap());
    assert_eq!(get(&o.app, &other_export, Some(&o.hr.access_token)).await.status, StatusCode::NOT_FOUND);

    // Exports and their state are for those who may see the interview.
    for user in [&o.other_candidate, &o.other_hr] {
        o.app.graphql_as(user, EXPORT, json!({ "id": id, "f": "CSV" })).await.expect_error("NOT_FOUND");
        o.app.graphql_as(user, STATUS, json!({ "id": json["id"] })).await.expect_error("NOT_FOUND");
    }
    let fresh =
        o.app.graphql_as(&o.candidate, STATUS, json!({ "id": json["id"] })).await.data()["reportExport"]
            .clone();
    assert_eq!(fresh["status"], "READY");
    let file = get(&o.app, fresh["downloadUrl"].as_str().unwrap(), Some(&o.candidate.access_token)).await;
    assert_eq!(file.status, StatusCode::OK, "a fresh link is the candidate's own");

    // An HR user who loses the candidate loses the report and its links at once.
    o.app.assign(&o.admin, &o.candidate, &o.other_hr).await;
    assert_eq!(get(&o.app, &url, Some(&o.hr.access_token)).await.status, StatusCode::NOT_FOUND);
    o.app.graphql_as(&o.hr, REPORT, json!({ "id": id })).await.expect_error("NOT_FOUND");
}

#[tokio::test]
async fn an_expired_link_is_refused_and_an_expired_file_is_deleted() {
    let (o, id) = evaluated(1).await;
    let csv = export(&o.app, &o.candidate, &id, "CSV").await;
    let url = csv["downloadUrl"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let refused = get(&o.app, &url, Some(&o.candidate.access_token)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.json()["errors"][0]["message"].as_str().unwrap().contains("expired"));

    // Past its retention, the purge job deletes the file; the export says so.
    o.app.execute("UPDATE report_exports SET expires_at = now() - interval '1 second'").await;
    let purged = viva_service::reports::purge_expired(&o.app.services.service, 100).await.unwrap();
    assert_eq!(purged, 1);
    let status =
        o.app.graphql_as(&o.candidate, STATUS, json!({ "id": csv["id"] })).await.data()["reportExport"]
            .clone();
    assert_eq!(status["status"], "EXPIRED");
    assert!(status["downloadUrl"].is_null() && status["byteSize"].is_null());
}

#[tokio::test]
async fn a_pdf_is_rendered_in_the_background_and_a_candidate_sees_no_scores_before_the_end() {
    let (o, id) = evaluated(900).await;
    let pdf = export(&o.app, &o.admin, &id, "PDF").await;
    assert_eq!(pdf["status"], "PENDING");
    assert!(pdf["downloadUrl"].is_null());
    o.app.run_jobs().await;
    let ready =
        o.app.graphql_as(&o.admin, STATUS, json!({ "id": pdf["id"] })).await.data()["reportExport"].clone();
    assert_eq!(ready["status"], "READY", "{ready}");
    let file = get(&o.app, ready["downloadUrl"].as_str().unwrap(), Some(&o.admin.access_token)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert!(file.body.starts_with(b"%PDF-"));

    // While an interview runs, its candidate's report carries no AI scores.
    let running = started(&o.app, &o.hr, &o.candidate, "EASY").await;
    let question = o
        .app
        .graphql_as(
            &o.candidate,
            "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
            json!({ "id": running }),
        )
        .await
        .data()["currentQuestion"]["id"]
        .clone();
    o.app
        .graphql_as(
            &o.candidate,
            "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
            json!({ "id": running, "a": { "questionId": question, "text": "A considered answer about indexes and caching with an example from my last role.", "idempotencyKey": "running-1" } }),
        )
        .await
        .data();
    o.app.run_jobs().await;
    let mine =
        o.app.graphql_as(&o.candidate, REPORT, json!({ "id": running })).await.data()["interviewReport"]
            .clone();
    assert!(mine["questions"][0]["answer"]["text"].is_string());
    assert!(mine["questions"][0]["answer"]["ai"].is_null(), "{mine}");
    let staff =
        o.app.graphql_as(&o.hr, REPORT, json!({ "id": running })).await.data()["interviewReport"].clone();
    assert!(staff["questions"][0]["answer"]["ai"]["overall"].is_i64(), "{staff}");
}
