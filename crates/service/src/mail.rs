//! Outgoing email: written to the outbox inside the transaction of the change it announces, with
//! a `send_email` job that delivers it over [`smtp`] when SMTP is configured.

pub mod smtp;

use viva_domain::UserId;
use viva_store::AsyncPgConnection;
use viva_store::models::email::{self, NewEmail};

use crate::Service;
use crate::config::Environment;
use crate::error::ServiceResult;

/// Subject of the email-verification message.
pub const VERIFY_SUBJECT: &str = "Verify your Viva email address";
/// Subject of the password-reset message.
pub const RESET_SUBJECT: &str = "Reset your Viva password";

/// An email about to be queued.
pub struct Message<'a> {
    /// The account it concerns.
    pub user_id: UserId,
    /// Where it goes.
    pub recipient: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// Plain-text body.
    pub body: String,
}

/// Queues an email. Outside production the message is also written to the log, so a developer
/// can follow links without an SMTP server.
pub async fn queue(
    conn: &mut AsyncPgConnection,
    services: &Service,
    message: Message<'_>,
) -> ServiceResult<()> {
    let id = email::enqueue(
        conn,
        &NewEmail {
            user_id: Some(message.user_id),
            recipient: message.recipient,
            subject: message.subject,
            body: &message.body,
        },
    )
    .await?;
    crate::jobs::send_email::enqueue(conn, id).await?;
    if services.config.environment != Environment::Production {
        tracing::info!(recipient = message.recipient, subject = message.subject, body = %message.body, "email queued");
    }
    Ok(())
}

/// The body of the email-verification message.
pub fn verification_body(services: &Service, full_name: &str, token: &str) -> String {
    let hours = services.config.email_verification_ttl.as_secs() / 3600;
    format!(
        "Hello {full_name},\n\nConfirm your email address by opening this link:\n{}/verify-email?token={token}\n\n\
         The link works once and expires in {hours} hours. If you did not create a Viva account, ignore this email.\n",
        services.config.public_url
    )
}

/// The subject of the notice sent when someone tries to register an address that has an
/// account.
pub const EXISTING_ACCOUNT_SUBJECT: &str = "Someone tried to register with your email address";

/// The notice sent to an account's address when someone tries to register it again.
pub fn existing_account_body(services: &Service, full_name: &str) -> String {
    format!(
        "Hello {full_name},\n\nSomeone tried to create a Viva account with this email address, which already has one: \
         yours. No new account was made. If it was you, sign in at {0}/login, or reset your password at \
         {0}/forgot-password. If it was not, you need do nothing.\n",
        services.config.public_url
    )
}

/// The body of the password-reset message.
pub fn reset_body(services: &Service, full_name: &str, token: &str) -> String {
    let minutes = services.config.password_reset_ttl.as_secs() / 60;
    format!(
        "Hello {full_name},\n\nSomeone asked to reset the password of your Viva account. To choose a new one, open:\n\
         {}/reset-password?token={token}\n\nThe link works once and expires in {minutes} minutes. If it was not you, \
         ignore this email: your password stays as it is.\n",
        services.config.public_url
    )
}
