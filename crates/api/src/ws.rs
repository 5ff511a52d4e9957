//! The `graphql-transport-ws` protocol on `/graphql/ws`, with authentication in
//! `connection_init`, an initialisation timeout, a per-connection subscription cap and the close
//! codes the protocol specifies.
//!
//! A connection lives exactly as long as its caller may: every `subscribe` re-checks the
//! session and the account; a revoked session or a deactivated or deleted account closes the
//! connection with 4403 as soon as the change is announced on the event bus (from any replica),
//! and a periodic re-check covers a lost announcement; and the connection closes with 4403 when
//! the access token it was opened with expires, unless the client renews it by sending a `ping`
//! whose payload carries a newer access token of the same session
//! (`{"type": "ping", "payload": {"authorization": "Bearer …"}}`, as from `refreshSession`).
//!
//! Written here rather than taken from async-graphql, whose handler has no initialisation
//! timeout or subscription cap and closes with 1002 where the protocol asks for 4403.

use std::collections::HashMap;

use async_graphql::Value;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use std::time::Duration;

use viva_store::events::{ACCESS_CHANGED, BusMessage, Delivery, RecvError, TopicReceiver};
use viva_store::models::session::Principal;

use crate::auth::context::{
    Caller, ClientInfo, CredentialAttempts, authenticate, bearer_token, ensure_session_live,
};
use crate::error::AppError;
use crate::error::ensure_code;
use crate::graphql::VivaSchema;
use crate::loaders::with_loaders;
use crate::state::Services;

/// The sub-protocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// Close codes of the protocol.
mod close {
    pub(super) const BAD_REQUEST: u16 = 4400;
    pub(super) const UNAUTHORIZED: u16 = 4401;
    pub(super) const FORBIDDEN: u16 = 4403;
    pub(super) const INIT_TIMEOUT: u16 = 4408;
    pub(super) const DUPLICATE_SUBSCRIBER: u16 = 4409;
    pub(super) const TOO_MANY_INITS: u16 = 4429;
    pub(super) const INTERNAL: u16 = 4500;
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<serde_json::Value>,
    },
    Ping {
        #[serde(default)]
        payload: Option<serde_json::Value>,
    },
    Pong {},
    Subscribe {
        id: String,
        payload: Box<async_graphql::Request>,
    },
    Complete {
        id: String,
    },
}

enum Outgoing {
    Text(String),
    Finished { id: String, key: u64 },
}

