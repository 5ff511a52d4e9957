//! Interviews: scheduling, the lifecycle, answers and their idempotency, results, and bounded
//! queries for nested lists.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use viva_test_support::{TestApp, TestUser};

/// An admin, an HR user mapped to them, and a candidate assigned to the HR user, with the bank.
pub(crate) struct Org {
    pub(crate) app: TestApp,
    pub(crate) admin: TestUser,
    pub(crate) hr: TestUser,
    pub(crate) candidate: TestUser,
}

pub(crate) async fn org() -> Org {
    let app = TestApp::new().await;
    app.seed_question_bank().await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    Org { app, admin, hr, candidate }
}

const SCHEDULE: &str = "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id status questions { id type text } } }";
const SUBMIT: &str = "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id text questionId } interview { status progress { answered total } } } }";

fn window() -> (String, String) {
    ((Utc::now() - Duration::minutes(1)).to_rfc3339(), (Utc::now() + Duration::hours(2)).to_rfc3339())
}

async fn schedule(o: &Org, count: i32) -> Value {
    let (start, end) = window();
    let input = json!({ "candidateId": o.candidate.id, "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": count, "windowStart": start, "windowEnd": end });
    o.app.graphql_as(&o.hr, SCHEDULE, json!({ "i": input })).await.data()["scheduleInterview"].clone()
}

fn answer(question: &str, key: &str) -> Value {
    json!({ "questionId": question, "text": format!("My answer to {question}: I would measure first, then act."), "durationSeconds": 42, "idempotencyKey": key })
}

