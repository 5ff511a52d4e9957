//! Conversations between an HR user and a candidate, and their messages.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::{ConversationId, MessageId, UserId};

use crate::QueryResult;
use crate::models::TimeCursor;
use crate::schema::{conversations, messages, users};

/// A conversation.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = conversations)]
pub struct Conversation {
    /// Its id.
    pub id: ConversationId,
    /// The HR participant.
    #[diesel(deserialize_as = Uuid)]
    pub hr_id: UserId,
    /// The candidate participant.
    #[diesel(deserialize_as = Uuid)]
    pub candidate_id: UserId,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When its newest message was sent.
    pub last_message_at: DateTime<Utc>,
}

impl Conversation {
    /// Whether the user takes part.
    pub fn includes(&self, user: UserId) -> bool {
        self.hr_id == user || self.candidate_id == user
    }

    /// The participant who is not `user`.
    pub fn other(&self, user: UserId) -> UserId {
        if self.hr_id == user { self.candidate_id } else { self.hr_id }
    }
}

/// A message.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct Message {
    /// Its id.
    pub id: MessageId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Who sent it.
    #[diesel(deserialize_as = Uuid)]
    pub sender_id: UserId,
    /// The text.
    pub body: String,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When the recipient read it.
    pub read_at: Option<DateTime<Utc>>,
}

/// The conversation of an HR user and a candidate, created if it does not exist.
pub async fn find_or_create(
    conn: &mut AsyncPgConnection,
    hr: UserId,
    candidate: UserId,
) -> QueryResult<Conversation> {
    diesel::insert_into(conversations::table)
        .values((
            conversations::id.eq(Uuid::now_v7()),
            conversations::hr_id.eq(hr.0),
            conversations::candidate_id.eq(candidate.0),
        ))
        .on_conflict((conversations::hr_id, conversations::candidate_id))
        .do_update()
        .set(conversations::last_message_at.eq(conversations::last_message_at))
        .returning(Conversation::as_returning())
        .get_result(conn)
        .await
}

/// The conversation with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: ConversationId) -> QueryResult<Option<Conversation>> {
    conversations::table.find(id).select(Conversation::as_select()).first(conn).await.optional()
}

/// Adds a message and moves the conversation to the top of both participants' lists.
pub async fn add_message(
    conn: &mut AsyncPgConnection,
    conversation: ConversationId,
    sender: UserId,
    body: &str,
) -> QueryResult<Message> {
    let message: Message = diesel::insert_into(messages::table)
        .values((
            messages::id.eq(Uuid::now_v7()),
            messages::conversation_id.eq(conversation),
            messages::sender_id.eq(sender.0),
            messages::body.eq(body),
        ))
        .returning(Message::as_returning())
        .get_result(conn)
        .await?;
    diesel::update(conversations::table.find(conversation))
        .set(conversations::last_message_at.eq(message.created_at))
        .execute(conn)
        .await?;
    Ok(message)
}

