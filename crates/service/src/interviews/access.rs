//! Who may see an interview, and as what: the one access policy of interviews and of
//! everything in them (questions, answers, evaluations, events).

use viva_domain::{InterviewId, Role, UserId};
use viva_store::AsyncPgConnection;
use viva_store::models::interview::{self as store, Interview as StoredInterview};
use viva_store::models::session::Principal;
use viva_store::models::user as users;

use crate::{Service, ServiceError, ServiceResult};

/// What the viewer is to an interview; decides what they see of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
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
pub fn viewer_of(
    principal: &Principal,
    interview: &StoredInterview,
    responsible_hr: Option<UserId>,
) -> Option<Viewer> {
    if principal.role == Role::Admin {
        Some(Viewer::Staff)
    } else if interview.candidate_id == principal.user_id {
        Some(Viewer::Candidate)
    } else if crate::organisation::is_mapped_hr(principal)
        && !interview.practice
        && responsible_hr == Some(principal.user_id)
    {
        Some(Viewer::Staff)
    } else {
        None
    }
}

/// [`viewer_of`], loading the candidate's responsible HR user when the principal is one.
pub async fn viewer_for(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    interview: &StoredInterview,
) -> ServiceResult<Option<Viewer>> {
    let responsible = if principal.role == Role::Hr && interview.candidate_id != principal.user_id {
        users::responsible_hr(conn, interview.candidate_id).await?
    } else {
        None
    };
    Ok(viewer_of(principal, interview, responsible))
}

/// The interview with this id and what the principal is to it; `NOT_FOUND` when they may not
/// see it.
pub async fn visible(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
) -> ServiceResult<(StoredInterview, Viewer)> {
    let mut conn = service.pool.get().await?;
    find_visible(&mut conn, principal, id).await
}

/// [`visible`] on a connection the caller holds.
pub async fn find_visible(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: InterviewId,
) -> ServiceResult<(StoredInterview, Viewer)> {
    let interview = store::find(conn, id).await?.ok_or(ServiceError::NotFound("interview"))?;
    let viewer = viewer_for(conn, principal, &interview).await?.ok_or(ServiceError::NotFound("interview"))?;
    Ok((interview, viewer))
}

/// Loads and locks an interview the candidate is answering.
pub(crate) async fn candidate_interview(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: InterviewId,
) -> ServiceResult<StoredInterview> {
    let interview = store::lock(conn, id).await?.ok_or(ServiceError::NotFound("interview"))?;
    match viewer_for(conn, principal, &interview).await? {
        Some(Viewer::Candidate) => Ok(interview),
        Some(Viewer::Staff) => Err(ServiceError::Forbidden("only the candidate answers an interview")),
        None => Err(ServiceError::NotFound("interview")),
    }
}

/// Loads and locks an interview the caller is responsible for (its HR user or an admin).
pub(crate) async fn staff_interview(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: InterviewId,
) -> ServiceResult<StoredInterview> {
    let interview = store::lock(conn, id).await?.ok_or(ServiceError::NotFound("interview"))?;
    match viewer_for(conn, principal, &interview).await? {
        Some(Viewer::Staff) => Ok(interview),
        Some(Viewer::Candidate) => {
            Err(ServiceError::Forbidden("only the HR user responsible or an admin may do this"))
        }
        None => Err(ServiceError::NotFound("interview")),
    }
}
