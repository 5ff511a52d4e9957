//! HR ↔ admin mapping: applications, invitations, decisions and unmapping (SPEC HR-1, ADMIN-4).
//!
//! Every decision is one transaction whose conditional updates cannot be raced into an
//! impossible state: of two admins accepting the same application, the row lock lets one
//! through and the other finds it no longer pending (`CONFLICT`); an HR user mapped by one
//! request cannot be mapped by another.

use diesel_async::AsyncConnection;
use viva_domain::profile::optional_text;
use viva_domain::vocab::{AuditAction, NotificationKind};
use viva_domain::{Email, MappingRequestId, Role, UserId, UserStatus};
use viva_store::AsyncPgConnection;
use viva_store::errors::unique_violation;
use viva_store::models::TimeCursor;
use viva_store::models::mapping::{self, MappingRequest, RequestFilter, RequestKind, RequestStatus};
use viva_store::models::session::Principal;
use viva_store::models::user::{self as users, User, UserCursor, UserFilter, UserSort};

use super::{mapped_admin, require_role};
use crate::auth::settle_access_change;
use crate::{Service, ServiceError, ServiceResult, audit, notify};

/// Which mapping requests to list.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestQuery {
    /// Only in this state.
    pub status: Option<RequestStatus>,
    /// Only of this kind.
    pub kind: Option<RequestKind>,
}

/// Mapping requests, newest first, after the cursor; `limit` rows at most. Admins see every
/// request; HR users see their own.
pub async fn requests(
    service: &Service,
    principal: &Principal,
    query: RequestQuery,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<MappingRequest>> {
    require_role(principal, &[Role::Admin, Role::Hr])?;
    let filter = RequestFilter {
        hr_id: (principal.role == Role::Hr).then_some(principal.user_id),
        admin_id: None,
        kind: query.kind,
        status: query.status,
    };
    let mut conn = service.pool.get().await?;
    Ok(mapping::list(&mut conn, filter, after, limit).await?)
}

/// The active admins an HR user can apply to, by name, after the cursor; `limit` rows at most.
/// HR users and admins.
pub async fn admins(
    service: &Service,
    principal: &Principal,
    after: Option<&UserCursor>,
    limit: i64,
) -> ServiceResult<Vec<User>> {
    require_role(principal, &[Role::Admin, Role::Hr])?;
    let filter =
        UserFilter { role: Some(Role::Admin), status: Some(UserStatus::Active), ..UserFilter::default() };
    let mut conn = service.pool.get().await?;
    Ok(users::list(&mut conn, &filter, UserSort::Name, after, limit).await?)
}

/// The sender's note on a request: trimmed, blank as none, at most 1000 characters.
fn note(message: Option<&str>) -> ServiceResult<Option<String>> {
    match message {
        Some(text) => Ok(optional_text(text, "message", 1000)?),
        None => Ok(None),
    }
}

/// `CONFLICT` when the pair already has a pending request (the one-pending unique index).
fn pending_conflict(err: viva_store::QueryError) -> ServiceError {
    if unique_violation(&err).is_some() {
        ServiceError::Conflict("a request between these two is already pending".into())
    } else {
        err.into()
    }
}

/// Applies to an admin to be mapped to them, and tells the admin. HR users who are not mapped
/// yet; `CONFLICT` when a request between the two is already pending.
pub async fn apply_to_admin(
    service: &Service,
    principal: &Principal,
    admin_id: UserId,
    message: Option<&str>,
    ip: Option<&str>,
) -> ServiceResult<MappingRequest> {
    require_role(principal, &[Role::Hr])?;
    let message = note(message)?;
    let hr_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let hr = users::lock(conn, hr_id).await?.ok_or(ServiceError::NotFound("user"))?;
        if mapped_admin(&hr).is_some() {
            return Err(ServiceError::Conflict("you are already mapped to an admin".into()));
        }
        let admin = User::find(conn, admin_id)
            .await?
            .filter(|a| a.role == Role::Admin && a.status == UserStatus::Active)
            .ok_or(ServiceError::NotFound("admin"))?;
        let request = mapping::create(conn, hr.id, admin.id, RequestKind::Application, message.as_deref())
            .await
            .map_err(pending_conflict)?;
        let data = serde_json::json!({ "requestId": request.id, "hrId": hr.id.0 });
        notify::send(
            conn,
            admin.id,
            NotificationKind::HrApplication,
            "New HR application",
            &format!("{} asks to be mapped to you.", hr.full_name),
            data.clone(),
        )
        .await?;
        audit::record(conn, Some(hr.id), AuditAction::HrApplied, Some(admin.id), ip, data).await?;
        Ok(request)
    })
    .await
}

