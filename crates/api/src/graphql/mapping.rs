//! HR ↔ admin mapping: applications, invitations, decisions and unmapping (SPEC HR-1, ADMIN-4).
//!
//! The resolvers parse their arguments and call [`viva_service::organisation::mapping`], where
//! the rules, the transactions and their races are.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use viva_domain::{Role, UserId};
use viva_service::organisation::mapping::{self, RequestQuery};
use viva_store::models::mapping::{MappingRequest, RequestKind, RequestStatus};
use viva_store::models::user::{UserCursor, UserSort};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::pagination::{
    connection, page, page_size, parse_time_cursor, parse_user_cursor, time_cursor, user_cursor,
};
use crate::graphql::types::{PersonSummary, User, parse_id, person};

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
        person(ctx, Some(self.0.hr_id)).await
    }

    /// The admin.
    async fn admin(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, Some(self.0.admin_id)).await
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
        let query = RequestQuery { status: filter.status.map(Into::into), kind: filter.kind.map(Into::into) };
        let service = &ctx.services()?.service;
        let rows = mapping::requests(service, &principal, query, cursor, limit + 1).await?;
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
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let limit = page_size(first)?;
        let cursor = parse_user_cursor(after.as_deref())?;
        let service = &ctx.services()?.service;
        let rows = mapping::admins(service, &principal, cursor.as_ref(), limit + 1).await?;
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
        let ip = ctx.client().ip;
        let service = &ctx.services()?.service;
        let request =
            mapping::apply_to_admin(service, &principal, admin_id, message.as_deref(), ip.as_deref()).await?;
        Ok(HrMappingRequest(request))
    }

    /// Withdraws one's own pending application. HR users.
    async fn cancel_application(&self, ctx: &Context<'_>, application_id: ID) -> AppResult<HrMappingRequest> {
        let principal = ctx.require_role(&[Role::Hr])?;
        let id = parse_id(&application_id, "applicationId")?;
        let ip = ctx.client().ip;
        let service = &ctx.services()?.service;
        let request = mapping::cancel_application(service, &principal, id, ip.as_deref()).await?;
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
        let ip = ctx.client().ip;
        let service = &ctx.services()?.service;
        let request =
            mapping::invite_hr(service, &principal, &email, message.as_deref(), ip.as_deref()).await?;
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
        let service = &ctx.services()?.service;
        let request = mapping::respond_to_application(service, &principal, id, accept, ip.as_deref()).await?;
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
        let service = &ctx.services()?.service;
        let request = mapping::respond_to_invitation(service, &principal, id, accept, ip.as_deref()).await?;
        Ok(HrMappingRequest(request))
    }

    /// Unmaps an HR user from their admin; their candidates are unassigned. Admins only.
    async fn unmap_hr(&self, ctx: &Context<'_>, hr_id: ID) -> AppResult<User> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let hr_id = UserId(parse_id(&hr_id, "hrId")?);
        let ip = ctx.client().ip;
        let service = &ctx.services()?.service;
        let hr = mapping::unmap_hr(service, &principal, hr_id, ip.as_deref()).await?;
        Ok(hr.into())
    }
}
