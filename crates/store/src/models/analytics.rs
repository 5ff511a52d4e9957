//! What the analytics views read (USER-2, REPORT-2): every aggregate is computed here, in SQL,
//! over the narrow per-answer table `answer_scores`, the day rollups `answer_score_days` and
//! `evaluation_days`, and the base tables' covering indexes (see the migration
//! `2026-12-01-000010_analytics`). Nothing here loads the rows it aggregates.
//!
//! [`facts`] keeps the per-answer table and the rollups in step with evaluations and people's
//! scores; the other modules are the reads, each bounded by a window of at most a year.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use viva_domain::UserId;

use crate::QueryResult;

pub mod candidate;
pub mod facts;
pub mod fairness;
pub mod interviews;
pub mod platform;

/// A half-open time window `[from, to)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Its start, included.
    pub from: DateTime<Utc>,
    /// Its end, excluded.
    pub to: DateTime<Utc>,
}

/// Whose answers and interviews an organisation-wide aggregate covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Population {
    /// Everyone's, practice sessions included (admins).
    All,
    /// The scheduled (not practice) interviews of the candidates assigned to this HR user now:
    /// what the interview access policy lets a mapped HR user see.
    HrCandidates(UserId),
}

impl Population {
    /// The SQL condition on a row of `answer_scores` aliased `alias`, with the HR user as the
    /// bind parameter `param`: the candidates as an array, so that the planner can walk
    /// `answer_scores_candidate_idx` candidate by candidate.
    fn facts_condition(self, alias: &str, param: usize) -> String {
        match self {
            Population::All => "TRUE".to_owned(),
            Population::HrCandidates(_) => format!(
                "{alias}.candidate_id = ANY (ARRAY(SELECT u.id FROM users u WHERE u.assigned_hr_id = ${param})) \
                 AND NOT {alias}.practice"
            ),
        }
    }

    /// The same condition as a lookup per row (a hashed subplan or a semi-join), for walks in
    /// another index's order that stop after a page.
    fn facts_lookup(self, alias: &str, param: usize) -> String {
        match self {
            Population::All => "TRUE".to_owned(),
            Population::HrCandidates(_) => format!(
                "{alias}.candidate_id IN (SELECT u.id FROM users u WHERE u.assigned_hr_id = ${param}) \
                 AND NOT {alias}.practice"
            ),
        }
    }

    /// The HR user to bind, if the condition has one (the nil id otherwise, matching no one).
    fn hr(self) -> UserId {
        match self {
            Population::All => UserId(uuid::Uuid::nil()),
            Population::HrCandidates(hr) => hr,
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    #[expect(dead_code, reason = "set_config must be selected into something")]
    jit: String,
}

/// Settings for the analytics reads, for the rest of the transaction: no JIT compilation (it
/// costs more than these queries take), plans made for the actual window (a generic plan does
/// not know a week from a year), and memory for the aggregates' hash tables.
pub async fn tune(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    let _: Setting = diesel::sql_query(
        "SELECT set_config('jit', 'off', $1) AS jit, set_config('plan_cache_mode', 'force_custom_plan', $1), \
         set_config('work_mem', '32MB', $1)",
    )
    .bind::<Bool, _>(true)
    .get_result(conn)
    .await?;
    Ok(())
}
