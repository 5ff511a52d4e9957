//! Whisper's text decoder with key/value caches, over the same weights (and names) as
//! candle-transformers' `TextDecoder`.
//!
//! candle-transformers' decoder runs the whole token sequence again for every new token;
//! here each step runs only the new tokens: the self-attention keys and values of earlier
//! tokens are kept, and the cross-attention keys and values of the audio are computed once
//! per 30 s window. That turns a window's decoding from quadratic to linear in its tokens.
//!
//! The token embeddings double as the output projection: every step reads all of them
//! (51,864 × 384 for tiny.en), which made that one product half a step's time, bound by memory
//! bandwidth. They are kept in float16, as the model file stores them (so nothing is lost),
//! and widened a row at a time inside the product: half the bytes per step.

use candle_core::{DType, Device, IndexOp, Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder};
use half::f16;
use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

use crate::layers::{Attention, FeedForward, layer_norm};

struct Block {
    self_attn: Attention,
    self_ln: LayerNorm,
    cross_attn: Attention,
    cross_ln: LayerNorm,
    ffn: FeedForward,
    mlp_ln: LayerNorm,
}

/// Vocabulary rows per task of the output projection.
const ROWS_PER_TASK: usize = 2048;

/// The decoder's weights.
pub(crate) struct TextDecoder {
    /// `[vocab · d]`, row-major, float16.
    embeddings: Vec<f16>,
    width: usize,
    positions: Tensor,
    blocks: Vec<Block>,
    ln: LayerNorm,
}

/// One window's decoding state: the audio's cross-attention keys and values, the tokens'
/// self-attention keys and values so far, and how many tokens those are.
pub(crate) struct DecoderState {
    cross: Vec<(Tensor, Tensor)>,
    cache: Vec<Option<(Tensor, Tensor)>>,
    len: usize,
}

