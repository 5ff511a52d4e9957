//! Sign-in throttles, counted in PostgreSQL so they hold across replicas.

use chrono::Utc;
use sha2::{Digest, Sha256};
use viva_store::AsyncPgConnection;
use viva_store::models::throttle;

use crate::config::ThrottleSettings;
use crate::error::{ServiceError, ServiceResult};

/// The bucket of failed sign-ins for an account. The address is hashed: buckets are not a
/// place for personal data.
pub fn account_bucket(email: &str) -> String {
    let digest = Sha256::digest(email.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("login-fail:account:{hex}")
}

/// The bucket of failed sign-ins from a client address.
pub fn address_bucket(kind: &str, ip: &str) -> String {
    format!("{kind}:ip:{ip}")
}

/// Refuses with `RATE_LIMITED` when a bucket has reached `limit` events in the window.
pub async fn check(
    conn: &mut AsyncPgConnection,
    settings: &ThrottleSettings,
    bucket: &str,
    limit: i64,
) -> ServiceResult<()> {
    let window = chrono::Duration::from_std(settings.window).map_err(ServiceError::internal)?;
    let count = throttle::count_since(conn, bucket, Utc::now() - window).await?;
    if count >= limit {
        Err(ServiceError::RateLimited { retry_after_secs: settings.window.as_secs() })
    } else {
        Ok(())
    }
}

/// Reserves one attempt in each `(bucket, limit)` before a credential check, atomically, so
/// that parallel guesses cannot all pass the count before any failure is recorded. Refuses with
/// `RATE_LIMITED` when a bucket is full. Keep the returned ids if the check fails (they are the
/// failure's record); [`release`] them if it succeeds.
pub async fn reserve(
    conn: &mut AsyncPgConnection,
    settings: &ThrottleSettings,
    buckets: &[(&str, i64)],
) -> ServiceResult<Vec<i64>> {
    let window = chrono::Duration::from_std(settings.window).map_err(ServiceError::internal)?;
    throttle::reserve(conn, buckets, Utc::now() - window)
        .await?
        .ok_or(ServiceError::RateLimited { retry_after_secs: settings.window.as_secs() })
}

/// Gives back reserved attempts after a successful credential check.
pub async fn release(conn: &mut AsyncPgConnection, ids: &[i64]) -> ServiceResult<()> {
    Ok(throttle::release(conn, ids).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_buckets_hide_the_address_but_are_stable() {
        let bucket = account_bucket("ada@example.org");
        assert!(!bucket.contains("ada"));
        assert_eq!(bucket, account_bucket("ada@example.org"));
        assert_ne!(bucket, account_bucket("bob@example.org"));
    }
}
