//! HR-5 through the API: candidates ranked against a job and jobs against a candidate, on
//! resumes built here (analysed as the `analyze_resume` job stores them, embedded with the real
//! model), so that the expected order follows from the documented score; and who may rank whom.

use serde_json::{Value, json};
use viva_domain::UserId;
use viva_domain::vocab::ResumeFormat;
use viva_store::models::resume::{self as store, Analysed, NewResume};
use viva_test_support::{TestApp, TestUser};

use crate::similarity::candle;

const MATCH: &str = "query($job: ID!, $first: Int = 10, $after: String) { matchCandidates(jobId: $job, first: $first, after: $after) { hasNextPage endCursor matches { candidate { id } resumeId score explanation { matchedSkills missingSkills yearsOfExperience minYears meetsMinYears similarity passage skillsScore yearsScore meaningScore } } } }";
const JOBS: &str = "query($c: ID) { matchingJobs(candidateId: $c) { hasNextPage matches { score job { id title } explanation { matchedSkills missingSkills meetsMinYears similarity passage skillsScore yearsScore meaningScore } } } }";
const CREATE_JOB: &str = "mutation($i: JobInput!) { createJob(input: $i) { id } }";

/// Stores an analysed, active resume for `candidate`: one passage per line, embedded by the
/// app's embedder, the resume's vector the mean direction of its passages'. Then tells the
/// replicas' indexes.
pub(crate) async fn analysed_resume(
    app: &TestApp,
    candidate: &TestUser,
    skills: &[&str],
    years: f32,
    lines: &[&str],
) {
    let texts: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let (vectors, model) = app.services.service.ai.registry.embeddings.embed(&texts).await.unwrap();
    let model = format!("{}/{}", model.provider, model.model);
    let mut mean = vec![0f32; vectors[0].len()];
    for vector in &vectors {
        mean.iter_mut().zip(vector).for_each(|(m, x)| *m += x);
    }
    let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt();
    mean.iter_mut().for_each(|x| *x /= norm);
    let id = UserId(candidate.id.parse().unwrap());
    let mut conn = app.conn().await;
    let new = NewResume {
        candidate_id: id,
        file_name: "cv.pdf",
        kind: ResumeFormat::Pdf,
        byte_size: 1000,
        object_key: "resumes/constructed.pdf",
        active: true,
    };
    let resume = store::create(&mut conn, &new).await.unwrap();
    let skills: Vec<String> = skills.iter().map(|s| (*s).to_owned()).collect();
    let passages: Vec<(String, Vec<f32>)> = texts.into_iter().zip(vectors).collect();
    let found = Analysed {
        text: &lines.join("\n"),
        analysis: json!({ "summary": lines[0] }),
        skills: &skills,
        years_of_experience: years,
        model: &model,
        passages: &passages,
        embedding: &mean,
    };
    assert!(store::mark_analysed(&mut conn, resume.id, &found).await.unwrap());
    viva_store::events::publish(&mut conn, &viva_store::events::Event::resumes_changed(id)).await.unwrap();
}

