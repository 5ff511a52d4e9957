//! The account round trip over real HTTP.

use serde_json::json;
use viva_test_support::TestDatabase;

use crate::server::Server;

#[tokio::test]
async fn register_login_me_refresh_logout_over_http() {
    let database = TestDatabase::new().await;
    let server = Server::start(&database, &[]).await;

    let register = server
        .graphql(
            None,
            "mutation($i: RegisterInput!) { register(input: $i) { id email } }",
            json!({ "i": { "email": "Lin@Example.org", "password": "copper-kettle-sunrise-9", "fullName": "Lin Chen", "role": "CANDIDATE" } }),
        )
        .await;
    assert_eq!(register["data"]["register"]["email"], "lin@example.org", "{register}");

    let login = server
        .graphql(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken tokenType } }",
            json!({ "i": { "email": "lin@example.org", "password": "copper-kettle-sunrise-9" } }),
        )
        .await;
    let access = login["data"]["login"]["accessToken"].as_str().expect("access token").to_owned();
    let refresh = login["data"]["login"]["refreshToken"].as_str().unwrap().to_owned();
    assert_eq!(login["data"]["login"]["tokenType"], "Bearer");

    let me = server.graphql(Some(&access), "{ me { email fullName role } }", json!({})).await;
    assert_eq!(
        me["data"]["me"],
        json!({ "email": "lin@example.org", "fullName": "Lin Chen", "role": "CANDIDATE" })
    );

    let refreshed = server
        .graphql(
            None,
            "mutation($t: String) { refreshSession(input: { refreshToken: $t }) { accessToken } }",
            json!({ "t": refresh }),
        )
        .await;
    let access = refreshed["data"]["refreshSession"]["accessToken"].as_str().expect("refreshed").to_owned();

    let logout = server.graphql(Some(&access), "mutation { logout }", json!({})).await;
    assert_eq!(logout["data"]["logout"], true);
    let after = server.graphql(Some(&access), "{ me { email } }", json!({})).await;
    assert_eq!(after["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn the_real_server_enforces_its_body_limit_and_serves_operational_endpoints() {
    let database = TestDatabase::new().await;
    let server = Server::start(&database, &[("VIVA_MAX_BODY_BYTES", "2048")]).await;
    let client = crate::server::http();
    let big = json!({ "query": "{ __typename }", "variables": { "pad": "x".repeat(4096) } });
    let response = client.post(format!("{}/graphql", server.base)).json(&big).send().await.unwrap();
    assert_eq!(response.status(), 413);

    for path in ["/healthz", "/readyz", "/metrics"] {
        let response = client.get(format!("{}{path}", server.base)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    // Without GraphiQL's assets (this server has no cache directory), the console says how to
    // get them rather than hanging on "Loading…"; `graphiql.rs` tests it with the assets.
    let console = client.get(format!("{}/graphiql", server.base)).send().await.unwrap();
    assert_eq!(console.status(), 503);
    assert!(console.text().await.unwrap().contains("scripts/fetch-graphiql.sh"));
}

#[tokio::test]
async fn with_smtp_configured_the_server_delivers_the_verification_email() {
    let database = TestDatabase::new().await;
    let relay = viva_test_support::SmtpServer::start().await;
    let server = Server::start(
        &database,
        &[("VIVA_SMTP_URL", &relay.url), ("VIVA_SMTP_FROM", "Viva <no-reply@viva.test>")],
    )
    .await;
    server
        .graphql(
            None,
            "mutation($i: RegisterInput!) { register(input: $i) { id } }",
            json!({ "i": { "email": "mail@example.org", "password": "copper-kettle-sunrise-9", "fullName": "Mae Mail", "role": "HR" } }),
        )
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let received = relay.received().await;
        if let Some(mail) = received.first() {
            assert_eq!(mail.to, ["mail@example.org"]);
            assert!(mail.data.contains("verify-email?token="), "{}", mail.data);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no email was delivered");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_and_never_publicly_in_production() {
    let database = TestDatabase::new().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let metrics = format!("127.0.0.1:{port}");
    let server = Server::start(&database, &[("VIVA_METRICS_LISTEN", &metrics)]).await;
    let client = crate::server::http();
    let public = client.get(format!("{}/metrics", server.base)).send().await.unwrap();
    assert_eq!(public.status(), 404);
    let private = client.get(format!("http://{metrics}/metrics")).send().await.unwrap();
    assert_eq!(private.status(), 200);
    assert!(private.text().await.unwrap().contains("viva_"));
    drop(server);

    let production = Server::start(&database, &[("VIVA_ENVIRONMENT", "production")]).await;
    let public = client.get(format!("{}/metrics", production.base)).send().await.unwrap();
    assert_eq!(public.status(), 404);
}

#[tokio::test]
async fn the_server_blanks_unsent_email_bodies_whose_links_have_expired() {
    let database = TestDatabase::new().await;
    let (client, connection) =
        tokio_postgres::connect(database.url(), tokio_postgres::NoTls).await.expect("connect");
    let connection = tokio::spawn(connection);
    // Two unsent emails with links: one queued three days ago, one just now.
    client
        .batch_execute(
            "INSERT INTO email_outbox (id, recipient, subject, body, created_at) VALUES \
             (gen_random_uuid(), 'ada@example.org', 'Reset', 'https://viva.test/reset?token=stale-secret', now() - interval '3 days'), \
             (gen_random_uuid(), 'ada@example.org', 'Reset', 'https://viva.test/reset?token=fresh-secret', now())",
        )
        .await
        .unwrap();
    let _server = Server::start(&database, &[]).await;
    // The maintenance loop runs at start, then every minute.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let rows = client.query("SELECT body FROM email_outbox ORDER BY created_at", &[]).await.unwrap();
        let bodies: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
        if bodies[0].is_empty() {
            assert!(bodies[1].contains("fresh-secret"), "{bodies:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the stale body was never blanked: {bodies:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    connection.abort();
}