impl DecoderState {
    /// Tokens decoded so far in this window, prompt included.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl TextDecoder {
    /// Loads `model.decoder.*` from the weights `Whisper::load` reads.
    pub(crate) fn load(vb: &VarBuilder<'_>, layers: usize, heads: usize) -> candle_core::Result<Self> {
        let vb = vb.pp("model.decoder");
        let blocks = (0..layers)
            .map(|i| {
                let b = vb.pp(format!("layers.{i}"));
                Ok(Block {
                    self_attn: Attention::load(&b.pp("self_attn"), heads)?,
                    self_ln: layer_norm(&b.pp("self_attn_layer_norm"))?,
                    cross_attn: Attention::load(&b.pp("encoder_attn"), heads)?,
                    cross_ln: layer_norm(&b.pp("encoder_attn_layer_norm"))?,
                    ffn: FeedForward::load(&b)?,
                    mlp_ln: layer_norm(&b.pp("final_layer_norm"))?,
                })
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        let embeddings = vb.pp("embed_tokens").get_unchecked("weight")?;
        let width = embeddings.dim(1)?;
        Ok(Self {
            embeddings: embeddings.to_dtype(DType::F16)?.flatten_all()?.to_vec1::<f16>()?,
            width,
            positions: vb.pp("embed_positions").get_unchecked("weight")?,
            blocks,
            ln: layer_norm(&vb.pp("layer_norm"))?,
        })
    }

    /// The most tokens one window can hold.
    pub(crate) fn max_tokens(&self) -> usize {
        self.positions.dims()[0]
    }

    /// Starts a window: the cross-attention keys and values of `audio` (`[1, frames, d]`).
    pub(crate) fn start(&self, audio: &Tensor) -> candle_core::Result<DecoderState> {
        let cross = self
            .blocks
            .iter()
            .map(|b| b.cross_attn.keys_values(audio))
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(DecoderState { cross, cache: vec![None; self.blocks.len()], len: 0 })
    }

    /// Runs `tokens` after those already in `state`; returns their final hidden states
    /// `[n, d]` (after the last layer norm).
    pub(crate) fn step(&self, tokens: &[u32], state: &mut DecoderState) -> candle_core::Result<Tensor> {
        let n = tokens.len();
        let d = self.width;
        let mut rows = vec![0f32; n * d];
        for (row, &token) in rows.chunks_exact_mut(d).zip(tokens) {
            let start = token as usize * d;
            let Some(embedding) = self.embeddings.get(start..start + d) else {
                candle_core::bail!("token {token} is outside the vocabulary");
            };
            embedding.convert_to_f32_slice(row);
        }
        let mut x = Tensor::from_vec(rows, (n, d), &Device::Cpu)?
            .add(&self.positions.narrow(0, state.len, n)?)?
            .unsqueeze(0)?;
        let mask = if n > 1 {
            // Token i of this step sees every earlier token and itself.
            let past = state.len;
            let total = past + n;
            let values: Vec<f32> = (0..n)
                .flat_map(|i| (0..total).map(move |j| if j > past + i { f32::NEG_INFINITY } else { 0.0 }))
                .collect();
            Some(Tensor::from_vec(values, (n, total), &Device::Cpu)?)
        } else {
            None
        };
        for (block, (cache, (cross_k, cross_v))) in
            self.blocks.iter().zip(state.cache.iter_mut().zip(&state.cross))
        {
            let h = block.self_ln.forward(&x)?;
            let (k, v) = block.self_attn.keys_values(&h)?;
            let (k, v) = match cache.take() {
                Some((old_k, old_v)) => (Tensor::cat(&[&old_k, &k], 3)?, Tensor::cat(&[&old_v, &v], 2)?),
                None => (k, v),
            };
            let attended = block.self_attn.attend(&h, &k, &v, mask.as_ref())?;
            *cache = Some((k, v));
            x = (x + attended)?;
            let h = block.cross_ln.forward(&x)?;
            x = (&x + block.cross_attn.attend(&h, cross_k, cross_v, None)?)?;
            let h = block.mlp_ln.forward(&x)?;
            x = (&x + block.ffn.forward(&h)?)?;
        }
        state.len += n;
        self.ln.forward(&x)?.squeeze(0)
    }

    /// The logits `[vocab]` of one hidden state row `[d]`: its dot product with every token
    /// embedding, split over the current thread pool.
    pub(crate) fn logits(&self, hidden: &Tensor, row: usize) -> candle_core::Result<Vec<f32>> {
        let h: Vec<f32> = hidden.i(row)?.to_dtype(DType::F32)?.to_vec1()?;
        if h.len() != self.width {
            candle_core::bail!("a hidden state of {} values, not {}", h.len(), self.width);
        }
        let mut logits = vec![0f32; self.embeddings.len() / self.width];
        let arch = pulp::Arch::new();
        logits
            .par_chunks_mut(ROWS_PER_TASK)
            .zip(self.embeddings.par_chunks(ROWS_PER_TASK * self.width))
            .for_each(|(out, weights)| arch.dispatch(Dots { out, weights, hidden: &h }));
        Ok(logits)
    }
}

/// Dot products of `hidden` with float16 rows, as a unit `pulp` compiles for each
/// instruction set (AVX-512, AVX2, the baseline) and picks at run time.
struct Dots<'a> {
    out: &'a mut [f32],
    weights: &'a [f16],
    hidden: &'a [f32],
}

impl pulp::WithSimd for Dots<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        const LANES: usize = 16;
        let d = self.hidden.len();
        let mut row = vec![0f32; d];
        for (out, weights) in self.out.iter_mut().zip(self.weights.chunks_exact(d)) {
            weights.convert_to_f32_slice(&mut row);
            let mut sums = [0f32; LANES];
            let mut pairs = row.chunks_exact(LANES).zip(self.hidden.chunks_exact(LANES));
            for (w, h) in pairs.by_ref() {
                for ((s, &w), &h) in sums.iter_mut().zip(w).zip(h) {
                    *s += w * h;
                }
            }
            let tail = d - d % LANES;
            let rest: f32 = row[tail..].iter().zip(&self.hidden[tail..]).map(|(w, h)| w * h).sum();
            *out = sums.iter().sum::<f32>() + rest;
        }
    }
}
