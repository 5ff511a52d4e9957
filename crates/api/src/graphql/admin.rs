//! The admin console: users, activation and deletion, statistics, candidate assignment and the
//! audit log (SPEC ADMIN-1, ADMIN-2, ADMIN-3, ADMIN-5, ADMIN-6).

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use viva_domain::{Role, UserId, UserStatus};
use viva_store::models::audit::{self, AuditFilter};
use viva_store::models::session::{self, RevocationReason};
use viva_store::models::user::{self as users, User as StoredUser, UserCursor, UserFilter, UserSort};
use viva_store::models::{email, mapping};

use viva_service::audit as audit_log;
use viva_domain::vocab::AuditAction;
use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{
    connection, page, page_size, parse_time_cursor, parse_user_cursor, time_cursor, user_cursor,
};
use crate::graphql::types::{GqlRole, GqlUserStatus, PersonSummary, User, parse_id, person};
use viva_service::notify;
use viva_domain::vocab::NotificationKind;

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
    /// Emails waiting to be sent.
    pub emails_pending: i64,
    /// Emails given up on after every attempt failed.
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
    /// False when its last three calls failed.
    pub up: bool,
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
        ctx.require_role(&[Role::Admin])?;
        let limit = page_size(first)?;
        if filter.text.as_ref().is_some_and(|t| t.chars().count() > 100) {
            return Err(AppError::bad_field("filter.text", "must be at most 100 characters"));
        }
        let cursor = parse_user_cursor(after.as_deref())?;
        let store_filter = UserFilter {
            role: filter.role.map(Into::into),
            status: filter.status.map(Into::into),
            text: filter.text,
            ..UserFilter::default()
        };
        let sort: UserSort = order.into();
        let mut conn = ctx.services()?.pool.get().await?;
        let rows = users::list(&mut conn, &store_filter, sort, cursor.as_ref(), limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), |u| user_cursor(&UserCursor::of(u, sort)), User::from).into())
    }

    /// One account. Admins see anyone; HR users their assigned candidates; everyone themselves.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> AppResult<User> {
        let principal = ctx.principal()?;
        let id = UserId(parse_id(&id, "id")?);
        let mut conn = ctx.services()?.pool.get().await?;
        let user = StoredUser::find(&mut conn, id).await?.ok_or(AppError::NotFound("user"))?;
        let visible = principal.role == Role::Admin
            || principal.user_id == user.id
            || (principal.role == Role::Hr && user.assigned_hr_id == Some(principal.user_id.0));
        if !visible {
            return Err(AppError::NotFound("user"));
        }
        Ok(user.into())
    }

    /// Counts across the platform. Admins only.
    async fn system_stats(&self, ctx: &Context<'_>) -> AppResult<SystemStats> {
        ctx.require_role(&[Role::Admin])?;
        let services = ctx.services()?;
        let mut conn = services.pool.get().await?;
        let counts = users::count_by_role_and_status(&mut conn).await?;
        let users_by_role = Role::ALL
            .iter()
            .map(|role| {
                let count = |status: UserStatus| {
                    counts
                        .iter()
                        .find(|(r, s, _)| r == role.as_str() && s == status.as_str())
                        .map_or(0, |(_, _, n)| *n)
                };
                CountByRole {
                    role: (*role).into(),
                    active: count(UserStatus::Active),
                    deactivated: count(UserStatus::Deactivated),
                }
            })
            .collect::<Vec<_>>();
        let total_users = counts.iter().map(|(_, _, n)| n).sum();
        let (pending_hr_applications, pending_hr_invitations) = mapping::count_pending(&mut conn).await?;
        let (emails_pending, emails_failed) =
            email::counts(&mut conn, viva_service::mail::smtp::MAX_ATTEMPTS).await?;
        let (jobs_waiting, jobs_dead) = viva_store::queue::depth(&mut conn).await?;
        let by_status = viva_store::models::interview::count_by_status(&mut conn).await?;
        let interviews_by_status = viva_domain::interview::InterviewStatus::ALL
            .into_iter()
            .map(|status| InterviewStatusCount {
                status: status.into(),
                count: by_status.iter().find(|(s, _)| s == status.as_str()).map_or(0, |(_, n)| *n),
            })
            .collect();
        Ok(SystemStats {
            interviews_by_status,
            users_by_role,
            total_users,
            live_sessions: session::count_live(&mut conn).await?,
            pending_hr_applications,
            pending_hr_invitations,
            emails_pending,
            emails_failed,
            jobs_waiting,
            jobs_dead,
            event_bus_connected: services.events.is_connected(),
            evaluations: viva_store::models::evaluation::count(&mut conn).await?,
            ai_providers: services
                .ai
                .registry
                .health()
                .into_iter()
                .map(|h| AiProviderHealth {
                    capability: h.capability.as_str().to_owned(),
                    up: h.is_up(),
                    provider: h.info.provider,
                    model: h.info.model,
                    calls: i64::try_from(h.calls).unwrap_or(i64::MAX),
                    failures: i64::try_from(h.failures).unwrap_or(i64::MAX),
                })
                .collect(),
            ai_degraded: services
                .ai
                .registry
                .degraded()
                .iter()
                .map(|d| format!("{} provider {:?}: {}", d.capability.as_str(), d.provider, d.reason))
                .collect(),
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
        ctx.require_role(&[Role::Admin])?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let actions = filter.actions.unwrap_or_default();
        if actions.len() > 50 || actions.iter().any(|a| a.len() > 64) {
            return Err(AppError::bad_field("filter.actions", "lists at most 50 action names"));
        }
        let store_filter = AuditFilter {
            actions,
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
        let mut conn = ctx.services()?.pool.get().await?;
        let rows = audit::list(&mut conn, &store_filter, cursor, limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), |e| time_cursor(e.occurred_at, e.id), AuditEntry).into())
    }
}

