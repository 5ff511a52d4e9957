//! The admin console: users, activation and deletion, statistics, candidate assignment and the
//! audit log (SPEC ADMIN-1, ADMIN-2, ADMIN-3, ADMIN-5, ADMIN-6).
//!
//! The resolvers parse their arguments and call [`viva_service::organisation::admin`] or
//! [`viva_service::organisation::assignment`], where the rules and the transactions are.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use viva_domain::{Role, UserId};
use viva_service::organisation::{admin, assignment};
use viva_store::models::audit::{self, AuditFilter};
use viva_store::models::user::{UserCursor, UserFilter, UserSort};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::pagination::{
    connection, page, page_size, parse_time_cursor, parse_user_cursor, time_cursor, user_cursor,
};
use crate::graphql::types::{GqlRole, GqlUserStatus, PersonSummary, User, parse_id, person};

connection!(UserConnection, UserEdge, User, "accounts");
connection!(AuditEntryConnection, AuditEntryEdge, AuditEntry, "audit entries");

/// How to order the user list.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UserOrder {
    /// Newest accounts first.
    #[default]
    NewestFirst,
    /// Oldest accounts first.
    OldestFirst,
    /// By full name, A to Z.
    Name,
    /// By email, A to Z.
    Email,
}

impl From<UserOrder> for UserSort {
    fn from(order: UserOrder) -> Self {
        match order {
            UserOrder::NewestFirst => UserSort::NewestFirst,
            UserOrder::OldestFirst => UserSort::OldestFirst,
            UserOrder::Name => UserSort::Name,
            UserOrder::Email => UserSort::Email,
        }
    }
}

/// Which users to list.
#[derive(InputObject, Default)]
pub struct UserListFilter {
    /// Only this role.
    pub role: Option<GqlRole>,
    /// Only this status.
    pub status: Option<GqlUserStatus>,
    /// Only names or emails containing this text (case-insensitive, up to 100 characters).
    pub text: Option<String>,
}

/// Which audit entries to list.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Only these actions, such as `LOGIN_FAILED` or `USER_DEACTIVATED`.
    pub actions: Option<Vec<String>>,
    /// Only actions by this user.
    pub actor_id: Option<ID>,
    /// Only actions on this user.
    pub target_user_id: Option<ID>,
    /// Only at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only before this time.
    pub until: Option<DateTime<Utc>>,
}

/// One audit entry.
pub struct AuditEntry(audit::AuditEntry);

/// One audit entry: who did what to whom, and when.
#[Object]
impl AuditEntry {
    /// The entry's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// What happened, as a stable name such as `LOGIN_SUCCEEDED`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// Who acted; null for anonymous actions and erased users.
    async fn actor(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, self.0.actor_id).await
    }

    /// Whom it was done to; null when nobody, or an erased user.
    async fn target(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, self.0.target_user_id).await
    }

    /// The client's address, while the people involved exist.
    async fn ip_address(&self) -> Option<&str> {
        self.0.ip_address.as_deref()
    }

    /// Structured facts about the action (ids, counts; never personal data).
    async fn details(&self) -> Json<serde_json::Value> {
        Json(self.0.details.clone())
    }
}

/// A count for one value of a dimension.
#[derive(SimpleObject)]
pub struct CountByRole {
    /// The role.
    pub role: GqlRole,
    /// Active accounts with it.
    pub active: i64,
    /// Deactivated accounts with it.
    pub deactivated: i64,
}

/// How many interviews are in one status.
#[derive(SimpleObject)]
pub struct InterviewStatusCount {
    /// The status.
    pub status: crate::graphql::interviews::GqlInterviewStatus,
    /// Interviews in it, practice included.
    pub count: i64,
}

