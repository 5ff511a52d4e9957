//! Fixes from the security review, each through the public surface.

use serde_json::json;
use viva_test_support::{TEST_PASSWORD, TestApp};

#[tokio::test]
async fn parallel_password_guesses_cannot_race_past_the_login_throttle() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let limit = app.services.config.service.throttle.max_failures_per_account;
    let before = app.services.service.passwords.verifications();
    let guesses = (0..40).map(|i| {
        let app = &app;
        let email = ada.email.clone();
        async move {
            app.graphql(
                "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                json!({ "i": { "email": email, "password": format!("wrong-guess-{i:04}") } }),
            )
            .await
            .error_code()
        }
    });
    let codes = futures_util::future::join_all(guesses).await;
    let checked = codes.iter().filter(|c| c.as_deref() == Some("UNAUTHENTICATED")).count();
    let limited = codes.iter().filter(|c| c.as_deref() == Some("RATE_LIMITED")).count();
    assert_eq!(checked + limited, 40, "{codes:?}");
    assert!(checked as i64 <= limit, "{checked} guesses were checked; the limit is {limit}");
    assert!(app.services.service.passwords.verifications() - before <= limit as u64);
    // The right password is refused too while the account is throttled.
    app.login(&ada.email, TEST_PASSWORD).await.expect_error("RATE_LIMITED");
}

#[tokio::test]
async fn a_right_password_gives_its_reserved_attempt_back() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let limit = app.services.config.service.throttle.max_failures_per_address;
    // Far more successful sign-ins from one address than failures are allowed: none counts.
    for _ in 0..(limit + 3) {
        app.login(&ada.email, TEST_PASSWORD).await.data();
    }
}

#[tokio::test]
async fn delete_my_account_checks_one_password_per_operation_and_is_throttled() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let aliases: String =
        (0..20).map(|i| format!("a{i}: deleteMyAccount(password: \"guess-number-{i:04}\")\n")).collect();
    let before = app.services.service.passwords.verifications();
    let response = app.graphql_as(&ada, &format!("mutation {{ {aliases} }}"), json!({})).await;
    assert_eq!(app.services.service.passwords.verifications() - before, 1, "{:?}", response.body);
    let limit = app.services.config.service.throttle.max_failures_per_account;
    let mut codes = Vec::new();
    for i in 0..limit + 2 {
        let guess = app
            .graphql_as(
                &ada,
                "mutation($p: String!) { deleteMyAccount(password: $p) }",
                json!({ "p": format!("again-{i:04}") }),
            )
            .await;
        codes.push(guess.error_code().unwrap_or_default());
    }
    assert_eq!(codes.last().map(String::as_str), Some("RATE_LIMITED"), "{codes:?}");
    // The account is still there.
    app.graphql_as(&ada, "{ me { id } }", json!({})).await.data();
}

#[tokio::test]
async fn a_reset_link_sent_before_a_password_change_no_longer_works() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    app.graphql("mutation($e: String!) { requestPasswordReset(email: $e) }", json!({ "e": ada.email }))
        .await
        .data();
    let token = app.token_from_email(&ada.email, viva_service::mail::RESET_SUBJECT).await;
    let changed = "mutation($i: ChangePasswordInput!) { changePassword(input: $i) }";
    let new_password = "marble-orchard-quietly-77";
    app.graphql_as(
        &ada,
        changed,
        json!({ "i": { "currentPassword": TEST_PASSWORD, "newPassword": new_password } }),
    )
    .await
    .data();
    let reset = app
        .graphql(
            "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }",
            json!({ "i": { "token": token, "newPassword": "stolen-link-takeover-55" } }),
        )
        .await;
    assert!(reset.error_code().is_some(), "the old link must be refused: {:?}", reset.body);
    app.login(&ada.email, new_password).await.data();
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

#[tokio::test]
async fn with_forwarded_for_trusted_the_client_is_counted_from_the_right() {
    use axum::body::Body;
    use http::Request;

    for (hops, expected) in [(1, "203.0.113.9"), (2, "198.51.100.4")] {
        let app = TestApp::with_config(|c| {
            c.trust_forwarded_for = true;
            c.trusted_proxy_hops = hops;
        })
        .await;
        let admin = app.admin().await;
        // The client claims to be 6.6.6.6; the proxies appended what they saw.
        let body = json!({ "query": "mutation { login(input: { email: \"nobody@example.org\", password: \"wrong-guess-0001\" }) { accessToken } }" });
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("x-forwarded-for", "6.6.6.6, 198.51.100.4")
            .header("x-forwarded-for", "203.0.113.9")
            .body(Body::from(body.to_string()))
            .unwrap();
        app.send_from("10.0.0.2", request).await;
        let audit = app
            .graphql_as(&admin, "{ auditLog(first: 5, filter: { actions: [\"LOGIN_FAILED\"] }) { edges { node { ipAddress } } } }", json!({}))
            .await;
        assert_eq!(audit.data()["auditLog"]["edges"][0]["node"]["ipAddress"], expected, "{hops} hops");
    }
}

