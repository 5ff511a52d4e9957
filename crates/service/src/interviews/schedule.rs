//! Making interviews: scheduling one for a candidate (HR users for their assigned candidates,
//! admins for anyone) and starting a practice session, with the choice of questions.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;
use viva_ai::llm::questions::{self, Brief, GeneratedQuestion};
use viva_domain::interview::{Difficulty, InterviewStatus};
use viva_domain::profile::required_text;
use viva_domain::vocab::{AuditAction, InterviewEventKind, NotificationKind, QuestionSource};
use viva_domain::{JobId, QuestionId, Role, UserId, UserStatus};
use viva_store::AsyncPgConnection;
use viva_store::models::interview::{
    self as store, Interview as StoredInterview, NewInterview, QuestionSpec,
};
use viva_store::models::job;
use viva_store::models::question::{self as bank, Question as BankQuestion};
use viva_store::models::session::Principal;
use viva_store::models::throttle;
use viva_store::models::user::{self as users, User as StoredUser};

use crate::{Service, ServiceError, ServiceResult, audit, notify, organisation};

/// Most questions in one interview.
pub const MAX_QUESTIONS: i32 = 20;
/// Longest window an interview may be started in.
pub const MAX_WINDOW_DAYS: i64 = 30;
/// How long a practice session stays open.
pub const PRACTICE_HOURS: i64 = 24;
/// Longest planning context, in characters.
const MAX_CONTEXT_CHARS: usize = 20_000;

/// An interview to schedule.
#[derive(Clone, Debug)]
pub struct ScheduleRequest {
    /// The candidate.
    pub candidate_id: UserId,
    /// The job it is for; its role is used when `role` is not given.
    pub job_id: Option<JobId>,
    /// The job role (slug).
    pub role: Option<String>,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// How many questions, 1 to [`MAX_QUESTIONS`] (ignored for EXPLICIT).
    pub question_count: i32,
    /// Where the questions come from.
    pub question_source: QuestionSource,
    /// The questions to ask, for EXPLICIT and MIXED.
    pub question_ids: Vec<QuestionId>,
    /// For GENERATED: what to plan the questions against besides the job's description.
    pub context: Option<String>,
    /// Earliest start.
    pub window_start: DateTime<Utc>,
    /// Latest start.
    pub window_end: DateTime<Utc>,
}

/// A practice session to start.
#[derive(Clone, Debug)]
pub struct PracticeRequest {
    /// The job role (slug).
    pub role: String,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// How many questions, 1 to [`MAX_QUESTIONS`].
    pub question_count: i32,
    /// A job description to practise for: questions are then written (or picked) for it.
    pub job_description: Option<String>,
    /// The candidate's resume text or other background, used like the job description.
    pub context: Option<String>,
    /// Whether to plan the questions against the candidate's active, analysed resume too (its
    /// skills, summary and the start of its text).
    pub use_resume: bool,
}

/// Questions chosen before the transaction that stores the interview.
enum Planned {
    /// Bank questions, by id; the transaction checks them again.
    Bank(Vec<QuestionId>),
    /// Questions the chat model wrote for this interview.
    Written(Vec<GeneratedQuestion>),
}

/// What questions a request asks for, besides any planned ones.
#[derive(Clone, Copy)]
struct Wanted<'a> {
    role: &'a str,
    difficulty: Difficulty,
    source: QuestionSource,
    listed: &'a [QuestionId],
    count: i32,
    practice: bool,
}

/// The questions an interview will ask.
enum Chosen<'a> {
    /// From the bank (copied into the interview).
    Bank(Vec<BankQuestion>),
    /// Written for it by the model.
    Written(&'a [GeneratedQuestion]),
}

impl Chosen<'_> {
    fn specs(&self) -> Vec<QuestionSpec<'_>> {
        match self {
            Chosen::Bank(questions) => questions.iter().map(QuestionSpec::from).collect(),
            Chosen::Written(written) => written
                .iter()
                .map(|q| QuestionSpec {
                    question_id: None,
                    kind: q.kind,
                    text: &q.text,
                    expected_keywords: &q.expected_keywords,
                    ideal_answer: &q.ideal_answer,
                    time_limit_seconds: q.time_limit_seconds,
                })
                .collect(),
        }
    }
}

