//! Near-copy flags for staff: the list, with both answers side by side, and the review.
//!
//! Who sees what, through the one interview policy ([`crate::interviews::viewer_of`]): admins
//! see every flag in full. An HR user sees a flag when at least one of its two answers is from
//! an interview they may see as staff (a scheduled interview of a candidate assigned to them,
//! while they are mapped to an admin); of the other answer they see the text and when it was
//! submitted, but not its candidate, its interview or its id, unless they may see that
//! interview too. Candidates see no flags.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use viva_domain::ids::SimilarityFlagId;
use viva_domain::vocab::FlagReview;
use viva_domain::{AnswerId, InterviewId, QuestionId, Role, UserId};
use viva_store::AsyncPgConnection;
use viva_store::models::TimeCursor;
use viva_store::models::interview as interviews;
use viva_store::models::session::Principal;
use viva_store::models::similarity::{self as store, FlagRow, FlagScope};

use crate::interviews::{Viewer, viewer_of};
use crate::{Service, ServiceError, ServiceResult};

/// Longest review note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// One answer of a flagged pair, as the viewer may see it.
#[derive(Clone, Debug)]
pub struct FlagSide {
    /// The answer's text.
    pub text: String,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// Who gave it and where, when the viewer may see that interview.
    pub identity: Option<SideIdentity>,
}

/// Whose an answer is: shown only to staff who may see its interview.
#[derive(Clone, Debug)]
pub struct SideIdentity {
    /// The answer.
    pub answer_id: AnswerId,
    /// Its interview.
    pub interview_id: InterviewId,
    /// Its candidate.
    pub candidate_id: UserId,
    /// The candidate's name.
    pub candidate_name: String,
}

/// A flag on two answers by different candidates to the same question.
#[derive(Clone, Debug)]
pub struct Flag {
    /// Its id.
    pub id: SimilarityFlagId,
    /// The bank question, if the answers are to one.
    pub question_id: Option<QuestionId>,
    /// The question as asked.
    pub question_text: String,
    /// Jaccard similarity of the answers' word 3-shingle sets.
    pub jaccard: f32,
    /// Shared shingles over the shorter answer's.
    pub containment: f32,
    /// Cosine similarity of the answers' embeddings; none when text alone decided.
    pub cosine: Option<f32>,
    /// The embedding model of the cosine (`provider:model`).
    pub embedding_model: Option<String>,
    /// Where its review stands.
    pub status: FlagReview,
    /// The reviewer's note.
    pub review_note: Option<String>,
    /// Who reviewed it last.
    pub reviewed_by: Option<UserId>,
    /// When.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
    /// The answer submitted first.
    pub earlier: FlagSide,
    /// The answer submitted later.
    pub later: FlagSide,
}

fn require_staff(principal: &Principal) -> ServiceResult<()> {
    if matches!(principal.role, Role::Admin | Role::Hr) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only HR users and admins see answer-similarity flags"))
    }
}

/// Flags the caller may see, optionally of one status, newest first, after the cursor and at
/// most `limit`. HR users and admins.
pub async fn list(
    service: &Service,
    principal: &Principal,
    status: Option<FlagReview>,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<Flag>> {
    require_staff(principal)?;
    let scope = match principal.role {
        Role::Admin => FlagScope::All,
        _ if crate::organisation::is_mapped_hr(principal) => FlagScope::Hr(principal.user_id),
        // An HR user who is not mapped acts on no candidate.
        _ => return Ok(Vec::new()),
    };
    let mut conn = service.pool.get().await?;
    let rows = store::flags(&mut conn, scope, status, after, limit).await?;
    shown(&mut conn, principal, rows).await
}

/// Records a review of a flag: its status and an optional note (at most 2000 characters;
/// blank clears it). Admins, and HR users who may see the flag; `NOT_FOUND` for anyone else.
pub async fn review(
    service: &Service,
    principal: &Principal,
    id: SimilarityFlagId,
    status: FlagReview,
    note: Option<&str>,
) -> ServiceResult<Flag> {
    require_staff(principal)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Err(ServiceError::bad_field("note", format!("must be at most {MAX_NOTE_CHARS} characters")));
    }
    let mut conn = service.pool.get().await?;
    let row = store::find_flag(&mut conn, id).await?.ok_or(ServiceError::NotFound("similarity flag"))?;
    if shown(&mut conn, principal, vec![row]).await?.is_empty() {
        return Err(ServiceError::NotFound("similarity flag"));
    }
    store::review_flag(&mut conn, id, status, note, principal.user_id).await?;
    let row = store::find_flag(&mut conn, id).await?.ok_or(ServiceError::NotFound("similarity flag"))?;
    shown(&mut conn, principal, vec![row]).await?.pop().ok_or(ServiceError::NotFound("similarity flag"))
}

/// The rows as the principal may see them: each side identified only when the principal may
/// see its interview as staff; rows with neither side visible are left out.
async fn shown(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    rows: Vec<FlagRow>,
) -> ServiceResult<Vec<Flag>> {
    let ids: Vec<InterviewId> =
        rows.iter().flat_map(|r| [r.earlier_interview_id, r.later_interview_id]).collect();
    let found: HashMap<InterviewId, interviews::Interview> =
        interviews::find_many(conn, &ids).await?.into_iter().map(|i| (i.id, i)).collect();
    let staff = |interview: InterviewId, responsible: Option<UserId>| {
        found.get(&interview).and_then(|i| viewer_of(principal, i, responsible)) == Some(Viewer::Staff)
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let earlier_seen = staff(row.earlier_interview_id, row.earlier_responsible_hr);
        let later_seen = staff(row.later_interview_id, row.later_responsible_hr);
        if !(earlier_seen || later_seen) {
            continue;
        }
        let status: FlagReview = row.status.parse().map_err(ServiceError::internal)?;
        out.push(Flag {
            id: row.id,
            question_id: row.question_id,
            question_text: row.question_text,
            jaccard: row.jaccard,
            containment: row.containment,
            cosine: row.cosine,
            embedding_model: row.embedding_model,
            status,
            review_note: row.review_note,
            reviewed_by: row.reviewed_by,
            reviewed_at: row.reviewed_at,
            created_at: row.created_at,
            earlier: FlagSide {
                text: row.earlier_text,
                submitted_at: row.earlier_submitted_at,
                identity: earlier_seen.then_some(SideIdentity {
                    answer_id: row.earlier_answer_id,
                    interview_id: row.earlier_interview_id,
                    candidate_id: row.earlier_candidate_id,
                    candidate_name: row.earlier_candidate_name,
                }),
            },
            later: FlagSide {
                text: row.later_text,
                submitted_at: row.later_submitted_at,
                identity: later_seen.then_some(SideIdentity {
                    answer_id: row.later_answer_id,
                    interview_id: row.later_interview_id,
                    candidate_id: row.later_candidate_id,
                    candidate_name: row.later_candidate_name,
                }),
            },
        });
    }
    Ok(out)
}
