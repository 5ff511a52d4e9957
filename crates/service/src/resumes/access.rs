//! Who may see a candidate's resumes: the one policy, used by every resume read and by search.
//!
//! The candidate; admins; an HR user mapped to an admin when the candidate is assigned to them
//! or chose to be discoverable (profile preference, off by default). Everyone else is told the
//! candidate's resumes do not exist.

use viva_domain::{Role, UserId};
use viva_store::AsyncPgConnection;
use viva_store::models::session::Principal;
use viva_store::models::user::User;

use crate::{ServiceError, ServiceResult};

/// Whether `principal` may see the resumes of `candidate` (a candidate's account).
pub fn may_see(principal: &Principal, candidate: &User) -> bool {
    if candidate.role != Role::Candidate {
        return false;
    }
    match principal.role {
        Role::Admin => true,
        Role::Candidate => principal.user_id == candidate.id,
        Role::Hr => {
            crate::organisation::is_mapped_hr(principal)
                && (candidate.assigned_hr_id == Some(principal.user_id) || candidate.discoverable)
        }
    }
}

/// [`may_see`] for a candidate by id; `NOT_FOUND` when they may not (or no such candidate).
pub async fn check(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    candidate: UserId,
) -> ServiceResult<User> {
    let found = User::find(conn, candidate).await?.ok_or(ServiceError::NotFound("candidate"))?;
    if may_see(principal, &found) { Ok(found) } else { Err(ServiceError::NotFound("candidate")) }
}
