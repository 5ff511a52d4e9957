//! Signed downloads, for the user a link was issued to (their access token in
//! `Authorization: Bearer`), while the link lasts and they may still see what it leads to:
//!
//! - `GET /exports/<id>?expires=…&signature=…`: an exported report's file
//!   ([`viva_service::reports::download`]);
//! - `GET /media/<id>?expires=…&signature=…`: an answer's audio or recording
//!   ([`viva_service::interviews::spoken::download`]).
//!
//! The rules are the service's; this module authenticates, parses and sends.

use std::future::Future;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use viva_domain::{ErrorCode, ReportExportId};
use viva_service::links::Download;
use viva_service::{ServiceError, ServiceResult};
use viva_store::models::session::Principal;

use crate::auth::context::{Caller, authenticate, bearer_token};
use crate::error::refuse;
use crate::state::Services;

/// The query of a download link.
#[derive(Deserialize)]
pub(crate) struct LinkParams {
    expires: i64,
    signature: String,
}

/// Serves an exported report's file.
pub(crate) async fn export_file(
    State(services): State<Services>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Result<Query<LinkParams>, QueryRejection>,
) -> Response {
    serve(&services, &id, &headers, params, "report export", async |principal, id, params| {
        viva_service::reports::download(
            &services.service,
            &principal,
            ReportExportId(id),
            params.expires,
            &params.signature,
        )
        .await
    })
    .await
}

/// Serves an answer's audio or recording.
pub(crate) async fn media_file(
    State(services): State<Services>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Result<Query<LinkParams>, QueryRejection>,
) -> Response {
    serve(&services, &id, &headers, params, "recording", async |principal, id, params| {
        viva_service::interviews::spoken::download(
            &services.service,
            &principal,
            id,
            params.expires,
            &params.signature,
        )
        .await
    })
    .await
}

/// Checks the link's shape and the caller's token, then sends what `fetch` finds.
async fn serve<F, Fut>(
    services: &Services,
    id: &str,
    headers: &HeaderMap,
    params: Result<Query<LinkParams>, QueryRejection>,
    what: &str,
    fetch: F,
) -> Response
where
    F: FnOnce(Principal, uuid::Uuid, LinkParams) -> Fut,
    Fut: Future<Output = ServiceResult<Download>>,
{
    let Ok(Query(params)) = params else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "a download link carries `expires` and `signature`; ask for a fresh link",
        );
    };
    let Ok(id) = uuid::Uuid::parse_str(id) else {
        return refuse(StatusCode::NOT_FOUND, "NOT_FOUND", &format!("{what} not found"));
    };
    let bearer = bearer_token(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()));
    let principal = match authenticate(services, bearer).await {
        Ok(Caller::User(principal)) => principal,
        Ok(Caller::Anonymous | Caller::Rejected) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "send the access token of the user the link was issued to as `Authorization: Bearer`",
            );
        }
        Err(err) => return failed(&ServiceError::internal(err.to_string())),
    };
    match fetch(principal, id, params).await {
        Ok(file) => {
            let disposition = format!("attachment; filename=\"{}\"", file.filename);
            let content_type = HeaderValue::from_str(&file.content_type)
                .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
            let mut response = file.bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, content_type);
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            response
        }
        Err(err) => failed(&err),
    }
}

/// A refused or failed download, with the message a client may see.
fn failed(err: &ServiceError) -> Response {
    let status = match err.code() {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::BadUserInput => StatusCode::BAD_REQUEST,
        _ => {
            tracing::error!(error = %err, "a download failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                err.code().as_str(),
                "the file could not be read; try again",
            );
        }
    };
    refuse(status, err.code().as_str(), &err.to_string())
}
