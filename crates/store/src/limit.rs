//! A `LIMIT` written into the statement's text instead of bound as a parameter.
//!
//! PostgreSQL plans a prepared statement afresh on every execution while the plan for the
//! values at hand looks cheaper than the generic one, and with `LIMIT $n` it always does: the
//! generic plan assumes a tenth of the table, the custom plan the few rows asked for. So a
//! page read with a bound limit pays for planning on every request. With the limit in the text
//! the statement is planned once per connection and page size (a handful in practice; at most
//! the largest page size), and cached like any other. Every keyset-paginated list uses it.

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

/// `query LIMIT n`, with `n` in the statement's text.
#[derive(Debug, Clone, Copy)]
pub struct Limited<Q> {
    query: Q,
    limit: i64,
}

/// Limits `query` to `limit` rows (none when negative), the limit written into the statement
/// (see the module).
pub fn limited<Q>(query: Q, limit: i64) -> Limited<Q> {
    Limited { query, limit: limit.max(0) }
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Limited<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}

impl<Q: Query> Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for Limited<Q> {
    type QueryId = ();
    // The text differs with the limit, so statements are told apart (and cached) by their SQL.
    const HAS_STATIC_QUERY_ID: bool = false;
}
