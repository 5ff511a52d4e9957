//! Relay-style cursor pagination: opaque cursors over keyset positions, so pages stay correct
//! while rows are inserted between them.

use async_graphql::SimpleObject;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use viva_store::models::TimeCursor;
use viva_store::models::user::UserCursor;

use crate::error::{AppError, AppResult};

/// Items per page when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// Most items per page.
pub const MAX_PAGE_SIZE: i32 = 100;

/// Where a page is in its list.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    /// Whether items come after this page; pass `endCursor` as `after` to get them.
    pub has_next_page: bool,
    /// Whether this page started after a cursor (items come before it).
    pub has_previous_page: bool,
    /// The cursor of the first item on this page.
    pub start_cursor: Option<String>,
    /// The cursor of the last item on this page.
    pub end_cursor: Option<String>,
}

/// A page before it becomes a GraphQL connection type.
pub struct PageParts<N> {
    /// The items with their cursors.
    pub edges: Vec<(String, N)>,
    /// Where the page is.
    pub page_info: PageInfo,
}

/// Declares a documented Relay connection type and its edge type for a node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            /// The items on this page, each with its cursor.
            pub edges: Vec<$edge>,
            /// Where this page is in the list.
            pub page_info: $crate::graphql::pagination::PageInfo,
            /// How many items this page holds.
            pub count: i32,
        }

        #[doc = concat!("One of ", $what, ", with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// The item.
            pub node: $node,
            /// Pass as `after` to continue after this item.
            pub cursor: String,
        }

        impl From<$crate::graphql::pagination::PageParts<$node>> for $connection {
            fn from(parts: $crate::graphql::pagination::PageParts<$node>) -> Self {
                let edges: Vec<$edge> =
                    parts.edges.into_iter().map(|(cursor, node)| $edge { node, cursor }).collect();
                Self {
                    count: i32::try_from(edges.len()).unwrap_or(i32::MAX),
                    edges,
                    page_info: parts.page_info,
                }
            }
        }
    };
}
pub(crate) use connection;

/// The complexity of a paginated field: its page size (as asked, or the default) times what
/// each item selects, so a request's cost grows with the rows it can return.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let rows = usize::try_from(first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)).unwrap_or(1);
    rows.saturating_mul(child_complexity).saturating_add(1)
}

/// The complexity of a list field without pagination whose length is bounded by `rows`.
pub fn list_cost(rows: usize, child_complexity: usize) -> usize {
    rows.saturating_mul(child_complexity).saturating_add(1)
}

/// The page size asked for, checked.
pub fn page_size(first: Option<i32>) -> AppResult<i64> {
    match first.unwrap_or(DEFAULT_PAGE_SIZE) {
        n @ 1..=MAX_PAGE_SIZE => Ok(i64::from(n)),
        _ => Err(AppError::bad_field("first", format!("must be between 1 and {MAX_PAGE_SIZE}"))),
    }
}

fn encode(raw: String) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode(cursor: &str) -> AppResult<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| AppError::bad_field("after", "is not a cursor from this list"))
}

/// The cursor of a row in a list ordered by time then id.
pub fn time_cursor(at: DateTime<Utc>, id: impl Into<Uuid>) -> String {
    let id: Uuid = id.into();
    encode(format!("t|{}|{id}", at.timestamp_micros()))
}

/// Reads a time cursor.
pub fn parse_time_cursor(cursor: Option<&str>) -> AppResult<Option<TimeCursor>> {
    let Some(cursor) = cursor else { return Ok(None) };
    let raw = decode(cursor)?;
    let bad = || AppError::bad_field("after", "is not a cursor from this list");
    let mut parts = raw.splitn(3, '|');
    let (Some("t"), Some(micros), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let at = micros.parse::<i64>().ok().and_then(DateTime::from_timestamp_micros).ok_or_else(bad)?;
    let id = id.parse::<Uuid>().map_err(|_| bad())?;
    Ok(Some(TimeCursor { at, id }))
}

/// The cursor of a user-list row.
pub fn user_cursor(cursor: &UserCursor) -> String {
    match cursor {
        UserCursor::Time(at, id) => time_cursor(*at, *id),
        UserCursor::Text(text, id) => encode(format!("s|{id}|{text}")),
    }
}

/// Reads a user-list cursor.
pub fn parse_user_cursor(cursor: Option<&str>) -> AppResult<Option<UserCursor>> {
    let Some(cursor) = cursor else { return Ok(None) };
    let raw = decode(cursor)?;
    if raw.starts_with("t|") {
        return Ok(parse_time_cursor(Some(cursor))?.map(|c| UserCursor::Time(c.at, c.id)));
    }
    let bad = || AppError::bad_field("after", "is not a cursor from this list");
    let mut parts = raw.splitn(3, '|');
    let (Some("s"), Some(id), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    Ok(Some(UserCursor::Text(text.to_owned(), id.parse().map_err(|_| bad())?)))
}

/// Builds a page from `rows` fetched with `limit + 1`: the extra row only says there is more.
pub fn page<R, N>(
    mut rows: Vec<R>,
    limit: i64,
    after_given: bool,
    cursor: impl Fn(&R) -> String,
    mut node: impl FnMut(R) -> N,
) -> PageParts<N> {
    let has_next_page = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let edges: Vec<(String, N)> = rows.into_iter().map(|row| (cursor(&row), node(row))).collect();
    let page_info = PageInfo {
        has_next_page,
        has_previous_page: after_given,
        start_cursor: edges.first().map(|(c, _)| c.clone()),
        end_cursor: edges.last().map(|(c, _)| c.clone()),
    };
    PageParts { edges, page_info }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        let id = Uuid::now_v7();
        let parsed = parse_time_cursor(Some(&time_cursor(at, id))).unwrap().unwrap();
        assert_eq!((parsed.at, parsed.id), (at, id));
        let text = UserCursor::Text("Ada | Lovelace".into(), id);
        assert_eq!(parse_user_cursor(Some(&user_cursor(&text))).unwrap(), Some(text));
    }

    #[test]
    fn foreign_cursors_and_sizes_are_refused() {
        assert!(parse_time_cursor(Some("bm9wZQ")).is_err());
        assert!(parse_time_cursor(Some("!!")).is_err());
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(101)).is_err());
        assert_eq!(page_size(None).unwrap(), 20);
    }
}
