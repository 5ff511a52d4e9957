//! Password hashing with argon2id, off the async runtime and bounded in concurrency.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{ServiceError, ServiceResult};

/// Hashes and verifies passwords.
///
/// Parameters follow OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane). Hashing runs on
/// the blocking pool, at most `max_concurrent` at once, so a burst of sign-ins queues instead of
/// starving the runtime or the memory.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified when the account does not exist so that an unknown
    /// email costs the same time as a wrong password.
    dummy_hash: Arc<str>,
    /// How many verifications ran: the unit of sign-in cost, the same for every outcome.
    verifications: Arc<AtomicU64>,
}

fn argon2() -> ServiceResult<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| ServiceError::internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &[u8]) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()?
        .hash_password(password, &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServiceError::internal(e.to_string()))
}

impl PasswordHasher {
    /// A hasher allowing `max_concurrent` hashes at once.
    pub async fn new(max_concurrent: usize) -> ServiceResult<Self> {
        let mut random = [0u8; 32];
        rand::fill(&mut random);
        let dummy = tokio::task::spawn_blocking(move || hash_blocking(&random))
            .await
            .map_err(ServiceError::internal)??;
        Ok(Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash: dummy.into(),
            verifications: Arc::default(),
        })
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: String) -> ServiceResult<String> {
        let _permit = self.permits.acquire().await.map_err(ServiceError::internal)?;
        tokio::task::spawn_blocking(move || hash_blocking(password.as_bytes()))
            .await
            .map_err(ServiceError::internal)?
    }

    /// How many password verifications have run since start.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Whether `password` matches `hash`. With no hash (no such account), verifies against a
    /// dummy hash and returns false, taking the same time.
    pub async fn verify(&self, password: String, hash: Option<String>) -> ServiceResult<bool> {
        let _permit = self.permits.acquire().await.map_err(ServiceError::internal)?;
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(|e| ServiceError::internal(e.to_string()))?;
            let matches = argon2()?.verify_password(password.as_bytes(), &parsed).is_ok();
            Ok(known && matches)
        })
        .await
        .map_err(ServiceError::internal)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_per_salt() {
        let hasher = PasswordHasher::new(2).await.unwrap();
        let a = hasher.hash("violet-harbour-lantern".into()).await.unwrap();
        let b = hasher.hash("violet-harbour-lantern".into()).await.unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify("violet-harbour-lantern".into(), Some(a.clone())).await.unwrap());
        assert!(!hasher.verify("violet-harbour-lanterN".into(), Some(a)).await.unwrap());
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
    }
}
