//! The admins' console: GraphiQL, served entirely by Viva so that it works without internet.
//!
//! GraphiQL's own scripts and styles (graphiql, React, React DOM and the graphql-ws client) are
//! third-party bundles: `scripts/fetch-graphiql.sh` takes them from the npm registry into a
//! cache outside the repository, and the server reads them from there at start. Our part is a
//! static page, a small stylesheet and `console.js`, which mounts GraphiQL with a headers editor
//! and a fetcher that runs subscriptions over `/graphql/ws` with the token from that editor.
//! Without the assets, the page says how to get them.
//!
//! The page carries a Content-Security-Policy that allows scripts, styles and connections to
//! this origin only, and no inline script at all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path as UrlPath;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Third-party files the page loads, as the fetch script names them, with their media type.
pub const ASSET_FILES: [(&str, &str); 5] = [
    ("graphiql.min.css", "text/css; charset=utf-8"),
    ("react.production.min.js", "text/javascript; charset=utf-8"),
    ("react-dom.production.min.js", "text/javascript; charset=utf-8"),
    ("graphql-ws.min.js", "text/javascript; charset=utf-8"),
    ("graphiql.min.js", "text/javascript; charset=utf-8"),
];

/// What the page may load: its own origin only; fonts and icons also as `data:` URLs (GraphiQL's
/// stylesheet embeds its fonts that way). One kind of inline style is allowed, by a nonce made
/// afresh for every page: the `<style>` element that GraphiQL's menus add while open (from
/// react-remove-scroll-bar, which takes the nonce from `window.__webpack_nonce__`). Scripts have
/// no exception.
pub fn content_security_policy(style_nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{style_nonce}'; \
         font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// The policy of everything but the page itself: nothing may run or load.
const STRICT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

const CONSOLE_JS: &str = include_str!("../assets/graphiql/console.js");
const CONSOLE_CSS: &str = include_str!("../assets/graphiql/console.css");

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Viva console</title>
<meta name="viva-style-nonce" content="{{STYLE_NONCE}}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/graphiql/assets/graphiql.min.css">
<link rel="stylesheet" href="/graphiql/console.css">
</head>
<body>
<div id="graphiql">Loading the console…</div>
<script src="/graphiql/assets/react.production.min.js"></script>
<script src="/graphiql/assets/react-dom.production.min.js"></script>
<script src="/graphiql/assets/graphql-ws.min.js"></script>
<script src="/graphiql/assets/graphiql.min.js"></script>
<script src="/graphiql/console.js"></script>
</body>
</html>
"#;

/// GraphiQL's files as read at start, or why they are missing.
#[derive(Clone)]
pub struct Assets(Arc<Result<HashMap<&'static str, Bytes>, String>>);

impl Assets {
    /// Reads every asset from `dir`; any file missing makes the whole set missing, with a reason.
    pub fn load(dir: Option<&Path>) -> Self {
        let Some(dir) = dir else {
            return Self(Arc::new(Err("no GraphiQL assets directory is configured".to_owned())));
        };
        let mut files = HashMap::new();
        for (name, _) in ASSET_FILES {
            match std::fs::read(dir.join(name)) {
                Ok(bytes) => {
                    files.insert(name, Bytes::from(bytes));
                }
                Err(err) => {
                    return Self(Arc::new(Err(format!("{} is missing ({err})", dir.join(name).display()))));
                }
            }
        }
        Self(Arc::new(Ok(files)))
    }

    /// Whether every asset is there.
    pub fn available(&self) -> bool {
        self.0.is_ok()
    }

    /// Why the assets are missing, if they are.
    pub fn problem(&self) -> Option<&str> {
        self.0.as_ref().as_ref().err().map(String::as_str)
    }
}

/// The default assets directory: `$VIVA_GRAPHIQL_ASSETS` when set by the caller, otherwise
/// `$XDG_CACHE_HOME/viva/graphiql` or `~/.cache/viva/graphiql`, where the fetch script puts them.
pub fn default_assets_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let cache = env("XDG_CACHE_HOME").or_else(|| env("HOME").map(|home| home.join(".cache")))?;
    Some(cache.join("viva").join("graphiql"))
}

/// The console's routes under `/graphiql`.
pub fn routes<S: Clone + Send + Sync + 'static>(assets: Assets) -> Router<S> {
    let for_page = assets.clone();
    Router::new()
        .route("/graphiql", get(move || page(for_page.clone())))
        .route(
            "/graphiql/console.js",
            get(|| async { own_file(CONSOLE_JS, "text/javascript; charset=utf-8") }),
        )
        .route("/graphiql/console.css", get(|| async { own_file(CONSOLE_CSS, "text/css; charset=utf-8") }))
        .route(
            "/graphiql/assets/{name}",
            get(move |UrlPath(name): UrlPath<String>| asset(assets.clone(), name)),
        )
}

