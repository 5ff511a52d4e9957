//! Interviews: scheduling, practice, the lifecycle, answers, results and live events
//! (SPEC INT-2 to INT-5, INT-8 to INT-10, CAND-2, CAND-4).
//!
//! Every change to one interview locks its row first, so answers and transitions happen one at
//! a time, the state machine in `domain` decides each transition, and the events a change
//! publishes reach subscribers in the order the changes committed.

use std::collections::HashSet;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Subscription};
use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;
use futures_util::Stream;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;
use viva_domain::interview::{Difficulty, InterviewEvent, InterviewStatus, check_score, grade};
use viva_domain::profile::required_text;
use viva_domain::{Role, UserId, UserStatus};
use viva_store::AsyncPgConnection;
use viva_store::errors::unique_violation;
use viva_store::events::BusMessage;
use viva_store::models::interview::{
    self as store, Answer as StoredAnswer, Interview as StoredInterview, InterviewFilter,
    InterviewQuestion as StoredQuestion, NewAnswer, NewInterview, Scope,
};
use viva_store::models::job;
use viva_store::models::question::{self as bank, Question as BankQuestion};
use viva_store::models::session::Principal;
use viva_store::models::user::{self as users, User as StoredUser};

use viva_service::audit as audit_log;
use viva_domain::vocab::AuditAction;
use crate::auth::context::{ContextExt, ensure_session_live};
use crate::error::{AppError, AppResult};
use crate::graphql::evaluations::AnswerEvaluation;
use crate::graphql::interview_access::{Viewer, viewer_for, viewer_of};
pub use crate::graphql::interview_questions::InterviewQuestion;
use crate::graphql::interview_questions::Reveal;
use crate::graphql::jobs::Job;
use crate::graphql::pagination::{connection, page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::questions::GqlDifficulty;
use crate::graphql::types::{PersonSummary, parse_id, person};
use crate::loaders::{AnswersLoader, InterviewQuestionsLoader, JobLoader};
use viva_service::notify;
use viva_domain::vocab::NotificationKind;

connection!(InterviewConnection, InterviewEdge, Interview, "interviews");

/// Most questions in one interview.
const MAX_QUESTIONS: i32 = 20;
/// Questions (and answers) an interview is costed at in a query: the most it plans; adaptive
/// follow-ups may add a few.
const QUESTIONS_PER_INTERVIEW: usize = MAX_QUESTIONS as usize;
/// Evaluations an answer is expected to have (re-evaluations included), for query cost.
const EVALUATIONS_PER_ANSWER: usize = 5;
/// Longest answer, in characters.
const MAX_ANSWER_CHARS: usize = 20_000;
/// Longest window an interview may be started in.
const MAX_WINDOW_DAYS: i64 = 30;
/// How long a practice session stays open.
const PRACTICE_HOURS: i64 = 24;

/// Where an interview stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::interview::InterviewStatus", name = "InterviewStatus")]
pub enum GqlInterviewStatus {
    /// Planned; the candidate may start it within its window.
    Scheduled,
    /// The candidate is answering.
    InProgress,
    /// Every answer is in, or the candidate ended it.
    Completed,
    /// A result has been recorded.
    Evaluated,
    /// Called off.
    Cancelled,
    /// Its window passed before it was started.
    Expired,
}

/// Where an interview's questions come from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuestionSource {
    /// Chosen from the bank for the role and difficulty, mixing question types.
    Bank,
    /// Exactly the questions listed.
    Explicit,
    /// The questions listed, topped up from the bank.
    Mixed,
    /// Planned from the bank by meaning against the job's description and the `context`
    /// given (such as the candidate's resume), mixing question types.
    Generated,
}

impl QuestionSource {
    fn as_str(self) -> &'static str {
        match self {
            QuestionSource::Bank => "BANK",
            QuestionSource::Explicit => "EXPLICIT",
            QuestionSource::Mixed => "MIXED",
            QuestionSource::Generated => "GENERATED",
        }
    }
}

/// An interview as one viewer sees it.
pub struct Interview {
    interview: StoredInterview,
    viewer: Viewer,
}

/// An answer.
pub struct Answer(StoredAnswer);

impl Answer {
    /// The current evaluation, if the viewer may see it: staff always, the candidate once the
    /// interview is over (it carries the model answer).
    async fn visible_evaluation(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<viva_store::models::evaluation::StoredEvaluation>> {
        let Some(evaluation) = crate::graphql::evaluations::current(ctx, self.0.id).await? else {
            return Ok(None);
        };
        if ctx.principal()?.role == Role::Candidate {
            let loader = ctx
                .data::<DataLoader<crate::loaders::InterviewLoader, HashMapCache>>()
                .map_err(|_| AppError::internal("interview loader missing from the request data"))?;
            let over = loader
                .load_one(self.0.interview_id)
                .await?
                .is_some_and(|i| matches!(i.status, InterviewStatus::Completed | InterviewStatus::Evaluated));
            if !over {
                return Ok(None);
            }
        }
        Ok(Some(evaluation))
    }
}

/// A candidate's answer, with the scores given to it.
#[Object]
impl Answer {
    /// The answer's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The interview question it answers.
    async fn question_id(&self) -> ID {
        ID(self.0.interview_question_id.to_string())
    }

    /// The text.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// Seconds the candidate took.
    async fn duration_seconds(&self) -> Option<i32> {
        self.0.duration_seconds
    }

    /// When it arrived.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }

    /// The AI evaluation's overall score, 0 to 100; null until the answer is evaluated (and,
    /// for the candidate, until the interview is over).
    async fn ai_score(&self, ctx: &Context<'_>) -> AppResult<Option<i32>> {
        Ok(self.visible_evaluation(ctx).await?.map(|e| e.overall_score))
    }

    /// The current AI evaluation: scores, strengths, improvements, feedback, analysis and
    /// provenance. Null until evaluated; the candidate sees it once the interview is over.
    async fn evaluation(&self, ctx: &Context<'_>) -> AppResult<Option<AnswerEvaluation>> {
        self.visible_evaluation(ctx).await?.map(AnswerEvaluation::from_stored).transpose()
    }

    /// Every evaluation of the answer, newest first, re-evaluations included. HR and admins.
    #[graphql(complexity = "crate::graphql::pagination::list_cost(EVALUATIONS_PER_ANSWER, child_complexity)")]
    async fn evaluations(&self, ctx: &Context<'_>) -> AppResult<Vec<AnswerEvaluation>> {
        ctx.require_role(&[Role::Admin, Role::Hr])?;
        let loader = ctx
            .data::<DataLoader<crate::loaders::EvaluationHistoryLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("evaluation history loader missing from the request data"))?;
        loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(AnswerEvaluation::from_stored)
            .collect()
    }

