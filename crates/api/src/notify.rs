//! Telling people what happened: a stored notification, announced live on the event bus.

use viva_domain::UserId;
use viva_store::AsyncPgConnection;
use viva_store::models::notification::{NewNotification, notify};

use crate::error::AppResult;

/// What a notification is about.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "NotificationKind")]
pub enum Kind {
    /// A message arrived.
    NewMessage,
    /// An HR user applied to be mapped to you.
    HrApplication,
    /// An admin invited you.
    HrInvitation,
    /// Your application or invitation was decided.
    MappingDecided,
    /// You were unmapped from your admin.
    HrUnmapped,
    /// A candidate was assigned (to you, or you to a recruiter).
    CandidateAssigned,
    /// An assignment ended.
    CandidateUnassigned,
    /// An interview was scheduled for you.
    InterviewScheduled,
    /// An interview scheduled for you was cancelled.
    InterviewCancelled,
    /// Your interview's results are available.
    ResultsAvailable,
}

/// Every kind, for reading stored ones back.
const ALL: [Kind; 10] = [
    Kind::NewMessage,
    Kind::HrApplication,
    Kind::HrInvitation,
    Kind::MappingDecided,
    Kind::HrUnmapped,
    Kind::CandidateAssigned,
    Kind::CandidateUnassigned,
    Kind::InterviewScheduled,
    Kind::InterviewCancelled,
    Kind::ResultsAvailable,
];

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

    /// The kind of a stored notification.
    pub fn parse(stored: &str) -> Option<Self> {
        ALL.into_iter().find(|kind| kind.as_str() == stored)
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
