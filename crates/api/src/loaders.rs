//! Per-request DataLoaders, so nested fields cost one query per kind, not one per row. Each
//! batch is one read of the service layer.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use viva_domain::{AnswerId, InterviewId, InterviewQuestionId, JobId, UserId};
use viva_service::{Service, evaluations, job_postings, reads};
use viva_store::models::user::Person;

use crate::error::AppError;

/// Loads one value through the request's loader `L`. The load is boxed: a loader's future is
/// large, and a resolver that held it in place would make the future of every field of its type
/// as large (async-graphql allocates and moves one per field resolved).
pub async fn load_one<L, K>(ctx: &async_graphql::Context<'_>, key: K) -> Result<Option<L::Value>, AppError>
where
    L: Loader<K, Error = AppError>,
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
{
    let loader = ctx.data::<DataLoader<L, HashMapCache>>().map_err(|_| {
        AppError::internal(format!("{} missing from the request data", std::any::type_name::<L>()))
    })?;
    Box::pin(loader.load_one(key)).await
}

/// Loads people (what anyone who deals with them may see) by id.
pub struct UserLoader {
    service: Service,
}

impl Loader<UserId> for UserLoader {
    type Value = Person;
    type Error = AppError;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, Person>, AppError> {
        let users = reads::people_by_ids(&self.service, keys).await?;
        Ok(users.into_iter().map(|user| (user.id, user)).collect())
    }
}

/// A fresh user loader for one request or one subscription. Loaders cache per request, so a
/// field asked twice (answers and progress, say) costs one batch.
pub fn user_loader(service: Service) -> DataLoader<UserLoader, HashMapCache> {
    DataLoader::with_cache(UserLoader { service }, tokio::spawn, HashMapCache::default())
}

/// Loads the questions of interviews (without their answer keys), in order, by interview id.
pub struct InterviewQuestionsLoader {
    service: Service,
}

impl Loader<InterviewId> for InterviewQuestionsLoader {
    type Value = Vec<viva_store::models::interview::QuestionOutline>;
    type Error = AppError;

    async fn load(&self, keys: &[InterviewId]) -> Result<HashMap<InterviewId, Self::Value>, AppError> {
        let mut out: HashMap<InterviewId, Self::Value> = HashMap::new();
        for q in reads::interview_questions_of(&self.service, keys).await? {
            out.entry(q.interview_id).or_default().push(q);
        }
        Ok(out)
    }
}

/// Loads the answer keys of interview questions, by question id: only when a selection shows
/// one and the page was not read with them.
pub struct AnswerKeyLoader {
    service: Service,
}

impl Loader<InterviewQuestionId> for AnswerKeyLoader {
    type Value = viva_store::models::interview::AnswerKey;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[InterviewQuestionId],
    ) -> Result<HashMap<InterviewQuestionId, Self::Value>, AppError> {
        let found = reads::answer_keys_of(&self.service, keys).await?;
        Ok(found.into_iter().map(|key| (key.id, key)).collect())
    }
}

/// Loads the answers of interviews, by interview id.
pub struct AnswersLoader {
    service: Service,
}

impl Loader<InterviewId> for AnswersLoader {
    type Value = Vec<viva_store::models::interview::Answer>;
    type Error = AppError;

    async fn load(&self, keys: &[InterviewId]) -> Result<HashMap<InterviewId, Self::Value>, AppError> {
        let mut out: HashMap<InterviewId, Self::Value> = HashMap::new();
        for a in reads::answers_of(&self.service, keys).await? {
            out.entry(a.interview_id).or_default().push(a);
        }
        Ok(out)
    }
}

/// Loads the current evaluation of answers, by answer id.
pub struct CurrentEvaluationLoader {
    service: Service,
}

impl Loader<AnswerId> for CurrentEvaluationLoader {
    type Value = viva_store::models::evaluation::StoredEvaluation;
    type Error = AppError;

    async fn load(&self, keys: &[AnswerId]) -> Result<HashMap<AnswerId, Self::Value>, AppError> {
        let current = evaluations::current_of(&self.service, keys).await?;
        Ok(current.into_iter().map(|e| (e.answer_id, e)).collect())
    }
}

