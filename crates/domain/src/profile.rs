//! Profile fields and their limits, checked before anything is stored.

use crate::error::FieldError;

/// Longest full name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest headline, company, job title or location, in characters.
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
/// Most skills on one profile.
pub const MAX_SKILLS: usize = 50;
/// Longest single skill, in characters.
pub const MAX_SKILL_CHARS: usize = 60;
/// Most years of experience accepted.
pub const MAX_YEARS_EXPERIENCE: i32 = 70;
/// Interface languages offered (BCP 47 primary tags).
pub const SUPPORTED_LANGUAGES: &[&str] = &["en", "es", "fr", "de", "pt", "it", "nl", "hi", "ja", "zh"];

/// Trims a required text field and checks its length; refuses control characters.
pub fn required_text(value: &str, field: &'static str, max_chars: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    bounded_text(value, field, max_chars)
}

/// Trims an optional text field; an empty value clears it.
pub fn optional_text(
    value: &str,
    field: &'static str,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    bounded_text(value, field, max_chars).map(Some)
}

fn bounded_text(value: &str, field: &'static str, max_chars: usize) -> Result<String, FieldError> {
    if value.chars().count() > max_chars {
        return Err(FieldError::new(field, format!("must be at most {max_chars} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// A phone number in a loose international form: digits, spaces and `+-().`, 7 to 20 digits.
pub fn phone(value: &str, field: &'static str) -> Result<Option<String>, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !allowed || !(7..=20).contains(&digits) || value.len() > 32 {
        return Err(FieldError::new(field, "must be a phone number such as +44 20 7946 0958"));
    }
    Ok(Some(value.to_owned()))
}

/// Normalises a skills list: trimmed, de-duplicated case-insensitively, order kept.
pub fn skills(values: &[String], field: &'static str) -> Result<Vec<String>, FieldError> {
    if values.len() > MAX_SKILLS {
        return Err(FieldError::new(field, format!("must list at most {MAX_SKILLS} skills")));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let skill = required_text(value, field, MAX_SKILL_CHARS)?;
        if !out.iter().any(|s| s.eq_ignore_ascii_case(&skill)) {
            out.push(skill);
        }
    }
    Ok(out)
}

/// Years of experience, 0 to [`MAX_YEARS_EXPERIENCE`].
pub fn years_of_experience(value: i32, field: &'static str) -> Result<i32, FieldError> {
    if !(0..=MAX_YEARS_EXPERIENCE).contains(&value) {
        return Err(FieldError::new(field, format!("must be between 0 and {MAX_YEARS_EXPERIENCE}")));
    }
    Ok(value)
}

/// One of [`SUPPORTED_LANGUAGES`].
pub fn language(value: &str, field: &'static str) -> Result<String, FieldError> {
    let value = value.trim().to_lowercase();
    if SUPPORTED_LANGUAGES.contains(&value.as_str()) {
        Ok(value)
    } else {
        Err(FieldError::new(field, format!("must be one of {}", SUPPORTED_LANGUAGES.join(", "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_trimmed_and_deduplicated() {
        let input = vec![" Rust ".to_owned(), "rust".to_owned(), "SQL".to_owned()];
        assert_eq!(skills(&input, "skills").unwrap(), vec!["Rust", "SQL"]);
        assert!(skills(&[" ".to_owned()], "skills").is_err());
    }

    #[test]
    fn phone_numbers_are_loose_but_bounded() {
        assert_eq!(phone("+44 20 7946 0958", "phone").unwrap().as_deref(), Some("+44 20 7946 0958"));
        assert_eq!(phone("  ", "phone").unwrap(), None);
        assert!(phone("call me", "phone").is_err());
        assert!(phone("12", "phone").is_err());
    }

    #[test]
    fn text_limits_count_characters_and_refuse_control_characters() {
        assert!(required_text("", "fullName", 10).is_err());
        assert!(required_text("Ada\u{0}", "fullName", 10).is_err());
        assert_eq!(required_text("  Ada  ", "fullName", 10).unwrap(), "Ada");
        assert!(required_text("abcdefghijk", "fullName", 10).is_err());
        assert_eq!(optional_text(" ", "headline", 10).unwrap(), None);
    }

    #[test]
    fn years_and_language_are_checked() {
        assert!(years_of_experience(-1, "yearsOfExperience").is_err());
        assert!(years_of_experience(71, "yearsOfExperience").is_err());
        assert_eq!(language(" EN ", "language").unwrap(), "en");
        assert!(language("klingon", "language").is_err());
    }
}
