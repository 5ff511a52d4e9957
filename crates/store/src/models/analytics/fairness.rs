//! The fairness view: the AI's overall scores of answers, distributed per job, per question kind
//! and per evaluator version (provider, model, rubric and prompt versions), with how many
//! different candidates each group holds; and the answers a person scored far from the AI.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use diesel::sql_types::{Array, BigInt, Integer, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use viva_domain::{AnswerId, InterviewId, JobId};

use super::{Population, Span};
use crate::QueryResult;

/// What a group is keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// The question's kind.
    QuestionKind,
    /// The evaluation's version: provider, model, rubric version and prompt version.
    Evaluator,
}

impl Dimension {
    /// The key columns, `k1` (text), `ev` (an evaluator's number) and `kj` (a job), of a row
    /// aliased `alias`.
    fn key(self, alias: &str) -> String {
        match self {
            Dimension::QuestionKind => {
                format!("{alias}.question_kind AS k1, NULL::integer AS ev, NULL::uuid AS kj")
            }
            Dimension::Evaluator => format!("NULL::text AS k1, {alias}.evaluator_id AS ev, NULL::uuid AS kj"),
        }
    }
}

/// One row of a grouped distribution: a group's totals (`bucket` none) or one of its buckets.
#[derive(Clone, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct GroupRow {
    /// The group's key for a group per question kind (the kind) or per job (the job's id).
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    /// The evaluator version's number, for a group per evaluator.
    #[diesel(sql_type = Nullable<Integer>)]
    pub evaluator_id: Option<i32>,
    /// Its provider.
    #[diesel(sql_type = Nullable<Text>)]
    pub provider: Option<String>,
    /// Its model.
    #[diesel(sql_type = Nullable<Text>)]
    pub model: Option<String>,
    /// Its rubric version.
    #[diesel(sql_type = Nullable<Text>)]
    pub rubric_version: Option<String>,
    /// Its prompt version (empty when no prompt wrote it).
    #[diesel(sql_type = Nullable<Text>)]
    pub prompt_version: Option<String>,
    /// The bucket (scores from `bucket × size`), or none for the group's totals.
    #[diesel(sql_type = Nullable<Integer>)]
    pub bucket: Option<i32>,
    /// Answers.
    #[diesel(sql_type = BigInt)]
    pub answers: i64,
    /// The sum of their scores.
    #[diesel(sql_type = BigInt)]
    pub score_sum: i64,
    /// The sum of their squares.
    #[diesel(sql_type = BigInt)]
    pub score_squares: i64,
    /// Different candidates (totals rows, when counted exactly).
    #[diesel(sql_type = Nullable<BigInt>)]
    pub candidates: Option<i64>,
}

/// The grouped rows `grouped` (with `k1`, `ev`, `kj`, `bucket`, `answers`, `score_sum`,
/// `score_squares`, `candidates`) with the evaluator versions' names.
fn named(grouped: &str) -> String {
    format!(
        "SELECT coalesce(g.k1, g.kj::text) AS key, g.ev AS evaluator_id, v.provider, v.model, v.rubric_version, \
             v.prompt_version, \
             g.bucket, g.answers, g.score_sum, g.score_squares, g.candidates \
         FROM ({grouped}) g LEFT JOIN evaluators v ON v.id = g.ev"
    )
}

/// Groups the facts in `source` (a subquery yielding `k1`, `ev`, `kj`, `candidate_id` and
/// `overall`) into totals with exact candidate counts, and buckets of `$size` points.
fn grouped_facts(source: &str, size_param: usize) -> String {
    let grouped = format!(
        "WITH f AS ({source}), \
         per AS (SELECT k1, ev, kj, candidate_id, least(overall, 99) / ${size_param} AS bucket, \
                     count(*) AS n, sum(overall) AS s, sum(overall::bigint * overall) AS sq \
                 FROM f GROUP BY k1, ev, kj, candidate_id, bucket) \
         SELECT k1, ev, kj, bucket, sum(n)::bigint AS answers, sum(s)::bigint AS score_sum, \
             sum(sq)::bigint AS score_squares, NULL::bigint AS candidates \
         FROM per GROUP BY k1, ev, kj, bucket \
         UNION ALL \
         SELECT k1, ev, kj, NULL, sum(n)::bigint, sum(s)::bigint, sum(sq)::bigint, count(DISTINCT candidate_id) \
         FROM per GROUP BY k1, ev, kj"
    );
    named(&grouped)
}

