//! An HR user's candidates (SPEC HR-3).

use async_graphql::{Context, ID, Object};
use viva_domain::{Role, UserId};
use viva_store::models::user::{self as users, User as StoredUser, UserCursor, UserFilter, UserSort};

use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::admin::UserConnection;
use crate::graphql::pagination::{page, page_size, parse_user_cursor, user_cursor};
use crate::graphql::types::{User, parse_id};

/// HR queries.
#[derive(Default)]
pub struct HrQuery;

#[Object]
impl HrQuery {
    /// The candidates assigned to the signed-in HR user (who must be mapped to an admin), by
    /// name. Admins pass `hrId` to see any HR user's candidates.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn assigned_candidates(
        &self,
        ctx: &Context<'_>,
        hr_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<UserConnection> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let limit = page_size(first)?;
        let cursor = parse_user_cursor(after.as_deref())?;
        let mut conn = ctx.services()?.pool.get().await?;
        let hr = match (principal.role, hr_id) {
            (Role::Admin, Some(id)) => UserId(parse_id(&id, "hrId")?),
            (Role::Admin, None) => return Err(AppError::bad_field("hrId", "is required for admins")),
            (_, Some(_)) => return Err(AppError::Forbidden("HR users see only their own candidates")),
            (_, None) => {
                let me = StoredUser::find(&mut conn, principal.user_id)
                    .await?
                    .ok_or(AppError::NotFound("user"))?;
                if me.mapped_admin_id.is_none() {
                    return Err(AppError::Forbidden("you must be mapped to an admin to manage candidates"));
                }
                me.id
            }
        };
        let filter =
            UserFilter { role: Some(Role::Candidate), assigned_hr: Some(hr), ..UserFilter::default() };
        let rows = users::list(&mut conn, &filter, UserSort::Name, cursor.as_ref(), limit + 1).await?;
        Ok(page(
            rows,
            limit,
            cursor.is_some(),
            |u| user_cursor(&UserCursor::of(u, UserSort::Name)),
            User::from,
        )
        .into())
    }
}
