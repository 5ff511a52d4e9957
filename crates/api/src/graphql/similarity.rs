//! Question reuse and answer-leak detection (SPEC REPORT-3): how often each bank question has
//! been asked, and answers by different candidates to one question that look copied.

use async_graphql::{Context, Enum, ID, Object};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use viva_domain::Role;
use viva_service::similarity::flags::{self, Flag, FlagSide};
use viva_service::similarity::usage::{self, QuestionUsageItem};
use viva_store::models::similarity::UsageCursor;

use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{connection, page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::questions::{GqlDifficulty, GqlQuestionKind};
use crate::graphql::types::parse_id;

connection!(QuestionUsageConnection, QuestionUsageEdge, QuestionUsage, "bank questions with their usage");
connection!(SimilarityFlagConnection, SimilarityFlagEdge, SimilarityFlag, "answer-similarity flags");

/// Where the review of a similarity flag stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::vocab::FlagReview", name = "SimilarityFlagStatus")]
pub enum GqlFlagReview {
    /// Not reviewed yet.
    Open,
    /// Reviewed: the answers are alike by chance, or for an innocent reason.
    Dismissed,
    /// Reviewed: one answer was copied from the other, or both from one source.
    Confirmed,
}

/// A bank question with how often it has been asked. The counts cover every scheduled
/// interview and practice session on the platform and name nobody.
pub struct QuestionUsage(QuestionUsageItem);

/// A bank question with how often, and to how many candidates, it has been given.
#[Object]
impl QuestionUsage {
    /// The bank question's id.
    async fn question_id(&self) -> ID {
        ID(self.0.usage.question_id.to_string())
    }

    /// The job role it is for.
    async fn role(&self) -> &str {
        &self.0.usage.role_slug
    }

    /// What it tests.
    #[graphql(name = "type")]
    async fn kind(&self) -> GqlQuestionKind {
        self.0.kind.into()
    }

    /// How hard it is.
    async fn difficulty(&self) -> GqlDifficulty {
        self.0.difficulty.into()
    }

    /// The question.
    async fn text(&self) -> &str {
        &self.0.usage.text
    }

    /// Whether it ships with Viva (rather than being added by an HR user or admin).
    async fn shipped(&self) -> bool {
        self.0.usage.shipped
    }

    /// Times it was given in scheduled interviews.
    async fn asked_in_interviews(&self) -> i64 {
        self.0.usage.asked_in_interviews
    }

    /// Times it was given in practice sessions.
    async fn asked_in_practice(&self) -> i64 {
        self.0.usage.asked_in_practice
    }

    /// Times it was given in all: `askedInInterviews + askedInPractice`.
    async fn times_asked(&self) -> i64 {
        self.0.usage.asked_in_interviews.saturating_add(self.0.usage.asked_in_practice)
    }

    /// Distinct candidates it was given to, in interviews or practice: its exposure, which
    /// orders the list.
    async fn distinct_candidates(&self) -> i64 {
        self.0.usage.distinct_candidates
    }

    /// When it was last given; null if never.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.usage.last_used_at
    }

    /// Whether to consider retiring it: at least `retire_after_candidates` (a server setting,
    /// 50 by default) distinct candidates have seen it, so good answers to it may be
    /// circulating.
    async fn retire_suggested(&self) -> bool {
        self.0.retire_suggested
    }
}

/// One of the two answers of a flag.
pub struct FlaggedAnswer(FlagSide);

/// One of the two answers of a similarity flag. Its text and time are always shown; who gave
/// it and where (`identified`) only to admins and to an HR user who may see that interview
/// (a scheduled interview of a candidate assigned to them). For anyone else the answer, its
/// interview and its candidate are null: the answer is evidence, its author is not theirs to
/// know.
#[Object]
impl FlaggedAnswer {
    /// The answer's text.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// When it was submitted.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }

    /// Whether the viewer may see whose answer this is; when false, the fields below are null.
    async fn identified(&self) -> bool {
        self.0.identity.is_some()
    }

    /// The answer's id; null unless identified.
    async fn answer_id(&self) -> Option<ID> {
        self.0.identity.as_ref().map(|i| ID(i.answer_id.to_string()))
    }

    /// The interview (or practice session) it was given in; null unless identified.
    async fn interview_id(&self) -> Option<ID> {
        self.0.identity.as_ref().map(|i| ID(i.interview_id.to_string()))
    }

    /// The candidate who gave it; null unless identified.
    async fn candidate_id(&self) -> Option<ID> {
        self.0.identity.as_ref().map(|i| ID(i.candidate_id.to_string()))
    }

    /// The candidate's name; null unless identified.
    async fn candidate_name(&self) -> Option<&str> {
        self.0.identity.as_ref().map(|i| i.candidate_name.as_str())
    }
}

/// Two answers by different candidates to the same question that look copied: one from the
/// other, or both from one source. Raised when the answers' word 3-shingles overlap (Jaccard
/// at least 0.40, or 0.80 of the shorter answer contained in the other) and their embeddings'
/// cosine similarity is at least 0.90; without an embedding model, on text alone with a higher
/// bar (Jaccard 0.55, containment 0.90). Answers under 25 words are never compared.
pub struct SimilarityFlag(Flag);