/// The distributions per job of these jobs' answers in the window, an index-only scan of
/// `answer_scores_job_idx` (an HR user's candidates looked up per row, in a hash),
/// in buckets of `bucket_size` points (a multiple of 5 dividing 100); the key is the job's id.
pub async fn by_job(
    conn: &mut AsyncPgConnection,
    jobs: &[JobId],
    population: Population,
    span: Span,
    bucket_size: i32,
) -> QueryResult<Vec<GroupRow>> {
    let source = format!(
        "SELECT NULL::text AS k1, NULL::integer AS ev, s.job_id AS kj, s.candidate_id, s.overall \
         FROM answer_scores s \
         WHERE s.job_id = ANY($1) AND s.submitted_at >= $2 AND s.submitted_at < $3 AND {}",
        population.facts_lookup("s", 5)
    );
    diesel::sql_query(grouped_facts(&source, 4))
        .bind::<Array<SqlUuid>, _>(jobs)
        .bind::<Timestamptz, _>(span.from)
        .bind::<Timestamptz, _>(span.to)
        .bind::<Integer, _>(bucket_size)
        .bind::<SqlUuid, _>(population.hr())
        .load(conn)
        .await
}

/// The distributions per question kind or per evaluator version of the answers in the window,
/// in buckets of `bucket_size` points (a multiple of 5 dividing 100).
///
/// For everyone's answers, the window's whole UTC days come from the rollup `answer_score_days`
/// and only its partial first and last days from `answer_scores`, so a year costs about what a
/// week does; candidates are not counted (see [`candidates_at_least`]). For an HR user's
/// candidates, an index-only scan of `answer_scores_candidate_idx`, with exact candidate counts.
pub async fn by_dimension(
    conn: &mut AsyncPgConnection,
    dimension: Dimension,
    population: Population,
    span: Span,
    bucket_size: i32,
) -> QueryResult<Vec<GroupRow>> {
    match population {
        Population::HrCandidates(hr) => {
            let source = format!(
                "SELECT {}, s.candidate_id, s.overall FROM answer_scores s \
                 WHERE s.submitted_at >= $1 AND s.submitted_at < $2 AND {}",
                dimension.key("s"),
                population.facts_condition("s", 4)
            );
            diesel::sql_query(grouped_facts(&source, 3))
                .bind::<Timestamptz, _>(span.from)
                .bind::<Timestamptz, _>(span.to)
                .bind::<Integer, _>(bucket_size)
                .bind::<SqlUuid, _>(hr)
                .load(conn)
                .await
        }
        Population::All => {
            let days = WholeDays::of(span);
            let grouped = format!(
                "WITH parts AS ( \
                     SELECT {day_key}, d.bin * 5 / $7 AS bucket, d.answers::bigint AS n, d.overall_sum AS s, \
                         d.overall_squares AS sq \
                     FROM answer_score_days d WHERE d.day >= $1 AND d.day < $2 \
                     UNION ALL \
                     SELECT {fact_key}, least(s.overall, 99) / 5 * 5 / $7, 1, s.overall, s.overall::bigint * s.overall \
                     FROM answer_scores s \
                     WHERE (s.submitted_at >= $3 AND s.submitted_at < $4) OR (s.submitted_at >= $5 AND s.submitted_at < $6)) \
                 SELECT k1, ev, kj, bucket, sum(n)::bigint AS answers, sum(s)::bigint AS score_sum, \
                     sum(sq)::bigint AS score_squares, NULL::bigint AS candidates \
                 FROM parts GROUP BY GROUPING SETS ((k1, ev, kj, bucket), (k1, ev, kj)) \
                 HAVING sum(n) > 0",
                day_key = dimension.key("d"),
                fact_key = dimension.key("s"),
            );
            diesel::sql_query(named(&grouped))
                .bind::<diesel::sql_types::Date, _>(days.first)
                .bind::<diesel::sql_types::Date, _>(days.end)
                .bind::<Timestamptz, _>(days.head.from)
                .bind::<Timestamptz, _>(days.head.to)
                .bind::<Timestamptz, _>(days.tail.from)
                .bind::<Timestamptz, _>(days.tail.to)
                .bind::<Integer, _>(bucket_size)
                .load(conn)
                .await
        }
    }
}