fn with_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(STRICT_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

async fn page(assets: Assets) -> Response {
    let nonce = style_nonce();
    let response = match assets.problem() {
        None => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE.replace("{{STYLE_NONCE}}", &nonce))
                .into_response()
        }
        Some(problem) => {
            tracing::warn!(problem, "GraphiQL requested but its assets are not installed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                missing_page(),
            )
                .into_response()
        }
    };
    let mut response = with_security_headers(response);
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A fresh nonce: 128 random bits, base64.
fn style_nonce() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The page shown when the assets are missing: how to get them, without revealing paths.
fn missing_page() -> String {
    let files =
        ASSET_FILES.iter().map(|(name, _)| format!("<li><code>{name}</code></li>")).collect::<String>();
    format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Viva console: assets not installed</title>
<link rel="stylesheet" href="/graphiql/console.css"></head>
<body class="viva-missing">
<h1>GraphiQL is not installed on this server</h1>
<p>The console's scripts and styles are served by Viva itself, so it works without internet
access, but they have not been fetched on this machine.</p>
<p>Run <code>scripts/fetch-graphiql.sh</code> (or <code>make run</code>, which runs it) on the
server, then restart <code>viva serve</code>. To use files you already have, set
<code>VIVA_GRAPHIQL_ASSETS</code> to a directory holding:</p>
<ul>{files}</ul>
<p>The GraphQL API itself is unaffected: <code>POST /graphql</code>.</p>
</body>
</html>
"#
    )
}

fn own_file(text: &'static str, media_type: &'static str) -> Response {
    let response =
        ([(header::CONTENT_TYPE, media_type), (header::CACHE_CONTROL, "no-cache")], text).into_response();
    with_security_headers(response)
}

async fn asset(assets: Assets, name: String) -> Response {
    let found = ASSET_FILES.iter().find(|(file, _)| *file == name).and_then(|(file, media_type)| {
        Some((assets.0.as_ref().as_ref().ok()?.get(file)?.clone(), *media_type))
    });
    let Some((bytes, media_type)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let response =
        ([(header::CONTENT_TYPE, media_type), (header::CACHE_CONTROL, "public, max-age=86400")], bytes)
            .into_response();
    with_security_headers(response)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_page_has_no_inline_script() {
        // Every <script> of the page loads a file; the policy would block anything else.
        for line in PAGE.lines().filter(|line| line.contains("<script")) {
            assert!(line.contains(" src=\"/graphiql/") && line.ends_with("></script>"), "{line}");
        }
        let policy = content_security_policy(&style_nonce());
        assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "{policy}");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert_ne!(style_nonce(), style_nonce());
    }

    #[test]
    fn missing_assets_are_reported_with_the_file_that_is_missing() {
        let dir = std::env::temp_dir().join(format!("viva-graphiql-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let assets = Assets::load(Some(&dir));
        assert!(!assets.available());
        assert!(assets.problem().unwrap().contains("graphiql.min.css"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
