//! Platform analytics, for admins: activity per day, evaluations per provider and model, AI
//! spending per day, and the job queue's health. Each is its own read, so a dashboard pays only
//! for what it shows. Days are UTC days: those the window touches, first and last included.

use viva_store::models::analytics::{self as store, platform};
use viva_store::models::session::Principal;

use super::{Window, require_admin};
use crate::{Service, ServiceError, ServiceResult};

pub use viva_store::models::analytics::platform::{
    DayActivity, DayCost, ProviderEvaluations, QueueCount, QueueLag,
};

/// Interviews scheduled, practice sessions, answers submitted and sign-ups on each day of the
/// window, every day listed.
pub async fn activity(
    service: &Service,
    principal: &Principal,
    window: Window,
) -> ServiceResult<Vec<DayActivity>> {
    require_admin(principal)?;
    let (first, last) = window.days();
    let mut conn = service.pool.get().await?;
    conn.build_transaction()
        .read_only()
        .run(async |conn| {
            store::tune(conn).await?;
            Ok::<_, ServiceError>(platform::activity(conn, first, last).await?)
        })
        .await
}

/// Evaluations written on the window's days per provider and model, most first.
pub async fn evaluations(
    service: &Service,
    principal: &Principal,
    window: Window,
) -> ServiceResult<Vec<ProviderEvaluations>> {
    require_admin(principal)?;
    let (first, last) = window.days();
    let mut conn = service.pool.get().await?;
    Ok(platform::evaluations(&mut conn, first, last).await?)
}

/// What each AI provider cost on each of the window's days (days without spending absent).
pub async fn ai_cost(
    service: &Service,
    principal: &Principal,
    window: Window,
) -> ServiceResult<Vec<DayCost>> {
    require_admin(principal)?;
    let (first, last) = window.days();
    let mut conn = service.pool.get().await?;
    Ok(platform::ai_cost(&mut conn, first, last).await?)
}

/// The job queue now: jobs by kind and status, and how far behind it is.
#[derive(Clone, Debug)]
pub struct QueueHealth {
    /// Jobs by kind and status.
    pub counts: Vec<QueueCount>,
    /// Due, retrying and recently dead jobs.
    pub lag: QueueLag,
}

/// The job queue's health now (it does not depend on a window).
pub async fn queue(service: &Service, principal: &Principal) -> ServiceResult<QueueHealth> {
    require_admin(principal)?;
    let mut conn = service.pool.get().await?;
    let counts = platform::queue_counts(&mut conn).await?;
    let lag = platform::queue_lag(&mut conn).await?;
    Ok(QueueHealth { counts, lag })
}
