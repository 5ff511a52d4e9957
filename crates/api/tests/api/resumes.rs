//! CAND-1 through the API: resumes uploaded as GraphQL multipart requests, typed by content,
//! listed, made active and deleted; and who may see them (issue #12, item 5: a candidate never
//! reaches another candidate's resumes; an HR user only those of candidates assigned to them or
//! discoverable). The analysis job runs in the end-to-end tests, with the real binary's sandbox.

use axum::body::Body;
use http::Request;
use serde_json::{Value, json};
use viva_test_support::{TestApp, TestUser, multipart_request};

const UPLOAD: &str =
    "mutation($f: Upload!) { uploadResume(file: $f) { id status format fileName active byteSize } }";
const LIST: &str = "query($c: ID) { resumes(candidateId: $c) { id active fileName } }";

/// A small but well-formed PDF (header to `%%EOF`).
fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// A PNG's signature and header: an image, whatever its name says.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend([0u8; 64]);
    bytes
}

fn upload_request(user: &TestUser, file_name: &str, content: &[u8]) -> Request<Body> {
    let files = [("variables.f", file_name, content.to_vec())];
    multipart_request(&user.access_token, UPLOAD, json!({ "f": null }), &files)
}

async fn upload(app: &TestApp, user: &TestUser, file_name: &str, content: &[u8]) -> Value {
    app.send(upload_request(user, file_name, content)).await.json()
}

#[tokio::test]
async fn a_candidate_uploads_lists_activates_and_deletes_resumes_typed_by_their_content() {
    let app = TestApp::new().await;
    app.leave_jobs();
    let candidate = app.candidate().await;

    let first = upload(&app, &candidate, "../../Ada CV.pdf", &pdf()).await;
    let first = &first["data"]["uploadResume"];
    assert_eq!(first["status"], "PENDING", "{first}");
    assert_eq!(first["format"], "PDF");
    assert_eq!(first["fileName"], "Ada CV.pdf", "no path survives");
    assert_eq!(first["active"], true, "the first resume is the active one");
    let second = upload(&app, &candidate, "second.pdf", &pdf()).await["data"]["uploadResume"].clone();
    assert_eq!(second["active"], false);
    let queued = app.jobs_of_kind("analyze_resume").await;
    assert_eq!(queued.len(), 2, "each upload queues its analysis");

    // Not a PDF or a Word document by content: refused, whatever the name; nothing stored.
    for (name, content) in
        [("photo.pdf", png()), ("empty.pdf", Vec::new()), ("cut.pdf", pdf()[..40].to_vec())]
    {
        let refused = upload(&app, &candidate, name, &content).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{name}: {refused}");
    }
    let refused = upload(&app, &candidate, "photo.pdf", &png()).await;
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("PNG"), "{refused}");
    let over = vec![b'x'; app.services.service.config.resumes.max_bytes + 10];
    let mut big = pdf();
    big.splice(9..9, over);
    let refused = upload(&app, &candidate, "big.pdf", &big).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refused}");

    let mine = app.graphql_as(&candidate, LIST, json!({})).await.data()["resumes"].clone();
    assert_eq!(mine.as_array().unwrap().len(), 2);
    assert_eq!(mine[0]["id"], second["id"], "newest first");

    let switched = app
        .graphql_as(
            &candidate,
            "mutation($id: ID!) { setActiveResume(id: $id) { id active } }",
            json!({ "id": second["id"] }),
        )
        .await;
    assert_eq!(switched.data()["setActiveResume"]["active"], true);
    let mine = app.graphql_as(&candidate, LIST, json!({})).await.data()["resumes"].clone();
    let active: Vec<&Value> = mine.as_array().unwrap().iter().filter(|r| r["active"] == true).collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["id"], second["id"]);

    // Deleting the active resume makes the other one active.
    app.graphql_as(&candidate, "mutation($id: ID!) { deleteResume(id: $id) }", json!({ "id": second["id"] }))
        .await
        .data();
    let mine = app.graphql_as(&candidate, LIST, json!({})).await.data()["resumes"].clone();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["id"], first["id"]);
    assert_eq!(mine[0]["active"], true);
}

