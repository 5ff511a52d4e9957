//! The email outbox keeps no single-use link in plain text longer than the link lives.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use viva_store::models::email::{self, NewEmail};
use viva_store::pool::{PoolSettings, build_pool};
use viva_store::schema::email_outbox;
use viva_test_support::TestDatabase;

#[tokio::test]
async fn unsent_bodies_older_than_the_links_they_carry_are_blanked() {
    let database = TestDatabase::new().await;
    let pool = build_pool(database.url(), &PoolSettings::default()).unwrap();
    let mut conn = pool.get().await.unwrap();
    let mail = |body| NewEmail { user_id: None, recipient: "ada@example.org", subject: "Reset", body };
    let old = email::enqueue(&mut conn, &mail("https://viva.test/reset?token=old-secret")).await.unwrap();
    let fresh = email::enqueue(&mut conn, &mail("https://viva.test/reset?token=fresh-secret")).await.unwrap();
    diesel::update(email_outbox::table.find(old))
        .set(email_outbox::created_at.eq(chrono::Utc::now() - chrono::Duration::hours(49)))
        .execute(&mut conn)
        .await
        .unwrap();
    let purged =
        email::purge_stale_bodies(&mut conn, chrono::Utc::now() - chrono::Duration::hours(48)).await.unwrap();
    assert_eq!(purged, 1);
    let body = |id| email_outbox::table.find(id).select(email_outbox::body);
    assert_eq!(body(old).first::<String>(&mut conn).await.unwrap(), "");
    assert!(body(fresh).first::<String>(&mut conn).await.unwrap().contains("fresh-secret"));
}
