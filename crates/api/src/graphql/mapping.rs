//! HR ↔ admin mapping: applications, invitations, decisions and unmapping (SPEC HR-1, ADMIN-4).
//!
//! Every decision is one transaction whose conditional updates cannot be raced into an
//! impossible state: of two admins accepting the same application, the row lock lets one
//! through and the other finds it no longer pending (`CONFLICT`); an HR user mapped by one
//! request cannot be mapped by another.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use viva_domain::profile::optional_text;
use viva_domain::{Email, Role, UserId, UserStatus};
use viva_store::errors::unique_violation;
use viva_store::models::mapping::{self, MappingRequest, RequestFilter, RequestKind, RequestStatus};
use viva_store::models::user::{self as users, User as StoredUser, UserCursor, UserFilter, UserSort};

use viva_service::audit as audit_log;
use viva_domain::vocab::AuditAction;
use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{
    connection, page, page_size, parse_time_cursor, parse_user_cursor, time_cursor, user_cursor,
};
use crate::graphql::types::{PersonSummary, User, parse_id, person};
use viva_service::notify;
use viva_domain::vocab::NotificationKind;

connection!(HrMappingRequestConnection, HrMappingRequestEdge, HrMappingRequest, "mapping requests");
connection!(PersonSummaryConnection, PersonSummaryEdge, PersonSummary, "people");

/// Who started a mapping request.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "MappingRequestKind")]
pub enum GqlRequestKind {
    /// An HR user applied to an admin.
    Application,
    /// An admin invited an HR user.
    Invitation,
}

/// Where a mapping request stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "MappingRequestStatus")]
pub enum GqlRequestStatus {
    /// Waiting for a decision.
    Pending,
    /// Accepted: the HR user is mapped to the admin.
    Accepted,
    /// Refused.
    Rejected,
    /// Withdrawn, or moot because the HR user was mapped elsewhere.
    Cancelled,
}

impl From<RequestKind> for GqlRequestKind {
    fn from(kind: RequestKind) -> Self {
        match kind {
            RequestKind::Application => Self::Application,
            RequestKind::Invitation => Self::Invitation,
        }
    }
}

impl From<GqlRequestKind> for RequestKind {
    fn from(kind: GqlRequestKind) -> Self {
        match kind {
            GqlRequestKind::Application => Self::Application,
            GqlRequestKind::Invitation => Self::Invitation,
        }
    }
}

impl From<RequestStatus> for GqlRequestStatus {
    fn from(status: RequestStatus) -> Self {
        match status {
            RequestStatus::Pending => Self::Pending,
            RequestStatus::Accepted => Self::Accepted,
            RequestStatus::Rejected => Self::Rejected,
            RequestStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<GqlRequestStatus> for RequestStatus {
    fn from(status: GqlRequestStatus) -> Self {
        match status {
            GqlRequestStatus::Pending => Self::Pending,
            GqlRequestStatus::Accepted => Self::Accepted,
            GqlRequestStatus::Rejected => Self::Rejected,
            GqlRequestStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// An HR user's application to an admin, or an admin's invitation to an HR user.
pub struct HrMappingRequest(MappingRequest);

/// An HR user's application to an admin, or an admin's invitation to an HR user.
#[Object]
impl HrMappingRequest {
    /// The request's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Application (from the HR user) or invitation (from the admin).
    async fn kind(&self) -> GqlRequestKind {
        self.0.kind.into()
    }

    /// Where it stands.
    async fn status(&self) -> GqlRequestStatus {
        self.0.status.into()
    }

    /// The sender's note.
    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// The HR user.
    async fn hr(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, Some(self.0.hr_id.0)).await
    }

    /// The admin.
    async fn admin(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, Some(self.0.admin_id.0)).await
    }

    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Which mapping requests to list.
#[derive(InputObject, Default)]
pub struct HrApplicationFilter {
    /// Only in this state.
    pub status: Option<GqlRequestStatus>,
    /// Only of this kind.
    pub kind: Option<GqlRequestKind>,
}

/// Mapping queries.
#[derive(Default)]
pub struct MappingQuery;

#[Object]
impl MappingQuery {
    /// Mapping requests, newest first. Admins see every request; HR users see their own.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn hr_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: HrApplicationFilter,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<HrMappingRequestConnection> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let store_filter = RequestFilter {
            hr_id: (principal.role == Role::Hr).then_some(principal.user_id),
            admin_id: None,
            kind: filter.kind.map(Into::into),
            status: filter.status.map(Into::into),
        };
        let mut conn = ctx.services()?.pool.get().await?;
        let rows = mapping::list(&mut conn, store_filter, cursor, limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), |r| time_cursor(r.created_at, r.id), HrMappingRequest).into())
    }

    /// The active admins an HR user can apply to, by name. HR users and admins.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn admins(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<PersonSummaryConnection> {
        ctx.require_role(&[Role::Admin, Role::Hr])?;
        let limit = page_size(first)?;
        let cursor = parse_user_cursor(after.as_deref())?;
        let filter =
            UserFilter { role: Some(Role::Admin), status: Some(UserStatus::Active), ..UserFilter::default() };
        let mut conn = ctx.services()?.pool.get().await?;
        let rows = users::list(&mut conn, &filter, UserSort::Name, cursor.as_ref(), limit + 1).await?;
        Ok(page(
            rows,
            limit,
            cursor.is_some(),
            |u| user_cursor(&UserCursor::of(u, UserSort::Name)),
            PersonSummary::from,
        )
        .into())
    }
}

