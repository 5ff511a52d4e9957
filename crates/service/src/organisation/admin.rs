//! The admin console: accounts, activation and deletion, statistics and the audit log (SPEC
//! ADMIN-1, ADMIN-2, ADMIN-3, ADMIN-6).

use diesel_async::AsyncConnection;
use viva_domain::interview::InterviewStatus;
use viva_domain::vocab::{AuditAction, JobKind};
use viva_domain::{Role, UserId, UserStatus};
use viva_store::AsyncPgConnection;
use viva_store::models::TimeCursor;
use viva_store::models::audit::{self as audit_entries, AuditEntry, AuditFilter};
use viva_store::models::session::{self, Principal, RevocationReason};
use viva_store::models::user::{self as users, User, UserCursor, UserFilter, UserSort};
use viva_store::models::{evaluation, interview, mapping};

use super::require_role;
use crate::auth::settle_access_change;
use crate::{Service, ServiceError, ServiceResult, audit};

/// Accounts matching the filter in the given order, after the cursor; `limit` rows at most.
/// Admins only; the filter's text is at most 100 characters.
pub async fn users(
    service: &Service,
    principal: &Principal,
    filter: &UserFilter,
    sort: UserSort,
    after: Option<&UserCursor>,
    limit: i64,
) -> ServiceResult<Vec<User>> {
    require_role(principal, &[Role::Admin])?;
    if filter.text.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(ServiceError::bad_field("filter.text", "must be at most 100 characters"));
    }
    let mut conn = service.pool.get().await?;
    Ok(users::list(&mut conn, filter, sort, after, limit).await?)
}

/// One account, if the caller may see it: admins see anyone, HR users their assigned
/// candidates, everyone themselves. `NOT_FOUND` otherwise.
pub async fn user(service: &Service, principal: &Principal, id: UserId) -> ServiceResult<User> {
    let mut conn = service.pool.get().await?;
    let user = User::find(&mut conn, id).await?.ok_or(ServiceError::NotFound("user"))?;
    let visible = principal.role == Role::Admin
        || principal.user_id == user.id
        || (principal.role == Role::Hr && user.assigned_hr_id == Some(principal.user_id));
    if !visible {
        return Err(ServiceError::NotFound("user"));
    }
    Ok(user)
}

/// How many accounts hold a role, by status.
#[derive(Clone, Copy, Debug)]
pub struct RoleCount {
    /// The role.
    pub role: Role,
    /// Active accounts with it.
    pub active: i64,
    /// Deactivated accounts with it.
    pub deactivated: i64,
}

/// The platform at a glance.
#[derive(Debug)]
pub struct SystemStats {
    /// Interviews by status, every status listed, practice included.
    pub interviews_by_status: Vec<(InterviewStatus, i64)>,
    /// Accounts by role and status, every role listed.
    pub users_by_role: Vec<RoleCount>,
    /// All accounts.
    pub total_users: i64,
    /// Sessions signed in and not signed out.
    pub live_sessions: i64,
    /// HR applications waiting for an admin.
    pub pending_hr_applications: i64,
    /// Invitations waiting for an HR user.
    pub pending_hr_invitations: i64,
    /// `send_email` jobs waiting or running: emails not delivered yet and still being tried.
    pub emails_pending: i64,
    /// Dead `send_email` jobs: emails given up on after every attempt failed.
    pub emails_failed: i64,
    /// Background jobs of every kind waiting or running.
    pub jobs_waiting: i64,
    /// Background jobs of every kind that failed every attempt.
    pub jobs_dead: i64,
    /// Whether this replica's event-bus listener is connected (live notifications flow).
    pub event_bus_connected: bool,
    /// Answer evaluations stored, re-evaluations included.
    pub evaluations: i64,
    /// This replica's AI providers and how their calls have gone.
    pub ai_providers: Vec<viva_ai::ProviderHealth>,
    /// Configured AI providers not in service on this replica, and why.
    pub ai_degraded: Vec<String>,
}

