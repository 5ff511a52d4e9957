//! The connection pool.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::pooled_connection::deadpool::{BuildError, Object, Pool, PoolError};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::FutureExt;

/// A pool of PostgreSQL connections.
pub type DbPool = Pool<AsyncPgConnection>;
/// A connection checked out of the pool; returned to it on drop.
pub type DbConn = Object<AsyncPgConnection>;
/// Why no connection could be had from the pool.
pub type DbPoolError = PoolError;

/// Counts the SQL statements run on a pool's connections (tests use it to show that a query
/// costs a bounded number of statements whatever the data).
#[derive(Clone, Debug, Default)]
pub struct QueryCounter(Arc<AtomicU64>);

impl QueryCounter {
    /// Statements started so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

struct CountQueries(Arc<AtomicU64>);

impl Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// How the pool behaves.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    /// Most connections open at once.
    pub max_size: usize,
    /// How long a caller waits for a free connection, and how long opening one may take.
    pub timeout: Duration,
    /// Counts statements, when given.
    pub query_counter: Option<QueryCounter>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_size: 16, timeout: Duration::from_secs(5), query_counter: None }
    }
}

/// Builds a pool for `database_url`. No connection is opened until one is asked for.
pub fn build_pool(database_url: &str, settings: &PoolSettings) -> Result<DbPool, BuildError> {
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // A checked-out connection is not re-verified with a query (a round trip per checkout); one
    // left broken or inside a transaction is still discarded, and a connection the server
    // closed fails its first statement and is dropped then.
    config.recycling_method = RecyclingMethod::Fast;
    if let Some(counter) = settings.query_counter.clone() {
        config.custom_setup = Box::new(move |url| {
            let url = url.to_owned();
            let counter = counter.0.clone();
            async move {
                let mut conn = AsyncPgConnection::establish(&url).await?;
                conn.set_instrumentation(CountQueries(counter));
                Ok(conn)
            }
            .boxed()
        });
    }
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
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
