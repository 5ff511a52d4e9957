//! The event bus: small JSON events published with `pg_notify` inside the transaction of the
//! write they announce (so they are delivered only if it commits), and one listening connection
//! per process that fans them out to local subscribers. Several replicas over one database
//! therefore see the same events. The listener reconnects with backoff after a lost connection
//! and then announces [`BusMessage::Reconnected`], so subscribers can catch up on what they
//! missed from the stored state.

use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};
use uuid::Uuid;

use viva_domain::vocab::{InterviewEventKind, Topic};
use viva_domain::{InterviewId, UserId};

use crate::QueryResult;

/// The PostgreSQL channel all events travel on.
pub const CHANNEL: &str = "viva_events";

/// One event: what happened (`kind`) to which object (`id`), for whom (`topic`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Who may care, such as `user:<uuid>` or `interview:<uuid>`.
    pub topic: String,
    /// What happened, such as `NOTIFICATION`.
    pub kind: String,
    /// The object concerned; subscribers load it (and check access) themselves.
    pub id: Uuid,
}

/// The kind of [`Event::notification`].
pub const NOTIFICATION: &str = "NOTIFICATION";

/// The kind of [`Event::access_changed`].
pub const ACCESS_CHANGED: &str = "ACCESS_CHANGED";

impl Event {
    /// An event for one user's notifications.
    pub fn notification(user: UserId, notification: Uuid) -> Self {
        Self { topic: Topic::User(user).to_string(), kind: NOTIFICATION.to_owned(), id: notification }
    }

    /// Something that happened in an interview; `id` is the object concerned.
    pub fn interview(interview: InterviewId, kind: InterviewEventKind, id: Uuid) -> Self {
        Self { topic: Topic::Interview(interview).to_string(), kind: kind.as_str().to_owned(), id }
    }

    /// A user's sessions or account changed (a session revoked, the account deactivated or
    /// deleted): long-lived connections of that user re-check whether they may go on.
    pub fn access_changed(user: UserId) -> Self {
        Self { topic: Topic::User(user).to_string(), kind: ACCESS_CHANGED.to_owned(), id: user.0 }
    }
}

/// Publishes an event; call inside the transaction of the write it announces.
pub async fn publish(conn: &mut AsyncPgConnection, event: &Event) -> QueryResult<()> {
    let payload =
        serde_json::to_string(event).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(payload)
        .execute(conn)
        .await
        .map(drop)
}

/// What subscribers receive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BusMessage {
    /// An event from any replica.
    Event(Event),
    /// The listening connection was lost and is back: events in between were missed.
    Reconnected,
}

/// The process's listener and its subscribers.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<BusMessage>,
    connected: watch::Receiver<bool>,
}

impl EventBus {
    /// Starts listening on the database at `database_url`; keeps trying until the task is
    /// aborted or the bus dropped.
    pub fn start(database_url: String) -> (Self, tokio::task::JoinHandle<()>) {
        let (sender, _) = broadcast::channel(1024);
        let (connected_tx, connected) = watch::channel(false);
        let task = tokio::spawn(listen(database_url, sender.clone(), connected_tx));
        (Self { sender, connected }, task)
    }

    /// A receiver of every message from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.sender.subscribe()
    }

    /// Whether the listening connection is up.
    pub fn is_connected(&self) -> bool {
        *self.connected.borrow()
    }

    /// Waits until the listening connection is up, at most `timeout`; returns whether it is.
    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        let mut connected = self.connected.clone();
        tokio::time::timeout(timeout, connected.wait_for(|up| *up)).await.is_ok_and(|r| r.is_ok())
    }
}

async fn listen(url: String, sender: broadcast::Sender<BusMessage>, connected: watch::Sender<bool>) {
    let mut delay = Duration::from_millis(200);
    let mut ever_connected = false;
    loop {
        match tokio_postgres::connect(&url, NoTls).await {
            Ok((client, mut connection)) => {
                let (payloads, mut received) = mpsc::unbounded_channel::<String>();
                let driver = tokio::spawn(async move {
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(AsyncMessage::Notification(n)) => {
                                if payloads.send(n.payload().to_owned()).is_err() {
                                    break;
                                }
                            }
                            Ok(_) => {}
                            Err(err) => {
                                tracing::warn!(error = %err, "event bus connection lost");
                                break;
                            }
                        }
                    }
                });
                match client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    Ok(()) => {
                        let _ = connected.send(true);
                        if ever_connected {
                            tracing::info!("event bus reconnected");
                            let _ = sender.send(BusMessage::Reconnected);
                        }
                        ever_connected = true;
                        delay = Duration::from_millis(200);
                        while let Some(payload) = received.recv().await {
                            match serde_json::from_str::<Event>(&payload) {
                                Ok(event) => {
                                    // No subscriber is not an error.
                                    let _ = sender.send(BusMessage::Event(event));
                                }
                                Err(err) => tracing::warn!(error = %err, "malformed event ignored"),
                            }
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "LISTEN failed"),
                }
                let _ = connected.send(false);
                driver.abort();
                drop(client);
            }
            Err(err) => tracing::debug!(error = %err, "event bus cannot connect; retrying"),
        }
        if sender.receiver_count() == 0 && connected.is_closed() {
            return;
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
