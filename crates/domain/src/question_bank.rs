//! The shipped question bank: one TOML file per job role under `data/questions/`, parsed and
//! checked here so that a malformed or thin question never reaches an interview.

use serde::Deserialize;

use crate::interview::{Difficulty, QuestionKind};

/// Shortest and longest time limit a question may have, in seconds.
pub const TIME_LIMIT_RANGE: std::ops::RangeInclusive<i32> = 30..=1800;

/// One role's questions.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBank {
    /// The role's slug, such as `backend-engineer`.
    pub role: String,
    /// The role's title, such as `Backend Engineer`.
    pub title: String,
    /// Its questions.
    pub questions: Vec<BankQuestion>,
}

/// One question of the bank.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankQuestion {
    /// A stable id, `<role>-NNN`.
    pub id: String,
    /// What it tests.
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// Seconds allowed for the answer.
    pub time_limit_seconds: i32,
    /// The question.
    pub text: String,
    /// Phrases a strong answer contains.
    pub expected_keywords: Vec<String>,
    /// A model answer.
    pub ideal_answer: String,
}

/// Why a bank file was refused.
#[derive(Debug, thiserror::Error)]
pub enum BankError {
    /// Not valid TOML of the expected shape.
    #[error("{file}: {source}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's complaint.
        source: toml::de::Error,
    },
    /// A question breaks a rule.
    #[error("{file}: question {id}: {problem}")]
    Invalid {
        /// The file.
        file: String,
        /// The question's id.
        id: String,
        /// What is wrong.
        problem: String,
    },
}

/// Parses and checks one role's file.
pub fn parse_role(file: &str, text: &str) -> Result<RoleBank, BankError> {
    let bank: RoleBank =
        toml::from_str(text).map_err(|source| BankError::Parse { file: file.to_owned(), source })?;
    for q in &bank.questions {
        let invalid = |problem: &str| BankError::Invalid {
            file: file.to_owned(),
            id: q.id.clone(),
            problem: problem.to_owned(),
        };
        if !q.id.starts_with(&format!("{}-", bank.role)) {
            return Err(invalid("its id must start with the role"));
        }
        if q.text.trim().len() < 15 {
            return Err(invalid("its text is too short"));
        }
        if !(3..=10).contains(&q.expected_keywords.len()) {
            return Err(invalid("it needs 3 to 10 expected keywords"));
        }
        if q.ideal_answer.split_whitespace().count() < 40 {
            return Err(invalid("its ideal answer needs at least 40 words"));
        }
        if !TIME_LIMIT_RANGE.contains(&q.time_limit_seconds) {
            return Err(invalid("its time limit must be 30 to 1800 seconds"));
        }
    }
    Ok(bank)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
role = "qa"
title = "QA Engineer"

[[questions]]
id = "qa-001"
type = "TECHNICAL"
difficulty = "EASY"
time_limit_seconds = 120
text = "How do you decide what to automate in a test suite?"
expected_keywords = ["risk", "regression", "cost"]
ideal_answer = """
I automate what is run often and breaks expensively: regression paths on critical flows, checks
that need many data combinations, and anything a release depends on. I weigh the cost of writing
and maintaining a test against how often it catches a defect, and keep exploratory testing for
new features where the risk is not yet understood.
"""
"#;

    #[test]
    fn a_good_file_parses() {
        let bank = parse_role("qa.toml", GOOD).unwrap();
        assert_eq!(bank.questions.len(), 1);
        assert_eq!(bank.questions[0].kind, QuestionKind::Technical);
    }

    #[test]
    fn thin_or_malformed_questions_are_refused() {
        assert!(parse_role("qa.toml", &GOOD.replace("\"qa-001\"", "\"dev-001\"")).is_err());
        assert!(
            parse_role("qa.toml", &GOOD.replace("time_limit_seconds = 120", "time_limit_seconds = 5"))
                .is_err()
        );
        assert!(parse_role("qa.toml", &GOOD.replace("\"TECHNICAL\"", "\"TRIVIA\"")).is_err());
        assert!(parse_role("qa.toml", &GOOD.replace(", \"cost\"", "")).is_err());
    }
}
