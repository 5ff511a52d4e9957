//! HR mapping, candidate assignment and their races.

use serde_json::json;
use viva_test_support::TestApp;

const APPLY: &str = "mutation($a: ID!) { applyToAdmin(adminId: $a, message: \"Hello\") { id status kind admin { id fullName } hr { id } } }";
const RESPOND: &str =
    "mutation($id: ID!, $ok: Boolean!) { respondToApplication(applicationId: $id, accept: $ok) { status } }";
const ME_MAPPING: &str = "{ me { mappedAdmin { id } } }";

#[tokio::test]
async fn an_application_accepted_maps_the_hr_user_and_notifies_them() {
    let app = TestApp::new().await;
    let (admin, hr) = (app.admin().await, app.hr().await);
    let applied = app.graphql_as(&hr, APPLY, json!({ "a": admin.id })).await;
    let application = &applied.data()["applyToAdmin"];
    assert_eq!(application["status"], "PENDING");
    assert_eq!(application["kind"], "APPLICATION");
    assert_eq!(application["admin"]["id"], admin.id.as_str());

    // The admin sees it, and was notified.
    let listed = app
        .graphql_as(
            &admin,
            "{ hrApplications(filter: { status: PENDING }) { edges { node { id hr { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed.data()["hrApplications"]["edges"][0]["node"]["hr"]["id"], hr.id.as_str());
    let admin_notes =
        app.graphql_as(&admin, "{ notifications { edges { node { kind } } } }", json!({})).await;
    assert_eq!(admin_notes.data()["notifications"]["edges"][0]["node"]["kind"], "HR_APPLICATION");

    let id = application["id"].as_str().unwrap();
    let accepted = app.graphql_as(&admin, RESPOND, json!({ "id": id, "ok": true })).await;
    assert_eq!(accepted.data()["respondToApplication"]["status"], "ACCEPTED");
    let me = app.graphql_as(&hr, ME_MAPPING, json!({})).await;
    assert_eq!(me.data()["me"]["mappedAdmin"]["id"], admin.id.as_str());
    let notes = app.graphql_as(&hr, "{ notifications { edges { node { kind title } } } }", json!({})).await;
    assert_eq!(notes.data()["notifications"]["edges"][0]["node"]["kind"], "MAPPING_DECIDED");

    // Deciding again is a conflict; applying again while mapped too.
    app.graphql_as(&admin, RESPOND, json!({ "id": id, "ok": false })).await.expect_error("CONFLICT");
    app.graphql_as(&hr, APPLY, json!({ "a": admin.id })).await.expect_error("CONFLICT");
}

#[tokio::test]
async fn two_admins_accepting_one_application_at_once_one_wins() {
    let app = TestApp::new().await;
    let (first, second, hr) = (app.admin().await, app.admin().await, app.hr().await);
    for _ in 0..5 {
        let hr = app.hr().await;
        let applied = app.graphql_as(&hr, APPLY, json!({ "a": first.id })).await;
        let id = applied.data()["applyToAdmin"]["id"].as_str().unwrap().to_owned();
        let (a, b) = tokio::join!(
            app.graphql_as(&first, RESPOND, json!({ "id": id, "ok": true })),
            app.graphql_as(&second, RESPOND, json!({ "id": id, "ok": true })),
        );
        let mut codes = [a.error_code(), b.error_code()];
        codes.sort();
        assert_eq!(codes, [None, Some("CONFLICT".to_owned())], "{} / {}", a.body, b.body);
    }
    // Applications to two admins accepted at once: the HR user ends mapped to exactly one.
    let to_first = app.graphql_as(&hr, APPLY, json!({ "a": first.id })).await.data()["applyToAdmin"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let to_second = app.graphql_as(&hr, APPLY, json!({ "a": second.id })).await.data()["applyToAdmin"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (a, b) = tokio::join!(
        app.graphql_as(&first, RESPOND, json!({ "id": to_first, "ok": true })),
        app.graphql_as(&second, RESPOND, json!({ "id": to_second, "ok": true })),
    );
    assert_eq!(
        [a.error_code(), b.error_code()].iter().filter(|c| c.is_none()).count(),
        1,
        "{} / {}",
        a.body,
        b.body
    );
    let mapped = app.graphql_as(&hr, ME_MAPPING, json!({})).await;
    assert!(mapped.data()["me"]["mappedAdmin"]["id"].is_string());
}

#[tokio::test]
async fn invitations_cancellations_and_unmapping() {
    let app = TestApp::new().await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.candidate().await);

    // An application withdrawn cannot be accepted.
    let applied = app.graphql_as(&hr, APPLY, json!({ "a": admin.id })).await;
    let application = applied.data()["applyToAdmin"]["id"].as_str().unwrap().to_owned();
    let cancelled = app
        .graphql_as(
            &hr,
            "mutation($id: ID!) { cancelApplication(applicationId: $id) { status } }",
            json!({ "id": application }),
        )
        .await;
    assert_eq!(cancelled.data()["cancelApplication"]["status"], "CANCELLED");
    app.graphql_as(&admin, RESPOND, json!({ "id": application, "ok": true })).await.expect_error("CONFLICT");

    // The admin invites; the HR user accepts.
    let invited = app
        .graphql_as(
            &admin,
            "mutation($e: String!) { inviteHr(email: $e) { id kind } }",
            json!({ "e": hr.email.to_uppercase() }),
        )
        .await;
    let invitation = invited.data()["inviteHr"]["id"].as_str().unwrap().to_owned();
    app.graphql_as(&admin, "mutation($e: String!) { inviteHr(email: $e) { id } }", json!({ "e": hr.email }))
        .await
        .expect_error("CONFLICT");
    app.graphql_as(
        &admin,
        "mutation($e: String!) { inviteHr(email: $e) { id } }",
        json!({ "e": candidate.email }),
    )
    .await
    .expect_error("NOT_FOUND");
    let accepted = app
        .graphql_as(
            &hr,
            "mutation($id: ID!) { respondToInvitation(invitationId: $id, accept: true) { status } }",
            json!({ "id": invitation }),
        )
        .await;
    assert_eq!(accepted.data()["respondToInvitation"]["status"], "ACCEPTED");

    // Mapped: a candidate can be assigned; unmapping unassigns them.
    app.assign(&admin, &candidate, &hr).await;
    let me = app.graphql_as(&candidate, "{ me { assignedHr { id fullName } } }", json!({})).await;
    assert_eq!(me.data()["me"]["assignedHr"]["id"], hr.id.as_str());
    let unmapped = app
        .graphql_as(
            &admin,
            "mutation($h: ID!) { unmapHr(hrId: $h) { mappedAdmin { id } } }",
            json!({ "h": hr.id }),
        )
        .await;
    assert!(unmapped.data()["unmapHr"]["mappedAdmin"].is_null());
    let me = app.graphql_as(&candidate, "{ me { assignedHr { id } } }", json!({})).await;
    assert!(me.data()["me"]["assignedHr"].is_null());
    app.graphql_as(&admin, "mutation($h: ID!) { unmapHr(hrId: $h) { id } }", json!({ "h": hr.id }))
        .await
        .expect_error("CONFLICT");
}

#[tokio::test]
async fn candidates_are_assigned_only_to_mapped_hr_users() {
    let app = TestApp::new().await;
    let (admin, unmapped, mapped, candidate) =
        (app.admin().await, app.hr().await, app.hr().await, app.candidate().await);
    app.map_hr(&admin, &mapped).await;
    let assign =
        "mutation($c: ID!, $h: ID!) { assignCandidate(candidateId: $c, hrId: $h) { assignedHr { id } } }";
    app.graphql_as(&admin, assign, json!({ "c": candidate.id, "h": unmapped.id }))
        .await
        .expect_error("CONFLICT");
    app.graphql_as(&admin, assign, json!({ "c": candidate.id, "h": candidate.id }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.graphql_as(&admin, assign, json!({ "c": mapped.id, "h": mapped.id }))
        .await
        .expect_error("BAD_USER_INPUT");
    let done = app.graphql_as(&admin, assign, json!({ "c": candidate.id, "h": mapped.id })).await;
    assert_eq!(done.data()["assignCandidate"]["assignedHr"]["id"], mapped.id.as_str());

    let listed = app
        .graphql_as(&mapped, "{ assignedCandidates { count edges { node { id email } } } }", json!({}))
        .await;
    assert_eq!(listed.data()["assignedCandidates"]["count"], 1);
    assert_eq!(listed.data()["assignedCandidates"]["edges"][0]["node"]["id"], candidate.id.as_str());
    app.graphql_as(&unmapped, "{ assignedCandidates { count } }", json!({})).await.expect_error("FORBIDDEN");

    let unassigned = app
        .graphql_as(
            &admin,
            "mutation($c: ID!) { unassignCandidate(candidateId: $c) { assignedHr { id } } }",
            json!({ "c": candidate.id }),
        )
        .await;
    assert!(unassigned.data()["unassignCandidate"]["assignedHr"].is_null());
}

#[tokio::test]
async fn an_assignment_racing_an_unmapping_never_leaves_a_candidate_with_an_unmapped_hr_user() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for _ in 0..5 {
        let (hr, candidate) = (app.hr().await, app.candidate().await);
        app.map_hr(&admin, &hr).await;
        let (_, _) = tokio::join!(
            app.graphql_as(
                &admin,
                "mutation($c: ID!, $h: ID!) { assignCandidate(candidateId: $c, hrId: $h) { id } }",
                json!({ "c": candidate.id, "h": hr.id })
            ),
            app.graphql_as(&admin, "mutation($h: ID!) { unmapHr(hrId: $h) { id } }", json!({ "h": hr.id })),
        );
        let me = app.graphql_as(&candidate, "{ me { assignedHr { id } } }", json!({})).await;
        let hr_state = app.graphql_as(&hr, ME_MAPPING, json!({})).await;
        let assigned = !me.data()["me"]["assignedHr"].is_null();
        let mapped = !hr_state.data()["me"]["mappedAdmin"].is_null();
        assert!(!assigned || mapped, "candidate assigned to an unmapped HR user");
    }
}
