//! Viva's AI pipelines, built on the provider traits of `viva_domain::ai`.
//!
//! - [`registry`]: the providers chosen by configuration, one fallback chain per capability,
//!   with health and usage metrics.
//! - [`resilience`]: timeouts, retries with backoff, circuit breakers and spend caps.
//! - [`evaluator`]: answer evaluation by rules and sentence embeddings, fully offline.
//! - [`llm`]: evaluations, questions and follow-ups written by the chat model, checked before use.
//! - [`followup`]: a probing follow-up for a vague or weak answer.
//! - [`planner`]: interview questions picked from the bank by meaning against a job
//!   description and a resume, mixing question types.

pub mod evaluator;
pub mod followup;
pub mod llm;
pub mod metrics;
pub mod planner;
pub mod registry;
pub mod resilience;
pub mod speech;
mod text;

pub use evaluator::{AnswerInput, Evaluator, QuestionCache, QuestionContext, RUBRIC_VERSION};
pub use metrics::AiMetrics;
pub use registry::{
    AiSettings, Capability, Chain, Degradation, Exhausted, Meter, Provider, ProviderHealth, Registry, Served,
};
pub use resilience::{BreakerState, Policy, SpendLedger};
