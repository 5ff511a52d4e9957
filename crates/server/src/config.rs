//! Configuration: defaults, then an optional TOML file, then `VIVA_*` environment variables.
//! Validated at start; every problem is reported in one line naming the setting.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use viva_api::config::{ApiConfig, Environment, Limits, Secret, ServiceConfig, ThrottleSettings};
use viva_api::persisted::{PersistedSettings, TrustedDocuments};
use viva_service::analytics::AnalyticsSettings;
use viva_service::auth::session_cache::SessionCacheSettings;
use viva_service::interviews::spoken::SpokenSettings;
use viva_service::mail::smtp::SmtpSettings;
use viva_service::objects::ObjectStorage;
use viva_service::reports::ReportSettings;
use viva_service::resumes::ResumeSettings;

pub mod ai;

/// Every setting, as read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// AI providers per capability, tried in order, and how to reach and guard them (the
    /// `[ai]` table of the TOML file; see [`ai`]).
    pub ai: ai::AiSection,
    /// A sentence-transformers directory for the candle provider (VIVA_MODEL_DIR); by default
    /// Viva's model cache, where `scripts/fetch-model.sh` puts it.
    pub model_dir: Option<std::path::PathBuf>,
    /// Run the background workers inside `serve` (VIVA_WORKERS_IN_SERVE).
    pub workers_in_serve: bool,
    /// Jobs each process runs at once (VIVA_WORKER_CONCURRENCY).
    pub worker_concurrency: usize,
    /// Seconds a claimed job belongs to its worker before another may take it
    /// (VIVA_WORKER_LEASE_SECS).
    pub worker_lease_secs: f64,
    /// `development`, `test` or `production` (VIVA_ENVIRONMENT); `production` when unset.
    pub environment: String,
    /// PostgreSQL URL (VIVA_DATABASE_URL, or DATABASE_URL).
    pub database_url: Option<String>,
    /// Address to listen on (VIVA_LISTEN).
    pub listen: SocketAddr,
    /// A separate address serving only `/metrics` (VIVA_METRICS_LISTEN), e.g. `127.0.0.1:9100`.
    /// When set, the public listener does not serve `/metrics`; when unset, it does outside
    /// production and nothing does in production.
    pub metrics_listen: Option<SocketAddr>,
    /// Connections in the database pool (VIVA_DB_POOL_SIZE).
    pub db_pool_size: usize,
    /// Apply pending migrations when `serve` starts (VIVA_MIGRATE_ON_START).
    pub migrate_on_start: bool,
    /// HS256 signing key for access tokens, at least 32 bytes (VIVA_JWT_SECRET).
    pub jwt_secret: Option<String>,
    /// Seconds an access token lives (VIVA_ACCESS_TOKEN_TTL_SECS); also how long a WebSocket
    /// connection lives unless the client renews its token.
    pub access_token_ttl_secs: u64,
    /// `iss` of access tokens (VIVA_JWT_ISSUER).
    pub jwt_issuer: String,
    /// `aud` of access tokens (VIVA_JWT_AUDIENCE).
    pub jwt_audience: String,
    /// Public URL of the web app, for links in emails (VIVA_PUBLIC_URL).
    pub public_url: String,
    /// Serve GraphiQL; default on outside production (VIVA_GRAPHIQL).
    pub graphiql: Option<bool>,
    /// Where GraphiQL's scripts and styles are (VIVA_GRAPHIQL_ASSETS); by default Viva's cache,
    /// where `scripts/fetch-graphiql.sh` puts them.
    pub graphiql_assets: Option<std::path::PathBuf>,
    /// Accept Apollo's automatic persisted queries (VIVA_APQ).
    pub apq: bool,
    /// Most documents in the persisted-query cache (VIVA_APQ_CACHE_ENTRIES).
    pub apq_cache_entries: usize,
    /// Most bytes of documents in the persisted-query cache (VIVA_APQ_CACHE_BYTES).
    pub apq_cache_bytes: usize,
    /// A manifest of trusted documents (VIVA_TRUSTED_DOCUMENTS): when set, only the operations
    /// it registers run. JSON: `{ "<id>": "<document>", … }` or Apollo's persisted query manifest.
    pub trusted_documents: Option<std::path::PathBuf>,
    /// Allow introspection; default on outside production (VIVA_INTROSPECTION).
    pub introspection: Option<bool>,
    /// Suggest field names in errors; default on outside production (VIVA_SUGGESTIONS).
    pub suggestions: Option<bool>,
    /// Mark cookies `Secure` (VIVA_COOKIE_SECURE).
    pub cookie_secure: bool,
    /// Trust `X-Forwarded-For` (only behind a proxy that sets it) (VIVA_TRUST_FORWARDED_FOR).
    pub trust_forwarded_for: bool,
    /// Proxies of ours in front of Viva, each appending to `X-Forwarded-For`; the client's address
    /// is taken that many entries from the right (VIVA_TRUSTED_PROXY_HOPS).
    pub trusted_proxy_hops: usize,
    /// Browser origins allowed to call the API (VIVA_CORS_ALLOWED_ORIGINS='["https://app.example"]').
    pub cors_allowed_origins: Vec<String>,
    /// Log as JSON lines (VIVA_LOG_JSON).
    pub log_json: bool,
    /// Largest JSON request body in bytes (VIVA_MAX_BODY_BYTES).
    pub max_body_bytes: usize,
    /// Largest upload request in bytes (VIVA_MAX_UPLOAD_BYTES).
    pub max_upload_bytes: usize,
    /// Deepest query (VIVA_MAX_QUERY_DEPTH).
    pub max_query_depth: usize,
    /// Highest query complexity (VIVA_MAX_QUERY_COMPLEXITY).
    pub max_query_complexity: usize,
    /// Most aliased fields in one document (VIVA_MAX_ALIASES).
    pub max_aliases: usize,
    /// Most live subscriptions per WebSocket connection (VIVA_MAX_SUBSCRIPTIONS_PER_CONNECTION).
    pub max_subscriptions_per_connection: usize,
    /// Most WebSocket connections at once from one client address
    /// (VIVA_MAX_WS_CONNECTIONS_PER_ADDRESS).
    pub max_ws_connections_per_address: usize,
    /// Seconds a WebSocket client has to send `connection_init` (VIVA_WS_INIT_TIMEOUT_SECS).
    pub ws_init_timeout_secs: u64,
    /// Failed sign-ins per account in 15 minutes (VIVA_MAX_LOGIN_FAILURES_PER_ACCOUNT).
    pub max_login_failures_per_account: i64,
    /// Failed sign-ins per client address in 15 minutes (VIVA_MAX_LOGIN_FAILURES_PER_ADDRESS).
    pub max_login_failures_per_address: i64,
    /// Registrations and reset requests per address in 15 minutes (VIVA_MAX_REQUESTS_PER_ADDRESS).
    pub max_requests_per_address: i64,
    /// Practice sessions with model-written questions one candidate may start in an hour
    /// (VIVA_MAX_WRITTEN_PRACTICE_PER_HOUR); each one is paid from the platform's AI budget.
    pub max_written_practice_per_hour: i64,
    /// Distinct candidates a bank question may have been given to before `questionUsage`
    /// suggests retiring it (VIVA_RETIRE_AFTER_CANDIDATES).
    pub retire_after_candidates: i64,
    /// Password hashes computed at once (VIVA_MAX_CONCURRENT_HASHES).
    pub max_concurrent_hashes: usize,
    /// SMTP server for outgoing email, e.g. `smtp://user:pass@mail.example:587?tls=required`
    /// (VIVA_SMTP_URL). Without it, emails stay in the outbox table.
    pub smtp_url: Option<String>,
    /// Sender of outgoing email (VIVA_SMTP_FROM).
    pub smtp_from: String,
    /// Reuse resolved sessions for up to 30 s, evicted at once when access changes
    /// (VIVA_SESSION_CACHE); on by default.
    pub session_cache: bool,
    /// The fewest different candidates a group of the fairness view must hold to be shown
    /// (VIVA_MIN_GROUP_SIZE); smaller groups are listed without figures.
    pub min_group_size: i64,
    /// Points by which an answer's AI and human scores must differ to be listed as a
    /// disagreement when the request names no margin (VIVA_DISAGREEMENT_MARGIN).
    pub disagreement_margin: i32,
    /// The directory of the object store (reports, resumes, answers' audio and recordings)
    /// (VIVA_OBJECTS_DIR); by default
    /// `$XDG_DATA_HOME/viva/objects` (`~/.local/share/viva/objects`), and without either, the
    /// system's temporary directory (with a warning).
    pub objects_dir: Option<std::path::PathBuf>,
    /// Keep files in this S3-compatible bucket instead of a directory (VIVA_OBJECTS_S3_BUCKET);
    /// credentials from the standard AWS_* environment variables.
    pub objects_s3_bucket: Option<String>,
    /// The S3-compatible endpoint, such as `http://minio:9000` (VIVA_OBJECTS_S3_ENDPOINT); AWS's
    /// when unset.
    pub objects_s3_endpoint: Option<String>,
    /// The bucket's region (VIVA_OBJECTS_S3_REGION); else AWS_DEFAULT_REGION.
    pub objects_s3_region: Option<String>,
    /// Seconds a report's download link works (VIVA_REPORT_LINK_TTL_SECS).
    pub report_link_ttl_secs: u64,
    /// Days an exported report's file is kept (VIVA_REPORT_RETENTION_DAYS).
    pub report_retention_days: u64,
    /// Where the PDF reports' fonts (DejaVu Sans) are (VIVA_REPORT_FONTS_DIR); by default
    /// Debian's fonts-dejavu-core.
    pub report_fonts_dir: Option<std::path::PathBuf>,
    /// Largest resume file accepted, in bytes (VIVA_MAX_RESUME_BYTES).
    pub max_resume_bytes: usize,
    /// Largest audio file of a spoken answer, in bytes (VIVA_MAX_AUDIO_BYTES).
    pub max_audio_bytes: usize,
    /// Longest audio of a spoken answer, in seconds (VIVA_MAX_AUDIO_SECONDS); longer audio fails
    /// transcription and says so on the answer.
    pub max_audio_seconds: u32,
    /// Largest recording (camera, screen or both), in bytes (VIVA_MAX_RECORDING_BYTES).
    pub max_recording_bytes: usize,
    /// Days answers' audio and recordings are kept before they are deleted
    /// (VIVA_MEDIA_RETENTION_DAYS); transcripts and scores stay.
    pub media_retention_days: u64,
    /// Seconds a recording's download link works (VIVA_MEDIA_LINK_TTL_SECS).
    pub media_link_ttl_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        let limits = Limits::default();
        let throttle = ThrottleSettings::default();
        let persisted = PersistedSettings::default();
        let analytics = AnalyticsSettings::default();
        let spoken = SpokenSettings::default();
        Self {
            ai: ai::AiSection::default(),
            model_dir: None,
            workers_in_serve: true,
            worker_concurrency: 2,
            worker_lease_secs: 120.0,
            // Unset means production: a forgotten setting must not open developer features.
            environment: "production".to_owned(),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            metrics_listen: None,
            db_pool_size: 16,
            migrate_on_start: true,
            jwt_secret: None,
            access_token_ttl_secs: 15 * 60,
            jwt_issuer: "viva".to_owned(),
            jwt_audience: "viva-api".to_owned(),
            public_url: "http://localhost:8000".to_owned(),
            graphiql: None,
            graphiql_assets: None,
            apq: persisted.apq,
            apq_cache_entries: persisted.apq_max_entries,
            apq_cache_bytes: persisted.apq_max_bytes,
            trusted_documents: None,
            introspection: None,
            suggestions: None,
            cookie_secure: true,
            trust_forwarded_for: false,
            trusted_proxy_hops: 1,
            cors_allowed_origins: Vec::new(),
            log_json: false,
            max_body_bytes: limits.max_body_bytes,
            max_upload_bytes: limits.max_upload_bytes,
            max_query_depth: limits.max_depth,
            max_query_complexity: limits.max_complexity,
            max_aliases: limits.max_aliases,
            max_subscriptions_per_connection: limits.max_subscriptions_per_connection,
            max_ws_connections_per_address: limits.max_ws_connections_per_address,
            ws_init_timeout_secs: limits.ws_init_timeout.as_secs(),
            max_login_failures_per_account: throttle.max_failures_per_account,
            max_login_failures_per_address: throttle.max_failures_per_address,
            max_requests_per_address: throttle.max_requests_per_address,
            max_written_practice_per_hour: throttle.max_written_practice_per_hour,
            retire_after_candidates: viva_service::similarity::DEFAULT_RETIRE_AFTER_CANDIDATES,
            max_concurrent_hashes: std::thread::available_parallelism().map_or(2, |n| n.get()),
            smtp_url: None,
            smtp_from: "Viva <no-reply@viva.invalid>".to_owned(),
            session_cache: true,
            min_group_size: analytics.min_group_size,
            disagreement_margin: analytics.disagreement_margin,
            objects_dir: None,
            objects_s3_bucket: None,
            objects_s3_endpoint: None,
            objects_s3_region: None,
            report_link_ttl_secs: 15 * 60,
            report_retention_days: 7,
            report_fonts_dir: None,
            max_resume_bytes: ResumeSettings::default().max_bytes,
            max_audio_bytes: spoken.max_audio_bytes,
            max_audio_seconds: spoken.max_audio_seconds,
            max_recording_bytes: spoken.max_recording_bytes,
            media_retention_days: spoken.retention.as_secs() / (24 * 3600),
            media_link_ttl_secs: spoken.link_ttl.as_secs(),
        }
    }
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// AI providers per capability, their clients and policies.
    pub ai: ai::AiConfig,
    /// Where the candle model is, if configured.
    pub model_dir: Option<std::path::PathBuf>,
    /// Whether `serve` runs workers.
    pub workers_in_serve: bool,
    /// How workers run.
    pub worker: viva_service::jobs::RunnerSettings,
    /// The PostgreSQL URL.
    pub database_url: String,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The separate metrics listener, if any.
    pub metrics_listen: Option<SocketAddr>,
    /// Connections in the pool.
    pub db_pool_size: usize,
    /// Apply pending migrations when `serve` starts.
    pub migrate_on_start: bool,
    /// Log as JSON.
    pub log_json: bool,
    /// The API's settings.
    pub api: ApiConfig,
}

