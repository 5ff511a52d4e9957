//! The axum router: `/graphql` (POST JSON and multipart, GET for queries), `/graphql/ws`,
//! `/graphiql` (see [`crate::graphiql`]), `/exports/<id>`, `/resume-files/<id>` and
//! `/media/<id>` (signed downloads), `/healthz`, `/readyz` and `/metrics`.
//!
//! The GraphQL endpoint is handled here rather than by async-graphql-axum's extractor, because
//! that extractor reads any content type as JSON, accepts batches, and reads the body without the
//! server's size limit.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use async_graphql::parser::types::OperationType;
use axum::body::{Body, to_bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::auth::context::{ClientInfo, CredentialAttempts, authenticate, bearer_token};
use crate::cookies::read_refresh_cookie;
use crate::error::refuse;
use crate::graphql::VivaSchema;
use crate::loaders::with_loaders;
use crate::multipart;
use crate::persisted::Refusal;
use crate::state::Services;
use crate::ws;

/// Headers that make a non-JSON POST (multipart uploads) safe from CSRF: a browser cannot send
/// them cross-origin without a CORS preflight.
const PREFLIGHT_HEADERS: [&str; 2] = ["x-viva-csrf", "apollo-require-preflight"];

/// The router's state.
#[derive(Clone)]
pub struct HttpState {
    /// The executable schema.
    pub schema: VivaSchema,
    /// Shared services.
    pub services: Services,
}

/// Builds the router.
pub fn router(schema: VivaSchema, services: Services) -> Router {
    let config = &services.config;
    let mut router = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .route("/exports/{id}", get(crate::downloads::export_file))
        .route("/resume-files/{id}", get(crate::downloads::resume_file))
        .route("/media/{id}", get(crate::downloads::media_file))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if config.metrics_on_public_router {
        router = router.route("/metrics", get(metrics));
    }
    if config.graphiql {
        let assets = crate::graphiql::Assets::load(config.graphiql_assets.as_deref());
        if let Some(problem) = assets.problem() {
            tracing::warn!(
                problem,
                "GraphiQL's assets are not installed; /graphiql explains how to fetch them (scripts/fetch-graphiql.sh)"
            );
        }
        router = router.merge(crate::graphiql::routes(assets));
    }
    let origins: Vec<HeaderValue> =
        config.cors_allowed_origins.iter().filter_map(|origin| HeaderValue::from_str(origin).ok()).collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("x-viva-csrf"),
        ])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600));
    router.layer(cors).with_state(HttpState { schema, services })
}

/// The router of the separate metrics listener: `/metrics` only.
pub fn metrics_router(schema: VivaSchema, services: Services) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(HttpState { schema, services })
}

impl axum::extract::FromRef<HttpState> for Services {
    fn from_ref(state: &HttpState) -> Self {
        state.services.clone()
    }
}

fn client_info(headers: &HeaderMap, peer: Option<SocketAddr>, services: &Services) -> ClientInfo {
    let forwarded = services
        .config
        .trust_forwarded_for
        .then(|| forwarded_client(headers, services.config.trusted_proxy_hops))
        .flatten();
    let ip = forwarded.or_else(|| peer.map(|addr| addr.ip().to_string()));
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(256).collect());
    let refresh_cookie = read_refresh_cookie(headers.get(header::COOKIE).and_then(|v| v.to_str().ok()));
    ClientInfo { ip, user_agent, refresh_cookie }
}

/// The client's address from `X-Forwarded-For`, counting `hops` trusted proxies from the right:
/// each proxy appends the address it received the request from, so the entries left of the
/// ones our proxies wrote are whatever the client sent, and never trusted. All the header's
/// lines count, in order. Fewer entries than hops means a proxy wrote none: the leftmost, which a
/// trusted proxy wrote, is taken.
fn forwarded_client(headers: &HeaderMap, hops: usize) -> Option<String> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    let index = entries.len().saturating_sub(hops.max(1));
    let entry = entries.get(index)?;
    entry.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

