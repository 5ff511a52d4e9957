//! The API's settings. The server crate fills them from the environment and a TOML file.

use std::fmt;
use std::time::Duration;

/// Where the platform runs; production turns off everything meant for developers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// A developer's machine: demo data, emails in the log.
    Development,
    /// The test suite.
    Test,
    /// Serving real users.
    Production,
}

/// A secret value that never appears in logs or debug output.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The secret bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Everything the API needs to know about its deployment.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Where the platform runs.
    pub environment: Environment,
    /// The key that signs access tokens (HS256), at least 32 bytes.
    pub jwt_secret: Secret,
    /// The `iss` of access tokens.
    pub jwt_issuer: String,
    /// The `aud` of access tokens.
    pub jwt_audience: String,
    /// How long an access token lives.
    pub access_token_ttl: Duration,
    /// How long a refresh token lives.
    pub refresh_token_ttl: Duration,
    /// How long an email-verification link works.
    pub email_verification_ttl: Duration,
    /// How long a password-reset link works.
    pub password_reset_ttl: Duration,
    /// The public URL of the web app, for links in emails.
    pub public_url: String,
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
    /// Sign-in throttles.
    pub throttle: ThrottleSettings,
    /// Most password hashes computed at once; each takes about 19 MiB and one core.
    pub max_concurrent_hashes: usize,
    /// SMTP delivery of the outbox; without it, emails stay in the outbox (and, outside
    /// production, in the log).
    pub smtp: Option<crate::mail::smtp::SmtpSettings>,
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
            max_upload_bytes: 12 * 1024 * 1024,
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

/// How many failed sign-ins are tolerated before further attempts are refused.
#[derive(Clone, Debug)]
pub struct ThrottleSettings {
    /// The window over which failures are counted.
    pub window: Duration,
    /// Failed sign-ins per account in the window.
    pub max_failures_per_account: i64,
    /// Failed sign-ins per client address in the window.
    pub max_failures_per_address: i64,
    /// Registrations and reset requests per client address in the window.
    pub max_requests_per_address: i64,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            max_failures_per_account: 5,
            max_failures_per_address: 50,
            max_requests_per_address: 30,
        }
    }
}

impl ApiConfig {
    /// Settings for tests and examples: development defaults with the given signing key.
    pub fn for_tests(jwt_secret: &[u8]) -> Self {
        Self {
            environment: Environment::Test,
            jwt_secret: Secret::new(jwt_secret),
            jwt_issuer: "viva".to_owned(),
            jwt_audience: "viva-api".to_owned(),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            email_verification_ttl: Duration::from_secs(48 * 3600),
            password_reset_ttl: Duration::from_secs(3600),
            public_url: "http://localhost:8000".to_owned(),
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
            throttle: ThrottleSettings::default(),
            max_concurrent_hashes: 2,
            smtp: None,
        }
    }
}