/// A window cut into whole UTC days (`first` included, `end` excluded) and the partial days
/// before and after them (`head`, `tail`, possibly empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WholeDays {
    first: NaiveDate,
    end: NaiveDate,
    head: Span,
    tail: Span,
}

impl WholeDays {
    fn of(span: Span) -> Self {
        let midnight = |day: NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
        let floor = span.to.date_naive();
        let start_day = span.from.date_naive();
        let first = if midnight(start_day) == span.from { start_day } else { start_day + Duration::days(1) };
        if first >= floor {
            // No whole day: all of it is read from the per-answer table.
            return Self { first, end: first, head: span, tail: Span { from: span.to, to: span.to } };
        }
        let head = Span { from: span.from, to: midnight(first) };
        let tail = Span { from: midnight(floor), to: span.to };
        Self { first, end: floor, head, tail }
    }
}

/// A group of answers, for [`candidates_at_least`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group<'a> {
    /// The answers to questions of this kind.
    QuestionKind(&'a str),
    /// The answers this evaluator version scored.
    Evaluator(i32),
}

/// Whether at least `cap` different candidates answered in the group in the window: counts them
/// up to `cap` by stepping down `answer_scores_kind_candidate_idx` (or the evaluator's) from
/// candidate to candidate, a few index probes whatever the group's size. Everyone's answers.
pub async fn candidates_at_least(
    conn: &mut AsyncPgConnection,
    group: Group<'_>,
    span: Span,
    cap: i64,
) -> QueryResult<bool> {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let (condition, kind, evaluator) = match group {
        Group::QuestionKind(kind) => ("s.question_kind = $3", kind, 0),
        Group::Evaluator(id) => ("s.evaluator_id = $4", "", id),
    };
    let next = |after: &str| {
        format!(
            "(SELECT s.candidate_id FROM answer_scores s \
              WHERE {condition} {after} AND s.submitted_at >= $1 AND s.submitted_at < $2 \
              ORDER BY s.candidate_id LIMIT 1)"
        )
    };
    let sql = format!(
        "WITH RECURSIVE found(n, candidate) AS ( \
             SELECT 1, {first} \
             UNION ALL \
             SELECT f.n + 1, {following} FROM found f WHERE f.candidate IS NOT NULL AND f.n < $5) \
         SELECT count(candidate) AS n FROM found",
        first = next(""),
        following = next("AND s.candidate_id > f.candidate"),
    );
    let found: Found = diesel::sql_query(sql)
        .bind::<Timestamptz, _>(span.from)
        .bind::<Timestamptz, _>(span.to)
        .bind::<Text, _>(kind)
        .bind::<Integer, _>(evaluator)
        .bind::<BigInt, _>(cap)
        .get_result(conn)
        .await?;
    Ok(found.n >= cap)
}

/// An answer a person scored far from the AI.
#[derive(Clone, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct Disagreement {
    /// The answer.
    #[diesel(sql_type = SqlUuid)]
    pub answer_id: AnswerId,
    /// Its interview.
    #[diesel(sql_type = SqlUuid)]
    pub interview_id: InterviewId,
    /// The question's kind.
    #[diesel(sql_type = Text)]
    pub question_kind: String,
    /// The question as asked.
    #[diesel(sql_type = Text)]
    pub question_text: String,
    /// The AI's overall score (current evaluation).
    #[diesel(sql_type = SmallInt)]
    pub ai_score: i16,
    /// The person's score.
    #[diesel(sql_type = SmallInt)]
    pub human_score: i16,
    /// How far apart they are.
    #[diesel(sql_type = SmallInt)]
    pub difference: i16,
    /// The evaluation's provider.
    #[diesel(sql_type = Text)]
    pub provider: String,
    /// Its model.
    #[diesel(sql_type = Text)]
    pub model: String,
    /// Its rubric version.
    #[diesel(sql_type = Text)]
    pub rubric_version: String,
    /// Its prompt version (empty when none).
    #[diesel(sql_type = Text)]
    pub prompt_version: String,
    /// When the answer was submitted.
    #[diesel(sql_type = Timestamptz)]
    pub submitted_at: DateTime<Utc>,
}