/// Withdraws one's own pending application. HR users; `CONFLICT` when it was decided already.
pub async fn cancel_application(
    service: &Service,
    principal: &Principal,
    application_id: MappingRequestId,
    ip: Option<&str>,
) -> ServiceResult<MappingRequest> {
    require_role(principal, &[Role::Hr])?;
    let hr_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        mapping::find(conn, application_id)
            .await?
            .filter(|r| r.hr_id == hr_id && r.kind == RequestKind::Application)
            .ok_or(ServiceError::NotFound("application"))?;
        let request =
            mapping::decide(conn, application_id, RequestKind::Application, RequestStatus::Cancelled, hr_id)
                .await?
                .ok_or_else(|| ServiceError::Conflict("the application is no longer pending".into()))?;
        audit::record(
            conn,
            Some(hr_id),
            AuditAction::HrApplicationCancelled,
            Some(request.admin_id),
            ip,
            serde_json::json!({ "requestId": application_id }),
        )
        .await?;
        Ok(request)
    })
    .await
}

/// Invites an HR user, by their account's email, to be mapped to the calling admin, and tells
/// them. Admins; `CONFLICT` when the HR user is mapped already or an invitation is pending.
pub async fn invite_hr(
    service: &Service,
    principal: &Principal,
    email: &str,
    message: Option<&str>,
    ip: Option<&str>,
) -> ServiceResult<MappingRequest> {
    require_role(principal, &[Role::Admin])?;
    let email = Email::parse(email, "email")?;
    let message = note(message)?;
    let admin_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let hr = User::find_by_email(conn, email.as_str())
            .await?
            .filter(|u| u.role == Role::Hr)
            .ok_or(ServiceError::NotFound("HR user"))?;
        if mapped_admin(&hr).is_some() {
            return Err(ServiceError::Conflict("this HR user is already mapped to an admin".into()));
        }
        let admin = User::find(conn, admin_id).await?.ok_or(ServiceError::NotFound("user"))?;
        let request = mapping::create(conn, hr.id, admin.id, RequestKind::Invitation, message.as_deref())
            .await
            .map_err(pending_conflict)?;
        let data = serde_json::json!({ "requestId": request.id, "adminId": admin.id.0 });
        notify::send(
            conn,
            hr.id,
            NotificationKind::HrInvitation,
            "Invitation from an admin",
            &format!("{} invites you to work with them.", admin.full_name),
            data.clone(),
        )
        .await?;
        audit::record(conn, Some(admin.id), AuditAction::HrInvited, Some(hr.id), ip, data).await?;
        Ok(request)
    })
    .await
}

/// Maps the HR user of an accepted request, or fails the transaction with `CONFLICT`.
async fn complete_mapping(
    conn: &mut AsyncPgConnection,
    request: &MappingRequest,
    decided_by: UserId,
) -> ServiceResult<()> {
    let admin = users::lock(conn, request.admin_id).await?.ok_or(ServiceError::NotFound("admin"))?;
    if admin.status != UserStatus::Active {
        return Err(ServiceError::Conflict("the admin's account is deactivated".into()));
    }
    if !users::map_hr(conn, request.hr_id, request.admin_id).await? {
        return Err(ServiceError::Conflict("the HR user is already mapped to an admin".into()));
    }
    mapping::cancel_other_pending(conn, request.hr_id, request.id, decided_by).await?;
    Ok(())
}

/// Decides a pending request inside the caller's transaction: accepting maps the HR user. Of
/// two concurrent decisions, the row lock lets one through and the other gets `CONFLICT`.
async fn decide_request(
    conn: &mut AsyncPgConnection,
    request: MappingRequest,
    accept: bool,
    decided_by: UserId,
) -> ServiceResult<MappingRequest> {
    let status = if accept { RequestStatus::Accepted } else { RequestStatus::Rejected };
    let decided = mapping::decide(conn, request.id, request.kind, status, decided_by)
        .await?
        .ok_or_else(|| ServiceError::Conflict("the request was already decided".into()))?;
    if accept {
        complete_mapping(conn, &decided, decided_by).await?;
    }
    Ok(decided)
}

/// One side of a decision on a mapping request: who decides, what the request is called, and
/// what is recorded.
struct Decision {
    /// The kind of request decided.
    kind: RequestKind,
    /// The role that decides it (the one it was addressed to).
    decider: Role,
    /// Its name in messages ("application").
    what: &'static str,
    /// Its name at the start of a title ("Application").
    title: &'static str,
    /// The word for a refusal ("rejected").
    refused: &'static str,
    /// The audit actions for acceptance and refusal.
    actions: (AuditAction, AuditAction),
}

/// Admins decide HR users' applications.
const APPLICATION: Decision = Decision {
    kind: RequestKind::Application,
    decider: Role::Admin,
    what: "application",
    title: "Application",
    refused: "rejected",
    actions: (AuditAction::HrApplicationAccepted, AuditAction::HrApplicationRejected),
};

