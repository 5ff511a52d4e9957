//! The pool hands a connection back out without a verification query: a checkout costs no
//! round trip.

use viva_store::pool::{PoolSettings, QueryCounter, build_pool, ping};
use viva_test_support::TestDatabase;

#[tokio::test]
async fn a_checkout_runs_no_statement_of_its_own() {
    let database = TestDatabase::new().await;
    let counter = QueryCounter::default();
    let settings =
        PoolSettings { max_size: 1, query_counter: Some(counter.clone()), ..PoolSettings::default() };
    let pool = build_pool(database.url(), &settings).unwrap();
    for _ in 0..5 {
        let mut conn = pool.get().await.unwrap();
        ping(&mut conn).await.unwrap();
    }
    assert_eq!(counter.get(), 5, "one statement per use, none per checkout");
}