/// The planned questions (written ones as they are, planned bank ones checked again), or else
/// the ones the request asks for.
async fn choose<'a>(
    conn: &mut AsyncPgConnection,
    planned: Option<&'a Planned>,
    wanted: Wanted<'_>,
) -> ServiceResult<Chosen<'a>> {
    let (source, listed) = match planned {
        Some(Planned::Written(written)) => return Ok(Chosen::Written(written)),
        Some(Planned::Bank(ids)) => (QuestionSource::Explicit, ids.as_slice()),
        None => (wanted.source, wanted.listed),
    };
    let questions =
        choose_questions(conn, wanted.role, wanted.difficulty, source, listed, wanted.count, wanted.practice)
            .await?;
    Ok(Chosen::Bank(questions))
}

/// Schedules an interview and notifies the candidate. GENERATED questions are planned before
/// the transaction, with no connection held: the model is slow, locks are not.
pub async fn schedule(
    service: &Service,
    principal: &Principal,
    request: ScheduleRequest,
    ip: Option<&str>,
) -> ServiceResult<StoredInterview> {
    check_window(request.window_start, request.window_end, Utc::now())?;
    let planned = match request.question_source {
        QuestionSource::Generated => Some(plan_questions(service, principal, &request).await?),
        _ => None,
    };
    let mut conn = service.pool.get().await?;
    let ip = ip.map(str::to_owned);
    let principal = *principal;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let candidate = users::lock(conn, request.candidate_id)
            .await?
            .filter(|u| u.role == Role::Candidate)
            .ok_or(ServiceError::NotFound("candidate"))?;
        if candidate.status != UserStatus::Active {
            return Err(ServiceError::Conflict("the candidate's account is deactivated".into()));
        }
        let hr_id = match principal.role {
            Role::Admin => candidate.assigned_hr_id,
            _ => {
                let me =
                    StoredUser::find(conn, principal.user_id).await?.ok_or(ServiceError::NotFound("user"))?;
                organisation::require_mapped(&me, "you must be mapped to an admin to schedule interviews")?;
                if candidate.assigned_hr_id != Some(principal.user_id) {
                    return Err(ServiceError::Forbidden(
                        "you schedule interviews only for your assigned candidates",
                    ));
                }
                Some(principal.user_id)
            }
        };
        let job = match request.job_id {
            Some(id) => {
                let job = job::find(conn, id).await?.ok_or(ServiceError::NotFound("job"))?;
                if principal.role != Role::Admin && job.owner_id != principal.user_id {
                    return Err(ServiceError::NotFound("job"));
                }
                if job.archived_at.is_some() {
                    return Err(ServiceError::bad_field("jobId", "is archived"));
                }
                Some(job)
            }
            None => None,
        };
        let role = role_of(&request, job.as_ref())?;
        if !bank::role_exists(conn, &role).await? {
            return Err(ServiceError::bad_field("role", "is not a known job role"));
        }
        let wanted = Wanted {
            role: &role,
            difficulty: request.difficulty,
            source: request.question_source,
            listed: &request.question_ids,
            count: request.question_count,
            practice: false,
        };
        let chosen = choose(conn, planned.as_ref(), wanted).await?;
        let questions = chosen.specs();
        let new = NewInterview {
            candidate_id: request.candidate_id,
            hr_id,
            scheduled_by: Some(principal.user_id),
            job_id: job.as_ref().map(|j| j.id),
            role_slug: role,
            difficulty: request.difficulty,
            practice: false,
            status: InterviewStatus::Scheduled,
            question_source: request.question_source.as_str(),
            window_start: request.window_start,
            window_end: request.window_end,
        };
        let interview = store::create(conn, &new, &questions).await?;
        let data = serde_json::json!({ "interviewId": interview.id });
        let when = request.window_start.format("%Y-%m-%d %H:%M UTC");
        notify::send(
            conn,
            request.candidate_id,
            NotificationKind::InterviewScheduled,
            "Interview scheduled",
            &format!("An interview is scheduled for you, opening {when}."),
            data.clone(),
        )
        .await?;
        audit::record(
            conn,
            Some(principal.user_id),
            AuditAction::InterviewScheduled,
            Some(request.candidate_id),
            ip.as_deref(),
            data,
        )
        .await?;
        Ok(interview)
    })
    .await
}

