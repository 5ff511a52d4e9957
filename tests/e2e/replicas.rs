//! Two `viva serve` replicas on one database, each caching resolved sessions: a revocation made
//! through one is refused by both as soon as the mutation has answered, without waiting.

use serde_json::{Value, json};
use viva_test_support::TestDatabase;

use crate::server::Server;

const PASSWORD: &str = "copper-kettle-sunrise-9";
const ME: &str = "{ me { id } }";

/// Registers an account through `server`.
async fn register(server: &Server, email: &str) {
    let registered = server
        .graphql(
            None,
            "mutation($i: RegisterInput!) { register(input: $i) { id } }",
            json!({ "i": { "email": email, "password": PASSWORD, "fullName": "Rui Replica", "role": "CANDIDATE" } }),
        )
        .await;
    assert!(registered["data"]["register"]["id"].is_string(), "{registered}");
}

fn token(login: &Value) -> String {
    login["accessToken"].as_str().unwrap().to_owned()
}

/// Asserts `token` is served by `server` (and so, from then on, cached there).
async fn served(server: &Server, token: &str) {
    let me = server.graphql(Some(token), ME, json!({})).await;
    assert!(me["data"]["me"]["id"].is_string(), "{me}");
}

/// Asserts `token` is refused by `server`.
async fn refused(server: &Server, token: &str, what: &str) {
    let me = server.graphql(Some(token), ME, json!({})).await;
    assert_eq!(me["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{what}: {me}");
}

#[tokio::test]
async fn sign_out_everywhere_on_one_replica_is_refused_at_once_by_both() {
    let database = TestDatabase::new().await;
    let (a, b) = (Server::start(&database, &[]).await, Server::start(&database, &[]).await);
    // Several rounds, each with new sessions, so that a window between the answer on A and the
    // eviction on B would show.
    for round in 0..5 {
        let email = format!("rui{round}@example.org");
        register(&a, &email).await;
        let on_a = token(&a.sign_in(&email, PASSWORD).await);
        let on_b = token(&b.sign_in(&email, PASSWORD).await);
        for session in [&on_a, &on_b] {
            served(&a, session).await;
            served(&b, session).await;
        }

        let ended = a.graphql(Some(&on_a), "mutation { logoutEverywhere }", json!({})).await;
        assert_eq!(ended["data"]["logoutEverywhere"], 2, "{ended}");

        // No sleep: the next requests go out as soon as the answer is in.
        refused(&b, &on_a, "replica B, the signing-out session").await;
        refused(&b, &on_b, "replica B, the other session").await;
        refused(&a, &on_a, "replica A, the signing-out session").await;
        refused(&a, &on_b, "replica A, the other session").await;
    }
}

#[tokio::test]
async fn a_user_deactivated_on_one_replica_is_refused_at_once_by_the_other() {
    let database = TestDatabase::new().await;
    let (a, b) = (Server::start(&database, &[]).await, Server::start(&database, &[]).await);
    crate::server::create_root_admin(database.url());
    let admin_password = crate::server::ROOT_PASSWORD;
    let admin = token(&a.sign_in("root@example.org", admin_password).await);

    for round in 0..3 {
        let email = format!("dee{round}@example.org");
        register(&b, &email).await;
        let login = b.sign_in(&email, PASSWORD).await;
        let (user, id) = (token(&login), login["user"]["id"].as_str().unwrap().to_owned());
        served(&b, &user).await;
        served(&a, &user).await;

        let deactivated = a
            .graphql(
                Some(&admin),
                "mutation($u: ID!) { setUserActive(userId: $u, active: false) { status } }",
                json!({ "u": id }),
            )
            .await;
        assert_eq!(deactivated["data"]["setUserActive"]["status"], "DEACTIVATED", "{deactivated}");

        refused(&b, &user, "replica B").await;
        refused(&a, &user, "replica A").await;
    }
}
