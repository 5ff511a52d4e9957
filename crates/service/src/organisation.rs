//! How the platform's people are organised, and the admin console over them: HR users map to
//! admins ([`mapping`]), candidates are assigned to mapped HR users ([`assignment`]), and admins
//! manage accounts, read the statistics and the audit log ([`admin`]).
//!
//! The rule that an HR user acts on candidates only while mapped to an admin lives here, once:
//! [`mapped_admin`], [`require_mapped`] and [`is_mapped_hr`].

pub mod admin;
pub mod assignment;
pub mod mapping;

use viva_domain::{Role, UserId};
use viva_store::models::session::Principal;
use viva_store::models::user::User;

use crate::{ServiceError, ServiceResult};

/// The admin an HR user is mapped to, if any. An HR user manages candidates, schedules their
/// interviews and messages them only while this is `Some`; an HR user already mapped cannot
/// apply to, or be invited by, another admin.
pub fn mapped_admin(hr: &User) -> Option<UserId> {
    hr.mapped_admin_id
}

/// Whether the caller is an HR user mapped to an admin now (as of their request's session
/// lookup): the condition for acting on candidates.
pub fn is_mapped_hr(principal: &Principal) -> bool {
    principal.role == Role::Hr && principal.mapped_admin_id.is_some()
}

/// The admin an HR user is mapped to, or `FORBIDDEN` with `refusal` (which says what the HR user
/// was trying to do, such as "you must be mapped to an admin to manage candidates").
pub fn require_mapped(hr: &User, refusal: &'static str) -> ServiceResult<UserId> {
    mapped_admin(hr).ok_or(ServiceError::Forbidden(refusal))
}

/// Refuses with `FORBIDDEN` unless the caller holds one of `roles` (the API's role guard, kept
/// here too so that no use case depends on its caller having checked).
fn require_role(principal: &Principal, roles: &[Role]) -> ServiceResult<()> {
    if roles.contains(&principal.role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("your role may not do this"))
    }
}