#[tokio::test]
async fn resumes_are_seen_by_their_candidate_their_hr_user_and_admins_and_discoverable_ones_by_any_hr_user() {
    let app = TestApp::new().await;
    app.leave_jobs();
    let (admin, hr, other_hr) = (app.admin().await, app.hr().await, app.hr().await);
    let (candidate, other) = (app.candidate().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.map_hr(&admin, &other_hr).await;
    app.assign(&admin, &candidate, &hr).await;
    let resume = upload(&app, &candidate, "cv.pdf", &pdf()).await["data"]["uploadResume"].clone();

    for user in [&candidate, &hr, &admin] {
        let seen = app.graphql_as(user, LIST, json!({ "c": candidate.id })).await;
        assert_eq!(seen.data()["resumes"][0]["id"], resume["id"], "{}", user.email);
    }
    for user in [&other, &other_hr] {
        app.graphql_as(user, LIST, json!({ "c": candidate.id })).await.expect_error("NOT_FOUND");
    }
    // Another candidate can neither activate nor delete it.
    for mutation in [
        "mutation($id: ID!) { setActiveResume(id: $id) { id } }",
        "mutation($id: ID!) { deleteResume(id: $id) }",
    ] {
        app.graphql_as(&other, mutation, json!({ "id": resume["id"] })).await.expect_error("NOT_FOUND");
        app.graphql_as(&hr, mutation, json!({ "id": resume["id"] })).await.expect_error("NOT_FOUND");
    }
    // Staff do not upload resumes.
    let refused = upload(&app, &hr, "cv.pdf", &pdf()).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // A discoverable candidate's resumes are visible to every mapped HR user.
    app.execute(&format!("UPDATE users SET discoverable = true WHERE id = '{}'", candidate.id)).await;
    let seen = app.graphql_as(&other_hr, LIST, json!({ "c": candidate.id })).await;
    assert_eq!(seen.data()["resumes"][0]["id"], resume["id"]);
    app.graphql_as(&other, LIST, json!({ "c": candidate.id })).await.expect_error("NOT_FOUND");
}

async fn get(app: &TestApp, url: &str, token: Option<&str>) -> viva_test_support::RawResponse {
    let mut request = Request::get(url);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

async fn download_url(app: &TestApp, user: &TestUser, candidate: &TestUser) -> String {
    let seen = app
        .graphql_as(
            user,
            "query($c: ID) { resumes(candidateId: $c) { downloadUrl } }",
            json!({ "c": candidate.id }),
        )
        .await;
    seen.data()["resumes"][0]["downloadUrl"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_resumes_file_is_downloaded_by_the_user_its_link_was_issued_to_while_they_may_see_it() {
    let app = TestApp::new().await;
    app.leave_jobs();
    let (admin, hr) = (app.admin().await, app.hr().await);
    let (candidate, other) = (app.candidate().await, app.candidate().await);
    app.map_hr(&admin, &hr).await;
    app.assign(&admin, &candidate, &hr).await;
    upload(&app, &candidate, "Ada Lovelace é CV.pdf", &pdf()).await;

    for user in [&candidate, &hr, &admin] {
        let url = download_url(&app, user, &candidate).await;
        assert!(url.starts_with("/resume-files/") && url.contains("?expires="), "{url}");
        let file = get(&app, &url, Some(&user.access_token)).await;
        assert_eq!(file.status, 200, "{}: {:?}", user.email, file.body);
        assert_eq!(file.body.as_ref(), pdf().as_slice(), "the stored bytes, unchanged");
        assert_eq!(file.headers["content-type"], "application/pdf");
        assert_eq!(file.headers["content-disposition"], "attachment; filename=\"Ada Lovelace _ CV.pdf\"");
        assert_eq!(file.headers["cache-control"], "private, no-store");
    }

    let url = download_url(&app, &hr, &candidate).await;
    // Only with the token of the user it was issued to.
    assert_eq!(get(&app, &url, None).await.status, 401);
    assert_eq!(get(&app, &url, Some(&other.access_token)).await.status, 404);
    assert_eq!(get(&app, &url, Some(&candidate.access_token)).await.status, 404);
    // Altered, it is no link at all.
    let altered = url.replace("expires=", "expires=1");
    assert_eq!(get(&app, &altered, Some(&hr.access_token)).await.status, 404);
    let (path, _) = url.split_once("?").unwrap();
    assert_eq!(
        get(&app, &format!("{path}?expires=1&signature=AAAA"), Some(&hr.access_token)).await.status,
        404
    );
    assert_eq!(get(&app, path, Some(&hr.access_token)).await.status, 400);
    // An HR user who loses the candidate loses the file at once, link or not.
    app.graphql_as(
        &admin,
        "mutation($c: ID!) { unassignCandidate(candidateId: $c) { id } }",
        json!({ "c": candidate.id }),
    )
    .await
    .data();
    assert_eq!(get(&app, &url, Some(&hr.access_token)).await.status, 404);
}

#[tokio::test]
async fn an_expired_resume_link_is_refused_and_says_what_to_do() {
    let app =
        TestApp::with_config(|config| config.service.reports.link_ttl = std::time::Duration::from_secs(0))
            .await;
    app.leave_jobs();
    let candidate = app.candidate().await;
    upload(&app, &candidate, "cv.pdf", &pdf()).await;
    let url = download_url(&app, &candidate, &candidate).await;
    let refused = get(&app, &url, Some(&candidate.access_token)).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.json()["errors"][0]["message"].as_str().unwrap().contains("expired"),
        "{:?}",
        refused.body
    );
}
