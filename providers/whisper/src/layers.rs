//! The pieces Whisper's encoder and decoder share: linear layers, layer norms, multi-head
//! attention and the feed-forward block, loaded from candle-transformers' weight names.
//! Softmax and GELU are the candle provider's vectorised kernels: candle's own evaluate a
//! scalar `exp` or `erf` per element, which took a third of the encoder's time.

use candle_core::{D, Module, Tensor};
use candle_nn::{LayerNorm, Linear, VarBuilder};
use viva_candle::kernels::{BiasGelu, SoftmaxLastDim};

pub(crate) fn linear(vb: &VarBuilder<'_>, bias: bool) -> candle_core::Result<Linear> {
    let weight = vb.get_unchecked("weight")?;
    let bias = if bias { Some(vb.get_unchecked("bias")?) } else { None };
    Ok(Linear::new(weight, bias))
}

pub(crate) fn layer_norm(vb: &VarBuilder<'_>) -> candle_core::Result<LayerNorm> {
    Ok(LayerNorm::new(vb.get_unchecked("weight")?, vb.get_unchecked("bias")?, 1e-5))
}

pub(crate) struct Attention {
    query: Linear,
    key: Linear,
    value: Linear,
    out: Linear,
    heads: usize,
}

impl Attention {
    pub(crate) fn load(vb: &VarBuilder<'_>, heads: usize) -> candle_core::Result<Self> {
        Ok(Self {
            query: linear(&vb.pp("q_proj"), true)?,
            key: linear(&vb.pp("k_proj"), false)?,
            value: linear(&vb.pp("v_proj"), true)?,
            out: linear(&vb.pp("out_proj"), true)?,
            heads,
        })
    }

    /// `[1, n, d]` to `[1, heads, n, d/heads]`.
    fn split_heads(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (b, n, d) = x.dims3()?;
        x.reshape((b, n, self.heads, d / self.heads))?.transpose(1, 2)?.contiguous()
    }

    /// The keys (scaled and transposed, `[1, heads, d/heads, n]`) and values of `x`.
    pub(crate) fn keys_values(&self, x: &Tensor) -> candle_core::Result<(Tensor, Tensor)> {
        let scale = self.scale(x)?;
        let k = (self.split_heads(&self.key.forward(x)?)? * scale)?.transpose(2, 3)?.contiguous()?;
        let v = self.split_heads(&self.value.forward(x)?)?;
        Ok((k, v))
    }

    fn scale(&self, x: &Tensor) -> candle_core::Result<f64> {
        Ok(((x.dim(D::Minus1)? / self.heads) as f64).powf(-0.25))
    }

    /// Attention of `x`'s queries over keys `k` (`[1, h, dh, t]`) and values `v`.
    pub(crate) fn attend(
        &self,
        x: &Tensor,
        k: &Tensor,
        v: &Tensor,
        mask: Option<&Tensor>,
    ) -> candle_core::Result<Tensor> {
        let q = (self.split_heads(&self.query.forward(x)?)? * self.scale(x)?)?;
        let mut scores = q.matmul(k)?;
        if let Some(mask) = mask {
            scores = scores.broadcast_add(mask)?;
        }
        // The scores are this call's own (a fresh product or sum), so softmax can overwrite them.
        scores.inplace_op1(&SoftmaxLastDim)?;
        let mixed = scores.matmul(v)?.transpose(1, 2)?.flatten_from(2)?;
        self.out.forward(&mixed)
    }
}

/// The feed-forward block: `fc2(gelu(fc1(x)))`, the first bias fused into the GELU.
pub(crate) struct FeedForward {
    fc1: Linear,
    fc1_bias: Tensor,
    fc2: Linear,
}

impl FeedForward {
    /// Loads `fc1` and `fc2` under `vb`.
    pub(crate) fn load(vb: &VarBuilder<'_>) -> candle_core::Result<Self> {
        let fc1 = vb.pp("fc1");
        Ok(Self {
            fc1: Linear::new(fc1.get_unchecked("weight")?, None),
            fc1_bias: fc1.get_unchecked("bias")?,
            fc2: linear(&vb.pp("fc2"), true)?,
        })
    }

    pub(crate) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let hidden = self.fc1.forward(x)?.contiguous()?.apply_op2_no_bwd(&self.fc1_bias, &BiasGelu)?;
        self.fc2.forward(&hidden)
    }
}
