//! Candidates and the HR users they are assigned to (SPEC HR-3, ADMIN-5).
//!
//! The rules: a candidate is assigned to at most one HR user at a time, and only to an active HR
//! user mapped to an admin; an HR user sees the candidates assigned to them only while mapped;
//! admins assign, reassign and unassign.

use diesel_async::AsyncConnection;
use viva_domain::vocab::{AuditAction, NotificationKind};
use viva_domain::{Role, UserId, UserStatus};
use viva_store::models::session::Principal;
use viva_store::models::user::{self as users, User, UserCursor, UserFilter, UserSort};

use super::{mapped_admin, require_mapped, require_role};
use crate::{Service, ServiceError, ServiceResult, audit, notify};

/// Whether candidates may be assigned to this HR user: active, and mapped to an admin.
fn takes_candidates(hr: &User) -> bool {
    hr.status == UserStatus::Active && mapped_admin(hr).is_some()
}

/// The candidates assigned to an HR user, by name, after the cursor; `limit` rows at most. An HR
/// user sees their own (`hr_id` none), and only while mapped to an admin; admins name the HR
/// user in `hr_id`.
pub async fn assigned_candidates(
    service: &Service,
    principal: &Principal,
    hr_id: Option<UserId>,
    after: Option<&UserCursor>,
    limit: i64,
) -> ServiceResult<Vec<User>> {
    require_role(principal, &[Role::Admin, Role::Hr])?;
    let mut conn = service.pool.get().await?;
    let hr = match (principal.role, hr_id) {
        (Role::Admin, Some(id)) => id,
        (Role::Admin, None) => return Err(ServiceError::bad_field("hrId", "is required for admins")),
        (_, Some(_)) => return Err(ServiceError::Forbidden("HR users see only their own candidates")),
        (_, None) => {
            let me = User::find(&mut conn, principal.user_id).await?.ok_or(ServiceError::NotFound("user"))?;
            require_mapped(&me, "you must be mapped to an admin to manage candidates")?;
            me.id
        }
    };
    let filter = UserFilter { role: Some(Role::Candidate), assigned_hr: Some(hr), ..UserFilter::default() };
    Ok(users::list(&mut conn, &filter, UserSort::Name, after, limit).await?)
}

/// Assigns a candidate to an active HR user mapped to an admin, or moves them to another, and
/// tells the HR user, the candidate and the HR user they had before. Admins; assigning a
/// candidate to the HR user they already have changes nothing. Returns the candidate as they
/// are now.
pub async fn assign_candidate(
    service: &Service,
    principal: &Principal,
    candidate_id: UserId,
    hr_id: UserId,
    ip: Option<&str>,
) -> ServiceResult<User> {
    require_role(principal, &[Role::Admin])?;
    let admin_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        // Lock the HR user first: an unmapping that races this waits, or this waits for it.
        let hr = users::lock(conn, hr_id).await?.ok_or(ServiceError::NotFound("HR user"))?;
        if hr.role != Role::Hr {
            return Err(ServiceError::bad_field("hrId", "is not an HR user"));
        }
        if !takes_candidates(&hr) {
            return Err(ServiceError::Conflict(
                "candidates can only be assigned to an active HR user mapped to an admin".into(),
            ));
        }
        let candidate = users::lock(conn, candidate_id).await?.ok_or(ServiceError::NotFound("candidate"))?;
        if candidate.role != Role::Candidate {
            return Err(ServiceError::bad_field("candidateId", "is not a candidate"));
        }
        if candidate.assigned_hr_id == Some(hr.id) {
            return Ok(candidate);
        }
        let previous = users::assign_candidate(conn, candidate.id, Some(hr.id)).await?;
        let data = serde_json::json!({ "candidateId": candidate.id.0, "hrId": hr.id.0 });
        notify::send(
            conn,
            hr.id,
            NotificationKind::CandidateAssigned,
            "New candidate assigned",
            &format!("{} is now assigned to you.", candidate.full_name),
            data.clone(),
        )
        .await?;
        notify::send(
            conn,
            candidate.id,
            NotificationKind::CandidateAssigned,
            "Your recruiter",
            &format!("{} will schedule your interviews.", hr.full_name),
            data.clone(),
        )
        .await?;
        if let Some(previous) = previous {
            notify::send(
                conn,
                previous,
                NotificationKind::CandidateUnassigned,
                "Candidate reassigned",
                &format!("{} was reassigned to another recruiter.", candidate.full_name),
                data.clone(),
            )
            .await?;
        }
        let action = if previous.is_some() {
            AuditAction::CandidateReassigned
        } else {
            AuditAction::CandidateAssigned
        };
        audit::record(conn, Some(admin_id), action, Some(candidate.id), ip, data).await?;
        User::find(conn, candidate.id).await?.ok_or(ServiceError::NotFound("candidate"))
    })
    .await
}

/// Ends a candidate's assignment, and tells the candidate and the HR user they had. Admins;
/// `CONFLICT` when the candidate is not assigned. Returns the candidate as they are now.
pub async fn unassign_candidate(
    service: &Service,
    principal: &Principal,
    candidate_id: UserId,
    ip: Option<&str>,
) -> ServiceResult<User> {
    require_role(principal, &[Role::Admin])?;
    let admin_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let candidate = users::lock(conn, candidate_id).await?.ok_or(ServiceError::NotFound("candidate"))?;
        if candidate.role != Role::Candidate {
            return Err(ServiceError::bad_field("candidateId", "is not a candidate"));
        }
        let Some(previous) = users::assign_candidate(conn, candidate.id, None).await? else {
            return Err(ServiceError::Conflict("the candidate is not assigned".into()));
        };
        let data = serde_json::json!({ "candidateId": candidate.id.0, "hrId": previous });
        notify::send(
            conn,
            previous,
            NotificationKind::CandidateUnassigned,
            "Candidate unassigned",
            &format!("{} is no longer assigned to you.", candidate.full_name),
            data.clone(),
        )
        .await?;
        notify::send(
            conn,
            candidate.id,
            NotificationKind::CandidateUnassigned,
            "Recruiter changed",
            "You are no longer assigned to a recruiter.",
            data.clone(),
        )
        .await?;
        audit::record(conn, Some(admin_id), AuditAction::CandidateUnassigned, Some(candidate.id), ip, data)
            .await?;
        User::find(conn, candidate.id).await?.ok_or(ServiceError::NotFound("candidate"))
    })
    .await
}