#[tokio::test]
async fn a_nul_character_in_any_text_is_bad_input_not_an_internal_error() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (hr, candidate) = (app.hr().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    let nul = "hello\u{0}world";
    // As a variable, and written into the document as an escape.
    let cases = [
        (
            &hr,
            "mutation($r: ID!, $b: String!) { sendMessage(input: { recipientId: $r, body: $b }) { id } }",
            json!({ "r": candidate.id, "b": nul }),
        ),
        (&admin, "query($t: String) { users(filter: { text: $t }) { count } }", json!({ "t": nul })),
        (&admin, "{ users(filter: { text: \"a\\u0000b\" }) { count } }", json!({})),
        (
            &admin,
            "query($a: [String!]) { auditLog(filter: { actions: $a }) { edges { node { id } } } }",
            json!({ "a": [nul] }),
        ),
    ];
    for (user, query, variables) in cases {
        let response = app.graphql_as(user, query, variables).await;
        let message = response.expect_error("BAD_USER_INPUT");
        assert!(message.contains("NUL"), "{message}");
    }
}

#[tokio::test]
async fn aliases_are_capped_per_document() {
    let app = TestApp::new().await;
    let many: String = (0..100).map(|i| format!("a{i}: __typename ")).collect();
    let message = app.graphql(&format!("{{ {many} }}"), json!({})).await.expect_error("BAD_USER_INPUT");
    assert!(message.contains("aliased"), "{message}");
    let few: String = (0..5).map(|i| format!("a{i}: __typename ")).collect();
    app.graphql(&format!("{{ {few} }}"), json!({})).await.data();
}

