//! Telling people what happened: a stored notification, announced live on the event bus.

use viva_domain::UserId;
use viva_store::AsyncPgConnection;
use viva_store::models::notification::{NewNotification, notify};

use crate::error::AppResult;

/// What a notification is about; the stored kind.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A message arrived.
    NewMessage,
    /// An HR user applied to the admin.
    HrApplication,
    /// An admin invited the HR user.
    HrInvitation,
    /// A mapping request was accepted or rejected.
    MappingDecided,
    /// The HR user was unmapped from their admin.
    HrUnmapped,
    /// A candidate was assigned (to the HR user, or the candidate to an HR user).
    CandidateAssigned,
    /// A candidate's assignment ended.
    CandidateUnassigned,
    /// An interview was scheduled for the candidate.
    InterviewScheduled,
    /// An interview scheduled for the candidate was cancelled.
    InterviewCancelled,
    /// An interview's results are available.
    ResultsAvailable,
}

impl Kind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NewMessage => "NEW_MESSAGE",
            Kind::HrApplication => "HR_APPLICATION",
            Kind::HrInvitation => "HR_INVITATION",
            Kind::MappingDecided => "MAPPING_DECIDED",
            Kind::HrUnmapped => "HR_UNMAPPED",
            Kind::CandidateAssigned => "CANDIDATE_ASSIGNED",
            Kind::CandidateUnassigned => "CANDIDATE_UNASSIGNED",
            Kind::InterviewScheduled => "INTERVIEW_SCHEDULED",
            Kind::InterviewCancelled => "INTERVIEW_CANCELLED",
            Kind::ResultsAvailable => "RESULTS_AVAILABLE",
        }
    }
}

/// Stores and announces a notification; call inside the transaction of the change.
pub async fn send(
    conn: &mut AsyncPgConnection,
    user: UserId,
    kind: Kind,
    title: &str,
    body: &str,
    data: serde_json::Value,
) -> AppResult<()> {
    notify(conn, &NewNotification { user_id: user, kind: kind.as_str(), title, body, data }).await?;
    Ok(())
}
