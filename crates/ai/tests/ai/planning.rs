//! Follow-ups and question planning.

use viva_ai::{AnswerInput, Evaluator, QuestionContext, followup, planner};
use viva_domain::interview::QuestionKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vague_answer_gets_a_follow_up_and_a_strong_one_does_not() {
    let bank = super::bank();
    let registry = super::registry();
    let evaluator = Evaluator::new(&registry.embeddings);
    let q = bank.iter().find(|q| q.id == "backend-engineer-001").expect("question");
    let ctx = QuestionContext::from(q);
    let vague = AnswerInput { text: "I would look at it and fix it, I guess.", duration_seconds: Some(10) };
    let (evaluation, _) = evaluator.evaluate(&ctx, &vague).await;
    let follow_up = followup::plan(&ctx, &evaluation).expect("a follow-up for a vague answer");
    assert!(follow_up.text.ends_with('?'), "{}", follow_up.text);
    let (strong, provenance) =
        evaluator.evaluate(&ctx, &AnswerInput { text: &q.ideal_answer, duration_seconds: None }).await;
    assert!(strong.scores.overall >= 70, "the ideal answer scores {}", strong.scores.overall);
    assert_eq!(followup::plan(&ctx, &strong), None);
    assert_eq!(provenance.provider, "offline");
    assert!(provenance.model.contains("all-MiniLM-L6-v2"), "{}", provenance.model);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planning_ranks_by_meaning_and_mixes_types() {
    let bank = super::bank();
    let registry = super::registry();
    let candidates: Vec<planner::Candidate> = bank
        .iter()
        .map(|q| planner::Candidate {
            id: uuid::Uuid::new_v4(),
            kind: q.kind,
            text: q.text.clone(),
            keywords: q.expected_keywords.clone(),
        })
        .collect();
    let role_of = |id: &uuid::Uuid| {
        let i = candidates.iter().position(|c| c.id == *id).expect("picked from the candidates");
        bank[i].id.rsplit_once('-').map(|(role, _)| role.to_owned()).unwrap_or_default()
    };
    let context = "We are hiring a site reliability engineer to run our Kubernetes clusters, build CI/CD \
                   pipelines with Terraform, own incident response and on-call, and improve observability \
                   with Prometheus and alerting.";
    let picked = planner::plan(&registry.embeddings, context, &candidates, 6).await.expect("plan");
    assert_eq!(picked.len(), 6);
    let devops = picked.iter().filter(|id| role_of(id) == "devops-engineer").count();
    assert!(devops >= 4, "only {devops} of 6 picked questions are DevOps ones");
    let kinds: std::collections::HashSet<QuestionKind> =
        picked.iter().map(|id| candidates.iter().find(|c| c.id == *id).expect("candidate").kind).collect();
    assert_eq!(kinds.len(), 3, "all three question types are mixed in");
    let unique: std::collections::HashSet<_> = picked.iter().collect();
    assert_eq!(unique.len(), 6);
}
