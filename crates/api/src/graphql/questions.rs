//! The question bank and job roles (SPEC INT-1).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use viva_domain::Role;
use viva_domain::interview::{Difficulty, QuestionKind};
use viva_service::questions::{self, QuestionDraft};
use viva_store::models::question::{Question as StoredQuestion, QuestionFilter};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::pagination::{connection, page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::types::parse_id;

connection!(QuestionConnection, QuestionEdge, Question, "questions");

/// What a question tests.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::interview::QuestionKind", name = "QuestionType")]
pub enum GqlQuestionKind {
    /// Past experience, answered with a story (STAR).
    Behavioural,
    /// Knowledge and craft of the role.
    Technical,
    /// A hypothetical scenario.
    Situational,
}

/// How hard a question or an interview is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::interview::Difficulty", name = "Difficulty")]
pub enum GqlDifficulty {
    /// Entry level.
    Easy,
    /// Mid level.
    Medium,
    /// Senior level.
    Hard,
}

/// A job role interviews and practice sessions are for.
#[derive(SimpleObject)]
pub struct JobRole {
    /// Its slug, such as `backend-engineer`.
    pub slug: String,
    /// Its title, such as `Backend Engineer`.
    pub title: String,
}

/// A question of the bank.
pub struct Question(pub(crate) StoredQuestion);

/// A question of the bank, with what a strong answer contains.
#[Object]
impl Question {
    /// The question's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The job role it is for.
    async fn role(&self) -> &str {
        &self.0.role_slug
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
        &self.0.text
    }

    /// Phrases a strong answer contains.
    async fn expected_keywords(&self) -> &[String] {
        &self.0.expected_keywords
    }

    /// A model answer.
    async fn ideal_answer(&self) -> &str {
        &self.0.ideal_answer
    }

    /// Seconds allowed for the answer.
    async fn time_limit_seconds(&self) -> i32 {
        self.0.time_limit_seconds
    }

    /// Whether it ships with Viva (rather than being added by an HR user or admin).
    async fn shipped(&self) -> bool {
        self.0.bank_id.is_some()
    }

    /// When it was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Which questions to list.
#[derive(InputObject, Default)]
pub struct QuestionListFilter {
    /// Only this job role (slug).
    pub role: Option<String>,
    /// Only this type.
    #[graphql(name = "type")]
    pub kind: Option<GqlQuestionKind>,
    /// Only this difficulty.
    pub difficulty: Option<GqlDifficulty>,
}

/// A question to add, or the new content of one.
#[derive(InputObject)]
pub struct QuestionInput {
    /// The job role (slug).
    pub role: String,
    /// What it tests.
    #[graphql(name = "type")]
    pub kind: GqlQuestionKind,
    /// How hard it is.
    pub difficulty: GqlDifficulty,
    /// The question, 10 to 2000 characters.
    pub text: String,
    /// 3 to 10 phrases a strong answer contains.
    pub expected_keywords: Vec<String>,
    /// A model answer, up to 10000 characters.
    pub ideal_answer: String,
    /// Seconds allowed, 30 to 1800.
    pub time_limit_seconds: i32,
}

impl From<QuestionInput> for QuestionDraft {
    fn from(input: QuestionInput) -> Self {
        QuestionDraft {
            role: input.role,
            kind: input.kind.into(),
            difficulty: input.difficulty.into(),
            text: input.text,
            expected_keywords: input.expected_keywords,
            ideal_answer: input.ideal_answer,
            time_limit_seconds: input.time_limit_seconds,
        }
    }
}

/// Question-bank queries.
#[derive(Default)]
pub struct QuestionQuery;

#[Object]
impl QuestionQuery {
    /// The job roles interviews and practice are offered for. Anyone signed in.
    async fn job_roles(&self, ctx: &Context<'_>) -> AppResult<Vec<JobRole>> {
        ctx.principal()?;
        Ok(questions::roles(&ctx.services()?.service)
            .await?
            .into_iter()
            .map(|r| JobRole { slug: r.slug, title: r.title })
            .collect())
    }

    /// Every question, shipped and added, newest first. HR users and admins (candidates would
    /// see the model answers).
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn questions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: QuestionListFilter,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<QuestionConnection> {
        ctx.require_role(&[Role::Admin, Role::Hr])?;
        list(ctx, filter, None, first, after).await
    }

    /// The questions that ship with Viva, filterable by role, type and difficulty. HR users and
    /// admins.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn default_questions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: QuestionListFilter,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<QuestionConnection> {
        ctx.require_role(&[Role::Admin, Role::Hr])?;
        list(ctx, filter, Some(true), first, after).await
    }
}

async fn list(
    ctx: &Context<'_>,
    filter: QuestionListFilter,
    shipped: Option<bool>,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<QuestionConnection> {
    let limit = page_size(first)?;
    let cursor = parse_time_cursor(after.as_deref())?;
    let store_filter = QuestionFilter {
        role_slug: filter.role,
        kind: filter.kind.map(QuestionKind::from),
        difficulty: filter.difficulty.map(Difficulty::from),
        shipped,
    };
    let rows = questions::list(&ctx.services()?.service, &store_filter, cursor, limit + 1).await?;
    Ok(page(rows, limit, cursor.is_some(), |q| time_cursor(q.created_at, q.id), Question).into())
}

/// Question-bank mutations.
#[derive(Default)]
pub struct QuestionMutation;

#[Object]
impl QuestionMutation {
    /// Adds a question to the bank. HR users and admins.
    async fn create_question(&self, ctx: &Context<'_>, input: QuestionInput) -> AppResult<Question> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        Ok(Question(questions::create(&ctx.services()?.service, &principal, input.into()).await?))
    }

    /// Changes a question. Admins change any; HR users the ones they added. Interviews already
    /// scheduled keep the wording they were given.
    async fn update_question(&self, ctx: &Context<'_>, id: ID, input: QuestionInput) -> AppResult<Question> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let id = parse_id(&id, "id")?;
        Ok(Question(questions::update(&ctx.services()?.service, &principal, id, input.into()).await?))
    }
}
