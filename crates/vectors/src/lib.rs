//! Exact nearest-neighbour search over normalised embeddings, in memory.
//!
//! PostgreSQL here has no vector extension, so embeddings are stored there (with the model that
//! made them) and searched here: every vector is scored against the query (cosine similarity as
//! a dot product of unit vectors) and the best `k` kept in a small heap. A scan is exact, needs
//! no training or tuning, and stays correct whatever is inserted or removed; at 384 dimensions
//! it reads 1.5 KiB per vector, so 100,000 vectors are one 150 MiB pass of the memory bus
//! (`benches/search.rs` measures it).
//!
//! An index holds the vectors of one model only: [`VectorIndex::insert`] refuses a vector of
//! another dimension, and the caller keys indexes by model, so vectors of two models are never
//! compared.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use uuid::Uuid;

/// Why a vector was refused.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum VectorError {
    /// Its length is not the index's dimension.
    #[error("the vector has {got} dimensions where the index has {expected}")]
    Dimension {
        /// The index's dimension.
        expected: usize,
        /// The vector's.
        got: usize,
    },
    /// It is zero, or holds a NaN or an infinity.
    #[error("the vector has no direction (zero, NaN or infinite)")]
    Degenerate,
}

/// One search result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// The vector's id.
    pub id: Uuid,
    /// Cosine similarity to the query, −1 to 1.
    pub score: f32,
}

/// The vectors of one model, by id.
#[derive(Debug)]
pub struct VectorIndex {
    model: String,
    dim: usize,
    ids: Vec<Uuid>,
    data: Vec<f32>,
    positions: HashMap<Uuid, usize>,
}

impl VectorIndex {
    /// An empty index for vectors of `model`, each of `dim` dimensions.
    pub fn new(model: impl Into<String>, dim: usize) -> Self {
        Self { model: model.into(), dim, ids: Vec::new(), data: Vec::new(), positions: HashMap::new() }
    }

    /// Makes room for `additional` more vectors at once (a bulk load knows how many).
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
        self.data.reserve(additional * self.dim);
        self.positions.reserve(additional);
    }

    /// The model whose vectors this index holds.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The dimension of its vectors.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many vectors it holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Bytes held by the vectors, their ids and the id map (capacity included).
    pub fn memory_bytes(&self) -> usize {
        self.data.capacity() * size_of::<f32>()
            + self.ids.capacity() * size_of::<Uuid>()
            + self.positions.capacity() * (size_of::<Uuid>() + size_of::<usize>() + 1)
    }

    /// Adds or replaces the vector of `id`, normalised to unit length.
    pub fn insert(&mut self, id: Uuid, vector: &[f32]) -> Result<(), VectorError> {
        if vector.len() != self.dim {
            return Err(VectorError::Dimension { expected: self.dim, got: vector.len() });
        }
        let norm = vector.iter().map(|x| f64::from(*x) * f64::from(*x)).sum::<f64>().sqrt();
        if !norm.is_finite() || norm == 0.0 {
            return Err(VectorError::Degenerate);
        }
        let unit = vector.iter().map(|x| (f64::from(*x) / norm) as f32);
        match self.positions.get(&id) {
            Some(&at) => {
                for (slot, value) in self.data[at * self.dim..(at + 1) * self.dim].iter_mut().zip(unit) {
                    *slot = value;
                }
            }
            None => {
                self.positions.insert(id, self.ids.len());
                self.ids.push(id);
                self.data.extend(unit);
            }
        }
        Ok(())
    }

    /// Removes the vector of `id`; whether it was there.
    pub fn remove(&mut self, id: Uuid) -> bool {
        let Some(at) = self.positions.remove(&id) else { return false };
        let last = self.ids.len() - 1;
        if at != last {
            let moved = self.ids[last];
            self.ids.swap(at, last);
            let (head, tail) = self.data.split_at_mut(last * self.dim);
            head[at * self.dim..(at + 1) * self.dim].copy_from_slice(&tail[..self.dim]);
            self.positions.insert(moved, at);
        }
        self.ids.pop();
        self.data.truncate(last * self.dim);
        true
    }

    /// Whether `id` has a vector here.
    pub fn contains(&self, id: Uuid) -> bool {
        self.positions.contains_key(&id)
    }

    /// The `k` vectors most similar to `query` among those `keep` accepts, best first (ties by
    /// id, so results are stable).
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        keep: impl Fn(Uuid) -> bool,
    ) -> Result<Vec<Hit>, VectorError> {
        if query.len() != self.dim {
            return Err(VectorError::Dimension { expected: self.dim, got: query.len() });
        }
        let norm = query.iter().map(|x| x * x).sum::<f32>().sqrt();
        if !norm.is_finite() || norm == 0.0 {
            return Err(VectorError::Degenerate);
        }
        let query: Vec<f32> = query.iter().map(|x| x / norm).collect();
        if k == 0 {
            return Ok(Vec::new());
        }
        let scores = pulp::Arch::new().dispatch(Scores { query: &query, data: &self.data, dim: self.dim });
        let mut best: BinaryHeap<Worst> = BinaryHeap::with_capacity(k + 1);
        for (index, score) in scores.into_iter().enumerate() {
            let candidate = Worst(Hit { id: self.ids[index], score });
            if best.len() == k && best.peek().is_some_and(|worst| candidate >= *worst) {
                continue;
            }
            if !keep(candidate.0.id) {
                continue;
            }
            best.push(candidate);
            if best.len() > k {
                best.pop();
            }
        }
        Ok(best.into_sorted_vec().into_iter().map(|w| w.0).collect())
    }
}

