//! Messaging between HR users and their candidates (SPEC HR-4, CAND-3).
//!
//! An HR user and a candidate may write to each other while the candidate is assigned to that
//! HR user; either may start. The candidate keeps reading their history; the HR user reads it
//! only while the candidate is assigned to them and they are mapped. The rules and the access
//! policy live in [`viva_service::messaging`]; this module maps them to the schema.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use viva_domain::{Role, UserId};
use viva_service::messaging::{self, SendTo};
use viva_store::models::conversation::{Conversation as StoredConversation, Message as StoredMessage};

use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::pagination::{connection, page, page_size, parse_time_cursor, time_cursor};
use crate::graphql::types::{PersonSummary, parse_id, person};

connection!(ConversationConnection, ConversationEdge, Conversation, "conversations");
connection!(MessageConnection, MessageEdge, Message, "messages");

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
        person(ctx, Some(self.message.sender_id)).await
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
        person(ctx, Some(self.conversation.other(self.viewer))).await
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
        let rows = messaging::conversations(&ctx.services()?.service, &principal, cursor, limit + 1).await?;
        Ok(page(
            rows,
            limit,
            cursor.is_some(),
            |s| time_cursor(s.conversation.last_message_at, s.conversation.id),
            |s| Conversation {
                viewer: principal.user_id,
                unread: s.unread,
                last: s.last,
                conversation: s.conversation,
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
        let rows = messaging::messages(&ctx.services()?.service, &principal, id, cursor, limit + 1).await?;
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
        Ok(messaging::unread_total(&ctx.services()?.service, &principal).await?)
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
        let to = match (input.recipient_id, input.conversation_id) {
            (Some(id), None) => Some(SendTo::Person(UserId(parse_id(&id, "recipientId")?))),
            (None, Some(id)) => Some(SendTo::Conversation(parse_id(&id, "conversationId")?)),
            _ => None,
        };
        let message = messaging::send(&ctx.services()?.service, &principal, to, &input.body).await?;
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
        let message = messaging::mark_read(&ctx.services()?.service, &principal, id, read).await?;
        Ok(Message { message, viewer: principal.user_id })
    }
}
