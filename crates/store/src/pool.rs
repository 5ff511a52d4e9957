//! The connection pool.

use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::{BuildError, Object, Pool, PoolError};

/// A pool of PostgreSQL connections.
pub type DbPool = Pool<AsyncPgConnection>;
/// A connection checked out of the pool; returned to it on drop.
pub type DbConn = Object<AsyncPgConnection>;
/// Why no connection could be had from the pool.
pub type DbPoolError = PoolError;

/// How the pool behaves.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    /// Most connections open at once.
    pub max_size: usize,
    /// How long a caller waits for a free connection, and how long opening one may take.
    pub timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_size: 16, timeout: Duration::from_secs(5) }
    }
}

/// Builds a pool for `database_url`. No connection is opened until one is asked for.
pub fn build_pool(database_url: &str, settings: &PoolSettings) -> Result<DbPool, BuildError> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(database_url);
    Pool::builder(manager)
        .max_size(settings.max_size)
        .wait_timeout(Some(settings.timeout))
        .create_timeout(Some(settings.timeout))
        .recycle_timeout(Some(settings.timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
}

/// Asks the database to answer one trivial query: a readiness check.
pub async fn ping(conn: &mut diesel_async::AsyncPgConnection) -> crate::QueryResult<()> {
    use diesel_async::RunQueryDsl as _;
    diesel::sql_query("SELECT 1").execute(conn).await.map(drop)
}
