//! graphql-http's `serverAudits` (the GraphQL-over-HTTP specification's conformance checks)
//! against the real binary: no error and no warning. `scripts/setup-browser-tests.sh` (run by
//! `make test`) installs graphql-http outside the repository.

use std::path::PathBuf;

use viva_test_support::TestDatabase;

use crate::server::{Server, script_dir};

#[tokio::test]
async fn graphql_http_server_audits_report_no_error_and_no_warning() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let node_modules = script_dir("setup-browser-tests.sh").join("node_modules");
    assert!(
        node_modules.join("graphql-http").is_dir(),
        "graphql-http is not installed: run scripts/setup-browser-tests.sh (make test does)"
    );
    let database = TestDatabase::new().await;
    let server = Server::start(&database, &[]).await;
    let output = tokio::process::Command::new("node")
        .arg(root.join("tests/browser/graphql-http-audit.cjs"))
        .env("NODE_PATH", &node_modules)
        .env("VIVA_GRAPHQL_URL", format!("{}/graphql", server.base))
        .output()
        .await
        .expect("node is installed");
    let report = String::from_utf8_lossy(&output.stdout);
    let summary = report.lines().find(|line| line.starts_with("SUMMARY")).unwrap_or_default().to_owned();
    eprintln!("{summary}");
    assert!(
        output.status.success() && summary.contains("warn=0 error=0"),
        "graphql-http audits failed:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