    /// A person's score, 0 to 100, which overrides the AI's in the result; null if none.
    async fn human_score(&self) -> Option<i32> {
        self.0.human_score
    }

    /// Why the person scored it so.
    async fn human_score_reason(&self) -> Option<&str> {
        self.0.human_score_reason.as_deref()
    }

    /// Who gave the human score.
    async fn human_scored_by(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, self.0.human_scored_by).await
    }

    /// When the human score was given.
    async fn human_scored_at(&self) -> Option<DateTime<Utc>> {
        self.0.human_scored_at
    }
}

/// How far an interview has got.
#[derive(SimpleObject)]
pub struct Progress {
    /// Questions answered.
    pub answered: i32,
    /// Questions in the interview.
    pub total: i32,
    /// Seconds since it was started (until it was completed); 0 before the start.
    pub elapsed_seconds: i64,
}

/// The recorded result of an interview.
#[derive(SimpleObject)]
pub struct InterviewResult {
    /// Overall score, 0 to 100.
    pub overall_score: i32,
    /// Letter grade, A to F.
    pub grade: String,
    /// Feedback for the candidate.
    pub feedback: String,
    /// What the candidate should work on, or the hiring recommendation.
    pub recommendations: Vec<String>,
    /// When it was recorded.
    pub decided_at: Option<DateTime<Utc>>,
}

impl Interview {
    /// The interview as this principal sees it, or `None` if they may not; `responsible_hr` is
    /// the candidate's HR user while assigned and mapped.
    pub fn for_viewer(
        principal: &Principal,
        interview: StoredInterview,
        responsible_hr: Option<UserId>,
    ) -> Option<Self> {
        let viewer = viewer_of(principal, &interview, responsible_hr)?;
        Some(Self { interview, viewer })
    }

    async fn loaded_questions(&self, ctx: &Context<'_>) -> AppResult<Vec<StoredQuestion>> {
        let loader = ctx
            .data::<DataLoader<InterviewQuestionsLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("question loader missing"))?;
        Ok(loader.load_one(self.interview.id).await?.unwrap_or_default())
    }

    async fn loaded_answers(&self, ctx: &Context<'_>) -> AppResult<Vec<StoredAnswer>> {
        let loader = ctx
            .data::<DataLoader<AnswersLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("answer loader missing"))?;
        Ok(loader.load_one(self.interview.id).await?.unwrap_or_default())
    }
}

/// A scheduled interview or a practice session.
#[Object]
impl Interview {
    /// The interview's id.
    async fn id(&self) -> ID {
        ID(self.interview.id.to_string())
    }

    /// Where it stands.
    async fn status(&self) -> GqlInterviewStatus {
        self.interview.status.into()
    }

    /// Whether the candidate started it to practise.
    async fn practice(&self) -> bool {
        self.interview.practice
    }

    /// The job role (slug).
    async fn role(&self) -> &str {
        &self.interview.role_slug
    }

    /// Difficulty.
    async fn difficulty(&self) -> GqlDifficulty {
        self.interview.difficulty.into()
    }

    /// Where its questions came from: BANK, EXPLICIT or MIXED.
    async fn question_source(&self) -> &str {
        &self.interview.question_source
    }

    /// Earliest start.
    async fn window_start(&self) -> DateTime<Utc> {
        self.interview.window_start
    }

    /// Latest start; unstarted after it, the interview expires.
    async fn window_end(&self) -> DateTime<Utc> {
        self.interview.window_end
    }

    /// When the candidate started.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.interview.started_at
    }

    /// When it was completed.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.interview.completed_at
    }

    /// Why it was cancelled, if it was.
    async fn cancel_reason(&self) -> Option<&str> {
        self.interview.cancel_reason.as_deref()
    }

    /// The candidate.
    async fn candidate(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, Some(self.interview.candidate_id.0)).await
    }

    /// The HR user responsible; null for practice.
    async fn hr(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, self.interview.hr_id).await
    }

    /// The job it is for, if any (visible to staff).
    async fn job(&self, ctx: &Context<'_>) -> AppResult<Option<Job>> {
        let Some(id) = self.interview.job_id.filter(|_| self.viewer == Viewer::Staff) else {
            return Ok(None);
        };
        let loader = ctx
            .data::<DataLoader<JobLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("job loader missing"))?;
        Ok(loader.load_one(id).await?.map(Job))
    }

    /// Its questions. Staff see them all; the candidate sees those answered and the current
    /// one while answering, and all of them once it is over (with the model answers of those
    /// they answered).
    #[graphql(
        complexity = "crate::graphql::pagination::list_cost(QUESTIONS_PER_INTERVIEW, child_complexity)"
    )]
    async fn questions(&self, ctx: &Context<'_>) -> AppResult<Vec<InterviewQuestion>> {
        let questions = self.loaded_questions(ctx).await?;
        let over = self.interview.status.is_finished();
        if self.viewer == Viewer::Staff {
            return Ok(questions
                .into_iter()
                .map(|question| InterviewQuestion { question, reveal: Reveal::Everything })
                .collect());
        }
        if !over && self.interview.status != InterviewStatus::InProgress {
            return Ok(Vec::new());
        }
        let answered: HashSet<Uuid> =
            self.loaded_answers(ctx).await?.iter().map(|a| a.interview_question_id).collect();
        if over {
            return Ok(questions
                .into_iter()
                .map(|question| {
                    let reveal =
                        if answered.contains(&question.id) { Reveal::ModelAnswer } else { Reveal::Nothing };
                    InterviewQuestion { question, reveal }
                })
                .collect());
        }
        let mut shown = Vec::new();
        for question in questions {
            let done = answered.contains(&question.id);
            shown.push(InterviewQuestion { question, reveal: Reveal::Nothing });
            if !done {
                break;
            }
        }
        Ok(shown)
    }

    /// The answers given so far.
    #[graphql(
        complexity = "crate::graphql::pagination::list_cost(QUESTIONS_PER_INTERVIEW, child_complexity)"
    )]
    async fn answers(&self, ctx: &Context<'_>) -> AppResult<Vec<Answer>> {
        Ok(self.loaded_answers(ctx).await?.into_iter().map(Answer).collect())
    }

    /// How far it has got.
    async fn progress(&self, ctx: &Context<'_>) -> AppResult<Progress> {
        let total = self.loaded_questions(ctx).await?.len();
        let answered = self.loaded_answers(ctx).await?.len();
        let end = self.interview.completed_at.unwrap_or_else(Utc::now);
        let elapsed_seconds = self.interview.started_at.map_or(0, |start| (end - start).num_seconds().max(0));
        Ok(Progress {
            answered: i32::try_from(answered).unwrap_or(i32::MAX),
            total: i32::try_from(total).unwrap_or(i32::MAX),
            elapsed_seconds,
        })
    }

    /// The recorded result, once there is one.
    async fn result(&self) -> Option<InterviewResult> {
        let score = self.interview.overall_score?;
        Some(InterviewResult {
            overall_score: score,
            grade: self.interview.grade.clone().unwrap_or_else(|| grade(score).to_owned()),
            feedback: self.interview.feedback.clone().unwrap_or_default(),
            recommendations: self.interview.recommendations.clone(),
            decided_at: self.interview.result_at,
        })
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.interview.created_at
    }
}

