//! Delivering the outbox over SMTP to a local relay.

use viva_api::config::Secret;
use viva_api::mail::VERIFY_SUBJECT;
use viva_api::mail::smtp::{DeliveryReport, Mailer, SmtpSettings, deliver_due};
use viva_store::models::email::{delivery_state, for_recipient};
use viva_test_support::{SmtpServer, TEST_PASSWORD, TestApp};

fn mailer(relay: &SmtpServer) -> Mailer {
    Mailer::new(&SmtpSettings {
        url: Secret::new(relay.url.clone()),
        from: "Viva <no-reply@viva.test>".into(),
    })
    .unwrap()
}

#[tokio::test]
async fn queued_emails_are_delivered_once_and_their_links_not_kept() {
    let app = TestApp::new().await;
    let relay = SmtpServer::start().await;
    app.register("ada@example.org", TEST_PASSWORD, "CANDIDATE").await.data();
    let token = app.token_from_email("ada@example.org", VERIFY_SUBJECT).await;

    let report = deliver_due(&app.services.pool, &mailer(&relay)).await.unwrap();
    assert_eq!(report, DeliveryReport { sent: 1, failed: 0 });
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
    // Nothing is sent twice.
    let again = deliver_due(&app.services.pool, &mailer(&relay)).await.unwrap();
    assert_eq!(again, DeliveryReport::default());
    assert_eq!(relay.received().await.len(), 1);
}

#[tokio::test]
async fn a_refusing_relay_leaves_the_email_queued_for_a_retry() {
    let app = TestApp::new().await;
    let relay = SmtpServer::start().await;
    relay.refuse_next(1);
    app.register("grace@example.org", TEST_PASSWORD, "CANDIDATE").await.data();

    let report = deliver_due(&app.services.pool, &mailer(&relay)).await.unwrap();
    assert_eq!(report, DeliveryReport { sent: 0, failed: 1 });
    let mut conn = app.conn().await;
    let id = for_recipient(&mut conn, "grace@example.org").await.unwrap()[0].id;
    let (sent, attempts, error) = delivery_state(&mut conn, id).await.unwrap();
    assert!(sent.is_none());
    assert_eq!(attempts, 1);
    assert!(error.is_some_and(|e| !e.is_empty()));
    // Backing off: not due again straight away.
    assert_eq!(deliver_due(&app.services.pool, &mailer(&relay)).await.unwrap(), DeliveryReport::default());
    assert!(relay.received().await.is_empty());
}

#[tokio::test]
async fn an_unreachable_relay_is_a_failed_attempt_not_an_error() {
    let app = TestApp::new().await;
    app.register("lin@example.org", TEST_PASSWORD, "CANDIDATE").await.data();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = Mailer::new(&SmtpSettings {
        url: Secret::new(format!("smtp://127.0.0.1:{port}")),
        from: "no-reply@viva.test".into(),
    })
    .unwrap();
    let report = deliver_due(&app.services.pool, &dead).await.unwrap();
    assert_eq!(report, DeliveryReport { sent: 0, failed: 1 });
}