enum Incoming {
    Message(ClientMessage),
    Invalid(&'static str),
    Closed,
}

async fn next_message(stream: &mut futures_util::stream::SplitStream<WebSocket>) -> Incoming {
    loop {
        match stream.next().await {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Incoming::Closed,
            Some(Ok(Message::Text(text))) => {
                return match serde_json::from_str::<ClientMessage>(text.as_str()) {
                    Ok(message) => Incoming::Message(message),
                    Err(_) => Incoming::Invalid("Invalid message received"),
                };
            }
            Some(Ok(Message::Binary(_))) => return Incoming::Invalid("Binary messages are not supported"),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
        }
    }
}

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

async fn close_with(sink: &mut Sink, code: u16, reason: &str) {
    let frame = CloseFrame { code, reason: reason.to_owned().into() };
    let _ = sink.send(Message::Close(Some(frame))).await;
    let _ = sink.close().await;
}

async fn send_json(sink: &mut Sink, value: serde_json::Value) -> bool {
    sink.send(Message::Text(value.to_string().into())).await.is_ok()
}

/// The access token in a `connection_init` payload: `{"authorization": "Bearer …"}` or
/// `{"accessToken": "…"}`.
fn token_from_payload(payload: Option<&serde_json::Value>) -> Option<String> {
    let payload = payload?;
    if let Some(header) =
        payload.get("authorization").or_else(|| payload.get("Authorization")).and_then(|v| v.as_str())
    {
        return bearer_token(Some(header)).map(str::to_owned);
    }
    payload.get("accessToken").and_then(|v| v.as_str()).map(str::to_owned)
}

/// How long the handler waits for a new operation's first poll before reading the next
/// message (the poll normally takes microseconds).
const OPERATION_START_WAIT: Duration = Duration::from_secs(2);

/// Serves one WebSocket connection until either side closes it.
pub async fn serve(socket: WebSocket, schema: VivaSchema, services: Services, client: ClientInfo) {
    let limits = services.config.limits.clone();
    let (mut sink, mut stream) = socket.split();

    // Initialisation: only pings may come before `connection_init`, which must arrive in time.
    let deadline = tokio::time::Instant::now() + limits.ws_init_timeout;
    let (principal, expires) = loop {
        let incoming = match tokio::time::timeout_at(deadline, next_message(&mut stream)).await {
            Ok(incoming) => incoming,
            Err(_) => {
                return close_with(&mut sink, close::INIT_TIMEOUT, "Connection initialisation timeout").await;
            }
        };
        match incoming {
            Incoming::Closed => return,
            Incoming::Invalid(reason) => return close_with(&mut sink, close::BAD_REQUEST, reason).await,
            Incoming::Message(ClientMessage::Ping { payload }) => {
                if !send_json(&mut sink, pong(payload)).await {
                    return;
                }
            }
            Incoming::Message(ClientMessage::Pong {}) => {}
            Incoming::Message(ClientMessage::Subscribe { .. } | ClientMessage::Complete { .. }) => {
                return close_with(&mut sink, close::UNAUTHORIZED, "Unauthorized").await;
            }
            Incoming::Message(ClientMessage::ConnectionInit { payload }) => {
                let token = token_from_payload(payload.as_ref());
                match authenticate(&services, token.as_deref()).await {
                    Ok(Caller::User(principal)) => {
                        let Some(expires) = token.as_deref().and_then(|t| token_expiry(&services, t)) else {
                            return close_with(&mut sink, close::FORBIDDEN, "Forbidden").await;
                        };
                        break (principal, expires);
                    }
                    Ok(_) => return close_with(&mut sink, close::FORBIDDEN, "Forbidden").await,
                    Err(err) => {
                        tracing::error!(error = %err, "authenticating a WebSocket connection failed");
                        return close_with(&mut sink, close::INTERNAL, "Internal error").await;
                    }
                }
            }
        }
    };
    if !send_json(&mut sink, serde_json::json!({ "type": "connection_ack" })).await {
        return;
    }

    let caller = Caller::User(principal);
    let (tx, mut rx) = mpsc::channel::<Outgoing>(64);
    let mut active: HashMap<String, (u64, AbortHandle)> = HashMap::new();
    let mut next_key = 0u64;
    // The connection lives while its session and account do, and its token has not expired:
    // checked on every operation, whenever the user's access changes (an event from any
    // replica), after the event bus reconnects, and every `RECHECK_EVERY` in case an event was
    // lost. A `ping` carrying a newer token of the same session moves the expiry on.
    let user_topic = viva_domain::vocab::Topic::User(principal.user_id).to_string();
    // Only the user's own topic: other events cost the connection nothing.
    let mut bus = Some(services.service.events.subscribe_topics(std::slice::from_ref(&user_topic)));
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK_EVERY, RECHECK_EVERY);
    let expiry = tokio::time::sleep_until(expires);
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            () = &mut expiry => {
                close_with(&mut sink, close::FORBIDDEN, "Forbidden: the access token expired").await;
                break;
            }
            _ = recheck.tick() => {
                if !still_allowed(&services, &principal).await {
                    close_with(&mut sink, close::FORBIDDEN, "Forbidden").await;
                    break;
                }
            }
            message = next_bus_message(&mut bus) => {
                let check = match message.as_ref().map(|delivery| &*delivery.message) {
                    Ok(BusMessage::Event(event)) => event.topic == user_topic && event.kind == ACCESS_CHANGED,
                    Ok(BusMessage::Reconnected) | Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => {
                        bus = None;
                        false
                    }
                };
                if check && !still_allowed(&services, &principal).await {
                    close_with(&mut sink, close::FORBIDDEN, "Forbidden").await;
                    break;
                }
            }
            incoming = next_message(&mut stream) => match incoming {
                Incoming::Closed => break,
                Incoming::Invalid(reason) => {
                    close_with(&mut sink, close::BAD_REQUEST, reason).await;
                    break;
                }
                Incoming::Message(ClientMessage::ConnectionInit { .. }) => {
                    close_with(&mut sink, close::TOO_MANY_INITS, "Too many initialisation requests").await;
                    break;
                }
                Incoming::Message(ClientMessage::Ping { payload }) => {
                    // A ping may carry a renewed access token (`{"authorization": "Bearer …"}` or
                    // `{"accessToken": …}`) of the same user and session.
                    if let Some(token) = token_from_payload(payload.as_ref()) {
                        match renewal(&services, &principal, &token).await {
                            Some(renewed) => expiry.as_mut().reset(renewed),
                            None => {
                                close_with(&mut sink, close::FORBIDDEN, "Forbidden").await;
                                break;
                            }
                        }
                    }
                    if !send_json(&mut sink, pong(payload)).await {
                        break;
                    }
                }
                Incoming::Message(ClientMessage::Pong {}) => {}
                Incoming::Message(ClientMessage::Complete { id }) => {
                    if let Some((_, handle)) = active.remove(&id) {
                        handle.abort();
                    }
                }
                Incoming::Message(ClientMessage::Subscribe { id, payload }) => {
                    if active.contains_key(&id) {
                        close_with(&mut sink, close::DUPLICATE_SUBSCRIBER, &format!("Subscriber for {id} already exists")).await;
                        break;
                    }
                    if active.len() >= limits.max_subscriptions_per_connection {
                        let error = serde_json::json!({
                            "id": id,
                            "type": "error",
                            "payload": [{
                                "message": format!("at most {} subscriptions may be open on one connection", limits.max_subscriptions_per_connection),
                                "extensions": { "code": "RATE_LIMITED" }
                            }]
                        });
                        if !send_json(&mut sink, error).await {
                            break;
                        }
                        continue;
                    }
                    if !still_allowed(&services, &principal).await {
                        close_with(&mut sink, close::FORBIDDEN, "Forbidden").await;
                        break;
                    }
                    let mut payload = *payload;
                    if let Err(refusal) = services.persisted.resolve(&mut payload) {
                        let error = serde_json::json!({
                            "id": id,
                            "type": "error",
                            "payload": [{ "message": refusal.message(), "extensions": { "code": refusal.code() } }]
                        });
                        if !send_json(&mut sink, error).await {
                            break;
                        }
                        continue;
                    }
                    if let Err(mut refused) =
                        services.document_checks.check(&mut payload)
                    {
                        ensure_code(&mut refused);
                        let error = serde_json::json!({ "id": id, "type": "error", "payload": [refused] });
                        if !send_json(&mut sink, error).await {
                            break;
                        }
                        continue;
                    }
                    next_key += 1;
                    let request = payload
                        .data(caller.clone())
                        .data(client.clone())
                        .data(CredentialAttempts::default());
                    let request = with_loaders(request, &services.service);
                    let (started, polled) = tokio::sync::oneshot::channel();
                    let handle =
                        tokio::spawn(run_operation(schema.clone(), request, id.clone(), next_key, tx.clone(), started));
                    active.insert(id, (next_key, handle.abort_handle()));
                    // The next message is handled once the operation has been polled: a
                    // subscription's resolver listens from its first poll, so a `pong` after a
                    // `subscribe` tells the client the subscription hears what happens next.
                    let _ = tokio::time::timeout(OPERATION_START_WAIT, polled).await;
                }
            },
            Some(outgoing) = rx.recv() => match outgoing {
                Outgoing::Text(text) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Outgoing::Finished { id, key } => {
                    if active.get(&id).is_some_and(|(k, _)| *k == key) {
                        active.remove(&id);
                    }
                }
            },
        }
    }
    for (_, handle) in active.into_values() {
        handle.abort();
    }
}

