//! What every resolver and handler shares: the service layer, plus what only the API needs
//! (its settings, metrics, persisted operations, document checks, WebSocket connection counts).

use std::collections::HashMap;
use std::sync::Arc;

use viva_service::Service;
use viva_service::interviews::EventData;
use viva_store::DbPool;
use viva_store::events::EventBus;

use crate::config::ApiConfig;
use crate::fanout::SharedLoads;
use crate::graphql::document_checks::DocumentChecks;
use crate::metrics::Metrics;
use crate::persisted::PersistedQueries;

/// Shared services; cheap to clone.
#[derive(Clone)]
pub struct Services(Arc<ServicesInner>);

/// What [`Services`] holds.
pub struct ServicesInner {
    /// The service layer: every use case goes through it.
    pub service: Service,
    /// The API's settings.
    pub config: ApiConfig,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Persisted operations (APQ cache, trusted documents).
    pub persisted: PersistedQueries,
    /// The checks every document passes before it runs, and the documents kept parsed.
    pub document_checks: DocumentChecks,
    /// Open WebSocket connections per client address.
    pub ws_connections: ConnectionCounts,
    /// Interview events as loaded for their subscribers, once per event.
    pub interview_events: SharedLoads<Option<Arc<EventData>>>,
}

impl std::ops::Deref for Services {
    type Target = ServicesInner;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Services {
    /// Builds the services with no AI provider configured: the offline rules evaluate by word
    /// overlap.
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
        let metrics = Metrics::new().map_err(crate::error::AppError::internal)?;
        let ai_metrics =
            viva_ai::AiMetrics::register(metrics.registry()).map_err(crate::error::AppError::internal)?;
        let service = Service::new(pool, config.service.clone(), events, build(ai_metrics)).await?;
        let persisted = PersistedQueries::new(config.persisted.clone());
        let ws_connections = ConnectionCounts::default();
        let document_checks = DocumentChecks::new(config.limits.max_aliases, config.introspection);
        Ok(Self(Arc::new(ServicesInner {
            service,
            config,
            metrics,
            persisted,
            document_checks,
            ws_connections,
            interview_events: SharedLoads::default(),
        })))
    }
}

/// Open connections per client address, so one client cannot hold them all.
#[derive(Default)]
pub struct ConnectionCounts(std::sync::Mutex<HashMap<String, usize>>);

/// One counted connection; uncounted when dropped.
pub struct ConnectionSlot {
    counts: Services,
    address: String,
}

impl ConnectionCounts {
    /// Counts a new connection from `address`, or refuses if it already has `limit`.
    pub fn open(services: &Services, address: &str, limit: usize) -> Option<ConnectionSlot> {
        let mut counts = services.ws_connections.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry(address.to_owned()).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot { counts: services.clone(), address: address.to_owned() })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut counts =
            self.counts.ws_connections.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}
