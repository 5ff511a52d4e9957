//! The service layer's settings: the part of the deployment's configuration that the use cases
//! read (tokens, links in emails, throttles, SMTP). The server fills it from the API's settings.

use std::time::Duration;

use viva_domain::secret::Secret;

use crate::analytics::AnalyticsSettings;
use crate::auth::session_cache::SessionCacheSettings;
use crate::interviews::spoken::SpokenSettings;
use crate::mail::smtp::SmtpSettings;
use crate::objects::ObjectStorage;
use crate::reports::ReportSettings;
use crate::resumes::ResumeSettings;

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
    /// Practice sessions with model-written questions one candidate may start per hour.
    pub max_written_practice_per_hour: i64,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            max_failures_per_account: 5,
            max_failures_per_address: 50,
            max_requests_per_address: 30,
            max_written_practice_per_hour: 10,
        }
    }
}

/// What the use cases need to know about the deployment.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
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
    /// Sign-in throttles.
    pub throttle: ThrottleSettings,
    /// Password hashes computed at once, at most.
    pub max_concurrent_hashes: usize,
    /// Distinct candidates a bank question may have been given to before `questionUsage`
    /// suggests retiring it (its answers may be circulating).
    pub retire_after_candidates: i64,
    /// SMTP delivery of email; without it, emails are kept (and, outside production, logged).
    pub smtp: Option<SmtpSettings>,
    /// The cache of resolved sessions.
    pub session_cache: SessionCacheSettings,
    /// Analytics: the fairness view's smallest group and default disagreement margin.
    pub analytics: AnalyticsSettings,
    /// Where files are kept.
    pub objects: ObjectStorage,
    /// How exported reports are kept and handed out.
    pub reports: ReportSettings,
    /// Limits on resumes.
    pub resumes: ResumeSettings,
    /// Spoken answers and recordings: size and duration caps, retention.
    pub spoken: SpokenSettings,
}

impl ServiceConfig {
    /// Settings for tests and examples: test defaults with the given signing key.
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
            throttle: ThrottleSettings::default(),
            max_concurrent_hashes: 2,
            retire_after_candidates: crate::similarity::DEFAULT_RETIRE_AFTER_CANDIDATES,
            smtp: None,
            session_cache: SessionCacheSettings::default(),
            analytics: AnalyticsSettings::default(),
            objects: ObjectStorage::Memory,
            reports: ReportSettings::default(),
            resumes: ResumeSettings::default(),
            spoken: SpokenSettings::default(),
        }
    }
}
