//! Reading interviews: a page in the caller's scope (with what the selection needs of each, in
//! one query per kind), the current question, and what a live event shows its subscriber.

use std::collections::HashSet;
use viva_domain::{AnswerId, InterviewId, InterviewQuestionId, UserId};

use uuid::Uuid;
use viva_domain::Role;
use viva_domain::interview::InterviewStatus;
use viva_domain::vocab::InterviewEventKind;
use viva_store::models::TimeCursor;
use viva_store::models::interview::{
    self as store, Answer as StoredAnswer, AnswerKey, Interview as StoredInterview, InterviewFilter,
    InterviewQuestion as StoredQuestion, QuestionOutline, Scope,
};
use viva_store::models::media::{self, Transcript};
use viva_store::models::session::Principal;
use viva_store::models::user::{self as users, Person};

use super::access::{Viewer, find_visible};
use crate::{Service, ServiceError, ServiceResult};

/// What a page of interviews should come with, besides the interviews.
#[derive(Clone, Copy, Debug, Default)]
pub struct Include {
    /// Their questions.
    pub questions: bool,
    /// Their questions' answer keys.
    pub answer_keys: bool,
    /// Their answers.
    pub answers: bool,
    /// Their candidates (they come with the interviews, in the same statement).
    pub people: bool,
    /// Their HR users.
    pub hr: bool,
}

/// A page of interviews, with what was asked to come with it.
#[derive(Debug, Default)]
pub struct InterviewPage {
    /// The interviews, newest first (one more than the page when there is a next page).
    pub interviews: Vec<StoredInterview>,
    /// What the caller is to all of them.
    pub viewer: Option<Viewer>,
    /// The questions of all of them (if asked).
    pub questions: Vec<QuestionOutline>,
    /// The answer keys of those questions (if asked).
    pub answer_keys: Vec<AnswerKey>,
    /// The answers of all of them (if asked).
    pub answers: Vec<StoredAnswer>,
    /// Their candidates and HR users (if asked).
    pub people: Vec<Person>,
}

/// Interviews in the caller's scope, newest first: admins see all, HR users those of the
/// candidates assigned to them while mapped, candidates their own (scheduled and practice).
/// `limit` interviews with what `include` asks, then one more, bare, when there is a next page.
/// At most three statements whatever the page's size: the interviews with their candidates,
/// their questions with their answers, and their HR users.
pub async fn list(
    service: &Service,
    principal: &Principal,
    filter: &InterviewFilter,
    after: Option<TimeCursor>,
    limit: i64,
    include: Include,
) -> ServiceResult<InterviewPage> {
    let (scope, viewer) = match principal.role {
        Role::Admin => (Scope::All, Viewer::Staff),
        Role::Hr => (Scope::Hr(principal.user_id), Viewer::Staff),
        Role::Candidate => (Scope::Candidate(principal.user_id), Viewer::Candidate),
    };
    let mut conn = service.pool.get().await?;
    let rows = store::list(&mut conn, scope, filter, after, limit.saturating_add(1)).await?;
    let (mut interviews, mut candidates): (Vec<StoredInterview>, Vec<Person>) = rows.into_iter().unzip();
    let next = (interviews.len() as i64 > limit).then(|| interviews.pop()).flatten();
    candidates.truncate(interviews.len());
    let mut page = with_contents(&mut conn, interviews, candidates, include).await?;
    page.interviews.extend(next);
    page.viewer = Some(viewer);
    Ok(page)
}

/// One interview the caller may see, with what was asked to come with it: two statements (the
/// interview with its candidate and the access policy's facts; its questions with their
/// answers), a third for its HR user if asked. `NOT_FOUND` when they may not see it.
pub async fn get(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
    include: Include,
) -> ServiceResult<InterviewPage> {
    let mut conn = service.pool.get().await?;
    let (interview, candidate, responsible) =
        store::find_with_candidate(&mut conn, id).await?.ok_or(ServiceError::NotFound("interview"))?;
    let viewer = super::access::viewer_of(principal, &interview, responsible)
        .ok_or(ServiceError::NotFound("interview"))?;
    let mut page = with_contents(&mut conn, vec![interview], vec![candidate], include).await?;
    page.viewer = Some(viewer);
    Ok(page)
}