#[tokio::test]
async fn scheduled_interview_from_start_to_result_with_an_override() {
    let o = org().await;
    let scheduled = schedule(&o, 3).await;
    assert_eq!(scheduled["status"], "SCHEDULED");
    let kinds: Vec<&str> =
        scheduled["questions"].as_array().unwrap().iter().map(|q| q["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 3);
    assert!(kinds.windows(2).all(|w| w[0] != w[1]), "question types alternate: {kinds:?}");
    let id = scheduled["id"].as_str().unwrap().to_owned();

    // The candidate sees it (without its questions), was notified, and starts it.
    let mine = o
        .app
        .graphql_as(
            &o.candidate,
            "{ interviews { edges { node { id status questions { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine.data()["interviews"]["edges"][0]["node"]["id"], id.as_str());
    assert_eq!(mine.data()["interviews"]["edges"][0]["node"]["questions"], json!([]));
    let notes =
        o.app.graphql_as(&o.candidate, "{ notifications { edges { node { kind } } } }", json!({})).await;
    assert_eq!(notes.data()["notifications"]["edges"][0]["node"]["kind"], "INTERVIEW_SCHEDULED");
    let started = o
        .app
        .graphql_as(
            &o.candidate,
            "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(started.data()["startInterview"]["status"], "IN_PROGRESS");

    // Answer the current question until there is none; the last answer completes it.
    let mut answer_ids = Vec::new();
    for n in 0..3 {
        let current = o
            .app
            .graphql_as(
                &o.candidate,
                "query($id: ID!) { currentQuestion(interviewId: $id) { id timeLimitSeconds idealAnswer } }",
                json!({ "id": id }),
            )
            .await;
        let question = current.data()["currentQuestion"].clone();
        assert!(question["timeLimitSeconds"].as_i64().unwrap() >= 30);
        assert!(question["idealAnswer"].is_null(), "no model answer while answering");
        let submitted = o.app.graphql_as(&o.candidate, SUBMIT, json!({ "id": id, "a": answer(question["id"].as_str().unwrap(), &format!("answer-key-{n}")) })).await;
        let payload = &submitted.data()["submitAnswer"];
        assert_eq!(payload["interview"]["progress"]["answered"], n + 1);
        answer_ids.push(payload["answer"]["id"].as_str().unwrap().to_owned());
    }
    let done = o
        .app
        .graphql_as(
            &o.candidate,
            "query($id: ID!) { interview(id: $id) { status questions { idealAnswer } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(done.data()["interview"]["status"], "COMPLETED");
    assert!(
        done.data()["interview"]["questions"][0]["idealAnswer"].is_string(),
        "model answers once it is over"
    );

    // The HR user records a result and overrides one answer's score with a reason.
    let result = o
        .app
        .graphql_as(&o.hr, "mutation($id: ID!) { submitInterviewResult(interviewId: $id, input: { overallScore: 82, feedback: \"Clear and structured.\", recommendations: [\"Quantify impact\"] }) { status result { grade } } }", json!({ "id": id }))
        .await;
    assert_eq!(result.data()["submitInterviewResult"]["status"], "EVALUATED");
    assert_eq!(result.data()["submitInterviewResult"]["result"]["grade"], "B");
    o.app
        .graphql_as(&o.hr, "mutation($a: ID!) { overrideAnswerScore(answerId: $a, score: 90, reason: \"Excellent trade-off discussion\") { humanScore } }", json!({ "a": answer_ids[1] }))
        .await
        .data();
    o.app
        .graphql_as(
            &o.hr,
            "mutation($a: ID!) { overrideAnswerScore(answerId: $a, score: 90, reason: \"\") { humanScore } }",
            json!({ "a": answer_ids[1] }),
        )
        .await
        .expect_error("BAD_USER_INPUT");

    let seen = o
        .app
        .graphql_as(&o.candidate, "query($id: ID!) { interview(id: $id) { result { overallScore grade feedback recommendations } answers { id aiScore humanScore humanScoreReason } } }", json!({ "id": id }))
        .await;
    let interview = &seen.data()["interview"];
    assert_eq!(
        interview["result"],
        json!({ "overallScore": 82, "grade": "B", "feedback": "Clear and structured.", "recommendations": ["Quantify impact"] })
    );
    let overridden =
        interview["answers"].as_array().unwrap().iter().find(|a| a["id"] == answer_ids[1].as_str()).unwrap();
    assert_eq!(overridden["humanScore"], 90);
    assert_eq!(overridden["humanScoreReason"], "Excellent trade-off discussion");
    assert!(overridden.as_object().unwrap().contains_key("aiScore"), "both scores are shown");
    let notes = o
        .app
        .graphql_as(
            &o.candidate,
            "{ notifications(unreadOnly: true) { edges { node { kind } } } }",
            json!({}),
        )
        .await;
    assert!(notes.body.to_string().contains("RESULTS_AVAILABLE"));
    let stats = o
        .app
        .graphql_as(&o.admin, "{ systemStats { interviewsByStatus { status count } } }", json!({}))
        .await;
    let evaluated = stats.data()["systemStats"]["interviewsByStatus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "EVALUATED")
        .cloned()
        .unwrap();
    assert_eq!(evaluated["count"], 1);
    let audit = o.app.graphql_as(&o.admin, "{ auditLog(filter: { actions: [\"SCORE_OVERRIDDEN\", \"INTERVIEW_RESULT_SUBMITTED\"] }) { count } }", json!({})).await;
    assert_eq!(audit.data()["auditLog"]["count"], 2);
    // Every job the test caused runs (the end-of-test check holds the app to it).
    o.app.run_jobs().await;
}

#[tokio::test]
async fn model_written_practice_is_limited_per_candidate_and_hour() {
    let app = TestApp::with_config(|c| c.service.throttle.max_written_practice_per_hour = 2).await;
    app.seed_question_bank().await;
    let (ada, bob) = (app.candidate().await, app.candidate().await);
    let written = "mutation { startPracticeInterview(input: { role: \"data-scientist\", difficulty: EASY, questionCount: 2, jobDescription: \"Forecasting demand for a grocery chain\" }) { id } }";
    let banked = "mutation { startPracticeInterview(input: { role: \"data-scientist\", difficulty: EASY, questionCount: 2 }) { id } }";
    for _ in 0..2 {
        assert!(
            app.graphql_as(&ada, written, json!({})).await.data()["startPracticeInterview"]["id"].is_string()
        );
    }
    let refused = app.graphql_as(&ada, written, json!({})).await;
    refused.expect_error("RATE_LIMITED");
    // A refusal creates nothing; the bank still serves, and other candidates keep their own allowance.
    assert!(app.graphql_as(&ada, banked, json!({})).await.data()["startPracticeInterview"]["id"].is_string());
    assert!(
        app.graphql_as(&bob, written, json!({})).await.data()["startPracticeInterview"]["id"].is_string()
    );
    let count = app.graphql_as(&ada, "{ interviews(first: 20) { count } }", json!({})).await;
    assert_eq!(count.data()["interviews"]["count"], 3);
    app.run_jobs().await;
}

#[tokio::test]
async fn a_practice_session_runs_from_start_to_completion() {
    let o = org().await;
    let practice = o
        .app
        .graphql_as(&o.candidate, "mutation { startPracticeInterview(input: { role: \"data-scientist\", difficulty: EASY, questionCount: 2 }) { id status practice } }", json!({}))
        .await;
    let practice = &practice.data()["startPracticeInterview"];
    assert_eq!(
        (practice["status"].as_str(), practice["practice"].as_bool()),
        (Some("IN_PROGRESS"), Some(true))
    );
    let id = practice["id"].as_str().unwrap();
    for n in 0..2 {
        let current = o
            .app
            .graphql_as(
                &o.candidate,
                "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        let question = current.data()["currentQuestion"]["id"].as_str().unwrap().to_owned();
        o.app
            .graphql_as(
                &o.candidate,
                SUBMIT,
                json!({ "id": id, "a": answer(&question, &format!("practice-key-{n}")) }),
            )
            .await
            .data();
    }
    let done = o.app.graphql_as(&o.candidate, "query($id: ID!) { interview(id: $id) { status progress { answered total } questions { expectedKeywords idealAnswer } } }", json!({ "id": id })).await;
    let interview = &done.data()["interview"];
    assert_eq!(interview["status"], "COMPLETED");
    assert_eq!(interview["progress"], json!({ "answered": 2, "total": 2 }));
    // Both answered: the model answers are shown; the expected keywords, which the evaluator
    // scores against, never are to a candidate.
    for question in interview["questions"].as_array().unwrap() {
        assert!(question["idealAnswer"].as_str().is_some_and(|a| !a.is_empty()), "{question}");
        assert!(question["expectedKeywords"].is_null(), "{question}");
    }
    // Practice is the candidate's own: HR users do not see it.
    let hr_view =
        o.app.graphql_as(&o.hr, "query($id: ID!) { interview(id: $id) { id } }", json!({ "id": id })).await;
    hr_view.expect_error("NOT_FOUND");
    // Every job the test caused runs (the end-of-test check holds the app to it).
    o.app.run_jobs().await;
}

#[tokio::test]
async fn illegal_transitions_are_refused_and_change_nothing() {
    let o = org().await;
    let scheduled = schedule(&o, 2).await;
    let id = scheduled["id"].as_str().unwrap().to_owned();
    let questions: Vec<String> = scheduled["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect();
    let start = "mutation($id: ID!) { startInterview(interviewId: $id) { status } }";

    // Answering before the start.
    o.app
        .graphql_as(&o.candidate, SUBMIT, json!({ "id": id, "a": answer(&questions[0], "early-key-1") }))
        .await
        .expect_error("CONFLICT");
    o.app.graphql_as(&o.candidate, start, json!({ "id": id })).await.data();
    o.app.graphql_as(&o.candidate, start, json!({ "id": id })).await.expect_error("CONFLICT");
    // A question of another interview.
    let other = schedule(&o, 1).await;
    let foreign = other["questions"][0]["id"].as_str().unwrap();
    o.app
        .graphql_as(&o.candidate, SUBMIT, json!({ "id": id, "a": answer(foreign, "foreign-key-1") }))
        .await
        .expect_error("BAD_USER_INPUT");
    // Answering one question twice with different keys.
    o.app
        .graphql_as(&o.candidate, SUBMIT, json!({ "id": id, "a": answer(&questions[0], "first-key-1") }))
        .await
        .data();
    o.app
        .graphql_as(&o.candidate, SUBMIT, json!({ "id": id, "a": answer(&questions[0], "second-key-1") }))
        .await
        .expect_error("CONFLICT");
    o.app
        .graphql_as(
            &o.candidate,
            "mutation($id: ID!) { endInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .data();
    // Completed: no more answers, no cancel, no restart.
    o.app
        .graphql_as(&o.candidate, SUBMIT, json!({ "id": id, "a": answer(&questions[1], "late-key-01") }))
        .await
        .expect_error("CONFLICT");
    o.app
        .graphql_as(
            &o.hr,
            "mutation($id: ID!) { cancelInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .expect_error("CONFLICT");
    o.app.graphql_as(&o.candidate, start, json!({ "id": id })).await.expect_error("CONFLICT");
    let state = o
        .app
        .graphql_as(
            &o.hr,
            "query($id: ID!) { interview(id: $id) { status progress { answered } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(state.data()["interview"], json!({ "status": "COMPLETED", "progress": { "answered": 1 } }));

    // Cancelled: nothing more either.
    let other_id = other["id"].as_str().unwrap();
    let cancelled = o.app.graphql_as(&o.hr, "mutation($id: ID!) { cancelInterview(interviewId: $id, reason: \"Role filled\") { status cancelReason } }", json!({ "id": other_id })).await;
    assert_eq!(
        cancelled.data()["cancelInterview"],
        json!({ "status": "CANCELLED", "cancelReason": "Role filled" })
    );
    o.app.graphql_as(&o.candidate, start, json!({ "id": other_id })).await.expect_error("CONFLICT");
    o.app.graphql_as(&o.hr, "mutation($id: ID!) { submitInterviewResult(interviewId: $id, input: { overallScore: 50, feedback: \"x\" }) { id } }", json!({ "id": other_id })).await.expect_error("CONFLICT");
    // Every job the test caused runs (the end-of-test check holds the app to it).
    o.app.run_jobs().await;
}

#[tokio::test]
async fn overdue_interviews_expire_and_then_refuse_to_start() {
    let o = org().await;
    let (start, _) = window();
    let soon = (Utc::now() + Duration::seconds(2)).to_rfc3339();
    let input = json!({ "candidateId": o.candidate.id, "role": "devops-engineer", "difficulty": "HARD", "questionCount": 1, "windowStart": start, "windowEnd": soon });
    let scheduled = o.app.graphql_as(&o.hr, SCHEDULE, json!({ "i": input })).await;
    let id = scheduled.data()["scheduleInterview"]["id"].as_str().unwrap().to_owned();
    // Move the window's end into the past rather than waiting for it.
    let changed = o
        .app
        .execute(&format!("UPDATE interviews SET window_end = now() - interval '1 second' WHERE id = '{id}'"))
        .await;
    assert_eq!(changed, 1);
    let service = &o.app.services.service;
    assert_eq!(viva_service::jobs::expire_interviews::expire_overdue(service).await.unwrap(), 1);
    let state = o
        .app
        .graphql_as(&o.candidate, "query($id: ID!) { interview(id: $id) { status } }", json!({ "id": id }))
        .await;
    assert_eq!(state.data()["interview"]["status"], "EXPIRED");
    o.app
        .graphql_as(
            &o.candidate,
            "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .expect_error("CONFLICT");
    assert_eq!(viva_service::jobs::expire_interviews::expire_overdue(service).await.unwrap(), 0);
}

#[tokio::test]
async fn the_same_answer_sent_twice_is_stored_once_even_concurrently() {
    let o = org().await;
    let scheduled = schedule(&o, 3).await;
    let id = scheduled["id"].as_str().unwrap().to_owned();
    let question = scheduled["questions"][0]["id"].as_str().unwrap().to_owned();
    o.app
        .graphql_as(
            &o.candidate,
            "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .data();

    let vars = json!({ "id": id, "a": answer(&question, "same-key-0001") });
    let first = o.app.graphql_as(&o.candidate, SUBMIT, vars.clone()).await;
    let again = o.app.graphql_as(&o.candidate, SUBMIT, vars.clone()).await;
    assert_eq!(first.data(), again.data(), "the same result both times");

    let second_question = scheduled["questions"][1]["id"].as_str().unwrap().to_owned();
    let vars = json!({ "id": id, "a": answer(&second_question, "same-key-0002") });
    let (a, b, c) = tokio::join!(
        o.app.graphql_as(&o.candidate, SUBMIT, vars.clone()),
        o.app.graphql_as(&o.candidate, SUBMIT, vars.clone()),
        o.app.graphql_as(&o.candidate, SUBMIT, vars.clone()),
    );
    assert_eq!(a.data()["submitAnswer"]["answer"], b.data()["submitAnswer"]["answer"]);
    assert_eq!(a.data()["submitAnswer"]["answer"], c.data()["submitAnswer"]["answer"]);
    let state = o
        .app
        .graphql_as(
            &o.candidate,
            "query($id: ID!) { interview(id: $id) { answers { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(state.data()["interview"]["answers"].as_array().unwrap().len(), 2);

    // The key with other content is a conflict, not a silent replay.
    let reused = json!({ "id": id, "a": { "questionId": second_question, "text": "A different answer", "idempotencyKey": "same-key-0002" } });
    o.app.graphql_as(&o.candidate, SUBMIT, reused).await.expect_error("CONFLICT");
    // Every job the test caused runs (the end-of-test check holds the app to it).
    o.app.run_jobs().await;
}

#[tokio::test]
async fn submit_all_answers_stores_everything_and_completes() {
    let o = org().await;
    let scheduled = schedule(&o, 3).await;
    let id = scheduled["id"].as_str().unwrap().to_owned();
    o.app
        .graphql_as(
            &o.candidate,
            "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .data();
    let answers: Vec<Value> = scheduled["questions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, q)| answer(q["id"].as_str().unwrap(), &format!("batch-key-{n:04}")))
        .collect();
    let all = "mutation($id: ID!, $a: [AnswerInput!]!) { submitAllAnswers(interviewId: $id, answers: $a) { status progress { answered total } } }";
    // One bad answer refuses the whole batch.
    let mut broken = answers.clone();
    broken[2]["text"] = json!("   ");
    o.app
        .graphql_as(&o.candidate, all, json!({ "id": id, "a": broken }))
        .await
        .expect_error("BAD_USER_INPUT");
    let state = o
        .app
        .graphql_as(
            &o.candidate,
            "query($id: ID!) { interview(id: $id) { answers { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(state.data()["interview"]["answers"], json!([]));
    let done = o.app.graphql_as(&o.candidate, all, json!({ "id": id, "a": answers })).await;
    assert_eq!(
        done.data()["submitAllAnswers"],
        json!({ "status": "COMPLETED", "progress": { "answered": 3, "total": 3 } })
    );
    // Every job the test caused runs (the end-of-test check holds the app to it).
    o.app.run_jobs().await;
}

/// Schedules an interview of two questions, starts it and answers the first; returns its id.
async fn started_with_one_answer(o: &Org) -> String {
    let scheduled = schedule(o, 2).await;
    let id = scheduled["id"].as_str().unwrap().to_owned();
    o.app
        .graphql_as(
            &o.candidate,
            "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .data();
    let q = scheduled["questions"][0]["id"].as_str().unwrap();
    o.app
        .graphql_as(&o.candidate, SUBMIT, json!({ "id": id, "a": answer(q, &format!("answered-{id}")) }))
        .await
        .data();
    id
}

#[tokio::test]
async fn the_nested_reads_of_the_postgraphile_comparison_cost_two_statements_each() {
    // The queries of ../shared/bench/postgraphile (issue #16): a page of interviews and one
    // interview, each with its candidate, questions and answers. Signed in (the session
    // resolved once and cached), each is two statements: the interviews joined with their
    // candidates (and, for one interview, the access policy's facts), then the questions
    // left-joined with their answers.
    let o = org().await;
    for _ in 0..3 {
        started_with_one_answer(&o).await;
    }
    const LIST: &str = "query { interviews(first: 20) { edges { node { id status createdAt candidate { fullName } questions { position text } answers { text } } } } }";
    const ONE: &str = "query($id: ID!) { interview(id: $id) { id status createdAt candidate { fullName } questions { position text } answers { text } } }";
    let listed = o.app.graphql_as(&o.admin, LIST, json!({})).await;
    let id = listed.data()["interviews"]["edges"][0]["node"]["id"].clone();
    for (query, variables) in [(LIST, json!({})), (ONE, json!({ "id": id }))] {
        let before = o.app.queries.get();
        let read = o.app.graphql_as(&o.admin, query, variables).await;
        let statements = o.app.queries.get() - before;
        assert!(read.errors().is_empty(), "{}", read.body);
        assert_eq!(statements, 2, "{query}");
    }
    let one = o.app.graphql_as(&o.admin, ONE, json!({ "id": id })).await;
    let node = &one.data()["interview"];
    assert_eq!(node["questions"].as_array().unwrap().len(), 2);
    assert_eq!(node["answers"].as_array().unwrap().len(), 1);
    assert!(node["candidate"]["fullName"].is_string());

    // Where no page was read with them (an interview a mutation returns), answer keys come
    // through their own loader.
    let (start, end) = window();
    let input = json!({ "candidateId": o.candidate.id, "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": 2, "windowStart": start, "windowEnd": end });
    let scheduled = o
        .app
        .graphql_as(
            &o.hr,
            "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { questions { id idealAnswer expectedKeywords } } }",
            json!({ "i": input }),
        )
        .await;
    let fresh = scheduled.data()["scheduleInterview"]["questions"].as_array().unwrap().clone();
    assert_eq!(fresh.len(), 2);
    // A page reads them only when the selection shows them: then in the same statement as the
    // questions, so still two. They are the same keys.
    const KEYS: &str = "query { interviews(first: 20) { edges { node { id questions { id idealAnswer expectedKeywords } } } } }";
    let before = o.app.queries.get();
    let keyed = o.app.graphql_as(&o.admin, KEYS, json!({})).await;
    assert_eq!(o.app.queries.get() - before, 2, "{}", keyed.body);
    let mut shown = std::collections::HashMap::new();
    for edge in keyed.data()["interviews"]["edges"].as_array().unwrap() {
        for question in edge["node"]["questions"].as_array().unwrap() {
            assert!(!question["idealAnswer"].as_str().unwrap().is_empty(), "{question}");
            assert!(!question["expectedKeywords"].as_array().unwrap().is_empty(), "{question}");
            shown.insert(question["id"].as_str().unwrap().to_owned(), question.clone());
        }
    }
    for question in &fresh {
        assert_eq!(question, &shown[question["id"].as_str().unwrap()]);
    }
    o.app.run_jobs().await;
}

#[tokio::test]
async fn listing_interviews_with_nested_data_costs_a_bounded_number_of_queries() {
    let o = org().await;
    const NESTED: &str = "query($n: Int) { interviews(first: $n) { edges { node { id candidate { fullName } hr { fullName } questions { text } answers { text } progress { answered } } } } }";
    let mut counts = Vec::new();
    for target in [5, 50] {
        while o.app.graphql_as(&o.hr, "{ interviews(first: 100) { count } }", json!({})).await.data()["interviews"]["count"].as_i64().unwrap() < target {
            started_with_one_answer(&o).await;
        }
        let before = o.app.queries.get();
        let listed = o.app.graphql_as(&o.hr, NESTED, json!({ "n": target })).await;
        let statements = o.app.queries.get() - before;
        assert_eq!(listed.data()["interviews"]["edges"].as_array().unwrap().len() as i64, target);
        counts.push(statements);
    }
    assert_eq!(counts[0], counts[1], "5 and 50 interviews cost the same number of statements: {counts:?}");
    assert!(counts[1] <= 12, "{counts:?}");
    // Every job the test caused runs (the end-of-test check holds the app to it).
    o.app.run_jobs().await;
}

#[tokio::test]
async fn pagination_stays_correct_while_interviews_are_added() {
    let o = org().await;
    for _ in 0..5 {
        schedule(&o, 1).await;
    }
    let query = "query($a: String) { interviews(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }";
    let (mut seen, mut after): (Vec<String>, Option<String>) = (Vec::new(), None);
    loop {
        let page = o.app.graphql_as(&o.hr, query, json!({ "a": after })).await;
        let list = &page.data()["interviews"];
        seen.extend(
            list["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
        );
        schedule(&o, 1).await; // newer rows arrive between pages
        if list["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = list["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    assert_eq!(seen.len(), 5, "exactly the rows that existed when paging began, none twice");
}
