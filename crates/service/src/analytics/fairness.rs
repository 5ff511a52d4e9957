//! The fairness view, for HR users (their jobs and candidates) and admins: distributions of the
//! AI's overall scores per job, per question kind and per evaluator version, and the answers
//! where a person's score and the AI's disagree.
//!
//! A group is shown only when its answers come from at least `min_group_size` different
//! candidates (the setting of that name, 5 by default); a smaller one is listed with no
//! figures at all, not even its size, so that no person can be picked out of it.

use std::collections::BTreeMap;

use viva_domain::interview::QuestionKind;
use viva_domain::{AnswerId, JobId};
use viva_store::models::TimeCursor;
use viva_store::models::analytics::fairness::{self as store, Dimension, Group as StoreGroup, GroupRow};
use viva_store::models::analytics::interviews::{self as jobs, JobRef};
use viva_store::models::analytics::{Population, tune};
use viva_store::models::session::Principal;

use super::{Staff, Window};
use crate::{Service, ServiceError, ServiceResult};

pub use viva_store::models::analytics::fairness::Disagreement;

/// What a group is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupKey {
    /// The answers to one job's interviews.
    Job(JobRef),
    /// The answers to one kind of question.
    QuestionKind(QuestionKind),
    /// The answers one evaluator version scored.
    Evaluator {
        /// The provider (`offline` for the rules).
        provider: String,
        /// The model.
        model: String,
        /// The rubric's version.
        rubric_version: String,
        /// The prompt's version, for model-written evaluations.
        prompt_version: Option<String>,
    },
}

/// A shown group's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    /// Answers in the group: its size.
    pub answers: i64,
    /// The mean AI overall score.
    pub mean: f64,
    /// The (population) standard deviation of the AI overall score.
    pub standard_deviation: f64,
    /// Answers per bucket, lowest first; the last bucket includes 100.
    pub buckets: Vec<i64>,
}

/// One group of the fairness view.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// What it is.
    pub key: GroupKey,
    /// Its figures; none when it holds fewer than `min_group_size` candidates.
    pub distribution: Option<Distribution>,
}

/// The distributions per job of the jobs the caller sees (every job for admins, their own for
/// HR users), newest job first, `limit` after the cursor: the answers to those jobs' interviews
/// submitted in the window, in buckets of `bucket_size` points. Every job listed is a group, with
/// or without answers.
pub async fn by_job(
    service: &Service,
    principal: &Principal,
    window: Window,
    bucket_size: i32,
    after: Option<TimeCursor>,
    limit: i64,
) -> ServiceResult<Vec<Group>> {
    let staff = Staff::of(principal)?;
    let bucket_size = super::bucket_size(bucket_size)?;
    let min = service.config.analytics.min_group_size;
    let mut conn = service.pool.get().await?;
    conn.build_transaction()
        .read_only()
        .run(async |conn| {
            let page = jobs::jobs_page(conn, staff.job_owner(), after, limit).await?;
            tune(conn).await?;
            let ids: Vec<JobId> = page.iter().map(|j| j.id).collect();
            let rows = store::by_job(conn, &ids, staff.population(), window.span(), bucket_size).await?;
            let mut figures = collect(rows, bucket_size);
            Ok::<_, ServiceError>(
                page.into_iter()
                    .map(|job| {
                        let found = figures.remove(&(Some(job.id.to_string()), None)).map(|(_, f)| f);
                        let distribution = found.and_then(|f| f.shown(min));
                        Group { key: GroupKey::Job(job), distribution }
                    })
                    .collect(),
            )
        })
        .await
}

/// The distributions per question kind of the answers submitted in the window that the caller
/// sees (everyone's for admins, their candidates' scheduled interviews for HR users).
pub async fn by_question_kind(
    service: &Service,
    principal: &Principal,
    window: Window,
    bucket_size: i32,
) -> ServiceResult<Vec<Group>> {
    by_dimension(service, principal, Dimension::QuestionKind, window, bucket_size).await
}

