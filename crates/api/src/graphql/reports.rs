//! REPORT-1 in the schema: an interview's report, and its exports as PDF, CSV or JSON with
//! short-lived download links (served by `GET /exports/<id>`, see [`crate::http`]).

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use viva_domain::vocab;
use viva_reports::InterviewReport;
use viva_service::reports::{self as service, ExportView};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::people::parse_id;

/// The file format of an exported report.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// A printable document: a title page, charts of the five dimensions and of each question's
    /// scores, then every question with its answer and scores. Rendered in the background.
    Pdf,
    /// One row per answer with its scores and their provenance (RFC 4180, UTF-8).
    Csv,
    /// The report exactly as `interviewReport` returns it with every field selected.
    Json,
}

impl From<ReportFormat> for vocab::ReportFormat {
    fn from(format: ReportFormat) -> Self {
        match format {
            ReportFormat::Pdf => vocab::ReportFormat::Pdf,
            ReportFormat::Csv => vocab::ReportFormat::Csv,
            ReportFormat::Json => vocab::ReportFormat::Json,
        }
    }
}

impl From<vocab::ReportFormat> for ReportFormat {
    fn from(format: vocab::ReportFormat) -> Self {
        match format {
            vocab::ReportFormat::Pdf => ReportFormat::Pdf,
            vocab::ReportFormat::Csv => ReportFormat::Csv,
            vocab::ReportFormat::Json => ReportFormat::Json,
        }
    }
}

/// Where an exported report's file is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportStatus {
    /// Being produced; ask `reportExport` again in a moment.
    Pending,
    /// Stored: `downloadUrl` fetches it.
    Ready,
    /// Could not be produced; `failure` says why.
    Failed,
    /// Its file was deleted after the retention period; export again.
    Expired,
}

impl From<vocab::ExportStatus> for ExportStatus {
    fn from(status: vocab::ExportStatus) -> Self {
        match status {
            vocab::ExportStatus::Pending => ExportStatus::Pending,
            vocab::ExportStatus::Ready => ExportStatus::Ready,
            vocab::ExportStatus::Failed => ExportStatus::Failed,
            vocab::ExportStatus::Expired => ExportStatus::Expired,
        }
    }
}

/// An exported interview report.
pub struct ReportExport(ExportView);

/// An exported interview report: its state and, once ready, a short-lived download link.
#[Object]
impl ReportExport {
    /// Its id, for `reportExport`.
    async fn id(&self) -> ID {
        ID(self.0.export.id.to_string())
    }

    /// The interview reported on.
    async fn interview_id(&self) -> ID {
        ID(self.0.export.interview_id.to_string())
    }

    /// Its format.
    async fn format(&self) -> ReportFormat {
        self.0.export.format.into()
    }

    /// Where it stands.
    async fn status(&self) -> ExportStatus {
        self.0.export.status.into()
    }

    /// Why it could not be produced, when `FAILED`.
    async fn failure(&self) -> Option<&str> {
        self.0.export.failure.as_deref()
    }

    /// The file's size in bytes, when `READY`.
    async fn byte_size(&self) -> Option<i64> {
        self.0.export.byte_size
    }

    /// When it was asked for.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.export.created_at
    }

    /// When its file was stored.
    async fn ready_at(&self) -> Option<DateTime<Utc>> {
        self.0.export.ready_at
    }

    /// When its file will be deleted.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.export.expires_at
    }

    /// A link to download the file, when `READY`: a path and query on the API's origin, to GET
    /// with the same user's access token (`Authorization: Bearer`). It works for the user it
    /// was issued to only, while they may see the interview, until `downloadUrlExpiresAt`; ask
    /// `reportExport` again for a fresh one.
    async fn download_url(&self) -> Option<&str> {
        self.0.link.as_ref().map(|link| link.url.as_str())
    }

    /// When `downloadUrl` stops working.
    async fn download_url_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.link.as_ref().map(|link| link.expires_at)
    }
}

/// Reports.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// An interview's report: scores per dimension and per question, the AI's and any human
    /// scores side by side, strengths, improvements, recommendations, delivery, every question
    /// with its answer, and where each score came from. For the candidate, their HR user and
    /// admins.
    async fn interview_report(&self, ctx: &Context<'_>, interview_id: ID) -> AppResult<InterviewReport> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        Ok(service::interview_report(&ctx.services()?.service, &principal, id).await?)
    }

    /// An export of a report, with a fresh download link when it is ready. For whoever may see
    /// the interview.
    async fn report_export(&self, ctx: &Context<'_>, id: ID) -> AppResult<ReportExport> {
        let principal = ctx.principal()?;
        let id = parse_id(&id, "id")?;
        Ok(ReportExport(service::export_status(&ctx.services()?.service, &principal, id).await?))
    }
}

/// Exporting reports.
#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Exports an interview's report as a file kept for a few days. CSV and JSON come back
    /// `READY` with a download link; a PDF comes back `PENDING` and is rendered in the
    /// background (ask `reportExport` until it is `READY`). For the candidate, their HR user
    /// and admins.
    async fn export_interview_report(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        format: ReportFormat,
    ) -> AppResult<ReportExport> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        Ok(ReportExport(service::export(&ctx.services()?.service, &principal, id, format.into()).await?))
    }
}