/// The platform at a glance.
#[derive(SimpleObject)]
pub struct SystemStats {
    /// Interviews by status, every status listed.
    pub interviews_by_status: Vec<InterviewStatusCount>,
    /// Accounts by role and status.
    pub users_by_role: Vec<CountByRole>,
    /// All accounts.
    pub total_users: i64,
    /// Sessions signed in and not signed out.
    pub live_sessions: i64,
    /// HR applications waiting for an admin.
    pub pending_hr_applications: i64,
    /// Invitations waiting for an HR user.
    pub pending_hr_invitations: i64,
    /// Emails waiting to be sent: `send_email` background jobs waiting or running.
    pub emails_pending: i64,
    /// Emails given up on after every attempt failed: dead `send_email` background jobs.
    pub emails_failed: i64,
    /// Background jobs waiting or running.
    pub jobs_waiting: i64,
    /// Background jobs that failed every attempt.
    pub jobs_dead: i64,
    /// Whether this replica's event-bus listener is connected (live notifications flow).
    pub event_bus_connected: bool,
    /// Answer evaluations stored, re-evaluations included.
    pub evaluations: i64,
    /// This replica's AI providers and how their calls have gone.
    pub ai_providers: Vec<AiProviderHealth>,
    /// Configured AI providers not in service on this replica, and why.
    pub ai_degraded: Vec<String>,
}

/// How one AI provider has been doing on this replica.
#[derive(SimpleObject)]
pub struct AiProviderHealth {
    /// What it serves: `chat`, `embeddings` or `transcription`.
    pub capability: String,
    /// The provider's configured name.
    pub provider: String,
    /// Its model.
    pub model: String,
    /// Calls made since the replica started.
    pub calls: i64,
    /// Calls that failed.
    pub failures: i64,
    /// False while its circuit breaker is open or its daily budget is spent.
    pub up: bool,
    /// Its circuit breaker: `CLOSED` (calls go through), `OPEN` (refused until the cooldown
    /// ends) or `HALF_OPEN` (one probe call decides).
    pub breaker: String,
    /// Failed calls since its last success.
    pub consecutive_failures: i64,
    /// US dollars spent today (UTC) on this replica, from reported tokens and configured prices.
    pub spent_today_usd: f64,
    /// The daily spending cap, if one is configured; past it, the chain skips the provider.
    pub daily_budget_usd: Option<f64>,
    /// The last failure, for operators (no secrets).
    pub last_error: Option<String>,
}

