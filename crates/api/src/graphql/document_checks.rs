//! Checks on every document before it runs, in one place for every operation and argument:
//!
//! - No text may hold a NUL character (`\u0000`): PostgreSQL cannot store it, so it would
//!   surface as an internal error wherever it reached the database. Every string in the
//!   document's arguments and in the variables is checked, and refused as `BAD_USER_INPUT`.
//! - At most `max_aliases` aliased fields in one document: aliases multiply the work of one
//!   request (a hundred aliases of one field are a hundred resolutions).

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, ServerError, ServerResult, Variables};
use async_graphql_value::{ConstValue, Value};

/// Installs the [`DocumentChecks`] extension.
pub struct DocumentChecksFactory {
    /// Most aliased fields one document may hold.
    pub max_aliases: usize,
}

impl ExtensionFactory for DocumentChecksFactory {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentChecks { max_aliases: self.max_aliases })
    }
}

struct DocumentChecks {
    max_aliases: usize,
}

fn refuse(message: String) -> ServerError {
    let error = async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "BAD_USER_INPUT"));
    ServerError { extensions: error.extensions, ..ServerError::new(error.message, None) }
}

#[async_graphql::async_trait::async_trait]
impl Extension for DocumentChecks {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Some((name, _)) = variables.iter().find(|(_, value)| const_has_nul(value)) {
            return Err(refuse(format!(
                "variable `{name}` contains a NUL character, which text may not hold"
            )));
        }
        let document = next.run(ctx, query, variables).await?;
        let sets = document
            .operations
            .iter()
            .map(|(_, op)| &op.node.selection_set.node)
            .chain(document.fragments.values().map(|f| &f.node.selection_set.node));
        let mut walk = Walk::default();
        for set in sets {
            walk.selection_set(set);
        }
        if walk.nul {
            return Err(refuse("an argument contains a NUL character, which text may not hold".to_owned()));
        }
        if walk.aliases > self.max_aliases {
            return Err(refuse(format!(
                "the document has {} aliased fields; at most {} are allowed",
                walk.aliases, self.max_aliases
            )));
        }
        Ok(document)
    }
}

#[derive(Default)]
struct Walk {
    aliases: usize,
    nul: bool,
}

impl Walk {
    fn selection_set(&mut self, set: &SelectionSet) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    self.aliases += usize::from(field.alias.is_some());
                    self.nul |= field.arguments.iter().any(|(_, value)| value_has_nul(&value.node));
                    self.nul |= field
                        .directives
                        .iter()
                        .any(|d| d.node.arguments.iter().any(|(_, value)| value_has_nul(&value.node)));
                    self.selection_set(&field.selection_set.node);
                }
                Selection::InlineFragment(fragment) => self.selection_set(&fragment.node.selection_set.node),
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