/// Runs one GraphQL request with the caller and client facts, and shapes the response.
async fn execute(
    state: &HttpState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    request: async_graphql::Request,
) -> Response {
    let Some(media) = ResponseMedia::negotiate(headers) else {
        return refuse(
            StatusCode::NOT_ACCEPTABLE,
            "BAD_USER_INPUT",
            "accept application/graphql-response+json or application/json",
        );
    };
    let services = &state.services;
    let bearer = bearer_token(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()));
    let caller = match authenticate(services, bearer).await {
        Ok(caller) => caller,
        Err(err) => {
            tracing::error!(error = %err, "authenticating a request failed");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "INTERNAL", "internal server error");
        }
    };
    let mut request =
        request.data(caller).data(client_info(headers, peer, services)).data(CredentialAttempts::default());
    let started = Instant::now();
    let mut response = match services.document_checks.check(&mut request) {
        Ok(()) => state.schema.execute(with_loaders(request, &services.service)).await,
        Err(refused) => async_graphql::Response::from_errors(vec![refused]),
    };
    let outcome = if response.errors.is_empty() { "ok" } else { "error" };
    services.metrics.graphql_operations.with_label_values(&["any", outcome]).inc();
    services.metrics.graphql_seconds.with_label_values(&["any"]).observe(started.elapsed().as_secs_f64());
    for error in &mut response.errors {
        crate::error::ensure_code(error);
    }
    let http_headers = std::mem::take(&mut response.http_headers);
    // A request error (nothing ran: the document did not parse or validate, the variables did
    // not coerce, no operation could be chosen) has no `data` at all; under the GraphQL-over-HTTP
    // media type it is a 400. Field errors always carry a path, and keep their 200.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    let status = if request_error && media == ResponseMedia::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = if request_error {
        let mut body = serde_json::json!({ "errors": response.errors });
        if !response.extensions.is_empty() {
            body["extensions"] = serde_json::to_value(&response.extensions).unwrap_or_default();
        }
        body.to_string()
    } else {
        // Straight to text: a `serde_json::Value` would sort the keys, and a response's fields
        // come in the order the query selected them (GraphQL spec, "Serialized Map Ordering").
        serde_json::to_string(&response).unwrap_or_else(|error| {
            tracing::error!(%error, "a GraphQL response could not be serialised");
            r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.to_owned()
        })
    };
    let mut out = (status, [(header::CONTENT_TYPE, media.content_type())], body).into_response();
    for (name, value) in http_headers.iter() {
        out.headers_mut().append(name.clone(), value.clone());
    }
    out.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}

/// The media type of a response, from the request's `Accept` (GraphQL over HTTP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResponseMedia {
    /// `application/graphql-response+json`: request errors are 4xx.
    GraphqlResponse,
    /// `application/json`: every well-formed request gets 200 (the legacy behaviour).
    Json,
}

impl ResponseMedia {
    /// The preferred supported type, by q-value then order; `application/json` without an
    /// `Accept` header; `None` when the client accepts neither.
    fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let mut offers = Vec::new();
        for value in headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()) {
            for entry in value.split(',') {
                let mut parts = entry.split(';').map(str::trim);
                let media = parts.next().unwrap_or_default().to_ascii_lowercase();
                let quality = parts
                    .filter_map(|p| p.strip_prefix("q="))
                    .find_map(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let supported = match media.as_str() {
                    "application/graphql-response+json" => Some(Self::GraphqlResponse),
                    "application/json" | "application/*" | "*/*" => Some(Self::Json),
                    _ => None,
                };
                if let Some(supported) = supported.filter(|_| quality > 0.0) {
                    offers.push((quality, supported));
                }
            }
        }
        if headers.get(header::ACCEPT).is_none() {
            return Some(Self::Json);
        }
        // The first of the highest quality wins.
        let best = offers.iter().map(|(q, _)| *q).fold(f32::MIN, f32::max);
        offers.into_iter().find(|(q, _)| *q == best).map(|(_, media)| media)
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

async fn graphql_post(
    State(state): State<HttpState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limits = &state.services.config.limits;
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let media_type = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let declared_length =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());

    let request = match media_type.as_str() {
        "application/json" | "application/graphql-response+json" => {
            if declared_length.is_some_and(|len| len > limits.max_body_bytes as u64) {
                return too_large(limits.max_body_bytes);
            }
            let bytes = match to_bytes(body, limits.max_body_bytes).await {
                Ok(bytes) => bytes,
                Err(err) if is_length_limit(&err) => return too_large(limits.max_body_bytes),
                Err(_) => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "BAD_USER_INPUT",
                        "the request body could not be read",
                    );
                }
            };
            if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "BAD_USER_INPUT",
                    "batched requests are not supported; send one operation per request",
                );
            }
            match serde_json::from_slice::<async_graphql::Request>(&bytes) {
                Ok(request)
                    if request.query.is_empty() && !request.extensions.contains_key("persistedQuery") =>
                {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "BAD_USER_INPUT",
                        "the request needs a `query` string (or a persisted query id)",
                    );
                }
                Ok(request) => request,
                Err(_) => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "BAD_USER_INPUT",
                        "the body must be a JSON GraphQL request: {\"query\": ..., \"variables\": ...}",
                    );
                }
            }
        }
        "multipart/form-data" => {
            let preflighted =
                PREFLIGHT_HEADERS.iter().any(|name| headers.get(*name).is_some_and(|v| !v.is_empty()));
            if !preflighted {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "BAD_USER_INPUT",
                    "multipart requests need an `x-viva-csrf` header",
                );
            }
            if declared_length.is_some_and(|len| len > limits.max_upload_bytes as u64) {
                return too_large(limits.max_upload_bytes);
            }
            match crate::multipart::receive(body, &content_type, limits).await {
                Ok(request) => request,
                Err(multipart::Refused::TooLarge(limit)) => return too_large(limit),
                Err(multipart::Refused::TooManyFiles(limit)) => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "BAD_USER_INPUT",
                        &format!("at most {limit} files may be sent in one request"),
                    );
                }
                Err(multipart::Refused::Batch) => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "BAD_USER_INPUT",
                        "batched requests are not supported",
                    );
                }
                Err(multipart::Refused::Malformed(reason)) => {
                    return refuse(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", reason);
                }
            }
        }
        _ => {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "BAD_USER_INPUT",
                "send GraphQL requests as application/json (or multipart/form-data for uploads)",
            );
        }
    };
    let mut request = request;
    if let Err(refusal) = state.services.persisted.resolve(&mut request) {
        return refuse_persisted(refusal);
    }
    execute(&state, &headers, peer.map(|Extension(ConnectInfo(addr))| addr), request).await
}

