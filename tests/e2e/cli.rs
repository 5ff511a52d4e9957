//! The binary's subcommands and its start-up errors.

use std::io::Write as _;
use std::process::Stdio;

use serde_json::json;
use viva_test_support::TestDatabase;

use crate::server::{Server, viva};

#[tokio::test]
async fn a_missing_database_url_is_one_clear_line() {
    let output = viva("").env_remove("VIVA_DATABASE_URL").arg("serve").output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("VIVA_DATABASE_URL is not set"), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_database_is_one_clear_line_without_a_panic() {
    let output = viva("postgres://viva:secret@127.0.0.1:1/viva").arg("serve").output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.contains("cannot migrate the database at postgres://viva:***@127.0.0.1:1/viva"), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("secret"), "{stderr}");
}

#[tokio::test]
async fn migrate_admin_create_and_seed_then_sign_in() {
    let database = TestDatabase::new().await;
    let migrate = viva(database.url()).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));

    let mut admin = viva(database.url())
        .args(["admin", "create", "--email", "Root@Example.org", "--name", "Rita Root"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    admin.stdin.take().unwrap().write_all(b"granite-lighthouse-echo-4\n").unwrap();
    let created = admin.wait_with_output().unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(String::from_utf8_lossy(&created.stdout).contains("created admin root@example.org"));

    // A weak password is refused with the policy's message.
    let weak = viva(database.url())
        .args(["admin", "create", "--email", "weak@example.org", "--name", "Weak"])
        .env("VIVA_ADMIN_PASSWORD", "password123")
        .output()
        .unwrap();
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));

    for _ in 0..2 {
        let seed = viva(database.url()).arg("seed").output().unwrap();
        assert!(seed.status.success(), "{}", String::from_utf8_lossy(&seed.stderr));
        assert!(String::from_utf8_lossy(&seed.stdout).contains("admin@viva.test"));
    }
    let production = viva(database.url()).arg("seed").env("VIVA_ENVIRONMENT", "production").output().unwrap();
    assert!(!production.status.success());

    let server = Server::start(&database, &[]).await;
    for (email, password, role) in [
        ("root@example.org", "granite-lighthouse-echo-4", "ADMIN"),
        ("admin@viva.test", "viva-demo-passphrase", "ADMIN"),
        ("hr@viva.test", "viva-demo-passphrase", "HR"),
        ("candidate@viva.test", "viva-demo-passphrase", "CANDIDATE"),
    ] {
        let login = server
            .graphql(
                None,
                "mutation($i: LoginInput!) { login(input: $i) { user { role emailVerified } } }",
                json!({ "i": { "email": email, "password": password } }),
            )
            .await;
        assert_eq!(login["data"]["login"]["user"]["role"], role, "{email}: {login}");
        assert_eq!(login["data"]["login"]["user"]["emailVerified"], true);
    }
}

#[tokio::test]
async fn export_schema_prints_the_committed_schema() {
    let output = viva("").arg("export-schema").output().unwrap();
    assert!(output.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), committed);
}

#[tokio::test]
async fn without_an_environment_the_server_runs_as_production() {
    // No VIVA_ENVIRONMENT: production rules apply, so a missing signing key stops the start
    // rather than opening GraphiQL, introspection and emails in the log.
    let output = viva("postgres://postgres@127.0.0.1:5432/viva")
        .env_remove("VIVA_ENVIRONMENT")
        .env_remove("VIVA_JWT_SECRET")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("VIVA_JWT_SECRET must be set in production"), "{stderr}");
}
