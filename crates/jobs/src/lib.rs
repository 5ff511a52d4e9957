//! The one background-job system: typed jobs over the durable `background_jobs` queue.
//!
//! A job kind is a [`JobSpec`]: its [`JobKind`], the type of its payload, its attempts and the
//! base of its doubling backoff. It is enqueued with [`enqueue`] inside the transaction of the
//! write that needs it, so a job exists exactly when its cause committed. A [`Handler`] runs it;
//! a [`Runner`] claims due jobs under a lease (several workers never take the same job; a dead
//! worker's lease runs out and the job is claimed again), runs the handler of their kind, and
//! records the outcome. Delivery is at least once, so handlers are idempotent.
//!
//! A job whose kind this build does not know, or whose payload does not parse, is dead at once
//! with the reason (it would fail the same way every time), and counted as dead for operators.
//! Periodic jobs are enqueued by every runner on their schedule under a de-duplication key, so
//! with several replicas at most one of each is waiting or running at a time.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use viva_domain::BackgroundJobId;
pub use viva_domain::vocab::JobKind;
use viva_store::queue::{self, Job};
use viva_store::{AsyncPgConnection, DbPool, QueryResult};

/// Why a job's attempt failed; the text is stored on the job for operators.
pub type JobError = Box<dyn StdError + Send + Sync>;

/// What a kind of job is: its kind, its payload, and how it is retried.
pub trait JobSpec: Send + Sync + 'static {
    /// The stored kind.
    const KIND: JobKind;
    /// Attempts before the job is dead.
    const MAX_ATTEMPTS: i32 = 5;
    /// Whether the payload holds personal data (an email address typed into a form): it is
    /// blanked once the job is done or dead, so the queue keeps no copy.
    const PERSONAL_PAYLOAD: bool = false;
    /// The handler's input, stored as JSON.
    type Payload: Serialize + DeserializeOwned + Send + Sync + 'static;
}

/// Runs one kind of job against a context `C` (the services the handler needs).
#[async_trait::async_trait]
pub trait Handler<C: Send + Sync + 'static>: JobSpec {
    /// Does the job once. An error is retried with backoff until the attempts run out.
    async fn run(&self, ctx: &C, job: &JobInfo, payload: Self::Payload) -> Result<(), JobError>;
}

/// What a handler knows of the job it runs.
#[derive(Clone, Copy, Debug)]
pub struct JobInfo {
    /// The job's id: handlers record it to write once when a job is delivered twice.
    pub id: BackgroundJobId,
    /// This attempt's number, from 1.
    pub attempt: i32,
}

/// Enqueues a job of kind `J`; call inside the transaction of the write that needs it.
pub async fn enqueue<J: JobSpec>(
    conn: &mut AsyncPgConnection,
    payload: &J::Payload,
) -> QueryResult<BackgroundJobId> {
    let payload = serde_json::to_value(payload)
        .map_err(|err| viva_store::QueryError::SerializationError(Box::new(err)))?;
    queue::enqueue(conn, J::KIND.as_str(), &payload, J::MAX_ATTEMPTS).await
}

/// Enqueues a job of kind `J` unless one with the same key is waiting or running; returns the
/// new job's id, or `None` when one was already there.
pub async fn enqueue_unique<J: JobSpec>(
    conn: &mut AsyncPgConnection,
    payload: &J::Payload,
    key: &str,
) -> QueryResult<Option<BackgroundJobId>> {
    let payload = serde_json::to_value(payload)
        .map_err(|err| viva_store::QueryError::SerializationError(Box::new(err)))?;
    queue::enqueue_unique(conn, J::KIND.as_str(), &payload, J::MAX_ATTEMPTS, key).await
}

/// How a runner runs.
#[derive(Clone, Copy, Debug)]
pub struct RunnerSettings {
    /// Jobs handled at once by this process.
    pub concurrency: usize,
    /// How long a claimed job is this runner's; a runner that dies loses it after this.
    pub lease_seconds: f64,
    /// How long an idle runner waits before looking for due jobs again.
    pub poll_interval: Duration,
    /// The first retry's delay; each later one doubles it (at most six hours).
    pub retry_base_seconds: i64,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        Self {
            concurrency: 2,
            lease_seconds: 120.0,
            poll_interval: Duration::from_millis(500),
            retry_base_seconds: 5,
        }
    }
}

