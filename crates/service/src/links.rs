//! Download links for stored files: `/<route>/<id>?expires=<unix seconds>&signature=<mac>`,
//! where the MAC (HMAC-SHA256, base64url) covers what the link is for, the file's id, the user
//! the link was issued to and the expiry, under a key derived from the token secret for this use
//! only. A link works only for that user (the route also wants their access token), and only
//! until it expires; the route checks access again.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use viva_domain::UserId;

use crate::{Service, ServiceError, ServiceResult};

/// What a link downloads: each kind has its route, and its links are signed apart, so that a
/// link for one kind never opens another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// An exported interview report (`/exports/<id>`).
    ReportExport,
    /// An answer's audio or recording (`/media/<id>`).
    AnswerMedia,
}

impl LinkKind {
    fn route(self) -> &'static str {
        match self {
            Self::ReportExport => "exports",
            Self::AnswerMedia => "media",
        }
    }

    /// What a client is told when the link does not match.
    pub fn not_found(self) -> ServiceError {
        ServiceError::NotFound(match self {
            Self::ReportExport => "report export",
            Self::AnswerMedia => "recording",
        })
    }
}

/// A link to download a file.
#[derive(Clone, Debug)]
pub struct DownloadLink {
    /// The path and query to GET from the API's origin, with the same user's access token.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// A file to send.
#[derive(Debug)]
pub struct Download {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The media type.
    pub content_type: String,
    /// The name to save it under.
    pub filename: String,
}

fn mac(
    service: &Service,
    kind: LinkKind,
    id: Uuid,
    user: UserId,
    expires: i64,
) -> ServiceResult<Hmac<Sha256>> {
    let key = Sha256::new()
        .chain_update(b"viva download links\0")
        .chain_update(kind.route().as_bytes())
        .chain_update(b"\0")
        .chain_update(service.config.jwt_secret.expose())
        .finalize();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(ServiceError::internal)?;
    mac.update(id.as_bytes());
    mac.update(user.0.as_bytes());
    mac.update(&expires.to_be_bytes());
    Ok(mac)
}

/// A link for `user` to download file `id` of `kind`, working until `expires_at` (to the second).
pub fn issue(
    service: &Service,
    kind: LinkKind,
    id: Uuid,
    user: UserId,
    expires_at: DateTime<Utc>,
) -> ServiceResult<DownloadLink> {
    let expires = expires_at.timestamp();
    let signature = URL_SAFE_NO_PAD.encode(mac(service, kind, id, user, expires)?.finalize().into_bytes());
    Ok(DownloadLink {
        url: format!("/{}/{id}?expires={expires}&signature={signature}", kind.route()),
        expires_at: DateTime::from_timestamp(expires, 0).unwrap_or(expires_at),
    })
}

/// Checks a link presented by `user`: `NOT_FOUND` when it was not issued to them for this file
/// (or was altered), `FORBIDDEN` when it has expired.
pub fn verify(
    service: &Service,
    kind: LinkKind,
    id: Uuid,
    user: UserId,
    expires: i64,
    signature: &str,
) -> ServiceResult<()> {
    let presented = URL_SAFE_NO_PAD.decode(signature).map_err(|_| kind.not_found())?;
    mac(service, kind, id, user, expires)?.verify_slice(&presented).map_err(|_| kind.not_found())?;
    if expires <= Utc::now().timestamp() {
        return Err(ServiceError::Forbidden("this download link has expired; ask for a new link"));
    }
    Ok(())
}
