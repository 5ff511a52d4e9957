//! The authorization matrix of the interview features: every query and mutation as anonymous,
//! the interview's candidate, another candidate, its HR user, another mapped HR user and an
//! admin. Allowed calls succeed (or fail only on the state they find, with the code given);
//! the others fail with `UNAUTHENTICATED`, `FORBIDDEN` or `NOT_FOUND`.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use viva_test_support::{TestApp, TestUser};

use crate::matrix::check;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Candidate,
    OtherCandidate,
    Hr,
    OtherHr,
    Admin,
}

use Who::*;

fn staff_or(who: Who, denied: &'static str) -> Option<&'static str> {
    match who {
        Anonymous => Some("UNAUTHENTICATED"),
        Hr | OtherHr | Admin => None,
        _ => Some(denied),
    }
}

async fn schedule(app: &TestApp, hr: &TestUser, candidate: &TestUser, count: i32) -> Value {
    let input = json!({ "candidateId": candidate.id, "role": "frontend-engineer", "difficulty": "EASY", "questionCount": count,
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

async fn started(app: &TestApp, hr: &TestUser, candidate: &TestUser, count: i32) -> Value {
    let interview = schedule(app, hr, candidate, count).await;
    app.graphql_as(
        candidate,
        "mutation($id: ID!) { startInterview(interviewId: $id) { id } }",
        json!({ "id": interview["id"] }),
    )
    .await
    .data();
    interview
}

fn answer(question: &Value, key: &str) -> Value {
    json!({ "questionId": question, "text": "A considered answer with an example.", "idempotencyKey": key })
}

#[tokio::test]
async fn every_interview_operation_checks_role_and_ownership() {
    let app = TestApp::new().await;
    app.seed_question_bank().await;
    let (admin, hr, other_hr) = (app.admin().await, app.hr().await, app.hr().await);
    let (candidate, other_candidate) = (app.candidate().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.map_hr(&admin, &other_hr).await;
    app.assign(&admin, &candidate, &hr).await;
    app.assign(&admin, &other_candidate, &other_hr).await;

    let job_input = json!({ "title": "Frontend Engineer", "description": "Build the candidate app.", "role": "frontend-engineer", "requiredSkills": ["TypeScript"], "locationType": "REMOTE" });
    let job = app
        .graphql_as(&hr, "mutation($i: JobInput!) { createJob(input: $i) { id } }", json!({ "i": job_input }))
        .await
        .data()["createJob"]["id"]
        .clone();
    let question_input = json!({ "role": "frontend-engineer", "type": "TECHNICAL", "difficulty": "EASY", "text": "How do you keep a large form accessible?", "expectedKeywords": ["labels", "focus order", "aria"], "idealAnswer": "Use labels, a logical focus order and ARIA only where native elements fall short.", "timeLimitSeconds": 120 });
    let question = app
        .graphql_as(
            &hr,
            "mutation($i: QuestionInput!) { createQuestion(input: $i) { id } }",
            json!({ "i": question_input.clone() }),
        )
        .await
        .data()["createQuestion"]["id"]
        .clone();
    let answering = started(&app, &hr, &candidate, 2).await;
    let batch = started(&app, &hr, &candidate, 2).await;
    let ending = started(&app, &hr, &candidate, 2).await;
    let unstarted = schedule(&app, &hr, &candidate, 1).await;
    let cancelling = schedule(&app, &hr, &candidate, 1).await;
    let finished = started(&app, &hr, &candidate, 1).await;
    let submitted = app
        .graphql_as(&candidate, "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }", json!({ "id": finished["id"], "a": answer(&finished["questions"][0]["id"], "finished-key-1") }))
        .await;
    let finished_answer = submitted.data()["submitAnswer"]["answer"]["id"].clone();

    let users = [
        (Anonymous, None),
        (Candidate, Some(&candidate)),
        (OtherCandidate, Some(&other_candidate)),
        (Hr, Some(&hr)),
        (OtherHr, Some(&other_hr)),
        (Admin, Some(&admin)),
    ];
    let none = |_: Who| json!({});
    let signed_in = |who: Who| (who == Anonymous).then_some("UNAUTHENTICATED");
    let owner_candidate = |who: Who| match who {
        Anonymous => Some("UNAUTHENTICATED"),
        Candidate => None,
        Hr | Admin => Some("FORBIDDEN"),
        _ => Some("NOT_FOUND"),
    };
    let owner_staff = |who: Who| match who {
        Anonymous => Some("UNAUTHENTICATED"),
        Hr | Admin => None,
        Candidate => Some("FORBIDDEN"),
        OtherCandidate => Some("FORBIDDEN"),
        OtherHr => Some("NOT_FOUND"),
    };
    let seen_by_parties = |who: Who| match who {
        Anonymous => Some("UNAUTHENTICATED"),
        Candidate | Hr | Admin => None,
        _ => Some("NOT_FOUND"),
    };

    // Queries.
    check(&app, &users, "jobRoles", "{ jobRoles { slug } }", none, signed_in).await;
    check(&app, &users, "questions", "{ questions(first: 1) { count } }", none, |w| staff_or(w, "FORBIDDEN"))
        .await;
    check(&app, &users, "defaultQuestions", "{ defaultQuestions(first: 1) { count } }", none, |w| {
        staff_or(w, "FORBIDDEN")
    })
    .await;
    check(&app, &users, "jobs", "{ jobs { count } }", none, |w| staff_or(w, "FORBIDDEN")).await;
    check(
        &app,
        &users,
        "job",
        "query($id: ID!) { job(id: $id) { id } }",
        |_| json!({ "id": job }),
        |w| match w {
            OtherHr => Some("NOT_FOUND"),
            w => staff_or(w, "FORBIDDEN"),
        },
    )
    .await;
    check(&app, &users, "interviews", "{ interviews { count } }", none, signed_in).await;
    check(
        &app,
        &users,
        "interview",
        "query($id: ID!) { interview(id: $id) { id } }",
        |_| json!({ "id": answering["id"] }),
        seen_by_parties,
    )
    .await;
    check(
        &app,
        &users,
        "currentQuestion",
        "query($id: ID!) { currentQuestion(interviewId: $id) { id } }",
        |_| json!({ "id": answering["id"] }),
        owner_candidate,
    )
    .await;

    // Mutations; allowed personas come after refused ones, so refusals change nothing first.
    check(
        &app,
        &users,
        "createQuestion",
        "mutation($i: QuestionInput!) { createQuestion(input: $i) { id } }",
        |_| json!({ "i": question_input }),
        |w| staff_or(w, "FORBIDDEN"),
    )
    .await;
    check(
        &app,
        &users,
        "updateQuestion",
        "mutation($id: ID!, $i: QuestionInput!) { updateQuestion(id: $id, input: $i) { id } }",
        |_| json!({ "id": question, "i": question_input }),
        |w| match w {
            OtherHr => Some("FORBIDDEN"),
            w => staff_or(w, "FORBIDDEN"),
        },
    )
    .await;
    check(
        &app,
        &users,
        "createJob",
        "mutation($i: JobInput!) { createJob(input: $i) { id } }",
        |_| json!({ "i": job_input }),
        |w| staff_or(w, "FORBIDDEN"),
    )
    .await;
    check(
        &app,
        &users,
        "updateJob",
        "mutation($id: ID!, $i: JobInput!) { updateJob(id: $id, input: $i) { id } }",
        |_| json!({ "id": job, "i": job_input }),
        |w| match w {
            OtherHr => Some("NOT_FOUND"),
            w => staff_or(w, "FORBIDDEN"),
        },
    )
    .await;
    check(&app, &users, "scheduleInterview", "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }", |_| json!({ "i": {
        "candidateId": candidate.id, "role": "frontend-engineer", "difficulty": "EASY", "questionCount": 1,
        "windowStart": Utc::now().to_rfc3339(), "windowEnd": (Utc::now() + Duration::hours(1)).to_rfc3339() } }), |w| match w {
        OtherHr => Some("FORBIDDEN"),
        w => staff_or(w, "FORBIDDEN"),
    })
    .await;
    check(&app, &users, "startPracticeInterview", "mutation { startPracticeInterview(input: { role: \"frontend-engineer\", difficulty: EASY, questionCount: 1 }) { id } }", none, |w| match w {
        Anonymous => Some("UNAUTHENTICATED"),
        Candidate | OtherCandidate => None,
        _ => Some("FORBIDDEN"),
    })
    .await;
    check(
        &app,
        &users,
        "startInterview",
        "mutation($id: ID!) { startInterview(interviewId: $id) { id } }",
        |_| json!({ "id": unstarted["id"] }),
        owner_candidate,
    )
    .await;
    check(&app, &users, "submitAnswer", "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }", |_| json!({ "id": answering["id"], "a": answer(&answering["questions"][0]["id"], "matrix-key-01") }), owner_candidate).await;
    check(
        &app,
        &users,
        "submitAllAnswers",
        "mutation($id: ID!, $a: [AnswerInput!]!) { submitAllAnswers(interviewId: $id, answers: $a) { id } }",
        |_| json!({ "id": batch["id"], "a": [answer(&batch["questions"][0]["id"], "matrix-key-02")] }),
        owner_candidate,
    )
    .await;
    check(
        &app,
        &users,
        "endInterview",
        "mutation($id: ID!) { endInterview(interviewId: $id) { id } }",
        |_| json!({ "id": ending["id"] }),
        owner_candidate,
    )
    .await;
    check(
        &app,
        &users,
        "cancelInterview",
        "mutation($id: ID!) { cancelInterview(interviewId: $id) { id } }",
        |_| json!({ "id": cancelling["id"] }),
        |w| match w {
            // Candidates may cancel their practice, so a stranger is not told the interview exists.
            OtherCandidate => Some("NOT_FOUND"),
            Admin => Some("CONFLICT"),
            w => owner_staff(w),
        },
    )
    .await;
    check(&app, &users, "submitInterviewResult", "mutation($id: ID!) { submitInterviewResult(interviewId: $id, input: { overallScore: 70, feedback: \"Solid\" }) { id } }", |_| json!({ "id": finished["id"] }), owner_staff).await;
    check(&app, &users, "overrideAnswerScore", "mutation($a: ID!) { overrideAnswerScore(answerId: $a, score: 60, reason: \"Missed the edge cases\") { id } }", |_| json!({ "a": finished_answer }), owner_staff).await;
    check(
        &app,
        &users,
        "reevaluateAnswer",
        "mutation($a: ID!) { reevaluateAnswer(answerId: $a) { id } }",
        |_| json!({ "a": finished_answer }),
        owner_staff,
    )
    .await;
    check(
        &app,
        &users,
        "archiveJob",
        "mutation($id: ID!) { archiveJob(id: $id) { id } }",
        |_| json!({ "id": job }),
        |w| match w {
            OtherHr => Some("NOT_FOUND"),
            Admin => Some("CONFLICT"),
            w => staff_or(w, "FORBIDDEN"),
        },
    )
    .await;

    // Scoped lists show nothing of other people's interviews.
    for (user, expected) in [(&other_candidate, 1), (&other_hr, 0)] {
        let listed = app.graphql_as(user, "{ interviews { count } }", json!({})).await;
        assert_eq!(listed.data()["interviews"]["count"], expected, "{}", user.email);
    }
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}