#[async_trait::async_trait]
trait Erased<C>: Send + Sync {
    async fn run(&self, ctx: &C, job: &JobInfo, payload: serde_json::Value) -> Result<(), Failure>;
    fn personal_payload(&self) -> bool;
}

/// How an attempt failed: worth retrying, or never going to work.
enum Failure {
    Retry(JobError),
    Fatal(String),
}

struct Typed<H>(H);

#[async_trait::async_trait]
impl<C: Send + Sync + 'static, H: Handler<C>> Erased<C> for Typed<H> {
    async fn run(&self, ctx: &C, job: &JobInfo, payload: serde_json::Value) -> Result<(), Failure> {
        let payload: H::Payload = serde_json::from_value(payload).map_err(|err| {
            Failure::Fatal(format!("the payload of a {} job does not parse: {err}", H::KIND))
        })?;
        self.0.run(ctx, job, payload).await.map_err(Failure::Retry)
    }

    fn personal_payload(&self) -> bool {
        H::PERSONAL_PAYLOAD
    }
}

#[derive(Clone)]
struct Schedule {
    kind: JobKind,
    every: Duration,
    payload: serde_json::Value,
    max_attempts: i32,
}

/// Claims due jobs and runs their handlers; also enqueues the periodic jobs on schedule.
pub struct Runner<C> {
    ctx: Arc<C>,
    pool: DbPool,
    handlers: HashMap<JobKind, Arc<dyn Erased<C>>>,
    schedules: Vec<Schedule>,
    settings: RunnerSettings,
}

impl<C> Clone for Runner<C> {
    fn clone(&self) -> Self {
        Self {
            ctx: self.ctx.clone(),
            pool: self.pool.clone(),
            handlers: self.handlers.clone(),
            schedules: self.schedules.clone(),
            settings: self.settings,
        }
    }
}

