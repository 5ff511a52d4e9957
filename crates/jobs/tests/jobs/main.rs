//! The job system against a real PostgreSQL: typed payloads, retries with backoff, jobs that
//! can never run, and periodic jobs scheduled by several runners at once.

// Test code: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec, Runner, RunnerSettings};
use viva_store::DbPool;
use viva_store::pool::{PoolSettings, build_pool};
use viva_store::queue::{self, JobStatus};
use viva_test_support::TestDatabase;

/// What the test handlers saw.
#[derive(Default)]
struct Seen {
    payloads: Mutex<Vec<(String, i32)>>,
}

/// A job kind for the tests (it borrows a real kind: the queue stores kinds as text).
struct Greet;

#[derive(Debug, Serialize, Deserialize)]
struct Greeting {
    name: String,
    fail_times: i32,
}

impl JobSpec for Greet {
    const KIND: JobKind = JobKind::SendEmail;
    const MAX_ATTEMPTS: i32 = 3;
    type Payload = Greeting;
}

#[async_trait::async_trait]
impl Handler<Arc<Seen>> for Greet {
    async fn run(&self, seen: &Arc<Seen>, job: &JobInfo, payload: Greeting) -> Result<(), JobError> {
        seen.payloads.lock().unwrap().push((payload.name.clone(), job.attempt));
        if job.attempt <= payload.fail_times {
            return Err(format!("attempt {} fails on purpose", job.attempt).into());
        }
        Ok(())
    }
}

/// A periodic job for the tests.
struct Tick;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Nothing {}

impl JobSpec for Tick {
    const KIND: JobKind = JobKind::PurgeExpired;
    type Payload = Nothing;
}

#[async_trait::async_trait]
impl Handler<Arc<Seen>> for Tick {
    async fn run(&self, seen: &Arc<Seen>, _job: &JobInfo, _payload: Nothing) -> Result<(), JobError> {
        seen.payloads.lock().unwrap().push(("tick".into(), 1));
        Ok(())
    }
}

fn pool(database: &TestDatabase) -> DbPool {
    build_pool(database.url(), &PoolSettings { max_size: 8, ..PoolSettings::default() }).unwrap()
}

fn runner(pool: &DbPool, seen: &Arc<Seen>, retry_base_seconds: i64) -> Runner<Arc<Seen>> {
    let settings = RunnerSettings { retry_base_seconds, ..RunnerSettings::default() };
    Runner::new(seen.clone(), pool.clone(), settings)
        .handle(Greet)
        .handle(Tick)
        .every::<Tick>(Duration::from_secs(3600), &Nothing {})
}

#[tokio::test]
async fn a_typed_job_runs_once_with_its_payload() {
    let database = TestDatabase::new().await;
    let pool = pool(&database);
    let seen = Arc::new(Seen::default());
    let mut conn = pool.get().await.unwrap();
    let id = viva_jobs::enqueue::<Greet>(&mut conn, &Greeting { name: "Ada".into(), fail_times: 0 })
        .await
        .unwrap();
    let job = queue::find(&mut conn, id).await.unwrap().unwrap();
    assert_eq!((job.kind.as_str(), job.max_attempts), ("send_email", 3));
    assert_eq!(runner(&pool, &seen, 0).drain().await.unwrap(), 1);
    assert_eq!(*seen.payloads.lock().unwrap(), [("Ada".to_owned(), 1)]);
    assert_eq!(queue::find(&mut conn, id).await.unwrap().unwrap().status, JobStatus::Done);
}

#[tokio::test]
async fn a_failing_job_is_retried_after_a_backoff_then_dead_when_its_attempts_run_out() {
    let database = TestDatabase::new().await;
    let pool = pool(&database);
    let seen = Arc::new(Seen::default());
    let mut conn = pool.get().await.unwrap();
    let recovers =
        viva_jobs::enqueue::<Greet>(&mut conn, &Greeting { name: "Bo".into(), fail_times: 1 }).await.unwrap();
    // With a backoff, the failed job is not due again at once.
    assert_eq!(runner(&pool, &seen, 60).drain().await.unwrap(), 1);
    let job = queue::find(&mut conn, recovers).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Queued, 1));
    assert!(job.last_error.unwrap().contains("fails on purpose"));
    assert!(job.run_after > chrono::Utc::now() + chrono::Duration::seconds(50));
    // Without one, it is retried and succeeds; one that always fails ends dead.
    let never = viva_jobs::enqueue::<Greet>(&mut conn, &Greeting { name: "Cy".into(), fail_times: 99 })
        .await
        .unwrap();
    runner(&pool, &seen, 0).drain().await.unwrap();
    let never = queue::find(&mut conn, never).await.unwrap().unwrap();
    assert_eq!((never.status, never.attempts), (JobStatus::Dead, 3));
    let attempts: Vec<i32> =
        seen.payloads.lock().unwrap().iter().filter(|(n, _)| n == "Cy").map(|(_, a)| *a).collect();
    assert_eq!(attempts, [1, 2, 3]);
}

