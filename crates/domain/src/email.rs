//! Email addresses, normalised so that one person cannot register twice by changing case.

use std::fmt;

use crate::error::FieldError;

/// Longest address SMTP allows (RFC 5321, 4.5.3.1.3).
pub const MAX_EMAIL_LEN: usize = 254;

/// A syntactically plausible, normalised email address (trimmed, lower-cased).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Normalises and checks an address typed by a person. `field` names the input field in the
    /// error.
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        if email.len() > MAX_EMAIL_LEN {
            return Err(FieldError::new(field, format!("must be at most {MAX_EMAIL_LEN} characters")));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(FieldError::new(field, "must be an email address"));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '@');
        if !domain_ok || !local_ok {
            return Err(FieldError::new(field, "must be an email address"));
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps an address that was normalised before it was stored.
    pub fn from_stored(email: String) -> Self {
        Self(email)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("  Ada.Lovelace@Example.ORG ", "email").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.org");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@.org",
            "a b@example.org",
            "ada@exa mple.org",
            "ada@example..org",
        ] {
            let err = Email::parse(bad, "email").unwrap_err();
            assert_eq!(err.field, "email", "{bad:?}");
        }
    }

    #[test]
    fn refuses_overlong_addresses() {
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(Email::parse(&long, "email").is_err());
    }
}