/// Which interviews to list.
#[derive(InputObject, Default)]
pub struct InterviewListFilter {
    /// Only in these states.
    pub statuses: Option<Vec<GqlInterviewStatus>>,
    /// Only practice (true) or scheduled (false) ones.
    pub practice: Option<bool>,
    /// Only this candidate's (staff).
    pub candidate_id: Option<ID>,
}

/// An interview to schedule.
#[derive(InputObject)]
pub struct ScheduleInterviewInput {
    /// The candidate; HR users schedule for their assigned candidates.
    pub candidate_id: ID,
    /// The job it is for; its role is used when `role` is not given.
    pub job_id: Option<ID>,
    /// The job role (slug).
    pub role: Option<String>,
    /// Difficulty.
    pub difficulty: GqlDifficulty,
    /// How many questions, 1 to 20 (ignored for EXPLICIT).
    #[graphql(default = 5)]
    pub question_count: i32,
    /// Where the questions come from.
    #[graphql(default_with = "QuestionSource::Bank")]
    pub question_source: QuestionSource,
    /// The questions to ask, for EXPLICIT and MIXED.
    #[graphql(default)]
    pub question_ids: Vec<ID>,
    /// For GENERATED: what to plan the questions against besides the job's description, such
    /// as the candidate's resume or notes; up to 20,000 characters.
    pub context: Option<String>,
    /// Earliest start.
    pub window_start: DateTime<Utc>,
    /// Latest start, at most 30 days after the earliest.
    pub window_end: DateTime<Utc>,
}

/// A practice session to start.
#[derive(InputObject)]
pub struct PracticeInput {
    /// The job role (slug).
    pub role: String,
    /// Difficulty.
    pub difficulty: GqlDifficulty,
    /// How many questions, 1 to 20.
    #[graphql(default = 5)]
    pub question_count: i32,
}

/// An answer to submit.
#[derive(InputObject, Clone)]
pub struct AnswerInput {
    /// The interview question answered.
    pub question_id: ID,
    /// The answer, 1 to 20000 characters.
    pub text: String,
    /// Seconds taken, 0 to 7200.
    pub duration_seconds: Option<i32>,
    /// A key unique to this answer (8 to 128 characters); sending it again returns the stored
    /// answer instead of storing a second one.
    pub idempotency_key: String,
}

/// What submitting an answer did.
#[derive(SimpleObject)]
pub struct SubmitAnswerPayload {
    /// The stored answer (the same one again for a repeated idempotency key).
    pub answer: Answer,
    /// The interview after the answer.
    pub interview: Interview,
}

/// A result to record.
#[derive(InputObject)]
pub struct InterviewResultInput {
    /// Overall score, 0 to 100.
    pub overall_score: i32,
    /// Feedback for the candidate, up to 10000 characters.
    pub feedback: String,
    /// Recommendations, up to 20 of up to 500 characters.
    #[graphql(default)]
    pub recommendations: Vec<String>,
}

/// Interview queries.
#[derive(Default)]
pub struct InterviewQuery;

async fn visible(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: &ID,
    field: &'static str,
) -> AppResult<(StoredInterview, Viewer)> {
    let id = parse_id(id, field)?;
    let interview = store::find(conn, id).await?.ok_or(AppError::NotFound("interview"))?;
    let viewer = viewer_for(conn, principal, &interview).await?.ok_or(AppError::NotFound("interview"))?;
    Ok((interview, viewer))
}

#[Object]
impl InterviewQuery {
    /// Interviews in the caller's scope, newest first: admins see all, HR users those they are
    /// responsible for, candidates their own (scheduled and practice).
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn interviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: InterviewListFilter,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<InterviewConnection> {
        let principal = ctx.principal()?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let scope = match principal.role {
            Role::Admin => Scope::All,
            Role::Hr => Scope::Hr(principal.user_id),
            Role::Candidate => Scope::Candidate(principal.user_id),
        };
        let store_filter = InterviewFilter {
            statuses: filter.statuses.unwrap_or_default().into_iter().map(Into::into).collect(),
            practice: filter.practice,
            candidate_id: filter
                .candidate_id
                .as_ref()
                .map(|id| parse_id(id, "filter.candidateId"))
                .transpose()?
                .map(UserId),
        };
        let mut conn = ctx.services()?.pool.get().await?;
        let rows = store::list(&mut conn, scope, &store_filter, cursor, limit + 1).await?;
        prime_loaders(ctx, &mut conn, &rows).await?;
        let viewer = if principal.role == Role::Candidate { Viewer::Candidate } else { Viewer::Staff };
        Ok(page(
            rows,
            limit,
            cursor.is_some(),
            |i| time_cursor(i.created_at, i.id),
            |interview| Interview { interview, viewer },
        )
        .into())
    }

    /// One interview: for its candidate, its HR user and admins.
    async fn interview(&self, ctx: &Context<'_>, id: ID) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let mut conn = ctx.services()?.pool.get().await?;
        let (interview, viewer) = visible(&mut conn, &principal, &id, "id").await?;
        Ok(Interview { interview, viewer })
    }

    /// The question the candidate should answer now, with its time limit; null when every
    /// question is answered. The candidate only, while the interview is in progress.
    async fn current_question(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
    ) -> AppResult<Option<InterviewQuestion>> {
        let principal = ctx.principal()?;
        let mut conn = ctx.services()?.pool.get().await?;
        let (interview, viewer) = visible(&mut conn, &principal, &interview_id, "interviewId").await?;
        if viewer != Viewer::Candidate {
            return Err(AppError::Forbidden("only the candidate answers an interview"));
        }
        if interview.status != InterviewStatus::InProgress {
            return Err(AppError::Conflict(format!("the interview is {}; start it first", interview.status)));
        }
        let questions = store::questions_of(&mut conn, &[interview.id]).await?;
        let answered: HashSet<Uuid> = store::answers_of(&mut conn, &[interview.id])
            .await?
            .iter()
            .map(|a| a.interview_question_id)
            .collect();
        Ok(questions
            .into_iter()
            .find(|q| !answered.contains(&q.id))
            .map(|question| InterviewQuestion { question, reveal: Reveal::Nothing }))
    }
}

