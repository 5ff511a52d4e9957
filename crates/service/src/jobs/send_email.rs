//! `send_email`: delivers one email of the outbox over SMTP.
//!
//! The email is written to the outbox, and this job enqueued, in the transaction of the change
//! it announces; a failed delivery is retried with backoff like any job. Once sent, the body
//! (which may hold a single-use link) is blanked. Without SMTP settings the email stays in the
//! outbox unsent (outside production it was also written to the log when queued).

use serde::{Deserialize, Serialize};
use viva_domain::{BackgroundJobId, EmailId};
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::email;

use crate::{Service, ServiceResult};

/// Delivers one email.
pub struct SendEmail;

/// Which email.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The outbox row.
    pub email_id: EmailId,
}

impl JobSpec for SendEmail {
    const KIND: JobKind = JobKind::SendEmail;
    const MAX_ATTEMPTS: i32 = 8;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for SendEmail {
    async fn run(&self, service: &Service, _job: &JobInfo, payload: Payload) -> Result<(), JobError> {
        let email = {
            let mut conn = service.pool.get().await?;
            email::find(&mut conn, payload.email_id).await?
        };
        // Gone with its account, or already sent by an earlier delivery of this job.
        let Some(email) = email.filter(|e| e.sent_at.is_none()) else { return Ok(()) };
        if email.body.is_empty() {
            tracing::warn!(email = %email.id, "an unsent email's body was purged; it is not sent");
            return Ok(());
        }
        let Some(mailer) = &service.mailer else {
            tracing::warn!(email = %email.id, "SMTP is not configured (VIVA_SMTP_URL): the email stays unsent");
            return Ok(());
        };
        mailer.send(&email).await?;
        let mut conn = service.pool.get().await?;
        email::mark_sent(&mut conn, email.id).await?;
        Ok(())
    }
}

/// Enqueues the delivery of an outbox email; call in the transaction that wrote it.
pub async fn enqueue(
    conn: &mut viva_store::AsyncPgConnection,
    email_id: EmailId,
) -> ServiceResult<BackgroundJobId> {
    Ok(viva_jobs::enqueue::<SendEmail>(conn, &Payload { email_id }).await?)
}
