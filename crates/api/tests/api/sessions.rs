//! Refresh rotation, reuse detection, sign-out and deactivation.

use axum::body::Body;
use http::Request;
use serde_json::json;
use viva_domain::{UserId, UserStatus};
use viva_store::models::user::User;
use viva_test_support::TestApp;

const REFRESH: &str = "mutation($t: String) { refreshSession(input: { refreshToken: $t }) { accessToken refreshToken user { id } } }";
const ME: &str = "{ me { id } }";

#[tokio::test]
async fn refresh_rotates_the_token() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let first = app.graphql(REFRESH, json!({ "t": ada.refresh_token })).await;
    let first = &first.data()["refreshSession"];
    assert_eq!(first["user"]["id"], ada.id.as_str());
    let rotated = first["refreshToken"].as_str().unwrap();
    assert_ne!(rotated, ada.refresh_token);
    let access = first["accessToken"].as_str().unwrap();
    app.graphql_with(Some(access), ME, json!({})).await.data();

    let second = app.graphql(REFRESH, json!({ "t": rotated })).await;
    assert!(second.data()["refreshSession"]["refreshToken"].is_string());
}

#[tokio::test]
async fn reusing_a_rotated_token_revokes_the_whole_family() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let rotated = app.graphql(REFRESH, json!({ "t": ada.refresh_token })).await;
    let successor = rotated.data()["refreshSession"]["refreshToken"].as_str().unwrap().to_owned();
    let successor_access = rotated.data()["refreshSession"]["accessToken"].as_str().unwrap().to_owned();

    // An attacker replays the stolen, already-rotated token.
    let replay = app.graphql(REFRESH, json!({ "t": ada.refresh_token })).await;
    assert!(replay.expect_error("UNAUTHENTICATED").contains("already used"));

    // Every token of the family is dead now: the successor, and the access tokens.
    app.graphql(REFRESH, json!({ "t": successor })).await.expect_error("UNAUTHENTICATED");
    app.graphql_with(Some(&successor_access), ME, json!({})).await.expect_error("UNAUTHENTICATED");
    app.graphql_as(&ada, ME, json!({})).await.expect_error("UNAUTHENTICATED");

    // Other sessions of the same user are a different family and live on.
    let other = app.sign_in(&ada.email, &ada.password).await;
    app.graphql_as(&other, ME, json!({})).await.data();
}

#[tokio::test]
async fn unknown_refresh_tokens_are_refused() {
    let app = TestApp::new().await;
    app.graphql(REFRESH, json!({ "t": "made-up" })).await.expect_error("UNAUTHENTICATED");
    app.graphql(REFRESH, json!({ "t": null })).await.expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn logout_ends_this_session_only() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let phone = app.sign_in(&ada.email, &ada.password).await;
    let response = app.graphql_as(&ada, "mutation { logout }", json!({})).await;
    assert_eq!(response.data()["logout"], true);
    app.graphql_as(&ada, ME, json!({})).await.expect_error("UNAUTHENTICATED");
    app.graphql(REFRESH, json!({ "t": ada.refresh_token })).await.expect_error("UNAUTHENTICATED");
    app.graphql_as(&phone, ME, json!({})).await.data();
}

#[tokio::test]
async fn logout_everywhere_ends_every_session() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let phone = app.sign_in(&ada.email, &ada.password).await;
    let response = app.graphql_as(&ada, "mutation { logoutEverywhere }", json!({})).await;
    assert_eq!(response.data()["logoutEverywhere"], 2);
    for session in [&ada, &phone] {
        app.graphql_as(session, ME, json!({})).await.expect_error("UNAUTHENTICATED");
        app.graphql(REFRESH, json!({ "t": session.refresh_token })).await.expect_error("UNAUTHENTICATED");
    }
    app.graphql("mutation { logout }", json!({})).await.expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_deactivated_user_is_refused_with_a_still_valid_token() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    app.graphql_as(&ada, ME, json!({})).await.data();
    let id = UserId(ada.id.parse().unwrap());
    let mut conn = app.conn().await;
    assert!(User::set_status(&mut conn, id, UserStatus::Deactivated).await.unwrap());
    // Changed behind the service's back, as by another replica: the event evicts the cached session.
    app.events_delivered().await;

    app.graphql_as(&ada, ME, json!({})).await.expect_error("UNAUTHENTICATED");
    app.graphql(REFRESH, json!({ "t": ada.refresh_token })).await.expect_error("UNAUTHENTICATED");
    app.login(&ada.email, &ada.password).await.expect_error("FORBIDDEN");
}

#[tokio::test]
async fn a_deleted_user_is_refused_with_a_still_valid_token() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let id = UserId(ada.id.parse().unwrap());
    let mut conn = app.conn().await;
    assert!(!User::delete(&mut conn, id).await.unwrap().is_empty());
    app.events_delivered().await;
    app.graphql_as(&ada, ME, json!({})).await.expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn the_refresh_token_can_travel_as_a_strict_http_only_cookie() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let login = app
        .graphql(
            "mutation($i: LoginInput!) { login(input: $i) { refreshToken } }",
            json!({ "i": { "email": ada.email, "password": ada.password, "setCookie": true } }),
        )
        .await;
    let cookie = login.headers.get("set-cookie").expect("cookie set").to_str().unwrap().to_owned();
    for attribute in ["viva_refresh=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/graphql"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let token = cookie.trim_start_matches("viva_refresh=").split(';').next().unwrap();
    assert_eq!(token, login.data()["login"]["refreshToken"]);

    let body = json!({ "query": "mutation { refreshSession { user { id } } }" }).to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("cookie", format!("theme=dark; viva_refresh={token}"))
        .body(Body::from(body))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.json()["data"]["refreshSession"]["user"]["id"], ada.id.as_str());
    let rotated = response.headers.get("set-cookie").expect("rotated cookie").to_str().unwrap();
    assert!(rotated.starts_with("viva_refresh=") && !rotated.contains(token));
}
