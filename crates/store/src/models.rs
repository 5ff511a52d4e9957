//! Models and their queries, one module per table.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A keyset position in a list ordered by a timestamp and then by id: the last row of the
/// previous page. Stable while rows are inserted, unlike an offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeCursor {
    /// The timestamp of the last row seen.
    pub at: DateTime<Utc>,
    /// Its id, to break ties.
    pub id: Uuid,
}

pub mod ai_spend;
pub mod analytics;
pub mod audit;
pub mod conversation;
pub mod email;
pub mod evaluation;
pub mod interview;
pub mod job;
pub mod mapping;
pub mod media;
pub mod notification;
pub mod one_time_token;
pub mod question;
pub mod report_export;
pub mod resume;
pub mod session;
pub mod similarity;
pub mod throttle;
pub mod user;
