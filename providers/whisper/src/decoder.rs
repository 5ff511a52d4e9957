//! Whisper's text decoder with key/value caches, over the same weights (and names) as
//! candle-transformers' `TextDecoder`.
//!
//! candle-transformers' decoder runs the whole token sequence again for every new token;
//! here each step runs only the new tokens: the self-attention keys and values of earlier
//! tokens are kept, and the cross-attention keys and values of the audio are computed once
//! per 30 s window. That turns a window's decoding from quadratic to linear in its tokens.

use candle_core::{DType, Device, IndexOp, Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder};

use crate::layers::{Attention, FeedForward, layer_norm};

struct Block {
    self_attn: Attention,
    self_ln: LayerNorm,
    cross_attn: Attention,
    cross_ln: LayerNorm,
    ffn: FeedForward,
    mlp_ln: LayerNorm,
}

/// The decoder's weights.
pub(crate) struct TextDecoder {
    embeddings: Tensor,
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
        Ok(Self {
            embeddings: vb.pp("embed_tokens").get_unchecked("weight")?,
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
        let ids = Tensor::new(tokens, &Device::Cpu)?;
        let mut x = self
            .embeddings
            .index_select(&ids, 0)?
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

    /// The logits `[vocab]` of one hidden state row `[d]`.
    pub(crate) fn logits(&self, hidden: &Tensor, row: usize) -> candle_core::Result<Vec<f32>> {
        let h = hidden.i(row..row + 1)?;
        h.matmul(&self.embeddings.t()?)?.squeeze(0)?.to_dtype(DType::F32)?.to_vec1()
    }
}
