//! The durable job queue: transactional enqueue, exclusive claims, leases, retries, dead jobs.

use std::collections::HashSet;

use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::json;
use viva_domain::vocab::JobKind;
use viva_store::DbPool;
use viva_store::pool::{PoolSettings, build_pool};
use viva_store::queue::{self, JobStatus};
use viva_test_support::TestDatabase;

async fn pool(database: &TestDatabase) -> DbPool {
    build_pool(database.url(), &PoolSettings { max_size: 8, ..PoolSettings::default() }).unwrap()
}

#[tokio::test]
async fn a_job_exists_only_if_its_transaction_commits() {
    let database = TestDatabase::new().await;
    let pool = pool(&database).await;
    let mut conn = pool.get().await.unwrap();
    let rolled_back: Result<(), diesel::result::Error> = conn
        .transaction(async |conn| {
            queue::enqueue(conn, JobKind::EvaluateAnswer.as_str(), &json!({ "answer": "a" }), 5).await?;
            Err(diesel::result::Error::RollbackTransaction)
        })
        .await;
    assert!(rolled_back.is_err());
    assert!(queue::claim(&mut conn, 10, 30.0).await.unwrap().is_empty());
    let id = queue::enqueue(&mut conn, JobKind::EvaluateAnswer.as_str(), &json!({ "answer": "b" }), 5)
        .await
        .unwrap();
    let claimed = queue::claim(&mut conn, 10, 30.0).await.unwrap();
    assert_eq!(claimed.iter().map(|j| j.id).collect::<Vec<_>>(), [id]);
    assert_eq!((claimed[0].status, claimed[0].attempts), (JobStatus::Running, 1));
    assert_eq!(claimed[0].payload, json!({ "answer": "b" }));
}

#[tokio::test]
async fn concurrent_workers_never_claim_the_same_job() {
    let database = TestDatabase::new().await;
    let pool = pool(&database).await;
    {
        let mut conn = pool.get().await.unwrap();
        for n in 0..40 {
            queue::enqueue(&mut conn, JobKind::EvaluateAnswer.as_str(), &json!({ "n": n }), 5).await.unwrap();
        }
    }
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut conn = pool.get().await.unwrap();
                let mut mine = Vec::new();
                loop {
                    let batch = queue::claim(&mut conn, 3, 30.0).await.unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch.into_iter().map(|j| j.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!((all.len(), unique.len()), (40, 40), "every job claimed exactly once");
}

#[tokio::test]
async fn a_dead_workers_lease_runs_out_and_the_job_is_claimed_again() {
    let database = TestDatabase::new().await;
    let pool = pool(&database).await;
    let mut conn = pool.get().await.unwrap();
    let id = queue::enqueue(&mut conn, JobKind::EvaluateAnswer.as_str(), &json!({}), 5).await.unwrap();
    let first = queue::claim(&mut conn, 1, 30.0).await.unwrap();
    assert_eq!(first[0].id, id);
    assert!(queue::claim(&mut conn, 1, 30.0).await.unwrap().is_empty(), "leased jobs are not claimed again");
    // The worker dies; its lease runs out (moved into the past rather than waited for).
    diesel::sql_query("UPDATE background_jobs SET locked_until = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .unwrap();
    let second = queue::claim(&mut conn, 1, 30.0).await.unwrap();
    assert_eq!((second[0].id, second[0].attempts), (id, 2));
    assert!(queue::complete(&mut conn, id).await.unwrap());
    assert_eq!(queue::find(&mut conn, id).await.unwrap().unwrap().status, JobStatus::Done);
    assert!(!queue::complete(&mut conn, id).await.unwrap(), "a finished job is not completed twice");
}

#[tokio::test]
async fn a_job_that_always_fails_ends_dead_after_its_attempts() {
    let database = TestDatabase::new().await;
    let pool = pool(&database).await;
    let mut conn = pool.get().await.unwrap();
    let id = queue::enqueue(&mut conn, JobKind::EvaluateAnswer.as_str(), &json!({}), 3).await.unwrap();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let job = queue::claim(&mut conn, 1, 30.0).await.unwrap().pop().expect("due again");
        statuses.push(queue::fail(&mut conn, &job, "model output was not valid JSON", 0).await.unwrap());
    }
    assert_eq!(statuses, [JobStatus::Queued, JobStatus::Queued, JobStatus::Dead]);
    assert!(queue::claim(&mut conn, 1, 30.0).await.unwrap().is_empty());
    let dead = queue::find(&mut conn, id).await.unwrap().unwrap();
    assert_eq!((dead.attempts, dead.last_error.as_deref()), (3, Some("model output was not valid JSON")));
    assert_eq!(queue::depth(&mut conn).await.unwrap(), (0, 1));
}

#[tokio::test]
async fn failures_back_off_before_the_next_attempt() {
    let database = TestDatabase::new().await;
    let pool = pool(&database).await;
    let mut conn = pool.get().await.unwrap();
    queue::enqueue(&mut conn, JobKind::EvaluateAnswer.as_str(), &json!({}), 5).await.unwrap();
    let job = queue::claim(&mut conn, 1, 30.0).await.unwrap().pop().unwrap();
    assert_eq!(queue::fail(&mut conn, &job, "timeout", 60).await.unwrap(), JobStatus::Queued);
    assert!(queue::claim(&mut conn, 1, 30.0).await.unwrap().is_empty(), "not due for a minute");
    assert_eq!(queue::depth(&mut conn).await.unwrap(), (1, 0));
}
