//! Download links for exported reports: `/exports/<id>?expires=<unix seconds>&signature=<mac>`,
//! where the MAC (HMAC-SHA256, base64url) covers the export, the user the link was issued to
//! and the expiry, under a key derived from the token secret for this use only. Resume file
//! links are signed the same way, under a key of their own ([`Purpose`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;
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

/// What a signed link is for: each use has its own key, so a link of one kind can never pass
/// for another.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Purpose {
    /// An exported report's file.
    Report,
    /// A resume's file.
    Resume,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Report => b"viva report download links\0",
            Purpose::Resume => b"viva resume download links\0",
        }
    }
}

fn mac(
    service: &Service,
    purpose: Purpose,
    id: Uuid,
    user: UserId,
    expires: i64,
) -> ServiceResult<Hmac<Sha256>> {
    let key = Sha256::new()
        .chain_update(purpose.label())
        .chain_update(service.config.jwt_secret.expose())
        .finalize();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(ServiceError::internal)?;
    mac.update(id.as_bytes());
    mac.update(user.0.as_bytes());
    mac.update(&expires.to_be_bytes());
    Ok(mac)
}

/// The signature (base64url) of a link for `user` to `id` until `expires` (Unix seconds).
pub(crate) fn sign(
    service: &Service,
    purpose: Purpose,
    id: Uuid,
    user: UserId,
    expires: i64,
) -> ServiceResult<String> {
    Ok(URL_SAFE_NO_PAD.encode(mac(service, purpose, id, user, expires)?.finalize().into_bytes()))
}

/// Checks a signature presented by `user`: `NOT_FOUND` (naming `what`) when it was not made for
/// them and `id` (or was altered), `FORBIDDEN` when the link has expired.
pub(crate) fn check(
    service: &Service,
    purpose: Purpose,
    what: &'static str,
    id: Uuid,
    user: UserId,
    expires: i64,
    signature: &str,
) -> ServiceResult<()> {
    let presented = URL_SAFE_NO_PAD.decode(signature).map_err(|_| ServiceError::NotFound(what))?;
    mac(service, purpose, id, user, expires)?
        .verify_slice(&presented)
        .map_err(|_| ServiceError::NotFound(what))?;
    if expires <= Utc::now().timestamp() {
        return Err(ServiceError::Forbidden("this download link has expired; ask for a new link"));
    }
    Ok(())
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
    let signature = sign(service, Purpose::Report, id.0, user, expires)?;
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
    check(service, Purpose::Report, "report export", id.0, user, expires, signature).map_err(
        |err| match err {
            ServiceError::Forbidden(_) => ServiceError::Forbidden(
                "this download link has expired; ask for the export again for a new link",
            ),
            other => other,
        },
    )
}
