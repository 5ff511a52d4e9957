//! Messaging between HR users and their candidates (SPEC HR-4, CAND-3).
//!
//! An HR user and a candidate may write to each other while the candidate is assigned to that
//! HR user; either may start. The candidate keeps reading their history; the HR user reads it
//! only while the candidate is assigned to them and they are mapped.

use std::collections::HashMap;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use uuid::Uuid;
use viva_domain::{Role, UserId};
use viva_store::models::conversation::{self, Conversation as StoredConversation, Message as StoredMessage};
use viva_store::models::user::{self as users, User as StoredUser};

use crate::auth::context::ContextExt;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{connection, page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::types::{PersonSummary, parse_id, person};
use viva_service::notify;
use viva_domain::vocab::NotificationKind;

connection!(ConversationConnection, ConversationEdge, Conversation, "conversations");
connection!(MessageConnection, MessageEdge, Message, "messages");

/// Longest message, in characters.
const MAX_MESSAGE_CHARS: usize = 5000;

/// A message.
pub struct Message {
    message: StoredMessage,
    viewer: UserId,
}

/// A message between an HR user and a candidate.
#[Object]
impl Message {
    /// The message's id.
    async fn id(&self) -> ID {
        ID(self.message.id.to_string())
    }

    /// The conversation it belongs to.
    async fn conversation_id(&self) -> ID {
        ID(self.message.conversation_id.to_string())
    }

    /// The text.
    async fn body(&self) -> &str {
        &self.message.body
    }

    /// Who sent it.
    async fn sender(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, Some(self.message.sender_id.0)).await
    }

    /// Whether the signed-in user sent it.
    async fn sent_by_me(&self) -> bool {
        self.message.sender_id == self.viewer
    }

    /// When it was sent.
    async fn sent_at(&self) -> DateTime<Utc> {
        self.message.created_at
    }

    /// When the recipient read it; null while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.message.read_at
    }
}

/// A conversation between an HR user and a candidate.
pub struct Conversation {
    conversation: StoredConversation,
    viewer: UserId,
    unread: i64,
    last: Option<StoredMessage>,
}

/// A conversation between an HR user and a candidate.
#[Object]
impl Conversation {
    /// The conversation's id.
    async fn id(&self) -> ID {
        ID(self.conversation.id.to_string())
    }

    /// The other participant.
    async fn participant(&self, ctx: &Context<'_>) -> AppResult<Option<PersonSummary>> {
        person(ctx, Some(self.conversation.other(self.viewer).0)).await
    }

    /// The newest message.
    async fn last_message(&self) -> Option<Message> {
        self.last.clone().map(|message| Message { message, viewer: self.viewer })
    }

    /// Messages to the signed-in user not read yet.
    async fn unread_count(&self) -> i64 {
        self.unread
    }

    /// When the newest message was sent.
    async fn last_message_at(&self) -> DateTime<Utc> {
        self.conversation.last_message_at
    }
}

/// A message to send: to a person, or into an existing conversation.
#[derive(InputObject)]
pub struct SendMessageInput {
    /// The recipient: for an HR user, an assigned candidate; for a candidate, their HR user.
    pub recipient_id: Option<ID>,
    /// Or the conversation to reply in.
    pub conversation_id: Option<ID>,
    /// The text, 1 to 5000 characters.
    pub body: String,
}

/// Messaging queries.
#[derive(Default)]
pub struct MessageQuery;

#[Object]
impl MessageQuery {
    /// The signed-in user's conversations, most recently active first: a candidate's own; an HR
    /// user's with the candidates assigned to them now.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn conversations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<ConversationConnection> {
        let principal = ctx.require_role(&[Role::Hr, Role::Candidate])?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let mut conn = ctx.services()?.pool.get().await?;
        let rows = conversation::list_for(&mut conn, principal.user_id, cursor, limit + 1).await?;
        // Unread counts and last messages for the whole page in two queries.
        let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
        let unread: HashMap<Uuid, i64> =
            conversation::unread_by_conversation(&mut conn, principal.user_id, &ids)
                .await?
                .into_iter()
                .collect();
        let mut last: HashMap<Uuid, StoredMessage> = conversation::latest_messages(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|m| (m.conversation_id, m))
            .collect();
        Ok(page(
            rows,
            limit,
            cursor.is_some(),
            |c| time_cursor(c.last_message_at, c.id),
            |c| Conversation {
                viewer: principal.user_id,
                unread: unread.get(&c.id).copied().unwrap_or(0),
                last: last.remove(&c.id),
                conversation: c,
            },
        )
        .into())
    }

    /// A conversation's messages, newest first. Its participants only.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<MessageConnection> {
        let principal = ctx.require_role(&[Role::Hr, Role::Candidate])?;
        let id = parse_id(&conversation_id, "conversationId")?;
        let limit = page_size(first)?;
        let cursor = parse_time_cursor(after.as_deref())?;
        let mut conn = ctx.services()?.pool.get().await?;
        let found = conversation::find(&mut conn, id).await?;
        match found {
            Some(c) if may_read(&mut conn, &principal, &c).await? => {}
            _ => return Err(AppError::NotFound("conversation")),
        }
        let rows = conversation::messages_in(&mut conn, id, cursor, limit + 1).await?;
        Ok(page(
            rows,
            limit,
            cursor.is_some(),
            |m| time_cursor(m.created_at, m.id),
            |message| Message { message, viewer: principal.user_id },
        )
        .into())
    }

    /// Messages to the signed-in user not read yet, across conversations.
    async fn unread_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        let principal = ctx.require_role(&[Role::Hr, Role::Candidate])?;
        let mut conn = ctx.services()?.pool.get().await?;
        Ok(conversation::unread_total(&mut conn, principal.user_id).await?)
    }
}

