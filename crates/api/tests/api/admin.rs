//! The admin console: the user list, activation, deletion, statistics and the audit log.

use serde_json::{Value, json};
use viva_test_support::{TEST_PASSWORD, TestApp};

#[tokio::test]
async fn the_user_list_filters_sorts_and_pages_stably() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for name in ["Zed Zulu", "Amy Alpha", "Mo Mike"] {
        let email = app.unique_email("listed");
        let created = app
            .graphql(
                "mutation($i: RegisterInput!) { register(input: $i) { id } }",
                json!({ "i": { "email": email, "password": TEST_PASSWORD, "fullName": name, "role": "CANDIDATE" } }),
            )
            .await;
        created.data();
    }
    let hr = app.hr().await;

    let by_name = app
        .graphql_as(
            &admin,
            "{ users(filter: { role: CANDIDATE }, order: NAME) { count edges { node { fullName } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = by_name.data()["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["fullName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Amy Alpha", "Mo Mike", "Zed Zulu"]);

    let search = app
        .graphql_as(
            &admin,
            "{ users(filter: { text: \"MIKE\" }) { edges { node { fullName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(search.data()["users"]["edges"].as_array().unwrap().len(), 1);
    let literal = app.graphql_as(&admin, "{ users(filter: { text: \"%\" }) { count } }", json!({})).await;
    assert_eq!(literal.data()["users"]["count"], 0, "wildcards match literally");

    // Page through everyone two at a time while new accounts keep arriving: no row twice, none lost.
    let query = "query($a: String) { users(first: 2, after: $a, order: OLDEST_FIRST) { edges { node { id } } pageInfo { hasNextPage endCursor } } }";
    let mut seen: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app.graphql_as(&admin, query, json!({ "a": after })).await;
        let users = &page.data()["users"];
        seen.extend(
            users["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
        );
        app.candidate().await;
        if users["pageInfo"]["hasNextPage"] == false || seen.len() > 40 {
            break;
        }
        after = users["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no duplicates across pages");
    assert!(seen.contains(&hr.id) && seen.contains(&admin.id));

    app.graphql_as(&admin, "{ users(first: 500) { count } }", json!({})).await.expect_error("BAD_USER_INPUT");
    app.graphql_as(&admin, "{ users(after: \"bogus\") { count } }", json!({}))
        .await
        .expect_error("BAD_USER_INPUT");
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

#[tokio::test]
async fn admins_deactivate_and_delete_others_but_not_admins() {
    let app = TestApp::new().await;
    let (admin, other_admin, candidate) = (app.admin().await, app.admin().await, app.candidate().await);
    let deactivate = "mutation($u: ID!, $a: Boolean!) { setUserActive(userId: $u, active: $a) { status } }";

    app.graphql_as(&admin, deactivate, json!({ "u": other_admin.id, "a": false }))
        .await
        .expect_error("FORBIDDEN");
    app.graphql_as(&admin, "mutation($u: ID!) { deleteUser(userId: $u) }", json!({ "u": other_admin.id }))
        .await
        .expect_error("FORBIDDEN");

    let off = app.graphql_as(&admin, deactivate, json!({ "u": candidate.id, "a": false })).await;
    assert_eq!(off.data()["setUserActive"]["status"], "DEACTIVATED");
    app.graphql_as(&candidate, "{ me { id } }", json!({})).await.expect_error("UNAUTHENTICATED");
    let on = app.graphql_as(&admin, deactivate, json!({ "u": candidate.id, "a": true })).await;
    assert_eq!(on.data()["setUserActive"]["status"], "ACTIVE");
    // Reactivation does not revive the sessions deactivation ended.
    app.graphql_as(&candidate, "{ me { id } }", json!({})).await.expect_error("UNAUTHENTICATED");
    app.sign_in(&candidate.email, &candidate.password).await;
}

#[tokio::test]
async fn system_stats_count_the_platform() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (hr, _candidate) = (app.registered("HR").await, app.candidate().await);
    app.graphql_as(&hr, "mutation($a: ID!) { applyToAdmin(adminId: $a) { id } }", json!({ "a": admin.id }))
        .await
        .data();
    let stats = app
        .graphql_as(&admin, "{ systemStats { totalUsers liveSessions pendingHrApplications pendingHrInvitations emailsPending jobsWaiting jobsDead eventBusConnected usersByRole { role active deactivated } } }", json!({}))
        .await;
    let stats = &stats.data()["systemStats"];
    assert_eq!(stats["totalUsers"], 3);
    assert_eq!(stats["liveSessions"], 3);
    assert_eq!(stats["pendingHrApplications"], 1);
    assert_eq!(stats["emailsPending"], 1, "the HR user's verification email waits to be sent");
    assert_eq!(stats["eventBusConnected"], true);
    assert_eq!(
        (stats["jobsWaiting"].as_i64(), stats["jobsDead"].as_i64()),
        (Some(1), Some(0)),
        "the email's delivery job waits"
    );
    let roles: Vec<(String, i64)> = stats["usersByRole"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["role"].as_str().unwrap().to_owned(), r["active"].as_i64().unwrap()))
        .collect();
    assert_eq!(roles, [("ADMIN".into(), 1), ("HR".into(), 1), ("CANDIDATE".into(), 1)]);
    // Every job the test caused runs (the end-of-test check holds the app to it).
    app.run_jobs().await;
}

