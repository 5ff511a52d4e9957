//! The AI pipelines against the real all-MiniLM-L6-v2 model: scoring quality over the committed
//! triples, follow-ups, question planning, and the registry's fallback; model-written
//! evaluations through the real Gemini and OpenAI-compatible clients against local fakes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod planning;
mod quality;
mod registry;
mod remote;

use std::sync::Arc;

use viva_ai::{AiMetrics, Capability, Provider, Registry};

/// The allocator the `viva` binary runs with: the model's inference is as fast here as there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A registry whose embedding chain is the real candle model.
pub(crate) fn registry() -> Registry {
    let dir = viva_candle::locate(None)
        .unwrap_or_else(|| panic!("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh"));
    let embedder =
        viva_candle::CandleEmbedder::load(&dir, viva_candle::Options::default()).expect("load model");
    let mut registry = Registry::empty(AiMetrics::unregistered().expect("metrics"));
    registry.add(Capability::Embeddings, Provider::Embedder(Arc::new(embedder))).expect("add embedder");
    registry
}

/// The shipped question bank.
pub(crate) fn bank() -> Vec<viva_domain::question_bank::BankQuestion> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/questions");
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read bank") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read role");
        let role =
            viva_domain::question_bank::parse_role(&path.display().to_string(), &text).expect("parse role");
        all.extend(role.questions);
    }
    all
}
