//! Exported interview reports: the row that tracks a file from request to expiry.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::vocab::{ExportStatus, ReportFormat};
use viva_domain::{InterviewId, ReportExportId, UserId};

use crate::QueryResult;
use crate::schema::report_exports;

/// An exported report.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = report_exports)]
pub struct ReportExport {
    /// Its id.
    pub id: ReportExportId,
    /// The interview reported on.
    #[diesel(deserialize_as = Uuid)]
    pub interview_id: InterviewId,
    /// Who asked for it (gone when their account was deleted).
    pub requested_by: Option<UserId>,
    /// Its format.
    #[diesel(deserialize_as = String)]
    pub format: ReportFormat,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub status: ExportStatus,
    /// The file's name in the object store, once stored.
    pub object_key: Option<String>,
    /// The file's size in bytes, once stored.
    pub byte_size: Option<i64>,
    /// Why it could not be produced (a sentence for the person who asked).
    pub failure: Option<String>,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When its file was stored.
    pub ready_at: Option<DateTime<Utc>>,
    /// When its file is deleted.
    pub expires_at: DateTime<Utc>,
}

/// Records a requested export, pending.
pub async fn create_pending(
    conn: &mut AsyncPgConnection,
    interview_id: InterviewId,
    requested_by: UserId,
    format: ReportFormat,
    expires_at: DateTime<Utc>,
) -> QueryResult<ReportExport> {
    diesel::insert_into(report_exports::table)
        .values((
            report_exports::id.eq(Uuid::now_v7()),
            report_exports::interview_id.eq(interview_id.0),
            report_exports::requested_by.eq(requested_by.0),
            report_exports::format.eq(format.as_str()),
            report_exports::status.eq(ExportStatus::Pending.as_str()),
            report_exports::expires_at.eq(expires_at),
        ))
        .returning(ReportExport::as_returning())
        .get_result(conn)
        .await
}

/// The export with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: ReportExportId) -> QueryResult<Option<ReportExport>> {
    report_exports::table.find(id).select(ReportExport::as_select()).first(conn).await.optional()
}

/// Marks a pending export ready, with its stored file; `false` when it was no longer pending.
pub async fn mark_ready(
    conn: &mut AsyncPgConnection,
    id: ReportExportId,
    object_key: &str,
    byte_size: i64,
) -> QueryResult<bool> {
    let updated = diesel::update(
        report_exports::table.find(id).filter(report_exports::status.eq(ExportStatus::Pending.as_str())),
    )
    .set((
        report_exports::status.eq(ExportStatus::Ready.as_str()),
        report_exports::object_key.eq(object_key),
        report_exports::byte_size.eq(byte_size),
        report_exports::ready_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Marks a pending export failed, with a reason for the person who asked.
pub async fn mark_failed(conn: &mut AsyncPgConnection, id: ReportExportId, failure: &str) -> QueryResult<()> {
    diesel::update(
        report_exports::table.find(id).filter(report_exports::status.eq(ExportStatus::Pending.as_str())),
    )
    .set((report_exports::status.eq(ExportStatus::Failed.as_str()), report_exports::failure.eq(failure)))
    .execute(conn)
    .await?;
    Ok(())
}

/// Up to `limit` exports past their expiry that still hold (or may yet hold) a file.
pub async fn expired(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<ReportExport>> {
    report_exports::table
        .filter(report_exports::expires_at.le(diesel::dsl::now))
        .filter(report_exports::status.eq_any([ExportStatus::Ready.as_str(), ExportStatus::Pending.as_str()]))
        .order(report_exports::expires_at.asc())
        .limit(limit)
        .select(ReportExport::as_select())
        .load(conn)
        .await
}

/// Marks an export expired, its file deleted.
pub async fn mark_expired(conn: &mut AsyncPgConnection, id: ReportExportId) -> QueryResult<()> {
    diesel::update(report_exports::table.find(id))
        .set((
            report_exports::status.eq(ExportStatus::Expired.as_str()),
            report_exports::object_key.eq(None::<String>),
            report_exports::byte_size.eq(None::<i64>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The stored file names of every export of the interviews of this candidate (to delete the
/// files when the candidate's account is erased).
pub async fn object_keys_of_candidate(
    conn: &mut AsyncPgConnection,
    candidate: UserId,
) -> QueryResult<Vec<String>> {
    use crate::schema::interviews;
    report_exports::table
        .inner_join(interviews::table.on(interviews::id.eq(report_exports::interview_id)))
        .filter(interviews::candidate_id.eq(candidate.0))
        .filter(report_exports::object_key.is_not_null())
        .select(report_exports::object_key.assume_not_null())
        .load(conn)
        .await
}
