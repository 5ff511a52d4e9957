//! The API's settings. The server crate fills them from the environment and a TOML file.

use std::time::Duration;

pub use viva_domain::secret::Secret;
pub use viva_service::config::{Environment, ServiceConfig, ThrottleSettings};

/// Everything the API needs to know about its deployment.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// What the service layer reads: tokens, links in emails, throttles, SMTP.
    pub service: ServiceConfig,
    /// Whether cookies carry `Secure` (off only for plain-HTTP development).
    pub cookie_secure: bool,
    /// Whether to take the client's address from `X-Forwarded-For` (only behind proxies that set
    /// it).
    pub trust_forwarded_for: bool,
    /// How many proxies of ours append to `X-Forwarded-For`: the client is that many entries from
    /// the right (the entries further left are the client's own and never trusted).
    pub trusted_proxy_hops: usize,
    /// Origins allowed to call the API from a browser; empty allows none cross-origin.
    pub cors_allowed_origins: Vec<String>,
    /// Whether `/metrics` is on the public router; otherwise only a separate listener serves it
    /// (or nothing does).
    pub metrics_on_public_router: bool,
    /// Whether to serve GraphiQL at `/graphiql`.
    pub graphiql: bool,
    /// The directory holding GraphiQL's scripts and styles (fetched by
    /// `scripts/fetch-graphiql.sh`); without them the page says how to get them.
    pub graphiql_assets: Option<std::path::PathBuf>,
    /// Automatic persisted queries and trusted documents.
    pub persisted: crate::persisted::PersistedSettings,
    /// Whether schema introspection is allowed.
    pub introspection: bool,
    /// Whether validation errors may suggest field names ("Did you mean ...").
    pub suggestions: bool,
    /// Request limits.
    pub limits: Limits,
}

/// Limits on what one request may ask of the server.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest JSON request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest multipart request body (all files included), in bytes.
    pub max_upload_bytes: usize,
    /// Most files in one multipart request.
    pub max_upload_files: usize,
    /// Deepest selection set.
    pub max_depth: usize,
    /// Highest total field complexity.
    pub max_complexity: usize,
    /// Most directives on one field.
    pub max_directives: usize,
    /// Most aliased fields in one document.
    pub max_aliases: usize,
    /// How long a WebSocket client has to send `connection_init`.
    pub ws_init_timeout: Duration,
    /// Most live subscriptions on one WebSocket connection.
    pub max_subscriptions_per_connection: usize,
    /// Most WebSocket connections open at once from one client address.
    pub max_ws_connections_per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            max_upload_bytes: 96 * 1024 * 1024,
            max_upload_files: 4,
            max_depth: 15,
            max_complexity: 5_000,
            max_directives: 8,
            max_aliases: 30,
            ws_init_timeout: Duration::from_secs(5),
            max_subscriptions_per_connection: 20,
            max_ws_connections_per_address: 64,
        }
    }
}

impl ApiConfig {
    /// Settings for tests and examples: development defaults with the given signing key.
    pub fn for_tests(jwt_secret: &[u8]) -> Self {
        Self {
            service: ServiceConfig::for_tests(jwt_secret),
            cookie_secure: true,
            trust_forwarded_for: false,
            trusted_proxy_hops: 1,
            cors_allowed_origins: Vec::new(),
            metrics_on_public_router: true,
            graphiql: true,
            graphiql_assets: None,
            persisted: crate::persisted::PersistedSettings::default(),
            introspection: true,
            suggestions: true,
            limits: Limits::default(),
        }
    }
}