/// Admin queries.
#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Every account, filtered and sorted, a page at a time. Admins only.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: UserListFilter,
        #[graphql(default)] order: UserOrder,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<UserConnection> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let limit = page_size(first)?;
        let cursor = parse_user_cursor(after.as_deref())?;
        let store_filter = UserFilter {
            role: filter.role.map(Into::into),
            status: filter.status.map(Into::into),
            text: filter.text,
            ..UserFilter::default()
        };
        let sort: UserSort = order.into();
        let service = &ctx.services()?.service;
        let rows = admin::users(service, &principal, &store_filter, sort, cursor.as_ref(), limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), |u| user_cursor(&UserCursor::of(u, sort)), User::from).into())
    }

    /// One account. Admins see anyone; HR users their assigned candidates; everyone themselves.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> AppResult<User> {
        let principal = ctx.principal()?;
        let id = UserId(parse_id(&id, "id")?);
        Ok(admin::user(&ctx.services()?.service, &principal, id).await?.into())
    }

    /// Counts across the platform. Admins only.
    async fn system_stats(&self, ctx: &Context<'_>) -> AppResult<SystemStats> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let stats = admin::system_stats(&ctx.services()?.service, &principal).await?;
        Ok(SystemStats {
            interviews_by_status: stats
                .interviews_by_status
                .into_iter()
                .map(|(status, count)| InterviewStatusCount { status: status.into(), count })
                .collect(),
            users_by_role: stats
                .users_by_role
                .into_iter()
                .map(|c| CountByRole { role: c.role.into(), active: c.active, deactivated: c.deactivated })
                .collect(),
            total_users: stats.total_users,
            live_sessions: stats.live_sessions,
            pending_hr_applications: stats.pending_hr_applications,
            pending_hr_invitations: stats.pending_hr_invitations,
            emails_pending: stats.emails_pending,
            emails_failed: stats.emails_failed,
            jobs_waiting: stats.jobs_waiting,
            jobs_dead: stats.jobs_dead,
            event_bus_connected: stats.event_bus_connected,
            evaluations: stats.evaluations,
            ai_providers: stats
                .ai_providers
                .into_iter()
                .map(|h| AiProviderHealth {
                    capability: h.capability.as_str().to_owned(),
                    up: h.is_up(),
                    provider: h.info.provider,
                    model: h.info.model,
                    calls: i64::try_from(h.calls).unwrap_or(i64::MAX),
                    failures: i64::try_from(h.failures).unwrap_or(i64::MAX),
                    breaker: h.breaker.as_str().to_owned(),
                    consecutive_failures: i64::try_from(h.consecutive_failures).unwrap_or(i64::MAX),
                    spent_today_usd: h.spent_today_usd,
                    daily_budget_usd: h.daily_budget_usd,
                    last_error: h.last_error,
                })
                .collect(),
            ai_degraded: stats.ai_degraded,
        })
    }

    /// Who did what to whom, newest first, filterable. Admins only.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: AuditLogFilter,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<AuditEntryConnection> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let store_filter = AuditFilter {
            actions: filter.actions.unwrap_or_default(),
            actor_id: filter
                .actor_id
                .as_ref()
                .map(|id| parse_id(id, "filter.actorId"))
                .transpose()?
                .map(UserId),
            target_user_id: filter
                .target_user_id
                .as_ref()
                .map(|id| parse_id(id, "filter.targetUserId"))
                .transpose()?
                .map(UserId),
            since: filter.since,
            until: filter.until,
        };
        let service = &ctx.services()?.service;
        let rows = admin::audit_log(service, &principal, &store_filter, cursor, limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), |e| time_cursor(e.occurred_at, e.id), AuditEntry).into())
    }
}

/// Admin mutations.
#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Activates or deactivates a user other than an admin. Deactivation signs them out
    /// everywhere at once. Admins only.
    async fn set_user_active(&self, ctx: &Context<'_>, user_id: ID, active: bool) -> AppResult<User> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let user_id = UserId(parse_id(&user_id, "userId")?);
        let ip = ctx.client().ip;
        let service = &ctx.services()?.service;
        let user = admin::set_user_active(service, &principal, user_id, active, ip.as_deref()).await?;
        Ok(user.into())
    }

    /// Deletes a user other than an admin, with their data; the audit log keeps the action
    /// without personal data. Admins only.
    async fn delete_user(&self, ctx: &Context<'_>, user_id: ID) -> AppResult<bool> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let user_id = UserId(parse_id(&user_id, "userId")?);
        let ip = ctx.client().ip;
        admin::delete_user(&ctx.services()?.service, &principal, user_id, ip.as_deref()).await?;
        Ok(true)
    }

    /// Assigns a candidate to a mapped, active HR user, or moves them to another. Admins only.
    async fn assign_candidate(&self, ctx: &Context<'_>, candidate_id: ID, hr_id: ID) -> AppResult<User> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let candidate_id = UserId(parse_id(&candidate_id, "candidateId")?);
        let hr_id = UserId(parse_id(&hr_id, "hrId")?);
        let ip = ctx.client().ip;
        let service = &ctx.services()?.service;
        let user =
            assignment::assign_candidate(service, &principal, candidate_id, hr_id, ip.as_deref()).await?;
        Ok(user.into())
    }

    /// Ends a candidate's assignment. Admins only.
    async fn unassign_candidate(&self, ctx: &Context<'_>, candidate_id: ID) -> AppResult<User> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let candidate_id = UserId(parse_id(&candidate_id, "candidateId")?);
        let ip = ctx.client().ip;
        let service = &ctx.services()?.service;
        let user = assignment::unassign_candidate(service, &principal, candidate_id, ip.as_deref()).await?;
        Ok(user.into())
    }
}
