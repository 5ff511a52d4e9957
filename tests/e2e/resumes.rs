//! CAND-1 and HR-2 against the real binary: fifteen candidates upload the fixture resumes
//! (PDF, made by scripts/make-resume-fixtures.sh); each is read in the binary's sandboxed child
//! process, analysed and embedded by the server's own workers. Then search quality (issue #12,
//! item 3): nDCG@10 for the keyword, semantic and hybrid rankings over twenty-four development
//! queries (on which the fusion was chosen) and thirty test queries (only measured), printed,
//! with hybrid above both on each set; jobs matched against the same resumes (HR-5); and who
//! may find whom (item 5).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use viva_test_support::TestDatabase;

use crate::interviews::{ok, token};
use crate::server::{Server, http, migrate_and_seed};

const FIXTURES: [&str; 15] = [
    "backend_go",
    "frontend_react",
    "data_scientist",
    "devops_sre",
    "product_manager",
    "ux_designer",
    "sales_ae",
    "mobile_ios",
    "qa_engineer",
    "fullstack_js",
    "data_engineer",
    "java_backend",
    "graduate_frontend",
    "android_dev",
    "security_engineer",
];

/// The test queries: thirty, each with the candidates a recruiter would want (2) or accept (1),
/// judged from the resumes' roles, not from any ranking. A third name skills outright, a third
/// describes the work in other words, a third mixes both.
const JUDGED: [(&str, &[(&str, u32)]); 30] = [
    ("Go microservices gRPC Kafka", &[("backend_go", 2), ("java_backend", 1), ("data_engineer", 1)]),
    ("Kubernetes Terraform on-call reliability", &[("devops_sre", 2), ("backend_go", 1)]),
    (
        "React TypeScript design system",
        &[("frontend_react", 2), ("fullstack_js", 1), ("graduate_frontend", 1)],
    ),
    ("machine learning models forecasting", &[("data_scientist", 2), ("data_engineer", 1)]),
    ("Spark Airflow data pipelines warehouse", &[("data_engineer", 2), ("data_scientist", 1)]),
    ("Swift iOS app", &[("mobile_ios", 2), ("android_dev", 1)]),
    ("Kotlin Android Jetpack Compose", &[("android_dev", 2), ("mobile_ios", 1)]),
    ("Selenium Cypress test automation", &[("qa_engineer", 2), ("frontend_react", 1)]),
    ("penetration testing threat modeling", &[("security_engineer", 2), ("devops_sre", 1)]),
    ("Spring Boot Java backend", &[("java_backend", 2), ("backend_go", 1)]),
    ("Node.js full stack web developer", &[("fullstack_js", 2), ("frontend_react", 1)]),
    ("product roadmap discovery stakeholders", &[("product_manager", 2), ("ux_designer", 1)]),
    ("user research usability testing Figma prototypes", &[("ux_designer", 2), ("product_manager", 1)]),
    ("enterprise SaaS quota account executive", &[("sales_ae", 2)]),
    (
        "junior web developer recent graduate",
        &[("graduate_frontend", 2), ("frontend_react", 1), ("fullstack_js", 1)],
    ),
    (
        "someone who keeps production systems up at night and automates infrastructure",
        &[("devops_sre", 2), ("security_engineer", 1)],
    ),
    (
        "builds accessible user interfaces for the browser",
        &[("frontend_react", 2), ("graduate_frontend", 1), ("fullstack_js", 1)],
    ),
    ("closes big deals with companies and beats sales targets", &[("sales_ae", 2)]),
    ("predicts customer churn with statistics", &[("data_scientist", 2)]),
    ("makes sure software ships without bugs", &[("qa_engineer", 2)]),
    ("protects the company from hackers and breaches", &[("security_engineer", 2)]),
    ("designs the experience of products for their users", &[("ux_designer", 2), ("product_manager", 1)]),
    ("decides what the team builds next and talks to customers", &[("product_manager", 2)]),
    ("phone apps for Apple devices", &[("mobile_ios", 2), ("android_dev", 1)]),
    ("moves and cleans large volumes of data for analysts", &[("data_engineer", 2), ("data_scientist", 1)]),
    ("Python machine learning with scikit-learn", &[("data_scientist", 2), ("data_engineer", 1)]),
    ("AWS cloud infrastructure as code", &[("devops_sre", 2), ("backend_go", 1), ("data_engineer", 1)]),
    ("REST APIs PostgreSQL backend engineer", &[("backend_go", 2), ("java_backend", 2), ("fullstack_js", 1)]),
    ("mobile developer for both phone platforms", &[("mobile_ios", 2), ("android_dev", 2)]),
    ("B2B sales pipeline CRM Salesforce", &[("sales_ae", 2)]),
];

