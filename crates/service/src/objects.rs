//! The object store: files the platform keeps (exported reports, resumes, answers' audio and
//! recordings), through the `object_store` crate, so that a deployment keeps them in a local
//! directory (the default) or in S3-compatible storage (a bucket, an optional endpoint for
//! MinIO and the like, credentials from the standard `AWS_*` environment variables) without
//! touching the use cases.
//!
//! Objects are named by the platform, never by a client: [`ObjectKey::generate`] makes
//! `<kind>/<year>/<month>/<uuid>.<extension>`, and a key read back from the database is parsed
//! again before use, so a stored name can never walk out of its store.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Datelike, Utc};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt};

use crate::{ServiceError, ServiceResult};

/// Where objects are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectStorage {
    /// A directory of the local file system (created if missing).
    Local {
        /// The directory.
        dir: PathBuf,
    },
    /// An S3-compatible bucket. Credentials come from the environment (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, or the container's role), never from
    /// Viva's own settings.
    S3 {
        /// The bucket.
        bucket: String,
        /// Another endpoint than AWS's, such as `http://minio:9000` (plain HTTP is allowed only
        /// when the endpoint says `http://`).
        endpoint: Option<String>,
        /// The region, when not from `AWS_DEFAULT_REGION` / `AWS_REGION`.
        region: Option<String>,
    },
    /// The process's memory: for tests of one process only, lost on exit.
    Memory,
}

/// A platform-generated object name: `<kind>/<yyyy>/<mm>/<uuid>.<ext>`, every part from a
/// closed alphabet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// A new, unguessable name for an object of this kind (`reports`, …) and extension.
    pub fn generate(kind: &'static str, extension: &'static str) -> Self {
        let now = Utc::now();
        Self(format!(
            "{kind}/{:04}/{:02}/{}.{extension}",
            now.year(),
            now.month(),
            uuid::Uuid::new_v4().simple()
        ))
    }

    /// A stored name read back: refused unless it has the generated shape.
    pub fn parse(stored: &str) -> ServiceResult<Self> {
        let parts: Vec<&str> = stored.split('/').collect();
        let segment = |s: &str| {
            !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.')
        };
        let well_formed = parts.len() == 4
            && parts.iter().all(|part| segment(part))
            && !parts.iter().any(|part| part.starts_with('.'));
        if well_formed {
            Ok(Self(stored.to_owned()))
        } else {
            Err(ServiceError::internal(format!("a stored object name is malformed: {stored:?}")))
        }
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn path(&self) -> StorePath {
        StorePath::from(self.0.as_str())
    }
}

/// The platform's object store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
}

impl Objects {
    /// Opens the store the settings name.
    pub fn open(storage: &ObjectStorage) -> ServiceResult<Self> {
        let store: Arc<dyn ObjectStore> = match storage {
            ObjectStorage::Local { dir } => {
                if dir.starts_with(std::env::temp_dir()) {
                    tracing::warn!(
                        dir = %dir.display(),
                        "files are kept in the temporary directory, which the system may clear; set VIVA_OBJECTS_DIR"
                    );
                }
                std::fs::create_dir_all(dir).map_err(|err| {
                    ServiceError::internal(format!(
                        "the object directory {} cannot be created: {err}",
                        dir.display()
                    ))
                })?;
                let local = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|err| {
                    ServiceError::internal(format!(
                        "the object directory {} cannot be used: {err}",
                        dir.display()
                    ))
                })?;
                Arc::new(local)
            }
            ObjectStorage::S3 { bucket, endpoint, region } => {
                let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"))
                        // Path-style addressing: S3-compatible servers rarely resolve
                        // `<bucket>.<host>`.
                        .with_virtual_hosted_style_request(false);
                }
                if let Some(region) = region {
                    builder = builder.with_region(region);
                }
                let s3 = builder.build().map_err(|err| {
                    ServiceError::internal(format!("the S3 bucket {bucket} cannot be used: {err}"))
                })?;
                Arc::new(s3)
            }
            ObjectStorage::Memory => Arc::new(object_store::memory::InMemory::new()),
        };
        Ok(Self { store })
    }

    /// Stores `bytes` under `key`, replacing nothing (keys are unique).
    pub async fn put(&self, key: &ObjectKey, bytes: Vec<u8>) -> ServiceResult<()> {
        self.store
            .put(&key.path(), bytes.into())
            .await
            .map(|_| ())
            .map_err(|err| ServiceError::internal(format!("storing object {}: {err}", key.as_str())))
    }

    /// The object's bytes; `NOT_FOUND` when it is gone.
    pub async fn get(&self, key: &ObjectKey) -> ServiceResult<Vec<u8>> {
        let result = match self.store.get(&key.path()).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Err(ServiceError::NotFound("file")),
            Err(err) => {
                return Err(ServiceError::internal(format!("reading object {}: {err}", key.as_str())));
            }
        };
        let bytes = result
            .bytes()
            .await
            .map_err(|err| ServiceError::internal(format!("reading object {}: {err}", key.as_str())))?;
        Ok(bytes.to_vec())
    }

    /// Deletes the object; deleting one already gone succeeds.
    pub async fn delete(&self, key: &ObjectKey) -> ServiceResult<()> {
        match self.store.delete(&key.path()).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(ServiceError::internal(format!("deleting object {}: {err}", key.as_str()))),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn generated_keys_parse_and_hostile_ones_do_not() {
        let key = ObjectKey::generate("reports", "pdf");
        assert_eq!(ObjectKey::parse(key.as_str()).unwrap(), key);
        for hostile in [
            "../etc/passwd",
            "reports/2026/12/../../x.pdf",
            "/abs/2026/12/x.pdf",
            "reports/2026/12/.x",
            "a/b/c",
        ] {
            assert!(ObjectKey::parse(hostile).is_err(), "{hostile}");
        }
    }

    #[tokio::test]
    async fn local_store_round_trips_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::open(&ObjectStorage::Local { dir: dir.path().join("objects") }).unwrap();
        let key = ObjectKey::generate("reports", "csv");
        objects.put(&key, b"a,b\n".to_vec()).await.unwrap();
        assert_eq!(objects.get(&key).await.unwrap(), b"a,b\n");
        assert!(dir.path().join("objects").join(key.as_str()).is_file());
        objects.delete(&key).await.unwrap();
        objects.delete(&key).await.unwrap();
        assert!(matches!(objects.get(&key).await, Err(ServiceError::NotFound("file"))));
    }
}
