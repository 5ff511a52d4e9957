//! A question as asked in one interview, and how much of its answer key the viewer sees.

use async_graphql::{Context, ID, Object};
use viva_store::models::interview::{AnswerKey, QuestionOutline};

use crate::error::AppResult;
use crate::graphql::questions::GqlQuestionKind;
use crate::loaders::{AnswerKeyLoader, load_one};

/// An interview question, as asked.
pub struct InterviewQuestion {
    pub(crate) question: QuestionOutline,
    pub(crate) reveal: Reveal,
}

impl InterviewQuestion {
    /// The question's answer key when `shown`: from the request's loader, which the page fed
    /// when its selection asked for keys, and which reads them otherwise.
    async fn answer_key(&self, ctx: &Context<'_>, shown: bool) -> AppResult<Option<AnswerKey>> {
        if !shown {
            return Ok(None);
        }
        load_one::<AnswerKeyLoader, _>(ctx, self.question.id).await
    }
}

/// What of a question's answer key the viewer sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reveal {
    /// Nothing: the candidate while answering, or a question they did not answer.
    Nothing,
    /// The model answer: the candidate, once the interview is over, for a question they answered.
    ModelAnswer,
    /// Model answer and expected keywords (what the evaluator scores against): staff only.
    Everything,
}

/// A question as asked in one interview.
#[Object]
impl InterviewQuestion {
    /// Its id; answers refer to it.
    async fn id(&self) -> ID {
        ID(self.question.id.to_string())
    }

    /// Its order in the interview, from 1.
    async fn position(&self) -> i32 {
        self.question.position
    }

    /// What it tests.
    #[graphql(name = "type")]
    async fn kind(&self) -> GqlQuestionKind {
        self.question.kind.into()
    }

    /// The question.
    async fn text(&self) -> &str {
        &self.question.text
    }

    /// Seconds allowed for the answer.
    async fn time_limit_seconds(&self) -> i32 {
        self.question.time_limit_seconds
    }

    /// Phrases a strong answer contains, which the evaluator scores against: HR users and
    /// admins only, never candidates.
    async fn expected_keywords(&self, ctx: &Context<'_>) -> AppResult<Option<Vec<String>>> {
        let key = self.answer_key(ctx, self.reveal == Reveal::Everything).await?;
        Ok(key.map(|key| key.expected_keywords))
    }

    /// A model answer: for staff; for the candidate once the interview is over, and only for
    /// the questions they answered.
    async fn ideal_answer(&self, ctx: &Context<'_>) -> AppResult<Option<String>> {
        let key = self.answer_key(ctx, self.reveal != Reveal::Nothing).await?;
        Ok(key.map(|key| key.ideal_answer))
    }

    /// The question this one follows up on (an adaptive follow-up to a vague or weak answer);
    /// null for planned questions.
    async fn follow_up_of(&self) -> Option<ID> {
        self.question.follow_up_of.map(|id| ID(id.to_string()))
    }
}