impl Settings {
    /// Reads defaults, the TOML file if given, then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.exists() {
                bail!("configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Env::prefixed("VIVA_").ignore(&[
            "config",
            "admin_password",
            "gemini_api_key",
            "openai_api_key",
            "openai_base_url",
            // Read where they are used (the Whisper section and the model fetch script).
            "whisper_model",
            "whisper_dir",
        ]));
        let mut settings: Settings =
            figment.extract().map_err(|err| anyhow::anyhow!("invalid configuration: {err}"))?;
        if settings.database_url.is_none() {
            settings.database_url = std::env::var("DATABASE_URL").ok();
        }
        Ok(settings)
    }

    /// Checks the settings and derives the configuration.
    pub fn validate(self) -> anyhow::Result<Config> {
        let environment = match self.environment.as_str() {
            "development" => Environment::Development,
            "test" => Environment::Test,
            "production" => Environment::Production,
            other => bail!("VIVA_ENVIRONMENT must be development, test or production, not {other:?}"),
        };
        let production = environment == Environment::Production;
        let Some(database_url) = self.database_url.filter(|url| !url.trim().is_empty()) else {
            bail!("VIVA_DATABASE_URL is not set (for example postgres://postgres@127.0.0.1:5432/viva)");
        };
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            bail!("VIVA_DATABASE_URL must be a postgres:// URL");
        }
        let jwt_secret = match self.jwt_secret {
            Some(secret) if secret.len() >= 32 => Secret::new(secret.into_bytes()),
            Some(_) => bail!("VIVA_JWT_SECRET must be at least 32 bytes"),
            None if production => {
                bail!("VIVA_JWT_SECRET must be set in production (at least 32 random bytes)")
            }
            None => {
                tracing::warn!(
                    "VIVA_JWT_SECRET is not set: using a random key, so sessions end when the server restarts"
                );
                let mut key = [0u8; 32];
                getrandom_key(&mut key);
                Secret::new(key.to_vec())
            }
        };
        if !(1..=24 * 3600).contains(&self.access_token_ttl_secs) {
            bail!("VIVA_ACCESS_TOKEN_TTL_SECS must be between 1 and 86400");
        }
        if self.trusted_proxy_hops == 0 {
            bail!("VIVA_TRUSTED_PROXY_HOPS must be at least 1 (turn VIVA_TRUST_FORWARDED_FOR off instead)");
        }
        if self.db_pool_size == 0 || self.max_concurrent_hashes == 0 {
            bail!("VIVA_DB_POOL_SIZE and VIVA_MAX_CONCURRENT_HASHES must be at least 1");
        }
        if self.retire_after_candidates < 1 {
            bail!("VIVA_RETIRE_AFTER_CANDIDATES must be at least 1");
        }
        let smtp = match self.smtp_url.filter(|url| !url.trim().is_empty()) {
            Some(url) => {
                let settings = SmtpSettings { url: Secret::new(url.into_bytes()), from: self.smtp_from };
                settings
                    .validate()
                    .map_err(|err| anyhow::anyhow!("VIVA_SMTP_URL or VIVA_SMTP_FROM is not usable: {err}"))?;
                Some(settings)
            }
            None => None,
        };
        let trusted = match self.trusted_documents {
            Some(path) => {
                let manifest = TrustedDocuments::load(&path).map_err(|err| {
                    anyhow::anyhow!("VIVA_TRUSTED_DOCUMENTS is not a usable manifest: {err}")
                })?;
                Some(std::sync::Arc::new(manifest))
            }
            None => None,
        };
        let persisted = PersistedSettings {
            apq: self.apq,
            apq_max_entries: self.apq_cache_entries,
            apq_max_bytes: self.apq_cache_bytes,
            trusted,
        };
        let dev_default = !production;
        if !(2..=1000).contains(&self.min_group_size) || !(0..=100).contains(&self.disagreement_margin) {
            bail!(
                "VIVA_MIN_GROUP_SIZE must be between 2 and 1000 and VIVA_DISAGREEMENT_MARGIN between 0 and 100"
            );
        }
        if self.report_link_ttl_secs == 0 || self.report_retention_days == 0 {
            bail!("VIVA_REPORT_LINK_TTL_SECS and VIVA_REPORT_RETENTION_DAYS must be at least 1");
        }
        if self.media_link_ttl_secs == 0 || self.media_retention_days == 0 || self.max_audio_seconds == 0 {
            bail!(
                "VIVA_MEDIA_LINK_TTL_SECS, VIVA_MEDIA_RETENTION_DAYS and VIVA_MAX_AUDIO_SECONDS must be at least 1"
            );
        }
        if self.max_audio_bytes.max(self.max_recording_bytes) > self.max_upload_bytes {
            bail!("VIVA_MAX_UPLOAD_BYTES must be at least VIVA_MAX_AUDIO_BYTES and VIVA_MAX_RECORDING_BYTES");
        }
        let objects_dir = match self.objects_dir {
            Some(dir) => dir,
            // Opening the store warns when files would live in the temporary directory.
            None => default_objects_dir().unwrap_or_else(|| std::env::temp_dir().join("viva-objects")),
        };
        let api = ApiConfig {
            service: ServiceConfig {
                environment,
                jwt_secret,
                jwt_issuer: self.jwt_issuer,
                jwt_audience: self.jwt_audience,
                access_token_ttl: Duration::from_secs(self.access_token_ttl_secs),
                refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
                email_verification_ttl: Duration::from_secs(48 * 3600),
                password_reset_ttl: Duration::from_secs(3600),
                public_url: self.public_url.trim_end_matches('/').to_owned(),
                throttle: ThrottleSettings {
                    max_failures_per_account: self.max_login_failures_per_account,
                    max_failures_per_address: self.max_login_failures_per_address,
                    max_requests_per_address: self.max_requests_per_address,
                    max_written_practice_per_hour: self.max_written_practice_per_hour,
                    ..ThrottleSettings::default()
                },
                max_concurrent_hashes: self.max_concurrent_hashes,
                retire_after_candidates: self.retire_after_candidates,
                smtp,
                session_cache: SessionCacheSettings {
                    enabled: self.session_cache,
                    ..SessionCacheSettings::default()
                },
                analytics: AnalyticsSettings {
                    min_group_size: self.min_group_size,
                    disagreement_margin: self.disagreement_margin,
                },
                objects: match self.objects_s3_bucket {
                    Some(bucket) => ObjectStorage::S3 {
                        bucket,
                        endpoint: self.objects_s3_endpoint,
                        region: self.objects_s3_region,
                    },
                    None => ObjectStorage::Local { dir: objects_dir },
                },
                reports: ReportSettings {
                    link_ttl: Duration::from_secs(self.report_link_ttl_secs),
                    retention: Duration::from_secs(self.report_retention_days.saturating_mul(24 * 3600)),
                    fonts_dir: self.report_fonts_dir,
                },
                resumes: ResumeSettings { max_bytes: self.max_resume_bytes, ..ResumeSettings::default() },
                spoken: SpokenSettings {
                    max_audio_bytes: self.max_audio_bytes,
                    max_recording_bytes: self.max_recording_bytes,
                    max_audio_seconds: self.max_audio_seconds,
                    retention: Duration::from_secs(self.media_retention_days.saturating_mul(24 * 3600)),
                    link_ttl: Duration::from_secs(self.media_link_ttl_secs),
                    decoder: None,
                },
            },
            cookie_secure: self.cookie_secure,
            trust_forwarded_for: self.trust_forwarded_for,
            trusted_proxy_hops: self.trusted_proxy_hops,
            cors_allowed_origins: self.cors_allowed_origins,
            metrics_on_public_router: self.metrics_listen.is_none() && !production,
            graphiql: self.graphiql.unwrap_or(dev_default),
            graphiql_assets: self.graphiql_assets.or_else(viva_api::graphiql::default_assets_dir),
            persisted,
            introspection: self.introspection.unwrap_or(dev_default),
            suggestions: self.suggestions.unwrap_or(dev_default),
            limits: Limits {
                max_body_bytes: self.max_body_bytes,
                max_upload_bytes: self.max_upload_bytes,
                max_depth: self.max_query_depth,
                max_complexity: self.max_query_complexity,
                max_aliases: self.max_aliases,
                max_subscriptions_per_connection: self.max_subscriptions_per_connection,
                max_ws_connections_per_address: self.max_ws_connections_per_address,
                ws_init_timeout: Duration::from_secs(self.ws_init_timeout_secs.max(1)),
                ..Limits::default()
            },
        };
        let ai = self.ai.validate()?;
        if self.worker_concurrency == 0 || !(1.0..=3600.0).contains(&self.worker_lease_secs) {
            bail!("VIVA_WORKER_CONCURRENCY must be at least 1 and VIVA_WORKER_LEASE_SECS between 1 and 3600");
        }
        Ok(Config {
            ai,
            model_dir: self.model_dir,
            workers_in_serve: self.workers_in_serve,
            worker: viva_service::jobs::RunnerSettings {
                concurrency: self.worker_concurrency,
                lease_seconds: self.worker_lease_secs,
                ..viva_service::jobs::RunnerSettings::default()
            },
            database_url,
            listen: self.listen,
            metrics_listen: self.metrics_listen,
            db_pool_size: self.db_pool_size,
            migrate_on_start: self.migrate_on_start,
            log_json: self.log_json,
            api,
        })
    }
}

