//! Access tokens (JWT) and opaque tokens (refresh, email links).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use viva_domain::{SessionId, UserId};

use crate::config::ServiceConfig;

/// The `typ` header of access tokens (RFC 9068), so no other JWT signed with the same key can
/// pass for one.
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// Seconds of clock skew tolerated when checking `exp` and `nbf`.
const LEEWAY_SECS: u64 = 5;

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user.
    pub sub: Uuid,
    /// The session, checked on every request so that a revoked session ends at once.
    pub sid: Uuid,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// Unique token id.
    pub jti: Uuid,
}

/// Why an access token was refused. Never shown in detail to clients.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Bad signature, algorithm, issuer, audience, expiry or shape.
    #[error("invalid token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    /// Not an access token.
    #[error("wrong token type")]
    WrongType,
}

/// Issues and checks access tokens with one pinned algorithm (HS256).
#[derive(Clone)]
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

impl TokenIssuer {
    /// An issuer for the configured key, issuer, audience and lifetime.
    pub fn new(config: &ServiceConfig) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            encoding: EncodingKey::from_secret(config.jwt_secret.expose()),
            decoding: DecodingKey::from_secret(config.jwt_secret.expose()),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl: chrono::Duration::from_std(config.access_token_ttl).unwrap_or(chrono::Duration::minutes(15)),
        }
    }

    /// A signed access token for a session, and when it expires.
    pub fn issue(&self, user: UserId, session: SessionId) -> Result<(String, DateTime<Utc>), TokenError> {
        let now = Utc::now();
        let expires = now + self.ttl;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user.0,
            sid: session.0,
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires.timestamp(),
            jti: Uuid::new_v4(),
        };
        let header = Header { typ: Some(ACCESS_TOKEN_TYPE.to_owned()), ..Header::new(Algorithm::HS256) };
        Ok((jsonwebtoken::encode(&header, &claims, &self.encoding)?, expires))
    }

    /// Checks a presented access token: algorithm, signature, type, issuer, audience and times.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)?;
        if data.header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(TokenError::WrongType);
        }
        Ok(data.claims)
    }
}

/// A random opaque token (256 bits, URL-safe) and the SHA-256 hash under which it is stored.
pub fn generate_opaque_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_opaque_token(&token);
    (token, hash)
}

/// The stored form of an opaque token.
pub fn hash_opaque_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> TokenIssuer {
        TokenIssuer::new(&ServiceConfig::for_tests(b"0123456789abcdef0123456789abcdef"))
    }

    #[test]
    fn issued_tokens_verify() {
        let issuer = issuer();
        let (user, session) = (UserId::new(), SessionId::new());
        let (token, _) = issuer.issue(user, session).unwrap();
        let claims = issuer.verify(&token).unwrap();
        assert_eq!((claims.sub, claims.sid), (user.0, session.0));
    }

    #[test]
    fn another_key_or_audience_is_refused() {
        let (token, _) = issuer().issue(UserId::new(), SessionId::new()).unwrap();
        let other = TokenIssuer::new(&ServiceConfig::for_tests(b"another-key-another-key-another-key"));
        assert!(other.verify(&token).is_err());
        let mut config = ServiceConfig::for_tests(b"0123456789abcdef0123456789abcdef");
        config.jwt_audience = "someone-else".into();
        assert!(TokenIssuer::new(&config).verify(&token).is_err());
    }

    #[test]
    fn opaque_tokens_are_random_and_hash_stably() {
        let (a, hash_a) = generate_opaque_token();
        let (b, _) = generate_opaque_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_opaque_token(&a), hash_a);
    }
}
