//! Delivering email through the `send_email` job over SMTP to a local relay, and what the one
//! job system does with failures and with kinds it does not know.

use viva_api::config::Secret;
use viva_service::mail::VERIFY_SUBJECT;
use viva_service::mail::smtp::SmtpSettings;
use viva_store::models::email::for_recipient;
use viva_store::queue::{self, JobStatus};
use viva_test_support::{SmtpServer, TEST_PASSWORD, TestApp};

async fn app_sending_to(url: String) -> TestApp {
    TestApp::with_config(|config| {
        config.service.smtp =
            Some(SmtpSettings { url: Secret::new(url), from: "Viva <no-reply@viva.test>".into() });
    })
    .await
}

/// The send_email jobs, oldest first.
async fn email_jobs(app: &TestApp) -> Vec<queue::Job> {
    app.jobs_of_kind("send_email").await
}

#[tokio::test]
async fn a_queued_email_is_delivered_once_by_its_job_and_its_link_not_kept() {
    let relay = SmtpServer::start().await;
    let app = app_sending_to(relay.url.clone()).await;
    app.register("ada@example.org", TEST_PASSWORD, "CANDIDATE").await.data();
    let token = app.token_from_email("ada@example.org", VERIFY_SUBJECT).await;
    assert_eq!(email_jobs(&app).await.len(), 1, "the email's job is enqueued with it");

    assert_eq!(app.run_jobs().await, 1);
    let received = relay.received().await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["ada@example.org"]);
    assert_eq!(received[0].from, "no-reply@viva.test");
    assert!(received[0].data.contains(&format!("Subject: {VERIFY_SUBJECT}")), "{}", received[0].data);
    assert!(received[0].data.replace("=\n", "").contains(&token), "the link reaches the person");

    let mut conn = app.conn().await;
    let stored = for_recipient(&mut conn, "ada@example.org").await.unwrap();
    assert!(stored[0].sent_at.is_some());
    assert_eq!(stored[0].body, "", "a sent link is not kept at rest");
    assert_eq!(email_jobs(&app).await[0].status, JobStatus::Done);
    // Nothing is sent twice, even when the job is delivered again.
    assert_eq!(app.run_jobs().await, 0);
    let job = email_jobs(&app).await.remove(0);
    let email_id = job.payload["email_id"].as_str().unwrap().parse().unwrap();
    let again = viva_service::jobs::send_email::enqueue(&mut conn, email_id).await.unwrap();
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(queue::find(&mut conn, again).await.unwrap().unwrap().status, JobStatus::Done);
    assert_eq!(relay.received().await.len(), 1);
}

#[tokio::test]
async fn a_refusing_relay_fails_the_attempt_and_the_job_is_retried_later() {
    let relay = SmtpServer::start().await;
    relay.refuse_next(1);
    let app = app_sending_to(relay.url.clone()).await;
    app.register("grace@example.org", TEST_PASSWORD, "CANDIDATE").await.data();

    let runner = viva_service::jobs::runner(app.services.service.clone(), Default::default());
    assert_eq!(runner.drain().await.unwrap(), 1);
    let job = email_jobs(&app).await.remove(0);
    assert_eq!(job.status, JobStatus::Queued);
    assert_eq!(job.attempts, 1);
    assert!(job.last_error.is_some_and(|e| !e.is_empty()));
    assert!(job.run_after > chrono::Utc::now(), "backing off: not due again straight away");
    assert_eq!(runner.drain().await.unwrap(), 0);
    assert!(relay.received().await.is_empty());
    // Once due, the retry delivers it.
    assert_eq!(app.run_jobs().await, 0, "run_jobs only runs due jobs");
    app.execute(&format!("UPDATE background_jobs SET run_after = now() WHERE id = '{}'", job.id)).await;
    assert_eq!(app.run_jobs().await, 1);
    let mut conn = app.conn().await;
    assert_eq!(relay.received().await.len(), 1);
    assert!(for_recipient(&mut conn, "grace@example.org").await.unwrap()[0].sent_at.is_some());
}

#[tokio::test]
async fn an_unreachable_relay_is_a_failed_attempt_not_a_lost_email() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = app_sending_to(format!("smtp://127.0.0.1:{port}")).await;
    app.register("lin@example.org", TEST_PASSWORD, "CANDIDATE").await.data();
    let runner = viva_service::jobs::runner(app.services.service.clone(), Default::default());
    assert_eq!(runner.drain().await.unwrap(), 1);
    let job = email_jobs(&app).await.remove(0);
    assert_eq!(job.status, JobStatus::Queued, "it will be tried again");
    let mut conn = app.conn().await;
    let stored = for_recipient(&mut conn, "lin@example.org").await.unwrap();
    assert!(stored[0].sent_at.is_none());
    assert!(!stored[0].body.is_empty(), "the email is kept until it is sent");
    // The email's job waits for its retry: this test's subject.
    app.leave_jobs();
}

#[tokio::test]
async fn a_job_of_an_unknown_kind_is_dead_at_once_and_counted() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let mut conn = app.conn().await;
    let id = queue::enqueue(&mut conn, "evaluate_response", &serde_json::json!({}), 5).await.unwrap();
    let bad_payload =
        queue::enqueue(&mut conn, "send_email", &serde_json::json!({ "email": 1 }), 5).await.unwrap();
    assert_eq!(app.run_jobs().await, 2);
    for job in [id, bad_payload] {
        let job = queue::find(&mut conn, job).await.unwrap().unwrap();
        assert_eq!(job.status, JobStatus::Dead, "{job:?}");
        assert_eq!(job.attempts, 1, "not retried: it would fail the same way");
        assert!(job.last_error.is_some_and(|e| e.contains("evaluate_response") || e.contains("payload")));
    }
    let stats = app.graphql_as(&admin, "{ systemStats { jobsDead } }", serde_json::json!({})).await;
    assert_eq!(stats.data()["systemStats"]["jobsDead"], 2);
    // The dead jobs are this test's subject.
    app.leave_jobs();
}
