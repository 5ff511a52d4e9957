//! Delivering email over SMTP: the settings, and the mailer the `send_email` job uses.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use viva_store::models::email::OutboxEmail;

use viva_domain::secret::Secret;

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

#[cfg(test)]
mod tests {
    use super::*;

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
