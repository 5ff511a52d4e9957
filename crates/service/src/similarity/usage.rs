//! Question reuse: how often each bank question has been asked, and which to retire.

use viva_domain::Role;
use viva_domain::interview::{Difficulty, QuestionKind};
use viva_store::models::session::Principal;
use viva_store::models::similarity::{self as store, QuestionUsage, UsageCursor};

use crate::{Service, ServiceError, ServiceResult};

/// A bank question's usage, with the retirement suggestion.
#[derive(Clone, Debug)]
pub struct QuestionUsageItem {
    /// The counts, as kept on scheduling.
    pub usage: QuestionUsage,
    /// What the question tests.
    pub kind: QuestionKind,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// Whether at least `retire_after_candidates` distinct candidates have seen it.
    pub retire_suggested: bool,
}

/// Bank questions, most exposed first (distinct candidates), optionally of one role, after the
/// cursor and at most `limit`. HR users and admins: the counts are aggregates over every
/// interview and practice session on the platform, and name nobody.
pub async fn question_usage(
    service: &Service,
    principal: &Principal,
    role: Option<&str>,
    after: Option<UsageCursor>,
    limit: i64,
) -> ServiceResult<Vec<QuestionUsageItem>> {
    if !matches!(principal.role, Role::Admin | Role::Hr) {
        return Err(ServiceError::Forbidden("only HR users and admins see question usage"));
    }
    let threshold = service.config.retire_after_candidates;
    let mut conn = service.pool.get().await?;
    let rows = store::question_usage(&mut conn, role, after, limit).await?;
    rows.into_iter()
        .map(|usage| {
            Ok(QuestionUsageItem {
                kind: QuestionKind::try_from(usage.kind.clone()).map_err(ServiceError::internal)?,
                difficulty: Difficulty::try_from(usage.difficulty.clone()).map_err(ServiceError::internal)?,
                retire_suggested: usage.distinct_candidates >= threshold,
                usage,
            })
        })
        .collect()
}
