//! Notifications: stored for clients that were offline, live through a subscription (INT-11).

use std::collections::VecDeque;

use async_graphql::{Context, Enum, ID, Json, Object, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use viva_domain::NotificationId;
use viva_service::notifications;
use viva_store::events::BusMessage;
use viva_store::models::notification::Notification as StoredNotification;

use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{connection, page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::types::parse_id;

connection!(NotificationConnection, NotificationEdge, Notification, "notifications");

/// What a notification is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "viva_domain::vocab::NotificationKind", name = "NotificationKind")]
pub enum GqlNotificationKind {
    /// A message arrived.
    NewMessage,
    /// An HR user applied to be mapped to you.
    HrApplication,
    /// An admin invited you.
    HrInvitation,
    /// Your application or invitation was decided.
    MappingDecided,
    /// You were unmapped from your admin.
    HrUnmapped,
    /// A candidate was assigned (to you, or you to a recruiter).
    CandidateAssigned,
    /// An assignment ended.
    CandidateUnassigned,
    /// An interview was scheduled for you.
    InterviewScheduled,
    /// An interview scheduled for you was cancelled.
    InterviewCancelled,
    /// Your interview's results are available.
    ResultsAvailable,
}

/// Something that happened that the user should know about.
pub struct Notification(StoredNotification);

/// Something that happened that the user should know about.
#[Object]
impl Notification {
    /// The notification's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What it is about.
    async fn kind(&self) -> AppResult<GqlNotificationKind> {
        let kind: viva_domain::vocab::NotificationKind = self
            .0
            .kind
            .parse()
            .map_err(|_| AppError::internal(format!("unknown notification kind {:?}", self.0.kind)))?;
        Ok(kind.into())
    }

    /// A short title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// One or two sentences.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Ids of the related objects, such as `conversationId` or `requestId`.
    async fn data(&self) -> Json<serde_json::Value> {
        Json(self.0.data.clone())
    }

    /// When it happened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was read; null while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
}

/// Notification queries.
#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The signed-in user's notifications, newest first.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] unread_only: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<NotificationConnection> {
        let principal = ctx.principal()?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let rows =
            notifications::list(&ctx.services()?.service, &principal, unread_only, cursor, limit + 1).await?;
        Ok(page(rows, limit, cursor.is_some(), |n| time_cursor(n.created_at, n.id), Notification).into())
    }

    /// How many of the signed-in user's notifications are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        let principal = ctx.principal()?;
        Ok(notifications::unread_count(&ctx.services()?.service, &principal).await?)
    }
}

/// Notification mutations.
#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks the given notifications (or, without ids, all) read. Returns how many changed.
    async fn mark_notifications_read(&self, ctx: &Context<'_>, ids: Option<Vec<ID>>) -> AppResult<i32> {
        let principal = ctx.principal()?;
        let ids: Option<Vec<NotificationId>> = ids
            .map(|ids| {
                if ids.len() > 100 {
                    return Err(AppError::bad_field("ids", "lists at most 100 notifications"));
                }
                ids.iter().map(|id| parse_id(id, "ids")).collect::<AppResult<Vec<_>>>()
            })
            .transpose()?;
        let changed = notifications::mark_read(&ctx.services()?.service, &principal, ids.as_deref()).await?;
        Ok(i32::try_from(changed).unwrap_or(i32::MAX))
    }
}

/// How many delivered notification ids a subscription remembers to avoid sending one twice.
const RECENT: usize = 256;

/// Notification subscriptions.
#[derive(Default)]
pub struct NotificationSubscription;

/// Live notifications.
#[Subscription]
impl NotificationSubscription {
    /// The signed-in user's notifications as they happen: new messages, mapping requests and
    /// decisions, assignments. Works across server replicas. After a lost database connection,
    /// what was missed meanwhile is delivered once the connection is back. Ends when the
    /// session is revoked or the account deactivated.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = AppResult<Notification>> + use<>, AppError> {
        let principal = ctx.principal()?;
        let service = ctx.services()?.service.clone();
        let topic = viva_domain::vocab::Topic::User(principal.user_id).to_string();
        // The user's own topic only: other users' events cost this subscription nothing.
        let mut bus = service.events.subscribe_topics(std::slice::from_ref(&topic));
        let mut last_seen: DateTime<Utc> = Utc::now();
        Ok(async_stream::stream! {
            let mut pending: VecDeque<StoredNotification> = VecDeque::new();
            // A catch-up after a reconnect and a live event can name the same notification.
            let mut delivered: VecDeque<NotificationId> = VecDeque::with_capacity(RECENT);
            loop {
                if let Some(next) = pending.pop_front() {
                    if delivered.contains(&next.id) {
                        continue;
                    }
                    if delivered.len() == RECENT {
                        delivered.pop_front();
                    }
                    delivered.push_back(next.id);
                    last_seen = last_seen.max(next.created_at);
                    yield Ok(Notification(next));
                    continue;
                }
                let wanted = match bus.recv().await.as_ref().map(|delivery| &*delivery.message) {
                    Ok(BusMessage::Event(event)) if event.topic == topic && event.kind == viva_store::events::NOTIFICATION => Some(NotificationId(event.id)),
                    Ok(BusMessage::Event(_)) => continue,
                    Ok(BusMessage::Reconnected) | Err(RecvError::Lagged(_)) => None,
                    Err(RecvError::Closed) => break,
                };
                // The account or session may have ended since the subscription began: the service
                // checks it before loading.
                match notifications::for_subscriber(&service, &principal, wanted, last_seen).await {
                    Ok(found) => pending.extend(found),
                    Err(err) => {
                        yield Err(AppError::from(err));
                        break;
                    }
                }
            }
        })
    }
}
