//! Background workers: the handlers of the durable job queue (`viva_store::queue`).
//!
//! Three kinds of job, each enqueued in the transaction of the write that needs it:
//! - `evaluate_answer` — evaluates an answer through the AI registry and stores the evaluation
//!   with its provenance, retiring the previous one (a re-evaluation names who asked);
//! - `plan_follow_up` — after an answer of an interview in progress is evaluated, adds a
//!   follow-up question right after it when the answer was vague or weak (one per question);
//! - `complete_interview` — once a completed interview's every answer is evaluated, records
//!   the AI result and moves it to `EVALUATED`.
//!
//! Delivery is at least once, so each handler is idempotent: an evaluation names the job that
//! wrote it, and every handler re-checks the state under the interview's row lock before it
//! writes. The slow part (the model) runs with no transaction or row lock held.

use std::time::Duration;

use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;
use viva_ai::{AnswerInput, Evaluator, QuestionContext, followup};
use viva_domain::evaluation::Evaluation;
use viva_domain::interview::{InterviewStatus, grade};
use viva_store::models::evaluation as evaluations;
use viva_store::models::interview as interviews;
use viva_store::queue::{self, Job};

use crate::error::{AppError, AppResult};
use crate::notify;
use crate::state::Services;

/// Evaluates one answer.
pub const EVALUATE_ANSWER: &str = "evaluate_answer";
/// Considers a follow-up after an evaluated answer.
pub const PLAN_FOLLOW_UP: &str = "plan_follow_up";
/// Records the AI result of a fully evaluated interview.
pub const COMPLETE_INTERVIEW: &str = "complete_interview";

/// Attempts before a job is dead.
pub const MAX_ATTEMPTS: i32 = 5;

/// How workers run.
#[derive(Clone, Copy, Debug)]
pub struct WorkerSettings {
    /// Jobs handled at once by this process.
    pub concurrency: usize,
    /// How long a claimed job is this worker's; a worker that dies loses it after this.
    pub lease_seconds: f64,
    /// How long an idle worker waits before looking for due jobs again.
    pub poll_interval: Duration,
    /// The first retry's delay; each later one doubles it.
    pub retry_base_seconds: i64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            concurrency: 2,
            lease_seconds: 120.0,
            poll_interval: Duration::from_millis(500),
            retry_base_seconds: 5,
        }
    }
}

/// Enqueues the evaluation of an answer; call in the transaction that stored it (or that
/// asks for a re-evaluation, naming who asked).
pub async fn enqueue_evaluation(
    conn: &mut viva_store::AsyncPgConnection,
    answer_id: Uuid,
    requested_by: Option<Uuid>,
) -> AppResult<Uuid> {
    let payload = json!({ "answer_id": answer_id, "requested_by": requested_by });
    Ok(queue::enqueue(conn, EVALUATE_ANSWER, &payload, MAX_ATTEMPTS).await?)
}

/// Enqueues the completion check of an interview.
pub async fn enqueue_completion(
    conn: &mut viva_store::AsyncPgConnection,
    interview_id: Uuid,
) -> AppResult<Uuid> {
    Ok(queue::enqueue(conn, COMPLETE_INTERVIEW, &json!({ "interview_id": interview_id }), MAX_ATTEMPTS)
        .await?)
}

/// Runs jobs from the queue.
#[derive(Clone)]
pub struct Worker {
    services: Services,
    settings: WorkerSettings,
}

impl Worker {
    /// A worker over the shared services.
    pub fn new(services: Services, settings: WorkerSettings) -> Self {
        Self { services, settings }
    }

    /// Runs `concurrency` loops until `shutdown` turns true; a job being handled finishes first.
    pub async fn run(self, shutdown: tokio::sync::watch::Receiver<bool>) {
        let loops: Vec<_> = (0..self.settings.concurrency.max(1))
            .map(|_| {
                let worker = self.clone();
                let mut shutdown = shutdown.clone();
                tokio::spawn(async move {
                    while !*shutdown.borrow() {
                        match worker.run_once().await {
                            Ok(true) => continue,
                            Ok(false) => {}
                            Err(error) => tracing::error!(%error, "worker could not reach the queue"),
                        }
                        tokio::select! {
                            _ = tokio::time::sleep(worker.settings.poll_interval) => {}
                            _ = shutdown.changed() => {}
                        }
                    }
                })
            })
            .collect();
        for handle in loops {
            let _ = handle.await;
        }
    }

