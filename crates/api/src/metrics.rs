//! Prometheus metrics, one registry per process.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The metrics the API records.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// HTTP responses by route and status.
    pub http_responses: IntCounterVec,
    /// GraphQL operations by type and outcome.
    pub graphql_operations: IntCounterVec,
    /// GraphQL execution time by operation type.
    pub graphql_seconds: HistogramVec,
    /// Sign-in attempts by outcome.
    pub logins: IntCounterVec,
    /// Database pool connections by state.
    pub pool_connections: IntGaugeVec,
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new_custom(Some("viva".to_owned()), None)?;
        let http_responses = IntCounterVec::new(
            Opts::new("http_responses_total", "HTTP responses by route and status"),
            &["route", "status"],
        )?;
        let graphql_operations = IntCounterVec::new(
            Opts::new("graphql_operations_total", "GraphQL operations by type and outcome"),
            &["operation", "outcome"],
        )?;
        let graphql_seconds = HistogramVec::new(
            HistogramOpts::new("graphql_duration_seconds", "GraphQL execution time")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["operation"],
        )?;
        let logins =
            IntCounterVec::new(Opts::new("logins_total", "Sign-in attempts by outcome"), &["outcome"])?;
        let pool_connections = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )?;
        registry.register(Box::new(http_responses.clone()))?;
        registry.register(Box::new(graphql_operations.clone()))?;
        registry.register(Box::new(graphql_seconds.clone()))?;
        registry.register(Box::new(logins.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        Ok(Self { registry, http_responses, graphql_operations, graphql_seconds, logins, pool_connections })
    }

    /// The registry, for other components' metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> prometheus::Result<String> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}
