//! `viva serve` with `workers_in_serve = false` beside one `viva worker`: the worker alone runs
//! every kind of job, email delivery and the periodic expiry of overdue interviews included.

use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;
use viva_test_support::{SmtpServer, TestDatabase};

use crate::interviews::{ok, token};
use crate::server::{Server, migrate_and_seed, viva};

const FROM: &str = "Viva <no-reply@viva.test>";

#[tokio::test]
async fn a_separate_worker_delivers_email_and_expires_overdue_interviews() {
    let database = TestDatabase::new().await;
    migrate_and_seed(&database);
    let relay = SmtpServer::start().await;
    let server = Server::start(
        &database,
        &[("VIVA_WORKERS_IN_SERVE", "false"), ("VIVA_SMTP_URL", &relay.url), ("VIVA_SMTP_FROM", FROM)],
    )
    .await;

    // An email to deliver: a registration's verification link.
    let registered = server
        .graphql(
            None,
            "mutation($i: RegisterInput!) { register(input: $i) { id } }",
            json!({ "i": { "email": "mae@example.org", "password": "copper-kettle-sunrise-9", "fullName": "Mae Mail", "role": "CANDIDATE" } }),
        )
        .await;
    ok(registered, "register");
    // An interview to expire: scheduled for the demo candidate, then its window moved into the
    // past (as if an hour had gone by).
    let hr = token(&server, "hr@viva.test").await;
    let assigned = ok(
        server.graphql(Some(&hr), "{ assignedCandidates { edges { node { id } } } }", json!({})).await,
        "assignedCandidates",
    );
    let input = json!({
        "candidateId": assigned["edges"][0]["node"]["id"], "role": "backend-engineer", "difficulty": "MEDIUM",
        "questionCount": 2, "windowStart": (Utc::now() - chrono::Duration::minutes(5)).to_rfc3339(),
        "windowEnd": (Utc::now() + chrono::Duration::hours(1)).to_rfc3339(),
    });
    let scheduled = ok(
        server
            .graphql(
                Some(&hr),
                "mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await,
        "scheduleInterview",
    );
    let id = scheduled["id"].as_str().unwrap().to_owned();
    let (client, connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls).await.unwrap();
    let connection = tokio::spawn(connection);
    let moved = client
        .execute(
            "UPDATE interviews SET window_end = now() - interval '1 minute' WHERE id = $1::text::uuid",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(moved, 1);
    let status = async |server: &Server| {
        let interview = ok(
            server
                .graphql(Some(&hr), "query($id: ID!) { interview(id: $id) { status } }", json!({ "id": id }))
                .await,
            "interview",
        );
        interview["status"].as_str().unwrap().to_owned()
    };

    // serve runs no job: both jobs wait, untouched (no attempt was made).
    let untouched = client
        .query("SELECT kind, status, attempts FROM background_jobs WHERE kind = 'send_email'", &[])
        .await
        .unwrap();
    assert_eq!(untouched.len(), 1);
    assert_eq!((untouched[0].get::<_, &str>(1), untouched[0].get::<_, i32>(2)), ("QUEUED", 0));
    assert_eq!(status(&server).await, "SCHEDULED");
    assert!(relay.received().await.is_empty());

    let mut worker = viva(database.url())
        .arg("worker")
        .env("VIVA_SMTP_URL", &relay.url)
        .env("VIVA_SMTP_FROM", FROM)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start viva worker");
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut delivered, mut expired) = (false, false);
    while !(delivered && expired) {
        assert!(
            Instant::now() < deadline,
            "within 30 s the worker should have delivered the email ({delivered}) and expired the interview ({expired})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        let received = relay.received().await;
        if let Some(mail) = received.first() {
            assert_eq!(mail.to, ["mae@example.org"]);
            assert!(mail.data.contains("verify-email?token="), "{}", mail.data);
            delivered = true;
        }
        expired = status(&server).await == "EXPIRED";
    }
    worker.kill().unwrap();
    let _ = worker.wait();
    assert_eq!(relay.received().await.len(), 1, "delivered once");
    connection.abort();
}