    /// Claims and handles one due job; false when none was due.
    pub async fn run_once(&self) -> AppResult<bool> {
        let job = {
            let mut conn = self.services.pool.get().await?;
            queue::claim(&mut conn, 1, self.settings.lease_seconds).await?.into_iter().next()
        };
        let Some(job) = job else { return Ok(false) };
        let outcome = self.handle(&job).await;
        let mut conn = self.services.pool.get().await?;
        match outcome {
            Ok(()) => {
                queue::complete(&mut conn, job.id).await?;
            }
            Err(error) => {
                let status =
                    queue::fail(&mut conn, &job, &error.to_string(), self.settings.retry_base_seconds)
                        .await?;
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, ?status, %error, "job failed");
            }
        }
        Ok(true)
    }

    /// Handles due jobs until none is left (tests and one-shot tools).
    pub async fn drain(&self) -> AppResult<usize> {
        let mut handled = 0;
        while self.run_once().await? {
            handled += 1;
        }
        Ok(handled)
    }

    async fn handle(&self, job: &Job) -> AppResult<()> {
        let id = |field: &str| {
            job.payload
                .get(field)
                .and_then(|v| v.as_str())
                .and_then(|v| v.parse::<Uuid>().ok())
                .ok_or_else(|| AppError::internal(format!("job payload has no valid {field}")))
        };
        match job.kind.as_str() {
            EVALUATE_ANSWER => {
                let requested_by =
                    job.payload.get("requested_by").and_then(|v| v.as_str()).and_then(|v| v.parse().ok());
                self.evaluate(job.id, id("answer_id")?, requested_by).await
            }
            PLAN_FOLLOW_UP => self.plan_follow_up(id("answer_id")?).await,
            COMPLETE_INTERVIEW => self.complete(id("interview_id")?).await,
            other => Err(AppError::internal(format!("no handler for job kind {other:?}"))),
        }
    }

    async fn evaluate(&self, job_id: Uuid, answer_id: Uuid, requested_by: Option<Uuid>) -> AppResult<()> {
        let mut conn = self.services.pool.get().await?;
        let context = conn
            .transaction::<_, AppError, _>(async move |conn| {
                if evaluations::written_by_job(conn, job_id).await? {
                    return Ok(None);
                }
                if requested_by.is_none() && evaluations::has_current(conn, answer_id).await? {
                    return Ok(None);
                }
                Ok(evaluations::answer_context(conn, answer_id).await?)
            })
            .await?;
        let Some((answer, question, interview)) = context else { return Ok(()) };
        interviews::publish(&mut conn, interview.id, "EVALUATION_STARTED", answer.id).await?;
        drop(conn);

        let ai = &self.services.ai;
        let evaluator = Evaluator::with_cache(&ai.registry.embeddings, &ai.cache);
        let ctx = question_context(&question);
        let (evaluation, provenance) = evaluator
            .evaluate(&ctx, &AnswerInput { text: &answer.text, duration_seconds: answer.duration_seconds })
            .await;
        let body = serde_json::to_value(&evaluation).map_err(AppError::internal)?;

        let mut conn = self.services.pool.get().await?;
        let first = requested_by.is_none();
        conn.transaction::<_, AppError, _>(async move |conn| {
            // The interview's lock orders this with answers arriving and other evaluations.
            let Some(interview) = interviews::lock(conn, interview.id).await? else { return Ok(()) };
            if evaluations::written_by_job(conn, job_id).await?
                || (first && evaluations::has_current(conn, answer_id).await?)
                || evaluations::answer_context(conn, answer_id).await?.is_none()
            {
                return Ok(());
            }
            let stored = evaluations::insert(
                conn,
                &evaluations::NewEvaluation {
                    answer_id,
                    job_id,
                    provider: &provenance.provider,
                    model: &provenance.model,
                    rubric_version: &provenance.rubric_version,
                    prompt_version: provenance.prompt_version.as_deref(),
                    overall_score: evaluation.scores.overall,
                    grade: &evaluation.grade,
                    body: &body,
                    requested_by,
                },
            )
            .await?;
            interviews::publish(conn, interview.id, "ANSWER_EVALUATED", stored.answer_id).await?;
            if first && interview.status == InterviewStatus::InProgress && question.follow_up_of.is_none() {
                queue::enqueue(conn, PLAN_FOLLOW_UP, &json!({ "answer_id": answer_id }), MAX_ATTEMPTS)
                    .await?;
            }
            if interview.status == InterviewStatus::Completed
                && evaluations::unevaluated_count(conn, interview.id).await? == 0
            {
                enqueue_completion(conn, interview.id).await?;
            }
            Ok(())
        })
        .await
    }

    async fn plan_follow_up(&self, answer_id: Uuid) -> AppResult<()> {
        let mut conn = self.services.pool.get().await?;
        conn.transaction::<_, AppError, _>(async move |conn| {
            let Some((_, question, interview)) = evaluations::answer_context(conn, answer_id).await? else {
                return Ok(());
            };
            let Some(interview) = interviews::lock(conn, interview.id).await? else { return Ok(()) };
            if interview.status != InterviewStatus::InProgress
                || question.follow_up_of.is_some()
                || evaluations::has_follow_up(conn, question.id).await?
            {
                return Ok(());
            }
            let Some(current) = evaluations::current_of(conn, &[answer_id]).await?.into_iter().next() else {
                return Ok(());
            };
            let evaluation: Evaluation = serde_json::from_value(current.body).map_err(AppError::internal)?;
            let ctx = question_context(&question);
            if let Some(follow_up) = followup::plan(&ctx, &evaluation) {
                let added =
                    evaluations::insert_follow_up(conn, &question, &follow_up.text, &follow_up.reason)
                        .await?;
                interviews::publish(conn, interview.id, "FOLLOW_UP_ADDED", added.id).await?;
            }
            Ok(())
        })
        .await
    }

    async fn complete(&self, interview_id: Uuid) -> AppResult<()> {
        let mut conn = self.services.pool.get().await?;
        conn.transaction::<_, AppError, _>(async move |conn| {
            let Some(interview) = interviews::lock(conn, interview_id).await? else { return Ok(()) };
            if interview.status != InterviewStatus::Completed
                || evaluations::unevaluated_count(conn, interview_id).await? > 0
            {
                return Ok(());
            }
            let answers = interviews::answers_of(conn, &[interview_id]).await?;
            let ids: Vec<Uuid> = answers.iter().map(|a| a.id).collect();
            let current = evaluations::current_of(conn, &ids).await?;
            let mut scored: Vec<(i32, Evaluation)> = Vec::new();
            for answer in &answers {
                let Some(stored) = current.iter().find(|e| e.answer_id == answer.id) else { continue };
                let evaluation: Evaluation =
                    serde_json::from_value(stored.body.clone()).map_err(AppError::internal)?;
                scored.push((answer.human_score.unwrap_or(stored.overall_score), evaluation));
            }
            if scored.is_empty() {
                return Ok(());
            }
            let overall =
                (scored.iter().map(|(s, _)| f64::from(*s)).sum::<f64>() / scored.len() as f64).round() as i32;
            let (feedback, recommendations) = summarise(overall, &scored);
            interviews::record_result(
                conn,
                interview_id,
                overall,
                grade(overall),
                &feedback,
                &recommendations,
                None,
            )
            .await?;
            interviews::publish(conn, interview_id, "INTERVIEW_EVALUATED", interview_id).await?;
            notify::send(
                conn,
                interview.candidate_id,
                notify::Kind::ResultsAvailable,
                "Results available",
                "The results of your interview are available.",
                json!({ "interviewId": interview_id }),
            )
            .await?;
            Ok(())
        })
        .await
    }
}

