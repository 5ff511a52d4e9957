//! Job descriptions (SPEC HR-5).

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use viva_domain::error::FieldError;
use viva_domain::interview::LocationType;
use viva_domain::profile::{self, required_text};
use viva_domain::{Role, UserId};
use viva_store::models::job::{self, Job as StoredJob, JobFields};
use viva_store::models::question;

use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
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

async fn checked(conn: &mut viva_store::AsyncPgConnection, input: JobInput) -> AppResult<JobFields> {
    let mut errors: Vec<FieldError> = Vec::new();
    let title = required_text(&input.title, "title", 200).map_err(|e| errors.push(e)).ok();
    let description =
        required_text(&input.description, "description", 20000).map_err(|e| errors.push(e)).ok();
    let skills = profile::skills(&input.required_skills, "requiredSkills").map_err(|e| errors.push(e)).ok();
    if let Some(years) = input.min_years {
        let _ = profile::years_of_experience(years, "minYears").map_err(|e| errors.push(e));
    }
    if let Some(role) = &input.role
        && !question::role_exists(conn, role).await?
    {
        errors.push(FieldError::new("role", "is not a known job role"));
    }
    let currency = input.salary_currency.map(|c| c.trim().to_uppercase());
    if currency.as_ref().is_some_and(|c| c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase())) {
        errors.push(FieldError::new("salaryCurrency", "must be an ISO 4217 code such as EUR"));
    }
    if (input.salary_min.is_some() || input.salary_max.is_some()) && currency.is_none() {
        errors.push(FieldError::new("salaryCurrency", "is required with a salary"));
    }
    if input.salary_min.is_some_and(|s| s < 0) || input.salary_max.is_some_and(|s| s < 0) {
        errors.push(FieldError::new("salaryMin", "salaries cannot be negative"));
    }
    if let (Some(min), Some(max)) = (input.salary_min, input.salary_max)
        && min > max
    {
        errors.push(FieldError::new("salaryMax", "must be at least salaryMin"));
    }
    match (title, description, skills, errors.is_empty()) {
        (Some(title), Some(description), Some(required_skills), true) => Ok(JobFields {
            role_slug: input.role,
            title,
            description,
            required_skills,
            min_years: input.min_years,
            location_type: LocationType::from(input.location_type).as_str().to_owned(),
            salary_min: input.salary_min,
            salary_max: input.salary_max,
            salary_currency: currency,
        }),
        _ => Err(AppError::BadInput(errors)),
    }
}

/// Loads a job the caller may change: its owner, or an admin.
async fn owned(
    conn: &mut viva_store::AsyncPgConnection,
    id: &ID,
    user: UserId,
    role: Role,
) -> AppResult<StoredJob> {
    let id = parse_id(id, "id")?;
    let job = job::find(conn, id).await?.ok_or(AppError::NotFound("job"))?;
    if role != Role::Admin && job.owner_id != user.0 {
        return Err(AppError::NotFound("job"));
    }
    Ok(job)
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
        let owner = (principal.role != Role::Admin).then_some(principal.user_id);
        let mut conn = ctx.services()?.pool.get().await?;
        let rows = job::list(&mut conn, owner, include_archived, cursor, limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), |j| time_cursor(j.created_at, j.id), Job).into())
    }

    /// One job description: its owner or an admin.
    async fn job(&self, ctx: &Context<'_>, id: ID) -> AppResult<Job> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let mut conn = ctx.services()?.pool.get().await?;
        Ok(Job(owned(&mut conn, &id, principal.user_id, principal.role).await?))
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
        let mut conn = ctx.services()?.pool.get().await?;
        let fields = checked(&mut conn, input).await?;
        Ok(Job(job::create(&mut conn, principal.user_id, &fields).await?))
    }

    /// Replaces a job description's content. Its owner or an admin.
    async fn update_job(&self, ctx: &Context<'_>, id: ID, input: JobInput) -> AppResult<Job> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let mut conn = ctx.services()?.pool.get().await?;
        let existing = owned(&mut conn, &id, principal.user_id, principal.role).await?;
        if existing.archived_at.is_some() {
            return Err(AppError::Conflict("an archived job cannot be changed".into()));
        }
        let fields = checked(&mut conn, input).await?;
        Ok(Job(job::update(&mut conn, existing.id, &fields).await?))
    }

    /// Archives a job description: no new interviews are scheduled for it. Its owner or an admin.
    async fn archive_job(&self, ctx: &Context<'_>, id: ID) -> AppResult<Job> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let mut conn = ctx.services()?.pool.get().await?;
        let existing = owned(&mut conn, &id, principal.user_id, principal.role).await?;
        if existing.archived_at.is_some() {
            return Err(AppError::Conflict("the job is already archived".into()));
        }
        Ok(Job(job::archive(&mut conn, existing.id).await?))
    }
}
