//! Recording actions in the audit log.

use viva_domain::UserId;
use viva_domain::vocab::AuditAction;
use viva_store::AsyncPgConnection;
use viva_store::models::audit::{self, NewAuditEntry};

use crate::error::ServiceResult;

/// Records an action; call inside the transaction of the change it records, so both or neither
/// are kept. `details` must hold no personal data.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor_id: Option<UserId>,
    action: AuditAction,
    target_user_id: Option<UserId>,
    ip_address: Option<&str>,
    details: serde_json::Value,
) -> ServiceResult<()> {
    audit::record(conn, &NewAuditEntry { actor_id, action, target_user_id, ip_address, details }).await?;
    Ok(())
}
