//! Delivering the outbox over SMTP.
//!
//! Emails are written to the outbox in the transaction of the change they announce; a sender
//! loop (in `viva serve`) claims due ones with a lease, sends them, and records the outcome. A
//! failure is retried with backoff up to [`MAX_ATTEMPTS`] times; nothing is lost when the SMTP
//! server or the process is down.

use std::time::Duration;

use chrono::Utc;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use viva_store::DbPool;
use viva_store::models::email::{self, OutboxEmail};

use crate::config::Secret;
use crate::error::AppResult;

/// Attempts per email before it is left for an operator.
pub const MAX_ATTEMPTS: i32 = 8;
/// Emails claimed per round.
const BATCH: i64 = 20;
/// How long a claimed email is held by one sender.
const LEASE_SECS: f64 = 120.0;

/// Where and as whom to send.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    /// `smtp://user:pass@host:587?tls=required`, `smtps://…:465`, or `smtp://host:25` (no TLS,
    /// for a relay on the same host). Holds a password, so it is kept secret.
    pub url: Secret,
    /// The sender, such as `Viva <no-reply@viva.example>`.
    pub from: String,
}

/// Why an email could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP settings are unusable.
    #[error("invalid SMTP settings: {0}")]
    Settings(String),
    /// The message could not be built (a malformed address, say).
    #[error("invalid message: {0}")]
    Message(String),
    /// The SMTP exchange failed.
    #[error("SMTP delivery failed: {0}")]
    Transport(#[from] lettre::transport::smtp::Error),
}

/// An SMTP client.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSettings {
    /// Checks the URL and the sender without connecting or building a transport.
    pub fn validate(&self) -> Result<(), MailError> {
        self.parts().map(drop)
    }

    fn parts(&self) -> Result<(lettre::transport::smtp::AsyncSmtpTransportBuilder, Mailbox), MailError> {
        let url = std::str::from_utf8(self.url.expose()).map_err(|e| MailError::Settings(e.to_string()))?;
        // The URL holds a password: the error names the problem, never the URL.
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|_| {
            MailError::Settings("the SMTP URL is not a valid smtp:// or smtps:// URL".to_owned())
        })?;
        let from = self.from.parse::<Mailbox>().map_err(|e| MailError::Settings(format!("sender: {e}")))?;
        Ok((builder, from))
    }
}

impl Mailer {
    /// A client for the settings; connects lazily. Must be called inside the Tokio runtime.
    pub fn new(settings: &SmtpSettings) -> Result<Self, MailError> {
        let (builder, from) = settings.parts()?;
        let transport = builder.timeout(Some(Duration::from_secs(15))).build();
        Ok(Self { transport, from })
    }

    /// Sends one outbox email.
    pub async fn send(&self, email: &OutboxEmail) -> Result<(), MailError> {
        let to = email.recipient.parse::<Mailbox>().map_err(|e| MailError::Message(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| MailError::Message(e.to_string()))?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// What one delivery round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Emails delivered.
    pub sent: usize,
    /// Emails that failed this time (they are retried later).
    pub failed: usize,
}

/// Delivers due emails until none are left or every due one was tried once this round.
pub async fn deliver_due(pool: &DbPool, mailer: &Mailer) -> AppResult<DeliveryReport> {
    let mut report = DeliveryReport::default();
    loop {
        let batch = {
            let mut conn = pool.get().await?;
            email::claim_due(&mut conn, BATCH, LEASE_SECS, MAX_ATTEMPTS).await?
        };
        if batch.is_empty() {
            return Ok(report);
        }
        for message in &batch {
            let outcome = mailer.send(message).await;
            let mut conn = pool.get().await?;
            match outcome {
                Ok(()) => {
                    email::mark_sent(&mut conn, message.id).await?;
                    report.sent += 1;
                }
                Err(err) => {
                    let (_, attempts, _) = email::delivery_state(&mut conn, message.id).await?;
                    let retry_at = Utc::now() + backoff(attempts);
                    tracing::warn!(email = %message.id, attempts, error = %err, "email delivery failed; will retry");
                    email::mark_failed(&mut conn, message.id, &err.to_string(), retry_at).await?;
                    report.failed += 1;
                }
            }
        }
        if report.failed > 0 {
            // Do not spin on a failing server within one round.
            return Ok(report);
        }
    }
}

/// Waits 30 s after the first failure, doubling up to 6 hours.
fn backoff(attempts: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 10)).unwrap_or(0);
    chrono::Duration::seconds((30i64 << exponent).min(6 * 3600))
}

/// Runs delivery rounds every `interval` until the task is dropped.
pub async fn run(pool: DbPool, mailer: Mailer, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    loop {
        ticker.tick().await;
        match deliver_due(&pool, &mailer).await {
            Ok(report) if report.sent + report.failed > 0 => {
                tracing::info!(sent = report.sent, failed = report.failed, "email delivery round");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "email delivery round failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), chrono::Duration::seconds(30));
        assert_eq!(backoff(2), chrono::Duration::seconds(60));
        assert_eq!(backoff(5), chrono::Duration::seconds(480));
        assert_eq!(backoff(30), chrono::Duration::hours(6));
    }

    #[test]
    fn settings_are_checked_without_revealing_the_url() {
        let bad = SmtpSettings {
            url: Secret::new("not a url with hunter2"),
            from: "Viva <no-reply@viva.example>".into(),
        };
        let err = bad.validate().unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
        let bad_from = SmtpSettings { url: Secret::new("smtp://127.0.0.1:2525"), from: "nobody".into() };
        assert!(bad_from.validate().is_err());
        let good = SmtpSettings {
            url: Secret::new("smtps://u:p@mail.example:465"),
            from: "Viva <no-reply@viva.example>".into(),
        };
        assert!(good.validate().is_ok());
    }
}