#[tokio::test]
async fn jobs_that_can_never_run_are_dead_at_once() {
    let database = TestDatabase::new().await;
    let pool = pool(&database);
    let seen = Arc::new(Seen::default());
    let mut conn = pool.get().await.unwrap();
    let unknown = queue::enqueue(&mut conn, "evaluate_response", &serde_json::json!({}), 5).await.unwrap();
    let unhandled =
        queue::enqueue(&mut conn, JobKind::EvaluateAnswer.as_str(), &serde_json::json!({}), 5).await.unwrap();
    let malformed = queue::enqueue(&mut conn, JobKind::SendEmail.as_str(), &serde_json::json!({ "x": 1 }), 5)
        .await
        .unwrap();
    assert_eq!(runner(&pool, &seen, 0).drain().await.unwrap(), 3);
    for (id, reason) in
        [(unknown, "no handler for job kind"), (unhandled, "runs no handler"), (malformed, "does not parse")]
    {
        let job = queue::find(&mut conn, id).await.unwrap().unwrap();
        assert_eq!((job.status, job.attempts), (JobStatus::Dead, 1), "{job:?}");
        assert!(job.last_error.as_deref().unwrap_or_default().contains(reason), "{job:?}");
    }
    assert!(seen.payloads.lock().unwrap().is_empty());
    assert_eq!(queue::depth(&mut conn).await.unwrap(), (0, 3));
}

#[tokio::test]
async fn replicas_scheduling_a_periodic_job_together_make_one_at_a_time() {
    let database = TestDatabase::new().await;
    let pool = pool(&database);
    let seen = Arc::new(Seen::default());
    let replicas: Vec<_> = (0..8).map(|_| runner(&pool, &seen, 0)).collect();
    let scheduled = futures_util::future::join_all(replicas.iter().map(|r| r.schedule_periodic_now())).await;
    assert!(scheduled.iter().all(Result::is_ok));
    let mut conn = pool.get().await.unwrap();
    assert_eq!(queue::depth(&mut conn).await.unwrap(), (1, 0), "one waiting, however many replicas");
    assert_eq!(replicas[0].drain().await.unwrap(), 1);
    // Once it has run, the next round schedules it again.
    replicas[1].schedule_periodic_now().await.unwrap();
    assert_eq!(replicas[2].drain().await.unwrap(), 1);
    assert_eq!(seen.payloads.lock().unwrap().len(), 2);
}

/// A job that takes longer than one lease.
struct Slow;

impl JobSpec for Slow {
    const KIND: JobKind = JobKind::CompleteInterview;
    type Payload = Nothing;
}

#[async_trait::async_trait]
impl Handler<Arc<Seen>> for Slow {
    async fn run(&self, seen: &Arc<Seen>, job: &JobInfo, _payload: Nothing) -> Result<(), JobError> {
        seen.payloads.lock().unwrap().push(("slow".into(), job.attempt));
        tokio::time::sleep(Duration::from_millis(2500)).await;
        Ok(())
    }
}

#[tokio::test]
async fn a_job_slower_than_its_lease_keeps_it_and_runs_once() {
    let database = TestDatabase::new().await;
    let pool = pool(&database);
    let seen = Arc::new(Seen::default());
    let mut conn = pool.get().await.unwrap();
    let id = viva_jobs::enqueue::<Slow>(&mut conn, &Nothing {}).await.unwrap();
    let settings = RunnerSettings { lease_seconds: 0.6, ..RunnerSettings::default() };
    let first = Runner::new(seen.clone(), pool.clone(), settings).handle(Slow);
    let second = Runner::new(seen.clone(), pool.clone(), settings).handle(Slow);
    let running = tokio::spawn(async move { first.run_once().await.unwrap() });
    // Long after the first lease would have run out, another worker still finds nothing due.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(!second.run_once().await.unwrap(), "a running job was claimed again");
    }
    assert!(running.await.unwrap());
    assert_eq!(*seen.payloads.lock().unwrap(), [("slow".to_owned(), 1)]);
    let job = queue::find(&mut conn, id).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Done, 1));
}
