//! Multi-head self-attention as one CPU kernel.
//!
//! The textbook path (split heads, permute, two batched matmuls, mask add, softmax, merge
//! heads) costs a handful of tensor copies and, on candle's CPU backend, one small gemm call
//! per batch item and head, each paying thread-pool synchronisation. With 32-wide heads and
//! sentence-length sequences that overhead dominates. Here every (sequence, head) pair is one
//! task that reads queries, keys and values straight out of the fused QKV projection, skips
//! padding, and writes its slice of the merged output.

use candle_core::{CpuStorage, CustomOp2, Layout, Result, Shape};
use rayon::prelude::*;

/// `softmax(q kᵀ · scale + mask) v` over `[batch, tokens, 3 · hidden]` and a
/// `[batch, tokens]` mask (1 for real tokens), giving `[batch · tokens, hidden]`.
pub(crate) struct Attention {
    pub(crate) heads: usize,
    pub(crate) head_dim: usize,
    pub(crate) tokens: usize,
}

impl CustomOp2 for Attention {
    fn name(&self) -> &'static str {
        "viva-attention"
    }

    fn cpu_fwd(
        &self,
        qkv: &CpuStorage,
        qkv_l: &Layout,
        mask: &CpuStorage,
        mask_l: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(qkv), CpuStorage::F32(mask)) = (qkv, mask) else {
            candle_core::bail!("attention expects f32 tensors");
        };
        let (Some((q0, q1)), Some((m0, m1))) = (qkv_l.contiguous_offsets(), mask_l.contiguous_offsets())
        else {
            candle_core::bail!("attention expects contiguous tensors");
        };
        let (qkv, mask) = (&qkv[q0..q1], &mask[m0..m1]);
        let (heads, hd, tokens) = (self.heads, self.head_dim, self.tokens);
        let hidden = heads * hd;
        if tokens == 0 || mask.len() % tokens != 0 || qkv.len() != mask.len() * 3 * hidden {
            candle_core::bail!("attention: inconsistent shapes");
        }
        let batch = mask.len() / tokens;
        let scale = 1.0 / (hd as f32).sqrt();
        let row = 3 * hidden;

        // One task per (sequence, head); each returns its [tokens, head_dim] block.
        let blocks: Vec<Vec<f32>> = (0..batch * heads)
            .into_par_iter()
            .map(|task| {
                let (b, h) = (task / heads, task % heads);
                let seq = &qkv[b * tokens * row..(b + 1) * tokens * row];
                let real = &mask[b * tokens..(b + 1) * tokens];
                let keys: Vec<usize> = (0..tokens).filter(|&j| real[j] != 0.0).collect();
                let mut out = vec![0f32; tokens * hd];
                let mut scores = vec![0f32; keys.len()];
                for i in 0..tokens {
                    if real[i] == 0.0 {
                        continue; // padding: never read by real tokens or by pooling
                    }
                    let q = &seq[i * row + h * hd..i * row + h * hd + hd];
                    let mut max = f32::NEG_INFINITY;
                    for (s, &j) in scores.iter_mut().zip(&keys) {
                        let k = &seq[j * row + hidden + h * hd..j * row + hidden + h * hd + hd];
                        *s = dot(q, k) * scale;
                        max = max.max(*s);
                    }
                    let mut sum = 0f32;
                    for s in scores.iter_mut() {
                        *s = (*s - max).exp();
                        sum += *s;
                    }
                    let inv = 1.0 / sum;
                    let o = &mut out[i * hd..(i + 1) * hd];
                    for (&p, &j) in scores.iter().zip(&keys) {
                        let v = &seq[j * row + 2 * hidden + h * hd..j * row + 2 * hidden + h * hd + hd];
                        let p = p * inv;
                        for (o, v) in o.iter_mut().zip(v) {
                            *o += p * v;
                        }
                    }
                }
                out
            })
            .collect();

        let mut merged = vec![0f32; batch * tokens * hidden];
        for (task, block) in blocks.iter().enumerate() {
            let (b, h) = (task / heads, task % heads);
            for i in 0..tokens {
                let dst = (b * tokens + i) * hidden + h * hd;
                merged[dst..dst + hd].copy_from_slice(&block[i * hd..(i + 1) * hd]);
            }
        }
        Ok((CpuStorage::F32(merged), Shape::from((batch * tokens, hidden))))
    }
}

/// A dot product in eight independent lanes, which the compiler turns into SIMD.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = a.len() / 8;
    for c in 0..chunks {
        for l in 0..8 {
            lanes[l] += a[c * 8 + l] * b[c * 8 + l];
        }
    }
    let mut sum: f32 = lanes.iter().sum();
    for i in chunks * 8..a.len() {
        sum += a[i] * b[i];
    }
    sum
}