/// Interviews with their questions, answers and people as `include` asks.
async fn with_contents(
    conn: &mut viva_store::AsyncPgConnection,
    interviews: Vec<StoredInterview>,
    candidates: Vec<Person>,
    include: Include,
) -> ServiceResult<InterviewPage> {
    let ids: Vec<InterviewId> = interviews.iter().map(|i| i.id).collect();
    let contents = if include.questions || include.answers {
        store::contents_of(conn, &ids, include.answer_keys).await?
    } else {
        store::Contents::default()
    };
    let mut people = if include.people { candidates } else { Vec::new() };
    if include.hr {
        let mut hr: Vec<UserId> = interviews.iter().filter_map(|i| i.hr_id).collect();
        hr.sort_unstable();
        hr.dedup();
        hr.retain(|id| !people.iter().any(|p| p.id == *id));
        people.extend(users::people(conn, &hr).await?);
    }
    people.sort_unstable_by_key(|p| p.id);
    people.dedup_by_key(|p| p.id);
    Ok(InterviewPage {
        interviews,
        viewer: None,
        questions: if include.questions { contents.questions } else { Vec::new() },
        answer_keys: contents.keys,
        answers: if include.answers { contents.answers } else { Vec::new() },
        people,
    })
}

/// The question the candidate should answer now; `None` when every question is answered. The
/// candidate only, while the interview is in progress.
pub async fn current_question(
    service: &Service,
    principal: &Principal,
    id: InterviewId,
) -> ServiceResult<Option<StoredQuestion>> {
    let mut conn = service.pool.get().await?;
    let (interview, viewer) = find_visible(&mut conn, principal, id).await?;
    if viewer != Viewer::Candidate {
        return Err(ServiceError::Forbidden("only the candidate answers an interview"));
    }
    if interview.status != InterviewStatus::InProgress {
        return Err(ServiceError::Conflict(format!("the interview is {}; start it first", interview.status)));
    }
    let questions = store::questions_of(&mut conn, &[interview.id]).await?;
    let answered: HashSet<InterviewQuestionId> = store::answers_of(&mut conn, &[interview.id])
        .await?
        .iter()
        .map(|a| a.interview_question_id)
        .collect();
    Ok(questions.into_iter().find(|q| !answered.contains(&q.id)))
}

/// What one interview event shows a subscriber.
#[derive(Debug)]
pub struct EventView {
    /// The interview as it is now.
    pub interview: StoredInterview,
    /// The answer concerned, for answer events.
    pub answer: Option<StoredAnswer>,
    /// The answer's transcript as it stands, for transcript events.
    pub transcript: Option<Transcript>,
}

/// An interview event as loaded once for all its subscribers: the interview as it is now, the
/// answer concerned, and what the access policy needs to decide who may see it.
#[derive(Debug)]
pub struct EventData {
    interview: StoredInterview,
    answer: Option<StoredAnswer>,
    transcript: Option<Transcript>,
    /// The candidate's responsible HR user now.
    responsible_hr: Option<UserId>,
}

/// Loads what an interview event shows, once for all its subscribers however many they are (at
/// most four queries); `None` when the interview is gone.
pub async fn load_event(
    service: &Service,
    interview_id: InterviewId,
    kind: InterviewEventKind,
    subject: Uuid,
) -> ServiceResult<Option<EventData>> {
    let mut conn = service.pool.get().await?;
    let Some(interview) = store::find(&mut conn, interview_id).await? else { return Ok(None) };
    let answer = match kind {
        InterviewEventKind::AnswerReceived
        | InterviewEventKind::ScoreOverridden
        | InterviewEventKind::EvaluationStarted
        | InterviewEventKind::AnswerEvaluated
        | InterviewEventKind::TranscriptPartial
        | InterviewEventKind::TranscriptFinal
        | InterviewEventKind::TranscriptFailed => store::find_answer(&mut conn, AnswerId(subject)).await?,
        _ => None,
    };
    let transcript = match kind {
        InterviewEventKind::TranscriptPartial
        | InterviewEventKind::TranscriptFinal
        | InterviewEventKind::TranscriptFailed => media::transcript_of(&mut conn, AnswerId(subject)).await?,
        _ => None,
    };
    let responsible_hr = if interview.practice {
        None
    } else {
        users::responsible_hr(&mut conn, interview.candidate_id).await?
    };
    Ok(Some(EventData { interview, answer, transcript, responsible_hr }))
}

impl EventData {
    /// What the event shows `live`, the subscriber as they are now (a subscriber re-reads
    /// themselves with [`crate::auth::ensure_live`] whenever their access changes, which the
    /// bus announces on their user topic): `NOT_FOUND` when they may no longer see the
    /// interview, say an HR user whose candidate was reassigned. No query.
    pub fn view_for(&self, live: &Principal) -> ServiceResult<EventView> {
        if super::access::viewer_of(live, &self.interview, self.responsible_hr).is_none() {
            return Err(ServiceError::NotFound("interview"));
        }
        Ok(EventView {
            interview: self.interview.clone(),
            answer: self.answer.clone(),
            transcript: self.transcript.clone(),
        })
    }
}
