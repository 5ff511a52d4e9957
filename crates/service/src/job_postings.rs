//! Job descriptions (SPEC HR-5): what HR users interview candidates for.
//!
//! An HR user lists and changes their own job descriptions; an admin every one. An archived job
//! takes no new interviews and cannot be changed. What a job may contain is checked here
//! ([`JobDraft`]).

use viva_domain::error::FieldError;
use viva_domain::interview::LocationType;
use viva_domain::profile::{self, required_text};
use viva_domain::{JobId, Role, UserId};
use viva_store::AsyncPgConnection;
use viva_store::models::TimeCursor;
use viva_store::models::job::{self, Job, JobFields};
use viva_store::models::question;
use viva_store::models::session::Principal;

use crate::{Service, ServiceError, ServiceResult};

/// A job's content as given, before it is checked.
#[derive(Clone, Debug)]
pub struct JobDraft {
    /// Title, up to 200 characters.
    pub title: String,
    /// Description, up to 20000 characters.
    pub description: String,
    /// The job role it hires for (slug), if one of the bank's.
    pub role: Option<String>,
    /// Skills required, up to 50.
    pub required_skills: Vec<String>,
    /// Minimum years of experience, 0 to 70.
    pub min_years: Option<i32>,
    /// Where the work is done.
    pub location_type: LocationType,
    /// Lowest salary offered.
    pub salary_min: Option<i32>,
    /// Highest salary offered.
    pub salary_max: Option<i32>,
    /// ISO 4217 currency, such as `EUR`; required with a salary.
    pub salary_currency: Option<String>,
}

/// Checks a draft, reporting every field at fault at once.
async fn checked(conn: &mut AsyncPgConnection, draft: JobDraft) -> ServiceResult<JobFields> {
    let mut errors: Vec<FieldError> = Vec::new();
    let title = required_text(&draft.title, "title", 200).map_err(|e| errors.push(e)).ok();
    let description =
        required_text(&draft.description, "description", 20000).map_err(|e| errors.push(e)).ok();
    let skills = profile::skills(&draft.required_skills, "requiredSkills").map_err(|e| errors.push(e)).ok();
    if let Some(years) = draft.min_years {
        let _ = profile::years_of_experience(years, "minYears").map_err(|e| errors.push(e));
    }
    if let Some(role) = &draft.role
        && !question::role_exists(conn, role).await?
    {
        errors.push(FieldError::new("role", "is not a known job role"));
    }
    let currency = draft.salary_currency.map(|c| c.trim().to_uppercase());
    if currency.as_ref().is_some_and(|c| c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase())) {
        errors.push(FieldError::new("salaryCurrency", "must be an ISO 4217 code such as EUR"));
    }
    if (draft.salary_min.is_some() || draft.salary_max.is_some()) && currency.is_none() {
        errors.push(FieldError::new("salaryCurrency", "is required with a salary"));
    }
    if draft.salary_min.is_some_and(|s| s < 0) || draft.salary_max.is_some_and(|s| s < 0) {
        errors.push(FieldError::new("salaryMin", "salaries cannot be negative"));
    }
    if let (Some(min), Some(max)) = (draft.salary_min, draft.salary_max)
        && min > max
    {
        errors.push(FieldError::new("salaryMax", "must be at least salaryMin"));
    }
    match (title, description, skills, errors.is_empty()) {
        (Some(title), Some(description), Some(required_skills), true) => Ok(JobFields {
            role_slug: draft.role,
            title,
            description,
            required_skills,
            min_years: draft.min_years,
            location_type: draft.location_type.as_str().to_owned(),
            salary_min: draft.salary_min,
            salary_max: draft.salary_max,
            salary_currency: currency,
        }),
        _ => Err(ServiceError::BadInput(errors)),
    }
}

/// Loads a job the caller may see and change: its owner's, or any for an admin; `NOT_FOUND`
/// otherwise.
pub(crate) async fn owned(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: JobId,
) -> ServiceResult<Job> {
    let job = job::find(conn, id).await?.ok_or(ServiceError::NotFound("job"))?;
    if principal.role != Role::Admin && job.owner_id != principal.user_id {
        return Err(ServiceError::NotFound("job"));
    }
    Ok(job)
}

/// Job descriptions, newest first, after the cursor and at most `limit` of them: an HR user's
/// own, or every one for an admin; archived ones only with `include_archived`.
pub async fn list(
    service: &Service,
    principal: &Principal,
    include_archived: bool,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<Job>> {
    let owner: Option<UserId> = (principal.role != Role::Admin).then_some(principal.user_id);
    let mut conn = service.pool.get().await?;
    Ok(job::list(&mut conn, owner, include_archived, after, limit).await?)
}

/// One job description: for its owner or an admin, else `NOT_FOUND`.
pub async fn get(service: &Service, principal: &Principal, id: JobId) -> ServiceResult<Job> {
    let mut conn = service.pool.get().await?;
    owned(&mut conn, principal, id).await
}

/// Creates a job description owned by the caller.
pub async fn create(service: &Service, principal: &Principal, draft: JobDraft) -> ServiceResult<Job> {
    let mut conn = service.pool.get().await?;
    let fields = checked(&mut conn, draft).await?;
    Ok(job::create(&mut conn, principal.user_id, &fields).await?)
}

/// Replaces a job description's content: its owner or an admin, while it is not archived.
pub async fn update(
    service: &Service,
    principal: &Principal,
    id: JobId,
    draft: JobDraft,
) -> ServiceResult<Job> {
    let mut conn = service.pool.get().await?;
    let existing = owned(&mut conn, principal, id).await?;
    if existing.archived_at.is_some() {
        return Err(ServiceError::Conflict("an archived job cannot be changed".into()));
    }
    let fields = checked(&mut conn, draft).await?;
    Ok(job::update(&mut conn, existing.id, &fields).await?)
}

/// Archives a job description, so no new interviews are scheduled for it: its owner or an admin.
pub async fn archive(service: &Service, principal: &Principal, id: JobId) -> ServiceResult<Job> {
    let mut conn = service.pool.get().await?;
    let existing = owned(&mut conn, principal, id).await?;
    if existing.archived_at.is_some() {
        return Err(ServiceError::Conflict("the job is already archived".into()));
    }
    Ok(job::archive(&mut conn, existing.id).await?)
}

/// The jobs with these ids, unchecked: for the API's batch loader, under parents whose access
/// was checked.
pub async fn by_ids(service: &Service, ids: &[JobId]) -> ServiceResult<Vec<Job>> {
    let mut conn = service.pool.get().await?;
    Ok(job::find_many(&mut conn, ids).await?)
}
