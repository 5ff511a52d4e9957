//! The authorization matrix of the organisation features: every query and mutation, run as
//! anonymous, a candidate, an unmapped HR user, a mapped HR user, another mapped HR user and an
//! admin. Allowed calls must succeed (or fail only on the state they find, with the code
//! given); the others must fail with `UNAUTHENTICATED` or `FORBIDDEN` (or `NOT_FOUND` where
//! the object's existence is itself private).

use serde_json::{Value, json};
use viva_test_support::{TestApp, TestUser};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Candidate,
    UnmappedHr,
    MappedHr,
    OtherHr,
    Admin,
}

const EVERYONE: [Who; 6] =
    [Who::Anonymous, Who::Candidate, Who::UnmappedHr, Who::MappedHr, Who::OtherHr, Who::Admin];

struct World {
    app: TestApp,
    admin: TestUser,
    second_admin: TestUser,
    third_admin: TestUser,
    candidate: TestUser,
    unmapped_hr: TestUser,
    mapped_hr: TestUser,
    other_hr: TestUser,
    conversation: String,
    message: String,
    invitation: String,
    own_application: String,
    pending_application: String,
    spare_candidate: TestUser,
    spare_assigned: TestUser,
    spare_mapped_hr: TestUser,
    spare_invitee: TestUser,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::new().await;
        let (admin, second_admin, third_admin) = (app.admin().await, app.admin().await, app.admin().await);
        let (candidate, unmapped_hr, mapped_hr, other_hr) =
            (app.candidate().await, app.hr().await, app.hr().await, app.hr().await);
        app.map_hr(&admin, &mapped_hr).await;
        app.map_hr(&admin, &other_hr).await;
        app.assign(&admin, &candidate, &mapped_hr).await;
        let sent = app.graphql_as(&mapped_hr, "mutation($c: ID!) { sendMessage(input: { recipientId: $c, body: \"Hello\" }) { id conversationId } }", json!({ "c": candidate.id })).await;
        let conversation = sent.data()["sendMessage"]["conversationId"].as_str().unwrap().to_owned();
        let message = sent.data()["sendMessage"]["id"].as_str().unwrap().to_owned();
        let invited = app
            .graphql_as(
                &admin,
                "mutation($e: String!) { inviteHr(email: $e) { id } }",
                json!({ "e": unmapped_hr.email }),
            )
            .await;
        let invitation = invited.data()["inviteHr"]["id"].as_str().unwrap().to_owned();
        let own = app
            .graphql_as(
                &unmapped_hr,
                "mutation($a: ID!) { applyToAdmin(adminId: $a) { id } }",
                json!({ "a": third_admin.id }),
            )
            .await;
        let own_application = own.data()["applyToAdmin"]["id"].as_str().unwrap().to_owned();
        let applicant = app.hr().await;
        let pending = app
            .graphql_as(
                &applicant,
                "mutation($a: ID!) { applyToAdmin(adminId: $a) { id } }",
                json!({ "a": admin.id }),
            )
            .await;
        let pending_application = pending.data()["applyToAdmin"]["id"].as_str().unwrap().to_owned();
        let (spare_candidate, spare_assigned, spare_mapped_hr, spare_invitee) =
            (app.candidate().await, app.candidate().await, app.hr().await, app.hr().await);
        app.map_hr(&admin, &spare_mapped_hr).await;
        app.assign(&admin, &spare_assigned, &mapped_hr).await;
        Self {
            app,
            admin,
            second_admin,
            third_admin,
            candidate,
            unmapped_hr,
            mapped_hr,
            other_hr,
            conversation,
            message,
            invitation,
            own_application,
            pending_application,
            spare_candidate,
            spare_assigned,
            spare_mapped_hr,
            spare_invitee,
        }
    }

    fn user(&self, who: Who) -> Option<&TestUser> {
        match who {
            Who::Anonymous => None,
            Who::Candidate => Some(&self.candidate),
            Who::UnmappedHr => Some(&self.unmapped_hr),
            Who::MappedHr => Some(&self.mapped_hr),
            Who::OtherHr => Some(&self.other_hr),
            Who::Admin => Some(&self.admin),
        }
    }

    async fn run(&self, who: Who, query: &str, variables: Value) -> (Option<String>, Value) {
        let token = self.user(who).map(|u| u.access_token.as_str());
        let response = self.app.graphql_with(token, query, variables).await;
        (response.error_code(), response.body)
    }
}

