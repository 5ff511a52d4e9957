//! AI spending per provider per UTC day, shared by every replica.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::QueryResult;

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = Double)]
    usd: f64,
}

/// Adds one call's cost and tokens to today's row for `provider`; returns today's total.
pub async fn add(
    conn: &mut AsyncPgConnection,
    provider: &str,
    usd: f64,
    input_tokens: i64,
    output_tokens: i64,
) -> QueryResult<f64> {
    let total: Total = diesel::sql_query(
        "INSERT INTO ai_spend (day, provider, usd, input_tokens, output_tokens, calls) \
         VALUES ((now() AT TIME ZONE 'UTC')::date, $1, $2, $3, $4, 1) \
         ON CONFLICT (day, provider) DO UPDATE SET \
             usd = ai_spend.usd + EXCLUDED.usd, \
             input_tokens = ai_spend.input_tokens + EXCLUDED.input_tokens, \
             output_tokens = ai_spend.output_tokens + EXCLUDED.output_tokens, \
             calls = ai_spend.calls + 1 \
         RETURNING usd",
    )
    .bind::<Text, _>(provider)
    .bind::<Double, _>(usd.max(0.0))
    .bind::<BigInt, _>(input_tokens.max(0))
    .bind::<BigInt, _>(output_tokens.max(0))
    .get_result(conn)
    .await?;
    Ok(total.usd)
}

/// Today's total for `provider` (0 before its first call of the day).
pub async fn today(conn: &mut AsyncPgConnection, provider: &str) -> QueryResult<f64> {
    let total: Option<Total> = diesel::sql_query(
        "SELECT usd FROM ai_spend WHERE day = (now() AT TIME ZONE 'UTC')::date AND provider = $1",
    )
    .bind::<Text, _>(provider)
    .get_result(conn)
    .await
    .optional()?;
    Ok(total.map_or(0.0, |t| t.usd))
}