/// Mapping mutations.
#[derive(Default)]
pub struct MappingMutation;

fn note(message: Option<String>) -> AppResult<Option<String>> {
    match message {
        Some(text) => Ok(optional_text(&text, "message", 1000)?),
        None => Ok(None),
    }
}

fn pending_conflict(err: viva_store::QueryError) -> AppError {
    if unique_violation(&err).is_some() {
        AppError::Conflict("a request between these two is already pending".into())
    } else {
        err.into()
    }
}

/// Maps the HR user of an accepted request, or fails the transaction with `CONFLICT`.
async fn complete_mapping(
    conn: &mut viva_store::AsyncPgConnection,
    request: &MappingRequest,
    decided_by: UserId,
) -> AppResult<()> {
    let admin = users::lock(conn, request.admin_id).await?.ok_or(AppError::NotFound("admin"))?;
    if admin.status != UserStatus::Active {
        return Err(AppError::Conflict("the admin's account is deactivated".into()));
    }
    if !users::map_hr(conn, request.hr_id, request.admin_id).await? {
        return Err(AppError::Conflict("the HR user is already mapped to an admin".into()));
    }
    mapping::cancel_other_pending(conn, request.hr_id, request.id, decided_by).await?;
    Ok(())
}

/// Decides a pending request inside the caller's transaction: accepting maps the HR user. Of
/// two concurrent decisions, the row lock lets one through and the other gets `CONFLICT`.
async fn decide_request(
    conn: &mut viva_store::AsyncPgConnection,
    request: MappingRequest,
    accept: bool,
    decided_by: UserId,
) -> AppResult<MappingRequest> {
    let status = if accept { RequestStatus::Accepted } else { RequestStatus::Rejected };
    let decided = mapping::decide(conn, request.id, request.kind, status, decided_by)
        .await?
        .ok_or_else(|| AppError::Conflict("the request was already decided".into()))?;
    if accept {
        complete_mapping(conn, &decided, decided_by).await?;
    }
    Ok(decided)
}

