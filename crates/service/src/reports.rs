//! REPORT-1: an interview's report, and its exports as PDF, CSV and JSON.
//!
//! The report is assembled from the interview, its questions, answers, current evaluations and
//! human scores ([`interview_report`]); who may read it is the interviews' one access policy
//! ([`crate::interviews::access`]): the candidate, their HR user and admins.
//!
//! An export is a file in the object store tracked by a `report_exports` row. CSV and JSON are
//! small and made at once; a PDF is rendered by the `render_report` job and is `PENDING` until
//! then. A file is handed out only through a download link that is short-lived (`link_ttl`),
//! signed (HMAC-SHA256 under a key derived from the token secret) and bound to the user it was
//! issued to; the download route also requires that user's access token and checks the access
//! policy again, so a forwarded link works for no one else, and a user who lost access to the
//! interview since is refused. Files are deleted `retention` after the request by the purge job.

pub(crate) mod build;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use viva_domain::vocab::{ExportStatus, ReportFormat};
use viva_domain::{InterviewId, ReportExportId};
use viva_reports::InterviewReport;
use viva_store::models::report_export::{self as exports, ReportExport};
use viva_store::models::session::Principal;

use crate::interviews::access::{find_visible, viewer_for};
use crate::objects::ObjectKey;
use crate::{Service, ServiceError, ServiceResult};

use crate::links::{self, LinkKind};
pub use crate::links::{Download, DownloadLink};

/// How exports are kept and handed out.
#[derive(Clone, Debug)]
pub struct ReportSettings {
    /// How long a download link works.
    pub link_ttl: Duration,
    /// How long an exported file is kept.
    pub retention: Duration,
    /// Where the PDF's fonts (DejaVu Sans) are; by default Debian's fonts-dejavu-core.
    pub fonts_dir: Option<PathBuf>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            link_ttl: Duration::from_secs(15 * 60),
            retention: Duration::from_secs(7 * 24 * 3600),
            fonts_dir: None,
        }
    }
}

/// An export as its requester sees it: its state and, once ready, a fresh download link.
#[derive(Debug)]
pub struct ExportView {
    /// The export.
    pub export: ReportExport,
    /// A link for the caller, while the file is ready.
    pub link: Option<DownloadLink>,
}

/// The report of an interview the caller may see.
pub async fn interview_report(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
) -> ServiceResult<InterviewReport> {
    let mut conn = service.pool.get().await?;
    let (interview, viewer) = find_visible(&mut conn, principal, id).await?;
    build::report(&mut conn, &interview, viewer).await
}

/// Exports an interview's report in `format`: CSV and JSON are stored at once and come back
/// ready with a link; a PDF is queued and comes back `PENDING` (ask [`export_status`] again).
pub async fn export(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
    format: ReportFormat,
) -> ServiceResult<ExportView> {
    let mut conn = service.pool.get().await?;
    let (interview, viewer) = find_visible(&mut conn, principal, id).await?;
    let expires_at = Utc::now() + service.config.reports.retention;
    match format {
        ReportFormat::Pdf => {
            let export = conn
                .transaction::<_, ServiceError, _>(async |conn| {
                    let export =
                        exports::create_pending(conn, interview.id, principal.user_id, format, expires_at)
                            .await?;
                    crate::jobs::render_report::enqueue(conn, export.id).await?;
                    Ok(export)
                })
                .await?;
            Ok(ExportView { export, link: None })
        }
        ReportFormat::Csv | ReportFormat::Json => {
            let report = build::report(&mut conn, &interview, viewer).await?;
            let bytes = match format {
                ReportFormat::Csv => viva_reports::render_csv(&report).map_err(ServiceError::internal)?,
                _ => serde_json::to_vec_pretty(&report).map_err(ServiceError::internal)?,
            };
            let export =
                exports::create_pending(&mut conn, interview.id, principal.user_id, format, expires_at)
                    .await?;
            store_file(service, &mut conn, &export, bytes).await?;
            export_status(service, principal, export.id).await
        }
    }
}

/// Stores an export's file and marks the export ready; the file is deleted again if the export
/// was no longer pending.
pub(crate) async fn store_file(
    service: &Service,
    conn: &mut viva_store::AsyncPgConnection,
    export: &ReportExport,
    bytes: Vec<u8>,
) -> ServiceResult<()> {
    let key = ObjectKey::generate("reports", extension(export.format));
    let size = i64::try_from(bytes.len()).map_err(ServiceError::internal)?;
    service.objects.put(&key, bytes).await?;
    match exports::mark_ready(conn, export.id, key.as_str(), size).await {
        Ok(true) => Ok(()),
        Ok(false) => service.objects.delete(&key).await,
        Err(err) => {
            if let Err(cleanup) = service.objects.delete(&key).await {
                tracing::warn!(error = %cleanup, key = key.as_str(), "an orphaned report file could not be deleted");
            }
            Err(err.into())
        }
    }
}