#[tokio::test]
async fn practice_cannot_harvest_the_answer_key_or_the_questions_hr_wrote() {
    let app = TestApp::new().await;
    app.seed_question_bank().await;
    let (admin, hr) = (app.admin().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    let secret = "Describe the incident-response runbook you would write for our payments outage?";
    for difficulty in ["EASY", "MEDIUM", "HARD"] {
        let question = json!({ "role": "backend-engineer", "type": "TECHNICAL", "difficulty": difficulty, "text": format!("{secret} ({difficulty})"),
            "expectedKeywords": ["pager", "rollback", "postmortem"], "idealAnswer": "A private model answer that only HR users and admins should ever see in full.", "timeLimitSeconds": 120 });
        app.graphql_as(
            &hr,
            "mutation($i: QuestionInput!) { createQuestion(input: $i) { id } }",
            json!({ "i": question }),
        )
        .await
        .data();
    }
    let candidate = app.candidate().await;
    let practice = app
        .graphql_as(
            &candidate,
            "mutation { startPracticeInterview(input: { role: \"backend-engineer\", difficulty: EASY, questionCount: 20 }) { id questions { id text } } }",
            json!({}),
        )
        .await;
    let interview = practice.data()["startPracticeInterview"].clone();
    let id = interview["id"].clone();
    // One answer, then the candidate ends the session.
    let first = interview["questions"][0]["id"].clone();
    app.graphql_as(
        &candidate,
        "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
        json!({ "id": id, "a": { "questionId": first, "text": "An answer of mine.", "idempotencyKey": "practice-key-1" } }),
    )
    .await
    .data();
    app.graphql_as(
        &candidate,
        "mutation($id: ID!) { endInterview(interviewId: $id) { id } }",
        json!({ "id": id }),
    )
    .await
    .data();
    let ended = app
        .graphql_as(
            &candidate,
            "query($id: ID!) { interview(id: $id) { questions { id text idealAnswer expectedKeywords } } }",
            json!({ "id": id }),
        )
        .await;
    let questions = ended.data()["interview"]["questions"].as_array().unwrap().clone();
    assert_eq!(questions.len(), 20);
    for question in &questions {
        assert!(!question["text"].as_str().unwrap().contains(secret), "an HR question reached practice");
        assert!(question["expectedKeywords"].is_null(), "keywords shown to a candidate: {question}");
        if question["id"] == first {
            assert!(question["idealAnswer"].is_string(), "the answered question shows its model answer");
        } else {
            assert!(question["idealAnswer"].is_null(), "an unanswered question's model answer was shown");
        }
    }
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

#[tokio::test]
async fn an_erased_account_leaves_its_name_and_email_nowhere_in_the_database() {
    let app = TestApp::new().await;
    let (admin, hr) = (app.admin().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    let (name, email) = ("Zebulon Quartermaine", "zebulon.quartermaine@example.org");
    app.graphql(
        viva_test_support::REGISTER_DOCUMENT,
        json!({ "input": { "email": email, "password": TEST_PASSWORD, "fullName": name, "role": "CANDIDATE" } }),
    )
    .await
    .data();
    let zeb = app.sign_in(email, TEST_PASSWORD).await;
    app.assign(&admin, &zeb, &hr).await;
    let send = "mutation($r: ID!, $b: String!) { sendMessage(input: { recipientId: $r, body: $b }) { id } }";
    app.graphql_as(&hr, send, json!({ "r": zeb.id, "b": "Hello Zebulon, shall we talk?" })).await.data();
    app.graphql_as(&zeb, send, json!({ "r": hr.id, "b": "Yes please, Zebulon here." })).await.data();
    app.graphql_as(
        &zeb,
        "mutation($p: String!) { deleteMyAccount(password: $p) }",
        json!({ "p": TEST_PASSWORD }),
    )
    .await
    .data();

    // Every text-like column of every table, searched for the name and the email.
    let mut found = Vec::new();
    for needle in ["quartermaine", "zebulon"] {
        found.extend(app.tables_containing(needle).await);
    }
    assert!(found.is_empty(), "the erased person is still named in: {found:?}");
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

fn multipart(parts: &[(&str, Option<&str>, String)]) -> http::Request<axum::body::Body> {
    let mut body = String::new();
    for (name, filename, content) in parts {
        body.push_str("--XyZ\r\n");
        match filename {
            Some(file) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/plain\r\n\r\n"
            )),
            None => body.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
        }
        body.push_str(content);
        body.push_str("\r\n");
    }
    body.push_str("--XyZ--\r\n");
    http::Request::post("/graphql")
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .header("x-viva-csrf", "1")
        .body(axum::body::Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_multipart_operations_part_is_held_to_the_json_body_limit() {
    let app = TestApp::new().await;
    let limit = app.services.config.limits.max_body_bytes;
    // A well-formed multipart request runs.
    let ok = json!({ "query": "{ __typename }", "variables": { "file": null } }).to_string();
    let response = app
        .send(multipart(&[
            ("operations", None, ok),
            ("map", None, json!({ "0": ["variables.file"] }).to_string()),
            ("0", Some("notes.txt"), "some notes".to_owned()),
        ]))
        .await;
    assert_eq!(response.json()["data"]["__typename"], "Query", "{:?}", response.json());
    // An operations part over the JSON limit (though far under the upload limit) is refused.
    let padded =
        json!({ "query": "{ __typename }", "variables": { "pad": "x".repeat(limit + 1024) } }).to_string();
    let response = app.send(multipart(&[("operations", None, padded)])).await;
    assert_eq!(response.status, http::StatusCode::PAYLOAD_TOO_LARGE);
    // So is a file beyond the count.
    let files = app.services.config.limits.max_upload_files;
    let mut parts = vec![("operations", None, json!({ "query": "{ __typename }" }).to_string())];
    let names: Vec<String> = (0..=files).map(|i| i.to_string()).collect();
    for name in &names {
        parts.push((name.as_str(), Some("f.txt"), "x".to_owned()));
    }
    let response = app.send(multipart(&parts)).await;
    assert_eq!(response.status, http::StatusCode::BAD_REQUEST);
    assert!(response.json()["errors"][0]["message"].as_str().unwrap().contains("files"));
}

#[tokio::test]
async fn the_data_export_holds_interviews_and_answers_and_no_one_elses_address() {
    let app = TestApp::new().await;
    app.seed_question_bank().await;
    let admin = app.admin().await;
    let candidate = app.candidate().await;
    let practice = app
        .graphql_as(
            &candidate,
            "mutation { startPracticeInterview(input: { role: \"backend-engineer\", difficulty: EASY, questionCount: 1 }) { id questions { id } } }",
            json!({}),
        )
        .await;
    let interview = practice.data()["startPracticeInterview"].clone();
    app.graphql_as(
        &candidate,
        "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
        json!({ "id": interview["id"], "a": { "questionId": interview["questions"][0]["id"], "text": "My exported answer.", "idempotencyKey": "export-key-1" } }),
    )
    .await
    .data();
    // The evaluation's keyword lists are the answer key: the candidate gets them empty.
    // (One question: the answer completed the session.)
    app.run_jobs().await;
    let analysis = "query($id: ID!) { interview(id: $id) { answers { evaluation { analysis { keywordsCovered keywordsMissing } } } } }";
    let seen = app.graphql_as(&candidate, analysis, json!({ "id": interview["id"] })).await;
    let keywords = &seen.data()["interview"]["answers"][0]["evaluation"]["analysis"];
    assert_eq!(keywords, &json!({ "keywordsCovered": [], "keywordsMissing": [] }), "{keywords}");
    let staff = app.graphql_as(&admin, analysis, json!({ "id": interview["id"] })).await;
    let keywords = &staff.data()["interview"]["answers"][0]["evaluation"]["analysis"];
    let listed = keywords["keywordsCovered"].as_array().unwrap().len()
        + keywords["keywordsMissing"].as_array().unwrap().len();
    assert!(listed >= 3, "staff see the keywords: {keywords}");

    // An admin acts on the candidate from an address of their own.
    let body = json!({ "query": "mutation($u: ID!) { setUserActive(userId: $u, active: true) { id } }", "variables": { "u": candidate.id } });
    let request = http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", admin.access_token))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    app.send_from("203.0.113.50", request).await;
    app.graphql_as(
        &admin,
        "mutation($u: ID!) { setUserActive(userId: $u, active: false) { id } }",
        json!({ "u": candidate.id }),
    )
    .await;
    app.graphql_as(
        &admin,
        "mutation($u: ID!) { setUserActive(userId: $u, active: true) { id } }",
        json!({ "u": candidate.id }),
    )
    .await;
    let candidate = app.sign_in(&candidate.email, &candidate.password).await;

    let export = app.graphql_as(&candidate, "{ exportMyData }", json!({})).await;
    let data = export.data()["exportMyData"].clone();
    let text = data.to_string();
    assert!(!text.contains("203.0.113.50"), "another person's address was exported");
    let interviews = data["interviews"].as_array().expect("interviews exported");
    assert_eq!(interviews.len(), 1);
    assert_eq!(interviews[0]["questions"][0]["answer"]["text"], "My exported answer.");
    assert!(
        data["auditLog"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["asTarget"] == true && e["ipAddress"].is_null())
    );
}

#[tokio::test]
async fn a_candidates_worst_nested_request_costs_the_same_statements_for_3_or_20_sessions() {
    let app = TestApp::new().await;
    app.seed_question_bank().await;
    let candidate = app.candidate().await;
    const NESTED: &str = "{ interviews(first: 20) { edges { node { id status questions { text idealAnswer } \
        answers { text aiScore evaluation { grade scores { overall } analysis { words } } } } } } }";
    let mut counts = Vec::new();
    let mut sessions = 0;
    for target in [3, 20] {
        while sessions < target {
            let started = app
                .graphql_as(
                    &candidate,
                    "mutation { startPracticeInterview(input: { role: \"backend-engineer\", difficulty: EASY, questionCount: 1 }) { id questions { id } } }",
                    json!({}),
                )
                .await;
            let interview = started.data()["startPracticeInterview"].clone();
            for (n, question) in interview["questions"].as_array().unwrap().iter().enumerate() {
                app.graphql_as(
                    &candidate,
                    "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
                    json!({ "id": interview["id"], "a": { "questionId": question["id"], "text": "A considered answer with an example from my last job.", "idempotencyKey": format!("cost-{sessions}-{n}") } }),
                )
                .await
                .data();
            }
            sessions += 1;
        }
        app.run_jobs().await;
        let before = app.queries.get();
        let listed = app.graphql_as(&candidate, NESTED, json!({})).await;
        let statements = app.queries.get() - before;
        let edges = listed.data()["interviews"]["edges"].as_array().unwrap().clone();
        assert_eq!(edges.len(), target);
        assert!(edges.iter().all(|e| e["node"]["answers"][0]["aiScore"].is_number()), "evaluated: {edges:?}");
        counts.push(statements);
    }
    eprintln!("statements for 3 and 20 sessions: {counts:?}");
    assert_eq!(counts[0], counts[1], "3 and 20 sessions cost the same number of statements: {counts:?}");
    assert!(counts[1] <= 15, "{counts:?}");

    // Page sizes count: the same selection over 100 rows a page is over the limit.
    let wide = NESTED.replace("first: 20", "first: 100");
    let refused = app.graphql_as(&candidate, &wide, json!({})).await;
    let message = refused.expect_error("BAD_USER_INPUT");
    assert!(message.to_lowercase().contains("complex"), "{message}");
}

#[tokio::test]
async fn a_reset_request_answers_the_same_for_unknown_addresses_and_mails_only_real_ones() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let ask = "mutation($e: String!) { requestPasswordReset(email: $e) }";
    let known = app.graphql(ask, json!({ "e": ada.email })).await;
    let unknown = app.graphql(ask, json!({ "e": "nobody-here@example.org" })).await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);
    // The real owner gets the link; nothing is stored for the unknown address.
    app.token_from_email(&ada.email, viva_service::mail::RESET_SUBJECT).await;
    assert!(app.tables_containing("nobody-here@example.org").await.is_empty());
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}