/// HR users decide admins' invitations addressed to them.
const INVITATION: Decision = Decision {
    kind: RequestKind::Invitation,
    decider: Role::Hr,
    what: "invitation",
    title: "Invitation",
    refused: "declined",
    actions: (AuditAction::HrInvitationAccepted, AuditAction::HrInvitationDeclined),
};

/// Accepts or rejects a pending HR application, and tells the HR user. Any admin may decide;
/// accepting maps the HR user to the admin applied to and cancels their other pending requests.
/// Of two concurrent decisions, one gets `CONFLICT`.
pub async fn respond_to_application(
    service: &Service,
    principal: &Principal,
    application_id: MappingRequestId,
    accept: bool,
    ip: Option<&str>,
) -> ServiceResult<MappingRequest> {
    respond(service, principal, application_id, accept, ip, &APPLICATION).await
}

/// Accepts or declines an invitation addressed to the calling HR user, and tells the admin.
/// Accepting maps the HR user and cancels their other pending requests.
pub async fn respond_to_invitation(
    service: &Service,
    principal: &Principal,
    invitation_id: MappingRequestId,
    accept: bool,
    ip: Option<&str>,
) -> ServiceResult<MappingRequest> {
    respond(service, principal, invitation_id, accept, ip, &INVITATION).await
}

/// Decides a request as `decision` says, tells the other side and records it.
async fn respond(
    service: &Service,
    principal: &Principal,
    id: MappingRequestId,
    accept: bool,
    ip: Option<&str>,
    decision: &'static Decision,
) -> ServiceResult<MappingRequest> {
    require_role(principal, &[decision.decider])?;
    let me = principal.user_id;
    let mut conn = service.pool.get().await?;
    let request = conn
        .transaction::<_, ServiceError, _>(async move |conn| {
            // Applications go to every admin; an invitation only to the HR user it names.
            let found = mapping::find(conn, id)
                .await?
                .filter(|r| {
                    r.kind == decision.kind && (decision.kind == RequestKind::Application || r.hr_id == me)
                })
                .ok_or(ServiceError::NotFound(decision.what))?;
            let request = decide_request(conn, found, accept, me).await?;
            let other =
                if decision.kind == RequestKind::Application { request.hr_id } else { request.admin_id };
            let verdict = if accept { "accepted" } else { decision.refused };
            let data = serde_json::json!({ "requestId": id, "accepted": accept });
            notify::send(
                conn,
                other,
                NotificationKind::MappingDecided,
                &format!("{} {verdict}", decision.title),
                &format!("Your {} was {verdict}.", decision.what),
                data.clone(),
            )
            .await?;
            let action = if accept { decision.actions.0 } else { decision.actions.1 };
            audit::record(conn, Some(me), action, Some(other), ip, data).await?;
            Ok(request)
        })
        .await?;
    if accept {
        // The HR user is mapped now: what they may do changed.
        settle_access_change(service, &mut conn, &[request.hr_id]).await;
    }
    Ok(request)
}

/// Unmaps an HR user from their admin and unassigns their candidates, telling the HR user and
/// each candidate. Admins; `CONFLICT` when the HR user is not mapped. Returns the HR user as
/// they are now.
pub async fn unmap_hr(
    service: &Service,
    principal: &Principal,
    hr_id: UserId,
    ip: Option<&str>,
) -> ServiceResult<User> {
    require_role(principal, &[Role::Admin])?;
    let admin_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    let hr = conn
        .transaction::<_, ServiceError, _>(async move |conn| {
            let hr = users::lock(conn, hr_id)
                .await?
                .filter(|u| u.role == Role::Hr)
                .ok_or(ServiceError::NotFound("HR user"))?;
            let Some(candidates) = users::unmap_hr(conn, hr.id).await? else {
                return Err(ServiceError::Conflict("this HR user is not mapped".into()));
            };
            let data = serde_json::json!({ "hrId": hr.id.0, "candidatesUnassigned": candidates.len() });
            notify::send(
                conn,
                hr.id,
                NotificationKind::HrUnmapped,
                "Unmapped from your admin",
                "You are no longer mapped to an admin; your candidates were unassigned.",
                data.clone(),
            )
            .await?;
            for candidate in &candidates {
                notify::send(
                    conn,
                    *candidate,
                    NotificationKind::CandidateUnassigned,
                    "Recruiter changed",
                    "You are no longer assigned to a recruiter.",
                    serde_json::json!({ "hrId": hr.id.0 }),
                )
                .await?;
            }
            audit::record(conn, Some(admin_id), AuditAction::HrUnmapped, Some(hr.id), ip, data).await?;
            User::find(conn, hr.id).await?.ok_or(ServiceError::NotFound("HR user"))
        })
        .await?;
    settle_access_change(service, &mut conn, &[hr_id]).await;
    Ok(hr)
}