/// Answers submitted in the window whose AI and human scores differ by more than `margin`,
/// largest difference first (then answer id, descending), after the cursor `(difference,
/// answer)`: a keyset walk down `answer_scores_disagreement_idx`, so every page costs the same.
pub async fn disagreements(
    conn: &mut AsyncPgConnection,
    population: Population,
    span: Span,
    margin: i16,
    after: Option<(i16, AnswerId)>,
    limit: i64,
) -> QueryResult<Vec<Disagreement>> {
    let cursor = if after.is_some() { "AND (p.disagreement, p.answer_id) < ($5, $6)" } else { "" };
    let (difference, answer) = after.unwrap_or((0, AnswerId(uuid::Uuid::nil())));
    // The page is found by an index-only walk (the filters' columns are in the index); only its
    // rows are then read in full.
    diesel::sql_query(format!(
        "WITH page AS ( \
             SELECT p.answer_id, p.disagreement FROM answer_scores p \
             WHERE p.disagreement > $1 AND p.submitted_at >= $2 AND p.submitted_at < $3 AND {scope} {cursor} \
             ORDER BY p.disagreement DESC, p.answer_id DESC LIMIT $7) \
         SELECT s.answer_id, s.interview_id, s.question_kind, q.text AS question_text, s.overall AS ai_score, \
             s.human_score, s.disagreement AS difference, v.provider, v.model, v.rubric_version, v.prompt_version, \
             s.submitted_at \
         FROM page JOIN answer_scores s ON s.answer_id = page.answer_id \
         JOIN interview_questions q ON q.id = s.interview_question_id \
         JOIN evaluators v ON v.id = s.evaluator_id \
         ORDER BY page.disagreement DESC, page.answer_id DESC",
        scope = population.facts_lookup("p", 4),
    ))
    .bind::<SmallInt, _>(margin)
    .bind::<Timestamptz, _>(span.from)
    .bind::<Timestamptz, _>(span.to)
    .bind::<SqlUuid, _>(population.hr())
    .bind::<SmallInt, _>(difference)
    .bind::<SqlUuid, _>(answer)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_window_is_cut_into_whole_days_and_partial_edges() {
        let days = WholeDays::of(Span { from: at("2026-03-01T10:00:00Z"), to: at("2026-03-05T06:00:00Z") });
        assert_eq!(
            (days.first.to_string(), days.end.to_string()),
            ("2026-03-02".into(), "2026-03-05".into())
        );
        assert_eq!(days.head, Span { from: at("2026-03-01T10:00:00Z"), to: at("2026-03-02T00:00:00Z") });
        assert_eq!(days.tail, Span { from: at("2026-03-05T00:00:00Z"), to: at("2026-03-05T06:00:00Z") });

        let aligned =
            WholeDays::of(Span { from: at("2026-03-01T00:00:00Z"), to: at("2026-03-03T00:00:00Z") });
        assert_eq!(
            (aligned.first.to_string(), aligned.end.to_string()),
            ("2026-03-01".into(), "2026-03-03".into())
        );
        assert_eq!(aligned.head.from, aligned.head.to);
        assert_eq!(aligned.tail.from, aligned.tail.to);

        let within = WholeDays::of(Span { from: at("2026-03-01T10:00:00Z"), to: at("2026-03-02T09:00:00Z") });
        assert_eq!(within.first, within.end);
        assert_eq!(within.head, Span { from: at("2026-03-01T10:00:00Z"), to: at("2026-03-02T09:00:00Z") });
    }
}