/// An export of an interview the caller may see, with a fresh link when its file is ready.
pub async fn export_status(
    service: &Service,
    principal: &Principal,
    id: ReportExportId,
) -> ServiceResult<ExportView> {
    let mut conn = service.pool.get().await?;
    let export = exports::find(&mut conn, id).await?.ok_or(ServiceError::NotFound("report export"))?;
    // Seeing the export is seeing the interview: the same policy, or nothing at all.
    find_visible(&mut conn, principal, export.interview_id)
        .await
        .map_err(|_| ServiceError::NotFound("report export"))?;
    let link = if export.status == ExportStatus::Ready && export.expires_at > Utc::now() {
        Some(links::issue(
            service,
            LinkKind::ReportExport,
            export.id.0,
            principal.user_id,
            link_expiry(service, export.expires_at),
        )?)
    } else {
        None
    };
    Ok(ExportView { export, link })
}

/// The file of an export, for the user a download link was issued to, while the link and the
/// file last and the user may still see the interview.
pub async fn download(
    service: &Service,
    principal: &Principal,
    id: ReportExportId,
    expires: i64,
    signature: &str,
) -> ServiceResult<Download> {
    links::verify(service, LinkKind::ReportExport, id.0, principal.user_id, expires, signature)?;
    let mut conn = service.pool.get().await?;
    let export = exports::find(&mut conn, id).await?.ok_or(ServiceError::NotFound("report export"))?;
    let interview = viva_store::models::interview::find(&mut conn, export.interview_id)
        .await?
        .ok_or(ServiceError::NotFound("report export"))?;
    if viewer_for(&mut conn, principal, &interview).await?.is_none() {
        return Err(ServiceError::NotFound("report export"));
    }
    drop(conn);
    let key = match (&export.status, &export.object_key) {
        (ExportStatus::Ready, Some(key)) if export.expires_at > Utc::now() => ObjectKey::parse(key)?,
        (ExportStatus::Pending, _) => {
            return Err(ServiceError::Conflict("the report is still being produced".into()));
        }
        _ => return Err(ServiceError::NotFound("report export")),
    };
    let bytes = service.objects.get(&key).await?;
    let (content_type, extension) = match export.format {
        ReportFormat::Pdf => ("application/pdf", "pdf"),
        ReportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ReportFormat::Json => ("application/json", "json"),
    };
    Ok(Download {
        bytes,
        content_type: content_type.to_owned(),
        filename: format!("interview-{}.{extension}", interview.id),
    })
}

fn extension(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Pdf => "pdf",
        ReportFormat::Csv => "csv",
        ReportFormat::Json => "json",
    }
}

/// Deletes the files of up to `limit` expired exports and marks them expired; returns how many.
/// A file that cannot be deleted now is tried again next time.
pub async fn purge_expired(service: &Service, limit: i64) -> ServiceResult<usize> {
    let mut conn = service.pool.get().await?;
    let expired = exports::expired(&mut conn, limit).await?;
    let mut purged = 0;
    for export in expired {
        if let Some(key) = &export.object_key {
            let deleted = match ObjectKey::parse(key) {
                Ok(key) => service.objects.delete(&key).await,
                Err(err) => Err(err),
            };
            if let Err(err) = deleted {
                tracing::warn!(error = %err, export = %export.id, "an expired report file could not be deleted");
                continue;
            }
        }
        exports::mark_expired(&mut conn, export.id).await?;
        purged += 1;
    }
    Ok(purged)
}

/// The files of the exports of a candidate's interviews: read inside the transaction that
/// erases the candidate, deleted with [`delete_files`] once it has committed.
pub(crate) async fn files_of_candidate(
    conn: &mut viva_store::AsyncPgConnection,
    candidate: viva_domain::UserId,
) -> ServiceResult<Vec<ObjectKey>> {
    exports::object_keys_of_candidate(conn, candidate)
        .await?
        .iter()
        .map(|key| ObjectKey::parse(key))
        .collect()
}

/// Deletes files whose rows are gone (an erased account's reports and resumes); a file that
/// cannot be deleted is logged for an operator.
pub(crate) async fn delete_files(service: &Service, keys: &[ObjectKey]) {
    for key in keys {
        if let Err(err) = service.objects.delete(key).await {
            tracing::error!(error = %err, key = key.as_str(), "an erased account's file could not be deleted");
        }
    }
}

/// When a link issued now would stop working.
pub fn link_expiry(service: &Service, file_expires_at: DateTime<Utc>) -> DateTime<Utc> {
    (Utc::now() + service.config.reports.link_ttl).min(file_expires_at)
}