/// Loads jobs by id.
pub struct JobLoader {
    service: Service,
}

impl Loader<JobId> for JobLoader {
    type Value = viva_store::models::job::Job;
    type Error = AppError;

    async fn load(&self, keys: &[JobId]) -> Result<HashMap<JobId, Self::Value>, AppError> {
        let jobs = job_postings::by_ids(&self.service, keys).await?;
        Ok(jobs.into_iter().map(|j| (j.id, j)).collect())
    }
}

/// Loads each candidate's newest scheduled interview, by candidate id.
pub struct LatestInterviewLoader {
    service: Service,
}

impl Loader<UserId> for LatestInterviewLoader {
    type Value = viva_store::models::interview::Interview;
    type Error = AppError;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, Self::Value>, AppError> {
        let latest = reads::latest_scheduled_of(&self.service, keys).await?;
        Ok(latest.into_iter().map(|i| (i.candidate_id, i)).collect())
    }
}

/// Loads interviews by id.
pub struct InterviewLoader {
    service: Service,
}

impl Loader<InterviewId> for InterviewLoader {
    type Value = viva_store::models::interview::Interview;
    type Error = AppError;

    async fn load(&self, keys: &[InterviewId]) -> Result<HashMap<InterviewId, Self::Value>, AppError> {
        let found = reads::interviews_by_ids(&self.service, keys).await?;
        Ok(found.into_iter().map(|i| (i.id, i)).collect())
    }
}

/// Loads every evaluation of answers (newest first), by answer id.
pub struct EvaluationHistoryLoader {
    service: Service,
}

impl Loader<AnswerId> for EvaluationHistoryLoader {
    type Value = Vec<viva_store::models::evaluation::StoredEvaluation>;
    type Error = AppError;

    async fn load(&self, keys: &[AnswerId]) -> Result<HashMap<AnswerId, Self::Value>, AppError> {
        let mut out: HashMap<AnswerId, Self::Value> = HashMap::new();
        for e in evaluations::histories_of(&self.service, keys).await? {
            out.entry(e.answer_id).or_default().push(e);
        }
        Ok(out)
    }
}

/// Loads the transcripts of spoken answers, by answer id.
pub struct TranscriptLoader {
    service: Service,
}

impl Loader<AnswerId> for TranscriptLoader {
    type Value = viva_store::models::media::Transcript;
    type Error = AppError;

    async fn load(&self, keys: &[AnswerId]) -> Result<HashMap<AnswerId, Self::Value>, AppError> {
        let transcripts = viva_service::interviews::spoken::transcripts_of(&self.service, keys).await?;
        Ok(transcripts.into_iter().map(|t| (t.answer_id, t)).collect())
    }
}

/// Loads the audio and recordings of answers, by answer id.
pub struct AnswerMediaLoader {
    service: Service,
}

impl Loader<AnswerId> for AnswerMediaLoader {
    type Value = Vec<viva_store::models::media::AnswerMedia>;
    type Error = AppError;

    async fn load(&self, keys: &[AnswerId]) -> Result<HashMap<AnswerId, Self::Value>, AppError> {
        let mut out: HashMap<AnswerId, Self::Value> = HashMap::new();
        for m in viva_service::interviews::spoken::media_of(&self.service, keys).await? {
            out.entry(m.answer_id).or_default().push(m);
        }
        Ok(out)
    }
}

/// Every per-request loader, added to a request's data.
pub fn with_loaders(request: async_graphql::Request, service: &Service) -> async_graphql::Request {
    request
        .data(user_loader(service.clone()))
        .data(DataLoader::with_cache(
            InterviewQuestionsLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            AnswerKeyLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            AnswersLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            JobLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            CurrentEvaluationLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            LatestInterviewLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            InterviewLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            EvaluationHistoryLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            TranscriptLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            AnswerMediaLoader { service: service.clone() },
            tokio::spawn,
            HashMapCache::default(),
        ))
}
