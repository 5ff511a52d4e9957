//! Analytics (USER-2 `myStats`, REPORT-2 `analytics`): a candidate's own statistics and
//! progress, per-job score distributions and funnels, platform analytics, and the fairness
//! view. Each read checks its own access here, with the interview access policy: admins see
//! everything; a mapped HR user the jobs they own and the scheduled interviews of the
//! candidates assigned to them; a candidate their own statistics.
//!
//! Every aggregate is computed by PostgreSQL (`viva_store::models::analytics`), over a window
//! of at most [`MAX_WINDOW_DAYS`], inside a read-only transaction tuned for it. The per-answer
//! table and the rollups those queries read are kept up to date by [`record_evaluation`] and
//! [`record_human_score`], called in the transactions that store an evaluation or a person's
//! score.
//!
//! Scores: the dimensions (content, communication, technical depth, relevance) are the current
//! evaluation's. A candidate's `overall` is the score that counts for their result — a person's
//! score where one was given, else the AI's — as the interview result is computed; the fairness
//! view examines the AI, so it uses the AI's overall score throughout.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use viva_domain::{AnswerId, Role, UserId};
use viva_store::AsyncPgConnection;
use viva_store::models::analytics::{Population, Span, facts};
use viva_store::models::evaluation::StoredEvaluation;
use viva_store::models::session::Principal;

use crate::{ServiceError, ServiceResult};

pub mod candidate;
pub mod fairness;
pub mod jobs;
pub mod platform;

/// The longest window any analytics view covers, in days.
pub const MAX_WINDOW_DAYS: i64 = 366;
/// The window of the organisation-wide views when none is given: the last 90 days.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;
/// The window of a candidate's own statistics and progress when none is given: the last year.
pub const PERSONAL_WINDOW_DAYS: i64 = 366;
/// The bucket sizes score distributions accept, in points.
pub const BUCKET_SIZES: [i32; 5] = [5, 10, 20, 25, 50];

/// The analytics settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnalyticsSettings {
    /// The fewest different candidates a fairness group must hold to be shown; smaller groups
    /// are listed without their figures, so that no person can be picked out.
    pub min_group_size: i64,
    /// How far apart (in points) an answer's AI and human scores must be to count as a
    /// disagreement when the request names no margin.
    pub disagreement_margin: i32,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        Self { min_group_size: 5, disagreement_margin: 20 }
    }
}

/// A time window `[from, to)` of at most [`MAX_WINDOW_DAYS`] days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Its start, included.
    pub from: DateTime<Utc>,
    /// Its end, excluded.
    pub to: DateTime<Utc>,
}

impl Window {
    /// The window asked for: `to` defaults to now and `from` to `default_days` before `to`;
    /// `BAD_USER_INPUT` when `from` is not before `to` or they are more than
    /// [`MAX_WINDOW_DAYS`] apart.
    pub fn new(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        default_days: i64,
    ) -> ServiceResult<Self> {
        let to = to.unwrap_or_else(Utc::now);
        let from = from.unwrap_or(to - Duration::days(default_days));
        if from >= to {
            return Err(ServiceError::bad_field("from", "must be before `to`"));
        }
        if to - from > Duration::days(MAX_WINDOW_DAYS) {
            return Err(ServiceError::bad_field(
                "to",
                format!(
                    "is {} days after `from`; a window spans at most {MAX_WINDOW_DAYS} days, so move `from` or `to`",
                    (to - from).num_days()
                ),
            ));
        }
        Ok(Self { from, to })
    }

    /// The window for the store.
    pub fn span(self) -> Span {
        Span { from: self.from, to: self.to }
    }

    /// The UTC days it touches, first and last included.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        (self.from.date_naive(), (self.to - Duration::microseconds(1)).date_naive())
    }
}

/// Checks a bucket size: one of [`BUCKET_SIZES`].
pub fn bucket_size(points: i32) -> ServiceResult<i32> {
    if BUCKET_SIZES.contains(&points) {
        Ok(points)
    } else {
        Err(ServiceError::bad_field("bucketSize", "must be 5, 10, 20, 25 or 50 (points per bucket)"))
    }
}

/// Who is asking for an organisation-wide view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Staff {
    /// An admin: every job, everyone's answers.
    Admin,
    /// A mapped HR user: the jobs they own, their assigned candidates' scheduled interviews.
    Hr(UserId),
}