/// Loads what the selection asks of a page of interviews (questions, answers, people) with one
/// query per kind and feeds it to the request's loaders, so the nested fields cost no further
/// queries however many interviews the page holds.
async fn prime_loaders(
    ctx: &Context<'_>,
    conn: &mut AsyncPgConnection,
    rows: &[StoredInterview],
) -> AppResult<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let ids: Vec<Uuid> = rows.iter().map(|i| i.id).collect();
    fn grouped<T>(
        ids: &[Uuid],
        items: impl IntoIterator<Item = (Uuid, T)>,
    ) -> std::collections::HashMap<Uuid, Vec<T>> {
        let mut map: std::collections::HashMap<Uuid, Vec<T>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for (key, item) in items {
            map.entry(key).or_default().push(item);
        }
        map
    }
    if node.field("questions").exists() || node.field("progress").exists() {
        let questions = store::questions_of(conn, &ids).await?;
        let loader = ctx
            .data::<DataLoader<InterviewQuestionsLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("question loader missing"))?;
        loader.feed_many(grouped(&ids, questions.into_iter().map(|q| (q.interview_id, q)))).await;
    }
    if node.field("answers").exists() || node.field("progress").exists() || node.field("questions").exists() {
        let answers = store::answers_of(conn, &ids).await?;
        let loader = ctx
            .data::<DataLoader<AnswersLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("answer loader missing"))?;
        loader.feed_many(grouped(&ids, answers.into_iter().map(|a| (a.interview_id, a)))).await;
    }
    if node.field("candidate").exists() || node.field("hr").exists() {
        let mut people: Vec<Uuid> =
            rows.iter().map(|i| i.candidate_id.0).chain(rows.iter().filter_map(|i| i.hr_id)).collect();
        people.sort_unstable();
        people.dedup();
        let found = users::find_many(conn, &people).await?;
        let loader = ctx
            .data::<DataLoader<crate::loaders::UserLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("user loader missing"))?;
        loader.feed_many(found.into_iter().map(|u| (u.id.0, u))).await;
    }
    Ok(())
}

/// Chooses questions: the listed ones (checked), then from the bank for the role, closest
/// difficulty first, taking question types in turn so the interview mixes them.
async fn choose_questions(
    conn: &mut AsyncPgConnection,
    role: &str,
    difficulty: Difficulty,
    source: QuestionSource,
    listed: &[ID],
    count: i32,
    practice: bool,
) -> AppResult<Vec<BankQuestion>> {
    if !(1..=MAX_QUESTIONS).contains(&count) {
        return Err(AppError::bad_field("questionCount", format!("must be between 1 and {MAX_QUESTIONS}")));
    }
    let count = usize::try_from(count).unwrap_or(0);
    let mut chosen: Vec<BankQuestion> = Vec::new();
    if source != QuestionSource::Bank {
        if listed.is_empty() || listed.len() > MAX_QUESTIONS as usize {
            return Err(AppError::bad_field(
                "questionIds",
                format!("must list 1 to {MAX_QUESTIONS} questions"),
            ));
        }
        let ids = listed.iter().map(|id| parse_id(id, "questionIds")).collect::<AppResult<Vec<_>>>()?;
        let found = bank::find_many(conn, &ids).await?;
        for id in &ids {
            let question = found
                .iter()
                .find(|q| q.id == *id)
                .ok_or_else(|| AppError::bad_field("questionIds", format!("{id} is not a question")))?;
            if !chosen.iter().any(|q| q.id == *id) {
                chosen.push(question.clone());
            }
        }
        if source == QuestionSource::Explicit {
            return Ok(chosen);
        }
    } else if !listed.is_empty() {
        return Err(AppError::bad_field("questionIds", "are only for the EXPLICIT and MIXED sources"));
    }
    let mut order = vec![difficulty];
    order.extend(
        [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard].into_iter().filter(|d| *d != difficulty),
    );
    for level in order {
        if chosen.len() >= count {
            break;
        }
        let exclude: Vec<Uuid> = chosen.iter().map(|q| q.id).collect();
        let mut pool = bank::pool_for(conn, role, level, &exclude, practice).await?;
        // Take question types in turn: technical, behavioural, situational, …
        while chosen.len() < count && !pool.is_empty() {
            let last = chosen.last().map(|q| q.kind);
            let pick = pool.iter().position(|q| Some(q.kind) != last).unwrap_or(0);
            chosen.push(pool.remove(pick));
        }
    }
    if chosen.is_empty() {
        return Err(AppError::bad_field("role", "has no questions in the bank"));
    }
    Ok(chosen)
}

/// Plans GENERATED questions: the role's bank questions (the asked difficulty first) ranked by
/// meaning against the job's description and the given context, mixing types.
async fn plan_questions(
    services: &crate::state::Services,
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    input: &ScheduleInterviewInput,
) -> AppResult<Vec<ID>> {
    if !input.question_ids.is_empty() {
        return Err(AppError::bad_field("questionIds", "are only for the EXPLICIT and MIXED sources"));
    }
    if !(1..=MAX_QUESTIONS).contains(&input.question_count) {
        return Err(AppError::bad_field("questionCount", format!("must be between 1 and {MAX_QUESTIONS}")));
    }
    let extra = input.context.as_deref().map(str::trim).unwrap_or_default();
    if extra.chars().count() > 20_000 {
        return Err(AppError::bad_field("context", "must be at most 20000 characters"));
    }
    // The job is only read here; the transaction checks it again (owner, archived).
    let job = match &input.job_id {
        Some(id) => job::find(conn, parse_id(id, "jobId")?)
            .await?
            .filter(|j| principal.role == Role::Admin || j.owner_id == principal.user_id.0),
        None => None,
    };
    let context = format!("{} {extra}", job.as_ref().map(|j| j.description.as_str()).unwrap_or_default());
    if context.trim().is_empty() {
        return Err(AppError::bad_field("context", "GENERATED needs a job with a description or a context"));
    }
    let role = input.role.clone().or_else(|| job.as_ref().and_then(|j| j.role_slug.clone()));
    let role = role.ok_or_else(|| AppError::bad_field("role", "is required (or a job with a role)"))?;
    let difficulty: Difficulty = input.difficulty.into();
    let mut pool = bank::pool_for(conn, &role, difficulty, &[], false).await?;
    let count = usize::try_from(input.question_count).unwrap_or(0);
    for level in
        [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard].into_iter().filter(|d| *d != difficulty)
    {
        if pool.len() >= count * 2 {
            break;
        }
        let exclude: Vec<Uuid> = pool.iter().map(|q| q.id).collect();
        pool.extend(bank::pool_for(conn, &role, level, &exclude, false).await?);
    }
    if pool.is_empty() {
        return Err(AppError::bad_field("role", "has no questions in the bank"));
    }
    let candidates: Vec<viva_ai::planner::Candidate> = pool
        .iter()
        .map(|q| viva_ai::planner::Candidate {
            id: q.id,
            kind: q.kind,
            text: q.text.clone(),
            keywords: q.expected_keywords.clone(),
        })
        .collect();
    let picked = viva_ai::planner::plan(&services.ai.registry.embeddings, &context, &candidates, count)
        .await
        .map_err(AppError::internal)?;
    Ok(picked.into_iter().map(|id| ID(id.to_string())).collect())
}

