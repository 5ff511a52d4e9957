//! The per-replica semantic index of resumes: one [`VectorIndex`] per embedding model, holding
//! each candidate's active resume's vector (keyed by the candidate), loaded from PostgreSQL on
//! first use and kept fresh through the event bus.
//!
//! Every replica receives `RESUMES_CHANGED` for a candidate whose resumes were analysed,
//! activated or deleted; the bus observer (synchronous, so it does no I/O) marks the candidate
//! stale, and the next search reloads the stale candidates' rows before it reads the index.
//! An index remembers the bus generation it was loaded under: when the bus has reconnected
//! since (events may have been missed), or is down, the index is reloaded whole. Vectors of
//! different models live in different indexes and are never compared.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use tokio::sync::RwLock;
use viva_domain::UserId;
use viva_store::AsyncPgConnection;
use viva_store::models::resume as store;
use viva_vectors::VectorIndex;

use crate::{ServiceError, ServiceResult};

/// The indexes of this replica, by model.
#[derive(Debug, Default)]
pub struct ResumeIndex {
    /// Each model's index, with the bus generation it was loaded under.
    indexes: RwLock<HashMap<String, (VectorIndex, Option<u64>)>>,
    /// Candidates whose rows changed since the indexes last read them.
    stale: Mutex<Stale>,
}

#[derive(Debug, Default)]
struct Stale {
    candidates: HashSet<UserId>,
}

impl ResumeIndex {
    /// Marks a candidate's vectors stale (the bus observer calls it).
    pub fn candidate_changed(&self, candidate: UserId) {
        if let Ok(mut stale) = self.stale.lock() {
            stale.candidates.insert(candidate);
        }
    }

    fn take_stale(&self) -> Stale {
        self.stale.lock().map(|mut stale| std::mem::take(&mut *stale)).unwrap_or_default()
    }

    /// Brings the index of `model` up to date under bus generation `generation`: reloads it
    /// whole if absent or loaded under another generation, else reloads stale candidates.
    async fn refresh(
        &self,
        conn: &mut AsyncPgConnection,
        model: &str,
        dim: usize,
        generation: Option<u64>,
    ) -> ServiceResult<()> {
        let stale = self.take_stale();
        let mut indexes = self.indexes.write().await;
        indexes.retain(|_, (_, loaded)| generation.is_some() && *loaded == generation);
        if !stale.candidates.is_empty() {
            let changed: Vec<UserId> = stale.candidates.iter().copied().collect();
            for (loaded_model, (index, _)) in indexes.iter_mut() {
                for candidate in &changed {
                    index.remove(candidate.0);
                }
                for (candidate, vector) in
                    store::active_embeddings(conn, loaded_model, Some(&changed)).await?
                {
                    if let Err(err) = index.insert(candidate.0, &vector) {
                        tracing::warn!(error = %err, %candidate, "a stored resume vector was skipped");
                    }
                }
            }
        }
        if !indexes.contains_key(model) {
            let rows = store::active_embeddings(conn, model, None).await?;
            let mut index = VectorIndex::new(model, dim);
            index.reserve(rows.len());
            for (candidate, vector) in rows {
                if let Err(err) = index.insert(candidate.0, &vector) {
                    tracing::warn!(error = %err, %candidate, "a stored resume vector was skipped");
                }
            }
            indexes.insert(model.to_owned(), (index, generation));
        }
        Ok(())
    }

    /// The `k` candidates whose active resumes are nearest `query` (a vector of `model`) among
    /// those `keep` accepts, with their cosine similarity, best first.
    pub async fn search(
        &self,
        conn: &mut AsyncPgConnection,
        generation: Option<u64>,
        model: &str,
        query: &[f32],
        k: usize,
        keep: impl Fn(UserId) -> bool,
    ) -> ServiceResult<Vec<(UserId, f32)>> {
        self.refresh(conn, model, query.len(), generation).await?;
        let indexes = self.indexes.read().await;
        let Some((index, _)) = indexes.get(model) else { return Ok(Vec::new()) };
        let hits = index.search(query, k, |id| keep(UserId(id))).map_err(ServiceError::internal)?;
        Ok(hits.into_iter().map(|hit| (UserId(hit.id), hit.score)).collect())
    }
}
