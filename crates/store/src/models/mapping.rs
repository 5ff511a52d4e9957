//! HR applications to admins and admin invitations to HR users.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;
use viva_domain::{MappingRequestId, UserId};

use crate::QueryResult;
use crate::models::TimeCursor;
use crate::schema::hr_mapping_requests;

/// Who started a mapping request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// An HR user asked an admin.
    Application,
    /// An admin asked an HR user.
    Invitation,
}

/// Where a mapping request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    /// Waiting for a decision.
    Pending,
    /// Accepted: the HR user is mapped to the admin.
    Accepted,
    /// Refused.
    Rejected,
    /// Withdrawn by its sender, or made moot because the HR user was mapped elsewhere.
    Cancelled,
}

macro_rules! text_enum {
    ($ty:ty, [$($variant:ident => $text:literal),+]) => {
        impl $ty {
            /// The stored text form.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl TryFrom<String> for $ty {
            type Error = viva_domain::error::UnknownVariant;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                match value.as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(viva_domain::error::UnknownVariant { kind: stringify!($ty), value }),
                }
            }
        }
    };
}

text_enum!(RequestKind, [Application => "APPLICATION", Invitation => "INVITATION"]);
text_enum!(RequestStatus, [Pending => "PENDING", Accepted => "ACCEPTED", Rejected => "REJECTED", Cancelled => "CANCELLED"]);

/// A mapping request.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = hr_mapping_requests)]
pub struct MappingRequest {
    /// The request's id.
    pub id: MappingRequestId,
    /// The HR user.
    #[diesel(deserialize_as = Uuid)]
    pub hr_id: UserId,
    /// The admin.
    #[diesel(deserialize_as = Uuid)]
    pub admin_id: UserId,
    /// Application or invitation.
    #[diesel(deserialize_as = String)]
    pub kind: RequestKind,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub status: RequestStatus,
    /// A note from the sender.
    pub message: Option<String>,
    /// Who decided.
    pub decided_by: Option<UserId>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Which requests to list.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestFilter {
    /// Only this HR user's.
    pub hr_id: Option<UserId>,
    /// Only those to or from this admin.
    pub admin_id: Option<UserId>,
    /// Only of this kind.
    pub kind: Option<RequestKind>,
    /// Only in this state.
    pub status: Option<RequestStatus>,
}

/// Stores a new pending request. Fails with a unique violation on
/// `hr_mapping_requests_one_pending` when the pair already has one.
pub async fn create(
    conn: &mut AsyncPgConnection,
    hr_id: UserId,
    admin_id: UserId,
    kind: RequestKind,
    message: Option<&str>,
) -> QueryResult<MappingRequest> {
    diesel::insert_into(hr_mapping_requests::table)
        .values((
            hr_mapping_requests::id.eq(Uuid::now_v7()),
            hr_mapping_requests::hr_id.eq(hr_id.0),
            hr_mapping_requests::admin_id.eq(admin_id.0),
            hr_mapping_requests::kind.eq(kind.as_str()),
            hr_mapping_requests::message.eq(message),
        ))
        .returning(MappingRequest::as_returning())
        .get_result(conn)
        .await
}

/// The request with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: MappingRequestId) -> QueryResult<Option<MappingRequest>> {
    hr_mapping_requests::table.find(id).select(MappingRequest::as_select()).first(conn).await.optional()
}

/// Decides a pending request of the given kind. Returns `None` when it is not pending any more,
/// which is how a lost race shows: of two concurrent decisions, the row lock lets one through.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    id: MappingRequestId,
    kind: RequestKind,
    status: RequestStatus,
    decided_by: UserId,
) -> QueryResult<Option<MappingRequest>> {
    diesel::update(
        hr_mapping_requests::table
            .find(id)
            .filter(hr_mapping_requests::kind.eq(kind.as_str()))
            .filter(hr_mapping_requests::status.eq(RequestStatus::Pending.as_str())),
    )
    .set((
        hr_mapping_requests::status.eq(status.as_str()),
        hr_mapping_requests::decided_by.eq(decided_by.0),
        hr_mapping_requests::decided_at.eq(diesel::dsl::now),
    ))
    .returning(MappingRequest::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Cancels every other pending request of an HR user (after they were mapped); returns them.
pub async fn cancel_other_pending(
    conn: &mut AsyncPgConnection,
    hr_id: UserId,
    keep: MappingRequestId,
    decided_by: UserId,
) -> QueryResult<Vec<MappingRequest>> {
    diesel::update(
        hr_mapping_requests::table
            .filter(hr_mapping_requests::hr_id.eq(hr_id.0))
            .filter(hr_mapping_requests::id.ne(keep))
            .filter(hr_mapping_requests::status.eq(RequestStatus::Pending.as_str())),
    )
    .set((
        hr_mapping_requests::status.eq(RequestStatus::Cancelled.as_str()),
        hr_mapping_requests::decided_by.eq(decided_by.0),
        hr_mapping_requests::decided_at.eq(diesel::dsl::now),
    ))
    .returning(MappingRequest::as_returning())
    .get_results(conn)
    .await
}

/// Requests matching the filter, newest first, after the cursor; `limit` rows at most.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: RequestFilter,
    after: Option<TimeCursor>,
    limit: i64,
) -> QueryResult<Vec<MappingRequest>> {
    let mut query = hr_mapping_requests::table.select(MappingRequest::as_select()).into_boxed();
    if let Some(hr) = filter.hr_id {
        query = query.filter(hr_mapping_requests::hr_id.eq(hr.0));
    }
    if let Some(admin) = filter.admin_id {
        query = query.filter(hr_mapping_requests::admin_id.eq(admin.0));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(hr_mapping_requests::kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(hr_mapping_requests::status.eq(status.as_str()));
    }
    if let Some(c) = after {
        query = query.filter(
            hr_mapping_requests::created_at
                .lt(c.at)
                .or(hr_mapping_requests::created_at.eq(c.at).and(hr_mapping_requests::id.lt(c.id))),
        );
    }
    crate::limit::limited(
        query.order((hr_mapping_requests::created_at.desc(), hr_mapping_requests::id.desc())),
        limit,
    )
    .load(conn)
    .await
}

/// How many requests are pending, by kind: (applications, invitations).
pub async fn count_pending(conn: &mut AsyncPgConnection) -> QueryResult<(i64, i64)> {
    let rows: Vec<(String, i64)> = hr_mapping_requests::table
        .filter(hr_mapping_requests::status.eq(RequestStatus::Pending.as_str()))
        .group_by(hr_mapping_requests::kind)
        .select((hr_mapping_requests::kind, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    let count = |kind: RequestKind| rows.iter().find(|(k, _)| k == kind.as_str()).map_or(0, |(_, n)| *n);
    Ok((count(RequestKind::Application), count(RequestKind::Invitation)))
}

/// Every request involving a user, for their data export.
pub async fn involving(conn: &mut AsyncPgConnection, user: UserId) -> QueryResult<Vec<MappingRequest>> {
    hr_mapping_requests::table
        .filter(hr_mapping_requests::hr_id.eq(user.0).or(hr_mapping_requests::admin_id.eq(user.0)))
        .order(hr_mapping_requests::created_at.asc())
        .select(MappingRequest::as_select())
        .load(conn)
        .await
}
