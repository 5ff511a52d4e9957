//! Persisted operations: Apollo's automatic persisted queries (APQ) and, for production, a
//! trusted-documents mode in which only the operations of a registered manifest run.
//!
//! Both speak the same wire protocol: a request names its document by
//! `extensions.persistedQuery.sha256Hash` (with `version: 1`), with or without the document
//! text in `query`. With APQ a hash-only request runs a document registered earlier (or misses,
//! and the client resends the full text, which registers it); the cache is bounded by entries
//! and bytes. In trusted-documents mode the manifest is the only source of documents: an id
//! must be in it, and a request with full text runs only when that exact text is registered.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_graphql::Value;
use http::StatusCode;
use sha2::{Digest, Sha256};

/// How persisted operations are handled.
#[derive(Clone, Debug)]
pub struct PersistedSettings {
    /// Accept Apollo's automatic persisted queries (ignored in trusted-documents mode).
    pub apq: bool,
    /// Most documents the APQ cache holds.
    pub apq_max_entries: usize,
    /// Most bytes of document text the APQ cache holds.
    pub apq_max_bytes: usize,
    /// The registered operations; when set, nothing else runs.
    pub trusted: Option<Arc<TrustedDocuments>>,
}

impl Default for PersistedSettings {
    fn default() -> Self {
        Self { apq: true, apq_max_entries: 1_000, apq_max_bytes: 8 * 1024 * 1024, trusted: None }
    }
}

/// A manifest of registered operations: id → document.
#[derive(Debug)]
pub struct TrustedDocuments {
    by_id: HashMap<String, Arc<str>>,
    by_text_hash: HashSet<String>,
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The manifest's path.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not a manifest.
    #[error("{0}")]
    Invalid(String),
}

impl TrustedDocuments {
    /// Reads a manifest file; see [`TrustedDocuments::parse`] for the formats.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ManifestError::Read { path: path.display().to_string(), source })?;
        Self::parse(&text)
    }

    /// Parses a manifest: either a flat JSON object of id → document (what Relay and GraphQL
    /// Code Generator's client preset emit), or Apollo's persisted query manifest
    /// (`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id",
    /// "body", …}]}`). Every document must parse as GraphQL.
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|err| ManifestError::Invalid(format!("not JSON: {err}")))?;
        let serde_json::Value::Object(object) = json else {
            return Err(ManifestError::Invalid("the manifest must be a JSON object".to_owned()));
        };
        let mut entries = Vec::new();
        if object.get("format").and_then(|f| f.as_str()) == Some("apollo-persisted-query-manifest") {
            let operations = object.get("operations").and_then(|o| o.as_array()).ok_or_else(|| {
                ManifestError::Invalid("an Apollo manifest needs an `operations` array".to_owned())
            })?;
            for (index, operation) in operations.iter().enumerate() {
                let id = operation.get("id").and_then(|v| v.as_str());
                let body = operation.get("body").and_then(|v| v.as_str());
                let (Some(id), Some(body)) = (id, body) else {
                    return Err(ManifestError::Invalid(format!(
                        "operation {index} needs a string `id` and `body`"
                    )));
                };
                entries.push((id.to_owned(), body.to_owned()));
            }
        } else {
            for (id, body) in object {
                let serde_json::Value::String(body) = body else {
                    return Err(ManifestError::Invalid(format!("the document of {id:?} is not a string")));
                };
                entries.push((id, body));
            }
        }
        if entries.is_empty() {
            return Err(ManifestError::Invalid("the manifest registers no operation".to_owned()));
        }
        let mut by_id = HashMap::with_capacity(entries.len());
        let mut by_text_hash = HashSet::with_capacity(entries.len());
        for (id, body) in entries {
            if let Err(err) = async_graphql::parser::parse_query(&body) {
                return Err(ManifestError::Invalid(format!(
                    "the document of {id:?} is not valid GraphQL: {err}"
                )));
            }
            by_text_hash.insert(sha256_hex(&body));
            by_id.insert(id, Arc::from(body));
        }
        Ok(Self { by_id, by_text_hash })
    }

    /// How many operations are registered.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the manifest is empty (it never is once parsed).
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Why a request's persisted operation was refused; each maps to the protocol's error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// APQ: the hash is not (or no longer) cached; the client should resend the full text.
    NotFound,
    /// APQ is turned off.
    NotSupported,
    /// Only `version: 1` exists.
    UnsupportedVersion,
    /// The text does not hash to the id it was sent with.
    HashMismatch,
    /// Trusted-documents mode: the operation is not in the manifest.
    NotRegistered,
    /// The request has neither a document nor an id.
    MissingQuery,
}

