//! Checks on every document before it runs, in one place for every operation, argument and
//! transport (HTTP and WebSocket):
//!
//! - No text may hold a NUL character (`\u0000`): PostgreSQL cannot store it, so it would
//!   surface as an internal error wherever it reached the database. Every string in the
//!   document's arguments and in the variables is checked, and refused as `BAD_USER_INPUT`.
//! - At most `max_aliases` aliased fields in one document: aliases multiply the work of one
//!   request (a hundred aliases of one field are a hundred resolutions).
//! - With introspection switched off, an operation that selects `__schema` or `__type` is
//!   refused outright (`FORBIDDEN`), wherever the field hides, fragments included.
//!   async-graphql's `disable_introspection` alone answers `null` with no error, which looks to
//!   a client like an empty schema.
//!
//! The checks run on the request before it reaches the schema, not as a schema extension: any
//! extension puts every field of every response through async-graphql's extension chain (a
//! registry lookup and a boxed future per field), which costs more than the checks themselves.
//! The document parsed here is kept in the request, so it is parsed once, and documents that
//! passed are kept parsed for the next request with the same text.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, Request, ServerError};
use async_graphql_value::{ConstValue, Value};

/// Deeper than this the walk stops: the schema refuses documents nested past 32 levels anyway,
/// and a hostile document must not exhaust the stack here first.
const MAX_WALK_DEPTH: usize = 64;
/// Most documents kept parsed: an application sends a few dozen distinct operations.
const CACHED_DOCUMENTS: usize = 512;
/// Longest document kept parsed; longer ones are parsed every time.
const CACHED_DOCUMENT_BYTES: usize = 16 * 1024;

/// The checks, and the documents that passed them kept parsed (by their text, least recently
/// used out first), so the operations an application sends again and again are parsed once.
pub struct DocumentChecks {
    max_aliases: usize,
    introspection: bool,
    passed: Mutex<lru::LruCache<String, Arc<ExecutableDocument>>>,
}

impl DocumentChecks {
    /// The checks with these limits, with nothing cached.
    pub fn new(max_aliases: usize, introspection: bool) -> Self {
        let capacity = NonZeroUsize::new(CACHED_DOCUMENTS).unwrap_or(NonZeroUsize::MIN);
        Self { max_aliases, introspection, passed: Mutex::new(lru::LruCache::new(capacity)) }
    }

    /// Checks the request's variables and document, and puts the parsed document in the
    /// request. A document that does not parse passes: the schema reports its syntax error as
    /// it reports any other.
    pub fn check(&self, request: &mut Request) -> Result<(), ServerError> {
        if let Some((name, _)) = request.variables.iter().find(|(_, value)| const_has_nul(value)) {
            return Err(refuse(
                format!("variable `{name}` contains a NUL character, which text may not hold"),
                "BAD_USER_INPUT",
            ));
        }
        let cached = self.lock().get(&request.query).cloned();
        if let Some(document) = cached {
            request.set_parsed_query(ExecutableDocument::clone(&document));
            return Ok(());
        }
        let text = (request.query.len() <= CACHED_DOCUMENT_BYTES).then(|| request.query.clone());
        let Ok(document) = request.parsed_query() else {
            return Ok(());
        };
        self.check_document(document)?;
        if let Some(text) = text {
            let document = Arc::new(document.clone());
            self.lock().put(text, document);
        }
        Ok(())
    }