fn transition(interview: &StoredInterview, event: InterviewEvent) -> AppResult<InterviewStatus> {
    interview.status.apply(event).map_err(|e| AppError::Conflict(e.to_string()))
}

/// Stores one answer (or finds its replay) inside the caller's transaction; the interview must
/// be locked. Returns the answer and whether it is new.
async fn store_answer(
    conn: &mut AsyncPgConnection,
    interview: &StoredInterview,
    input: &AnswerInput,
) -> AppResult<(StoredAnswer, bool)> {
    let key = input.idempotency_key.trim();
    if !(8..=128).contains(&key.len())
        || !key.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c))
    {
        return Err(AppError::bad_field("idempotencyKey", "must be 8 to 128 letters, digits or -_:."));
    }
    let text = input.text.trim();
    if text.is_empty() || text.chars().count() > MAX_ANSWER_CHARS {
        return Err(AppError::bad_field("text", format!("must be 1 to {MAX_ANSWER_CHARS} characters")));
    }
    if input.duration_seconds.is_some_and(|d| !(0..=7200).contains(&d)) {
        return Err(AppError::bad_field("durationSeconds", "must be between 0 and 7200"));
    }
    let question = parse_id(&input.question_id, "questionId")?;
    let hash: Vec<u8> = Sha256::digest(format!("{question}\0{text}\0{:?}", input.duration_seconds)).to_vec();
    if let Some(existing) = store::answer_by_key(conn, interview.id, key).await? {
        return if existing.request_hash == hash {
            Ok((existing, false))
        } else {
            Err(AppError::Conflict("this idempotency key was already used for a different answer".into()))
        };
    }
    if interview.status != InterviewStatus::InProgress {
        return Err(AppError::Conflict(format!(
            "an interview that is {} takes no answers",
            interview.status
        )));
    }
    let questions = store::questions_of(conn, &[interview.id]).await?;
    if !questions.iter().any(|q| q.id == question) {
        return Err(AppError::bad_field("questionId", "is not a question of this interview"));
    }
    let new = NewAnswer {
        interview_id: interview.id,
        interview_question_id: question,
        text,
        duration_seconds: input.duration_seconds,
        idempotency_key: key,
        request_hash: &hash,
    };
    let stored = store::insert_answer(conn, &new).await.map_err(|err| {
        if unique_violation(&err).is_some() {
            AppError::Conflict("this question is already answered".into())
        } else {
            err.into()
        }
    })?;
    let answer = match stored {
        Some(answer) => answer,
        // The interview row is locked, so a racing twin cannot be mid-insert; this is defensive.
        None => store::answer_by_key(conn, interview.id, key)
            .await?
            .ok_or_else(|| AppError::internal("answer vanished"))?,
    };
    store::publish(conn, interview.id, InterviewEventKind::AnswerReceived, answer.id).await?;
    viva_service::jobs::evaluate_answer::enqueue(conn, answer.id, None).await?;
    Ok((answer, true))
}

/// Completes the interview if every question is answered.
async fn complete_if_done(
    conn: &mut AsyncPgConnection,
    interview: StoredInterview,
) -> AppResult<StoredInterview> {
    let (answered, total) = store::progress(conn, interview.id).await?;
    if interview.status == InterviewStatus::InProgress && answered >= total {
        return complete(conn, &interview).await;
    }
    Ok(interview)
}

async fn complete(conn: &mut AsyncPgConnection, interview: &StoredInterview) -> AppResult<StoredInterview> {
    let status = transition(interview, InterviewEvent::Complete)?;
    let done = store::set_status(conn, interview.id, status, None).await?;
    store::publish(conn, interview.id, InterviewEventKind::InterviewCompleted, interview.id).await?;
    // Usually the last evaluation triggers the result; this covers answers evaluated already.
    viva_service::jobs::complete_interview::enqueue(conn, interview.id).await?;
    Ok(done)
}

/// Loads and locks an interview the candidate is answering.
async fn candidate_interview(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: Uuid,
) -> AppResult<StoredInterview> {
    let interview = store::lock(conn, id).await?.ok_or(AppError::NotFound("interview"))?;
    match viewer_for(conn, principal, &interview).await? {
        Some(Viewer::Candidate) => Ok(interview),
        Some(Viewer::Staff) => Err(AppError::Forbidden("only the candidate answers an interview")),
        None => Err(AppError::NotFound("interview")),
    }
}

/// Loads and locks an interview the caller is responsible for (its HR user or an admin).
async fn staff_interview(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    id: Uuid,
) -> AppResult<StoredInterview> {
    let interview = store::lock(conn, id).await?.ok_or(AppError::NotFound("interview"))?;
    match viewer_for(conn, principal, &interview).await? {
        Some(Viewer::Staff) => Ok(interview),
        Some(Viewer::Candidate) => {
            Err(AppError::Forbidden("only the HR user responsible or an admin may do this"))
        }
        None => Err(AppError::NotFound("interview")),
    }
}

/// Interview mutations.
#[derive(Default)]
pub struct InterviewMutation;

