//! Live interview updates.

use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use viva_domain::vocab::{InterviewEventKind, Topic};
use viva_service::interviews as service;
use viva_store::events::BusMessage;

use super::types::{Answer, InterviewUpdate};
use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::people::parse_id;

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
        // Listening starts before anything is awaited, so it starts on the operation's first poll
        // (the WebSocket handler answers later messages only after that poll): nothing
        // published after the `subscribe` message is missed. Access is checked right after,
        // and again for every event.
        let mut bus = services.service.events.subscribe();
        service::visible(&services.service, &principal, id).await?;
        let topic = Topic::Interview(id).to_string();
        Ok(async_stream::stream! {
            loop {
                let event = match bus.recv().await {
                    Ok(BusMessage::Event(event)) if event.topic == topic => event,
                    Ok(_) | Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                };
                let Ok(kind) = event.kind.parse::<InterviewEventKind>() else { continue };
                // The account or session may have ended since the subscription began, and the
                // viewer's access to the interview with it (an HR user unmapped or the candidate
                // reassigned): the service checks both again.
                let view = match service::event_view(&services.service, &principal, id, kind, event.id).await {
                    Ok(Some(view)) => view,
                    Ok(None) => break,
                    Err(err) => { yield Err(AppError::from(err)); break; }
                };
                let question_id = (kind == InterviewEventKind::FollowUpAdded).then(|| ID(event.id.to_string()));
                yield Ok(InterviewUpdate {
                    kind: kind.into(),
                    interview_id: ID(id.to_string()),
                    status: view.interview.status.into(),
                    answer: view.answer.map(Answer),
                    question_id,
                });
            }
        })
    }
}
