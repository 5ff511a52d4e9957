//! `me` and `updateProfile`.

use serde_json::json;
use viva_test_support::TestApp;

const UPDATE: &str = "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { fullName headline phone location skills yearsOfExperience company preferences { language emailNotifications inAppNotifications } } }";

#[tokio::test]
async fn me_needs_a_session() {
    let app = TestApp::new().await;
    app.graphql("{ me { id } }", json!({})).await.expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_profile_is_updated_and_cleared_field_by_field() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let input = json!({
        "fullName": "  Ada Lovelace ",
        "headline": "Analytical engines",
        "phone": "+44 20 7946 0958",
        "location": "London",
        "skills": ["Rust", " rust ", "SQL"],
        "yearsOfExperience": 7,
        "preferences": { "language": "FR", "emailNotifications": false }
    });
    let response = app.graphql_as(&ada, UPDATE, json!({ "i": input })).await;
    let profile = &response.data()["updateProfile"];
    assert_eq!(profile["fullName"], "Ada Lovelace");
    assert_eq!(profile["skills"], json!(["Rust", "SQL"]));
    assert_eq!(profile["yearsOfExperience"], 7);
    assert_eq!(
        profile["preferences"],
        json!({ "language": "fr", "emailNotifications": false, "inAppNotifications": true })
    );

    // Omitted fields stay; null clears.
    let response =
        app.graphql_as(&ada, UPDATE, json!({ "i": { "headline": null, "yearsOfExperience": null } })).await;
    let profile = &response.data()["updateProfile"];
    assert_eq!(profile["headline"], serde_json::Value::Null);
    assert_eq!(profile["yearsOfExperience"], serde_json::Value::Null);
    assert_eq!(profile["location"], "London");
}

#[tokio::test]
async fn invalid_profile_fields_are_all_reported_and_nothing_changes() {
    let app = TestApp::new().await;
    let ada = app.candidate().await;
    let input = json!({
        "fullName": "Ada",
        "phone": "call me maybe",
        "yearsOfExperience": 120,
        "company": "Acme",
        "preferences": { "language": "tlh" }
    });
    let response = app.graphql_as(&ada, UPDATE, json!({ "i": input })).await;
    response.expect_error("BAD_USER_INPUT");
    let fields: Vec<String> = response.errors()[0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    for field in ["phone", "yearsOfExperience", "company", "preferences.language"] {
        assert!(fields.iter().any(|f| f == field), "{field} missing from {fields:?}");
    }
    let me = app.graphql_as(&ada, "{ me { fullName } }", json!({})).await;
    assert_eq!(me.data()["me"]["fullName"], "Test Person");
}

#[tokio::test]
async fn hr_users_record_their_company() {
    let app = TestApp::new().await;
    let hal = app.hr().await;
    let response = app.graphql_as(&hal, UPDATE, json!({ "i": { "company": "Initech" } })).await;
    assert_eq!(response.data()["updateProfile"]["company"], "Initech");
}