#[Object]
impl InterviewMutation {
    /// Schedules an interview: HR users for their assigned candidates, admins for anyone. The
    /// candidate is notified.
    async fn schedule_interview(
        &self,
        ctx: &Context<'_>,
        input: ScheduleInterviewInput,
    ) -> AppResult<Interview> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let candidate_id = UserId(parse_id(&input.candidate_id, "candidateId")?);
        let now = Utc::now();
        if input.window_end <= input.window_start {
            return Err(AppError::bad_field("windowEnd", "must be after windowStart"));
        }
        if input.window_end <= now {
            return Err(AppError::bad_field("windowEnd", "must be in the future"));
        }
        if input.window_end - input.window_start > Duration::days(MAX_WINDOW_DAYS)
            || input.window_start > now + Duration::days(365)
        {
            return Err(AppError::bad_field(
                "windowEnd",
                format!("the window may last at most {MAX_WINDOW_DAYS} days, within a year"),
            ));
        }
        let ip = ctx.client().ip;
        let services = ctx.services()?.clone();
        let mut conn = services.pool.get().await?;
        // GENERATED questions are planned before the transaction: the model is slow, locks are not.
        let planned = match input.question_source {
            QuestionSource::Generated => {
                Some(plan_questions(&services, &mut conn, &principal, &input).await?)
            }
            _ => None,
        };
        let interview = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let candidate = users::lock(conn, candidate_id)
                    .await?
                    .filter(|u| u.role == Role::Candidate)
                    .ok_or(AppError::NotFound("candidate"))?;
                if candidate.status != UserStatus::Active {
                    return Err(AppError::Conflict("the candidate's account is deactivated".into()));
                }
                let hr_id = match principal.role {
                    Role::Admin => candidate.assigned_hr_id.map(UserId),
                    _ => {
                        let me = StoredUser::find(conn, principal.user_id)
                            .await?
                            .ok_or(AppError::NotFound("user"))?;
                        if me.mapped_admin_id.is_none() {
                            return Err(AppError::Forbidden(
                                "you must be mapped to an admin to schedule interviews",
                            ));
                        }
                        if candidate.assigned_hr_id != Some(principal.user_id.0) {
                            return Err(AppError::Forbidden(
                                "you schedule interviews only for your assigned candidates",
                            ));
                        }
                        Some(principal.user_id)
                    }
                };
                let job = match &input.job_id {
                    Some(id) => {
                        let job = job::find(conn, parse_id(id, "jobId")?)
                            .await?
                            .ok_or(AppError::NotFound("job"))?;
                        if principal.role != Role::Admin && job.owner_id != principal.user_id.0 {
                            return Err(AppError::NotFound("job"));
                        }
                        if job.archived_at.is_some() {
                            return Err(AppError::bad_field("jobId", "is archived"));
                        }
                        Some(job)
                    }
                    None => None,
                };
                let role = input.role.clone().or_else(|| job.as_ref().and_then(|j| j.role_slug.clone()));
                let role =
                    role.ok_or_else(|| AppError::bad_field("role", "is required (or a job with a role)"))?;
                if !bank::role_exists(conn, &role).await? {
                    return Err(AppError::bad_field("role", "is not a known job role"));
                }
                let difficulty: Difficulty = input.difficulty.into();
                let questions = match &planned {
                    Some(ids) => {
                        choose_questions(
                            conn,
                            &role,
                            difficulty,
                            QuestionSource::Explicit,
                            ids,
                            input.question_count,
                            false,
                        )
                        .await?
                    }
                    None => {
                        choose_questions(
                            conn,
                            &role,
                            difficulty,
                            input.question_source,
                            &input.question_ids,
                            input.question_count,
                            false,
                        )
                        .await?
                    }
                };
                let new = NewInterview {
                    candidate_id,
                    hr_id,
                    scheduled_by: Some(principal.user_id),
                    job_id: job.as_ref().map(|j| j.id),
                    role_slug: role,
                    difficulty,
                    practice: false,
                    status: InterviewStatus::Scheduled,
                    question_source: input.question_source.as_str(),
                    window_start: input.window_start,
                    window_end: input.window_end,
                };
                let interview = store::create(conn, &new, &questions).await?;
                let data = serde_json::json!({ "interviewId": interview.id });
                let when = input.window_start.format("%Y-%m-%d %H:%M UTC");
                notify::send(
                    conn,
                    candidate_id,
                    NotificationKind::InterviewScheduled,
                    "Interview scheduled",
                    &format!("An interview is scheduled for you, opening {when}."),
                    data.clone(),
                )
                .await?;
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    AuditAction::InterviewScheduled,
                    Some(candidate_id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                Ok(interview)
            })
            .await?;
        Ok(Interview { interview, viewer: Viewer::Staff })
    }

    /// Starts a practice session at once: questions from the bank for a role and difficulty.
    /// Candidates.
    async fn start_practice_interview(
        &self,
        ctx: &Context<'_>,
        input: PracticeInput,
    ) -> AppResult<Interview> {
        let principal = ctx.require_role(&[Role::Candidate])?;
        let mut conn = ctx.services()?.pool.get().await?;
        let interview = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let role = required_text(&input.role, "role", 100)?;
                if !bank::role_exists(conn, &role).await? {
                    return Err(AppError::bad_field("role", "is not a known job role"));
                }
                let difficulty: Difficulty = input.difficulty.into();
                let questions = choose_questions(
                    conn,
                    &role,
                    difficulty,
                    QuestionSource::Bank,
                    &[],
                    input.question_count,
                    true,
                )
                .await?;
                let now = Utc::now();
                let new = NewInterview {
                    candidate_id: principal.user_id,
                    hr_id: None,
                    scheduled_by: None,
                    job_id: None,
                    role_slug: role,
                    difficulty,
                    practice: true,
                    status: InterviewStatus::InProgress,
                    question_source: QuestionSource::Bank.as_str(),
                    window_start: now,
                    window_end: now + Duration::hours(PRACTICE_HOURS),
                };
                let interview = store::create(conn, &new, &questions).await?;
                store::publish(conn, interview.id, InterviewEventKind::InterviewStarted, interview.id).await?;
                Ok(interview)
            })
            .await?;
        Ok(Interview { interview, viewer: Viewer::Candidate })
    }

    /// Starts a scheduled interview, within its window. The candidate.
    async fn start_interview(&self, ctx: &Context<'_>, interview_id: ID) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let mut conn = ctx.services()?.pool.get().await?;
        let interview = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let interview = candidate_interview(conn, &principal, id).await?;
                let status = transition(&interview, InterviewEvent::Start)?;
                let now = Utc::now();
                if now < interview.window_start {
                    return Err(AppError::Conflict(format!(
                        "the interview opens at {}",
                        interview.window_start.to_rfc3339()
                    )));
                }
                if now > interview.window_end {
                    return Err(AppError::Conflict("the interview's window has passed".into()));
                }
                let started = store::set_status(conn, id, status, None).await?;
                store::publish(conn, id, InterviewEventKind::InterviewStarted, id).await?;
                Ok(started)
            })
            .await?;
        Ok(Interview { interview, viewer: Viewer::Candidate })
    }

    /// Submits one answer; it is stored before this returns. The interview completes when its
    /// last question is answered. Repeating a call with the same idempotency key returns the
    /// stored answer. The candidate.
    async fn submit_answer(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        input: AnswerInput,
    ) -> AppResult<SubmitAnswerPayload> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let mut conn = ctx.services()?.pool.get().await?;
        let (answer, interview) = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let interview = candidate_interview(conn, &principal, id).await?;
                let (answer, _) = store_answer(conn, &interview, &input).await?;
                let interview = complete_if_done(conn, interview).await?;
                Ok((answer, interview))
            })
            .await?;
        Ok(SubmitAnswerPayload {
            answer: Answer(answer),
            interview: Interview { interview, viewer: Viewer::Candidate },
        })
    }

    /// Submits every answer at once, for clients that send them at the end, and completes the
    /// interview. All are stored or none. The candidate.
    async fn submit_all_answers(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        answers: Vec<AnswerInput>,
    ) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        if answers.is_empty() || answers.len() > MAX_QUESTIONS as usize {
            return Err(AppError::bad_field("answers", format!("must hold 1 to {MAX_QUESTIONS} answers")));
        }
        let mut conn = ctx.services()?.pool.get().await?;
        let interview = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let interview = candidate_interview(conn, &principal, id).await?;
                for answer in &answers {
                    store_answer(conn, &interview, answer).await?;
                }
                if interview.status == InterviewStatus::InProgress {
                    complete(conn, &interview).await
                } else {
                    Ok(interview)
                }
            })
            .await?;
        Ok(Interview { interview, viewer: Viewer::Candidate })
    }

    /// Ends an interview early, with the answers given so far. The candidate.
    async fn end_interview(&self, ctx: &Context<'_>, interview_id: ID) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let mut conn = ctx.services()?.pool.get().await?;
        let interview = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let interview = candidate_interview(conn, &principal, id).await?;
                complete(conn, &interview).await
            })
            .await?;
        Ok(Interview { interview, viewer: Viewer::Candidate })
    }

    /// Cancels an interview that is scheduled or in progress: its HR user or an admin, or the
    /// candidate for their own practice session. The candidate of a scheduled one is notified.
    async fn cancel_interview(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        reason: Option<String>,
    ) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let reason = reason.map(|r| required_text(&r, "reason", 1000)).transpose()?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let (interview, viewer) = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let interview = store::lock(conn, id).await?.ok_or(AppError::NotFound("interview"))?;
                let viewer =
                    viewer_for(conn, &principal, &interview).await?.ok_or(AppError::NotFound("interview"))?;
                if viewer == Viewer::Candidate && !interview.practice {
                    return Err(AppError::Forbidden(
                        "a scheduled interview is cancelled by the HR user responsible",
                    ));
                }
                let status = transition(&interview, InterviewEvent::Cancel)?;
                let cancelled = store::set_status(conn, id, status, reason.as_deref()).await?;
                store::publish(conn, id, InterviewEventKind::InterviewCancelled, id).await?;
                if viewer == Viewer::Staff {
                    let data = serde_json::json!({ "interviewId": id });
                    notify::send(
                        conn,
                        interview.candidate_id,
                        NotificationKind::InterviewCancelled,
                        "Interview cancelled",
                        "An interview scheduled for you was cancelled.",
                        data.clone(),
                    )
                    .await?;
                    audit_log::record(
                        conn,
                        Some(principal.user_id),
                        AuditAction::InterviewCancelled,
                        Some(interview.candidate_id),
                        ip.as_deref(),
                        data,
                    )
                    .await?;
                }
                Ok((cancelled, viewer))
            })
            .await?;
        Ok(Interview { interview, viewer })
    }

    /// Records the result of a completed interview (again, to revise it): its HR user or an
    /// admin. The candidate is notified.
    async fn submit_interview_result(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        input: InterviewResultInput,
    ) -> AppResult<Interview> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let id = parse_id(&interview_id, "interviewId")?;
        let score = check_score(input.overall_score)
            .map_err(|_| AppError::bad_field("overallScore", "must be between 0 and 100"))?;
        let feedback = required_text(&input.feedback, "feedback", 10_000)?;
        if input.recommendations.len() > 20
            || input.recommendations.iter().any(|r| r.trim().is_empty() || r.chars().count() > 500)
        {
            return Err(AppError::bad_field(
                "recommendations",
                "must be up to 20 items of 1 to 500 characters",
            ));
        }
        let recommendations: Vec<String> =
            input.recommendations.iter().map(|r| r.trim().to_owned()).collect();
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let interview = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let interview = staff_interview(conn, &principal, id).await?;
                // A person's result may replace the AI's (the answers' AI evaluations stay), but
                // not another person's.
                let replaces_ai =
                    interview.status == InterviewStatus::Evaluated && interview.result_by.is_none();
                if !replaces_ai {
                    transition(&interview, InterviewEvent::Evaluate)?;
                }
                let evaluated = store::record_result(
                    conn,
                    id,
                    score,
                    grade(score),
                    &feedback,
                    &recommendations,
                    Some(principal.user_id),
                )
                .await?;
                store::publish(conn, id, InterviewEventKind::InterviewEvaluated, id).await?;
                let data = serde_json::json!({ "interviewId": id, "overallScore": score });
                notify::send(
                    conn,
                    interview.candidate_id,
                    NotificationKind::ResultsAvailable,
                    "Results available",
                    "The results of your interview are available.",
                    serde_json::json!({ "interviewId": id }),
                )
                .await?;
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    AuditAction::InterviewResultSubmitted,
                    Some(interview.candidate_id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                Ok(evaluated)
            })
            .await?;
        Ok(Interview { interview, viewer: Viewer::Staff })
    }

    /// Evaluates an answer again with the current providers and rubric; the new evaluation
    /// becomes current and earlier ones are kept. Its HR user or an admin. The evaluation runs
    /// in the background: watch `interviewEvents` for ANSWER_EVALUATED.
    async fn reevaluate_answer(&self, ctx: &Context<'_>, answer_id: ID) -> AppResult<Answer> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let answer_id = parse_id(&answer_id, "answerId")?;
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let answer = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let answer =
                    store::find_answer(conn, answer_id).await?.ok_or(AppError::NotFound("answer"))?;
                let interview = staff_interview(conn, &principal, answer.interview_id).await?;
                viva_service::jobs::evaluate_answer::enqueue(conn, answer.id, Some(principal.user_id.0)).await?;
                let data = serde_json::json!({ "interviewId": interview.id, "answerId": answer.id });
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    AuditAction::AnswerReevaluationRequested,
                    Some(interview.candidate_id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                Ok(answer)
            })
            .await?;
        Ok(Answer(answer))
    }

    /// Gives an answer a person's score with the reason, once the interview is over; the AI's
    /// score is kept beside it. Its HR user or an admin.
    async fn override_answer_score(
        &self,
        ctx: &Context<'_>,
        answer_id: ID,
        score: i32,
        reason: String,
    ) -> AppResult<Answer> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let answer_id = parse_id(&answer_id, "answerId")?;
        let score = check_score(score)?;
        let reason = required_text(&reason, "reason", 1000)?;
        if reason.chars().count() < 3 {
            return Err(AppError::bad_field("reason", "must say why, in at least 3 characters"));
        }
        let ip = ctx.client().ip;
        let mut conn = ctx.services()?.pool.get().await?;
        let answer = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let answer =
                    store::find_answer(conn, answer_id).await?.ok_or(AppError::NotFound("answer"))?;
                let interview = staff_interview(conn, &principal, answer.interview_id).await?;
                if !matches!(interview.status, InterviewStatus::Completed | InterviewStatus::Evaluated) {
                    return Err(AppError::Conflict(format!(
                        "answers of an interview that is {} cannot be scored",
                        interview.status
                    )));
                }
                let scored =
                    store::override_score(conn, answer.id, score, &reason, principal.user_id).await?;
                store::publish(conn, interview.id, InterviewEventKind::ScoreOverridden, answer.id).await?;
                let data =
                    serde_json::json!({ "interviewId": interview.id, "answerId": answer.id, "score": score });
                audit_log::record(
                    conn,
                    Some(principal.user_id),
                    AuditAction::ScoreOverridden,
                    Some(interview.candidate_id),
                    ip.as_deref(),
                    data,
                )
                .await?;
                Ok(scored)
            })
            .await?;
        Ok(Answer(answer))
    }
}

