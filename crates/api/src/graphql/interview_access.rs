//! Who may see an interview, and as what: the one access policy of interviews and of
//! everything in them (questions, answers, evaluations, events).

use viva_domain::{Role, UserId};
use viva_store::AsyncPgConnection;
use viva_store::models::interview::Interview as StoredInterview;
use viva_store::models::session::Principal;
use viva_store::models::user as users;

use crate::error::AppResult;

/// What the viewer is to an interview; decides what they see of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Viewer {
    /// The interview's candidate.
    Candidate,
    /// An admin, or the HR user in charge of the candidate.
    Staff,
}

/// The access policy of interviews and everything in them (questions, answers, evaluations,
/// events): admins see all; the candidate their own; an HR user the scheduled interviews of a
/// candidate while that candidate is assigned to them and they are mapped to an admin
/// (`responsible_hr` is the candidate's HR user when that holds). Who scheduled an interview
/// does not matter: a reassignment hands the candidate's history to the new HR user.
pub(crate) fn viewer_of(
    principal: &Principal,
    interview: &StoredInterview,
    responsible_hr: Option<UserId>,
) -> Option<Viewer> {
    if principal.role == Role::Admin {
        Some(Viewer::Staff)
    } else if interview.candidate_id == principal.user_id {
        Some(Viewer::Candidate)
    } else if principal.role == Role::Hr
        && !interview.practice
        && principal.mapped_admin_id.is_some()
        && responsible_hr == Some(principal.user_id)
    {
        Some(Viewer::Staff)
    } else {
        None
    }
}

/// [`viewer_of`], loading the candidate's responsible HR user when the principal is one.
pub(crate) async fn viewer_for(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    interview: &StoredInterview,
) -> AppResult<Option<Viewer>> {
    let responsible = if principal.role == Role::Hr && interview.candidate_id != principal.user_id {
        users::responsible_hr(conn, interview.candidate_id).await?
    } else {
        None
    };
    Ok(viewer_of(principal, interview, responsible))
}