/// How often a connection re-checks its session even without any event.
const RECHECK_EVERY: Duration = Duration::from_secs(30);

/// When the access token expires, as an instant of this process's clock.
fn token_expiry(services: &Services, token: &str) -> Option<tokio::time::Instant> {
    let claims = services.service.tokens.verify(token).ok()?;
    let left = claims.exp - chrono::Utc::now().timestamp();
    let left = Duration::from_secs(u64::try_from(left).unwrap_or(0));
    Some(tokio::time::Instant::now() + left)
}

/// The new expiry if `token` is a valid access token of the connection's user and session, and
/// that session is still live.
async fn renewal(services: &Services, principal: &Principal, token: &str) -> Option<tokio::time::Instant> {
    let claims = services.service.tokens.verify(token).ok()?;
    if claims.sub != principal.user_id.0 || claims.sid != principal.session_id.0 {
        return None;
    }
    if !still_allowed(services, principal).await {
        return None;
    }
    token_expiry(services, token)
}

/// Whether the connection's session and account are still live. A database error counts as
/// allowed (the next check decides), so a blip does not drop every connection.
async fn still_allowed(services: &Services, principal: &Principal) -> bool {
    match ensure_session_live(services, principal).await {
        Ok(_) => true,
        Err(AppError(viva_service::ServiceError::Unauthenticated(_))) => false,
        Err(err) => {
            tracing::warn!(error = %err, "re-checking a WebSocket session failed");
            true
        }
    }
}

