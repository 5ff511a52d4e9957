//! Export and erasure of one's own data.

use serde_json::json;
use viva_test_support::TestApp;

#[tokio::test]
async fn export_my_data_returns_everything_stored_about_the_user() {
    let app = TestApp::new().await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.registered("CANDIDATE").await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    app.graphql_as(
        &candidate,
        "mutation { updateProfile(input: { headline: \"Data engineer\", phone: \"+44 20 7946 0958\", skills: [\"SQL\", \"Rust\"], yearsOfExperience: 4 }) { id } }",
        json!({}),
    )
    .await
    .data();
    app.graphql_as(
        &hr,
        "mutation($c: ID!) { sendMessage(input: { recipientId: $c, body: \"Welcome aboard\" }) { id } }",
        json!({ "c": candidate.id }),
    )
    .await
    .data();
    let reply = app
        .graphql_as(
            &candidate,
            "mutation($h: ID!) { sendMessage(input: { recipientId: $h, body: \"Thanks!\" }) { id } }",
            json!({ "h": hr.id }),
        )
        .await;
    let reply_id = reply.data()["sendMessage"]["id"].as_str().unwrap().to_owned();

    let export = app.graphql_as(&candidate, "{ exportMyData }", json!({})).await;
    let data = &export.data()["exportMyData"];
    let profile = &data["profile"];
    assert_eq!(profile["id"], candidate.id.as_str());
    assert_eq!(profile["email"], candidate.email.as_str());
    assert_eq!(profile["headline"], "Data engineer");
    assert_eq!(profile["phone"], "+44 20 7946 0958");
    assert_eq!(profile["skills"], json!(["SQL", "Rust"]));
    assert_eq!(profile["yearsOfExperience"], 4);
    assert_eq!(profile["assignedHrId"], hr.id.as_str());
    assert!(!data.to_string().contains("password"), "no password hash in the export");

    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    let conversation = &data["conversations"][0];
    assert_eq!(conversation["with"], "Test Person");
    let messages = conversation["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(
        (messages[0]["body"].as_str(), messages[0]["fromMe"].as_bool()),
        (Some("Welcome aboard"), Some(false))
    );
    assert_eq!(
        (messages[1]["id"].as_str(), messages[1]["fromMe"].as_bool()),
        (Some(reply_id.as_str()), Some(true))
    );
    let kinds: Vec<&str> =
        data["notifications"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["CANDIDATE_ASSIGNED", "NEW_MESSAGE"]);
    let actions: Vec<&str> =
        data["auditLog"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"USER_REGISTERED")
            && actions.contains(&"LOGIN_SUCCEEDED")
            && actions.contains(&"CANDIDATE_ASSIGNED"),
        "{actions:?}"
    );
    assert_eq!(data["emails"][0]["subject"], viva_service::mail::VERIFY_SUBJECT);
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

#[tokio::test]
async fn delete_my_account_needs_the_password_and_erases_everything() {
    let app = TestApp::new().await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    app.graphql_as(
        &hr,
        "mutation($c: ID!) { sendMessage(input: { recipientId: $c, body: \"Hi\" }) { id } }",
        json!({ "c": candidate.id }),
    )
    .await
    .data();
    let phone = app.sign_in(&candidate.email, &candidate.password).await;

    let delete = "mutation($p: String!) { deleteMyAccount(password: $p) }";
    app.graphql_as(&candidate, delete, json!({ "p": "not-my-password" }))
        .await
        .expect_error("BAD_USER_INPUT");
    assert_eq!(
        app.graphql_as(&candidate, delete, json!({ "p": candidate.password })).await.data()["deleteMyAccount"],
        true
    );

    for session in [&candidate, &phone] {
        app.graphql_as(session, "{ me { id } }", json!({})).await.expect_error("UNAUTHENTICATED");
    }
    app.login(&candidate.email, &candidate.password).await.expect_error("UNAUTHENTICATED");
    assert_eq!(
        app.graphql_as(&hr, "{ conversations { count } }", json!({})).await.data()["conversations"]["count"],
        0
    );
    let hr_notes = app.graphql_as(&hr, "{ notifications { edges { node { body } } } }", json!({})).await;
    assert!(
        !hr_notes.body.to_string().contains("Test Person is now assigned"),
        "notifications naming the person are erased"
    );
    let audit = app.graphql_as(&admin, "{ auditLog(first: 100) { edges { node { action details ipAddress target { id } actor { id } } } } }", json!({})).await;
    let text = audit.body.to_string();
    assert!(!text.contains(&candidate.id) && !text.contains(&candidate.email));
    assert!(text.contains("ACCOUNT_DELETED_BY_OWNER"));
}

#[tokio::test]
async fn the_last_admin_cannot_delete_themselves() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    app.graphql_as(
        &admin,
        "mutation($p: String!) { deleteMyAccount(password: $p) }",
        json!({ "p": admin.password }),
    )
    .await
    .expect_error("CONFLICT");
}
