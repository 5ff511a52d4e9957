//! The GraphQL schema: one module per feature, merged into the query and mutation roots.

pub mod account_data;
pub mod accounts;
pub mod admin;
pub mod analytics;
pub mod document_checks;
pub mod evaluations;
pub mod hr;
pub mod interview_questions;
pub mod interviews;
pub mod jobs;
pub mod mapping;
pub mod matching;
pub mod messages;
pub mod notifications;
pub mod pagination;
pub mod people;
pub mod questions;
pub mod reports;
pub mod resume_analysis;
pub mod resumes;
pub mod similarity;
pub mod types;
pub(crate) mod uploads;
pub mod users;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::config::ApiConfig;
use crate::state::Services;

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(
    users::UserQuery,
    similarity::SimilarityQuery,
    account_data::AccountDataQuery,
    admin::AdminQuery,
    mapping::MappingQuery,
    hr::HrQuery,
    messages::MessageQuery,
    notifications::NotificationQuery,
    questions::QuestionQuery,
    jobs::JobQuery,
    interviews::InterviewQuery,
    analytics::AnalyticsQuery,
    reports::ReportQuery,
    resumes::ResumeQuery,
    matching::MatchingQuery,
);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    accounts::AccountMutation,
    similarity::SimilarityMutation,
    users::UserMutation,
    account_data::AccountDataMutation,
    admin::AdminMutation,
    mapping::MappingMutation,
    messages::MessageMutation,
    notifications::NotificationMutation,
    questions::QuestionMutation,
    jobs::JobMutation,
    interviews::InterviewMutation,
    reports::ReportMutation,
    resumes::ResumeMutation,
);

/// Every subscription: live updates over `/graphql/ws` (graphql-transport-ws).
#[derive(MergedSubscription, Default)]
pub struct Subscription(notifications::NotificationSubscription, interviews::InterviewSubscription);

/// The executable schema.
pub type VivaSchema = Schema<Query, Mutation, Subscription>;

/// The schema with its limits but no services: what `export-schema` prints. Requests pass
/// [`document_checks::check`] before they reach it.
pub fn schema_builder(config: &ApiConfig) -> SchemaBuilder<Query, Mutation, Subscription> {
    let limits = &config.limits;
    let mut builder = Schema::build(Query::default(), Mutation::default(), Subscription::default())
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives)
        .limit_recursive_depth(32);
    // Refused before they reach the schema (`document_checks::check`); this keeps a document
    // that escaped the check from introspecting anyway.
    if !config.introspection {
        builder = builder.disable_introspection();
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
    Schema::build(Query::default(), Mutation::default(), Subscription::default()).finish().sdl()
}
