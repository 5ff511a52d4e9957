//! A change of embedding model: resumes whose vectors are of another model are not found by
//! meaning until the `reembed_resumes` job (scheduled periodically and at start-up) gives them
//! vectors of the active model, replacing every old one.

use serde_json::json;
use viva_test_support::TestApp;

use crate::matching::analysed_resume;
use crate::similarity::candle;

const SEARCH: &str = "query($q: String!) { searchCandidates(query: $q, ranking: SEMANTIC) { hits { candidate { id } passage } } }";

#[tokio::test]
async fn resumes_embedded_by_another_model_are_re_embedded_by_the_periodic_job_and_found_again() {
    let app = TestApp::with_config_and_ai(|_| {}, candle).await;
    let (admin, hr, candidate) = (app.admin().await, app.hr().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    analysed_resume(
        &app,
        &candidate,
        &["PostgreSQL"],
        5.0,
        &[
            "Database engineer tuning PostgreSQL queries and indexes for an online bank.",
            "Wrote the on-call runbooks and led incident reviews.",
        ],
    )
    .await;
    // As if the resume had been analysed under an older, three-dimensional model.
    assert_eq!(app.execute("UPDATE resume_passages SET model = 'old/tiny', embedding = '{1,0,0}'").await, 2);
    assert_eq!(
        app.execute("UPDATE resume_embeddings SET model = 'old/tiny', embedding = '{1,0,0}'").await,
        1
    );
    app.events_delivered().await;

    let query = json!({ "q": "PostgreSQL performance tuning" });
    let before = app.graphql_as(&hr, SEARCH, query.clone()).await;
    assert_eq!(
        before.data()["searchCandidates"]["hits"],
        json!([]),
        "vectors of another model are never compared"
    );

    let runner = viva_service::jobs::runner(
        app.services.service.clone(),
        viva_service::jobs::RunnerSettings { retry_base_seconds: 0, ..Default::default() },
    );
    runner.schedule_periodic_now().await.unwrap();
    assert_eq!(app.jobs_of_kind("reembed_resumes").await.len(), 1, "the job is one of the periodic ones");
    app.run_jobs().await;
    app.events_delivered().await;

    let after = app.graphql_as(&hr, SEARCH, query).await;
    let hits = after.data()["searchCandidates"]["hits"].as_array().unwrap().clone();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["candidate"]["id"], candidate.id.as_str());
    assert!(
        hits[0]["passage"].as_str().unwrap().contains("PostgreSQL"),
        "passages have vectors again: {hits:?}"
    );
    // Every old vector was replaced, none of the old model is left beside the new ones.
    assert_eq!(app.execute("UPDATE resume_passages SET model = model WHERE model = 'old/tiny'").await, 0);
    assert_eq!(app.execute("UPDATE resume_embeddings SET model = model WHERE model = 'old/tiny'").await, 0);
    assert_eq!(
        app.execute("UPDATE resume_passages SET model = model WHERE array_length(embedding, 1) = 384").await,
        2
    );
    assert_eq!(app.execute("UPDATE resume_embeddings SET model = model").await, 1);

    // Nothing is left to do: a second run changes nothing.
    runner.schedule_periodic_now().await.unwrap();
    app.run_jobs().await;
    assert_eq!(app.execute("UPDATE resume_embeddings SET model = model").await, 1);
}