/// Counts across the platform, and this replica's event bus and AI providers. Admins only.
pub async fn system_stats(service: &Service, principal: &Principal) -> ServiceResult<SystemStats> {
    require_role(principal, &[Role::Admin])?;
    let mut conn = service.pool.get().await?;
    let counts = users::count_by_role_and_status(&mut conn).await?;
    let count = |role: Role, status: UserStatus| {
        counts.iter().find(|(r, s, _)| r == role.as_str() && s == status.as_str()).map_or(0, |(_, _, n)| *n)
    };
    let users_by_role = Role::ALL
        .into_iter()
        .map(|role| RoleCount {
            role,
            active: count(role, UserStatus::Active),
            deactivated: count(role, UserStatus::Deactivated),
        })
        .collect();
    let total_users = counts.iter().map(|(_, _, n)| n).sum();
    let (pending_hr_applications, pending_hr_invitations) = mapping::count_pending(&mut conn).await?;
    let emails_pending = viva_store::queue::waiting_of_kind(&mut conn, JobKind::SendEmail.as_str()).await?;
    let emails_failed = viva_store::queue::dead_of_kind(&mut conn, JobKind::SendEmail.as_str()).await?;
    let (jobs_waiting, jobs_dead) = viva_store::queue::depth(&mut conn).await?;
    let by_status = interview::count_by_status(&mut conn).await?;
    let interviews_by_status = InterviewStatus::ALL
        .into_iter()
        .map(|status| (status, by_status.iter().find(|(s, _)| s == status.as_str()).map_or(0, |(_, n)| *n)))
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
        event_bus_connected: service.events.is_connected(),
        evaluations: evaluation::count(&mut conn).await?,
        ai_providers: service.ai.registry.health(),
        ai_degraded: service
            .ai
            .registry
            .degraded()
            .iter()
            .map(|d| format!("{} provider {:?}: {}", d.capability.as_str(), d.provider, d.reason))
            .collect(),
    })
}

/// Audit entries matching the filter, newest first, after the cursor; `limit` rows at most.
/// Admins only; the filter names at most 50 actions of at most 64 characters each.
pub async fn audit_log(
    service: &Service,
    principal: &Principal,
    filter: &AuditFilter,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<AuditEntry>> {
    require_role(principal, &[Role::Admin])?;
    if filter.actions.len() > 50 || filter.actions.iter().any(|a| a.len() > 64) {
        return Err(ServiceError::bad_field("filter.actions", "lists at most 50 action names"));
    }
    let mut conn = service.pool.get().await?;
    Ok(audit_entries::list(&mut conn, filter, after, limit).await?)
}

/// Loads and locks the target of an admin action; admins cannot be acted on here.
async fn non_admin_target(conn: &mut AsyncPgConnection, id: UserId) -> ServiceResult<User> {
    let user = users::lock(conn, id).await?.ok_or(ServiceError::NotFound("user"))?;
    if user.role == Role::Admin {
        return Err(ServiceError::Forbidden("admins cannot be deactivated or deleted"));
    }
    Ok(user)
}

/// Activates or deactivates a user other than an admin; deactivation ends their sessions at
/// once. Audited only when the status changes. Admins only. Returns the user as they are now.
pub async fn set_user_active(
    service: &Service,
    principal: &Principal,
    user_id: UserId,
    active: bool,
    ip: Option<&str>,
) -> ServiceResult<User> {
    require_role(principal, &[Role::Admin])?;
    let admin_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    let user = conn
        .transaction::<_, ServiceError, _>(async move |conn| {
            let user = non_admin_target(conn, user_id).await?;
            let status = if active { UserStatus::Active } else { UserStatus::Deactivated };
            if User::set_status(conn, user.id, status).await? {
                let ended = if active {
                    0
                } else {
                    session::revoke_all_for_user(conn, user.id, RevocationReason::AccountDisabled, None)
                        .await?
                };
                let action = if active { AuditAction::UserActivated } else { AuditAction::UserDeactivated };
                audit::record(
                    conn,
                    Some(admin_id),
                    action,
                    Some(user.id),
                    ip,
                    serde_json::json!({ "sessionsEnded": ended }),
                )
                .await?;
            }
            User::find(conn, user.id).await?.ok_or(ServiceError::NotFound("user"))
        })
        .await?;
    settle_access_change(service, &mut conn, &[user_id]).await;
    Ok(user)
}

/// Deletes a user other than an admin, with their data; the audit log keeps the action without
/// personal data. Admins only.
pub async fn delete_user(
    service: &Service,
    principal: &Principal,
    user_id: UserId,
    ip: Option<&str>,
) -> ServiceResult<()> {
    require_role(principal, &[Role::Admin])?;
    let admin_id = principal.user_id;
    let mut conn = service.pool.get().await?;
    let (changed, files) = conn
        .transaction::<_, ServiceError, _>(async move |conn| {
            let user = non_admin_target(conn, user_id).await?;
            let files = crate::account_data::files_of(conn, user.id).await?;
            let changed = users::erase(conn, user.id).await?;
            audit::record(
                conn,
                Some(admin_id),
                AuditAction::UserDeleted,
                None,
                ip,
                serde_json::json!({ "role": user.role.as_str() }),
            )
            .await?;
            Ok((changed, files))
        })
        .await?;
    crate::reports::delete_files(service, &files).await;
    settle_access_change(service, &mut conn, &changed).await;
    Ok(())
}
