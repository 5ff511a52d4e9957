//! Interview queries.

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, ID, Object};
use viva_domain::InterviewId;
use viva_service::interviews::{self as service, Include, InterviewPage, Viewer};

use super::inputs::InterviewListFilter;
use super::types::{Interview, InterviewConnection};
use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::interview_questions::{InterviewQuestion, Reveal};
use crate::graphql::pagination::{page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::people::parse_id;
use crate::loaders::{AnswerKeyLoader, AnswersLoader, InterviewQuestionsLoader, UserLoader};

/// Interview queries.
#[derive(Default)]
pub struct InterviewQuery;

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
        let filter = filter.parse()?;
        let include = include_for(&ctx.look_ahead().field("edges").field("node"));
        let found =
            service::list(&ctx.services()?.service, &principal, &filter, cursor, limit, include).await?;
        let viewer = found.viewer.unwrap_or(Viewer::Candidate);
        let rows = prime_loaders(ctx, found, include).await?;
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
        let id = parse_id(&id, "id")?;
        let include = include_for(&ctx.look_ahead());
        let found = service::get(&ctx.services()?.service, &principal, id, include).await?;
        let viewer = found.viewer.unwrap_or(Viewer::Candidate);
        let interview = prime_loaders(ctx, found, include)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("a found interview went missing"))?;
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
        let id = parse_id(&interview_id, "interviewId")?;
        let question = service::current_question(&ctx.services()?.service, &principal, id).await?;
        Ok(question
            .map(|question| InterviewQuestion { question: question.into_parts().0, reveal: Reveal::Nothing }))
    }
}

/// What the selection under an interview needs loaded with it. The questions come with their
/// answers in one statement, so asking for either loads both; their answer keys come along
/// only when the selection shows them.
fn include_for(node: &async_graphql::Lookahead<'_>) -> Include {
    let progress = node.field("progress").exists();
    let questions = node.field("questions");
    Include {
        questions: questions.exists() || progress,
        answer_keys: questions.field("idealAnswer").exists() || questions.field("expectedKeywords").exists(),
        answers: node.field("answers").exists() || progress || node.field("questions").exists(),
        people: node.field("candidate").exists(),
        hr: node.field("hr").exists(),
    }
}

/// Feeds what the page came with (questions, answer keys, answers, people) to the request's
/// loaders, so the nested fields cost no further queries however many interviews the page holds.
async fn prime_loaders(
    ctx: &Context<'_>,
    found: InterviewPage,
    include: Include,
) -> AppResult<Vec<viva_store::models::interview::Interview>> {
    let ids: Vec<InterviewId> = found.interviews.iter().map(|i| i.id).collect();
    fn grouped<T>(
        ids: &[InterviewId],
        items: impl IntoIterator<Item = (InterviewId, T)>,
    ) -> std::collections::HashMap<InterviewId, Vec<T>> {
        let mut map: std::collections::HashMap<InterviewId, Vec<T>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for (key, item) in items {
            map.entry(key).or_default().push(item);
        }
        map
    }
    if include.questions {
        let loader = ctx
            .data::<DataLoader<InterviewQuestionsLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("question loader missing"))?;
        loader.feed_many(grouped(&ids, found.questions.into_iter().map(|q| (q.interview_id, q)))).await;
    }
    if include.answer_keys {
        let loader = ctx
            .data::<DataLoader<AnswerKeyLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("answer key loader missing"))?;
        loader.feed_many(found.answer_keys.into_iter().map(|key| (key.id, key))).await;
    }
    if include.answers {
        let loader = ctx
            .data::<DataLoader<AnswersLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("answer loader missing"))?;
        loader.feed_many(grouped(&ids, found.answers.into_iter().map(|a| (a.interview_id, a)))).await;
    }
    if include.people || include.hr {
        let loader = ctx
            .data::<DataLoader<UserLoader, HashMapCache>>()
            .map_err(|_| AppError::internal("user loader missing"))?;
        loader.feed_many(found.people.into_iter().map(|u| (u.id, u))).await;
    }
    Ok(found.interviews)
}