/// A hit ordered so that the worst is the greatest: the heap's top is the one to drop.
#[derive(Clone, Copy, Debug)]
struct Worst(Hit);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.score.total_cmp(&self.0.score).then_with(|| self.0.id.cmp(&other.0.id))
    }
}

/// Every stored vector's dot product with the query, compiled for the CPU's widest SIMD.
struct Scores<'a> {
    query: &'a [f32],
    data: &'a [f32],
    dim: usize,
}

impl pulp::WithSimd for Scores<'_> {
    type Output = Vec<f32>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> Vec<f32> {
        // A plain loop, not an iterator adaptor with a closure: a closure is not compiled with
        // this function's target features unless it is inlined, and then `dot` would run scalar.
        let mut scores = Vec::with_capacity(self.data.len() / self.dim.max(1));
        for row in self.data.chunks_exact(self.dim) {
            scores.push(dot(self.query, row));
        }
        scores
    }
}

/// A dot product over sixteen independent lanes, which the compiler keeps in vector registers.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut acc = [0f32; LANES];
    let (a_blocks, a_rest) = a.split_at(a.len() - a.len() % LANES);
    let (b_blocks, b_rest) = b.split_at(a_blocks.len());
    for (x, y) in a_blocks.chunks_exact(LANES).zip(b_blocks.chunks_exact(LANES)) {
        for lane in 0..LANES {
            // Not `mul_add`: without FMA in the target it is a library call per element.
            acc[lane] += x[lane] * y[lane];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn finds_the_nearest_exactly_and_in_order() {
        let mut index = VectorIndex::new("m", 3);
        index.insert(id(1), &[1.0, 0.0, 0.0]).unwrap();
        index.insert(id(2), &[0.0, 2.0, 0.0]).unwrap();
        index.insert(id(3), &[1.0, 1.0, 0.0]).unwrap();
        let hits = index.search(&[1.0, 0.2, 0.0], 2, |_| true).unwrap();
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [id(1), id(3)]);
        assert!((hits[0].score - 1.0 / 1.04f32.sqrt()).abs() < 1e-6);
        let filtered = index.search(&[1.0, 0.2, 0.0], 2, |i| i != id(1)).unwrap();
        assert_eq!(filtered.iter().map(|h| h.id).collect::<Vec<_>>(), [id(3), id(2)]);
    }

    #[test]
    fn replaces_and_removes_keeping_the_rest_reachable() {
        let mut index = VectorIndex::new("m", 2);
        for n in 0..5 {
            index.insert(id(n), &[1.0, n as f32]).unwrap();
        }
        index.insert(id(4), &[-1.0, 0.0]).unwrap();
        assert_eq!(index.len(), 5);
        assert!(index.remove(id(1)));
        assert!(!index.remove(id(1)));
        assert_eq!(index.len(), 4);
        let all = index.search(&[1.0, 0.0], 10, |_| true).unwrap();
        assert_eq!(all.iter().map(|h| h.id).collect::<Vec<_>>(), [id(0), id(2), id(3), id(4)]);
        assert_eq!(all[3].score, -1.0);
    }

    #[test]
    fn refuses_vectors_of_another_dimension_or_without_direction() {
        let mut index = VectorIndex::new("m", 3);
        assert_eq!(index.insert(id(1), &[1.0, 0.0]), Err(VectorError::Dimension { expected: 3, got: 2 }));
        assert_eq!(index.insert(id(1), &[0.0, 0.0, 0.0]), Err(VectorError::Degenerate));
        assert_eq!(index.insert(id(1), &[f32::NAN, 0.0, 0.0]), Err(VectorError::Degenerate));
        assert!(index.search(&[1.0, 0.0], 1, |_| true).is_err());
        assert!(index.is_empty());
    }

    #[test]
    fn agrees_with_a_plain_scan_at_a_real_dimension() {
        let dim = 384;
        let mut index = VectorIndex::new("m", dim);
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let vectors: Vec<Vec<f32>> = (0..500).map(|_| (0..dim).map(|_| next()).collect()).collect();
        for (n, v) in vectors.iter().enumerate() {
            index.insert(id(n as u128), v).unwrap();
        }
        let query: Vec<f32> = (0..dim).map(|_| next()).collect();
        let unit = |v: &[f32]| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / n).collect::<Vec<_>>()
        };
        let q = unit(&query);
        let mut plain: Vec<(usize, f32)> = vectors
            .iter()
            .enumerate()
            .map(|(n, v)| (n, unit(v).iter().zip(&q).map(|(a, b)| a * b).sum()))
            .collect();
        plain.sort_by(|a, b| b.1.total_cmp(&a.1));
        let hits = index.search(&query, 10, |_| true).unwrap();
        for (hit, (n, score)) in hits.iter().zip(&plain) {
            assert_eq!(hit.id, id(*n as u128));
            assert!((hit.score - score).abs() < 1e-5);
        }
    }
}