/// What happened in an interview.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterviewEventKind {
    /// The candidate started.
    InterviewStarted,
    /// An answer arrived.
    AnswerReceived,
    /// The interview completed.
    InterviewCompleted,
    /// A result was recorded.
    InterviewEvaluated,
    /// An answer got a human score.
    ScoreOverridden,
    /// The interview was cancelled.
    InterviewCancelled,
    /// The interview expired unstarted.
    InterviewExpired,
    /// The AI began evaluating an answer.
    EvaluationStarted,
    /// An answer's evaluation was stored.
    AnswerEvaluated,
    /// A follow-up question was added after a vague or weak answer.
    FollowUpAdded,
}

impl InterviewEventKind {
    fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "INTERVIEW_STARTED" => Self::InterviewStarted,
            "ANSWER_RECEIVED" => Self::AnswerReceived,
            "INTERVIEW_COMPLETED" => Self::InterviewCompleted,
            "INTERVIEW_EVALUATED" => Self::InterviewEvaluated,
            "SCORE_OVERRIDDEN" => Self::ScoreOverridden,
            "INTERVIEW_CANCELLED" => Self::InterviewCancelled,
            "INTERVIEW_EXPIRED" => Self::InterviewExpired,
            "EVALUATION_STARTED" => Self::EvaluationStarted,
            "ANSWER_EVALUATED" => Self::AnswerEvaluated,
            "FOLLOW_UP_ADDED" => Self::FollowUpAdded,
            _ => return None,
        })
    }
}

