//! The fairness view.

use async_graphql::{Context, ID, Object, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use viva_domain::AnswerId;
use viva_domain::interview::QuestionKind;
use viva_service::analytics::FairnessRequest;
use viva_service::analytics::fairness::{self as service, Group, GroupKey};

use super::ScoreBucket;
use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{connection, page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::questions::GqlQuestionKind;

connection!(FairnessGroupConnection, FairnessGroupEdge, FairnessGroup, "fairness groups");
connection!(DisagreementConnection, DisagreementEdge, Disagreement, "AI and human disagreements");

/// The version of what scored an answer.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct EvaluatorVersion {
    /// The provider (`offline` for the rules and the in-process model).
    pub provider: String,
    /// The model.
    pub model: String,
    /// The rubric's version.
    pub rubric_version: String,
    /// The prompt's version; null for evaluations no prompt wrote.
    pub prompt_version: Option<String>,
}

/// A group of answers and the distribution of the AI's overall scores among them. Groups whose
/// answers come from fewer candidates than the configured minimum are suppressed: listed, with
/// every figure (their size too) null.
pub struct FairnessGroup {
    group: Group,
    bucket_size: i32,
}

/// A group of answers and the distribution of the AI's overall scores among them; suppressed
/// groups (fewer candidates than the configured minimum) have every figure null.
#[Object]
impl FairnessGroup {
    /// The job, for a group per job.
    async fn job_id(&self) -> Option<ID> {
        match &self.group.key {
            GroupKey::Job(job) => Some(ID(job.id.to_string())),
            _ => None,
        }
    }

    /// The job's title, for a group per job.
    async fn job_title(&self) -> Option<&str> {
        match &self.group.key {
            GroupKey::Job(job) => Some(&job.title),
            _ => None,
        }
    }

    /// The question type, for a group per question type.
    async fn question_type(&self) -> Option<GqlQuestionKind> {
        match &self.group.key {
            GroupKey::QuestionKind(kind) => Some((*kind).into()),
            _ => None,
        }
    }

    /// The evaluator version, for a group per evaluator.
    async fn evaluator(&self) -> Option<EvaluatorVersion> {
        match &self.group.key {
            GroupKey::Evaluator { provider, model, rubric_version, prompt_version } => {
                Some(EvaluatorVersion {
                    provider: provider.clone(),
                    model: model.clone(),
                    rubric_version: rubric_version.clone(),
                    prompt_version: prompt_version.clone(),
                })
            }
            _ => None,
        }
    }

    /// Whether the group is too small to show (its figures are then null).
    async fn suppressed(&self) -> bool {
        self.group.distribution.is_none()
    }

    /// The group's size: answers in it.
    async fn answers(&self) -> Option<i64> {
        self.group.distribution.as_ref().map(|d| d.answers)
    }

    /// The mean AI overall score.
    async fn mean(&self) -> Option<f64> {
        self.group.distribution.as_ref().map(|d| d.mean)
    }

    /// The standard deviation of the AI overall score.
    async fn standard_deviation(&self) -> Option<f64> {
        self.group.distribution.as_ref().map(|d| d.standard_deviation)
    }

    /// The histogram of the AI overall score, lowest first, every bucket listed.
    async fn buckets(&self) -> Option<Vec<ScoreBucket>> {
        self.group.distribution.as_ref().map(|d| super::buckets(&d.buckets, self.bucket_size))
    }
}

/// An answer whose AI and human scores disagree.
pub struct Disagreement(service::Disagreement);

/// An answer whose AI score and a person's score disagree by more than the margin.
#[Object]
impl Disagreement {
    /// The answer.
    async fn answer_id(&self) -> ID {
        ID(self.0.answer_id.to_string())
    }

    /// Its interview.
    async fn interview_id(&self) -> ID {
        ID(self.0.interview_id.to_string())
    }

    /// The question as it was asked.
    async fn question_text(&self) -> &str {
        &self.0.question_text
    }

    /// The question's type.
    async fn question_type(&self) -> Option<GqlQuestionKind> {
        QuestionKind::try_from(self.0.question_kind.clone()).ok().map(Into::into)
    }

    /// The AI's overall score (the current evaluation's).
    async fn ai_score(&self) -> i32 {
        i32::from(self.0.ai_score)
    }

    /// The person's score.
    async fn human_score(&self) -> i32 {
        i32::from(self.0.human_score)
    }

    /// How many points apart they are.
    async fn difference(&self) -> i32 {
        i32::from(self.0.difference)
    }

    /// What wrote the AI's evaluation.
    async fn evaluator(&self) -> EvaluatorVersion {
        EvaluatorVersion {
            provider: self.0.provider.clone(),
            model: self.0.model.clone(),
            rubric_version: self.0.rubric_version.clone(),
            prompt_version: (!self.0.prompt_version.is_empty()).then(|| self.0.prompt_version.clone()),
        }
    }

    /// When the answer was submitted.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }
}

fn disagreement_cursor(d: &service::Disagreement) -> String {
    URL_SAFE_NO_PAD.encode(format!("d|{}|{}", d.difference, d.answer_id))
}

fn parse_disagreement_cursor(cursor: Option<&str>) -> AppResult<Option<(i16, AnswerId)>> {
    let Some(cursor) = cursor else { return Ok(None) };
    let bad = || AppError::bad_field("after", "is not a cursor from this list");
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(bad)?;
    let mut parts = raw.splitn(3, '|');
    let (Some("d"), Some(difference), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let difference = difference.parse::<i16>().map_err(|_| bad())?;
    let id = id.parse::<Uuid>().map_err(|_| bad())?;
    Ok(Some((difference, AnswerId(id))))
}

/// The fairness view over a window. HR users (their jobs and candidates) and admins.
pub struct Fairness(pub(super) FairnessRequest);

/// The fairness view over the answers submitted in a window: distributions of the AI's overall
/// score per job, per question type and per evaluator version, and AI and human disagreements.
#[Object]
impl Fairness {
    /// Start of the window the answers were submitted in (included).
    async fn from(&self) -> DateTime<Utc> {
        self.0.window.from
    }

    /// End of the window (excluded).
    async fn to(&self) -> DateTime<Utc> {
        self.0.window.to
    }

    /// Points per bucket of the histograms.
    async fn bucket_size(&self) -> i32 {
        self.0.bucket_size
    }

    /// The fewest different candidates a group must hold to be shown (the `min_group_size`
    /// setting).
    async fn min_group_size(&self) -> i64 {
        self.0.min_group_size
    }

    /// One group per job the caller sees (admins every job, HR users their own; HR users count
    /// the answers of their assigned candidates), newest job first, a page at a time.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn by_job(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<FairnessGroupConnection> {
        let principal = ctx.principal()?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let request = self.0;
        let groups = service::by_job(
            &ctx.services()?.service,
            &principal,
            request.window,
            request.bucket_size,
            cursor,
            limit + 1,
        )
        .await?;
        Ok(page(
            groups,
            limit,
            cursor.is_some(),
            |g| match &g.key {
                GroupKey::Job(job) => time_cursor(job.created_at, job.id),
                _ => String::new(),
            },
            |group| FairnessGroup { group, bucket_size: request.bucket_size },
        )
        .into())
    }

    /// One group per question type.
    async fn by_question_type(&self, ctx: &Context<'_>) -> AppResult<Vec<FairnessGroup>> {
        let principal = ctx.principal()?;
        let groups = service::by_question_kind(
            &ctx.services()?.service,
            &principal,
            self.0.window,
            self.0.bucket_size,
        )
        .await?;
        Ok(groups.into_iter().map(|group| FairnessGroup { group, bucket_size: self.0.bucket_size }).collect())
    }

    /// One group per evaluator version: provider, model, rubric version and prompt version.
    async fn by_evaluator(&self, ctx: &Context<'_>) -> AppResult<Vec<FairnessGroup>> {
        let principal = ctx.principal()?;
        let groups =
            service::by_evaluator(&ctx.services()?.service, &principal, self.0.window, self.0.bucket_size)
                .await?;
        Ok(groups.into_iter().map(|group| FairnessGroup { group, bucket_size: self.0.bucket_size }).collect())
    }

    /// Answers whose AI score (the current evaluation's overall) and human score differ by more
    /// than `margin` points (default: the `disagreement_margin` setting, 20), largest
    /// difference first, a page at a time; every page costs the same however deep.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn disagreements(
        &self,
        ctx: &Context<'_>,
        margin: Option<i32>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<DisagreementConnection> {
        let principal = ctx.principal()?;
        let limit = page_size(first)?;
        let cursor = parse_disagreement_cursor(after.as_deref())?;
        let rows = service::disagreements(
            &ctx.services()?.service,
            &principal,
            self.0.window,
            margin,
            cursor,
            limit + 1,
        )
        .await?;
        Ok(page(rows, limit, cursor.is_some(), disagreement_cursor, Disagreement).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disagreement_cursors_round_trip_and_foreign_ones_are_refused() {
        let id = AnswerId(Uuid::now_v7());
        let cursor = URL_SAFE_NO_PAD.encode(format!("d|37|{id}"));
        assert_eq!(parse_disagreement_cursor(Some(&cursor)).unwrap(), Some((37, id)));
        assert!(parse_disagreement_cursor(Some("bm9wZQ")).is_err());
        assert!(parse_disagreement_cursor(Some(&URL_SAFE_NO_PAD.encode("d|x|y"))).is_err());
    }
}
