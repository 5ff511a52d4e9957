//! Registration, sign-in, throttles, email verification and password reset.

use serde_json::json;
use viva_service::mail::{RESET_SUBJECT, VERIFY_SUBJECT};
use viva_test_support::{TEST_PASSWORD, TestApp};

fn field_errors(response: &viva_test_support::GraphqlResponse) -> Vec<(String, String)> {
    response.errors()[0]["extensions"]["fields"]
        .as_array()
        .expect("fields listed")
        .iter()
        .map(|f| (f["field"].as_str().unwrap().to_owned(), f["message"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn registration_reports_every_invalid_field() {
    let app = TestApp::new().await;
    let response = app
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { id } }",
            json!({ "input": { "email": "not-an-email", "password": "short", "fullName": "  ", "role": "CANDIDATE" } }),
        )
        .await;
    response.expect_error("BAD_USER_INPUT");
    let fields: Vec<String> = field_errors(&response).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["email", "fullName", "password"]);
}

#[tokio::test]
async fn registration_enforces_the_password_policy() {
    let app = TestApp::new().await;
    let cases = [
        ("eleven-char", "at least 12"),
        (&"x".repeat(129) as &str, "at most 128"),
        ("ada.lovelace@example.org", "email"),
        ("Password1234!", "too common"),
    ];
    for (password, message) in cases {
        let response = app.register("ada.lovelace@example.org", password, "CANDIDATE").await;
        response.expect_error("BAD_USER_INPUT");
        let errors = field_errors(&response);
        assert_eq!(errors.len(), 1, "{password}: {errors:?}");
        assert_eq!(errors[0].0, "password");
        assert!(errors[0].1.contains(message), "{password}: {}", errors[0].1);
    }
}

#[tokio::test]
async fn emails_are_normalised_and_unique() {
    let app = TestApp::new().await;
    let created = app.register("  Grace.Hopper@Example.ORG ", TEST_PASSWORD, "HR").await;
    assert_eq!(created.data()["register"]["email"], "grace.hopper@example.org");
    assert_eq!(created.data()["register"]["role"], "HR");
    // Registering the address again makes no second account. The answer looks like a new
    // registration (no account enumeration); the owner is told by email instead.
    let again = app.register("grace.hopper@example.org", "another-passphrase-for-eve-7", "CANDIDATE").await;
    let answer = &again.data()["register"];
    assert_eq!(
        (answer["email"].as_str(), answer["role"].as_str()),
        (Some("grace.hopper@example.org"), Some("CANDIDATE"))
    );
    assert_ne!(answer["id"], created.data()["register"]["id"]);
    let emails = app.outbox("grace.hopper@example.org").await;
    assert!(
        emails.iter().any(|e| e.subject == viva_service::mail::EXISTING_ACCOUNT_SUBJECT),
        "the owner is told"
    );
    app.login("grace.hopper@example.org", "another-passphrase-for-eve-7")
        .await
        .expect_error("UNAUTHENTICATED");
    let me = app.sign_in("grace.hopper@example.org", TEST_PASSWORD).await;
    let role = app.graphql_as(&me, "{ me { role } }", json!({})).await;
    assert_eq!(role.data()["me"]["role"], "HR", "the account is unchanged");
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

#[tokio::test]
async fn nobody_registers_as_an_admin() {
    let app = TestApp::new().await;
    let response = app.register("eve@example.org", TEST_PASSWORD, "ADMIN").await;
    response.expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn login_returns_tokens_that_work() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let me = app.graphql_as(&ada, "{ me { id email role status emailVerified } }", json!({})).await;
    let me = &me.data()["me"];
    assert_eq!(me["id"], ada.id.as_str());
    assert_eq!(me["email"], ada.email.as_str());
    assert_eq!((me["role"].as_str(), me["status"].as_str()), (Some("CANDIDATE"), Some("ACTIVE")));
    assert_eq!(me["emailVerified"], false);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_fail_alike_at_the_same_cost() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let before = app.services.service.passwords.verifications();
    let wrong_password = app.login(&ada.email, "not-the-right-password").await;
    let after_wrong = app.services.service.passwords.verifications();
    let unknown_email = app.login("nobody@example.org", "not-the-right-password").await;
    let after_unknown = app.services.service.passwords.verifications();

    let a = wrong_password.expect_error("UNAUTHENTICATED");
    let b = unknown_email.expect_error("UNAUTHENTICATED");
    assert_eq!(a, b);
    assert_eq!(wrong_password.errors(), unknown_email.errors());
    // Each path ran exactly one full argon2id verification: the cost that dominates sign-in.
    assert_eq!(after_wrong - before, 1);
    assert_eq!(after_unknown - after_wrong, 1);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    for _ in 0..5 {
        app.login(&ada.email, "not-the-right-password").await.expect_error("UNAUTHENTICATED");
    }
    // Even the right password is refused now, without a password check.
    let before = app.services.service.passwords.verifications();
    app.login(&ada.email, TEST_PASSWORD).await.expect_error("RATE_LIMITED");
    assert_eq!(app.services.service.passwords.verifications(), before);
}

#[tokio::test]
async fn failures_are_throttled_per_client_address() {
    let app = TestApp::with_config(|c| c.service.throttle.max_failures_per_address = 3).await;
    for i in 0..3 {
        app.login(&format!("nobody{i}@example.org"), "whatever-password")
            .await
            .expect_error("UNAUTHENTICATED");
    }
    app.login("someone-else@example.org", "whatever-password").await.expect_error("RATE_LIMITED");
}

#[tokio::test]
async fn email_verification_works_once() {
    let app = TestApp::new().await;
    let ada = app.registered("CANDIDATE").await;
    let token = app.token_from_email(&ada.email, VERIFY_SUBJECT).await;
    let verify = "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }";
    let response = app.graphql(verify, json!({ "t": token })).await;
    assert_eq!(response.data()["verifyEmail"]["emailVerified"], true);
    app.graphql(verify, json!({ "t": token })).await.expect_error("BAD_USER_INPUT");
    app.graphql(verify, json!({ "t": "forged-token" })).await.expect_error("BAD_USER_INPUT");
    let me = app.graphql_as(&ada, "{ me { emailVerified } }", json!({})).await;
    assert_eq!(me.data()["me"]["emailVerified"], true);
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

#[tokio::test]
async fn password_reset_answers_alike_and_revokes_every_session() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let request = "mutation($e: String!) { requestPasswordReset(email: $e) }";

    let unknown = app.graphql(request, json!({ "e": "nobody@example.org" })).await;
    let known = app.graphql(request, json!({ "e": ada.email.to_uppercase() })).await;
    assert_eq!(unknown.body, known.body);

    let token = app.token_from_email(&ada.email, RESET_SUBJECT).await;
    // The reset jobs have run: only the real address got an email.
    assert!(app.outbox("nobody@example.org").await.is_empty());
    assert_eq!(app.jobs_of_kind("password_reset").await.len(), 2, "both requests were worked on alike");
    let reset = "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }";
    let weak = app.graphql(reset, json!({ "i": { "token": token, "newPassword": "short" } })).await;
    weak.expect_error("BAD_USER_INPUT");
    // A refused new password does not use up the token.
    let new_password = "amber-meadow-quartz-77";
    let done = app.graphql(reset, json!({ "i": { "token": token, "newPassword": new_password } })).await;
    assert_eq!(done.data()["resetPassword"], true);
    app.graphql(reset, json!({ "i": { "token": token, "newPassword": "another-fine-passphrase" } }))
        .await
        .expect_error("BAD_USER_INPUT");

    app.graphql_as(&ada, "{ me { id } }", json!({})).await.expect_error("UNAUTHENTICATED");
    app.login(&ada.email, TEST_PASSWORD).await.expect_error("UNAUTHENTICATED");
    app.sign_in(&ada.email, new_password).await;
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

#[tokio::test]
async fn change_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let other_device = app.sign_in(&ada.email, TEST_PASSWORD).await;
    let change = "mutation($i: ChangePasswordInput!) { changePassword(input: $i) }";

    let wrong = app
        .graphql_as(
            &ada,
            change,
            json!({ "i": { "currentPassword": "not-it-at-all", "newPassword": "amber-meadow-quartz-77" } }),
        )
        .await;
    wrong.expect_error("BAD_USER_INPUT");

    let response = app
        .graphql_as(
            &ada,
            change,
            json!({ "i": { "currentPassword": TEST_PASSWORD, "newPassword": "amber-meadow-quartz-77" } }),
        )
        .await;
    assert_eq!(response.data()["changePassword"], true);
    app.graphql_as(&ada, "{ me { id } }", json!({})).await.data();
    app.graphql_as(&other_device, "{ me { id } }", json!({})).await.expect_error("UNAUTHENTICATED");
    app.sign_in(&ada.email, "amber-meadow-quartz-77").await;
}
