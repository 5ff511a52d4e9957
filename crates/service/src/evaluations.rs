//! Answer evaluations as the API reads them: the current evaluation and the history of many
//! answers at once, for its batch loaders.
//!
//! Evaluations are written by the [`crate::jobs::evaluate_answer`] job; re-evaluation is asked
//! through the interviews. These reads check no access: the API calls them for the answers of
//! interviews whose access it has already checked (see [`crate::interviews`]).

use viva_domain::AnswerId;
use viva_store::models::evaluation::{self, StoredEvaluation};

use crate::{Service, ServiceResult};

/// The current evaluation of each of these answers that has one.
pub async fn current_of(service: &Service, answer_ids: &[AnswerId]) -> ServiceResult<Vec<StoredEvaluation>> {
    let mut conn = service.pool.get().await?;
    Ok(evaluation::current_of(&mut conn, answer_ids).await?)
}

/// Every evaluation of these answers, newest first within each answer.
pub async fn histories_of(
    service: &Service,
    answer_ids: &[AnswerId],
) -> ServiceResult<Vec<StoredEvaluation>> {
    let mut conn = service.pool.get().await?;
    Ok(evaluation::histories(&mut conn, answer_ids).await?)
}