/// A suspected copied answer, with both answers side by side and the scores that raised it.
#[Object]
impl SimilarityFlag {
    /// The flag's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The bank question both answer; null for a question written for one interview.
    async fn question_id(&self) -> Option<ID> {
        self.0.question_id.map(|id| ID(id.to_string()))
    }

    /// The question as asked.
    async fn question_text(&self) -> &str {
        &self.0.question_text
    }

    /// The Jaccard similarity of the answers' sets of word 3-shingles (lowercased, punctuation
    /// dropped), 0 to 1. Honest answers to one question rarely pass 0.2.
    async fn jaccard(&self) -> f64 {
        f64::from(self.0.jaccard)
    }

    /// The shingles the answers share over the shorter answer's, 0 to 1: near 1 when one answer
    /// is pasted inside a longer one.
    async fn containment(&self) -> f64 {
        f64::from(self.0.containment)
    }

    /// The cosine similarity of the answers' sentence embeddings, -1 to 1; null when no
    /// embedding model was available and text overlap alone decided.
    async fn cosine(&self) -> Option<f64> {
        self.0.cosine.map(f64::from)
    }

    /// The embedding model of `cosine` (`provider:model`); null with it.
    async fn embedding_model(&self) -> Option<&str> {
        self.0.embedding_model.as_deref()
    }

    /// Where its review stands.
    async fn status(&self) -> GqlFlagReview {
        self.0.status.into()
    }

    /// The last reviewer's note.
    async fn review_note(&self) -> Option<&str> {
        self.0.review_note.as_deref()
    }

    /// The id of the last person to review it.
    async fn reviewed_by(&self) -> Option<ID> {
        self.0.reviewed_by.map(|id| ID(id.to_string()))
    }

    /// When it was last reviewed.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    /// When it was raised.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The answer submitted first (the possible source).
    async fn earlier(&self) -> FlaggedAnswer {
        FlaggedAnswer(self.0.earlier.clone())
    }

    /// The answer submitted later.
    async fn later(&self) -> FlaggedAnswer {
        FlaggedAnswer(self.0.later.clone())
    }
}

/// The cursor of a question-usage row.
fn usage_cursor(item: &QuestionUsageItem) -> String {
    URL_SAFE_NO_PAD.encode(format!("u|{}|{}", item.usage.distinct_candidates, item.usage.question_id))
}

/// Reads a question-usage cursor.
fn parse_usage_cursor(cursor: Option<&str>) -> AppResult<Option<UsageCursor>> {
    let Some(cursor) = cursor else { return Ok(None) };
    let bad = || AppError::bad_field("after", "is not a cursor from this list");
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(bad)?;
    let mut parts = raw.splitn(3, '|');
    let (Some("u"), Some(count), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    Ok(Some(UsageCursor {
        distinct_candidates: count.parse().map_err(|_| bad())?,
        question_id: id.parse().map_err(|_| bad())?,
    }))
}

/// Question-reuse and similarity queries.
#[derive(Default)]
pub struct SimilarityQuery;

#[Object]
impl SimilarityQuery {
    /// Every bank question with how often it has been asked, most exposed (distinct
    /// candidates) first; `roleSlug` keeps one job role's. HR users and admins.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn question_usage(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        role_slug: Option<String>,
    ) -> AppResult<QuestionUsageConnection> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let limit = page_size(first)?;
        let cursor = parse_usage_cursor(after.as_deref())?;
        let service = &ctx.services()?.service;
        let rows =
            usage::question_usage(service, &principal, role_slug.as_deref(), cursor, limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), usage_cursor, QuestionUsage).into())
    }

    /// Answers by different candidates to the same question that look copied, newest first;
    /// `status` keeps the flags whose review stands there. Admins see every flag. An HR user sees the flags where
    /// at least one answer is from a scheduled interview of a candidate assigned to them; the
    /// other answer's text is shown, but whose it is only if that candidate is theirs too.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn similarity_flags(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<GqlFlagReview>,
    ) -> AppResult<SimilarityFlagConnection> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let service = &ctx.services()?.service;
        let rows = flags::list(service, &principal, status.map(Into::into), cursor, limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), |f| time_cursor(f.created_at, f.id), SimilarityFlag).into())
    }
}

/// Similarity mutations.
#[derive(Default)]
pub struct SimilarityMutation;

#[Object]
impl SimilarityMutation {
    /// Records a review of a similarity flag: `CONFIRMED` (copied), `DISMISSED` (alike by
    /// chance or for an innocent reason) or back to `OPEN`, with an optional note of at most
    /// 2000 characters (blank clears it). Admins, and HR users who see the flag.
    async fn review_similarity_flag(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: GqlFlagReview,
        note: Option<String>,
    ) -> AppResult<SimilarityFlag> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let id = parse_id(&id, "id")?;
        let service = &ctx.services()?.service;
        Ok(SimilarityFlag(flags::review(service, &principal, id, status.into(), note.as_deref()).await?))
    }
}