/// The development queries: written after the thirty above and judged the same way, over the
/// same resumes, to choose the ranking method and its settings on. The thirty test queries above
/// are only measured, never tuned on; a change to the ranking is chosen by its figure here and
/// then reported on both sets.
const DEV_JUDGED: [(&str, &[(&str, u32)]); 24] = [
    (
        "Redis PostgreSQL distributed systems payments",
        &[("backend_go", 2), ("java_backend", 1), ("fullstack_js", 1)],
    ),
    ("Prometheus Grafana Ansible", &[("devops_sre", 2)]),
    ("Vue.js Angular junior", &[("graduate_frontend", 2), ("frontend_react", 1)]),
    ("PyTorch TensorFlow NLP", &[("data_scientist", 2)]),
    ("Snowflake dbt BigQuery", &[("data_engineer", 2), ("data_scientist", 1)]),
    ("SwiftUI Xcode TestFlight", &[("mobile_ios", 2)]),
    ("Playwright Appium JMeter", &[("qa_engineer", 2)]),
    ("Burp Suite OWASP OAuth", &[("security_engineer", 2)]),
    ("Hibernate Oracle PL/SQL RabbitMQ", &[("java_backend", 2)]),
    ("Salesforce HubSpot MEDDIC", &[("sales_ae", 2)]),
    ("wireframes and interaction design", &[("ux_designer", 2)]),
    ("writes the specifications and prioritises features", &[("product_manager", 2)]),
    ("builds websites for small businesses with PHP", &[("fullstack_js", 2)]),
    (
        "someone who can find vulnerabilities in web applications",
        &[("security_engineer", 2), ("qa_engineer", 1)],
    ),
    ("statistician who builds predictive models", &[("data_scientist", 2)]),
    ("keeps deployments automated and monitors services", &[("devops_sre", 2), ("backend_go", 1)]),
    ("native Android developer", &[("android_dev", 2), ("mobile_ios", 1)]),
    ("quality assurance for mobile and web apps", &[("qa_engineer", 2)]),
    ("streaming data with Kafka", &[("data_engineer", 2), ("backend_go", 1), ("java_backend", 1)]),
    (
        "component libraries and frontend performance",
        &[("frontend_react", 2), ("graduate_frontend", 1), ("fullstack_js", 1)],
    ),
    ("experienced engineer for backend payment systems", &[("backend_go", 2), ("java_backend", 1)]),
    ("enterprise Java developer with Spring", &[("java_backend", 2)]),
    ("customer-facing sales of software subscriptions", &[("sales_ae", 2)]),
    ("UX researcher conducting interviews with users", &[("ux_designer", 2), ("product_manager", 1)]),
];

const SEARCH: &str = "query($q: String!, $r: SearchRanking!) { searchCandidates(query: $q, ranking: $r, first: 10) { hits { candidate { id fullName } matchedSkills passage } } }";

/// A committed fixture resume (PDF).
pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("crates/resumes/tests/fixtures")
        .join(format!("{name}.pdf"))
}

fn model_dir() -> String {
    viva_candle::locate(None)
        .expect("all-MiniLM-L6-v2 is not in the model cache: run scripts/fetch-model.sh")
        .display()
        .to_string()
}

async fn register(server: &Server, email: &str) -> (String, String) {
    let password = "copper-kettle-sunrise-9";
    ok(
        server
            .graphql(
                None,
                "mutation($i: RegisterInput!) { register(input: $i) { id } }",
                json!({ "i": { "email": email, "password": password, "fullName": email, "role": "CANDIDATE" } }),
            )
            .await,
        "register",
    );
    let login = server.sign_in(email, password).await;
    (login["accessToken"].as_str().unwrap().to_owned(), login["user"]["id"].as_str().unwrap().to_owned())
}

/// Uploads a fixture resume as the candidate whose token this is.
pub(crate) async fn upload(server: &Server, token: &str, name: &str) -> Value {
    let operations = json!({ "query": "mutation($f: Upload!) { uploadResume(file: $f) { id status } }", "variables": { "f": null } });
    let bytes = std::fs::read(fixture(name)).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.f"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(bytes).file_name(format!("{name}.pdf")));
    let response: Value = http()
        .post(format!("{}/graphql", server.base))
        .bearer_auth(token)
        .header("x-viva-csrf", "1")
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ok(response, "uploadResume")
}

