//! The GraphQL schema: one module per feature, merged into the query and mutation roots.

pub mod accounts;
pub mod introspection;
pub mod types;
pub mod users;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};

use crate::config::ApiConfig;
use crate::state::Services;

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(users::UserQuery);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(accounts::AccountMutation, users::UserMutation);

/// The executable schema.
pub type VivaSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema with its limits but no services: what `export-schema` prints.
pub fn schema_builder(config: &ApiConfig) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    let limits = &config.limits;
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives)
        .limit_recursive_depth(32);
    if !config.introspection {
        builder = builder.disable_introspection().extension(introspection::RefuseIntrospectionFactory);
    }
    if !config.suggestions {
        builder = builder.disable_suggestions();
    }
    builder
}

/// The executable schema over the given services.
pub fn build_schema(services: Services) -> VivaSchema {
    schema_builder(&services.config).data(services).finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription).finish().sdl()
}