fn only(allowed: &'static [Who]) -> impl Fn(Who) -> Option<&'static str> {
    move |who| match who {
        Who::Anonymous => Some("UNAUTHENTICATED"),
        w if allowed.contains(&w) => None,
        _ => Some("FORBIDDEN"),
    }
}

async fn check(
    world: &World,
    name: &str,
    query: &str,
    variables: impl Fn(Who) -> Value,
    expect: impl Fn(Who) -> Option<&'static str>,
) {
    for who in EVERYONE {
        let (code, body) = world.run(who, query, variables(who)).await;
        assert_eq!(code.as_deref(), expect(who), "{name} as {who:?}: {body}");
    }
}

#[tokio::test]
async fn every_organisation_operation_checks_role_and_ownership() {
    let w = World::new().await;
    let none = |_: Who| json!({});
    let signed_in = |who: Who| if who == Who::Anonymous { Some("UNAUTHENTICATED") } else { None };
    let admin_only = only(&[Who::Admin]);
    let hr_and_admin = only(&[Who::UnmappedHr, Who::MappedHr, Who::OtherHr, Who::Admin]);
    let messaging = only(&[Who::Candidate, Who::UnmappedHr, Who::MappedHr, Who::OtherHr]);

    // Queries.
    check(&w, "users", "{ users { count } }", none, &admin_only).await;
    check(&w, "systemStats", "{ systemStats { totalUsers } }", none, &admin_only).await;
    check(&w, "auditLog", "{ auditLog { count } }", none, &admin_only).await;
    check(&w, "hrApplications", "{ hrApplications { edges { node { hr { id } } } } }", none, &hr_and_admin)
        .await;
    check(&w, "admins", "{ admins { count } }", none, &hr_and_admin).await;
    check(
        &w,
        "user",
        "query($id: ID!) { user(id: $id) { email } }",
        |_| json!({ "id": w.candidate.id }),
        |who| match who {
            Who::Anonymous => Some("UNAUTHENTICATED"),
            Who::Candidate | Who::MappedHr | Who::Admin => None,
            _ => Some("NOT_FOUND"),
        },
    )
    .await;
    check(
        &w,
        "assignedCandidates",
        "query($h: ID) { assignedCandidates(hrId: $h) { edges { node { id } } } }",
        |who| if who == Who::Admin { json!({ "h": w.mapped_hr.id }) } else { json!({}) },
        |who| match who {
            Who::Anonymous => Some("UNAUTHENTICATED"),
            Who::MappedHr | Who::OtherHr | Who::Admin => None,
            _ => Some("FORBIDDEN"),
        },
    )
    .await;
    check(&w, "conversations", "{ conversations { count } }", none, &messaging).await;
    check(&w, "unreadCount", "{ unreadCount }", none, &messaging).await;
    check(
        &w,
        "messages",
        "query($c: ID!) { messages(conversationId: $c) { count } }",
        |_| json!({ "c": w.conversation }),
        |who| match who {
            Who::Anonymous => Some("UNAUTHENTICATED"),
            Who::Admin => Some("FORBIDDEN"),
            Who::Candidate | Who::MappedHr => None,
            _ => Some("NOT_FOUND"),
        },
    )
    .await;
    check(&w, "notifications", "{ notifications { count } }", none, signed_in).await;
    check(&w, "unreadNotificationCount", "{ unreadNotificationCount }", none, signed_in).await;
    check(&w, "exportMyData", "{ exportMyData }", none, signed_in).await;

    // Mutations; the admin runs last, so the refusals before change nothing.
    check(&w, "markNotificationsRead", "mutation { markNotificationsRead }", none, signed_in).await;
    check(
        &w,
        "deleteMyAccount (wrong password)",
        "mutation { deleteMyAccount(password: \"not-the-password\") }",
        none,
        |who| {
            if who == Who::Anonymous { Some("UNAUTHENTICATED") } else { Some("BAD_USER_INPUT") }
        },
    )
    .await;
    check(
        &w,
        "sendMessage",
        "mutation($r: ID!) { sendMessage(input: { recipientId: $r, body: \"Hi\" }) { id } }",
        |who| {
            if who == Who::Candidate {
                json!({ "r": w.mapped_hr.id })
            } else {
                json!({ "r": w.candidate.id })
            }
        },
        |who| match who {
            Who::Anonymous => Some("UNAUTHENTICATED"),
            Who::Candidate | Who::MappedHr => None,
            _ => Some("FORBIDDEN"),
        },
    )
    .await;
    check(
        &w,
        "markMessageRead",
        "mutation($m: ID!) { markMessageRead(messageId: $m) { id } }",
        |_| json!({ "m": w.message }),
        |who| match who {
            Who::Anonymous => Some("UNAUTHENTICATED"),
            Who::Admin => Some("FORBIDDEN"),
            Who::Candidate => None,
            Who::MappedHr => Some("BAD_USER_INPUT"),
            _ => Some("NOT_FOUND"),
        },
    )
    .await;
    check(
        &w,
        "applyToAdmin",
        "mutation($a: ID!) { applyToAdmin(adminId: $a) { id } }",
        |_| json!({ "a": w.second_admin.id }),
        |who| match who {
            Who::Anonymous => Some("UNAUTHENTICATED"),
            Who::Candidate | Who::Admin => Some("FORBIDDEN"),
            Who::UnmappedHr => None,
            _ => Some("CONFLICT"),
        },
    )
    .await;
    check(
        &w,
        "cancelApplication",
        "mutation($id: ID!) { cancelApplication(applicationId: $id) { id } }",
        |_| json!({ "id": w.own_application }),
        |who| match who {
            Who::Anonymous => Some("UNAUTHENTICATED"),
            Who::Candidate | Who::Admin => Some("FORBIDDEN"),
            Who::UnmappedHr => None,
            _ => Some("NOT_FOUND"),
        },
    )
    .await;
    check(
        &w,
        "respondToInvitation",
        "mutation($id: ID!) { respondToInvitation(invitationId: $id, accept: false) { id } }",
        |_| json!({ "id": w.invitation }),
        |who| match who {
            Who::Anonymous => Some("UNAUTHENTICATED"),
            Who::Candidate | Who::Admin => Some("FORBIDDEN"),
            Who::UnmappedHr => None,
            _ => Some("NOT_FOUND"),
        },
    )
    .await;
    check(
        &w,
        "inviteHr",
        "mutation($e: String!) { inviteHr(email: $e) { id } }",
        |_| json!({ "e": w.spare_invitee.email }),
        &admin_only,
    )
    .await;
    check(
        &w,
        "respondToApplication",
        "mutation($id: ID!) { respondToApplication(applicationId: $id, accept: true) { id } }",
        |_| json!({ "id": w.pending_application }),
        &admin_only,
    )
    .await;
    check(
        &w,
        "assignCandidate",
        "mutation($c: ID!, $h: ID!) { assignCandidate(candidateId: $c, hrId: $h) { id } }",
        |_| json!({ "c": w.spare_candidate.id, "h": w.mapped_hr.id }),
        &admin_only,
    )
    .await;
    check(
        &w,
        "unassignCandidate",
        "mutation($c: ID!) { unassignCandidate(candidateId: $c) { id } }",
        |_| json!({ "c": w.spare_assigned.id }),
        &admin_only,
    )
    .await;
    check(
        &w,
        "unmapHr",
        "mutation($h: ID!) { unmapHr(hrId: $h) { id } }",
        |_| json!({ "h": w.spare_mapped_hr.id }),
        &admin_only,
    )
    .await;
    check(
        &w,
        "setUserActive",
        "mutation($u: ID!) { setUserActive(userId: $u, active: false) { id } }",
        |_| json!({ "u": w.spare_candidate.id }),
        &admin_only,
    )
    .await;
    check(
        &w,
        "deleteUser",
        "mutation($u: ID!) { deleteUser(userId: $u) }",
        |_| json!({ "u": w.spare_candidate.id }),
        &admin_only,
    )
    .await;
    let _ = &w.third_admin;
}

#[tokio::test]
async fn nested_fields_show_other_people_only_as_summaries() {
    let w = World::new().await;
    // A participant's contact details are not in the schema of what a candidate sees of them.
    let (code, _) = w
        .run(Who::Candidate, "{ conversations { edges { node { participant { email } } } } }", json!({}))
        .await;
    assert_eq!(code.as_deref(), Some("BAD_USER_INPUT"));
    // HR users see only their own requests, and only their own candidates.
    let (code, body) = w
        .run(Who::UnmappedHr, "{ hrApplications(first: 100) { edges { node { hr { id } } } } }", json!({}))
        .await;
    assert!(code.is_none());
    for edge in body["data"]["hrApplications"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["hr"]["id"], w.unmapped_hr.id.as_str());
    }
    let (_, body) = w.run(Who::OtherHr, "{ assignedCandidates { count } }", json!({})).await;
    assert_eq!(body["data"]["assignedCandidates"]["count"], 0);
    let (_, body) = w
        .run(Who::MappedHr, "{ assignedCandidates { edges { node { id assignedHr { id } } } } }", json!({}))
        .await;
    let ids: Vec<&str> = body["data"]["assignedCandidates"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&w.candidate.id.as_str()));
    // Nobody reads another person's notifications or unread counts: they are per caller.
    let (_, body) =
        w.run(Who::OtherHr, "{ notifications(first: 100) { edges { node { data } } } }", json!({})).await;
    assert!(!body.to_string().contains(&w.conversation));
}