#[Object]
impl MappingMutation {
    /// Applies to an admin to be mapped to them. HR users who are not mapped yet.
    async fn apply_to_admin(
        &self,
        ctx: &Context<'_>,
        admin_id: ID,
        message: Option<String>,
    ) -> AppResult<HrMappingRequest> {
        let principal = ctx.require_role(&[Role::Hr])?;
        let admin_id = UserId(parse_id(&admin_id, "adminId")?);
        let message = note(message)?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let request = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let hr = users::lock(conn, principal.user_id).await?.ok_or(AppError::NotFound("user"))?;
                if hr.mapped_admin_id.is_some() {
                    return Err(AppError::Conflict("you are already mapped to an admin".into()));
                }
                let admin = StoredUser::find(conn, admin_id)
                    .await?
                    .filter(|a| a.role == Role::Admin && a.status == UserStatus::Active);
                let admin = admin.ok_or(AppError::NotFound("admin"))?;
                let request =
                    mapping::create(conn, hr.id, admin.id, RequestKind::Application, message.as_deref())
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
                audit_log::record(conn, Some(hr.id), AuditAction::HrApplied, Some(admin.id), ip.as_deref(), data)
                    .await?;
                Ok(request)
            })
            .await?;
        Ok(HrMappingRequest(request))
    }

    /// Withdraws one's own pending application. HR users.
    async fn cancel_application(&self, ctx: &Context<'_>, application_id: ID) -> AppResult<HrMappingRequest> {
        let principal = ctx.require_role(&[Role::Hr])?;
        let id = parse_id(&application_id, "applicationId")?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let request = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let existing = mapping::find(conn, id)
                    .await?
                    .filter(|r| r.hr_id == principal.user_id && r.kind == RequestKind::Application);
                existing.ok_or(AppError::NotFound("application"))?;
                let request = mapping::decide(
                    conn,
                    id,
                    RequestKind::Application,
                    RequestStatus::Cancelled,
                    principal.user_id,
                )
                .await?
                .ok_or_else(|| AppError::Conflict("the application is no longer pending".into()))?;
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    AuditAction::HrApplicationCancelled,
                    Some(request.admin_id),
                    ip.as_deref(),
                    serde_json::json!({ "requestId": id }),
                )
                .await?;
                Ok(request)
            })
            .await?;
        Ok(HrMappingRequest(request))
    }

    /// Invites an HR user, by their account's email, to be mapped to the signed-in admin.
    async fn invite_hr(
        &self,
        ctx: &Context<'_>,
        email: String,
        message: Option<String>,
    ) -> AppResult<HrMappingRequest> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let email = Email::parse(&email, "email")?;
        let message = note(message)?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let request = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let hr =
                    StoredUser::find_by_email(conn, email.as_str()).await?.filter(|u| u.role == Role::Hr);
                let hr = hr.ok_or(AppError::NotFound("HR user"))?;
                if hr.mapped_admin_id.is_some() {
                    return Err(AppError::Conflict("this HR user is already mapped to an admin".into()));
                }
                let admin =
                    StoredUser::find(conn, principal.user_id).await?.ok_or(AppError::NotFound("user"))?;
                let request =
                    mapping::create(conn, hr.id, admin.id, RequestKind::Invitation, message.as_deref())
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
                audit_log::record(conn, Some(admin.id), AuditAction::HrInvited, Some(hr.id), ip.as_deref(), data)
                    .await?;
                Ok(request)
            })
            .await?;
        Ok(HrMappingRequest(request))
    }

    /// Accepts or rejects a pending HR application. Any admin may decide; accepting maps the HR
    /// user to the admin applied to. Of two concurrent decisions, one gets `CONFLICT`.
    async fn respond_to_application(
        &self,
        ctx: &Context<'_>,
        application_id: ID,
        accept: bool,
    ) -> AppResult<HrMappingRequest> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let id = parse_id(&application_id, "applicationId")?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let request = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let found = mapping::find(conn, id).await?.filter(|r| r.kind == RequestKind::Application);
                let request = decide_request(
                    conn,
                    found.ok_or(AppError::NotFound("application"))?,
                    accept,
                    principal.user_id,
                )
                .await?;
                let verdict = if accept { "accepted" } else { "rejected" };
                let data = serde_json::json!({ "requestId": id, "accepted": accept });
                notify::send(
                    conn,
                    request.hr_id,
                    NotificationKind::MappingDecided,
                    &format!("Application {verdict}"),
                    &format!("Your application was {verdict}."),
                    data.clone(),
                )
                .await?;
                let action = if accept { AuditAction::HrApplicationAccepted } else { AuditAction::HrApplicationRejected };
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    action,
                    Some(request.hr_id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                Ok(request)
            })
            .await?;
        Ok(HrMappingRequest(request))
    }

    /// Accepts or rejects an invitation addressed to the signed-in HR user.
    async fn respond_to_invitation(
        &self,
        ctx: &Context<'_>,
        invitation_id: ID,
        accept: bool,
    ) -> AppResult<HrMappingRequest> {
        let principal = ctx.require_role(&[Role::Hr])?;
        let id = parse_id(&invitation_id, "invitationId")?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let request = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let found = mapping::find(conn, id)
                    .await?
                    .filter(|r| r.kind == RequestKind::Invitation && r.hr_id == principal.user_id);
                let request = decide_request(
                    conn,
                    found.ok_or(AppError::NotFound("invitation"))?,
                    accept,
                    principal.user_id,
                )
                .await?;
                let verdict = if accept { "accepted" } else { "declined" };
                let data = serde_json::json!({ "requestId": id, "accepted": accept });
                notify::send(
                    conn,
                    request.admin_id,
                    NotificationKind::MappingDecided,
                    &format!("Invitation {verdict}"),
                    &format!("Your invitation was {verdict}."),
                    data.clone(),
                )
                .await?;
                let action = if accept { AuditAction::HrInvitationAccepted } else { AuditAction::HrInvitationDeclined };
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    action,
                    Some(request.admin_id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                Ok(request)
            })
            .await?;
        Ok(HrMappingRequest(request))
    }

    /// Unmaps an HR user from their admin; their candidates are unassigned. Admins only.
    async fn unmap_hr(&self, ctx: &Context<'_>, hr_id: ID) -> AppResult<User> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let hr_id = UserId(parse_id(&hr_id, "hrId")?);
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let hr = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let hr = users::lock(conn, hr_id)
                    .await?
                    .filter(|u| u.role == Role::Hr)
                    .ok_or(AppError::NotFound("HR user"))?;
                let Some(candidates) = users::unmap_hr(conn, hr.id).await? else {
                    return Err(AppError::Conflict("this HR user is not mapped".into()));
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
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    AuditAction::HrUnmapped,
                    Some(hr.id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                StoredUser::find(conn, hr.id).await?.ok_or(AppError::NotFound("HR user"))
            })
            .await?;
        Ok(hr.into())
    }
}
