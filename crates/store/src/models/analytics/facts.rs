//! Keeping `answer_scores` and the rollups in step: called in the transaction that stores an
//! evaluation or a person's score, under the interview's row lock (so two writes for one answer
//! never interleave).

use chrono::NaiveDate;
use diesel::OptionalExtension;
use diesel::sql_types::{BigInt, Date, Integer, SmallInt, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use viva_domain::AnswerId;

use crate::QueryResult;
use crate::models::evaluation::StoredEvaluation;

/// What an answer adds to the day rollup: its group, its bin and its score.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, diesel::QueryableByName)]
struct Contribution {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = Text)]
    question_kind: String,
    #[diesel(sql_type = Integer)]
    evaluator_id: i32,
    #[diesel(sql_type = SmallInt)]
    bin: i16,
    #[diesel(sql_type = SmallInt)]
    overall: i16,
}

const CONTRIBUTION: &str = "(submitted_at AT TIME ZONE 'UTC')::date AS day, question_kind, evaluator_id, \
     (least(overall, 99) / 5)::smallint AS bin, overall";

/// Brings the answer's row of `answer_scores` up to date with its current evaluation and any
/// person's score (from the view `answer_score_source`), and moves its contribution in the day
/// rollup from its old group to its new one. An answer without a current evaluation has no
/// row.
pub async fn record(conn: &mut AsyncPgConnection, answer: AnswerId) -> QueryResult<()> {
    let old: Option<Contribution> =
        diesel::sql_query(format!("SELECT {CONTRIBUTION} FROM answer_scores WHERE answer_id = $1"))
            .bind::<SqlUuid, _>(answer)
            .get_result(conn)
            .await
            .optional()?;
    // The evaluation's version is numbered once, the first time it is seen.
    diesel::sql_query(
        "INSERT INTO evaluators (provider, model, rubric_version, prompt_version) \
         SELECT e.provider, e.model, e.rubric_version, coalesce(e.prompt_version, '') FROM evaluations e \
         WHERE e.answer_id = $1 AND e.current AND NOT EXISTS (SELECT 1 FROM evaluators v \
             WHERE v.provider = e.provider AND v.model = e.model AND v.rubric_version = e.rubric_version \
               AND v.prompt_version = coalesce(e.prompt_version, '')) \
         ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(answer)
    .execute(conn)
    .await?;
    let new: Option<Contribution> = diesel::sql_query(format!(
        "INSERT INTO answer_scores AS s (answer_id, interview_id, interview_question_id, candidate_id, job_id, \
             practice, question_kind, submitted_at, evaluated_at, evaluator_id, overall, content, communication, \
             technical_depth, relevance, human_score) \
         SELECT answer_id, interview_id, interview_question_id, candidate_id, job_id, practice, question_kind, \
             submitted_at, evaluated_at, evaluator_id, overall, content, communication, technical_depth, relevance, \
             human_score \
         FROM answer_score_source WHERE answer_id = $1 \
         ON CONFLICT (answer_id) DO UPDATE SET job_id = EXCLUDED.job_id, evaluated_at = EXCLUDED.evaluated_at, \
             evaluator_id = EXCLUDED.evaluator_id, overall = EXCLUDED.overall, content = EXCLUDED.content, \
             communication = EXCLUDED.communication, technical_depth = EXCLUDED.technical_depth, \
             relevance = EXCLUDED.relevance, human_score = EXCLUDED.human_score \
         RETURNING {CONTRIBUTION}"
    ))
    .bind::<SqlUuid, _>(answer)
    .get_result(conn)
    .await
    .optional()?;
    if new.is_none() && old.is_some() {
        diesel::sql_query("DELETE FROM answer_scores WHERE answer_id = $1")
            .bind::<SqlUuid, _>(answer)
            .execute(conn)
            .await?;
    }
    if old == new {
        // A person's score changed, or nothing: the AI's distribution is the same.
        return Ok(());
    }
    // Rows are locked in key order, so two re-evaluations moving answers between the same two
    // groups in opposite directions cannot deadlock.
    let mut changes: Vec<(Contribution, i32)> =
        old.into_iter().map(|c| (c, -1)).chain(new.into_iter().map(|c| (c, 1))).collect();
    changes.sort();
    for (c, sign) in changes {
        let overall = i64::from(c.overall) * i64::from(sign);
        diesel::sql_query(
            "INSERT INTO answer_score_days AS d (day, question_kind, evaluator_id, bin, answers, overall_sum, \
                 overall_squares) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (day, question_kind, evaluator_id, bin) DO UPDATE SET \
                 answers = d.answers + EXCLUDED.answers, overall_sum = d.overall_sum + EXCLUDED.overall_sum, \
                 overall_squares = d.overall_squares + EXCLUDED.overall_squares",
        )
        .bind::<Date, _>(c.day)
        .bind::<Text, _>(&c.question_kind)
        .bind::<Integer, _>(c.evaluator_id)
        .bind::<SmallInt, _>(c.bin)
        .bind::<Integer, _>(sign)
        .bind::<BigInt, _>(overall)
        .bind::<BigInt, _>(overall * i64::from(c.overall))
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Counts a written evaluation in `evaluation_days` (its provider and model, tokens, latency and
/// whether it was a fallback), on the UTC day it was written.
pub async fn count_evaluation(
    conn: &mut AsyncPgConnection,
    evaluation: &StoredEvaluation,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO evaluation_days AS d (day, provider, model, evaluations, fallbacks, input_tokens, \
             output_tokens, latency_ms_sum, latencies) \
         VALUES (($1 AT TIME ZONE 'UTC')::date, $2, $3, 1, $4, $5, $6, $7, $8) \
         ON CONFLICT (day, provider, model) DO UPDATE SET evaluations = d.evaluations + 1, \
             fallbacks = d.fallbacks + EXCLUDED.fallbacks, input_tokens = d.input_tokens + EXCLUDED.input_tokens, \
             output_tokens = d.output_tokens + EXCLUDED.output_tokens, \
             latency_ms_sum = d.latency_ms_sum + EXCLUDED.latency_ms_sum, latencies = d.latencies + EXCLUDED.latencies",
    )
    .bind::<Timestamptz, _>(evaluation.created_at)
    .bind::<Text, _>(&evaluation.provider)
    .bind::<Text, _>(&evaluation.model)
    .bind::<BigInt, _>(i64::from(evaluation.fallback.is_some()))
    .bind::<BigInt, _>(i64::from(evaluation.input_tokens.unwrap_or(0)))
    .bind::<BigInt, _>(i64::from(evaluation.output_tokens.unwrap_or(0)))
    .bind::<BigInt, _>(i64::from(evaluation.latency_ms.unwrap_or(0)))
    .bind::<BigInt, _>(i64::from(evaluation.latency_ms.is_some()))
    .execute(conn)
    .await?;
    Ok(())
}