/// The conversations a user may read, most recently active first, after the cursor: a
/// candidate's own, an HR user's with the candidates assigned to them while they are mapped.
pub async fn list_for(
    conn: &mut AsyncPgConnection,
    user: UserId,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<Conversation>> {
    // A candidate's own conversations; an HR user's with the candidates assigned to them now,
    // while they are mapped to an admin.
    let hr = diesel::alias!(users as hr);
    let mapped = diesel::dsl::exists(
        hr.filter(hr.field(users::id).eq(user.0)).filter(hr.field(users::mapped_admin_id).is_not_null()),
    );
    let assigned = users::table.filter(users::assigned_hr_id.eq(user.0)).select(users::id);
    let mut query = conversations::table
        .filter(conversations::candidate_id.eq(user.0).or(
            conversations::hr_id.eq(user.0).and(conversations::candidate_id.eq_any(assigned)).and(mapped),
        ))
        .select(Conversation::as_select())
        .into_boxed();
    if let Some(c) = after {
        query = query.filter(
            conversations::last_message_at
                .lt(c.at)
                .or(conversations::last_message_at.eq(c.at).and(conversations::id.lt(c.id))),
        );
    }
    crate::limit::limited(
        query.order((conversations::last_message_at.desc(), conversations::id.desc())),
        limit,
    )
    .load(conn)
    .await
}

/// A conversation's messages, newest first, after the cursor.
pub async fn messages_in(
    conn: &mut AsyncPgConnection,
    conversation: ConversationId,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut query = messages::table
        .filter(messages::conversation_id.eq(conversation))
        .select(Message::as_select())
        .into_boxed();
    if let Some(c) = after {
        query = query.filter(
            messages::created_at.lt(c.at).or(messages::created_at.eq(c.at).and(messages::id.lt(c.id))),
        );
    }
    crate::limit::limited(query.order((messages::created_at.desc(), messages::id.desc())), limit)
        .load(conn)
        .await
}

/// The message with this id and its conversation.
pub async fn find_message(
    conn: &mut AsyncPgConnection,
    id: MessageId,
) -> QueryResult<Option<(Message, Conversation)>> {
    messages::table
        .inner_join(conversations::table)
        .filter(messages::id.eq(id))
        .select((Message::as_select(), Conversation::as_select()))
        .first(conn)
        .await
        .optional()
}

/// Marks a message read or unread; returns it.
pub async fn set_read(conn: &mut AsyncPgConnection, id: MessageId, read: bool) -> QueryResult<Message> {
    let read_at: Option<DateTime<Utc>> = read.then(Utc::now);
    diesel::update(messages::table.find(id))
        .set(messages::read_at.eq(read_at))
        .returning(Message::as_returning())
        .get_result(conn)
        .await
}

/// Unread messages addressed to `user`, in total.
pub async fn unread_total(conn: &mut AsyncPgConnection, user: UserId) -> QueryResult<i64> {
    messages::table
        .inner_join(conversations::table)
        .filter(conversations::hr_id.eq(user.0).or(conversations::candidate_id.eq(user.0)))
        .filter(messages::sender_id.ne(user.0))
        .filter(messages::read_at.is_null())
        .count()
        .get_result(conn)
        .await
}

/// Unread messages addressed to `user`, per conversation, for the given conversations.
pub async fn unread_by_conversation(
    conn: &mut AsyncPgConnection,
    user: UserId,
    conversation_ids: &[ConversationId],
) -> QueryResult<Vec<(ConversationId, i64)>> {
    messages::table
        .filter(messages::conversation_id.eq_any(conversation_ids))
        .filter(messages::sender_id.ne(user.0))
        .filter(messages::read_at.is_null())
        .group_by(messages::conversation_id)
        .select((messages::conversation_id, diesel::dsl::count_star()))
        .load(conn)
        .await
}

/// The newest message of each of the given conversations.
pub async fn latest_messages(
    conn: &mut AsyncPgConnection,
    conversation_ids: &[ConversationId],
) -> QueryResult<Vec<Message>> {
    messages::table
        .filter(messages::conversation_id.eq_any(conversation_ids))
        .distinct_on(messages::conversation_id)
        .order((messages::conversation_id, messages::created_at.desc(), messages::id.desc()))
        .select(Message::as_select())
        .load(conn)
        .await
}

/// Every conversation of a user with its messages, oldest first, for their data export.
pub async fn all_for(
    conn: &mut AsyncPgConnection,
    user: UserId,
) -> QueryResult<Vec<(Conversation, Vec<Message>)>> {
    let conversations: Vec<Conversation> = conversations::table
        .filter(conversations::hr_id.eq(user.0).or(conversations::candidate_id.eq(user.0)))
        .order(conversations::created_at.asc())
        .select(Conversation::as_select())
        .load(conn)
        .await?;
    let ids: Vec<ConversationId> = conversations.iter().map(|c| c.id).collect();
    let all: Vec<Message> = messages::table
        .filter(messages::conversation_id.eq_any(&ids))
        .order((messages::created_at.asc(), messages::id.asc()))
        .select(Message::as_select())
        .load(conn)
        .await?;
    Ok(conversations
        .into_iter()
        .map(|c| {
            let own = all.iter().filter(|m| m.conversation_id == c.id).cloned().collect();
            (c, own)
        })
        .collect())
}
