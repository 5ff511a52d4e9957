//! Multi-head self-attention as one CPU kernel.
//!
//! The textbook path (split heads, permute, two batched matmuls, mask add, softmax, merge
//! heads) costs a handful of tensor copies and, on candle's CPU backend, one small gemm call
//! per batch item and head, each paying thread-pool synchronisation. With 32-wide heads and
//! sentence-length sequences that overhead dominates. Here every (sequence, head) pair is one
//! task that reads queries, keys and values straight out of the fused QKV projection of its
//! packed (unpadded) sequence and writes its slice of the merged output. The inner loops are
//! compiled for AVX-512, AVX2 and the baseline and chosen at run time through `pulp`.

use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape};
use rayon::prelude::*;

use crate::gelu::exp_nonpositive;

/// `softmax(q kᵀ · scale) v` per sequence over packed `[tokens, 3 · hidden]` projections,
/// giving `[tokens, hidden]`. Sequence `b` is rows `offsets[b]..offsets[b + 1]`; there is no
/// padding, so no mask.
pub(crate) struct Attention<'a> {
    pub(crate) heads: usize,
    pub(crate) head_dim: usize,
    pub(crate) offsets: &'a [usize],
}

impl CustomOp1 for Attention<'_> {
    fn name(&self) -> &'static str {
        "viva-attention"
    }

    fn cpu_fwd(&self, qkv: &CpuStorage, qkv_l: &Layout) -> Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(qkv) = qkv else {
            candle_core::bail!("attention expects f32 tensors");
        };
        let Some((q0, q1)) = qkv_l.contiguous_offsets() else {
            candle_core::bail!("attention expects contiguous tensors");
        };
        let qkv = &qkv[q0..q1];
        let (heads, hd) = (self.heads, self.head_dim);
        let hidden = heads * hd;
        let row = 3 * hidden;
        let rows = self.offsets.last().copied().unwrap_or(0);
        if qkv.len() != rows * row || self.offsets.windows(2).any(|w| w[1] < w[0]) {
            candle_core::bail!("attention: inconsistent shapes");
        }
        let sequences = self.offsets.len().saturating_sub(1);
        let scale = 1.0 / (hd as f32).sqrt();

        // One task per (sequence, head); each returns its [tokens, head_dim] block. The body
        // runs under `pulp`'s dispatch so that it is compiled for, and picks at run time, the
        // widest vector unit the CPU has (AVX-512, else AVX2, else the baseline).
        let arch = pulp::Arch::new();
        let blocks: Vec<Vec<f32>> = (0..sequences * heads)
            .into_par_iter()
            .map(|task| {
                let (b, h) = (task / heads, task % heads);
                let seq = &qkv[self.offsets[b] * row..self.offsets[b + 1] * row];
                arch.dispatch(HeadTask { seq, head: Head { index: h, dim: hd, hidden, scale } })
            })
            .collect();

        let mut merged = vec![0f32; rows * hidden];
        for (task, block) in blocks.iter().enumerate() {
            let (b, h) = (task / heads, task % heads);
            for (i, values) in (self.offsets[b]..self.offsets[b + 1]).zip(block.chunks_exact(hd)) {
                let dst = i * hidden + h * hd;
                merged[dst..dst + hd].copy_from_slice(values);
            }
        }
        Ok((CpuStorage::F32(merged), Shape::from((rows, hidden))))
    }
}

/// Which head of the fused projection to attend with.
#[derive(Clone, Copy)]
struct Head {
    index: usize,
    dim: usize,
    hidden: usize,
    scale: f32,
}

/// [`head`] as a unit `pulp` can compile for each instruction set: everything it calls is
/// `#[inline(always)]`, so the vector width is chosen once, at dispatch.
struct HeadTask<'a> {
    seq: &'a [f32],
    head: Head,
}

impl pulp::WithSimd for HeadTask<'_> {
    type Output = Vec<f32>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> Vec<f32> {
        head(self.seq, self.head)
    }
}

