//! Telling people what happened: a stored notification, announced live on the event bus.

use viva_domain::UserId;
use viva_domain::vocab::NotificationKind;
use viva_store::AsyncPgConnection;
use viva_store::models::notification::{NewNotification, notify};

use crate::error::ServiceResult;

/// Stores and announces a notification; call inside the transaction of the change.
pub async fn send(
    conn: &mut AsyncPgConnection,
    user: UserId,
    kind: NotificationKind,
    title: &str,
    body: &str,
    data: serde_json::Value,
) -> ServiceResult<()> {
    notify(conn, &NewNotification { user_id: user, kind: kind.as_str(), title, body, data }).await?;
    Ok(())
}

/// Tells a candidate that their interview's results are available.
pub async fn results_available(
    conn: &mut AsyncPgConnection,
    candidate: UserId,
    interview_id: viva_domain::InterviewId,
) -> ServiceResult<()> {
    send(
        conn,
        candidate,
        NotificationKind::ResultsAvailable,
        "Results available",
        "The results of your interview are available.",
        serde_json::json!({ "interviewId": interview_id }),
    )
    .await
}
