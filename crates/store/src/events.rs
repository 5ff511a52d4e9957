//! The event bus: small JSON events published with `pg_notify` inside the transaction of the
//! write they announce (so they are delivered only if it commits), and one listening connection
//! per process that fans them out to local subscribers. Several replicas over one database
//! therefore see the same events. The listener reconnects with backoff after a lost connection
//! and then announces [`BusMessage::Reconnected`], so subscribers can catch up on what they
//! missed from the stored state.
//!
//! Each time the listening connection comes up it gets a new generation number
//! ([`EventBus::generation`]), so whatever a process derived from the events of an earlier
//! connection can be told apart from what it may still trust. Observers
//! ([`EventBus::observe`]) see every event in the listener's own task, before any subscriber,
//! and [`EventBus::barrier`] waits until everything committed before it has come back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
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

/// The kind of the events [`EventBus::barrier`] sends to itself.
pub const BARRIER: &str = "BARRIER";

/// The topic of barrier events: no subscriber listens to it.
const BARRIER_TOPIC: &str = "bus";

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

/// A function the listener calls with every event, in its own task, before subscribers get it.
type Observer = Arc<dyn Fn(&Event) + Send + Sync>;

/// The process's listener and its subscribers.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<BusMessage>,
    connected: watch::Receiver<bool>,
    /// The generation of the listening connection while it is up, 0 while it is down.
    generation: Arc<AtomicU64>,
    observers: Arc<Mutex<Vec<Observer>>>,
}

impl EventBus {
    /// Starts listening on the database at `database_url`; keeps trying until the task is
    /// aborted or the bus dropped.
    pub fn start(database_url: String) -> (Self, tokio::task::JoinHandle<()>) {
        let (sender, _) = broadcast::channel(1024);
        let (connected_tx, connected) = watch::channel(false);
        let generation = Arc::new(AtomicU64::new(0));
        let observers = Arc::new(Mutex::new(Vec::new()));
        let listener = Listener {
            sender: sender.clone(),
            connected: connected_tx,
            generation: generation.clone(),
            observers: observers.clone(),
        };
        let task = tokio::spawn(listen(database_url, listener));
        (Self { sender, connected, generation, observers }, task)
    }

    /// Calls `observer` with every event from now on, in the listener's task and before any
    /// subscriber receives it, so it can never lag behind. It must be quick and must not block.
    pub fn observe(&self, observer: impl Fn(&Event) + Send + Sync + 'static) {
        self.observers.lock().unwrap_or_else(PoisonError::into_inner).push(Arc::new(observer));
    }

    /// The generation of the listening connection while it is up (a number that changes each
    /// time it reconnects), `None` while it is down. Something derived while the generation was
    /// `g` has missed no event as long as the generation is still `g`.
    pub fn generation(&self) -> Option<u64> {
        match AtomicU64::load(&self.generation, Ordering::SeqCst) {
            0 => None,
            generation => Some(generation),
        }
    }

    /// Sends an event to this process through the database and waits, at most `timeout`, until
    /// it comes back: by then every event committed before the call has been seen by this
    /// process's observers. `conn` must not be in a transaction. Returns whether it came back.
    pub async fn barrier(&self, conn: &mut AsyncPgConnection, timeout: Duration) -> QueryResult<bool> {
        let nonce = Uuid::new_v4();
        let mut messages = self.subscribe();
        publish(conn, &Event { topic: BARRIER_TOPIC.to_owned(), kind: BARRIER.to_owned(), id: nonce })
            .await?;
        let returned = async {
            loop {
                match messages.recv().await {
                    Ok(BusMessage::Event(event)) if event.kind == BARRIER && event.id == nonce => {
                        return true;
                    }
                    Ok(_) => {}
                    // A lost connection may have lost the barrier too.
                    Err(broadcast::error::RecvError::Lagged(_) | broadcast::error::RecvError::Closed) => {
                        return false;
                    }
                }
            }
        };
        Ok(tokio::time::timeout(timeout, returned).await.unwrap_or(false))
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

/// What the listening task holds.
struct Listener {
    sender: broadcast::Sender<BusMessage>,
    connected: watch::Sender<bool>,
    generation: Arc<AtomicU64>,
    observers: Arc<Mutex<Vec<Observer>>>,
}

impl Listener {
    fn deliver(&self, event: Event) {
        let observers = self.observers.lock().unwrap_or_else(PoisonError::into_inner).clone();
        for observer in &observers {
            observer(&event);
        }
        // No subscriber is not an error.
        let _ = self.sender.send(BusMessage::Event(event));
    }

    fn set_down(&self) {
        self.generation.store(0, Ordering::SeqCst);
        let _ = self.connected.send(false);
    }
}

async fn listen(url: String, listener: Listener) {
    let Listener { sender, connected, .. } = &listener;
    let mut delay = Duration::from_millis(200);
    let mut ever_connected = false;
    let mut generation = 0u64;
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
                        // LISTEN is in effect: whatever commits from now on reaches us, so what
                        // is read under this generation misses nothing.
                        generation += 1;
                        listener.generation.store(generation, Ordering::SeqCst);
                        let _ = connected.send(true);
                        if ever_connected {
                            tracing::info!("event bus reconnected");
                            let _ = sender.send(BusMessage::Reconnected);
                        }
                        ever_connected = true;
                        delay = Duration::from_millis(200);
                        while let Some(payload) = received.recv().await {
                            match serde_json::from_str::<Event>(&payload) {
                                Ok(event) => listener.deliver(event),
                                Err(err) => tracing::warn!(error = %err, "malformed event ignored"),
                            }
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "LISTEN failed"),
                }
                listener.set_down();
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