/// The distributions per evaluator version (provider, model, rubric version, prompt version) of
/// the answers submitted in the window that the caller sees.
pub async fn by_evaluator(
    service: &Service,
    principal: &Principal,
    window: Window,
    bucket_size: i32,
) -> ServiceResult<Vec<Group>> {
    by_dimension(service, principal, Dimension::Evaluator, window, bucket_size).await
}

async fn by_dimension(
    service: &Service,
    principal: &Principal,
    dimension: Dimension,
    window: Window,
    bucket_size: i32,
) -> ServiceResult<Vec<Group>> {
    let staff = Staff::of(principal)?;
    let bucket_size = super::bucket_size(bucket_size)?;
    let min = service.config.analytics.min_group_size;
    let population = staff.population();
    let mut conn = service.pool.get().await?;
    conn.build_transaction()
        .read_only()
        .run(async |conn| {
            tune(conn).await?;
            let rows = store::by_dimension(conn, dimension, population, window.span(), bucket_size).await?;
            let mut groups = Vec::new();
            for ((kind, evaluator), (names, mut figures)) in collect(rows, bucket_size) {
                let group = match (dimension, kind.as_deref(), evaluator) {
                    (Dimension::QuestionKind, Some(kind), _) => StoreGroup::QuestionKind(kind),
                    (Dimension::Evaluator, _, Some(id)) => StoreGroup::Evaluator(id),
                    _ => continue,
                };
                if figures.candidates.is_none() && population == Population::All {
                    // The rollups do not know people: count them up to the minimum.
                    let enough = store::candidates_at_least(conn, group, window.span(), min).await?;
                    figures.candidates = Some(if enough { min } else { 0 });
                }
                let Some(key) = group_key(group, names) else { continue };
                groups.push(Group { key, distribution: figures.shown(min) });
            }
            Ok::<_, ServiceError>(groups)
        })
        .await
}

fn group_key(group: StoreGroup<'_>, names: Names) -> Option<GroupKey> {
    match group {
        StoreGroup::QuestionKind(kind) => {
            QuestionKind::try_from(kind.to_owned()).ok().map(GroupKey::QuestionKind)
        }
        StoreGroup::Evaluator(_) => {
            let [provider, model, rubric_version, prompt] = names.map(Option::unwrap_or_default);
            let prompt_version = (!prompt.is_empty()).then_some(prompt);
            Some(GroupKey::Evaluator { provider, model, rubric_version, prompt_version })
        }
    }
}

/// A group's figures as read.
#[derive(Clone, Debug, Default)]
struct Figures {
    answers: i64,
    sum: i64,
    squares: i64,
    candidates: Option<i64>,
    buckets: Vec<i64>,
}

impl Figures {
    /// The distribution, when the group holds at least `min` candidates.
    fn shown(self, min: i64) -> Option<Distribution> {
        if self.candidates.unwrap_or(0) < min || self.answers == 0 {
            return None;
        }
        let n = self.answers as f64;
        let mean = self.sum as f64 / n;
        let variance = (self.squares as f64 / n - mean * mean).max(0.0);
        Some(Distribution {
            answers: self.answers,
            mean,
            standard_deviation: variance.sqrt(),
            buckets: self.buckets,
        })
    }
}

/// A group's key: the question kind or the job's id, or the evaluator version's number.
type Key = (Option<String>, Option<i32>);
/// An evaluator version's provider, model, rubric and prompt versions.
type Names = [Option<String>; 4];

