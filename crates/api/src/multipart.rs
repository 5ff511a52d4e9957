//! Reading a GraphQL multipart request (the graphql-multipart-request spec: an `operations`
//! part, a `map` part, then the files).
//!
//! Written here rather than taken from async-graphql, whose reader lets every part, including
//! the `operations` JSON, be as large as an upload: here `operations` and `map` are held to the
//! JSON body limit while files may use the upload limit, and the number of files is capped as
//! they arrive.

use std::collections::HashMap;
use std::io::Seek;

use async_graphql::UploadValue;
use axum::body::Body;

use crate::config::Limits;

/// Why a multipart request was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// A part, or the whole, was larger than its limit (in bytes).
    TooLarge(usize),
    /// More files than allowed.
    TooManyFiles(usize),
    /// `operations` held a batch.
    Batch,
    /// Anything else, with what a client can act on.
    Malformed(&'static str),
}

fn classify(error: multer::Error, limits: &Limits) -> Refused {
    match error {
        multer::Error::FieldSizeExceeded { field_name, .. }
            if matches!(field_name.as_deref(), Some("operations" | "map")) =>
        {
            Refused::TooLarge(limits.max_body_bytes)
        }
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            Refused::TooLarge(limits.max_upload_bytes)
        }
        _ => Refused::Malformed("the multipart body could not be read"),
    }
}

/// Writes a file part to an anonymous temporary file as it arrives, so that memory holds one
/// chunk at a time whatever the file's size (the constraints stop it at the upload limit).
async fn spool(mut field: multer::Field<'static>, limits: &Limits) -> Result<std::fs::File, Refused> {
    use tokio::io::AsyncWriteExt;
    let stored = |_| Refused::Malformed("an uploaded file could not be stored");
    let file = tokio::task::spawn_blocking(tempfile::tempfile)
        .await
        .map_err(|_| Refused::Malformed("an uploaded file could not be stored"))?;
    let mut file = tokio::fs::File::from_std(file.map_err(stored)?);
    while let Some(chunk) = field.chunk().await.map_err(|e| classify(e, limits))? {
        file.write_all(&chunk).await.map_err(stored)?;
    }
    file.flush().await.map_err(stored)?;
    let mut file = file.into_std().await;
    tokio::task::spawn_blocking(move || file.rewind().map(|()| file))
        .await
        .map_err(|_| Refused::Malformed("an uploaded file could not be stored"))?
        .map_err(stored)
}

/// Reads the request; `content_type` carries the boundary.
pub async fn receive(
    body: Body,
    content_type: &str,
    limits: &Limits,
) -> Result<async_graphql::Request, Refused> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| Refused::Malformed("the content type has no boundary"))?;
    let json_limit = limits.max_body_bytes as u64;
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(limits.max_upload_bytes as u64)
            .per_field(limits.max_upload_bytes as u64)
            .for_field("operations", json_limit)
            .for_field("map", json_limit),
    );
    let mut multipart = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut operations = None;
    let mut map = None;
    let mut files: HashMap<String, UploadValue> = HashMap::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| classify(e, limits))? {
        match field.name().map(str::to_owned).as_deref() {
            Some("operations") => operations = Some(field.bytes().await.map_err(|e| classify(e, limits))?),
            Some("map") => map = Some(field.bytes().await.map_err(|e| classify(e, limits))?),
            Some(name) => {
                let Some(filename) = field.file_name().map(str::to_owned) else {
                    return Err(Refused::Malformed("a part other than operations and map is not a file"));
                };
                if files.len() >= limits.max_upload_files {
                    return Err(Refused::TooManyFiles(limits.max_upload_files));
                }
                let content_type = field.content_type().map(ToString::to_string);
                let name = name.to_owned();
                let content = spool(field, limits).await?;
                files.insert(name, UploadValue { filename, content_type, content });
            }
            None => return Err(Refused::Malformed("a part has no name")),
        }
    }
    let operations = operations.ok_or(Refused::Malformed("the `operations` part is missing"))?;
    if operations.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Refused::Batch);
    }
    let mut request: async_graphql::Request = serde_json::from_slice(&operations)
        .map_err(|_| Refused::Malformed("`operations` must be a JSON GraphQL request"))?;
    if let Some(map) = map {
        let map: HashMap<String, Vec<String>> = serde_json::from_slice(&map)
            .map_err(|_| Refused::Malformed("`map` must be a JSON object of file name to variable paths"))?;
        for (name, paths) in map {
            let file =
                files.remove(&name).ok_or(Refused::Malformed("`map` names a file that was not sent"))?;
            for path in paths {
                let copy =
                    file.try_clone().map_err(|_| Refused::Malformed("an uploaded file could not be read"))?;
                request.set_upload(&path, copy);
            }
        }
    }
    Ok(request)
}
