//! Viva's GraphQL API: the schema, its resolvers (one module per feature), authentication,
//! error mapping and the axum router.

pub mod auth;
pub mod config;
pub mod cookies;
mod downloads;
pub mod error;
pub mod fanout;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod loaders;
pub mod metrics;
pub mod multipart;
pub mod persisted;
pub mod state;
pub mod ws;

pub use config::ApiConfig;
pub use error::{AppError, AppResult};
pub use graphql::{VivaSchema, build_schema, sdl};
pub use http::router;
pub use state::Services;

/// The router over fresh services: what `viva serve` and the tests run.
pub fn app(services: Services) -> axum::Router {
    let schema = build_schema(services.clone());
    router(schema, services)
}
