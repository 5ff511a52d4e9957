//! `expire_interviews` (periodic): expires the interviews whose window passed before they were
//! started or finished, announcing each. Every runner schedules it; the queue keeps at most one
//! waiting or running, and the update takes each row once, so several replicas are safe.

use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use viva_domain::vocab::InterviewEventKind;
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::interview as interviews;

use crate::{Service, ServiceError, ServiceResult};

/// Expires overdue interviews.
pub struct ExpireInterviews;

/// No input: the job looks at every interview.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Payload {}

impl JobSpec for ExpireInterviews {
    const KIND: JobKind = JobKind::ExpireInterviews;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for ExpireInterviews {
    async fn run(&self, service: &Service, _job: &JobInfo, _payload: Payload) -> Result<(), JobError> {
        let expired = expire_overdue(service).await?;
        if expired > 0 {
            tracing::info!(expired, "expired overdue interviews");
        }
        Ok(())
    }
}

/// Expires the interviews whose window has passed, announcing each; returns how many.
pub async fn expire_overdue(service: &Service) -> ServiceResult<usize> {
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let expired = interviews::expire_overdue(conn).await?;
        for interview in &expired {
            interviews::publish(conn, interview.id, InterviewEventKind::InterviewExpired, interview.id)
                .await?;
        }
        Ok(expired.len())
    })
    .await
}
