//! The candidate's resume feeds GENERATED questions (INT-2) and practice (CAND-4): the chat
//! model (the fake OpenAI-compatible server, playing an interviewer) is asked with the resume's
//! skills, years and text in the prompt; without a model the bank is planned against it; an HR
//! user who may not see a candidate's resumes never sends them to a model.

use std::sync::Arc;

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use viva_ai::{AiMetrics, Capability, Provider, Registry};
use viva_ai_fakes::interviewer::interviewer;
use viva_ai_fakes::openai::FakeOpenAi;
use viva_test_support::{TestApp, TestUser};

use crate::matching::analysed_resume;
use crate::similarity::candle;

const SCHEDULE: &str = "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { questionSource questions { text } } }";
const PRACTICE: &str = "mutation($i: PracticeInput!) { startPracticeInterview(input: $i) { questionSource questions { text } } }";

/// An app whose chat model is the fake server and whose embedder is the real model.
async fn app_with_chat(openai: &FakeOpenAi) -> TestApp {
    let base_url = openai.base_url();
    TestApp::with_config_and_ai(
        |_| {},
        move |metrics: AiMetrics| -> Registry {
            let mut registry = candle(metrics);
            let chat = viva_openai::OpenAi::new(viva_openai::Settings {
                base_url,
                ..viva_openai::Settings::default()
            })
            .expect("openai client");
            registry.add(Capability::Chat, Provider::Chat(Arc::new(chat))).expect("add chat");
            registry
        },
    )
    .await
}

/// The texts of every chat request the fake received, as JSON.
fn prompts(openai: &FakeOpenAi) -> Vec<String> {
    openai
        .script()
        .requests()
        .iter()
        .filter_map(|r| r.json())
        .map(|body| body["messages"].to_string())
        .collect()
}

async fn resume_of_an_elixir_engineer(app: &TestApp, candidate: &TestUser) {
    analysed_resume(
        app,
        candidate,
        &["Elixir", "Phoenix", "Terraform"],
        7.0,
        &[
            "Backend engineer writing Elixir and Phoenix services for a ride-hailing company.",
            "Provisioned AWS with Terraform; cut deploy time from an hour to ten minutes.",
        ],
    )
    .await;
}

fn generated(candidate: &TestUser, context: Option<&str>) -> Value {
    json!({
        "candidateId": candidate.id, "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": 3,
        "questionSource": "GENERATED", "context": context,
        "windowStart": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "windowEnd": (Utc::now() + Duration::hours(2)).to_rfc3339(),
    })
}

#[tokio::test]
async fn scheduled_generated_questions_are_written_from_the_candidates_resume_and_only_for_a_permitted_hr_user()
 {
    let openai = FakeOpenAi::start().await;
    openai.script().set_responder(interviewer);
    let app = app_with_chat(&openai).await;
    app.seed_question_bank().await;
    let (admin, hr, other_hr) = (app.admin().await, app.hr().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    app.map_hr(&admin, &other_hr).await;
    let candidate = app.candidate().await;
    app.assign(&admin, &candidate, &hr).await;
    resume_of_an_elixir_engineer(&app, &candidate).await;

    // No job and no context: the resume alone is enough to write questions for.
    let scheduled = app.graphql_as(&hr, SCHEDULE, json!({ "i": generated(&candidate, None) })).await;
    let interview = &scheduled.data()["scheduleInterview"];
    assert_eq!(interview["questionSource"], "GENERATED");
    assert_eq!(interview["questions"].as_array().unwrap().len(), 3);
    let sent = prompts(&openai);
    assert_eq!(sent.len(), 1, "{sent:?}");
    for expected in ["Skills: Elixir, Phoenix, Terraform.", "Years of experience: 7.0.", "ride-hailing"] {
        assert!(sent[0].contains(expected), "the prompt carries {expected:?}: {}", sent[0]);
    }
    // The given context comes first, the resume after it.
    openai.script().clear_requests();
    app.graphql_as(&hr, SCHEDULE, json!({ "i": generated(&candidate, Some("Probe on-call experience.")) }))
        .await
        .data();
    let sent = prompts(&openai);
    assert!(sent[0].contains("Probe on-call experience.") && sent[0].contains("Elixir"), "{}", sent[0]);

    // An HR user the candidate is not assigned to cannot schedule, and their attempt sends the
    // candidate's resume to no model, even when the candidate is discoverable (so the HR user
    // may read the resume).
    app.execute(&format!("UPDATE users SET discoverable = true WHERE id = '{}'", candidate.id)).await;
    openai.script().clear_requests();
    let refused =
        app.graphql_as(&other_hr, SCHEDULE, json!({ "i": generated(&candidate, Some("Anything.")) })).await;
    assert!(refused.error_code().is_some(), "{}", refused.body);
    assert!(prompts(&openai).iter().all(|p| !p.contains("Elixir")), "{:?}", prompts(&openai));
}

#[tokio::test]
async fn practice_can_be_planned_against_the_candidates_own_resume() {
    let openai = FakeOpenAi::start().await;
    openai.script().set_responder(interviewer);
    let app = app_with_chat(&openai).await;
    app.seed_question_bank().await;
    let candidate = app.candidate().await;

    let input =
        json!({ "role": "backend-engineer", "difficulty": "EASY", "questionCount": 2, "useResume": true });
    let refused = app.graphql_as(&candidate, PRACTICE, json!({ "i": input })).await;
    assert!(refused.expect_error("BAD_USER_INPUT").contains("resume"), "{}", refused.body);
    assert!(prompts(&openai).is_empty(), "nothing is written without a resume");

    resume_of_an_elixir_engineer(&app, &candidate).await;
    let started = app.graphql_as(&candidate, PRACTICE, json!({ "i": input })).await;
    let practice = &started.data()["startPracticeInterview"];
    assert_eq!(practice["questionSource"], "GENERATED");
    let sent = prompts(&openai);
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].contains("Skills: Elixir, Phoenix, Terraform.") && sent[0].contains("Terraform"),
        "{}",
        sent[0]
    );
}

#[tokio::test]
async fn without_a_chat_model_the_bank_is_planned_against_the_resume() {
    let app = TestApp::with_config_and_ai(|_| {}, candle).await;
    app.seed_question_bank().await;
    let (caching, frontend) = (app.candidate().await, app.candidate().await);
    analysed_resume(
        &app,
        &caching,
        &["Redis", "PostgreSQL"],
        6.0,
        &[
            "Made a slow checkout endpoint fast: read query plans, added indexes, cached prices in Redis.",
            "Cut p99 latency from 900 ms to 140 ms and load-tested the change.",
        ],
    )
    .await;
    analysed_resume(
        &app,
        &frontend,
        &["React", "CSS"],
        4.0,
        &[
            "Led a team through a disagreement about a release date and mentored two juniors.",
            "Ran retrospectives and resolved conflicts between product and design.",
        ],
    )
    .await;
    let input =
        json!({ "role": "backend-engineer", "difficulty": "MEDIUM", "questionCount": 3, "useResume": true });
    let mut plans = Vec::new();
    for candidate in [&caching, &frontend] {
        let started = app.graphql_as(candidate, PRACTICE, json!({ "i": input })).await;
        let practice = started.data()["startPracticeInterview"].clone();
        assert_eq!(practice["questionSource"], "GENERATED", "planned, not drawn: {practice}");
        let texts: Vec<String> = practice["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["text"].as_str().unwrap().to_owned())
            .collect();
        plans.push(texts);
    }
    assert_ne!(
        plans[0], plans[1],
        "two different resumes plan different questions (the first, which the candidate sees): {plans:?}"
    );
}
