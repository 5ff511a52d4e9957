//! One candidate's scores over a window: averages per dimension, per ISO week and per question
//! kind, in one query down `answer_scores_candidate_idx`; and the sessions they took.

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Date, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use viva_domain::UserId;

use super::Span;
use crate::QueryResult;

/// Averages of a set of evaluated answers, each 0–100; `None` when no answer has that score.
#[derive(Clone, Debug, Default, PartialEq, QueryableByName)]
pub struct Averages {
    /// Answers counted.
    #[diesel(sql_type = BigInt)]
    pub answers: i64,
    /// Answers a person scored.
    #[diesel(sql_type = BigInt)]
    pub human_scored: i64,
    /// Content, from the current evaluations.
    #[diesel(sql_type = Nullable<Double>)]
    pub content: Option<f64>,
    /// Communication.
    #[diesel(sql_type = Nullable<Double>)]
    pub communication: Option<f64>,
    /// Technical depth.
    #[diesel(sql_type = Nullable<Double>)]
    pub technical_depth: Option<f64>,
    /// Relevance.
    #[diesel(sql_type = Nullable<Double>)]
    pub relevance: Option<f64>,
    /// Overall as it counts for the result: a person's score where there is one, else the AI's.
    #[diesel(sql_type = Nullable<Double>)]
    pub overall: Option<f64>,
    /// Overall as the AI scored it.
    #[diesel(sql_type = Nullable<Double>)]
    pub ai_overall: Option<f64>,
}

/// One row of [`scores`]: the whole window, one ISO week, or one question kind.
#[derive(Clone, Debug, QueryableByName)]
struct Row {
    /// `GROUPING(week, kind)`: 3 for the whole window, 1 for a week, 2 for a kind.
    #[diesel(sql_type = Integer)]
    grouping: i32,
    #[diesel(sql_type = Nullable<Date>)]
    week: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(embed)]
    averages: Averages,
}

/// A candidate's scores over a window.
#[derive(Clone, Debug, Default)]
pub struct CandidateScores {
    /// Over the whole window.
    pub total: Averages,
    /// Per ISO week (its Monday, UTC), oldest first; weeks without answers are absent.
    pub weeks: Vec<(NaiveDate, Averages)>,
    /// Per question kind (`BEHAVIOURAL`, `TECHNICAL`, `SITUATIONAL`), those answered.
    pub kinds: Vec<(String, Averages)>,
}

/// The candidate's evaluated answers submitted in the window (practice sessions too when
/// `practice`), averaged overall, per ISO week and per question kind.
pub async fn scores(
    conn: &mut AsyncPgConnection,
    candidate: UserId,
    practice: bool,
    span: Span,
) -> QueryResult<CandidateScores> {
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT GROUPING(week, kind) AS grouping, week, kind, count(*) AS answers, \
             count(human_score) AS human_scored, avg(content)::float8 AS content, \
             avg(communication)::float8 AS communication, avg(technical_depth)::float8 AS technical_depth, \
             avg(relevance)::float8 AS relevance, avg(coalesce(human_score, overall))::float8 AS overall, \
             avg(overall)::float8 AS ai_overall \
         FROM (SELECT date_trunc('week', s.submitted_at AT TIME ZONE 'UTC')::date AS week, \
                   s.question_kind AS kind, s.content, s.communication, s.technical_depth, s.relevance, \
                   s.overall, s.human_score \
               FROM answer_scores s \
               WHERE s.candidate_id = $1 AND s.submitted_at >= $2 AND s.submitted_at < $3 \
                 AND ($4 OR NOT s.practice)) w \
         GROUP BY GROUPING SETS ((), (week), (kind)) \
         ORDER BY grouping, week, kind",
    )
    .bind::<SqlUuid, _>(candidate)
    .bind::<Timestamptz, _>(span.from)
    .bind::<Timestamptz, _>(span.to)
    .bind::<Bool, _>(practice)
    .load(conn)
    .await?;
    let mut scores = CandidateScores::default();
    for row in rows {
        match (row.grouping, row.week, row.kind) {
            (1, Some(week), _) => scores.weeks.push((week, row.averages)),
            (2, _, Some(kind)) => scores.kinds.push((kind, row.averages)),
            (3, _, _) => scores.total = row.averages,
            _ => {}
        }
    }
    Ok(scores)
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = BigInt)]
    scheduled: i64,
    #[diesel(sql_type = BigInt)]
    practice: i64,
}

/// How many scheduled interviews and practice sessions the candidate started in the window:
/// `(scheduled, practice)`.
pub async fn sessions_taken(
    conn: &mut AsyncPgConnection,
    candidate: UserId,
    span: Span,
) -> QueryResult<(i64, i64)> {
    let taken: Taken = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE NOT practice) AS scheduled, count(*) FILTER (WHERE practice) AS practice \
         FROM interviews \
         WHERE candidate_id = $1 AND started_at >= $2 AND started_at < $3",
    )
    .bind::<SqlUuid, _>(candidate)
    .bind::<Timestamptz, _>(span.from)
    .bind::<Timestamptz, _>(span.to)
    .get_result(conn)
    .await?;
    Ok((taken.scheduled, taken.practice))
}
