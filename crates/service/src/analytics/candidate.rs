//! A candidate's statistics (`myStats`) and progress over time.

use viva_domain::{Role, UserId};
use viva_store::models::analytics::{self as store, candidate as scores};
use viva_store::models::session::Principal;
use viva_store::models::user as users;

use super::Window;
use crate::{Service, ServiceError, ServiceResult};

pub use viva_store::models::analytics::candidate::{Averages, CandidateScores};

/// How one question kind went.
#[derive(Clone, Debug, PartialEq)]
pub struct KindScore {
    /// `BEHAVIOURAL`, `TECHNICAL` or `SITUATIONAL`.
    pub kind: String,
    /// Answers of that kind, and their averages.
    pub averages: Averages,
}

/// The signed-in user's own statistics over a window.
#[derive(Clone, Debug)]
pub struct MyStats {
    /// The window.
    pub window: Window,
    /// Scheduled interviews they started in the window.
    pub interviews_taken: i64,
    /// Practice sessions they started in the window.
    pub practice_sessions_taken: i64,
    /// Their evaluated answers in the window (practice included): averages overall, per ISO
    /// week and per question kind.
    pub scores: CandidateScores,
    /// The question kinds they answered, best average overall first (ties by name).
    pub kinds: Vec<KindScore>,
}

impl MyStats {
    /// The question kind with the best average overall.
    pub fn best_kind(&self) -> Option<&KindScore> {
        self.kinds.first()
    }

    /// The question kind with the weakest average overall.
    pub fn weakest_kind(&self) -> Option<&KindScore> {
        self.kinds.last()
    }
}

/// The caller's own statistics: sessions taken, averages per dimension, the trend per ISO week
/// and the best and weakest question kinds, over the window (scheduled interviews and practice
/// sessions alike). Meaningful for candidates; anyone signed in gets their own (empty for staff).
pub async fn my_stats(service: &Service, principal: &Principal, window: Window) -> ServiceResult<MyStats> {
    let me = principal.user_id;
    let mut conn = service.pool.get().await?;
    conn.build_transaction()
        .read_only()
        .run(async |conn| {
            store::tune(conn).await?;
            let (interviews_taken, practice_sessions_taken) =
                scores::sessions_taken(conn, me, window.span()).await?;
            let scores = scores::scores(conn, me, true, window.span()).await?;
            let kinds = ranked_kinds(&scores);
            Ok::<_, ServiceError>(MyStats {
                window,
                interviews_taken,
                practice_sessions_taken,
                scores,
                kinds,
            })
        })
        .await
}

fn ranked_kinds(scores: &CandidateScores) -> Vec<KindScore> {
    let mut kinds: Vec<KindScore> = scores
        .kinds
        .iter()
        .map(|(kind, averages)| KindScore { kind: kind.clone(), averages: averages.clone() })
        .collect();
    kinds.sort_by(|a, b| {
        b.averages
            .overall
            .unwrap_or(f64::MIN)
            .total_cmp(&a.averages.overall.unwrap_or(f64::MIN))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    kinds
}

/// A candidate's progress over a window.
#[derive(Clone, Debug)]
pub struct Progress {
    /// The candidate.
    pub candidate: UserId,
    /// The window.
    pub window: Window,
    /// Whether practice sessions count (not for HR users, who do not see them).
    pub practice_included: bool,
    /// Averages overall and per ISO week.
    pub scores: CandidateScores,
}

/// A candidate's progress per dimension, per ISO week: the candidate themself (the default when
/// `candidate` is none), their responsible HR user (scheduled interviews only, as the interview
/// policy lets them see) and admins; `NOT_FOUND` for anyone else, as for an interview.
pub async fn progress(
    service: &Service,
    principal: &Principal,
    candidate: Option<UserId>,
    window: Window,
) -> ServiceResult<Progress> {
    let candidate = match candidate {
        Some(id) => id,
        None if principal.role == Role::Candidate => principal.user_id,
        None => return Err(ServiceError::bad_field("candidateId", "say whose progress to show")),
    };
    let principal = *principal;
    let mut conn = service.pool.get().await?;
    conn.build_transaction()
        .read_only()
        .run(async |conn| {
            let practice_included = if candidate == principal.user_id {
                true
            } else {
                let user = users::User::find(conn, candidate).await?;
                let Some(user) = user.filter(|u| u.role == Role::Candidate) else {
                    return Err(ServiceError::NotFound("candidate"));
                };
                match principal.role {
                    Role::Admin => true,
                    Role::Hr
                        if crate::organisation::is_mapped_hr(&principal)
                            && user.assigned_hr_id == Some(principal.user_id) =>
                    {
                        false
                    }
                    _ => return Err(ServiceError::NotFound("candidate")),
                }
            };
            store::tune(conn).await?;
            let scores = scores::scores(conn, candidate, practice_included, window.span()).await?;
            Ok(Progress { candidate, window, practice_included, scores })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, overall: Option<f64>) -> (String, Averages) {
        (name.to_owned(), Averages { answers: 1, overall, ..Averages::default() })
    }

    #[test]
    fn kinds_rank_best_first_with_ties_by_name() {
        let scores = CandidateScores {
            kinds: vec![
                kind("TECHNICAL", Some(60.0)),
                kind("BEHAVIOURAL", Some(75.0)),
                kind("SITUATIONAL", Some(60.0)),
            ],
            ..CandidateScores::default()
        };
        let ranked: Vec<String> = ranked_kinds(&scores).into_iter().map(|k| k.kind).collect();
        assert_eq!(ranked, ["BEHAVIOURAL", "SITUATIONAL", "TECHNICAL"]);
    }
}