impl<C: Send + Sync + 'static> Runner<C> {
    /// A runner with no handlers yet.
    pub fn new(ctx: C, pool: DbPool, settings: RunnerSettings) -> Self {
        Self { ctx: Arc::new(ctx), pool, handlers: HashMap::new(), schedules: Vec::new(), settings }
    }

    /// Adds the handler of one kind.
    pub fn handle<H: Handler<C>>(mut self, handler: H) -> Self {
        self.handlers.insert(H::KIND, Arc::new(Typed(handler)));
        self
    }

    /// Enqueues a job of kind `J` with `payload` every `every` (its handler must be added too).
    pub fn every<J: JobSpec>(mut self, every: Duration, payload: &J::Payload) -> Self {
        let payload = serde_json::to_value(payload).unwrap_or(serde_json::Value::Null);
        self.schedules.push(Schedule { kind: J::KIND, every, payload, max_attempts: J::MAX_ATTEMPTS });
        self
    }

    /// The kinds this runner handles.
    pub fn kinds(&self) -> Vec<JobKind> {
        let mut kinds: Vec<JobKind> = self.handlers.keys().copied().collect();
        kinds.sort();
        kinds
    }

    /// Runs `concurrency` loops and the schedules until `shutdown` turns true; a job being
    /// handled finishes first.
    pub async fn run(self, shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut tasks = Vec::new();
        for schedule in &self.schedules {
            let runner = self.clone();
            let schedule = schedule.clone();
            let mut shutdown = shutdown.clone();
            tasks.push(tokio::spawn(async move {
                let mut ticker = tokio::time::interval(schedule.every);
                ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                while !*shutdown.borrow() {
                    tokio::select! {
                        _ = ticker.tick() => {}
                        _ = shutdown.changed() => continue,
                    }
                    if let Err(error) = runner.schedule(&schedule).await {
                        tracing::warn!(%error, kind = %schedule.kind, "could not enqueue a periodic job");
                    }
                }
            }));
        }
        for _ in 0..self.settings.concurrency.max(1) {
            let runner = self.clone();
            let mut shutdown = shutdown.clone();
            tasks.push(tokio::spawn(async move {
                while !*shutdown.borrow() {
                    match runner.run_once().await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(error) => tracing::error!(%error, "the job runner could not reach the queue"),
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(runner.settings.poll_interval) => {}
                        _ = shutdown.changed() => {}
                    }
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
    }

    /// Enqueues a periodic job unless one of its kind is waiting or running.
    async fn schedule(&self, schedule: &Schedule) -> Result<(), JobError> {
        let mut conn = self.pool.get().await?;
        let kind = schedule.kind.as_str();
        queue::enqueue_unique(&mut conn, kind, &schedule.payload, schedule.max_attempts, kind).await?;
        Ok(())
    }

    /// Enqueues every periodic job now (unless one is already waiting): for tests and tools.
    pub async fn schedule_periodic_now(&self) -> Result<(), JobError> {
        for schedule in &self.schedules {
            self.schedule(schedule).await?;
        }
        Ok(())
    }

    /// Claims and handles one due job; false when none was due.
    pub async fn run_once(&self) -> Result<bool, JobError> {
        let job = {
            let mut conn = self.pool.get().await?;
            queue::claim(&mut conn, 1, self.settings.lease_seconds).await?.into_iter().next()
        };
        let Some(job) = job else { return Ok(false) };
        let outcome = self.handle_renewing(&job).await;
        let mut conn = self.pool.get().await?;
        let personal = job
            .kind
            .parse::<JobKind>()
            .ok()
            .and_then(|k| self.handlers.get(&k))
            .is_some_and(|h| h.personal_payload());
        let finished = match outcome {
            Ok(()) => {
                queue::complete(&mut conn, job.id).await?;
                true
            }
            Err(Failure::Fatal(reason)) => {
                tracing::error!(job = %job.id, kind = %job.kind, %reason, "job cannot run; it is dead");
                queue::bury(&mut conn, job.id, &reason).await?;
                true
            }
            Err(Failure::Retry(error)) => {
                let status =
                    queue::fail(&mut conn, &job, &error.to_string(), self.settings.retry_base_seconds)
                        .await?;
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, ?status, %error, "job failed");
                status == queue::JobStatus::Dead
            }
        };
        if finished && personal {
            queue::clear_payload(&mut conn, job.id).await?;
        }
        Ok(true)
    }

    /// Runs the job's handler, renewing its lease every third of a lease while it runs: a
    /// handler may take longer than one lease (a provider chain waiting out timeouts), and the
    /// lease should run out only when this worker is gone.
    async fn handle_renewing(&self, job: &Job) -> Result<(), Failure> {
        let lease = self.settings.lease_seconds;
        let period = std::time::Duration::from_secs_f64((lease / 3.0).max(0.05));
        let work = self.handle_job(job);
        tokio::pin!(work);
        loop {
            tokio::select! {
                outcome = &mut work => return outcome,
                () = tokio::time::sleep(period) => {
                    let renewed = match self.pool.get().await {
                        Ok(mut conn) => queue::renew(&mut conn, job.id, job.attempts, lease).await,
                        Err(error) => {
                            tracing::warn!(job = %job.id, %error, "cannot renew the job's lease");
                            continue;
                        }
                    };
                    match renewed {
                        Ok(true) => {}
                        Ok(false) => tracing::warn!(job = %job.id, kind = %job.kind, "the job's lease was lost; another worker may run it"),
                        Err(error) => tracing::warn!(job = %job.id, %error, "cannot renew the job's lease"),
                    }
                }
            }
        }
    }

    async fn handle_job(&self, job: &Job) -> Result<(), Failure> {
        let kind: JobKind = job
            .kind
            .parse()
            .map_err(|_| Failure::Fatal(format!("no handler for job kind {:?}", job.kind)))?;
        let handler = self
            .handlers
            .get(&kind)
            .ok_or_else(|| Failure::Fatal(format!("this process runs no handler for job kind {kind}")))?;
        handler.run(&self.ctx, &JobInfo { id: job.id, attempt: job.attempts }, job.payload.clone()).await
    }

    /// Handles due jobs until none is left (tests and one-shot tools); returns how many ran.
    pub async fn drain(&self) -> Result<usize, JobError> {
        let mut handled = 0;
        while self.run_once().await? {
            handled += 1;
        }
        Ok(handled)
    }
}
