//! Newtype ids for every entity, so that an answer's id can never be passed where an
//! interview's is expected. With the `diesel` feature (the store's) they are also SQL `uuid`s.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        #[cfg(feature = "diesel")]
        impl diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <Uuid as diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::to_sql(&self.0, out)
            }
        }

        #[cfg(feature = "diesel")]
        impl diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <Uuid as diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::from_sql(bytes)
                    .map(Self)
            }
        }

        impl $name {
            /// A new, time-ordered (UUIDv7) id, so that indexes on it stay append-mostly.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl From<$name> for Uuid {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

uuid_id!(
    /// Identifies a user account.
    UserId
);
uuid_id!(
    /// Identifies a login session, which is also the family of its rotating refresh tokens.
    SessionId
);
uuid_id!(
    /// Identifies an interview (scheduled or practice).
    InterviewId
);
uuid_id!(
    /// Identifies a question as asked in one interview.
    InterviewQuestionId
);
uuid_id!(
    /// Identifies a question of the bank.
    QuestionId
);
uuid_id!(
    /// Identifies an answer.
    AnswerId
);
uuid_id!(
    /// Identifies one evaluation of an answer.
    EvaluationId
);
uuid_id!(
    /// Identifies a job posting.
    JobId
);
uuid_id!(
    /// Identifies a background job of the queue.
    BackgroundJobId
);
uuid_id!(
    /// Identifies a conversation.
    ConversationId
);
uuid_id!(
    /// Identifies a message.
    MessageId
);
uuid_id!(
    /// Identifies a notification.
    NotificationId
);
uuid_id!(
    /// Identifies an HR user's application to an admin, or an admin's invitation.
    MappingRequestId
);
uuid_id!(
    /// Identifies an audit-log entry.
    AuditEntryId
);
uuid_id!(
    /// Identifies an email of the outbox.
    EmailId
);
uuid_id!(
    /// Identifies an exported interview report (a file and its state).
    ReportExportId
);
uuid_id!(
    /// Identifies a candidate's resume.
    ResumeId
);
uuid_id!(
    /// Identifies a flag raised on two answers that look copied.
    SimilarityFlagId
);
