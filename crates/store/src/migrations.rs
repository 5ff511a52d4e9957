//! The SQL migrations under `migrations/`, embedded in the binary.

use diesel::Connection;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Every migration, in order.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Why migrating failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database could not be reached.
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// A migration failed; the database is left at the last one that succeeded.
    #[error("migration failed: {0}")]
    Migrate(String),
    /// The migration task itself failed.
    #[error("migration task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Applies every pending migration to the database at `database_url` and returns the versions
/// applied. Runs on the blocking pool because diesel's migration harness is synchronous.
pub async fn run_pending(database_url: &str) -> Result<Vec<String>, MigrationError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|err| MigrationError::Migrate(err.to_string()))?;
        Ok(applied.into_iter().map(|version| version.to_string()).collect())
    })
    .await?
}
