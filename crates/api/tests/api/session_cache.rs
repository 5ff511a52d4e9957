//! The cache of resolved sessions: a signed-in request reads its session from the database once,
//! and every change to what the user may do reaches the cache.

use serde_json::json;
use viva_domain::UserId;
use viva_store::models::session::{self, RevocationReason};
use viva_test_support::TestApp;

const ME: &str = "{ me { id } }";

/// Statements the second of two identical requests saves over the first.
async fn statements_saved_by_the_cache(app: &TestApp) -> i64 {
    let ada = app.candidate().await;
    let mut statements = Vec::new();
    for _ in 0..2 {
        let before = app.queries.get();
        app.graphql_as(&ada, ME, json!({})).await.data();
        statements.push(i64::try_from(app.queries.get() - before).unwrap());
    }
    statements[0] - statements[1]
}

#[tokio::test]
async fn a_session_is_read_from_the_database_once() {
    let app = TestApp::new().await;
    assert_eq!(statements_saved_by_the_cache(&app).await, 1);
}

#[tokio::test]
async fn without_the_cache_every_request_reads_its_session() {
    let app = TestApp::with_config(|config| config.service.session_cache.enabled = false).await;
    assert_eq!(statements_saved_by_the_cache(&app).await, 0);
}

#[tokio::test]
async fn a_session_revoked_elsewhere_is_refused_once_its_event_arrives() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    app.graphql_as(&ada, ME, json!({})).await.data();
    // Revoked straight in the database, as another replica would.
    let principal =
        viva_service::auth::resolve(&app.services.service, &ada.access_token).await.unwrap().unwrap();
    let mut conn = app.conn().await;
    assert!(session::revoke(&mut conn, principal.session_id, RevocationReason::Logout).await.unwrap());
    app.events_delivered().await;
    app.graphql_as(&ada, ME, json!({})).await.expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn logout_refuses_a_cached_token_before_it_returns() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let phone = app.sign_in(&ada.email, &ada.password).await;
    app.graphql_as(&phone, ME, json!({})).await.data();
    app.graphql_as(&ada, "mutation { logout }", json!({})).await.data();
    app.graphql_as(&ada, ME, json!({})).await.expect_error("UNAUTHENTICATED");
    // The other session is untouched.
    app.graphql_as(&phone, ME, json!({})).await.data();
    assert!(!app.services.service.sessions.is_empty());
}

#[tokio::test]
async fn mapping_and_unmapping_reach_a_cached_principal() {
    let app = TestApp::new().await;
    let (admin, hr) = (app.admin().await, app.hr().await);
    let service = &app.services.service;
    let principal = async || viva_service::auth::resolve(service, &hr.access_token).await.unwrap().unwrap();
    assert_eq!(principal().await.mapped_admin_id, None);
    app.map_hr(&admin, &hr).await;
    let admin_id = UserId(admin.id.parse().unwrap());
    assert_eq!(principal().await.mapped_admin_id, Some(admin_id));
    app.graphql_as(&admin, "mutation($h: ID!) { unmapHr(hrId: $h) { id } }", json!({ "h": hr.id }))
        .await
        .data();
    assert_eq!(principal().await.mapped_admin_id, None);
}

#[tokio::test]
async fn an_admin_deleting_their_account_unmaps_their_hr_users_in_the_cache() {
    let app = TestApp::new().await;
    let (_other_admin, admin, hr) = (app.admin().await, app.admin().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    let service = &app.services.service;
    let principal = async || viva_service::auth::resolve(service, &hr.access_token).await.unwrap().unwrap();
    assert!(principal().await.mapped_admin_id.is_some());
    app.graphql_as(
        &admin,
        "mutation($p: String!) { deleteMyAccount(password: $p) }",
        json!({ "p": admin.password }),
    )
    .await
    .data();
    assert_eq!(principal().await.mapped_admin_id, None);
}
