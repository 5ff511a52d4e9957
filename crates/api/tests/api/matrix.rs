//! Running one operation as several personas and checking each outcome.

use std::fmt::Debug;

use serde_json::Value;
use viva_test_support::{TestApp, TestUser};

/// Runs `query` as each persona (`None` is anonymous) and asserts the outcome: `None` for
/// success, otherwise the expected error code.
pub(crate) async fn check<P: Copy + Debug>(
    app: &TestApp,
    personas: &[(P, Option<&TestUser>)],
    name: &str,
    query: &str,
    variables: impl Fn(P) -> Value,
    expect: impl Fn(P) -> Option<&'static str>,
) {
    for (who, user) in personas {
        let response = app.graphql_with(user.map(|u| u.access_token.as_str()), query, variables(*who)).await;
        assert_eq!(response.error_code().as_deref(), expect(*who), "{name} as {who:?}: {}", response.body);
    }
}
