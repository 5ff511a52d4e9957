//! Live interview updates.

use std::sync::Arc;

use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;
use viva_domain::vocab::{InterviewEventKind, Topic};
use viva_service::ServiceError;
use viva_service::interviews as service;
use viva_store::events::{ACCESS_CHANGED, BusMessage, RecvError};

use super::spoken::AnswerTranscript;
use super::types::{Answer, InterviewUpdate};
use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::people::parse_id;

/// Interview subscriptions.
#[derive(Default)]
pub struct InterviewSubscription;

/// Why a subscription ends when events may have been missed.
const MISSED: &str = "interview events were missed (the server fell behind or lost its event connection): read the interview again and subscribe again";

/// Live interview updates.
#[Subscription]
impl InterviewSubscription {
    /// What happens in an interview, in order: start, answers, completion, results. For its
    /// candidate, its HR user and admins. Ends (with `UNAUTHENTICATED` or `NOT_FOUND`) when the
    /// subscriber's session ends or they may no longer see the interview, and with `CONFLICT`
    /// when the server may have missed events: read the interview and subscribe again.
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
        // published after the `subscribe` message is missed. The interview's events and the
        // subscriber's own (their access changing) arrive in the order they were published.
        let topic = Topic::Interview(id).to_string();
        let user_topic = Topic::User(principal.user_id).to_string();
        let mut bus = services.service.events.subscribe_topics(&[topic.clone(), user_topic.clone()]);
        // Access is checked here, with the subscriber as they are now, and then again without a
        // query for every event: the subscriber is re-read only when the bus says their access
        // changed, and what an event shows is loaded once for all its subscribers.
        let mut live = viva_service::auth::ensure_live(&services.service, &principal).await?;
        service::visible(&services.service, &live, id).await?;
        Ok(async_stream::stream! {
            loop {
                let delivery = match bus.recv().await {
                    Ok(delivery) => delivery,
                    Err(RecvError::Lagged(_)) => {
                        yield Err(AppError::from(ServiceError::Conflict(MISSED.into())));
                        break;
                    }
                    Err(RecvError::Closed) => break,
                };
                let event = match &*delivery.message {
                    BusMessage::Event(event) if event.topic == topic => event,
                    BusMessage::Event(event) => {
                        if event.topic == user_topic && event.kind == ACCESS_CHANGED {
                            match viva_service::auth::ensure_live(&services.service, &principal).await {
                                Ok(now) => live = now,
                                Err(err) => { yield Err(AppError::from(err)); break; }
                            }
                        }
                        continue;
                    }
                    BusMessage::Reconnected => {
                        yield Err(AppError::from(ServiceError::Conflict(MISSED.into())));
                        break;
                    }
                };
                let Ok(kind) = event.kind.parse::<InterviewEventKind>() else { continue };
                let (service_ref, subject) = (&services.service, event.id);
                let loaded = services
                    .interview_events
                    .get_or_load(delivery.seq, || async move {
                        service::load_event(service_ref, id, kind, subject).await.map(|data| data.map(Arc::new))
                    })
                    .await;
                let view = match loaded.map(|data| data.map(|data| data.view_for(&live))) {
                    Ok(Some(Ok(view))) => view,
                    Ok(None) => break,
                    Ok(Some(Err(err))) | Err(err) => { yield Err(AppError::from(err)); break; }
                };
                let question_id = (kind == InterviewEventKind::FollowUpAdded).then(|| ID(event.id.to_string()));
                yield Ok(InterviewUpdate {
                    kind: kind.into(),
                    interview_id: ID(id.to_string()),
                    status: view.interview.status.into(),
                    answer: view.answer.map(Answer),
                    question_id,
                    transcript: view.transcript.map(AnswerTranscript),
                });
            }
        })
    }
}