/// Admin mutations.
#[derive(Default)]
pub struct AdminMutation;

/// Loads the target of an admin action; admins cannot be acted on here.
async fn non_admin_target(conn: &mut viva_store::AsyncPgConnection, id: &ID) -> AppResult<StoredUser> {
    let id = UserId(parse_id(id, "userId")?);
    let user = users::lock(conn, id).await?.ok_or(AppError::NotFound("user"))?;
    if user.role == Role::Admin {
        return Err(AppError::Forbidden("admins cannot be deactivated or deleted"));
    }
    Ok(user)
}

#[Object]
impl AdminMutation {
    /// Activates or deactivates a user other than an admin. Deactivation signs them out
    /// everywhere at once. Admins only.
    async fn set_user_active(&self, ctx: &Context<'_>, user_id: ID, active: bool) -> AppResult<User> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let user = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let user = non_admin_target(conn, &user_id).await?;
                let status = if active { UserStatus::Active } else { UserStatus::Deactivated };
                if StoredUser::set_status(conn, user.id, status).await? {
                    let ended = if active {
                        0
                    } else {
                        session::revoke_all_for_user(conn, user.id, RevocationReason::AccountDisabled, None)
                            .await?
                    };
                    let action = if active { AuditAction::UserActivated } else { AuditAction::UserDeactivated };
                    audit_log::record(
                        conn,
                        Some(principal.user_id),
                        action,
                        Some(user.id),
                        ip.as_deref(),
                        serde_json::json!({ "sessionsEnded": ended }),
                    )
                    .await?;
                }
                StoredUser::find(conn, user.id).await?.ok_or(AppError::NotFound("user"))
            })
            .await?;
        Ok(user.into())
    }

    /// Deletes a user other than an admin, with their data; the audit log keeps the action
    /// without personal data. Admins only.
    async fn delete_user(&self, ctx: &Context<'_>, user_id: ID) -> AppResult<bool> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        conn.transaction::<_, AppError, _>(async move |conn| {
            let user = non_admin_target(conn, &user_id).await?;
            users::erase(conn, user.id).await?;
            audit_log::record(
                conn,
                Some(principal.user_id),
                AuditAction::UserDeleted,
                None,
                ip.as_deref(),
                serde_json::json!({ "role": user.role.as_str() }),
            )
            .await
        })
        .await?;
        Ok(true)
    }

    /// Assigns a candidate to a mapped, active HR user, or moves them to another. Admins only.
    async fn assign_candidate(&self, ctx: &Context<'_>, candidate_id: ID, hr_id: ID) -> AppResult<User> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let candidate_id = UserId(parse_id(&candidate_id, "candidateId")?);
        let hr_id = UserId(parse_id(&hr_id, "hrId")?);
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let user = conn
            .transaction::<_, AppError, _>(async move |conn| {
                // Lock the HR user first: an unmapping that races this waits, or this waits for it.
                let hr = users::lock(conn, hr_id).await?.ok_or(AppError::NotFound("HR user"))?;
                if hr.role != Role::Hr {
                    return Err(AppError::bad_field("hrId", "is not an HR user"));
                }
                if hr.mapped_admin_id.is_none() || hr.status != UserStatus::Active {
                    return Err(AppError::Conflict(
                        "candidates can only be assigned to an active HR user mapped to an admin".into(),
                    ));
                }
                let candidate =
                    users::lock(conn, candidate_id).await?.ok_or(AppError::NotFound("candidate"))?;
                if candidate.role != Role::Candidate {
                    return Err(AppError::bad_field("candidateId", "is not a candidate"));
                }
                if candidate.assigned_hr_id == Some(hr.id.0) {
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
                        UserId(previous),
                        NotificationKind::CandidateUnassigned,
                        "Candidate reassigned",
                        &format!("{} was reassigned to another recruiter.", candidate.full_name),
                        data.clone(),
                    )
                    .await?;
                }
                let action = if previous.is_some() { AuditAction::CandidateReassigned } else { AuditAction::CandidateAssigned };
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    action,
                    Some(candidate.id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                StoredUser::find(conn, candidate.id).await?.ok_or(AppError::NotFound("candidate"))
            })
            .await?;
        Ok(user.into())
    }

    /// Ends a candidate's assignment. Admins only.
    async fn unassign_candidate(&self, ctx: &Context<'_>, candidate_id: ID) -> AppResult<User> {
        let principal = ctx.require_role(&[Role::Admin])?;
        let candidate_id = UserId(parse_id(&candidate_id, "candidateId")?);
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let user = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let candidate =
                    users::lock(conn, candidate_id).await?.ok_or(AppError::NotFound("candidate"))?;
                if candidate.role != Role::Candidate {
                    return Err(AppError::bad_field("candidateId", "is not a candidate"));
                }
                let Some(previous) = users::assign_candidate(conn, candidate.id, None).await? else {
                    return Err(AppError::Conflict("the candidate is not assigned".into()));
                };
                let data = serde_json::json!({ "candidateId": candidate.id.0, "hrId": previous });
                notify::send(
                    conn,
                    UserId(previous),
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
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    AuditAction::CandidateUnassigned,
                    Some(candidate.id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                StoredUser::find(conn, candidate.id).await?.ok_or(AppError::NotFound("candidate"))
            })
            .await?;
        Ok(user.into())
    }
}