/// What the evaluator needs to know of an interview question.
fn question_context(question: &interviews::InterviewQuestion) -> QuestionContext<'_> {
    QuestionContext {
        text: &question.text,
        kind: question.kind,
        ideal_answer: &question.ideal_answer,
        expected_keywords: &question.expected_keywords,
        time_limit_seconds: question.time_limit_seconds,
    }
}

/// The interview's feedback and recommendations from its answers' evaluations.
fn summarise(overall: i32, scored: &[(i32, Evaluation)]) -> (String, Vec<String>) {
    let mut by_score: Vec<&(i32, Evaluation)> = scored.iter().collect();
    by_score.sort_by_key(|(s, _)| *s);
    let dimension = |f: fn(&Evaluation) -> i32| {
        (scored.iter().map(|(_, e)| f64::from(f(e))).sum::<f64>() / scored.len() as f64).round() as i32
    };
    let mut feedback = format!(
        "Overall {overall}/100 over {} answers: content {}, communication {}, technical depth {}, relevance {}.",
        scored.len(),
        dimension(|e| e.scores.content),
        dimension(|e| e.scores.communication),
        dimension(|e| e.scores.technical_depth),
        dimension(|e| e.scores.relevance),
    );
    if let Some((best, e)) = by_score.last()
        && let Some(strength) = e.strengths.first()
    {
        feedback.push_str(&format!(" Strongest answer ({best}/100): {strength}"));
    }
    let mut recommendations: Vec<String> = Vec::new();
    for (_, e) in by_score.iter().take(3) {
        if let Some(first) = e.improvements.first()
            && !recommendations.contains(first)
        {
            recommendations.push(first.clone());
        }
    }
    (feedback, recommendations)
}
