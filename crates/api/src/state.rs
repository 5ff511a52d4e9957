//! The services every resolver and handler shares.

use std::sync::Arc;

use viva_store::DbPool;
use viva_store::events::EventBus;

use crate::auth::passwords::PasswordHasher;
use crate::auth::tokens::TokenIssuer;
use crate::config::ApiConfig;
use crate::metrics::Metrics;
use crate::persisted::PersistedQueries;

/// Shared services; cheap to clone.
#[derive(Clone)]
pub struct Services(Arc<ServicesInner>);

/// What [`Services`] holds.
pub struct ServicesInner {
    /// The database pool.
    pub pool: DbPool,
    /// The API's settings.
    pub config: ApiConfig,
    /// Access-token issuer.
    pub tokens: TokenIssuer,
    /// Password hasher.
    pub passwords: PasswordHasher,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// The event bus this process listens on.
    pub events: EventBus,
    /// The AI providers and what the pipelines share.
    pub ai: AiServices,
    /// Persisted operations (APQ cache, trusted documents).
    pub persisted: PersistedQueries,
    /// Open WebSocket connections per client address.
    pub ws_connections: crate::ws::ConnectionCounts,
}

/// The AI side of the services.
pub struct AiServices {
    /// The providers, one fallback chain per capability.
    pub registry: viva_ai::Registry,
    /// Embeddings of question-side texts, reused across evaluations.
    pub cache: viva_ai::QuestionCache,
}

impl std::ops::Deref for Services {
    type Target = ServicesInner;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Services {
    /// Builds the services: the token issuer and the password hasher from the configuration.
    /// No AI provider is configured: the offline rules evaluate by word overlap.
    pub async fn new(pool: DbPool, config: ApiConfig, events: EventBus) -> crate::error::AppResult<Self> {
        Self::with_ai(pool, config, events, viva_ai::Registry::empty).await
    }

    /// Builds the services with the AI registry that `build` makes (given the metrics it
    /// should record into).
    pub async fn with_ai(
        pool: DbPool,
        config: ApiConfig,
        events: EventBus,
        build: impl FnOnce(viva_ai::AiMetrics) -> viva_ai::Registry,
    ) -> crate::error::AppResult<Self> {
        let tokens = TokenIssuer::new(&config);
        let passwords = PasswordHasher::new(config.max_concurrent_hashes).await?;
        let metrics = Metrics::new().map_err(crate::error::AppError::internal)?;
        let ai_metrics =
            viva_ai::AiMetrics::register(metrics.registry()).map_err(crate::error::AppError::internal)?;
        let ai = AiServices { registry: build(ai_metrics), cache: viva_ai::QuestionCache::default() };
        let persisted = PersistedQueries::new(config.persisted.clone());
        let ws_connections = crate::ws::ConnectionCounts::default();
        Ok(Self(Arc::new(ServicesInner {
            pool,
            config,
            tokens,
            passwords,
            metrics,
            events,
            ai,
            persisted,
            ws_connections,
        })))
    }
}