/// The window must end after it starts, in the future, last at most [`MAX_WINDOW_DAYS`] and
/// open within a year.
fn check_window(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> ServiceResult<()> {
    if end <= start {
        return Err(ServiceError::bad_field("windowEnd", "must be after windowStart"));
    }
    if end <= now {
        return Err(ServiceError::bad_field("windowEnd", "must be in the future"));
    }
    if end - start > Duration::days(MAX_WINDOW_DAYS) || start > now + Duration::days(365) {
        return Err(ServiceError::bad_field(
            "windowEnd",
            format!("the window may last at most {MAX_WINDOW_DAYS} days, within a year"),
        ));
    }
    Ok(())
}

/// Starts a practice session at once: questions from the shipped bank, or, given a job
/// description or background, questions written for it by the chat model (picked from the
/// bank by meaning when no model is configured or every one fails).
pub async fn start_practice(
    service: &Service,
    principal: &Principal,
    request: PracticeRequest,
) -> ServiceResult<StoredInterview> {
    let candidate_id = principal.user_id;
    let role = required_text(&request.role, "role", 100)?;
    let job_description = optional_context(request.job_description.as_deref(), "jobDescription")?;
    let given = optional_context(request.context.as_deref(), "context")?;
    let resume = if request.use_resume {
        let mut conn = service.pool.get().await?;
        let found = crate::resumes::background(&mut conn, candidate_id).await?;
        Some(found.ok_or_else(|| {
            ServiceError::bad_field(
                "useResume",
                "you have no analysed active resume: upload one and wait for its analysis",
            )
        })?)
    } else {
        None
    };
    let context = with_resume(given, resume.as_deref());
    let context = context.as_str();
    let planned = if job_description.is_empty() && context.is_empty() {
        None
    } else {
        let count = question_count(request.question_count)?;
        // Checked before a model is paid to write anything (and again in the transaction).
        let mut conn = service.pool.get().await?;
        if !bank::role_exists(&mut conn, &role).await? {
            return Err(ServiceError::bad_field("role", "is not a known job role"));
        }
        charge_written_practice(&mut conn, service, candidate_id).await?;
        drop(conn);
        Some(plan(service, &role, request.difficulty, count, job_description, context, true).await?)
    };
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        if !bank::role_exists(conn, &role).await? {
            return Err(ServiceError::bad_field("role", "is not a known job role"));
        }
        let wanted = Wanted {
            role: &role,
            difficulty: request.difficulty,
            source: QuestionSource::Bank,
            listed: &[],
            count: request.question_count,
            practice: true,
        };
        let chosen = choose(conn, planned.as_ref(), wanted).await?;
        let questions = chosen.specs();
        let stored_source = if planned.is_some() { QuestionSource::Generated } else { QuestionSource::Bank };
        let now = Utc::now();
        let new = NewInterview {
            candidate_id,
            hr_id: None,
            scheduled_by: None,
            job_id: None,
            role_slug: role,
            difficulty: request.difficulty,
            practice: true,
            status: InterviewStatus::InProgress,
            question_source: stored_source.as_str(),
            window_start: now,
            window_end: now + Duration::hours(PRACTICE_HOURS),
        };
        let interview = store::create(conn, &new, &questions).await?;
        store::publish(conn, interview.id, InterviewEventKind::InterviewStarted, interview.id).await?;
        Ok(interview)
    })
    .await
}

/// Counts a model-written practice session against the candidate's hourly allowance, or
/// refuses with `RATE_LIMITED`: each one spends the platform's shared AI budget, which one
/// candidate must not be able to drain. Counted in PostgreSQL, so it holds across replicas.
async fn charge_written_practice(
    conn: &mut AsyncPgConnection,
    service: &Service,
    candidate: UserId,
) -> ServiceResult<()> {
    let limit = service.config.throttle.max_written_practice_per_hour;
    let bucket = format!("practice-written:user:{}", candidate.0);
    throttle::reserve(conn, &[(&bucket, limit)], Utc::now() - Duration::hours(1))
        .await?
        .map(drop)
        .ok_or(ServiceError::RateLimited { retry_after_secs: 3600 })
}

/// The role an interview is for: the one asked for, or else the job's.
fn role_of(request: &ScheduleRequest, job: Option<&job::Job>) -> ServiceResult<String> {
    request
        .role
        .clone()
        .or_else(|| job.and_then(|j| j.role_slug.clone()))
        .ok_or_else(|| ServiceError::bad_field("role", "is required (or a job with a role)"))
}

