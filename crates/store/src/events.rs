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
//!
//! Long-lived subscribers ([`EventBus::subscribe_topics`]) receive only the events of their
//! topics, so an event costs work for the subscribers of its topic alone, however many others
//! listen; each delivery carries a sequence number that is the same for all its receivers, so
//! they can share whatever they load for it. A receiver that falls behind is told how many
//! messages it lost ([`RecvError::Lagged`]) rather than losing them silently.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
pub use tokio::sync::broadcast::error::RecvError;
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

/// The kind of [`Event::resumes_changed`].
pub const RESUMES_CHANGED: &str = "RESUMES_CHANGED";

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

    /// A candidate's resumes changed (one analysed, activated or deleted): per-replica search
    /// indexes reload that candidate's vectors.
    pub fn resumes_changed(candidate: UserId) -> Self {
        Self { topic: Topic::User(candidate).to_string(), kind: RESUMES_CHANGED.to_owned(), id: candidate.0 }
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

/// One message to a topic subscriber.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The message's number in this process, the same for every receiver of it.
    pub seq: u64,
    /// The message, shared by its receivers.
    pub message: Arc<BusMessage>,
}

/// How many messages a topic subscriber may have waiting before it lags.
const TOPIC_CAPACITY: usize = 1024;

/// One topic subscriber, as the listener sees it.
struct Route {
    sender: mpsc::Sender<Delivery>,
    /// Messages dropped because the receiver was full, not yet reported.
    lost: AtomicU64,
}

impl Route {
    fn send(&self, delivery: Delivery) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.sender.try_send(delivery) {
            self.lost.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// Topic subscribers by topic, each under a number of its own.
#[derive(Default)]
struct Routes {
    next: u64,
    by_topic: HashMap<String, HashMap<u64, Arc<Route>>>,
}

/// The messages of some topics, in the order they were published, and every
/// [`BusMessage::Reconnected`]. Unsubscribes when dropped.
pub struct TopicReceiver {
    receiver: mpsc::Receiver<Delivery>,
    route: Arc<Route>,
    key: u64,
    topics: Vec<String>,
    routes: Weak<Mutex<Routes>>,
}

impl TopicReceiver {
    /// The next message. `Err(Lagged(n))` when `n` messages were lost because this receiver
    /// fell behind (the messages still waiting come after it); `Err(Closed)` once the bus is gone.
    pub async fn recv(&mut self) -> Result<Delivery, RecvError> {
        let lost = self.route.lost.swap(0, Ordering::AcqRel);
        if lost > 0 {
            return Err(RecvError::Lagged(lost));
        }
        self.receiver.recv().await.ok_or(RecvError::Closed)
    }
}

impl Drop for TopicReceiver {
    fn drop(&mut self) {
        let Some(routes) = self.routes.upgrade() else { return };
        let mut routes = routes.lock().unwrap_or_else(PoisonError::into_inner);
        for topic in &self.topics {
            if let Some(subscribers) = routes.by_topic.get_mut(topic) {
                subscribers.remove(&self.key);
                if subscribers.is_empty() {
                    routes.by_topic.remove(topic);
                }
            }
        }
    }
}

/// The process's listener and its subscribers.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<BusMessage>,
    connected: watch::Receiver<bool>,
    /// The generation of the listening connection while it is up, 0 while it is down.
    generation: Arc<AtomicU64>,
    observers: Arc<Mutex<Vec<Observer>>>,
    routes: Arc<Mutex<Routes>>,
}

impl EventBus {
    /// Starts listening on the database at `database_url`; keeps trying until the task is
    /// aborted or the bus dropped.
    pub fn start(database_url: String) -> (Self, tokio::task::JoinHandle<()>) {
        let (sender, _) = broadcast::channel(1024);
        let (connected_tx, connected) = watch::channel(false);
        let generation = Arc::new(AtomicU64::new(0));
        let observers = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(Mutex::new(Routes::default()));
        let listener = Listener {
            sender: sender.clone(),
            connected: connected_tx,
            generation: generation.clone(),
            observers: observers.clone(),
            routes: routes.clone(),
            seq: AtomicU64::new(0),
        };
        let task = tokio::spawn(listen(database_url, listener));
        (Self { sender, connected, generation, observers, routes }, task)
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

    /// A receiver of every message from now on. Every event wakes every such receiver: for
    /// long-lived subscribers, [`EventBus::subscribe_topics`].
    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.sender.subscribe()
    }

    /// A receiver of the events of `topics` from now on (in publication order, whatever their
    /// topic), and of every [`BusMessage::Reconnected`]. Other topics' events cost it nothing.
    pub fn subscribe_topics(&self, topics: &[String]) -> TopicReceiver {
        let (sender, receiver) = mpsc::channel(TOPIC_CAPACITY);
        let route = Arc::new(Route { sender, lost: AtomicU64::new(0) });
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        routes.next += 1;
        let key = routes.next;
        for topic in topics {
            routes.by_topic.entry(topic.clone()).or_default().insert(key, route.clone());
        }
        TopicReceiver { receiver, route, key, topics: topics.to_vec(), routes: Arc::downgrade(&self.routes) }
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
    routes: Arc<Mutex<Routes>>,
    seq: AtomicU64,
}

impl Listener {
    fn deliver(&self, event: Event) {
        let observers = self.observers.lock().unwrap_or_else(PoisonError::into_inner).clone();
        for observer in &observers {
            observer(&event);
        }
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        let subscribers = routes.by_topic.get(&event.topic);
        let message = Arc::new(BusMessage::Event(event));
        for route in subscribers.into_iter().flat_map(HashMap::values) {
            route.send(Delivery { seq, message: message.clone() });
        }
        drop(routes);
        // No subscriber is not an error.
        let _ = self.sender.send(Arc::unwrap_or_clone(message));
    }

    /// Tells every subscriber that the connection came back (events in between were missed).
    fn reconnected(&self) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let message = Arc::new(BusMessage::Reconnected);
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        let mut told = std::collections::HashSet::new();
        for (key, route) in routes.by_topic.values().flat_map(HashMap::iter) {
            if told.insert(*key) {
                route.send(Delivery { seq, message: message.clone() });
            }
        }
        drop(routes);
        let _ = self.sender.send(BusMessage::Reconnected);
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
                            listener.reconnected();
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