/// nDCG@10 of a ranking (fixture names, best first) against graded judgments.
fn ndcg(ranked: &[String], judged: &[(&str, u32)]) -> f64 {
    let gain = |rel: u32| f64::from((1u32 << rel) - 1);
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, name)| {
            let rel = judged.iter().find(|(n, _)| n == name).map_or(0, |(_, r)| *r);
            gain(rel) / ((i + 2) as f64).log2()
        })
        .sum();
    let mut ideal: Vec<u32> = judged.iter().map(|(_, r)| *r).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal.iter().take(10).enumerate().map(|(i, r)| gain(*r) / ((i + 2) as f64).log2()).sum();
    dcg / idcg
}

#[tokio::test]
async fn uploaded_resumes_are_analysed_searched_by_keywords_and_meaning_and_found_only_by_those_allowed() {
    let database = TestDatabase::new().await;
    migrate_and_seed(&database);
    let objects = tempfile::tempdir().unwrap();
    let model = model_dir();
    let server = Server::start(
        &database,
        &[
            ("VIVA_MODEL_DIR", model.as_str()),
            ("VIVA_OBJECTS_DIR", objects.path().to_str().unwrap()),
            ("VIVA_MAX_REQUESTS_PER_ADDRESS", "100"),
        ],
    )
    .await;

    // Fifteen candidates, one fixture resume each.
    let mut candidates: HashMap<String, (String, String)> = HashMap::new();
    for name in FIXTURES {
        let (token, id) = register(&server, &format!("{name}@resumes.test")).await;
        let uploaded = upload(&server, &token, name).await;
        assert_eq!(uploaded["status"], "PENDING");
        candidates.insert(name.to_owned(), (token, id));
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    for (name, (token, _)) in &candidates {
        loop {
            let mine = ok(
                server
                    .graphql(
                        Some(token),
                        "{ resumes { status failure skills yearsOfExperience } }",
                        json!({}),
                    )
                    .await,
                "resumes",
            );
            match mine[0]["status"].as_str().unwrap() {
                "ANALYSED" => {
                    assert!(mine[0]["skills"].as_array().unwrap().len() >= 5, "{name}: {mine}");
                    break;
                }
                "FAILED" => panic!("{name} failed: {mine}"),
                _ => {
                    assert!(Instant::now() < deadline, "{name} not analysed in time\n{}", server.log_text());
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
    }
    let by_id: HashMap<String, String> =
        candidates.iter().map(|(name, (_, id))| (id.clone(), name.clone())).collect();

    // Search quality, for each ranking, over the development queries (which chose the method)
    // and the test queries (which did not).
    let admin = token(&server, "admin@viva.test").await;
    let mut totals: HashMap<(&str, &str), f64> = HashMap::new();
    for (set, queries) in [("dev", &DEV_JUDGED[..]), ("test", &JUDGED[..])] {
        for ranking in ["KEYWORD", "SEMANTIC", "HYBRID"] {
            let mut sum = 0.0;
            for (query, judged) in queries {
                let response =
                    server.graphql(Some(&admin), SEARCH, json!({ "q": query, "r": ranking })).await;
                assert!(response["errors"].is_null(), "{ranking} {query}: {response}\n{}", server.log_text());
                let found = response["data"]["searchCandidates"].clone();
                let ranked: Vec<String> = found["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|hit| by_id.get(hit["candidate"]["id"].as_str().unwrap()).cloned())
                    .collect();
                if ranking == "HYBRID" && *query == JUDGED[0].0 {
                    let top = &found["hits"][0];
                    assert!(
                        !top["matchedSkills"].as_array().unwrap().is_empty(),
                        "a hit names the skills that matched: {top}"
                    );
                    assert!(top["passage"].as_str().is_some_and(|p| !p.is_empty()), "and the passage: {top}");
                }
                sum += ndcg(&ranked, judged);
            }
            totals.insert((set, ranking), sum / queries.len() as f64);
        }
        println!(
            "resume search, nDCG@10 over {} {set} queries and {} resumes: keyword {:.3}, semantic {:.3}, hybrid {:.3}",
            queries.len(),
            FIXTURES.len(),
            totals[&(set, "KEYWORD")],
            totals[&(set, "SEMANTIC")],
            totals[&(set, "HYBRID")]
        );
    }
    // Measured when the fusion was chosen (min-max normalised, 0.6 on the semantic side, chosen
    // on the development queries alone): dev keyword 0.905, semantic 0.913, hybrid 0.973; test
    // keyword 0.840, semantic 0.943, hybrid 0.945. Hybrid beats both on both sets (on the test
    // set by a small margin), and floors under each figure catch a regression.
    for set in ["dev", "test"] {
        let (keyword, semantic, hybrid) =
            (totals[&(set, "KEYWORD")], totals[&(set, "SEMANTIC")], totals[&(set, "HYBRID")]);
        assert!(hybrid > keyword && hybrid > semantic, "{set}: {totals:?}");
    }
    assert!(totals[&("test", "KEYWORD")] >= 0.80 && totals[&("test", "SEMANTIC")] >= 0.90, "{totals:?}");
    assert!(totals[&("test", "HYBRID")] >= 0.94 && totals[&("dev", "HYBRID")] >= 0.95, "{totals:?}");

    // HR-5 on the same resumes: two jobs, each ranked against every candidate, and the jobs
    // ranked against one candidate; the resume written for the role comes first.
    let create = "mutation($i: JobInput!) { createJob(input: $i) { id } }";
    let mut jobs = Vec::new();
    for (title, description, skills, years) in [
        (
            "Senior Go engineer",
            "Build and run the payment services of our platform: Go microservices talking gRPC and Kafka, PostgreSQL, deployed on Kubernetes.",
            json!(["Go", "gRPC", "Kafka", "Postgres"]),
            5,
        ),
        (
            "Site reliability engineer",
            "Keep production up: Kubernetes clusters, Terraform, Prometheus alerts, on-call rotations and incident reviews.",
            json!(["Kubernetes", "Terraform", "Prometheus"]),
            6,
        ),
    ] {
        let input = json!({ "title": title, "description": description, "requiredSkills": skills, "minYears": years, "locationType": "REMOTE" });
        let created = ok(server.graphql(Some(&admin), create, json!({ "i": input })).await, "createJob");
        jobs.push(created["id"].as_str().unwrap().to_owned());
    }
    let rank = "query($j: ID!) { matchCandidates(jobId: $j, first: 3) { matches { candidate { id } score explanation { matchedSkills missingSkills meetsMinYears passage } } } }";
    for (job, expected) in jobs.iter().zip(["backend_go", "devops_sre"]) {
        let ranked = ok(server.graphql(Some(&admin), rank, json!({ "j": job })).await, "matchCandidates");
        let top = &ranked["matches"][0];
        assert_eq!(by_id[top["candidate"]["id"].as_str().unwrap()], expected, "{ranked}");
        assert!(top["explanation"]["passage"].as_str().is_some_and(|p| !p.is_empty()), "{top}");
        assert_eq!(top["explanation"]["meetsMinYears"], true, "{top}");
    }
    let (_, devops_id) = &candidates["devops_sre"];
    let fitting = ok(
        server
            .graphql(
                Some(&admin),
                "query($c: ID) { matchingJobs(candidateId: $c) { matches { job { id } score } } }",
                json!({ "c": devops_id }),
            )
            .await,
        "matchingJobs",
    );
    assert_eq!(fitting["matches"][0]["job"]["id"], jobs[1].as_str(), "{fitting}");

    // Who may find whom: the demo HR user has none of these candidates assigned; one chooses to
    // be discoverable, and only that one is found. Candidates search no one.
    let hr = token(&server, "hr@viva.test").await;
    let everyone = json!({ "q": "engineer developer designer manager", "r": "HYBRID" });
    let found = ok(server.graphql(Some(&hr), SEARCH, everyone.clone()).await, "searchCandidates");
    assert!(
        found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| !by_id.contains_key(h["candidate"]["id"].as_str().unwrap()))
    );
    let (devops_token, devops_id) = &candidates["devops_sre"];
    ok(
        server
            .graphql(Some(devops_token), "mutation { updateProfile(input: { preferences: { discoverable: true } }) { preferences { discoverable } } }", json!({}))
            .await,
        "updateProfile",
    );
    let found = ok(server.graphql(Some(&hr), SEARCH, everyone.clone()).await, "searchCandidates");
    let ours: Vec<&str> = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["candidate"]["id"].as_str().unwrap())
        .filter(|id| by_id.contains_key(*id))
        .collect();
    assert_eq!(ours, [devops_id.as_str()]);
    let (sales_token, _) = &candidates["sales_ae"];
    let refused = server.graphql(Some(sales_token), SEARCH, everyone).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
    let other = server
        .graphql(
            Some(sales_token),
            "query($c: ID) { resumes(candidateId: $c) { id } }",
            json!({ "c": devops_id }),
        )
        .await;
    assert_eq!(other["errors"][0]["extensions"]["code"], "NOT_FOUND", "{other}");
}