/// Messaging mutations.
#[derive(Default)]
pub struct MessageMutation;

#[Object]
impl MessageMutation {
    /// Sends a message. An HR user writes to an assigned candidate; a candidate to their HR user.
    /// The recipient is notified.
    async fn send_message(&self, ctx: &Context<'_>, input: SendMessageInput) -> AppResult<Message> {
        let principal = ctx.require_role(&[Role::Hr, Role::Candidate])?;
        let body = input.body.trim().to_owned();
        if body.is_empty() || body.chars().count() > MAX_MESSAGE_CHARS {
            return Err(AppError::bad_field("body", format!("must be 1 to {MAX_MESSAGE_CHARS} characters")));
        }
        let mut conn = ctx.services()?.pool.get().await?;
        let recipient = match (input.recipient_id, input.conversation_id) {
            (Some(id), None) => UserId(parse_id(&id, "recipientId")?),
            (None, Some(id)) => {
                let id = parse_id(&id, "conversationId")?;
                let found =
                    conversation::find(&mut conn, id).await?.filter(|c| c.includes(principal.user_id));
                found.ok_or(AppError::NotFound("conversation"))?.other(principal.user_id)
            }
            _ => return Err(AppError::bad_field("recipientId", "give either recipientId or conversationId")),
        };
        let message = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let me = users::lock(conn, principal.user_id).await?.ok_or(AppError::NotFound("user"))?;
                let other =
                    StoredUser::find(conn, recipient).await?.ok_or(AppError::NotFound("recipient"))?;
                let (hr, candidate) = match (me.role, other.role) {
                    (Role::Hr, Role::Candidate) => (&me, &other),
                    (Role::Candidate, Role::Hr) => (&other, &me),
                    _ => {
                        return Err(AppError::Forbidden(
                            "messages go between an HR user and their candidates",
                        ));
                    }
                };
                if candidate.assigned_hr_id != Some(hr.id.0) || hr.mapped_admin_id.is_none() {
                    return Err(AppError::Forbidden(
                        "you can only message your assigned candidates or your HR contact",
                    ));
                }
                let thread = conversation::find_or_create(conn, hr.id, candidate.id).await?;
                let message = conversation::add_message(conn, thread.id, me.id, &body).await?;
                let preview: String = body.chars().take(140).collect();
                notify::send(
                    conn,
                    other.id,
                    NotificationKind::NewMessage,
                    &format!("New message from {}", me.full_name),
                    &preview,
                    // The sender's id, so their erasure finds the notifications that name them.
                    serde_json::json!({ "conversationId": thread.id, "messageId": message.id, "senderId": me.id.0 }),
                )
                .await?;
                Ok(message)
            })
            .await?;
        Ok(Message { message, viewer: principal.user_id })
    }

    /// Marks a message to the signed-in user as read, or (with `read: false`) unread again.
    async fn mark_message_read(
        &self,
        ctx: &Context<'_>,
        message_id: ID,
        #[graphql(default = true)] read: bool,
    ) -> AppResult<Message> {
        let principal = ctx.require_role(&[Role::Hr, Role::Candidate])?;
        let id = parse_id(&message_id, "messageId")?;
        let mut conn = ctx.services()?.pool.get().await?;
        let (message, thread) =
            conversation::find_message(&mut conn, id).await?.ok_or(AppError::NotFound("message"))?;
        if !may_read(&mut conn, &principal, &thread).await? {
            return Err(AppError::NotFound("message"));
        }
        if message.sender_id == principal.user_id {
            return Err(AppError::bad_field(
                "messageId",
                "is a message you sent; only its recipient marks it read",
            ));
        }
        let message = conversation::set_read(&mut conn, message.id, read).await?;
        Ok(Message { message, viewer: principal.user_id })
    }
}

/// The access policy of conversations: the candidate always reads theirs; the HR user only while
/// the candidate is assigned to them and they are mapped to an admin (as for interviews).
async fn may_read(
    conn: &mut viva_store::AsyncPgConnection,
    principal: &viva_store::models::session::Principal,
    thread: &conversation::Conversation,
) -> AppResult<bool> {
    if thread.candidate_id == principal.user_id {
        return Ok(true);
    }
    if thread.hr_id != principal.user_id || principal.mapped_admin_id.is_none() {
        return Ok(false);
    }
    Ok(users::responsible_hr(conn, thread.candidate_id).await? == Some(principal.user_id))
}
