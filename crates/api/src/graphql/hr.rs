//! An HR user's candidates (SPEC HR-3).
//!
//! The resolver parses its arguments and calls [`viva_service::organisation::assignment`], where
//! the rules (an HR user sees their own candidates, and only while mapped to an admin) are.

use async_graphql::{Context, ID, Object};
use viva_domain::{Role, UserId};
use viva_service::organisation::assignment;
use viva_store::models::user::{UserCursor, UserSort};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
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
        let hr_id = hr_id.as_ref().map(|id| parse_id(id, "hrId")).transpose()?.map(UserId);
        let service = &ctx.services()?.service;
        let rows =
            assignment::assigned_candidates(service, &principal, hr_id, cursor.as_ref(), limit + 1).await?;
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
