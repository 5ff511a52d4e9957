//! Whisper's audio encoder over the weights (and names) candle-transformers' `AudioEncoder`
//! reads. candle-transformers' own uses the tanh approximation of GELU; Whisper (and
//! CTranslate2, whose files these are) use the exact one, and the approximation changes words
//! of short clips, so this encoder is the model's as trained (with vectorised GELU and
//! softmax, see [`crate::layers`]).

use candle_core::{Module, Tensor};
use candle_nn::{Conv1d, Conv1dConfig, LayerNorm, VarBuilder};

use crate::layers::{Attention, FeedForward, layer_norm};
use viva_candle::kernels::Gelu;

struct Block {
    attn: Attention,
    attn_ln: LayerNorm,
    ffn: FeedForward,
    mlp_ln: LayerNorm,
}

/// The encoder's weights.
pub(crate) struct AudioEncoder {
    conv1: Conv1d,
    conv2: Conv1d,
    positions: Tensor,
    blocks: Vec<Block>,
    ln_post: LayerNorm,
}

fn conv(vb: &VarBuilder<'_>, stride: usize) -> candle_core::Result<Conv1d> {
    let config = Conv1dConfig { padding: 1, stride, dilation: 1, groups: 1, cudnn_fwd_algo: None };
    Ok(Conv1d::new(vb.get_unchecked("weight")?, Some(vb.get_unchecked("bias")?), config))
}

impl AudioEncoder {
    /// Loads `model.encoder.*`.
    pub(crate) fn load(vb: &VarBuilder<'_>, layers: usize, heads: usize) -> candle_core::Result<Self> {
        let vb = vb.pp("model.encoder");
        let blocks = (0..layers)
            .map(|i| {
                let b = vb.pp(format!("layers.{i}"));
                Ok(Block {
                    attn: Attention::load(&b.pp("self_attn"), heads)?,
                    attn_ln: layer_norm(&b.pp("self_attn_layer_norm"))?,
                    ffn: FeedForward::load(&b)?,
                    mlp_ln: layer_norm(&b.pp("final_layer_norm"))?,
                })
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Self {
            conv1: conv(&vb.pp("conv1"), 1)?,
            conv2: conv(&vb.pp("conv2"), 2)?,
            positions: vb.pp("embed_positions").get_unchecked("weight")?,
            blocks,
            ln_post: layer_norm(&vb.pp("layer_norm"))?,
        })
    }

    /// Encodes a window's log-mel spectrogram `[1, mels, 3000]` into `[1, 1500, d]`.
    pub(crate) fn forward(&self, mel: &Tensor) -> candle_core::Result<Tensor> {
        let x = self.conv1.forward(mel)?.apply_op1_no_bwd(&Gelu)?;
        let x = self.conv2.forward(&x)?.apply_op1_no_bwd(&Gelu)?;
        let x = x.transpose(1, 2)?;
        let frames = x.dim(1)?;
        let mut x = x.broadcast_add(&self.positions.narrow(0, 0, frames)?)?;
        for block in &self.blocks {
            let h = block.attn_ln.forward(&x)?;
            let (k, v) = block.attn.keys_values(&h)?;
            x = (&x + block.attn.attend(&h, &k, &v, None)?)?;
            let h = block.mlp_ln.forward(&x)?;
            x = (&x + block.ffn.forward(&h)?)?;
        }
        self.ln_post.forward(&x)
    }
}
