//! `password_reset`: looks up the address someone asked a reset for and, when it has a live
//! account that has not had too many reset emails this hour, issues a one-time link and queues
//! the email. `requestPasswordReset` answers before any of this (the answer and its timing are
//! the same whether the address has an account), and enqueues this job in the transaction that
//! counts the request; so the work is durable: a crash after the answer loses nothing.
//! The payload is the typed address: personal data, blanked once the job has run.

use serde::{Deserialize, Serialize};
use viva_domain::BackgroundJobId;
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};

use crate::{Service, ServiceResult};

/// Sends a password-reset link, if the address has an account.
pub struct PasswordReset;

/// The address asked for, and from where.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The normalised email address.
    pub email: String,
    /// The client's address, for the audit log.
    pub ip: Option<String>,
}

impl JobSpec for PasswordReset {
    const KIND: JobKind = JobKind::PasswordReset;
    const PERSONAL_PAYLOAD: bool = true;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for PasswordReset {
    async fn run(&self, service: &Service, _job: &JobInfo, payload: Payload) -> Result<(), JobError> {
        Ok(crate::accounts::send_reset_link(service, &payload.email, payload.ip).await?)
    }
}

/// Enqueues the reset of an address; call in the transaction that counts the request.
pub async fn enqueue(
    conn: &mut viva_store::AsyncPgConnection,
    email: &str,
    ip: Option<&str>,
) -> ServiceResult<BackgroundJobId> {
    let payload = Payload { email: email.to_owned(), ip: ip.map(str::to_owned) };
    Ok(viva_jobs::enqueue::<PasswordReset>(conn, &payload).await?)
}