/// The question count asked for, checked.
fn question_count(count: i32) -> ServiceResult<usize> {
    if !(1..=MAX_QUESTIONS).contains(&count) {
        return Err(ServiceError::bad_field(
            "questionCount",
            format!("must be between 1 and {MAX_QUESTIONS}"),
        ));
    }
    Ok(usize::try_from(count).unwrap_or(0))
}

/// The difficulties to draw from: the asked one first, then the others.
fn difficulty_order(difficulty: Difficulty) -> impl Iterator<Item = Difficulty> {
    std::iter::once(difficulty).chain(
        [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard]
            .into_iter()
            .filter(move |d| *d != difficulty),
    )
}

/// Chooses questions: the listed ones (checked), then from the bank for the role, closest
/// difficulty first, taking question types in turn so the interview mixes them.
async fn choose_questions(
    conn: &mut AsyncPgConnection,
    role: &str,
    difficulty: Difficulty,
    source: QuestionSource,
    listed: &[QuestionId],
    count: i32,
    practice: bool,
) -> ServiceResult<Vec<BankQuestion>> {
    let count = question_count(count)?;
    let mut chosen: Vec<BankQuestion> = Vec::new();
    if source != QuestionSource::Bank {
        if listed.is_empty() || listed.len() > MAX_QUESTIONS as usize {
            return Err(ServiceError::bad_field(
                "questionIds",
                format!("must list 1 to {MAX_QUESTIONS} questions"),
            ));
        }
        let found = bank::find_many(conn, listed).await?;
        for id in listed {
            let question = found
                .iter()
                .find(|q| q.id == *id)
                .ok_or_else(|| ServiceError::bad_field("questionIds", format!("{id} is not a question")))?;
            if !chosen.iter().any(|q| q.id == *id) {
                chosen.push(question.clone());
            }
        }
        if source == QuestionSource::Explicit {
            return Ok(chosen);
        }
    } else if !listed.is_empty() {
        return Err(ServiceError::bad_field("questionIds", "are only for the EXPLICIT and MIXED sources"));
    }
    for level in difficulty_order(difficulty) {
        if chosen.len() >= count {
            break;
        }
        let exclude: Vec<QuestionId> = chosen.iter().map(|q| q.id).collect();
        let mut pool = bank::pool_for(conn, role, level, &exclude, practice).await?;
        // Take question types in turn: technical, behavioural, situational, …
        while chosen.len() < count && !pool.is_empty() {
            let last = chosen.last().map(|q| q.kind);
            let pick = pool.iter().position(|q| Some(q.kind) != last).unwrap_or(0);
            chosen.push(pool.remove(pick));
        }
    }
    if chosen.is_empty() {
        return Err(ServiceError::bad_field("role", "has no questions in the bank"));
    }
    Ok(chosen)
}

/// A job description or background given with a request: trimmed, at most
/// [`MAX_CONTEXT_CHARS`] characters, empty when absent.
fn optional_context<'a>(text: Option<&'a str>, field: &'static str) -> ServiceResult<&'a str> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.chars().count() > MAX_CONTEXT_CHARS {
        return Err(ServiceError::bad_field(
            field,
            format!("must be at most {MAX_CONTEXT_CHARS} characters"),
        ));
    }
    Ok(text)
}

/// Plans GENERATED questions for a scheduled interview against the job's description and the
/// given context. The job is only read here; the scheduling transaction checks it again
/// (owner, archived).
async fn plan_questions(
    service: &Service,
    principal: &Principal,
    request: &ScheduleRequest,
) -> ServiceResult<Planned> {
    if !request.question_ids.is_empty() {
        return Err(ServiceError::bad_field("questionIds", "are only for the EXPLICIT and MIXED sources"));
    }
    let count = question_count(request.question_count)?;
    let extra = optional_context(request.context.as_deref(), "context")?;
    let job = match request.job_id {
        Some(id) => {
            let mut conn = service.pool.get().await?;
            job::find(&mut conn, id)
                .await?
                .filter(|j| principal.role == Role::Admin || j.owner_id == principal.user_id)
        }
        None => None,
    };
    let resume = candidate_background(service, principal, request.candidate_id).await?;
    let description = job.as_ref().map(|j| j.description.trim()).unwrap_or_default();
    let context = with_resume(extra, resume.as_deref());
    if description.is_empty() && context.is_empty() {
        return Err(ServiceError::bad_field(
            "context",
            "GENERATED needs a job with a description, a context, or a candidate with an analysed resume",
        ));
    }
    let role = role_of(request, job.as_ref())?;
    plan(service, &role, request.difficulty, count, description, &context, false).await
}

