//! Per-test databases.
//!
//! The first test of a process takes an advisory lock, sweeps databases left by crashed runs
//! (their process is gone), and makes sure a template database for the current migrations exists
//! (its name carries a hash of `migrations/`, so a changed migration gets a fresh template). Each
//! test then gets `CREATE DATABASE … TEMPLATE …`, dropped when the test ends.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use tokio_postgres::NoTls;

/// The server tests connect to; override with `VIVA_TEST_DATABASE_URL` (a URL of any database
/// on the server, usually `postgres`).
const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const PREFIX: &str = "viva_test_";
const LOCK_KEY: i64 = 0x7669_7661_7465_7374; // "vivatest"

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

fn admin_url() -> String {
    std::env::var("VIVA_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// The URL of another database on the same server.
fn url_for(database: &str) -> String {
    let admin = admin_url();
    let (base, query) = admin.split_once('?').map_or((admin.as_str(), None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

async fn admin_client() -> tokio_postgres::Client {
    let url = admin_url();
    let (client, connection) = tokio_postgres::connect(&url, NoTls).await.unwrap_or_else(|err| {
        panic!("tests need PostgreSQL at {url} (set VIVA_TEST_DATABASE_URL, or run `make test`): {err}")
    });
    tokio::spawn(connection);
    client
}

/// A hash of every file under `migrations/`, so the template follows the migrations.
fn migrations_hash() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).unwrap_or_default());
    }
    hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("viva_template_{}", migrations_hash());
            let client = admin_client().await;
            client.execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY]).await.expect("advisory lock");

            // Sweep databases of test processes that died before dropping them.
            let rows = client
                .query("SELECT datname FROM pg_database WHERE datname LIKE 'viva\\_test\\_%'", &[])
                .await
                .expect("list databases");
            for row in rows {
                let db: String = row.get(0);
                let pid = db.trim_start_matches(PREFIX).split('_').next().and_then(|p| p.parse::<u32>().ok());
                if pid.is_some_and(|pid| !process_alive(pid)) {
                    let _ =
                        client.execute(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"), &[]).await;
                }
            }

            let exists = client
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                .await
                .expect("look up template")
                .is_some();
            if !exists {
                let building = format!("{name}_building");
                let _ = client
                    .execute(&format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"), &[])
                    .await;
                client
                    .execute(&format!("CREATE DATABASE \"{building}\""), &[])
                    .await
                    .expect("create template");
                viva_store::migrations::run_pending(&url_for(&building))
                    .await
                    .expect("migrate the template database");
                client
                    .execute(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""), &[])
                    .await
                    .expect("publish template");
                client
                    .execute(
                        &format!("ALTER DATABASE \"{name}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
                        &[],
                    )
                    .await
                    .expect("mark template");
            }
            client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]).await.expect("advisory unlock");
            name
        })
        .await
}

/// A migrated database of its own for one test, dropped when the value is.
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates a fresh, migrated database.
    pub async fn new() -> Self {
        let template = template().await;
        let name = format!("{PREFIX}{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        let client = admin_client().await;
        client
            .execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY"), &[])
            .await
            .unwrap_or_else(|err| panic!("create test database {name}: {err}"));
        let url = url_for(&name);
        Self { name, url }
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Drops the database now, with its connections: for tests of what happens when the
    /// database goes away.
    pub async fn drop_now(&self) {
        let client = admin_client().await;
        client
            .execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name), &[])
            .await
            .expect("drop test database");
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop cannot await; a short-lived thread with its own runtime does the work.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            runtime.block_on(async {
                if let Ok((client, connection)) = tokio_postgres::connect(&admin_url(), NoTls).await {
                    tokio::spawn(connection);
                    let _ = client
                        .execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"), &[])
                        .await;
                }
            });
        });
        let _ = dropper.join();
    }
}
