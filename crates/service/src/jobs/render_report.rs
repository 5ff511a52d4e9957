//! `render_report`: renders an interview's report as a PDF (off the async runtime), stores it
//! in the object store and marks the export ready; after the last failed attempt, marks it
//! failed with a reason the person who asked can act on.

use serde::{Deserialize, Serialize};
use viva_domain::vocab::ExportStatus;
use viva_domain::{BackgroundJobId, ReportExportId};
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::interview as interviews;
use viva_store::models::report_export as exports;

use crate::interviews::access::Viewer;
use crate::{Service, ServiceResult, reports};

/// What the person who asked is told when the PDF cannot be produced.
const FAILED: &str = "the PDF could not be produced; export the report as CSV or JSON, or try again later";

/// Renders a PDF report.
pub struct RenderReport;

/// Which export.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The pending export.
    pub export_id: ReportExportId,
}

impl JobSpec for RenderReport {
    const KIND: JobKind = JobKind::RenderReport;
    const MAX_ATTEMPTS: i32 = 3;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for RenderReport {
    async fn run(&self, service: &Service, job: &JobInfo, payload: Payload) -> Result<(), JobError> {
        match render(service, payload.export_id).await {
            Ok(()) => Ok(()),
            Err(err) => {
                if job.attempt >= Self::MAX_ATTEMPTS {
                    let mut conn = service.pool.get().await?;
                    exports::mark_failed(&mut conn, payload.export_id, FAILED).await?;
                }
                Err(err)
            }
        }
    }
}

/// Enqueues the rendering of a pending PDF export.
pub async fn enqueue(
    conn: &mut viva_store::AsyncPgConnection,
    export_id: ReportExportId,
) -> ServiceResult<BackgroundJobId> {
    Ok(viva_jobs::enqueue::<RenderReport>(conn, &Payload { export_id }).await?)
}

async fn render(service: &Service, export_id: ReportExportId) -> Result<(), JobError> {
    let mut conn = service.pool.get().await?;
    let Some(export) = exports::find(&mut conn, export_id).await? else { return Ok(()) };
    if export.status != ExportStatus::Pending {
        return Ok(());
    }
    let Some(interview) = interviews::find(&mut conn, export.interview_id).await? else { return Ok(()) };
    // Rendered as its requester sees the interview (a candidate's copy leaves out what is for
    // staff only).
    let viewer =
        if export.requested_by == Some(interview.candidate_id) { Viewer::Candidate } else { Viewer::Staff };
    let report = reports::build::report(&mut conn, &interview, viewer).await?;
    drop(conn);
    let fonts_dir = service.config.reports.fonts_dir.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, JobError> {
        let fonts = viva_reports::ReportFonts::load(fonts_dir.as_deref())?;
        Ok(viva_reports::render_pdf(&report, &fonts)?)
    })
    .await??;
    let mut conn = service.pool.get().await?;
    reports::store_file(service, &mut conn, &export, bytes).await?;
    Ok(())
}