/// The candidate's resume as planning background ([`crate::resumes::background`]), when the
/// caller may see the candidate's resumes (the resume policy) and could schedule for them (an
/// admin, or the HR user they are assigned to: a discoverable candidate's resume is not sent to
/// a model for an interview that will be refused); `None` otherwise, or without an analysed
/// active resume. The scheduling transaction decides again whether the caller may schedule.
async fn candidate_background(
    service: &Service,
    principal: &Principal,
    candidate: UserId,
) -> ServiceResult<Option<String>> {
    let mut conn = service.pool.get().await?;
    match crate::resumes::access::check(&mut conn, principal, candidate).await {
        Ok(user) if principal.role == Role::Admin || user.assigned_hr_id == Some(principal.user_id) => {
            crate::resumes::background(&mut conn, candidate).await
        }
        Ok(_) | Err(ServiceError::NotFound(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

/// A given context followed by the candidate's resume background, either of which may be
/// missing.
fn with_resume(given: &str, resume: Option<&str>) -> String {
    match resume {
        Some(resume) if given.is_empty() => resume.to_owned(),
        Some(resume) => format!("{given}\n\n{resume}"),
        None => given.to_owned(),
    }
}

/// Plans `count` questions for a role against a job description and a background: written by
/// the chat model when one is configured (checked against the bank for repeats and against the
/// context for topic), else the role's bank questions (the asked difficulty first) ranked by
/// meaning, mixing types. No connection is held while a model works.
async fn plan(
    service: &Service,
    role: &str,
    difficulty: Difficulty,
    count: usize,
    job_description: &str,
    context: &str,
    practice: bool,
) -> ServiceResult<Planned> {
    let registry = &service.ai.registry;
    let mut pool: Vec<BankQuestion> = Vec::new();
    {
        let mut conn = service.pool.get().await?;
        for level in difficulty_order(difficulty) {
            // A model's questions are checked against the role's whole bank; picking needs fewer.
            if registry.chat.is_empty() && !pool.is_empty() && pool.len() >= count * 2 {
                break;
            }
            let exclude: Vec<QuestionId> = pool.iter().map(|q| q.id).collect();
            pool.extend(bank::pool_for(&mut conn, role, level, &exclude, practice).await?);
        }
    }
    if !registry.chat.is_empty() {
        let existing: Vec<String> = pool.iter().map(|q| q.text.clone()).collect();
        let brief = Brief { role, difficulty, count, job_description, context, existing: &existing };
        match questions::write(&registry.chat, &registry.embeddings, &brief).await {
            Ok(served) => return Ok(Planned::Written(served.value)),
            Err(exhausted) => {
                tracing::warn!(role, why = %exhausted, "questions picked from the bank after the chat providers failed");
            }
        }
    }
    if pool.is_empty() {
        return Err(ServiceError::bad_field("role", "has no questions in the bank"));
    }
    let candidates: Vec<viva_ai::planner::Candidate> = pool
        .iter()
        .map(|q| viva_ai::planner::Candidate {
            id: q.id.0,
            kind: q.kind,
            text: q.text.clone(),
            keywords: q.expected_keywords.clone(),
        })
        .collect();
    let context = format!("{job_description} {context}");
    let picked = viva_ai::planner::plan(&registry.embeddings, &context, &candidates, count)
        .await
        .map_err(ServiceError::internal)?;
    Ok(Planned::Bank(picked.into_iter().map(QuestionId).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_must_be_ordered_future_and_bounded() {
        let now = Utc::now();
        let hour = Duration::hours(1);
        assert!(check_window(now + hour, now + hour * 2, now).is_ok());
        assert!(check_window(now + hour * 2, now + hour, now).is_err());
        assert!(check_window(now - hour * 3, now - hour, now).is_err());
        assert!(check_window(now, now + Duration::days(MAX_WINDOW_DAYS + 1), now).is_err());
        assert!(check_window(now + Duration::days(400), now + Duration::days(401), now).is_err());
    }

    #[test]
    fn the_asked_difficulty_comes_first_then_the_others() {
        let order: Vec<Difficulty> = difficulty_order(Difficulty::Hard).collect();
        assert_eq!(order, vec![Difficulty::Hard, Difficulty::Easy, Difficulty::Medium]);
    }
}
