//! Per-request DataLoaders, so nested fields cost one query per kind, not one per row.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use uuid::Uuid;
use viva_store::DbPool;
use viva_store::models::user::{User, find_many};

use crate::error::AppError;

/// Loads users by id.
pub struct UserLoader {
    pool: DbPool,
}

impl Loader<Uuid> for UserLoader {
    type Value = User;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, User>, AppError> {
        let mut conn = self.pool.get().await?;
        let users = find_many(&mut conn, keys).await?;
        Ok(users.into_iter().map(|user| (user.id.0, user)).collect())
    }
}

/// A fresh user loader for one request or one subscription. Loaders cache per request, so a
/// field asked twice (answers and progress, say) costs one batch.
pub fn user_loader(pool: DbPool) -> DataLoader<UserLoader, HashMapCache> {
    DataLoader::with_cache(UserLoader { pool }, tokio::spawn, HashMapCache::default())
}

/// Loads the questions of interviews, in order, by interview id.
pub struct InterviewQuestionsLoader {
    pool: DbPool,
}

impl Loader<Uuid> for InterviewQuestionsLoader {
    type Value = Vec<viva_store::models::interview::InterviewQuestion>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let mut conn = self.pool.get().await?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for q in viva_store::models::interview::questions_of(&mut conn, keys).await? {
            out.entry(q.interview_id).or_default().push(q);
        }
        Ok(out)
    }
}

/// Loads the answers of interviews, by interview id.
pub struct AnswersLoader {
    pool: DbPool,
}

impl Loader<Uuid> for AnswersLoader {
    type Value = Vec<viva_store::models::interview::Answer>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let mut conn = self.pool.get().await?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for a in viva_store::models::interview::answers_of(&mut conn, keys).await? {
            out.entry(a.interview_id).or_default().push(a);
        }
        Ok(out)
    }
}

/// Loads the current evaluation of answers, by answer id.
pub struct CurrentEvaluationLoader {
    pool: DbPool,
}

impl Loader<Uuid> for CurrentEvaluationLoader {
    type Value = viva_store::models::evaluation::StoredEvaluation;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let mut conn = self.pool.get().await?;
        Ok(viva_store::models::evaluation::current_of(&mut conn, keys)
            .await?
            .into_iter()
            .map(|e| (e.answer_id, e))
            .collect())
    }
}

/// Loads jobs by id.
pub struct JobLoader {
    pool: DbPool,
}

impl Loader<Uuid> for JobLoader {
    type Value = viva_store::models::job::Job;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let mut conn = self.pool.get().await?;
        Ok(viva_store::models::job::find_many(&mut conn, keys)
            .await?
            .into_iter()
            .map(|j| (j.id, j))
            .collect())
    }
}

/// Loads each candidate's newest scheduled interview, by candidate id.
pub struct LatestInterviewLoader {
    pool: DbPool,
}

impl Loader<Uuid> for LatestInterviewLoader {
    type Value = viva_store::models::interview::Interview;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let mut conn = self.pool.get().await?;
        let latest = viva_store::models::interview::latest_scheduled_of(&mut conn, keys).await?;
        Ok(latest.into_iter().map(|i| (i.candidate_id.0, i)).collect())
    }
}

/// Loads interviews by id.
pub struct InterviewLoader {
    pool: DbPool,
}

impl Loader<Uuid> for InterviewLoader {
    type Value = viva_store::models::interview::Interview;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let mut conn = self.pool.get().await?;
        let found = viva_store::models::interview::find_many(&mut conn, keys).await?;
        Ok(found.into_iter().map(|i| (i.id, i)).collect())
    }
}

/// Loads every evaluation of answers (newest first), by answer id.
pub struct EvaluationHistoryLoader {
    pool: DbPool,
}

impl Loader<Uuid> for EvaluationHistoryLoader {
    type Value = Vec<viva_store::models::evaluation::StoredEvaluation>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, AppError> {
        let mut conn = self.pool.get().await?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for e in viva_store::models::evaluation::histories(&mut conn, keys).await? {
            out.entry(e.answer_id).or_default().push(e);
        }
        Ok(out)
    }
}

/// Every per-request loader, added to a request's data.
pub fn with_loaders(request: async_graphql::Request, pool: &DbPool) -> async_graphql::Request {
    request
        .data(user_loader(pool.clone()))
        .data(DataLoader::with_cache(
            InterviewQuestionsLoader { pool: pool.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            AnswersLoader { pool: pool.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(JobLoader { pool: pool.clone() }, tokio::spawn, HashMapCache::default()))
        .data(DataLoader::with_cache(
            CurrentEvaluationLoader { pool: pool.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            LatestInterviewLoader { pool: pool.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            InterviewLoader { pool: pool.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            EvaluationHistoryLoader { pool: pool.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
}