    fn check_document(&self, document: &ExecutableDocument) -> Result<(), ServerError> {
        let sets = document
            .operations
            .iter()
            .map(|(_, op)| &op.node.selection_set.node)
            .chain(document.fragments.values().map(|f| &f.node.selection_set.node));
        let mut walk = Walk::default();
        for set in sets {
            walk.selection_set(set, 0);
        }
        if walk.nul {
            return Err(refuse(
                "an argument contains a NUL character, which text may not hold".to_owned(),
                "BAD_USER_INPUT",
            ));
        }
        if walk.aliases > self.max_aliases {
            return Err(refuse(
                format!(
                    "the document has {} aliased fields; at most {} are allowed",
                    walk.aliases, self.max_aliases
                ),
                "BAD_USER_INPUT",
            ));
        }
        if walk.introspection && !self.introspection {
            return Err(refuse("introspection is disabled on this server".to_owned(), "FORBIDDEN"));
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<String, Arc<ExecutableDocument>>> {
        // A panic while holding the lock leaves the cache consistent enough to keep using.
        self.passed.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn refuse(message: String, code: &'static str) -> ServerError {
    let error = async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code));
    ServerError { extensions: error.extensions, ..ServerError::new(error.message, None) }
}

#[derive(Default)]
struct Walk {
    aliases: usize,
    nul: bool,
    introspection: bool,
}

impl Walk {
    fn selection_set(&mut self, set: &SelectionSet, depth: usize) {
        if depth > MAX_WALK_DEPTH {
            return;
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    self.introspection |= name == "__schema" || name == "__type";
                    self.aliases += usize::from(field.alias.is_some());
                    self.nul |= field.arguments.iter().any(|(_, value)| value_has_nul(&value.node));
                    self.nul |= field
                        .directives
                        .iter()
                        .any(|d| d.node.arguments.iter().any(|(_, value)| value_has_nul(&value.node)));
                    self.selection_set(&field.selection_set.node, depth + 1);
                }
                Selection::InlineFragment(fragment) => {
                    self.selection_set(&fragment.node.selection_set.node, depth + 1);
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

fn value_has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::List(items) => items.iter().any(value_has_nul),
        Value::Object(fields) => fields.iter().any(|(key, v)| key.contains('\0') || value_has_nul(v)),
        _ => false,
    }
}

fn const_has_nul(value: &ConstValue) -> bool {
    match value {
        ConstValue::String(text) => text.contains('\0'),
        ConstValue::List(items) => items.iter().any(const_has_nul),
        ConstValue::Object(fields) => fields.iter().any(|(key, v)| key.contains('\0') || const_has_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn code(error: &ServerError) -> String {
        error.extensions.as_ref().and_then(|e| e.get("code")).map(|c| c.to_string()).unwrap_or_default()
    }

    fn request(query: &str) -> Request {
        Request::new(query)
    }

    #[test]
    fn refused_documents_stay_refused_and_are_never_kept() {
        let checks = DocumentChecks::new(2, false);
        let aliased = "{ a: me { id } b: me { id } c: me { id } }";
        for _ in 0..2 {
            let error = checks.check(&mut request(aliased)).unwrap_err();
            assert!(error.message.contains("3 aliased fields"), "{}", error.message);
            assert_eq!(code(&error), "\"BAD_USER_INPUT\"");
        }
        let hidden = "query { ...F } fragment F on Query { __schema { types { name } } }";
        for _ in 0..2 {
            let error = checks.check(&mut request(hidden)).unwrap_err();
            assert_eq!(code(&error), "\"FORBIDDEN\"");
        }
        let nul = "{ interview(id: \"a\\u0000b\") { id } }";
        assert!(checks.check(&mut request(nul)).unwrap_err().message.contains("NUL"));
        assert_eq!(checks.lock().len(), 0, "nothing refused is kept");
    }

    #[test]
    fn a_passed_document_is_kept_parsed_and_its_variables_still_checked() {
        let checks = DocumentChecks::new(30, true);
        let query = "query($id: ID!) { interview(id: $id) { id } }";
        for _ in 0..3 {
            let mut ok = request(query);
            checks.check(&mut ok).unwrap();
            assert_eq!(ok.parsed_query().unwrap().operations.iter().count(), 1);
        }
        assert_eq!(checks.lock().len(), 1);
        let mut bad = request(query)
            .variables(async_graphql::Variables::from_json(serde_json::json!({ "id": "x\u{0}y" })));
        let error = checks.check(&mut bad).unwrap_err();
        assert!(error.message.contains("variable `id`"), "{}", error.message);
        // A document that does not parse passes, for the schema to report in its own words.
        checks.check(&mut request("{ interview(")).unwrap();
        assert_eq!(checks.lock().len(), 1);
    }
}
