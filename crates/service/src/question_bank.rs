//! The question bank that ships with Viva: the TOML files under `data/questions/`, embedded in
//! the binary and loaded by `viva seed` (idempotently: questions are matched by their bank id).

use diesel_async::AsyncConnection;
use viva_domain::question_bank::{RoleBank, parse_role};
use viva_store::AsyncPgConnection;
use viva_store::models::question;

use crate::error::{ServiceError, ServiceResult};

/// Every shipped file: (file name, contents).
pub const FILES: &[(&str, &str)] = &[
    ("backend-engineer.toml", include_str!("../../../data/questions/backend-engineer.toml")),
    ("customer-support.toml", include_str!("../../../data/questions/customer-support.toml")),
    ("data-scientist.toml", include_str!("../../../data/questions/data-scientist.toml")),
    ("devops-engineer.toml", include_str!("../../../data/questions/devops-engineer.toml")),
    ("frontend-engineer.toml", include_str!("../../../data/questions/frontend-engineer.toml")),
    ("marketing-manager.toml", include_str!("../../../data/questions/marketing-manager.toml")),
    ("product-manager.toml", include_str!("../../../data/questions/product-manager.toml")),
    ("sales-representative.toml", include_str!("../../../data/questions/sales-representative.toml")),
];

/// The shipped banks, parsed and checked.
pub fn shipped() -> ServiceResult<Vec<RoleBank>> {
    FILES.iter().map(|(file, text)| parse_role(file, text).map_err(ServiceError::internal)).collect()
}

/// Loads (or refreshes) the shipped bank in one transaction; returns the questions written.
pub async fn load(conn: &mut AsyncPgConnection) -> ServiceResult<usize> {
    let banks = shipped()?;
    conn.transaction::<_, ServiceError, _>(async move |conn| {
        let mut written = 0;
        for bank in &banks {
            written += question::upsert_bank(conn, bank).await?;
        }
        Ok(written)
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use viva_domain::interview::{Difficulty, QuestionKind};

    use super::*;

    #[test]
    fn the_shipped_bank_is_complete_and_valid() {
        let banks = shipped().expect("every shipped file parses and passes the checks");
        assert!(banks.len() >= 8, "at least 8 roles");
        let total: usize = banks.iter().map(|b| b.questions.len()).sum();
        assert!(total >= 200, "at least 200 questions, found {total}");
        let ids: HashSet<&str> =
            banks.iter().flat_map(|b| b.questions.iter().map(|q| q.id.as_str())).collect();
        assert_eq!(ids.len(), total, "bank ids are unique");
        for bank in &banks {
            for kind in [QuestionKind::Behavioural, QuestionKind::Technical, QuestionKind::Situational] {
                for difficulty in [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard] {
                    assert!(
                        bank.questions.iter().any(|q| q.kind == kind && q.difficulty == difficulty),
                        "{} has no {kind:?} {difficulty:?} question",
                        bank.role
                    );
                }
            }
        }
    }

    #[test]
    fn every_file_under_data_questions_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/questions");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("data/questions")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = FILES.iter().map(|(name, _)| (*name).to_owned()).collect();
        assert_eq!(on_disk, embedded);
    }
}
