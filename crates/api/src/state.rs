//! The services every resolver and handler shares.

use std::sync::Arc;

use viva_store::DbPool;
use viva_store::events::EventBus;

use crate::auth::passwords::PasswordHasher;
use crate::auth::tokens::TokenIssuer;
use crate::config::ApiConfig;
use crate::metrics::Metrics;

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
}

impl std::ops::Deref for Services {
    type Target = ServicesInner;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Services {
    /// Builds the services: the token issuer and the password hasher from the configuration.
    pub async fn new(pool: DbPool, config: ApiConfig, events: EventBus) -> crate::error::AppResult<Self> {
        let tokens = TokenIssuer::new(&config);
        let passwords = PasswordHasher::new(config.max_concurrent_hashes).await?;
        let metrics = Metrics::new().map_err(crate::error::AppError::internal)?;
        Ok(Self(Arc::new(ServicesInner { pool, config, tokens, passwords, metrics, events })))
    }
}