/// The next bus message, or never once the bus has closed.
async fn next_bus_message(bus: &mut Option<TopicReceiver>) -> Result<Delivery, RecvError> {
    match bus {
        Some(bus) => bus.recv().await,
        None => std::future::pending().await,
    }
}

fn pong(payload: Option<serde_json::Value>) -> serde_json::Value {
    match payload {
        Some(payload) => serde_json::json!({ "type": "pong", "payload": payload }),
        None => serde_json::json!({ "type": "pong" }),
    }
}

/// Runs one operation and forwards its results. A request that fails before execution (parse
/// or validation) gets one `error` message; otherwise each result is a `next`, then `complete`.
async fn run_operation(
    schema: VivaSchema,
    request: async_graphql::Request,
    id: String,
    key: u64,
    tx: mpsc::Sender<Outgoing>,
    started: tokio::sync::oneshot::Sender<()>,
) {
    let mut results = schema.execute_stream(request);
    let mut started = Some(started);
    let mut first = true;
    let mut refused = false;
    loop {
        let next = std::future::poll_fn(|cx| {
            let polled = results.poll_next_unpin(cx);
            if let Some(started) = started.take() {
                let _ = started.send(());
            }
            polled
        })
        .await;
        let Some(mut response) = next else { break };
        for error in &mut response.errors {
            ensure_code(error);
        }
        let message = if first && response.data == Value::Null && !response.errors.is_empty() {
            refused = true;
            serde_json::json!({ "id": id, "type": "error", "payload": response.errors })
        } else {
            serde_json::json!({ "id": id, "type": "next", "payload": response })
        };
        first = false;
        if tx.send(Outgoing::Text(message.to_string())).await.is_err() {
            return;
        }
        if refused {
            break;
        }
    }
    if !refused {
        let complete = serde_json::json!({ "id": id, "type": "complete" });
        if tx.send(Outgoing::Text(complete.to_string())).await.is_err() {
            return;
        }
    }
    let _ = tx.send(Outgoing::Finished { id, key }).await;
}