async fn create_job(
    app: &TestApp,
    owner: &TestUser,
    title: &str,
    description: &str,
    skills: &[&str],
    min_years: Option<i32>,
) -> String {
    let input = json!({
        "title": title, "description": description, "requiredSkills": skills,
        "minYears": min_years, "locationType": "REMOTE",
    });
    app.graphql_as(owner, CREATE_JOB, json!({ "i": input })).await.data()["createJob"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn ids(matches: &Value) -> Vec<String> {
    matches.as_array().unwrap().iter().map(|m| m["candidate"]["id"].as_str().unwrap().to_owned()).collect()
}

/// The score recomputed from the explanation's components by the documented rule.
fn recomputed(why: &Value) -> f64 {
    let parts = [(0.5, &why["skillsScore"]), (0.2, &why["yearsScore"]), (0.3, &why["meaningScore"])];
    let weight: f64 = parts.iter().filter(|(_, c)| !c.is_null()).map(|(w, _)| w).sum();
    100.0 * parts.iter().filter_map(|(w, c)| c.as_f64().map(|c| w * c)).sum::<f64>() / weight
}

const RUST_JOB: &str = "We build the backend services of a payments platform in Rust: HTTP APIs, \
    PostgreSQL schemas and queries, and deployments on Kubernetes. You will design services, \
    tune database queries and run them in production.";

#[tokio::test]
async fn candidates_rank_against_a_job_by_skills_years_and_meaning_each_explained_and_only_findable_ones() {
    let app = TestApp::with_config_and_ai(|_| {}, candle).await;
    let (admin, hr, other_hr) = (app.admin().await, app.hr().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    app.map_hr(&admin, &other_hr).await;
    let (full, partial, unrelated_skills, chef, unassigned, discoverable) = (
        app.candidate().await,
        app.candidate().await,
        app.candidate().await,
        app.candidate().await,
        app.candidate().await,
        app.candidate().await,
    );
    for candidate in [&full, &partial, &unrelated_skills, &chef] {
        app.assign(&admin, candidate, &hr).await;
    }
    app.execute(&format!("UPDATE users SET discoverable = true WHERE id = '{}'", discoverable.id)).await;

    analysed_resume(
        &app,
        &full,
        &["Rust", "PostgreSQL", "Kubernetes", "gRPC"],
        8.0,
        &[
            "Senior backend engineer building payment services in Rust with PostgreSQL on Kubernetes.",
            "Designed HTTP APIs and tuned slow SQL queries; ran the services in production.",
        ],
    )
    .await;
    analysed_resume(
        &app,
        &partial,
        &["Rust", "PostgreSQL"],
        6.0,
        &[
            "Backend developer writing Rust services and PostgreSQL schemas for an online shop.",
            "Maintained REST APIs and database migrations.",
        ],
    )
    .await;
    analysed_resume(
        &app,
        &unrelated_skills,
        &["Go", "MySQL", "Docker"],
        10.0,
        &["Backend engineer building microservices in Go with MySQL, shipped in Docker containers."],
    )
    .await;
    analysed_resume(
        &app,
        &chef,
        &[],
        3.0,
        &[
            "Pastry chef at a bakery: croissants, sourdough bread and wedding cakes.",
            "Managed the morning shift and ordered flour, butter and sugar.",
        ],
    )
    .await;
    // Every required skill and more years, but neither assigned to the HR user nor discoverable.
    analysed_resume(
        &app,
        &unassigned,
        &["Rust", "PostgreSQL", "Kubernetes"],
        12.0,
        &["Principal engineer: Rust backend services, PostgreSQL and Kubernetes for a payments company."],
    )
    .await;
    analysed_resume(
        &app,
        &discoverable,
        &["Kubernetes"],
        2.0,
        &["Platform engineer running Kubernetes clusters and CI pipelines."],
    )
    .await;
    app.events_delivered().await;

    // Skills as people write them: `Postgres` and `k8s` are PostgreSQL and Kubernetes.
    let job =
        create_job(&app, &hr, "Rust backend engineer", RUST_JOB, &["Rust", "Postgres", "k8s"], Some(5)).await;

    let found = app.graphql_as(&hr, MATCH, json!({ "job": job, "first": 10 })).await;
    let matches = found.data()["matchCandidates"]["matches"].clone();
    let order = ids(&matches);
    assert!(
        !order.contains(&unassigned.id),
        "a candidate the HR user may not find is never ranked: {order:?}"
    );
    assert_eq!(order.len(), 5, "{matches}");
    assert_eq!(order[0], full.id, "{matches}");
    assert_eq!(order[1], partial.id, "{matches}");
    assert_eq!(order[4], chef.id, "{matches}");
    let scores: Vec<f64> = matches.as_array().unwrap().iter().map(|m| m["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    for hit in matches.as_array().unwrap() {
        let why = &hit["explanation"];
        assert!(
            (hit["score"].as_f64().unwrap() - recomputed(why)).abs() < 1e-6,
            "the score is the documented sum: {hit}"
        );
    }

    let top = &matches[0]["explanation"];
    assert_eq!(top["matchedSkills"], json!(["Rust", "PostgreSQL", "Kubernetes"]));
    assert_eq!(top["missingSkills"], json!([]));
    assert_eq!((top["skillsScore"].as_f64(), top["yearsScore"].as_f64()), (Some(1.0), Some(1.0)));
    assert_eq!(
        (top["yearsOfExperience"].as_f64(), top["minYears"].as_i64(), top["meetsMinYears"].as_bool()),
        (Some(8.0), Some(5), Some(true))
    );
    assert!(top["passage"].as_str().unwrap().contains("Rust"), "{top}");
    let second = &matches[1]["explanation"];
    assert_eq!(second["missingSkills"], json!(["Kubernetes"]));
    assert!((second["skillsScore"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    // Meaning tells the Go backend engineer from the pastry chef, both without a required skill.
    let go = matches
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["candidate"]["id"] == unrelated_skills.id.as_str())
        .unwrap();
    let cook = &matches[4]["explanation"];
    assert!(
        go["explanation"]["similarity"].as_f64().unwrap() > cook["similarity"].as_f64().unwrap() + 0.1,
        "{go} {cook}"
    );
    let disc = matches
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["candidate"]["id"] == discoverable.id.as_str())
        .unwrap();
    assert_eq!(disc["explanation"]["meetsMinYears"], false);
    assert!((disc["explanation"]["yearsScore"].as_f64().unwrap() - 0.4).abs() < 1e-6);

    // Pages continue where the last one ended.
    let page =
        app.graphql_as(&hr, MATCH, json!({ "job": job, "first": 2 })).await.data()["matchCandidates"].clone();
    assert_eq!(page["hasNextPage"], true);
    assert_eq!(ids(&page["matches"]), order[..2].to_vec());
    let next =
        app.graphql_as(&hr, MATCH, json!({ "job": job, "first": 2, "after": page["endCursor"] })).await;
    assert_eq!(ids(&next.data()["matchCandidates"]["matches"]), order[2..4].to_vec());

    // An admin ranks everyone: the unassigned candidate with every skill and more years is first.
    let all = app.graphql_as(&admin, MATCH, json!({ "job": job, "first": 10 })).await;
    let all = ids(&all.data()["matchCandidates"]["matches"]);
    assert_eq!(all.len(), 6);
    assert_eq!(all[0], unassigned.id);

    // Another HR user cannot rank against a job that is not theirs; candidates cannot rank.
    app.graphql_as(&other_hr, MATCH, json!({ "job": job })).await.expect_error("NOT_FOUND");
    app.graphql_as(&full, MATCH, json!({ "job": job })).await.expect_error("FORBIDDEN");

    // The job's vector is stored once per model and made again when its description changes.
    let stored = app.execute("UPDATE job_embeddings SET model = model").await;
    assert_eq!(stored, 1);
    let input = json!({ "title": "Pastry chef", "description": "Bake bread, croissants and cakes every morning.", "requiredSkills": [], "locationType": "ON_SITE" });
    app.graphql_as(
        &hr,
        "mutation($id: ID!, $i: JobInput!) { updateJob(id: $id, input: $i) { id } }",
        json!({ "id": job, "i": input }),
    )
    .await
    .data();
    let rebaked = app.graphql_as(&hr, MATCH, json!({ "job": job, "first": 10 })).await;
    assert_eq!(
        ids(&rebaked.data()["matchCandidates"]["matches"])[0],
        chef.id,
        "the new description's vector ranks the chef first"
    );
}

#[tokio::test]
async fn jobs_rank_against_a_candidates_resume_for_the_candidate_their_hr_user_and_admins_only() {
    let app = TestApp::with_config_and_ai(|_| {}, candle).await;
    let (admin, hr, other_hr) = (app.admin().await, app.hr().await, app.hr().await);
    app.map_hr(&admin, &hr).await;
    app.map_hr(&admin, &other_hr).await;
    let (candidate, other, unanalysed) =
        (app.candidate().await, app.candidate().await, app.candidate().await);
    app.assign(&admin, &candidate, &hr).await;
    app.assign(&admin, &unanalysed, &hr).await;
    analysed_resume(
        &app,
        &candidate,
        &["Rust", "PostgreSQL"],
        6.0,
        &["Backend developer writing Rust services and PostgreSQL schemas for an online shop."],
    )
    .await;
    app.events_delivered().await;
    let rust =
        create_job(&app, &hr, "Rust backend engineer", RUST_JOB, &["Rust", "Postgres", "k8s"], Some(5)).await;
    let chef = create_job(
        &app,
        &hr,
        "Pastry chef",
        "Bake bread, croissants and cakes every morning.",
        &["baking"],
        Some(2),
    )
    .await;
    let elsewhere = create_job(&app, &other_hr, "Rust developer", RUST_JOB, &["Rust"], None).await;

    for viewer in [&candidate, &hr] {
        let variables = if viewer.id == candidate.id { json!({}) } else { json!({ "c": candidate.id }) };
        let found = app.graphql_as(viewer, JOBS, variables).await;
        let matches = found.data()["matchingJobs"]["matches"].clone();
        let jobs: Vec<&str> =
            matches.as_array().unwrap().iter().map(|m| m["job"]["id"].as_str().unwrap()).collect();
        assert_eq!(
            jobs,
            vec![rust.as_str(), chef.as_str()],
            "the HR user's open jobs, the fitting one first: {matches}"
        );
        let why = &matches[0]["explanation"];
        assert_eq!(why["matchedSkills"], json!(["Rust", "PostgreSQL"]));
        assert_eq!(why["missingSkills"], json!(["Kubernetes"]));
        assert!(why["passage"].as_str().unwrap().contains("Rust"));
        assert_eq!(matches[1]["explanation"]["missingSkills"], json!(["baking"]));
        for hit in matches.as_array().unwrap() {
            assert!((hit["score"].as_f64().unwrap() - recomputed(&hit["explanation"])).abs() < 1e-6);
        }
    }
    // An admin ranks every open job.
    let all = app.graphql_as(&admin, JOBS, json!({ "c": candidate.id })).await;
    assert_eq!(all.data()["matchingJobs"]["matches"].as_array().unwrap().len(), 3);
    let _ = elsewhere;

    // Nobody else reaches the candidate; a candidate without an analysed resume is told so.
    app.graphql_as(&other, JOBS, json!({ "c": candidate.id })).await.expect_error("NOT_FOUND");
    app.graphql_as(&other_hr, JOBS, json!({ "c": candidate.id })).await.expect_error("NOT_FOUND");
    app.graphql_as(&hr, JOBS, json!({ "c": unanalysed.id })).await.expect_error("CONFLICT");
}