impl Refusal {
    /// The `extensions.code` clients match on.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Refusal::NotSupported => "PERSISTED_QUERY_NOT_SUPPORTED",
            Refusal::UnsupportedVersion => "PERSISTED_QUERY_VERSION_NOT_SUPPORTED",
            Refusal::HashMismatch => "PERSISTED_QUERY_HASH_MISMATCH",
            Refusal::NotRegistered => "PERSISTED_QUERY_NOT_IN_LIST",
            Refusal::MissingQuery => "BAD_USER_INPUT",
        }
    }

    /// The message; APQ's first two are the exact strings Apollo's clients look for.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotFound => "PersistedQueryNotFound",
            Refusal::NotSupported => "PersistedQueryNotSupported",
            Refusal::UnsupportedVersion => "only version 1 of persisted queries is supported",
            Refusal::HashMismatch => "provided sha does not match query",
            Refusal::NotRegistered => {
                "this operation is not registered: the server only runs operations from its trusted documents manifest"
            }
            Refusal::MissingQuery => "the request has no `query` and no persisted query id",
        }
    }

    /// The HTTP status: a cache miss is a normal answer the client acts on (200), the rest are
    /// bad requests.
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::NotFound | Refusal::NotSupported => StatusCode::OK,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// The persisted operations of one process.
pub struct PersistedQueries {
    settings: PersistedSettings,
    cache: Mutex<ApqCache>,
}

struct ApqCache {
    entries: lru::LruCache<String, Arc<str>>,
    bytes: usize,
}

impl PersistedQueries {
    /// An empty cache with these settings.
    pub fn new(settings: PersistedSettings) -> Self {
        let unbounded = lru::LruCache::unbounded();
        Self { settings, cache: Mutex::new(ApqCache { entries: unbounded, bytes: 0 }) }
    }

    /// Whether only registered operations run.
    pub fn trusted_only(&self) -> bool {
        self.settings.trusted.is_some()
    }

    /// Resolves the request's document in place: fills `query` from the id it names, registers
    /// a new APQ document, or refuses. Requests without a persisted-query id pass unchanged
    /// (unless only trusted documents may run).
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<(), Refusal> {
        let persisted = PersistedId::of(&request.extensions.0)?;
        if let Some(trusted) = &self.settings.trusted {
            return resolve_trusted(trusted, persisted.as_deref(), &mut request.query);
        }
        let Some(hash) = persisted else {
            return Ok(());
        };
        if !self.settings.apq {
            return Err(Refusal::NotSupported);
        }
        let hash = hash.to_ascii_lowercase();
        if request.query.is_empty() {
            let mut cache = self.lock();
            let Some(document) = cache.entries.get(&hash) else {
                return Err(Refusal::NotFound);
            };
            request.query = document.to_string();
            return Ok(());
        }
        if sha256_hex(&request.query) != hash {
            return Err(Refusal::HashMismatch);
        }
        self.register(hash, &request.query);
        Ok(())
    }

    fn register(&self, hash: String, document: &str) {
        let size = document.len() + hash.len();
        if size > self.settings.apq_max_bytes || self.settings.apq_max_entries == 0 {
            return;
        }
        let mut cache = self.lock();
        if let Some(old) = cache.entries.put(hash.clone(), Arc::from(document)) {
            cache.bytes -= old.len() + hash.len();
        }
        cache.bytes += size;
        while cache.bytes > self.settings.apq_max_bytes || cache.entries.len() > self.settings.apq_max_entries
        {
            match cache.entries.pop_lru() {
                Some((key, value)) => cache.bytes -= key.len() + value.len(),
                None => break,
            }
        }
    }