/// Something that happened in an interview, as it happened.
#[derive(SimpleObject)]
pub struct InterviewUpdate {
    /// What happened.
    pub kind: InterviewEventKind,
    /// The interview.
    pub interview_id: ID,
    /// The interview's status after it.
    pub status: GqlInterviewStatus,
    /// The answer concerned (ANSWER_RECEIVED, SCORE_OVERRIDDEN, EVALUATION_STARTED,
    /// ANSWER_EVALUATED).
    pub answer: Option<Answer>,
    /// The question added (FOLLOW_UP_ADDED).
    pub question_id: Option<ID>,
}

/// Interview subscriptions.
#[derive(Default)]
pub struct InterviewSubscription;

/// Live interview updates.
#[Subscription]
impl InterviewSubscription {
    /// What happens in an interview, in order: start, answers, completion, results. For its
    /// candidate, its HR user and admins.
    async fn interview_events(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
    ) -> Result<impl Stream<Item = AppResult<InterviewUpdate>> + use<>, AppError> {
        let principal = ctx.principal()?;
        let services = ctx.services()?.clone();
        let id = parse_id(&interview_id, "interviewId")?;
        {
            let mut conn = services.pool.get().await?;
            let interview = store::find(&mut conn, id).await?.ok_or(AppError::NotFound("interview"))?;
            viewer_for(&mut conn, &principal, &interview).await?.ok_or(AppError::NotFound("interview"))?;
        }
        let mut bus = services.events.subscribe();
        let topic = viva_domain::vocab::Topic::Interview(id).to_string();
        Ok(async_stream::stream! {
            loop {
                let event = match bus.recv().await {
                    Ok(BusMessage::Event(event)) if event.topic == topic => event,
                    Ok(_) | Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                };
                let Some(kind) = InterviewEventKind::parse(&event.kind) else { continue };
                let mut conn = match services.pool.get().await {
                    Ok(conn) => conn,
                    Err(err) => { yield Err(AppError::from(err)); break; }
                };
                // The account or session may have ended since the subscription began, and the
                // viewer's access to the interview with it (an HR user unmapped or the candidate
                // reassigned).
                let live = match ensure_session_live(&mut conn, &principal).await {
                    Ok(live) => live,
                    Err(err) => { yield Err(err); break; }
                };
                let interview = match store::find(&mut conn, id).await {
                    Ok(Some(interview)) => interview,
                    Ok(None) => break,
                    Err(err) => { yield Err(AppError::from(err)); break; }
                };
                match viewer_for(&mut conn, &live, &interview).await {
                    Ok(Some(_)) => {}
                    Ok(None) => { yield Err(AppError::NotFound("interview")); break; }
                    Err(err) => { yield Err(err); break; }
                }
                let answer = if matches!(
                    kind,
                    InterviewEventKind::AnswerReceived
                        | InterviewEventKind::ScoreOverridden
                        | InterviewEventKind::EvaluationStarted
                        | InterviewEventKind::AnswerEvaluated
                ) {
                    match store::find_answer(&mut conn, event.id).await {
                        Ok(answer) => answer.map(Answer),
                        Err(err) => { yield Err(AppError::from(err)); break; }
                    }
                } else {
                    None
                };
                let question_id = (kind == InterviewEventKind::FollowUpAdded).then(|| ID(event.id.to_string()));
                yield Ok(InterviewUpdate { kind, interview_id: ID(id.to_string()), status: interview.status.into(), answer, question_id });
            }
        })
    }
}

/// Expires the scheduled interviews whose window has passed, announcing each; returns how many.
pub async fn expire_overdue(conn: &mut AsyncPgConnection) -> AppResult<usize> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let expired = store::expire_overdue(conn).await?;
        for interview in &expired {
            store::publish(conn, interview.id, InterviewEventKind::InterviewExpired, interview.id).await?;
        }
        Ok(expired.len())
    })
    .await
}
