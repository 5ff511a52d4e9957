//! Viva's service layer: the use cases of the platform, each with its rules, its access policy
//! and its transaction, over the store; the typed background jobs; mail; the question bank.
//!
//! The API (GraphQL resolvers, the HTTP and WebSocket handlers) parses input, calls one function
//! here and maps the result; it never opens a transaction or writes SQL. The workers run the jobs
//! defined under [`jobs`].

pub mod account_data;
pub mod accounts;
pub mod ai_spend;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod config;
pub mod error;
pub mod evaluations;
pub mod interviews;
pub mod job_postings;
pub mod jobs;
pub mod links;
pub mod mail;
pub mod messaging;
pub mod notifications;
pub mod notify;
pub mod objects;
pub mod organisation;
pub mod question_bank;
pub mod questions;
pub mod reads;
pub mod reports;
pub mod resumes;
pub mod similarity;
pub mod users;

use std::sync::Arc;

use viva_store::DbPool;
use viva_store::events::EventBus;

pub use config::{Environment, ServiceConfig};
pub use error::{ServiceError, ServiceResult};

use crate::auth::passwords::PasswordHasher;
use crate::auth::session_cache::SessionCache;
use crate::auth::tokens::TokenIssuer;

/// The handle every use case takes: the pool, the settings, the password hasher, the token
/// issuer, the session cache, the event bus and the AI providers. Cheap to clone.
#[derive(Clone)]
pub struct Service(Arc<ServiceInner>);

/// What a [`Service`] holds.
pub struct ServiceInner {
    /// The database pool.
    pub pool: DbPool,
    /// The settings the use cases read.
    pub config: ServiceConfig,
    /// Access-token issuer.
    pub tokens: TokenIssuer,
    /// Password hasher.
    pub passwords: PasswordHasher,
    /// The event bus this process listens on.
    pub events: EventBus,
    /// Sessions resolved recently, evicted by the bus's `ACCESS_CHANGED` events.
    pub sessions: Arc<SessionCache>,
    /// The AI providers and what the pipelines share.
    pub ai: AiServices,
    /// The SMTP mailer, when SMTP is configured.
    pub mailer: Option<mail::smtp::Mailer>,
    /// The object store (exported reports, resumes).
    pub objects: objects::Objects,
    /// This replica's semantic index of resumes.
    pub resume_index: Arc<resumes::index::ResumeIndex>,
}

/// The AI side of the service.
pub struct AiServices {
    /// The providers, one fallback chain per capability.
    pub registry: viva_ai::Registry,
    /// Embeddings of question-side texts, reused across evaluations.
    pub cache: viva_ai::QuestionCache,
}

impl std::ops::Deref for Service {
    type Target = ServiceInner;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Service {
    /// Builds the service over a pool, with the AI registry given.
    pub async fn new(
        pool: DbPool,
        config: ServiceConfig,
        events: EventBus,
        mut registry: viva_ai::Registry,
    ) -> ServiceResult<Self> {
        registry.set_ledger(Arc::new(ai_spend::StoreLedger::new(pool.clone())));
        let tokens = TokenIssuer::new(&config);
        let passwords = PasswordHasher::new(config.max_concurrent_hashes).await?;
        let ai = AiServices { registry, cache: viva_ai::QuestionCache::default() };
        let mailer = match &config.smtp {
            Some(settings) => Some(mail::smtp::Mailer::new(settings).map_err(ServiceError::internal)?),
            None => None,
        };
        let objects = objects::Objects::open(&config.objects)?;
        let sessions = Arc::new(SessionCache::new(&config.session_cache));
        let observed = Arc::clone(&sessions);
        let resume_index = Arc::new(resumes::index::ResumeIndex::default());
        let indexed = Arc::clone(&resume_index);
        events.observe(move |event| {
            if event.kind == viva_store::events::ACCESS_CHANGED {
                observed.evict_user(viva_domain::UserId(event.id));
            } else if event.kind == viva_store::events::RESUMES_CHANGED {
                indexed.candidate_changed(viva_domain::UserId(event.id));
            }
        });
        Ok(Self(Arc::new(ServiceInner {
            pool,
            config,
            tokens,
            passwords,
            events,
            sessions,
            ai,
            mailer,
            objects,
            resume_index,
        })))
    }
}
