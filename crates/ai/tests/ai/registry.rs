//! The fallback chain: transient failures move on to the next provider, bad input does not,
//! and health records what happened.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use viva_ai::{AiMetrics, AiSettings, Capability, Policy, Provider, Registry};
use viva_domain::ai::{AiError, Embedder, ModelInfo};

struct Flaky {
    name: &'static str,
    error: Option<AiError>,
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl Embedder for Flaky {
    fn info(&self) -> ModelInfo {
        ModelInfo::new(self.name, "test")
    }
    fn dimensions(&self) -> usize {
        2
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AiError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(texts.iter().map(|_| vec![1.0, 0.0]).collect()),
        }
    }
}

fn flaky(name: &'static str, error: Option<AiError>) -> Arc<Flaky> {
    Arc::new(Flaky { name, error, calls: AtomicUsize::new(0) })
}

#[tokio::test]
async fn transient_failures_fall_back_and_bad_input_stops() {
    let down = flaky("first", Some(AiError::Upstream { status: 503, message: "busy".into() }));
    let up = flaky("second", None);
    let settings = AiSettings {
        chat: vec![],
        embeddings: vec!["first".into(), "second".into(), "missing".into()],
        transcription: vec![],
    };
    let (d, u) = (down.clone(), up.clone());
    let registry =
        Registry::build(&settings, AiMetrics::unregistered().expect("metrics"), |capability, name| {
            assert_eq!(capability, Capability::Embeddings);
            match name {
                "first" => Ok((Provider::Embedder(d.clone()), Policy::local())),
                "second" => Ok((Provider::Embedder(u.clone()), Policy::local())),
                other => Err(format!("no provider named {other}")),
            }
        });
    let (vectors, info) = registry.embeddings.embed(&["a".to_owned()]).await.expect("the second answers");
    assert_eq!(vectors.len(), 1);
    assert_eq!(info.provider, "second");
    assert_eq!(registry.degraded().len(), 1);
    let summary = registry.degraded_summary().expect("something is degraded");
    assert!(summary.contains("missing") && !summary.contains('\n'), "{summary}");
    let health = registry.health();
    assert_eq!(health.iter().find(|h| h.info.provider == "first").map(|h| h.failures), Some(1));

    let refusing = flaky("strict", Some(AiError::InvalidInput("too long".into())));
    let mut registry = Registry::empty(AiMetrics::unregistered().expect("metrics"));
    registry.add(Capability::Embeddings, Provider::Embedder(refusing)).expect("add");
    registry.add(Capability::Embeddings, Provider::Embedder(up.clone())).expect("add");
    let before = up.calls.load(Ordering::SeqCst);
    assert!(matches!(registry.embeddings.embed(&["a".to_owned()]).await, Err(AiError::InvalidInput(_))));
    assert_eq!(up.calls.load(Ordering::SeqCst), before, "bad input is not retried elsewhere");
    assert!(
        registry.add(Capability::Chat, Provider::Embedder(up)).is_err(),
        "a provider serves only what it offers"
    );
}

#[tokio::test]
async fn with_no_providers_the_evaluator_still_evaluates() {
    let registry = Registry::empty(AiMetrics::unregistered().expect("metrics"));
    let evaluator = viva_ai::Evaluator::new(&registry.embeddings);
    let keywords = vec!["index".to_owned(), "query plan".to_owned()];
    let ctx = viva_ai::QuestionContext {
        text: "How would you speed up a slow SQL query?",
        kind: viva_domain::interview::QuestionKind::Technical,
        ideal_answer: "Read the query plan with EXPLAIN ANALYZE, add the right index, and measure again.",
        expected_keywords: &keywords,
        time_limit_seconds: 120,
    };
    let answer = viva_ai::AnswerInput {
        text: "I would read the query plan first, because it shows where time goes, then add an index on the filtered column and measure again.",
        duration_seconds: None,
    };
    let (evaluation, provenance) = evaluator.evaluate(&ctx, &answer).await;
    assert_eq!(provenance.model, "rules+word-overlap");
    assert_eq!(evaluation.analysis.keywords_covered.len(), 2);
}
