//! Question reuse and leak detection (REPORT-3): a lightly edited copy planted among 1,000
//! honest answers to one question is the one flag, with the real embedding model; who sees
//! which flag and which side of it; and the question-usage counts and their pages.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use viva_ai::{AiMetrics, Capability, Provider, Registry};
use viva_service::similarity::fingerprint::{overlap, shingles, words};
use viva_service::similarity::{MIN_CONTAINMENT, MIN_JACCARD};
use viva_test_support::{TestApp, TestUser};

use crate::answer_corpus;

/// The bank question every answer here is to.
const CACHING: &str = "Design caching for a read-heavy service.";

const FLAGS: &str = "query($status: SimilarityFlagStatus, $first: Int) { similarityFlags(status: $status, first: $first) { count edges { node { id questionId questionText jaccard containment cosine embeddingModel status reviewNote reviewedBy earlier { text submittedAt identified answerId interviewId candidateId candidateName } later { text submittedAt identified answerId interviewId candidateId candidateName } } } } }";
const REVIEW: &str = "mutation($id: ID!, $s: SimilarityFlagStatus!, $n: String) { reviewSimilarityFlag(id: $id, status: $s, note: $n) { status reviewNote reviewedBy } }";
const USAGE: &str = "query($role: String, $first: Int, $after: String) { questionUsage(roleSlug: $role, first: $first, after: $after) { count pageInfo { hasNextPage endCursor } edges { node { questionId role text askedInInterviews askedInPractice timesAsked distinctCandidates lastUsedAt retireSuggested } } } }";

/// A registry whose embedding chain is the real all-MiniLM-L6-v2 (fetched by
/// `scripts/fetch-model.sh`, which `make test` runs).
pub(crate) fn candle(metrics: AiMetrics) -> Registry {
    let dir = viva_candle::locate(None)
        .unwrap_or_else(|| panic!("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh"));
    let embedder =
        viva_candle::CandleEmbedder::load(&dir, viva_candle::Options::default()).expect("load model");
    let mut registry = Registry::empty(metrics);
    registry.add(Capability::Embeddings, Provider::Embedder(Arc::new(embedder))).expect("add embedder");
    registry
}

