//! HR access follows the present assignment and mapping, not who scheduled an interview
//! (security review, item 2).

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use viva_test_support::{TestApp, TestUser};

async fn schedule(app: &TestApp, hr: &TestUser, candidate: &TestUser) -> Value {
    let input = json!({ "candidateId": candidate.id, "role": "frontend-engineer", "difficulty": "EASY", "questionCount": 2,
        "windowStart": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "windowEnd": (Utc::now() + Duration::hours(1)).to_rfc3339() });
    app.graphql_as(
        hr,
        "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id questions { id } } }",
        json!({ "i": input }),
    )
    .await
    .data()["scheduleInterview"]
        .clone()
}

/// What `hr` can see of the interview: whether reading it (with its answers) fails, and how
/// often it appears in their list.
async fn reach(app: &TestApp, hr: &TestUser, interview: &Value) -> (Option<String>, usize) {
    let read = app
        .graphql_as(
            hr,
            "query($id: ID!) { interview(id: $id) { id answers { id text } } }",
            json!({ "id": interview["id"] }),
        )
        .await;
    let listed = app.graphql_as(hr, "{ interviews { edges { node { id } } } }", json!({})).await;
    let count = listed.data()["interviews"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|edge| edge["node"]["id"] == interview["id"])
        .count();
    (read.error_code(), count)
}

#[tokio::test]
async fn reassignment_and_unmapping_move_a_candidates_interviews_to_the_hr_user_in_charge_now() {
    let app = TestApp::new().await;
    app.seed_question_bank().await;
    let (admin, first, second) = (app.admin().await, app.hr().await, app.hr().await);
    let candidate = app.candidate().await;
    app.map_hr(&admin, &first).await;
    app.map_hr(&admin, &second).await;
    app.assign(&admin, &candidate, &first).await;
    let interview = schedule(&app, &first, &candidate).await;
    app.graphql_as(
        &candidate,
        "mutation($id: ID!) { startInterview(interviewId: $id) { id } }",
        json!({ "id": interview["id"] }),
    )
    .await
    .data();
    let answer = json!({ "questionId": interview["questions"][0]["id"], "text": "My answer, with an example.", "idempotencyKey": "access-key-1" });
    let answered = app
        .graphql_as(
            &candidate,
            "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
            json!({ "id": interview["id"], "a": answer }),
        )
        .await;
    let answer_id = answered.data()["submitAnswer"]["answer"]["id"].clone();
    app.graphql_as(
        &candidate,
        "mutation($id: ID!) { endInterview(interviewId: $id) { id } }",
        json!({ "id": interview["id"] }),
    )
    .await
    .data();

    assert_eq!(reach(&app, &first, &interview).await, (None, 1));
    assert_eq!(reach(&app, &second, &interview).await, (Some("NOT_FOUND".to_owned()), 0));
    // The first HR user and the candidate talk.
    let sent = app
        .graphql_as(
            &first,
            "mutation($r: ID!) { sendMessage(input: { recipientId: $r, body: \"How did it go?\" }) { id conversationId } }",
            json!({ "r": candidate.id }),
        )
        .await;
    let conversation = sent.data()["sendMessage"]["conversationId"].clone();
    let read = "query($c: ID!) { messages(conversationId: $c) { edges { node { body } } } }";
    app.graphql_as(&first, read, json!({ "c": conversation })).await.data();

    // The candidate moves to the second HR user: the history goes with them.
    app.assign(&admin, &candidate, &second).await;
    assert_eq!(reach(&app, &first, &interview).await, (Some("NOT_FOUND".to_owned()), 0));
    // The former HR user no longer reads the conversation either; the candidate still does.
    let refused = app.graphql_as(&first, read, json!({ "c": conversation })).await;
    assert_eq!(refused.error_code().as_deref(), Some("NOT_FOUND"), "{:?}", refused.body);
    let listed = app.graphql_as(&first, "{ conversations { edges { node { id } } } }", json!({})).await;
    assert!(listed.data()["conversations"]["edges"].as_array().unwrap().is_empty());
    app.graphql_as(&candidate, read, json!({ "c": conversation })).await.data();
    assert_eq!(reach(&app, &second, &interview).await, (None, 1));
    let override_score =
        "mutation($id: ID!) { overrideAnswerScore(answerId: $id, score: 90, reason: \"Strong\") { id } }";
    let overridden = app.graphql_as(&first, override_score, json!({ "id": answer_id })).await;
    assert_eq!(overridden.error_code().as_deref(), Some("NOT_FOUND"), "{:?}", overridden.body);
    let reevaluate = "mutation($id: ID!) { reevaluateAnswer(answerId: $id) { id } }";
    let refused = app.graphql_as(&first, reevaluate, json!({ "id": answer_id })).await;
    assert_eq!(refused.error_code().as_deref(), Some("NOT_FOUND"), "{:?}", refused.body);
    let cancel = "mutation($id: ID!) { cancelInterview(interviewId: $id, reason: \"No longer needed\") { id status } }";
    let refused = app.graphql_as(&first, cancel, json!({ "id": interview["id"] })).await;
    assert_eq!(refused.error_code().as_deref(), Some("NOT_FOUND"), "{:?}", refused.body);
    app.graphql_as(&second, override_score, json!({ "id": answer_id })).await.data();

    // Unmapped, the second HR user loses the candidate's data too, though still assigned.
    app.graphql_as(&admin, "mutation($h: ID!) { unmapHr(hrId: $h) { id } }", json!({ "h": second.id }))
        .await
        .data();
    assert_eq!(reach(&app, &second, &interview).await, (Some("NOT_FOUND".to_owned()), 0));

    // The audit log still says who overrode the score at the time.
    let audit = app
        .graphql_as(&admin, "{ auditLog(first: 50) { edges { node { action actor { id } } } } }", json!({}))
        .await;
    let overrides: Vec<&Value> = audit.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["action"].as_str().is_some_and(|a| a.contains("OVERR")))
        .collect();
    assert!(
        overrides.iter().any(|e| e["node"]["actor"]["id"] == second.id.as_str()),
        "the override stays attributed to the HR user who made it: {overrides:?}"
    );
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}
