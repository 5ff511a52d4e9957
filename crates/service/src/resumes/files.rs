//! Downloading a resume's file: `/resume-files/<id>?expires=<unix seconds>&signature=<mac>`,
//! signed like every download link ([`crate::links`]: HMAC-SHA256 over the resume, the user the
//! link was issued to and the expiry, under a key of its own), lasting `report_link_ttl_secs`. The route also requires that user's access token, and the resume
//! policy ([`super::access`]) is checked again when the file is fetched, so a link stops working
//! for an HR user who loses the candidate.

use chrono::Utc;
use viva_domain::vocab::ResumeFormat;
use viva_domain::{ResumeId, UserId};
use viva_store::models::resume::{self as store, Resume};
use viva_store::models::session::Principal;

use crate::links::{self, DownloadLink, LinkKind};
use crate::objects::ObjectKey;
use crate::reports::Download;
use crate::{Service, ServiceError, ServiceResult};

/// A link for `user` to download `resume`'s file, issued to a caller the resume was shown to.
pub fn link(service: &Service, user: UserId, resume: &Resume) -> ServiceResult<DownloadLink> {
    links::issue(
        service,
        LinkKind::ResumeFile,
        resume.id.0,
        user,
        Utc::now() + service.config.reports.link_ttl,
    )
}

/// A resume's file, for the user a link was issued to, while the link lasts and they may still
/// see the candidate's resumes.
pub async fn download(
    service: &Service,
    principal: &Principal,
    id: ResumeId,
    expires: i64,
    signature: &str,
) -> ServiceResult<Download> {
    links::verify(service, LinkKind::ResumeFile, id.0, principal.user_id, expires, signature)?;
    let mut conn = service.pool.get().await?;
    let resume = store::find(&mut conn, id).await?.ok_or(ServiceError::NotFound("resume"))?;
    super::access::check(&mut conn, principal, resume.candidate_id).await.map_err(|err| match err {
        ServiceError::NotFound(_) => ServiceError::NotFound("resume"),
        other => other,
    })?;
    drop(conn);
    let bytes = service.objects.get(&ObjectKey::parse(&resume.object_key)?).await?;
    let content_type = match resume.kind {
        ResumeFormat::Pdf => "application/pdf",
        ResumeFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    };
    Ok(Download { bytes, content_type: content_type.to_owned(), filename: header_safe(&resume.file_name) })
}

/// A file name that can be quoted in `Content-Disposition`: printable ASCII without quotes or
/// backslashes (others become `_`).
fn header_safe(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe_for_the_header() {
        assert_eq!(header_safe("CV \"final\" é.pdf"), "CV _final_ _.pdf");
        assert_eq!(header_safe("a\\b.docx"), "a_b.docx");
    }
}