/// The id of a shipped backend-engineer question whose text starts with `start`.
async fn bank_question(app: &TestApp, as_user: &TestUser, start: &str) -> String {
    let list = app
        .graphql_as(
            as_user,
            "{ defaultQuestions(filter: { role: \"backend-engineer\" }, first: 100) { edges { node { id text } } } }",
            json!({}),
        )
        .await;
    let edges = list.data()["defaultQuestions"]["edges"].as_array().unwrap().clone();
    let found = edges.iter().find(|e| e["node"]["text"].as_str().unwrap().starts_with(start));
    found.unwrap_or_else(|| panic!("no bank question starts with {start:?}"))["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Schedules an interview of the given bank questions for `candidate`, starts it as the
/// candidate, and answers each question with the matching text.
async fn interview(app: &TestApp, hr: &TestUser, candidate: &TestUser, questions: &[&str], texts: &[&str]) {
    let input = json!({
        "candidateId": candidate.id, "role": "backend-engineer", "difficulty": "HARD",
        "questionSource": "EXPLICIT", "questionIds": questions,
        "windowStart": (Utc::now() - Duration::minutes(1)).to_rfc3339(),
        "windowEnd": (Utc::now() + Duration::hours(2)).to_rfc3339(),
    });
    let scheduled = app
        .graphql_as(
            hr,
            "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id questions { id } } }",
            json!({ "i": input }),
        )
        .await;
    let id = scheduled.data()["scheduleInterview"]["id"].as_str().unwrap().to_owned();
    let asked = scheduled.data()["scheduleInterview"]["questions"].as_array().unwrap().clone();
    app.graphql_as(
        candidate,
        "mutation($id: ID!) { startInterview(interviewId: $id) { status } }",
        json!({ "id": id }),
    )
    .await
    .data();
    for (n, (question, text)) in asked.iter().zip(texts).enumerate() {
        let a = json!({ "questionId": question["id"], "text": text, "idempotencyKey": format!("answer-key-{n:04}") });
        app.graphql_as(
            candidate,
            "mutation($id: ID!, $a: AnswerInput!) { submitAnswer(interviewId: $id, input: $a) { answer { id } } }",
            json!({ "id": id, "a": a }),
        )
        .await
        .data();
    }
}

/// Stores `texts` as the answers of that many candidates (one completed interview each) to the
/// bank question `question`, submitted a minute apart, and queues their similarity checks as
/// the migration does for answers that predate it. SQL rather than 1,000 sign-ins.
async fn load_honest_answers(app: &TestApp, hr: &TestUser, question: &str, texts: &[String]) {
    let n = texts.len();
    app.execute(&format!(
        "INSERT INTO users (id, email, password_hash, full_name, role) \
         SELECT md5('cand' || n)::uuid, 'honest-' || n || '@example.org', 'not-a-hash', 'Honest Candidate ' || n, 'CANDIDATE' \
         FROM generate_series(1, {n}) n"
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO interviews (id, candidate_id, hr_id, scheduled_by, role_slug, difficulty, practice, status, \
                                 question_source, window_start, window_end, started_at, completed_at) \
         SELECT md5('int' || n)::uuid, md5('cand' || n)::uuid, '{hr}', '{hr}', 'backend-engineer', 'HARD', false, \
                'COMPLETED', 'EXPLICIT', now() - interval '30 days', now() - interval '29 days', \
                now() - interval '30 days', now() - interval '30 days' \
         FROM generate_series(1, {n}) n",
        hr = hr.id
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO interview_questions (id, interview_id, position, question_id, kind, text, expected_keywords, \
                                          ideal_answer, time_limit_seconds) \
         SELECT md5('iq' || n)::uuid, md5('int' || n)::uuid, 1, q.id, q.kind, q.text, q.expected_keywords, \
                q.ideal_answer, q.time_limit_seconds \
         FROM generate_series(1, {n}) n, questions q WHERE q.id = '{question}'"
    ))
    .await;
    let values: Vec<String> =
        texts.iter().enumerate().map(|(i, t)| format!("({}, $t${t}$t$)", i + 1)).collect();
    app.execute(&format!(
        "INSERT INTO answers (id, interview_id, interview_question_id, text, idempotency_key, request_hash, submitted_at) \
         SELECT md5('ans' || n)::uuid, md5('int' || n)::uuid, md5('iq' || n)::uuid, body, 'honest-key-' || n, \
                '\\x00'::bytea, now() - interval '1 minute' * ({n} + 1 - n) \
         FROM (VALUES {}) AS t(n, body)",
        values.join(", ")
    ))
    .await;
    app.execute(
        "INSERT INTO background_jobs (id, kind, payload, max_attempts) \
         SELECT gen_random_uuid(), 'check_answer_similarity', jsonb_build_object('answer_id', id), 5 FROM answers",
    )
    .await;
}

#[tokio::test]
async fn a_lightly_edited_copy_among_a_thousand_honest_answers_is_the_one_flag() {
    let app = TestApp::with_config_and_ai(|_| {}, candle).await;
    app.seed_question_bank().await;
    let (admin, hr, copier) = (app.admin().await, app.hr().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &copier, &hr).await;
    let question = bank_question(&app, &hr, CACHING).await;

    // 1,000 honest answers that overlap the way real ones do: many pairs share stock phrases,
    // none is a near-copy of another.
    let honest = answer_corpus::answers(2026, 1000);
    let sets: Vec<Vec<u64>> = honest.iter().map(|a| shingles(&words(a))).collect();
    let (mut sharing, mut pairs, mut closest) = (0usize, 0usize, (0.0f32, 0usize, 0usize));
    let mut most_contained = 0.0f32;
    for i in 0..sets.len() {
        for j in i + 1..sets.len() {
            let o = overlap(&sets[i], &sets[j]);
            pairs += 1;
            sharing += usize::from(o.jaccard > 0.1);
            most_contained = most_contained.max(o.containment);
            if o.jaccard > closest.0 {
                closest = (o.jaccard, i, j);
            }
        }
    }
    eprintln!(
        "honest pairs with Jaccard > 0.1: {sharing} of {pairs}; closest pair {:.3}; most contained {most_contained:.3}",
        closest.0
    );
    assert!(sharing * 50 > pairs, "more than 2% of honest pairs share phrases (Jaccard > 0.1)");
    assert!(closest.0 > 0.25, "some honest answers are close: {}", closest.0);
    assert!(closest.0 < MIN_JACCARD && most_contained < MIN_CONTAINMENT, "no honest pair is a copy by text");

    // The copier passes off one of the two closest honest answers, lightly edited.
    let source = closest.1;
    let copy = answer_corpus::lightly_edited(&honest[source]);
    let planted = overlap(&sets[source], &shingles(&words(&copy)));
    eprintln!("planted copy of answer {source}: {planted:?}");
    assert!(planted.jaccard < 0.9, "the copy is edited, not verbatim");

    load_honest_answers(&app, &hr, &question, &honest).await;
    interview(&app, &hr, &copier, &[&question], &[&copy]).await;

    let started = Instant::now();
    let ran = app.run_jobs().await;
    let took = started.elapsed();
    eprintln!("{ran} jobs (1,001 similarity checks, the copy's evaluation and result) in {took:?}");
    assert!(ran >= 1001);

    let flags = app.graphql_as(&admin, FLAGS, json!({ "first": 100 })).await;
    let flags = &flags.data()["similarityFlags"];
    assert_eq!(flags["count"], 1, "exactly one flag: {flags}");
    let flag = &flags["edges"][0]["node"];
    assert_eq!(flag["earlier"]["text"], honest[source].as_str(), "the source is the earlier answer");
    assert_eq!(flag["earlier"]["candidateName"], format!("Honest Candidate {}", source + 1));
    assert_eq!(flag["later"]["text"], copy.as_str());
    assert_eq!(flag["later"]["candidateId"], copier.id.as_str());
    assert_eq!(flag["questionId"], question.as_str());
    assert_eq!(flag["status"], "OPEN");
    assert!((flag["jaccard"].as_f64().unwrap() - f64::from(planted.jaccard)).abs() < 1e-4);
    let cosine = flag["cosine"].as_f64().unwrap();
    assert!(cosine >= 0.9, "{flag}");
    assert!(flag["embeddingModel"].as_str().unwrap().starts_with("candle:"), "{flag}");
    eprintln!("the flag: jaccard {} containment {} cosine {cosine:.3}", flag["jaccard"], flag["containment"]);
}

#[tokio::test]
async fn hr_users_see_flags_touching_their_candidates_and_only_their_side_identified() {
    let app = TestApp::new().await;
    app.seed_question_bank().await;
    let admin = app.admin().await;
    let (hr1, hr2, hr3) = (app.hr().await, app.hr().await, app.hr().await);
    for hr in [&hr1, &hr2, &hr3] {
        app.map_hr(&admin, hr).await;
    }
    let (ann, bob) = (app.candidate().await, app.candidate().await);
    app.assign(&admin, &ann, &hr1).await;
    app.assign(&admin, &bob, &hr2).await;
    let caching = bank_question(&app, &hr1, CACHING).await;
    let other = bank_question(&app, &hr1, "Explain how a database index").await;

    let [original, mine] = <[String; 2]>::try_from(answer_corpus::answers(7, 2)).unwrap();
    // Nearly verbatim, so that text alone (no embedder in this app) flags it.
    let copy = original.replacen(" the ", " our ", 1);
    let short = "I would use Redis with a TTL and delete keys when data changes.";
    interview(&app, &hr1, &ann, &[&caching, &other], &[&original, short]).await;
    interview(&app, &hr2, &bob, &[&caching, &other], &[&copy, short]).await;
    // The same candidate repeating herself is no leak.
    interview(&app, &hr1, &ann, &[&caching], &[&mine]).await;
    interview(&app, &hr1, &ann, &[&caching], &[&mine]).await;
    app.run_jobs().await;

    // Admins: the one flag (the identical short answers are not compared), both sides named.
    let all = app.graphql_as(&admin, FLAGS, json!({})).await;
    let all = &all.data()["similarityFlags"];
    assert_eq!(all["count"], 1, "{all}");
    let flag = &all["edges"][0]["node"];
    assert!(flag["cosine"].is_null() && flag["embeddingModel"].is_null(), "text alone decided: {flag}");
    assert!(flag["jaccard"].as_f64().unwrap() >= 0.55);
    assert_eq!(flag["earlier"]["candidateId"], ann.id.as_str());
    assert_eq!(flag["later"]["candidateId"], bob.id.as_str());
    assert!(
        flag["earlier"]["identified"].as_bool().unwrap() && flag["later"]["identified"].as_bool().unwrap()
    );
    let flag_id = flag["id"].as_str().unwrap().to_owned();

    // Each HR user sees it, with their own candidate's side identified and the other's text only.
    for (hr, mine, theirs) in [(&hr1, "earlier", "later"), (&hr2, "later", "earlier")] {
        let seen = app.graphql_as(hr, FLAGS, json!({})).await;
        let node = &seen.data()["similarityFlags"]["edges"][0]["node"];
        assert_eq!(seen.data()["similarityFlags"]["count"], 1);
        assert_eq!(node[mine]["identified"], true);
        assert!(node[mine]["candidateName"].is_string() && node[mine]["interviewId"].is_string());
        assert_eq!(node[theirs]["identified"], false);
        for hidden in ["answerId", "interviewId", "candidateId", "candidateName"] {
            assert!(node[theirs][hidden].is_null(), "{theirs}.{hidden} is hidden from this HR user: {node}");
        }
        assert!(node[theirs]["text"].as_str().unwrap().len() > 100, "the other answer's text is shown");
    }

    // An HR user with no candidate in the pair sees nothing and may not review it.
    let none = app.graphql_as(&hr3, FLAGS, json!({})).await;
    assert_eq!(none.data()["similarityFlags"]["count"], 0);
    let refused = app.graphql_as(&hr3, REVIEW, json!({ "id": flag_id, "s": "DISMISSED" })).await;
    refused.expect_error("NOT_FOUND");

    // Candidates cannot list or review flags, or see question usage.
    app.graphql_as(&ann, FLAGS, json!({})).await.expect_error("FORBIDDEN");
    app.graphql_as(&ann, REVIEW, json!({ "id": flag_id, "s": "DISMISSED" })).await.expect_error("FORBIDDEN");
    app.graphql_as(&ann, USAGE, json!({})).await.expect_error("FORBIDDEN");

    // The HR user of one side reviews it; the status filter follows.
    let long = "x".repeat(2001);
    let bad = app.graphql_as(&hr1, REVIEW, json!({ "id": flag_id, "s": "CONFIRMED", "n": long })).await;
    bad.expect_error("BAD_USER_INPUT");
    let reviewed = app
        .graphql_as(
            &hr1,
            REVIEW,
            json!({ "id": flag_id, "s": "CONFIRMED", "n": "  Same wording, same story.  " }),
        )
        .await;
    let reviewed = &reviewed.data()["reviewSimilarityFlag"];
    assert_eq!(
        *reviewed,
        json!({ "status": "CONFIRMED", "reviewNote": "Same wording, same story.", "reviewedBy": hr1.id })
    );
    let open = app.graphql_as(&admin, FLAGS, json!({ "status": "OPEN" })).await;
    assert_eq!(open.data()["similarityFlags"]["count"], 0);
    let confirmed = app.graphql_as(&admin, FLAGS, json!({ "status": "CONFIRMED" })).await;
    assert_eq!(confirmed.data()["similarityFlags"]["count"], 1);
}

#[tokio::test]
async fn question_usage_counts_exposure_pages_by_it_and_suggests_retiring() {
    let app = TestApp::with_config(|c| c.service.retire_after_candidates = 2).await;
    app.seed_question_bank().await;
    let (admin, hr) = (app.admin().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    let (ann, bob) = (app.candidate().await, app.candidate().await);
    app.assign(&admin, &ann, &hr).await;
    app.assign(&admin, &bob, &hr).await;
    let caching = bank_question(&app, &hr, CACHING).await;
    let index = bank_question(&app, &hr, "Explain how a database index").await;
    let answer = "I would start with cache-aside and a TTL.";

    interview(&app, &hr, &ann, &[&caching, &index], &[answer, answer]).await;
    interview(&app, &hr, &bob, &[&caching], &[answer]).await;
    interview(&app, &hr, &ann, &[&caching], &[answer]).await;
    app.graphql_as(
        &ann,
        "mutation { startPracticeInterview(input: { role: \"backend-engineer\", difficulty: MEDIUM, questionCount: 3 }) { id } }",
        json!({}),
    )
    .await
    .data();
    app.run_jobs().await;

    // Every page of the role, five at a time: most exposed first, each question once.
    let (mut all, mut after, mut pages) = (Vec::<Value>::new(), Value::Null, 0);
    loop {
        let page = app
            .graphql_as(&hr, USAGE, json!({ "role": "backend-engineer", "first": 5, "after": after }))
            .await;
        let usage = page.data()["questionUsage"].clone();
        all.extend(usage["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()));
        pages += 1;
        if usage["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = usage["pageInfo"]["endCursor"].clone();
    }
    let bank = app
        .graphql_as(
            &hr,
            "{ defaultQuestions(filter: { role: \"backend-engineer\" }, first: 100) { count } }",
            json!({}),
        )
        .await;
    assert_eq!(all.len() as u64, bank.data()["defaultQuestions"]["count"].as_u64().unwrap());
    assert!(pages > 2);
    let mut ids: Vec<&str> = all.iter().map(|n| n["questionId"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "no question on two pages");
    let exposure: Vec<i64> = all.iter().map(|n| n["distinctCandidates"].as_i64().unwrap()).collect();
    assert!(exposure.windows(2).all(|w| w[0] >= w[1]), "most exposed first: {exposure:?}");

    let of = |id: &str| all.iter().find(|n| n["questionId"] == id).unwrap().clone();
    let caching_usage = of(&caching);
    assert_eq!(all[0], caching_usage, "the most exposed question leads");
    assert_eq!(caching_usage["askedInInterviews"], 3);
    assert_eq!(caching_usage["distinctCandidates"], 2, "Ann saw it twice but counts once");
    assert_eq!(caching_usage["retireSuggested"], true, "two candidates reach the configured threshold");
    assert!(caching_usage["lastUsedAt"].is_string());
    let index_usage = of(&index);
    assert_eq!(index_usage["askedInInterviews"], 1);
    assert_eq!(index_usage["retireSuggested"], false);
    let practised: i64 = all.iter().map(|n| n["askedInPractice"].as_i64().unwrap()).sum();
    assert_eq!(practised, 3, "the practice session's three questions");
    assert!(all.iter().all(|n| n["timesAsked"].as_i64().unwrap()
        == n["askedInInterviews"].as_i64().unwrap() + n["askedInPractice"].as_i64().unwrap()));
    let unused = all.iter().filter(|n| n["timesAsked"] == 0).collect::<Vec<_>>();
    assert!(
        !unused.is_empty()
            && unused.iter().all(|n| n["lastUsedAt"].is_null() && n["distinctCandidates"] == 0)
    );

    // Another role's questions were never asked; admins see the same list.
    let other = app.graphql_as(&admin, USAGE, json!({ "role": "data-scientist", "first": 100 })).await;
    let other = other.data()["questionUsage"]["edges"].as_array().unwrap().clone();
    assert!(!other.is_empty() && other.iter().all(|e| e["node"]["timesAsked"] == 0));
    app.graphql_as(&hr, USAGE, json!({ "after": "bm9wZQ" })).await.expect_error("BAD_USER_INPUT");
}
