//! Job descriptions.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::interview::LocationType;
use viva_domain::{JobId, UserId};

use crate::QueryResult;
use crate::models::TimeCursor;
use crate::schema::jobs;

/// A job description.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct Job {
    /// Its id.
    pub id: JobId,
    /// The HR user or admin who owns it.
    pub owner_id: UserId,
    /// The job role it hires for, if one of the bank's.
    pub role_slug: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Skills required.
    pub required_skills: Vec<String>,
    /// Minimum years of experience.
    pub min_years: Option<i32>,
    /// Where the work is done.
    #[diesel(deserialize_as = String)]
    pub location_type: LocationType,
    /// Lowest salary offered.
    pub salary_min: Option<i32>,
    /// Highest salary offered.
    pub salary_max: Option<i32>,
    /// ISO 4217 currency of the salary.
    pub salary_currency: Option<String>,
    /// When it was archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A job's fields, checked.
#[derive(Clone, Debug, AsChangeset, Insertable)]
#[diesel(table_name = jobs, treat_none_as_null = true)]
pub struct JobFields {
    /// The job role, if one of the bank's.
    pub role_slug: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Skills required.
    pub required_skills: Vec<String>,
    /// Minimum years.
    pub min_years: Option<i32>,
    /// Where the work is done.
    pub location_type: String,
    /// Lowest salary.
    pub salary_min: Option<i32>,
    /// Highest salary.
    pub salary_max: Option<i32>,
    /// Currency.
    pub salary_currency: Option<String>,
}

/// Creates a job.
pub async fn create(conn: &mut AsyncPgConnection, owner: UserId, fields: &JobFields) -> QueryResult<Job> {
    diesel::insert_into(jobs::table)
        .values((jobs::id.eq(Uuid::now_v7()), jobs::owner_id.eq(owner.0), fields))
        .returning(Job::as_returning())
        .get_result(conn)
        .await
}

/// Replaces a job's fields.
pub async fn update(conn: &mut AsyncPgConnection, id: JobId, fields: &JobFields) -> QueryResult<Job> {
    diesel::update(jobs::table.find(id))
        .set((fields, jobs::updated_at.eq(diesel::dsl::now)))
        .returning(Job::as_returning())
        .get_result(conn)
        .await
}

/// Archives a job (once).
pub async fn archive(conn: &mut AsyncPgConnection, id: JobId) -> QueryResult<Job> {
    diesel::update(jobs::table.find(id))
        .set((jobs::archived_at.eq(Some(Utc::now())), jobs::updated_at.eq(diesel::dsl::now)))
        .returning(Job::as_returning())
        .get_result(conn)
        .await
}

/// The job with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: JobId) -> QueryResult<Option<Job>> {
    jobs::table.find(id).select(Job::as_select()).first(conn).await.optional()
}

/// The jobs with these ids.
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[JobId]) -> QueryResult<Vec<Job>> {
    jobs::table.filter(jobs::id.eq_any(ids)).select(Job::as_select()).load(conn).await
}

/// Jobs, newest first: one owner's, or (with `None`) everyone's.
pub async fn list(
    conn: &mut AsyncPgConnection,
    owner: Option<UserId>,
    include_archived: bool,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<Job>> {
    let mut query = jobs::table.select(Job::as_select()).into_boxed();
    if let Some(owner) = owner {
        query = query.filter(jobs::owner_id.eq(owner.0));
    }
    if !include_archived {
        query = query.filter(jobs::archived_at.is_null());
    }
    if let Some(c) = after {
        query = query.filter(jobs::created_at.lt(c.at).or(jobs::created_at.eq(c.at).and(jobs::id.lt(c.id))));
    }
    crate::limit::limited(query.order((jobs::created_at.desc(), jobs::id.desc())), limit).load(conn).await
}
