//! GraphQL multipart requests (the graphql-multipart-request spec), as a browser sends uploads.

use axum::body::Body;
use http::Request;
use serde_json::{Value, json};

/// A file of a multipart request: the variable path it fills (`variables.file`), the file name
/// the client gives, and its bytes.
pub type UploadPart<'a> = (&'a str, &'a str, Vec<u8>);

/// A `POST /graphql` multipart request as `access_token`: `operations`, `map`, then each file,
/// in that order, with the CSRF header a browser client sends.
pub fn multipart_request(
    access_token: &str,
    query: &str,
    variables: Value,
    files: &[UploadPart<'_>],
) -> Request<Body> {
    let operations = json!({ "query": query, "variables": variables }).to_string();
    let map: serde_json::Map<String, Value> =
        files.iter().enumerate().map(|(n, (path, _, _))| (n.to_string(), json!([path]))).collect();
    let mut body = Vec::new();
    for (name, value) in [("operations", operations), ("map", Value::Object(map).to_string())] {
        body.extend(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (n, (_, file_name, bytes)) in files.iter().enumerate() {
        body.extend(
            format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"{n}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(b"--XyZ--\r\n");
    Request::post("/graphql")
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .header("x-viva-csrf", "1")
        .header("authorization", format!("Bearer {access_token}"))
        .body(Body::from(body))
        .expect("a well-formed request")
}
