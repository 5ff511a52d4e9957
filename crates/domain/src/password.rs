//! The password policy (NIST SP 800-63B style): length, not the email, not a common password.

use crate::email::Email;
use crate::error::FieldError;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters; bounds the cost of hashing.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Passwords that appear at the top of breach corpora, or that people pick for a hiring site.
/// Compared case-insensitively, and also with trailing digits and punctuation stripped.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456123456",
    "qwertyuiop",
    "qwertyuiopas",
    "qwertyuiop123",
    "qwerty123456",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "password",
    "passwordpassword",
    "password123",
    "password1234",
    "password12345",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "letmein",
    "letmeinplease",
    "iloveyou",
    "iloveyouforever",
    "welcome",
    "welcometoo",
    "welcome123",
    "changeme",
    "changemeplease",
    "administrator",
    "admin",
    "adminadmin",
    "rootroot",
    "trustno1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "basketball",
    "superman",
    "batman",
    "starwars",
    "dragon",
    "monkey",
    "shadow",
    "master",
    "michael",
    "jennifer",
    "jordan23",
    "hunter2",
    "abc123abc123",
    "abcdefghijkl",
    "abcdefg12345",
    "aaaaaaaaaaaa",
    "111111111111",
    "000000000000",
    "secret",
    "secretpassword",
    "mypassword",
    "yourpassword",
    "thisismypassword",
    "correcthorsebatterystaple",
    "interview",
    "interviewer",
    "candidate",
    "recruiter",
    "recruitment",
    "hiring",
    "viva",
    "vivavivaviva",
    "company",
    "qazwsxedcrfv",
    "asdfghjkl",
    "asdfghjkl123",
    "zxcvbnm",
    "zxcvbnm123456",
    "computer",
    "internet",
    "samsung",
    "whatever",
    "freedom",
    "summer",
    "winter",
    "spring",
    "autumn",
    "football1",
];

/// Checks a new password against the policy. `email` is the account's normalised address.
pub fn check_password_policy(password: &str, email: &Email, field: &'static str) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(field, format!("must be at least {MIN_PASSWORD_CHARS} characters")));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(field, format!("must be at most {MAX_PASSWORD_CHARS} characters")));
    }
    let lowered = password.trim().to_lowercase();
    let local_part = email.as_str().split('@').next().unwrap_or_default();
    if lowered == email.as_str() || (local_part.len() >= 4 && lowered.contains(local_part)) {
        return Err(FieldError::new(field, "must not contain your email address"));
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err(FieldError::new(field, "must not repeat a single character"));
    }
    let stem = lowered.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if COMMON_PASSWORDS.iter().any(|common| *common == lowered || *common == stem) {
        return Err(FieldError::new(field, "is too common; choose a less guessable password"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("grace.hopper@example.org", "email").unwrap()
    }

    #[test]
    fn accepts_a_long_unusual_password() {
        assert!(check_password_policy("violet-harbour-lantern-42", &email(), "password").is_ok());
    }

    #[test]
    fn enforces_length_bounds_in_characters() {
        assert!(check_password_policy("short-pass1", &email(), "password").is_err());
        assert!(check_password_policy(&"x".repeat(129), &email(), "password").is_err());
        // 12 multi-byte characters are 12 characters, not 36 bytes.
        assert!(check_password_policy("日本語のパスワード長い文字", &email(), "password").is_ok());
    }

    #[test]
    fn refuses_the_email_and_common_passwords() {
        assert!(check_password_policy("grace.hopper@example.org", &email(), "password").is_err());
        assert!(check_password_policy("grace.hopper-is-great", &email(), "password").is_err());
        assert!(check_password_policy("Password123456!", &email(), "password").is_err());
        assert!(check_password_policy("qwertyuiop123", &email(), "password").is_err());
        assert!(check_password_policy("zzzzzzzzzzzzzz", &email(), "password").is_err());
    }
}