fn getrandom_key(key: &mut [u8; 32]) {
    // Two v4 UUIDs are 244 random bits from the OS generator; enough for a throwaway dev key.
    let a = uuid::Uuid::new_v4();
    let b = uuid::Uuid::new_v4();
    key[..16].copy_from_slice(a.as_bytes());
    key[16..].copy_from_slice(b.as_bytes());
}

/// The URL with any password replaced, fit for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            let masked = if credentials.contains(':') { format!("{user}:***") } else { user.to_owned() };
            format!("{}{masked}{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Config {
    /// Loads and validates the configuration.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        Settings::load(file).and_then(Settings::validate).context("configuration error")
    }
}

/// `$XDG_DATA_HOME/viva/objects`, or `~/.local/share/viva/objects`.
fn default_objects_dir() -> Option<std::path::PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(std::path::PathBuf::from);
    let data = env("XDG_DATA_HOME").or_else(|| env("HOME").map(|home| home.join(".local").join("share")))?;
    Some(data.join("viva").join("objects"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings { database_url: Some("postgres://postgres@127.0.0.1/viva".into()), ..Settings::default() }
    }

    #[test]
    fn production_requires_a_strong_jwt_secret_and_turns_off_developer_features() {
        let err = Settings { environment: "production".into(), ..settings() }.validate().unwrap_err();
        assert!(err.to_string().contains("VIVA_JWT_SECRET"));
        let config =
            Settings { environment: "production".into(), jwt_secret: Some("k".repeat(32)), ..settings() }
                .validate()
                .unwrap();
        assert!(!config.api.graphiql && !config.api.introspection && !config.api.suggestions);
    }

    #[test]
    fn a_missing_database_url_is_one_clear_line() {
        let err = Settings { database_url: None, ..Settings::default() }.validate().unwrap_err();
        assert!(err.to_string().starts_with("VIVA_DATABASE_URL is not set"));
    }

    #[test]
    fn short_secrets_and_unknown_environments_are_refused() {
        assert!(Settings { jwt_secret: Some("short".into()), ..settings() }.validate().is_err());
        assert!(Settings { environment: "staging".into(), ..settings() }.validate().is_err());
    }

    #[test]
    fn toml_files_are_read_and_unknown_keys_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("viva.toml");
        std::fs::write(&path, "database_url = \"postgres://db/viva\"\nmax_query_depth = 9\n").unwrap();
        let settings = Settings::load(Some(&path)).unwrap();
        assert_eq!(settings.max_query_depth, 9);
        std::fs::write(&path, "databse_url = \"typo\"\n").unwrap();
        assert!(Settings::load(Some(&path)).is_err());
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(redact_url("postgres://viva:hunter2@db:5432/viva"), "postgres://viva:***@db:5432/viva");
        assert_eq!(redact_url("postgres://postgres@db/viva"), "postgres://postgres@db/viva");
    }
}
