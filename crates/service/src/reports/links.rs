//! Download links for exported reports: `/exports/<id>?expires=<unix seconds>&signature=<mac>`,
//! where the MAC (HMAC-SHA256, base64url) covers the export, the user the link was issued to
//! and the expiry, under a key derived from the token secret for this use only.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use viva_domain::{ReportExportId, UserId};

use crate::{Service, ServiceError, ServiceResult};

/// A link to download an exported report.
#[derive(Clone, Debug)]
pub struct DownloadLink {
    /// The path and query to GET from the API's origin, with the same user's access token.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

fn mac(service: &Service, id: ReportExportId, user: UserId, expires: i64) -> ServiceResult<Hmac<Sha256>> {
    let key = Sha256::new()
        .chain_update(b"viva report download links\0")
        .chain_update(service.config.jwt_secret.expose())
        .finalize();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(ServiceError::internal)?;
    mac.update(id.0.as_bytes());
    mac.update(user.0.as_bytes());
    mac.update(&expires.to_be_bytes());
    Ok(mac)
}

/// A link for `user` to download export `id`, working until the link's lifetime or the file's,
/// whichever ends first.
pub fn issue(
    service: &Service,
    id: ReportExportId,
    user: UserId,
    file_expires_at: DateTime<Utc>,
) -> ServiceResult<DownloadLink> {
    let expires_at = super::link_expiry(service, file_expires_at);
    let expires = expires_at.timestamp();
    let signature = URL_SAFE_NO_PAD.encode(mac(service, id, user, expires)?.finalize().into_bytes());
    Ok(DownloadLink {
        url: format!("/exports/{id}?expires={expires}&signature={signature}"),
        expires_at: DateTime::from_timestamp(expires, 0).unwrap_or(expires_at),
    })
}

/// Checks a link presented by `user`: `NOT_FOUND` when it was not issued to them for this export
/// (or was altered), `FORBIDDEN` when it has expired.
pub fn verify(
    service: &Service,
    id: ReportExportId,
    user: UserId,
    expires: i64,
    signature: &str,
) -> ServiceResult<()> {
    let presented = URL_SAFE_NO_PAD.decode(signature).map_err(|_| ServiceError::NotFound("report export"))?;
    mac(service, id, user, expires)?
        .verify_slice(&presented)
        .map_err(|_| ServiceError::NotFound("report export"))?;
    if expires <= Utc::now().timestamp() {
        return Err(ServiceError::Forbidden(
            "this download link has expired; ask for the export again for a new link",
        ));
    }
    Ok(())
}
