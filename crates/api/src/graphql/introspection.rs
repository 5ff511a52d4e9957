//! Refusing introspection outright when it is switched off.
//!
//! async-graphql's `disable_introspection` answers `__schema` with `null` and no error, which
//! looks to a client like an empty schema. This extension refuses the operation instead, at parse
//! time, wherever the field hides (fragments included).

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, ServerError, ServerResult, Variables};

/// Installs the [`RefuseIntrospection`] extension.
pub struct RefuseIntrospectionFactory;

impl ExtensionFactory for RefuseIntrospectionFactory {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefuseIntrospection)
    }
}

/// Refuses any operation that selects `__schema` or `__type`.
struct RefuseIntrospection;

#[async_graphql::async_trait::async_trait]
impl Extension for RefuseIntrospection {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let in_operations =
            document.operations.iter().any(|(_, op)| selects_introspection(&op.node.selection_set.node));
        let in_fragments =
            document.fragments.values().any(|f| selects_introspection(&f.node.selection_set.node));
        if in_operations || in_fragments {
            let error = async_graphql::Error::new("introspection is disabled on this server")
                .extend_with(|_, e| e.set("code", "FORBIDDEN"));
            return Err(ServerError {
                extensions: error.extensions,
                ..ServerError::new(error.message, None)
            });
        }
        Ok(document)
    }
}

fn selects_introspection(set: &SelectionSet) -> bool {
    set.items.iter().any(|selection| match &selection.node {
        Selection::Field(field) => {
            let name = field.node.name.node.as_str();
            name == "__schema" || name == "__type" || selects_introspection(&field.node.selection_set.node)
        }
        Selection::InlineFragment(fragment) => selects_introspection(&fragment.node.selection_set.node),
        Selection::FragmentSpread(_) => false,
    })
}
