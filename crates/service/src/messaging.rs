//! Messaging between HR users and their candidates (SPEC HR-4, CAND-3), with the one access
//! policy of conversations ([`may_read`]).
//!
//! An HR user and a candidate may write to each other while the candidate is assigned to that
//! HR user and the HR user is mapped to an admin; either may start. The candidate keeps reading
//! their history; the HR user reads it only while the candidate is assigned to them and they are
//! mapped. Each message notifies its recipient.

use std::collections::HashMap;

use diesel_async::AsyncConnection;
use viva_domain::vocab::NotificationKind;
use viva_domain::{ConversationId, MessageId, Role, UserId};
use viva_store::AsyncPgConnection;
use viva_store::models::TimeCursor;
use viva_store::models::conversation::{self, Conversation, Message};
use viva_store::models::session::Principal;
use viva_store::models::user::{self as users, User};

use crate::{Service, ServiceError, ServiceResult, notify};

/// Longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 5000;

/// Characters of a message quoted in its recipient's notification.
const PREVIEW_CHARS: usize = 140;

/// A conversation as its participant lists it: with their unread count and the newest message.
#[derive(Clone, Debug)]
pub struct ConversationSummary {
    /// The conversation.
    pub conversation: Conversation,
    /// Messages to the caller not read yet.
    pub unread: i64,
    /// The newest message, if any.
    pub last: Option<Message>,
}

/// Where a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendTo {
    /// To a person: for an HR user, an assigned candidate; for a candidate, their HR user.
    Person(UserId),
    /// Into an existing conversation the caller takes part in.
    Conversation(ConversationId),
}

/// The access policy of conversations: the candidate always reads theirs; the HR user only while
/// the candidate is assigned to them and they are mapped to an admin (as for interviews).
pub async fn may_read(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    thread: &Conversation,
) -> ServiceResult<bool> {
    if thread.candidate_id == principal.user_id {
        return Ok(true);
    }
    if thread.hr_id != principal.user_id || !crate::organisation::is_mapped_hr(principal) {
        return Ok(false);
    }
    Ok(users::responsible_hr(conn, thread.candidate_id).await? == Some(principal.user_id))
}

/// The caller's conversations, most recently active first, after the cursor and at most `limit`
/// of them: a candidate's own; an HR user's with the candidates assigned to them now. Each comes
/// with the caller's unread count and its newest message (two queries for the whole page).
pub async fn conversations(
    service: &Service,
    principal: &Principal,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<ConversationSummary>> {
    let mut conn = service.pool.get().await?;
    let rows = conversation::list_for(&mut conn, principal.user_id, after, limit).await?;
    let ids: Vec<ConversationId> = rows.iter().map(|c| c.id).collect();
    let unread: HashMap<ConversationId, i64> =
        conversation::unread_by_conversation(&mut conn, principal.user_id, &ids).await?.into_iter().collect();
    let mut last: HashMap<ConversationId, Message> = conversation::latest_messages(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|m| (m.conversation_id, m))
        .collect();
    Ok(rows
        .into_iter()
        .map(|c| ConversationSummary {
            unread: unread.get(&c.id).copied().unwrap_or(0),
            last: last.remove(&c.id),
            conversation: c,
        })
        .collect())
}

/// A conversation's messages, newest first, after the cursor and at most `limit` of them; for
/// those who [`may_read`] it, else `NOT_FOUND`.
pub async fn messages(
    service: &Service,
    principal: &Principal,
    conversation_id: ConversationId,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<Message>> {
    let mut conn = service.pool.get().await?;
    match conversation::find(&mut conn, conversation_id).await? {
        Some(c) if may_read(&mut conn, principal, &c).await? => {}
        _ => return Err(ServiceError::NotFound("conversation")),
    }
    Ok(conversation::messages_in(&mut conn, conversation_id, after, limit).await?)
}

/// Messages to the caller not read yet, across conversations.
pub async fn unread_total(service: &Service, principal: &Principal) -> ServiceResult<i64> {
    let mut conn = service.pool.get().await?;
    Ok(conversation::unread_total(&mut conn, principal.user_id).await?)
}

/// Sends a message: an HR user to an assigned candidate, a candidate to their HR user, while
/// the HR user is mapped. `to` is `None` when the caller named neither a recipient nor a
/// conversation (or both). The body is trimmed and must be 1 to [`MAX_MESSAGE_CHARS`]
/// characters. The recipient is notified in the same transaction.
pub async fn send(
    service: &Service,
    principal: &Principal,
    to: Option<SendTo>,
    body: &str,
) -> ServiceResult<Message> {
    let body = body.trim().to_owned();
    if body.is_empty() || body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ServiceError::bad_field("body", format!("must be 1 to {MAX_MESSAGE_CHARS} characters")));
    }
    let to = to
        .ok_or_else(|| ServiceError::bad_field("recipientId", "give either recipientId or conversationId"))?;
    let mut conn = service.pool.get().await?;
    let me_id = principal.user_id;
    let recipient = match to {
        SendTo::Person(id) => id,
        SendTo::Conversation(id) => {
            let found = conversation::find(&mut conn, id).await?.filter(|c| c.includes(me_id));
            found.ok_or(ServiceError::NotFound("conversation"))?.other(me_id)
        }
    };
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let me = users::lock(conn, me_id).await?.ok_or(ServiceError::NotFound("user"))?;
        let other = User::find(conn, recipient).await?.ok_or(ServiceError::NotFound("recipient"))?;
        let (hr, candidate) = match (me.role, other.role) {
            (Role::Hr, Role::Candidate) => (&me, &other),
            (Role::Candidate, Role::Hr) => (&other, &me),
            _ => return Err(ServiceError::Forbidden("messages go between an HR user and their candidates")),
        };
        if candidate.assigned_hr_id != Some(hr.id) || crate::organisation::mapped_admin(hr).is_none() {
            return Err(ServiceError::Forbidden(
                "you can only message your assigned candidates or your HR contact",
            ));
        }
        let thread = conversation::find_or_create(conn, hr.id, candidate.id).await?;
        let message = conversation::add_message(conn, thread.id, me.id, &body).await?;
        let preview: String = body.chars().take(PREVIEW_CHARS).collect();
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
    .await
}

/// Marks a message to the caller read, or (with `read: false`) unread again. `NOT_FOUND` unless
/// the caller [`may_read`] its conversation; only its recipient marks it.
pub async fn mark_read(
    service: &Service,
    principal: &Principal,
    message_id: MessageId,
    read: bool,
) -> ServiceResult<Message> {
    let mut conn = service.pool.get().await?;
    let (message, thread) =
        conversation::find_message(&mut conn, message_id).await?.ok_or(ServiceError::NotFound("message"))?;
    if !may_read(&mut conn, principal, &thread).await? {
        return Err(ServiceError::NotFound("message"));
    }
    if message.sender_id == principal.user_id {
        return Err(ServiceError::bad_field(
            "messageId",
            "is a message you sent; only its recipient marks it read",
        ));
    }
    Ok(conversation::set_read(&mut conn, message.id, read).await?)
}
