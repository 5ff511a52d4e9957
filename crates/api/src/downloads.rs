//! `GET /exports/<id>?expires=…&signature=…`: an exported report's file, for the user its link
//! was issued to (their access token in `Authorization: Bearer`), while the link lasts and they
//! may still see the interview. The rules are the service's ([`viva_service::reports::download`]).
//! `GET /resume-files/<id>?expires=…&signature=…`: a resume's file, the same way, while they may
//! see the candidate's resumes.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use viva_domain::{ErrorCode, ReportExportId, ResumeId};
use viva_service::ServiceError;
use viva_service::reports::Download;
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
    let Ok(Query(params)) = params else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "a download link carries `expires` and `signature`; ask `reportExport` for a fresh link",
        );
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "report export not found");
    };
    let principal = match caller(&services, &headers).await {
        Ok(principal) => principal,
        Err(refused) => return refused,
    };
    let file = viva_service::reports::download(
        &services.service,
        &principal,
        ReportExportId(id),
        params.expires,
        &params.signature,
    )
    .await;
    respond(file)
}

/// Serves a resume's file (`/resume-files/<id>?expires=…&signature=…`), for the user its link
/// was issued to while they may see the candidate's resumes; the rules are the service's
/// ([`viva_service::resumes::files`]).
pub(crate) async fn resume_file(
    State(services): State<Services>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Result<Query<LinkParams>, QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "a download link carries `expires` and `signature`; ask for the resume's `downloadUrl` again",
        );
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "resume not found");
    };
    let principal = match caller(&services, &headers).await {
        Ok(principal) => principal,
        Err(refused) => return refused,
    };
    let file = viva_service::resumes::files::download(
        &services.service,
        &principal,
        ResumeId(id),
        params.expires,
        &params.signature,
    )
    .await;
    respond(file)
}

/// The signed-in user presenting a link (their access token in `Authorization: Bearer`), or
/// the response refusing them.
async fn caller(services: &Services, headers: &HeaderMap) -> Result<Principal, Response> {
    let bearer = bearer_token(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()));
    match authenticate(services, bearer).await {
        Ok(Caller::User(principal)) => Ok(principal),
        Ok(Caller::Anonymous | Caller::Rejected) => Err(refuse(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "send the access token of the user the link was issued to as `Authorization: Bearer`",
        )),
        Err(err) => Err(failed(&ServiceError::internal(err.to_string()))),
    }
}

/// A file as an attachment that is neither cached nor sniffed, or the refusal.
fn respond(file: Result<Download, ServiceError>) -> Response {
    match file {
        Ok(file) => {
            let disposition = format!("attachment; filename=\"{}\"", file.filename);
            let mut response = file.bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
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
