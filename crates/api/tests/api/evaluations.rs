//! The evaluation pipeline through the API: answers are evaluated by background jobs, a weak
//! answer gets a follow-up, the interview is evaluated when every answer is, re-evaluation
//! keeps history, and who may see and trigger what.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::interviews::{Org, org};

const CURRENT: &str = "query($id: ID!) { interview(id: $id) { status progress { answered total } } currentQuestion(interviewId: $id) { id text followUpOf } }";
const SUBMIT: &str = "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } interview { status } } }";
const EVALUATION: &str = "query($id: ID!) { interview(id: $id) { status result { overallScore grade recommendations } answers { id aiScore evaluation { scores { overall content communication technicalDepth relevance } grade strengths improvements feedback remark provenance { provider model rubricVersion } analysis { keywordsCovered keywordsMissing words length } } } } }";

/// The bank question the strong answer below answers (a story about a slow endpoint).
const PERFORMANCE_QUESTION: &str =
    "Tell me about a time you significantly improved the performance of a slow endpoint or query.";

/// Starts an interview of `count` bank questions (1 or 2) that ends with the question the strong
/// answer fits: chosen, not drawn, so that the scores this test compares do not depend on which
/// questions a draw brings.
async fn started_interview(o: &Org, count: i32) -> String {
    let bank = o
        .app
        .graphql_as(
            &o.hr,
            "{ defaultQuestions(filter: { role: \"backend-engineer\" }, first: 100) { edges { node { id text } } } }",
            json!({}),
        )
        .await;
    let nodes: Vec<Value> = bank.data()["defaultQuestions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let fitting =
        nodes.iter().find(|q| q["text"] == PERFORMANCE_QUESTION).expect("the performance question ships");
    let other = nodes.iter().find(|q| q["text"] != PERFORMANCE_QUESTION).unwrap();
    let ids: Vec<&Value> = if count >= 2 { vec![&other["id"], &fitting["id"]] } else { vec![&fitting["id"]] };
    let input = json!({
        "candidateId": o.candidate.id, "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": count,
        "questionSource": "EXPLICIT", "questionIds": ids,
        "windowStart": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "windowEnd": (Utc::now() + Duration::hours(2)).to_rfc3339(),
    });
    let scheduled = o
        .app
        .graphql_as(
            &o.hr,
            "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    let id = scheduled.data()["scheduleInterview"]["id"].as_str().unwrap().to_owned();
    o.app
        .graphql_as(
            &o.candidate,
            "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .data();
    id
}

async fn current(o: &Org, id: &str) -> Value {
    o.app.graphql_as(&o.candidate, CURRENT, json!({ "id": id })).await.data().clone()
}

async fn answer(o: &Org, id: &str, question: &Value, text: &str, key: &str) -> Value {
    let a =
        json!({ "questionId": question["id"], "text": text, "durationSeconds": 60, "idempotencyKey": key });
    o.app.graphql_as(&o.candidate, SUBMIT, json!({ "id": id, "a": a })).await.data()["submitAnswer"].clone()
}

const STRONG: &str = "At my last company I owned the orders service. Checkout latency had crept to 900 ms at p99, so my task was to bring it under 200 ms before the sale. I profiled it, read the query plan, added a composite index and cached the price lookups with explicit invalidation. I load-tested the change and rolled it out behind a flag. As a result p99 fell to 140 ms and errors dropped by 30 percent.";

#[tokio::test]
async fn answers_are_evaluated_a_weak_one_is_followed_up_and_the_interview_evaluated() {
    let o = org().await;
    let id = started_interview(&o, 2).await;

    // A vague first answer: once evaluated, a follow-up comes right after it.
    let first = current(&o, &id).await["currentQuestion"].clone();
    answer(&o, &id, &first, "Um, I guess I would just fix it, you know.", "key-first-0001").await;
    assert!(o.app.run_jobs().await >= 2, "an evaluation and a follow-up plan ran");
    let now = current(&o, &id).await;
    assert_eq!(now["currentQuestion"]["followUpOf"], first["id"], "the follow-up is asked next: {now}");
    assert_eq!(now["interview"]["progress"]["total"], 3);
    assert!(now["currentQuestion"]["text"].as_str().unwrap().ends_with('?'));

    // While the interview runs, the candidate does not see scores (they carry the model answer).
    let hidden = o.app.graphql_as(&o.candidate, EVALUATION, json!({ "id": id })).await;
    assert!(hidden.data()["interview"]["answers"][0]["evaluation"].is_null());
    let staff = o.app.graphql_as(&o.hr, EVALUATION, json!({ "id": id })).await;
    let evaluation = &staff.data()["interview"]["answers"][0]["evaluation"];
    assert_eq!(evaluation["provenance"]["provider"], "offline");
    assert_eq!(evaluation["provenance"]["rubricVersion"], viva_ai::RUBRIC_VERSION);
    assert!(evaluation["scores"]["overall"].as_i64().unwrap() < 50, "{evaluation}");
    assert_eq!(evaluation["analysis"]["length"], "TOO_SHORT");

    // The follow-up and the last question; a follow-up is never followed up.
    let follow_up = current(&o, &id).await["currentQuestion"].clone();
    answer(&o, &id, &follow_up, "Sorry, I don't know.", "key-follow-0001").await;
    let last = current(&o, &id).await["currentQuestion"].clone();
    assert!(last["followUpOf"].is_null());
    let done = answer(&o, &id, &last, STRONG, "key-last-00001").await;
    assert_eq!(done["interview"]["status"], "COMPLETED");
    o.app.run_jobs().await;

    let seen = o.app.graphql_as(&o.candidate, EVALUATION, json!({ "id": id })).await;
    let interview = &seen.data()["interview"];
    assert_eq!(interview["status"], "EVALUATED");
    let answers = interview["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 3);
    let scores: Vec<i64> = answers.iter().map(|a| a["aiScore"].as_i64().unwrap()).collect();
    let mean = (scores.iter().sum::<i64>() as f64 / 3.0).round() as i64;
    assert_eq!(interview["result"]["overallScore"], mean);
    assert!(scores[2] > scores[0], "the strong answer scores above the vague one: {scores:?}");
    assert!(!interview["result"]["recommendations"].as_array().unwrap().is_empty());
    let strong = &answers[2]["evaluation"];
    assert!(
        strong["strengths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().contains(" ms at p99") || s.as_str().unwrap().contains("140 ms")),
        "strengths quote the answer: {strong}"
    );

    // The candidate was told.
    let notes =
        o.app.graphql_as(&o.candidate, "{ notifications { edges { node { kind } } } }", json!({})).await;
    assert!(notes.data().to_string().contains("RESULTS_AVAILABLE"));
}

#[tokio::test]
async fn reevaluation_keeps_history_and_is_for_the_candidates_staff_only() {
    let o = org().await;
    let id = started_interview(&o, 1).await;
    let question = current(&o, &id).await["currentQuestion"].clone();
    let sent = answer(&o, &id, &question, STRONG, "key-only-00001").await;
    let answer_id = sent["answer"]["id"].as_str().unwrap().to_owned();
    o.app.run_jobs().await;

    let reevaluate = "mutation($a: ID!) { reevaluateAnswer(answerId: $a) { id } }";
    o.app.graphql_as(&o.candidate, reevaluate, json!({ "a": answer_id })).await.expect_error("FORBIDDEN");
    let stranger = o.app.hr().await;
    o.app.map_hr(&o.admin, &stranger).await;
    o.app.graphql_as(&stranger, reevaluate, json!({ "a": answer_id })).await.expect_error("NOT_FOUND");
    o.app.graphql_as(&o.hr, reevaluate, json!({ "a": answer_id })).await.data();
    o.app.graphql_as(&o.admin, reevaluate, json!({ "a": answer_id })).await.data();
    assert_eq!(o.app.run_jobs().await, 2);

    let history = "query($id: ID!) { interview(id: $id) { answers { evaluations { current requestedBy { id } provenance { provider } } } } }";
    let staff = o.app.graphql_as(&o.hr, history, json!({ "id": id })).await;
    let evaluations = staff.data()["interview"]["answers"][0]["evaluations"].as_array().unwrap().clone();
    assert_eq!(evaluations.len(), 3, "the first evaluation and two re-evaluations are kept");
    assert_eq!(evaluations.iter().filter(|e| e["current"] == true).count(), 1);
    assert_eq!(evaluations[0]["current"], true, "the newest is current");
    assert_eq!(evaluations[0]["requestedBy"]["id"], o.admin.id);
    assert!(evaluations[2]["requestedBy"].is_null(), "the automatic one names nobody");
    let own = o.app.graphql_as(&o.candidate, history, json!({ "id": id })).await;
    own.expect_error("FORBIDDEN");
    let stats = o
        .app
        .graphql_as(
            &o.admin,
            "{ systemStats { evaluations jobsWaiting aiProviders { provider } } }",
            json!({}),
        )
        .await;
    assert_eq!(stats.data()["systemStats"]["evaluations"], 3);
    assert_eq!(stats.data()["systemStats"]["jobsWaiting"], 0);
    assert_eq!(
        stats.data()["systemStats"]["aiProviders"],
        json!([]),
        "this app runs on the offline rules alone"
    );
    let audit = o.app.graphql_as(&o.admin, "{ auditLog { edges { node { action } } } }", json!({})).await;
    assert_eq!(audit.data().to_string().matches("ANSWER_REEVALUATION_REQUESTED").count(), 2);
}

#[tokio::test]
async fn generated_questions_are_planned_from_the_context_and_mix_types() {
    let o = org().await;
    let schedule = "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { questionSource questions { id type text } } }";
    let input = |context: Option<&str>| {
        json!({
            "candidateId": o.candidate.id, "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": 3,
            "questionSource": "GENERATED", "context": context,
            "windowStart": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "windowEnd": (Utc::now() + Duration::hours(2)).to_rfc3339(),
        })
    };
    let planned = o
        .app
        .graphql_as(&o.hr, schedule, json!({ "i": input(Some("Resume: eight years building PostgreSQL-backed APIs, query tuning, indexes, caching, incident response and on-call.")) }))
        .await;
    let interview = &planned.data()["scheduleInterview"];
    assert_eq!(interview["questionSource"], "GENERATED");
    let questions = interview["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 3);
    let kinds: std::collections::HashSet<&str> =
        questions.iter().map(|q| q["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 3, "one of each type: {questions:?}");

    let refused = o.app.graphql_as(&o.hr, schedule, json!({ "i": input(None) })).await;
    assert!(refused.expect_error("BAD_USER_INPUT").contains("context"));
    let too_long = "x".repeat(20_001);
    o.app
        .graphql_as(&o.hr, schedule, json!({ "i": input(Some(&too_long)) }))
        .await
        .expect_error("BAD_USER_INPUT");
}