/// The groups of the rows (totals and buckets), by key, with every bucket present.
fn collect(rows: Vec<GroupRow>, bucket_size: i32) -> BTreeMap<Key, (Names, Figures)> {
    let buckets = usize::try_from(100 / bucket_size).unwrap_or(1);
    let mut groups: BTreeMap<Key, (Names, Figures)> = BTreeMap::new();
    for row in rows {
        let (_, figures) = groups.entry((row.key, row.evaluator_id)).or_insert_with(|| {
            let names = [row.provider, row.model, row.rubric_version, row.prompt_version];
            (names, Figures { buckets: vec![0; buckets], ..Figures::default() })
        });
        match row.bucket.and_then(|b| usize::try_from(b).ok()) {
            Some(bucket) => {
                if let Some(slot) = figures.buckets.get_mut(bucket) {
                    *slot = row.answers;
                }
            }
            None => {
                figures.answers = row.answers;
                figures.sum = row.score_sum;
                figures.squares = row.score_squares;
                figures.candidates = row.candidates;
            }
        }
    }
    groups
}

/// The answers submitted in the window that the caller sees whose AI score (the current
/// evaluation's overall) and human score differ by more than `margin` points (the configured
/// disagreement margin when none), largest difference first, `limit` after the cursor.
pub async fn disagreements(
    service: &Service,
    principal: &Principal,
    window: Window,
    margin: Option<i32>,
    after: Option<(i16, AnswerId)>,
    limit: i64,
) -> ServiceResult<Vec<Disagreement>> {
    let staff = Staff::of(principal)?;
    let margin = margin.unwrap_or(service.config.analytics.disagreement_margin);
    let margin = i16::try_from(margin)
        .ok()
        .filter(|m| (0..=100).contains(m))
        .ok_or_else(|| ServiceError::bad_field("margin", "must be between 0 and 100 points"))?;
    let mut conn = service.pool.get().await?;
    conn.build_transaction()
        .read_only()
        .run(async |conn| {
            tune(conn).await?;
            Ok::<_, ServiceError>(
                store::disagreements(conn, staff.population(), window.span(), margin, after, limit).await?,
            )
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        kind: &str,
        bucket: Option<i32>,
        [answers, sum, squares]: [i64; 3],
        candidates: Option<i64>,
    ) -> GroupRow {
        GroupRow {
            key: Some(kind.to_owned()),
            evaluator_id: None,
            provider: None,
            model: None,
            rubric_version: None,
            prompt_version: None,
            bucket,
            answers,
            score_sum: sum,
            score_squares: squares,
            candidates,
        }
    }

    #[test]
    fn groups_gather_their_buckets_and_hide_small_ones() {
        // Scores 40, 60, 60, 80 from 5 candidates; and one answer from one candidate.
        let rows = vec![
            row("TECHNICAL", None, [4, 240, 15_200], Some(5)),
            row("TECHNICAL", Some(1), [1, 40, 1600], None),
            row("TECHNICAL", Some(2), [2, 120, 7200], None),
            row("TECHNICAL", Some(3), [1, 80, 6400], None),
            row("SITUATIONAL", None, [1, 90, 8100], Some(1)),
            row("SITUATIONAL", Some(3), [1, 90, 8100], None),
        ];
        let mut groups = collect(rows, 25);
        let (_, technical) = groups.remove(&(Some("TECHNICAL".into()), None)).unwrap();
        let technical = technical.shown(5).unwrap();
        assert_eq!(technical.buckets, vec![0, 1, 2, 1]);
        assert_eq!(technical.mean, 60.0);
        assert!((technical.standard_deviation - 200f64.sqrt()).abs() < 1e-9);
        let (_, situational) = groups.remove(&(Some("SITUATIONAL".into()), None)).unwrap();
        assert_eq!(situational.shown(5), None);
    }

    #[test]
    fn evaluator_keys_read_an_empty_prompt_as_none() {
        let names = [Some("offline".into()), Some("m".into()), Some("r3".into()), Some(String::new())];
        assert_eq!(
            group_key(StoreGroup::Evaluator(1), names),
            Some(GroupKey::Evaluator {
                provider: "offline".into(),
                model: "m".into(),
                rubric_version: "r3".into(),
                prompt_version: None
            })
        );
        assert_eq!(group_key(StoreGroup::QuestionKind("NOPE"), Names::default()), None);
    }
}