impl Staff {
    /// Admins and mapped HR users; `FORBIDDEN` for anyone else.
    pub(crate) fn of(principal: &Principal) -> ServiceResult<Self> {
        match principal.role {
            Role::Admin => Ok(Staff::Admin),
            Role::Hr if crate::organisation::is_mapped_hr(principal) => Ok(Staff::Hr(principal.user_id)),
            Role::Hr => Err(ServiceError::Forbidden("you must be mapped to an admin to see analytics")),
            Role::Candidate => Err(ServiceError::Forbidden("these analytics are for HR users and admins")),
        }
    }

    /// Whose answers and interviews they may aggregate.
    pub(crate) fn population(self) -> Population {
        match self {
            Staff::Admin => Population::All,
            Staff::Hr(hr) => Population::HrCandidates(hr),
        }
    }

    /// The owner whose jobs they see, or none for every job.
    pub(crate) fn job_owner(self) -> Option<UserId> {
        match self {
            Staff::Admin => None,
            Staff::Hr(hr) => Some(hr),
        }
    }
}

/// What the fairness view is asked for, checked: the window, the bucket size, and the
/// smallest group shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FairnessRequest {
    /// The window the answers were submitted in.
    pub window: Window,
    /// Points per bucket.
    pub bucket_size: i32,
    /// The fewest different candidates a group must hold to be shown.
    pub min_group_size: i64,
}

/// Opens the fairness view: HR users (mapped) and admins; the window defaults to the last
/// [`DEFAULT_WINDOW_DAYS`] days.
pub fn fairness_request(
    service: &crate::Service,
    principal: &Principal,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    bucket_size: i32,
) -> ServiceResult<FairnessRequest> {
    Staff::of(principal)?;
    Ok(FairnessRequest {
        window: Window::new(from, to, DEFAULT_WINDOW_DAYS)?,
        bucket_size: self::bucket_size(bucket_size)?,
        min_group_size: service.config.analytics.min_group_size,
    })
}

/// Opens the platform analytics: admins only; the window defaults to the last
/// [`DEFAULT_WINDOW_DAYS`] days.
pub fn platform_window(
    principal: &Principal,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> ServiceResult<Window> {
    require_admin(principal)?;
    Window::new(from, to, DEFAULT_WINDOW_DAYS)
}

/// Admins only; `FORBIDDEN` for anyone else.
pub(crate) fn require_admin(principal: &Principal) -> ServiceResult<()> {
    if principal.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("platform analytics are for admins"))
    }
}

/// Brings the analytics up to date with an evaluation just stored: the answer's row of the
/// per-answer table, the day rollups. Call in the transaction that stores it.
pub async fn record_evaluation(
    conn: &mut AsyncPgConnection,
    evaluation: &StoredEvaluation,
) -> ServiceResult<()> {
    facts::record(conn, evaluation.answer_id).await?;
    facts::count_evaluation(conn, evaluation).await?;
    Ok(())
}

/// Brings the analytics up to date with a person's score just given to an answer. Call in the
/// transaction that stores it.
pub async fn record_human_score(conn: &mut AsyncPgConnection, answer: AnswerId) -> ServiceResult<()> {
    Ok(facts::record(conn, answer).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn windows_default_to_the_last_days_and_refuse_bad_ones() {
        let to = at("2026-06-30T12:00:00Z");
        let window = Window::new(None, Some(to), DEFAULT_WINDOW_DAYS).unwrap();
        assert_eq!(window.from, at("2026-04-01T12:00:00Z"));
        assert_eq!(window.days(), ("2026-04-01".parse().unwrap(), "2026-06-30".parse().unwrap()));
        let midnight =
            Window::new(Some(at("2026-06-01T00:00:00Z")), Some(at("2026-06-03T00:00:00Z")), 90).unwrap();
        assert_eq!(midnight.days(), ("2026-06-01".parse().unwrap(), "2026-06-02".parse().unwrap()));
        assert!(Window::new(Some(to), Some(to), 90).is_err());
        assert!(Window::new(Some(to - Duration::days(367)), Some(to), 90).is_err());
        assert!(Window::new(Some(to - Duration::days(366)), Some(to), 90).is_ok());
    }

    #[test]
    fn bucket_sizes_divide_the_scale_into_whole_five_point_bins() {
        assert!(BUCKET_SIZES.iter().all(|size| 100 % size == 0 && size % 5 == 0));
        assert!(bucket_size(7).is_err());
        assert_eq!(bucket_size(25).unwrap(), 25);
    }
}