/// One head of one sequence: `seq` is its `[tokens, 3 · hidden]` slice of the fused QKV
/// projection. Keys are gathered transposed (`[head_dim, tokens]`) so that a query's scores
/// are `head_dim` vector updates along the keys, with no horizontal sums.
#[inline(always)]
fn head(seq: &[f32], head: Head) -> Vec<f32> {
    let Head { index: h, dim: hd, hidden, scale } = head;
    let row = 3 * hidden;
    let tokens = seq.len() / row;
    let mut keys_t = vec![0f32; hd * tokens];
    let mut values = vec![0f32; tokens * hd];
    for j in 0..tokens {
        let k = &seq[j * row + hidden + h * hd..j * row + hidden + (h + 1) * hd];
        for (d, &x) in k.iter().enumerate() {
            keys_t[d * tokens + j] = x;
        }
        values[j * hd..(j + 1) * hd]
            .copy_from_slice(&seq[j * row + 2 * hidden + h * hd..j * row + 2 * hidden + (h + 1) * hd]);
    }
    let mut out = vec![0f32; tokens * hd];
    let mut scores = vec![0f32; tokens];
    for i in 0..tokens {
        let q = &seq[i * row + h * hd..i * row + (h + 1) * hd];
        query_scores(q, &keys_t, scale, &mut scores);
        softmax_in_place(&mut scores);
        let o = &mut out[i * hd..(i + 1) * hd];
        match hd {
            32 => weighted_sum::<32>(&scores, &values, o),
            64 => weighted_sum::<64>(&scores, &values, o),
            _ => weighted_sum_any(&scores, &values, o),
        }
    }
    out
}

/// Keys scored in blocks held in registers across the whole head dimension.
const KEY_BLOCK: usize = 64;

/// `scores[j] = scale · q · k_j` from keys stored transposed (`[head_dim, keys]`).
#[inline(always)]
fn query_scores(q: &[f32], keys_t: &[f32], scale: f32, scores: &mut [f32]) {
    let nk = scores.len();
    let mut start = 0;
    while start + KEY_BLOCK <= nk {
        let mut acc = [0f32; KEY_BLOCK];
        for (d, &qd) in q.iter().enumerate() {
            let k = &keys_t[d * nk + start..d * nk + start + KEY_BLOCK];
            for (a, &k) in acc.iter_mut().zip(k) {
                *a += qd * k;
            }
        }
        for (s, a) in scores[start..start + KEY_BLOCK].iter_mut().zip(acc) {
            *s = a * scale;
        }
        start += KEY_BLOCK;
    }
    let rest = &mut scores[start..];
    rest.fill(0.0);
    for (d, &qd) in q.iter().enumerate() {
        let k = &keys_t[d * nk + start..(d + 1) * nk];
        for (s, &k) in rest.iter_mut().zip(k) {
            *s += qd * k;
        }
    }
    for s in rest.iter_mut() {
        *s *= scale;
    }
}

/// Softmax over one row, with the max and the sum kept in sixteen lanes so that both
/// reductions vectorise.
#[inline(always)]
pub(crate) fn softmax_in_place(scores: &mut [f32]) {
    const LANES: usize = 16;
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let mut chunks = scores.chunks_exact(LANES);
    for chunk in chunks.by_ref() {
        for (m, &s) in lanes.iter_mut().zip(chunk) {
            *m = m.max(s);
        }
    }
    let max = chunks
        .remainder()
        .iter()
        .fold(lanes.iter().fold(f32::NEG_INFINITY, |m, &l| m.max(l)), |m, &s| m.max(s));
    for s in scores.iter_mut() {
        *s = exp_nonpositive(*s - max);
    }
    let mut sums = [0f32; LANES];
    let mut chunks = scores.chunks_exact(LANES);
    for chunk in chunks.by_ref() {
        for (a, &s) in sums.iter_mut().zip(chunk) {
            *a += s;
        }
    }
    let sum: f32 = sums.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>();
    let inv = 1.0 / sum;
    for s in scores.iter_mut() {
        *s *= inv;
    }
}

/// `out = Σ_j p_j · v_j` with the output row in registers (`D` is the head dimension).
#[inline(always)]
fn weighted_sum<const D: usize>(p: &[f32], values: &[f32], out: &mut [f32]) {
    let mut acc = [0f32; D];
    for (&p, v) in p.iter().zip(values.chunks_exact(D)) {
        for (a, &v) in acc.iter_mut().zip(v) {
            *a += p * v;
        }
    }
    out.copy_from_slice(&acc);
}

/// [`weighted_sum`] for a head dimension known only at run time.
#[inline(always)]
fn weighted_sum_any(p: &[f32], values: &[f32], out: &mut [f32]) {
    let hd = out.len();
    for (&p, v) in p.iter().zip(values.chunks_exact(hd)) {
        for (o, &v) in out.iter_mut().zip(v) {
            *o += p * v;
        }
    }
}
