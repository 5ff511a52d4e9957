//! A throwaway PostgreSQL cluster of a test's own, for tests that restart the database: the
//! shared server cannot be restarted under the other tests' feet.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running cluster in a temporary directory, stopped and removed on drop.
pub struct EphemeralPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn binaries() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> =
        std::fs::read_dir("/usr/lib/postgresql").ok()?.flatten().map(|e| e.path()).collect();
    versions.sort();
    versions.into_iter().rev().map(|v| v.join("bin")).find(|bin| bin.join("initdb").exists())
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false)
}

/// Runs a PostgreSQL tool as the `postgres` system user when we are root (PostgreSQL refuses to
/// run as root).
fn tool(bin: &Path, name: &str) -> Command {
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(bin.join(name));
        command
    } else {
        Command::new(bin.join(name))
    }
}

fn run(mut command: Command, what: &str) {
    let output = command.output().unwrap_or_else(|err| panic!("{what}: {err}"));
    assert!(output.status.success(), "{what} failed: {}", String::from_utf8_lossy(&output.stderr));
}

impl EphemeralPostgres {
    /// Creates and starts a cluster on a free port, with trust authentication on 127.0.0.1.
    pub fn start() -> Self {
        let bin = binaries().expect("PostgreSQL server binaries under /usr/lib/postgresql (run make test)");
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let dir = std::env::temp_dir().join(format!("viva-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("cluster directory");
        if running_as_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.args(["postgres:postgres"]).arg(&dir);
                    c
                },
                "chown cluster directory",
            );
        }
        let data = dir.join("data");
        run(
            {
                let mut c = tool(&bin, "initdb");
                c.arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
                c
            },
            "initdb",
        );
        let cluster = Self { bin, dir, port };
        cluster.pg_ctl("start");
        cluster
    }

    fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        let mut command = tool(&self.bin, "pg_ctl");
        command
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-w", "-t", "60", "-m", "fast", "-o", &options, "-l"]);
        command.arg(self.dir.join("log")).arg(action);
        run(command, &format!("pg_ctl {action}"));
    }

    /// A URL of a database on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a database.
    pub async fn create_database(&self, name: &str) {
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls).await.expect("connect");
        tokio::spawn(connection);
        client.execute(&format!("CREATE DATABASE \"{name}\""), &[]).await.expect("create database");
    }

    /// Stops the server (fast shutdown: clients are disconnected) and starts it again.
    pub fn restart(&self) {
        self.pg_ctl("restart");
    }
}

impl Drop for EphemeralPostgres {
    fn drop(&mut self) {
        let mut command = tool(&self.bin, "pg_ctl");
        command.arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "stop"]);
        let _ = command.output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