#[tokio::test]
async fn every_admin_action_is_in_the_audit_log_and_filterable() {
    let app = TestApp::new().await;
    let (admin, hr, candidate, victim) =
        (app.admin().await, app.hr().await, app.candidate().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    app.graphql_as(
        &admin,
        "mutation($c: ID!) { unassignCandidate(candidateId: $c) { id } }",
        json!({ "c": candidate.id }),
    )
    .await
    .data();
    app.graphql_as(
        &admin,
        "mutation($u: ID!) { setUserActive(userId: $u, active: false) { id } }",
        json!({ "u": candidate.id }),
    )
    .await
    .data();
    app.graphql_as(
        &admin,
        "mutation($u: ID!) { setUserActive(userId: $u, active: true) { id } }",
        json!({ "u": candidate.id }),
    )
    .await
    .data();
    app.graphql_as(&admin, "mutation($h: ID!) { unmapHr(hrId: $h) { id } }", json!({ "h": hr.id }))
        .await
        .data();
    let other_hr = app.hr().await;
    app.graphql_as(
        &admin,
        "mutation($e: String!) { inviteHr(email: $e) { id } }",
        json!({ "e": other_hr.email }),
    )
    .await
    .data();
    app.graphql_as(&admin, "mutation($u: ID!) { deleteUser(userId: $u) }", json!({ "u": victim.id }))
        .await
        .data();

    let by_admin = app
        .graphql_as(&admin, "query($a: ID) { auditLog(filter: { actorId: $a }, first: 100) { edges { node { action actor { id } target { id } } } } }", json!({ "a": admin.id }))
        .await;
    let actions: Vec<String> = by_admin.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "HR_APPLICATION_ACCEPTED",
        "CANDIDATE_ASSIGNED",
        "CANDIDATE_UNASSIGNED",
        "USER_DEACTIVATED",
        "USER_ACTIVATED",
        "HR_UNMAPPED",
        "HR_INVITED",
        "USER_DELETED",
        "LOGIN_SUCCEEDED",
    ] {
        assert!(actions.iter().any(|a| a == expected), "{expected} missing from {actions:?}");
    }

    let filtered = app
        .graphql_as(&admin, "query($t: ID) { auditLog(filter: { actions: [\"USER_DEACTIVATED\", \"USER_ACTIVATED\"], targetUserId: $t }) { edges { node { action target { id } } } } }", json!({ "t": candidate.id }))
        .await;
    let edges = filtered.data()["auditLog"]["edges"].as_array().unwrap().clone();
    assert_eq!(edges.len(), 2);
    assert!(edges.iter().all(|e| e["node"]["target"]["id"] == candidate.id.as_str()));
    let future = app
        .graphql_as(&admin, "{ auditLog(filter: { since: \"2999-01-01T00:00:00Z\" }) { count } }", json!({}))
        .await;
    assert_eq!(future.data()["auditLog"]["count"], 0);
}

#[tokio::test]
async fn deleting_a_user_erases_their_data_and_keeps_the_audit_without_personal_data() {
    let app = TestApp::new().await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    app.graphql_as(
        &hr,
        "mutation($c: ID!) { sendMessage(input: { recipientId: $c, body: \"Hello\" }) { id } }",
        json!({ "c": candidate.id }),
    )
    .await
    .data();

    app.graphql_as(&admin, "mutation($u: ID!) { deleteUser(userId: $u) }", json!({ "u": candidate.id }))
        .await
        .data();
    app.graphql_as(&candidate, "{ me { id } }", json!({})).await.expect_error("UNAUTHENTICATED");
    app.login(&candidate.email, &candidate.password).await.expect_error("UNAUTHENTICATED");
    let conversations = app.graphql_as(&hr, "{ conversations { count } }", json!({})).await;
    assert_eq!(conversations.data()["conversations"]["count"], 0);
    assert!(app.outbox(&candidate.email).await.is_empty());

    let audit = app
        .graphql_as(
            &admin,
            "{ auditLog(first: 100) { edges { node { action target { id } details ipAddress } } } }",
            json!({}),
        )
        .await;
    let text = audit.body.to_string();
    assert!(
        !text.contains(&candidate.email) && !text.contains(&candidate.id),
        "personal data left in the audit log"
    );
    let deleted: Vec<&Value> = audit.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["action"] == "USER_DELETED")
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["node"]["details"], json!({ "role": "CANDIDATE" }));
}