/// The protocol's answer to a refused persisted operation.
fn refuse_persisted(refusal: Refusal) -> Response {
    refuse(refusal.status(), refusal.code(), refusal.message())
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if current.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = current.source();
    }
    false
}

fn too_large(limit: usize) -> Response {
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        &format!("the request body is larger than {limit} bytes"),
    )
}

/// The parameters of a GET request.
#[derive(serde::Deserialize)]
struct GetParams {
    #[serde(default)]
    query: String,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    /// A JSON object; carries `persistedQuery` for hash-only requests.
    extensions: Option<String>,
}

async fn graphql_get(
    State(state): State<HttpState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    params: Result<Query<GetParams>, QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return refuse(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "a GET request needs a `query` parameter");
    };
    let max_bytes = state.services.config.limits.max_body_bytes;
    let sent = params.query.len()
        + params.variables.as_ref().map_or(0, String::len)
        + params.extensions.as_ref().map_or(0, String::len);
    if sent > max_bytes {
        return too_large(max_bytes);
    }
    let extensions = match params.extensions.as_deref().map(serde_json::from_str::<async_graphql::Extensions>)
    {
        None => async_graphql::Extensions::default(),
        Some(Ok(extensions)) => extensions,
        Some(Err(_)) => {
            return refuse(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "`extensions` must be a JSON object");
        }
    };
    if params.query.is_empty() && extensions.0.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "a GET request needs a `query` parameter");
    }
    let mut request = async_graphql::Request::new(params.query);
    request.extensions = extensions;
    if let Err(refusal) = state.services.persisted.resolve(&mut request) {
        return refuse_persisted(refusal);
    }
    // GET must never change anything: only queries are run.
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return refuse(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "the query could not be parsed");
    };
    let operation_type = match params.operation_name.as_deref() {
        Some(name) => {
            document.operations.iter().find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name))
        }
        None => document.operations.iter().next(),
    }
    .map(|(_, op)| op.node.ty);
    if operation_type != Some(OperationType::Query) {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            "only queries may be sent with GET; send mutations with POST",
        );
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let variables = match params.variables.as_deref().map(serde_json::from_str::<async_graphql::Variables>) {
        None => async_graphql::Variables::default(),
        Some(Ok(variables)) => variables,
        Some(Err(_)) => {
            return refuse(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "`variables` must be a JSON object");
        }
    };
    let mut request = request.variables(variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    execute(&state, &headers, peer.map(|Extension(ConnectInfo(addr))| addr), request).await
}

async fn graphql_ws(
    State(state): State<HttpState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let client = client_info(&headers, peer.map(|Extension(ConnectInfo(addr))| addr), &state.services);
    let limits = &state.services.config.limits;
    let address = client.ip.clone().unwrap_or_else(|| "unknown".to_owned());
    let Some(slot) = crate::state::ConnectionCounts::open(
        &state.services,
        &address,
        limits.max_ws_connections_per_address,
    ) else {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "too many WebSocket connections from this address",
        );
    };
    // Messages are held to the same size as request bodies, before anything parses them. Client
    // messages are small: an 8 KiB read buffer instead of tungstenite's 128 KiB keeps an idle
    // connection cheap (larger messages still arrive, over several reads).
    upgrade
        .protocols([ws::PROTOCOL])
        .read_buffer_size(8 * 1024)
        .max_message_size(limits.max_body_bytes)
        .max_frame_size(limits.max_body_bytes)
        .on_upgrade(move |socket| async move {
            ws::serve(socket, state.schema, state.services, client).await;
            drop(slot);
        })
}

/// Liveness: the process is up and serving.
async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database answers.
async fn readyz(State(state): State<HttpState>) -> Response {
    let check = viva_service::reads::database_ready(&state.services.service);
    match tokio::time::timeout(Duration::from_secs(3), check).await {
        Ok(Ok(_)) => Json(serde_json::json!({ "status": "ready", "database": "ok" })).into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": "unreachable" })),
            )
                .into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "database": "timeout" })),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<HttpState>) -> Response {
    let metrics = &state.services.metrics;
    let status = state.services.service.pool.status();
    metrics.pool_connections.with_label_values(&["open"]).set(status.size as i64);
    metrics.pool_connections.with_label_values(&["idle"]).set(status.available as i64);
    metrics.pool_connections.with_label_values(&["max"]).set(status.max_size as i64);
    match metrics.render() {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering metrics failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