    /// How many documents the APQ cache holds.
    pub fn cached(&self) -> usize {
        self.lock().entries.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ApqCache> {
        // A panic while holding the lock leaves the cache consistent enough to keep using.
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn resolve_trusted(trusted: &TrustedDocuments, id: Option<&str>, query: &mut String) -> Result<(), Refusal> {
    match id {
        Some(id) => {
            let document = trusted
                .by_id
                .get(id)
                .or_else(|| trusted.by_id.get(&id.to_ascii_lowercase()))
                .ok_or(Refusal::NotRegistered)?;
            if !query.is_empty() && query.as_str() != &**document {
                return Err(Refusal::HashMismatch);
            }
            *query = document.to_string();
            Ok(())
        }
        None if query.is_empty() => Err(Refusal::MissingQuery),
        None if trusted.by_text_hash.contains(&sha256_hex(query)) => Ok(()),
        None => Err(Refusal::NotRegistered),
    }
}

/// `extensions.persistedQuery`, checked.
struct PersistedId;

impl PersistedId {
    fn of(extensions: &HashMap<String, Value>) -> Result<Option<String>, Refusal> {
        let Some(value) = extensions.get("persistedQuery") else {
            return Ok(None);
        };
        let Value::Object(fields) = value else {
            return Err(Refusal::MissingQuery);
        };
        match fields.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
            _ => return Err(Refusal::UnsupportedVersion),
        }
        match fields.get("sha256Hash") {
            Some(Value::String(hash)) if !hash.is_empty() && hash.len() <= 256 => Ok(Some(hash.clone())),
            _ => Err(Refusal::MissingQuery),
        }
    }
}

/// The lowercase hex SHA-256 of a document, as APQ names it.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn request(query: &str, hash: Option<&str>) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(query);
        if let Some(hash) = hash {
            let mut fields = async_graphql::indexmap::IndexMap::new();
            fields.insert(async_graphql::Name::new("version"), Value::from(1));
            fields.insert(async_graphql::Name::new("sha256Hash"), Value::from(hash));
            request.extensions.0.insert("persistedQuery".to_owned(), Value::Object(fields));
        }
        request
    }

    #[test]
    fn the_cache_stays_within_its_entry_and_byte_bounds() {
        let queries = PersistedQueries::new(PersistedSettings {
            apq_max_entries: 3,
            apq_max_bytes: 1_000,
            ..PersistedSettings::default()
        });
        for i in 0..10 {
            let text = format!("{{ a{i}: __typename }}");
            queries.resolve(&mut request(&text, Some(&sha256_hex(&text)))).unwrap();
        }
        assert_eq!(queries.cached(), 3);
        let big = format!("{{ __typename }} # {}", "x".repeat(600));
        queries.resolve(&mut request(&big, Some(&sha256_hex(&big)))).unwrap();
        let bytes = queries.lock().bytes;
        assert!(bytes <= 1_000, "{bytes}");
        // The most recent survives; the oldest went.
        let mut hit = request("", Some(&sha256_hex(&big)));
        queries.resolve(&mut hit).unwrap();
        assert_eq!(hit.query, big);
        let first = "{ a0: __typename }";
        assert_eq!(queries.resolve(&mut request("", Some(&sha256_hex(first)))), Err(Refusal::NotFound));
    }

    #[test]
    fn manifests_in_both_formats_are_read_and_bad_ones_refused() {
        let flat = TrustedDocuments::parse(r#"{"abc": "query Me { me { id } }"}"#).unwrap();
        assert_eq!(flat.len(), 1);
        let apollo = TrustedDocuments::parse(
            r#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"x1","name":"Me","type":"query","body":"query Me { me { id } }"}]}"#,
        )
        .unwrap();
        assert!(apollo.by_id.contains_key("x1"));
        assert!(TrustedDocuments::parse("{}").is_err());
        assert!(TrustedDocuments::parse(r#"{"a": "query {"}"#).is_err());
        assert!(TrustedDocuments::parse(r#"{"a": 1}"#).is_err());
        assert!(TrustedDocuments::parse("[]").is_err());
    }
}
