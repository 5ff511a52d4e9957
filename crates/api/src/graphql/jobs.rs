//! Job descriptions (SPEC HR-5).

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use viva_domain::Role;
use viva_service::job_postings::{self, JobDraft};
use viva_store::models::job::Job as StoredJob;

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::pagination::{connection, page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::types::{PersonSummary, parse_id, person};

connection!(JobConnection, JobEdge, Job, "job descriptions");

/// Where a job is done.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::interview::LocationType", name = "LocationType")]
pub enum GqlLocationType {
    /// Fully remote.
    Remote,
    /// Partly in an office.
    Hybrid,
    /// In an office.
    OnSite,
}

/// A job description.
pub struct Job(pub(crate) StoredJob);

/// A job description HR users interview candidates for.
#[Object]
impl Job {
    /// The job's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Description.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The job role it hires for (slug), if one of the bank's.
    async fn role(&self) -> Option<&str> {
        self.0.role_slug.as_deref()
    }

    /// Skills required.
    async fn required_skills(&self) -> &[String] {
        &self.0.required_skills
    }

    /// Minimum years of experience.
    async fn min_years(&self) -> Option<i32> {
        self.0.min_years
    }

    /// Where the work is done.
    async fn location_type(&self) -> GqlLocationType {
        self.0.location_type.into()
    }

    /// Lowest salary offered.
    async fn salary_min(&self) -> Option<i32> {
        self.0.salary_min
    }

    /// Highest salary offered.
    async fn salary_max(&self) -> Option<i32> {
        self.0.salary_max
    }

    /// ISO 4217 currency of the salary.
    async fn salary_currency(&self) -> Option<&str> {
        self.0.salary_currency.as_deref()
    }

    /// Whether it is archived (no new interviews).
    async fn archived(&self) -> bool {
        self.0.archived_at.is_some()
    }

    /// Who owns it.
    async fn owner(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, Some(self.0.owner_id)).await
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A job's content.
#[derive(InputObject)]
pub struct JobInput {
    /// Title, up to 200 characters.
    pub title: String,
    /// Description, up to 20000 characters.
    pub description: String,
    /// The job role it hires for (slug), if one of the bank's.
    pub role: Option<String>,
    /// Skills required, up to 50.
    #[graphql(default)]
    pub required_skills: Vec<String>,
    /// Minimum years of experience, 0 to 70.
    pub min_years: Option<i32>,
    /// Where the work is done.
    pub location_type: GqlLocationType,
    /// Lowest salary offered.
    pub salary_min: Option<i32>,
    /// Highest salary offered.
    pub salary_max: Option<i32>,
    /// ISO 4217 currency, such as `EUR`; required with a salary.
    pub salary_currency: Option<String>,
}

impl From<JobInput> for JobDraft {
    fn from(input: JobInput) -> Self {
        JobDraft {
            title: input.title,
            description: input.description,
            role: input.role,
            required_skills: input.required_skills,
            min_years: input.min_years,
            location_type: input.location_type.into(),
            salary_min: input.salary_min,
            salary_max: input.salary_max,
            salary_currency: input.salary_currency,
        }
    }
}

/// Job queries.
#[derive(Default)]
pub struct JobQuery;

#[Object]
impl JobQuery {
    /// Job descriptions, newest first: an HR user's own, or every one for admins.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_archived: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<JobConnection> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let rows =
            job_postings::list(&ctx.services()?.service, &principal, include_archived, cursor, limit + 1)
                .await?;
        Ok(page(rows, limit, cursor.is_some(), |j| time_cursor(j.created_at, j.id), Job).into())
    }

    /// One job description: its owner or an admin.
    async fn job(&self, ctx: &Context<'_>, id: ID) -> AppResult<Job> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let id = parse_id(&id, "id")?;
        Ok(Job(job_postings::get(&ctx.services()?.service, &principal, id).await?))
    }
}

/// Job mutations.
#[derive(Default)]
pub struct JobMutation;

#[Object]
impl JobMutation {
    /// Creates a job description. HR users and admins.
    async fn create_job(&self, ctx: &Context<'_>, input: JobInput) -> AppResult<Job> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        Ok(Job(job_postings::create(&ctx.services()?.service, &principal, input.into()).await?))
    }

    /// Replaces a job description's content. Its owner or an admin.
    async fn update_job(&self, ctx: &Context<'_>, id: ID, input: JobInput) -> AppResult<Job> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let id = parse_id(&id, "id")?;
        Ok(Job(job_postings::update(&ctx.services()?.service, &principal, id, input.into()).await?))
    }

    /// Archives a job description: no new interviews are scheduled for it. Its owner or an admin.
    async fn archive_job(&self, ctx: &Context<'_>, id: ID) -> AppResult<Job> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let id = parse_id(&id, "id")?;
        Ok(Job(job_postings::archive(&ctx.services()?.service, &principal, id).await?))
    }
}
