//! The BERT encoder of a sentence-transformers model, written for CPU throughput.
//!
//! Compared with a textbook port: a batch is packed, its sequences end to end with no padding,
//! so every projection multiplies a `[real tokens, hidden]` matrix in a single gemm call and
//! nothing is spent on pad tokens however unequal the lengths; the query, key and value
//! projections are one matmul against a fused, pre-transposed weight; attention is one kernel
//! that keeps each sequence to itself ([`crate::attention`]); layer norm is candle's fused
//! kernel; the feed-forward bias and erf-GELU are one vectorised pass ([`crate::gelu`]).
//! Pooling is the model's mean over each sequence's tokens, then L2 normalisation, as its
//! `modules.json` prescribes.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use serde::Deserialize;

use crate::attention::Attention;
use crate::gelu::BiasGelu;

/// What `config.json` says about the encoder.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct BertConfig {
    pub(crate) hidden_size: usize,
    pub(crate) num_attention_heads: usize,
    pub(crate) num_hidden_layers: usize,
    pub(crate) max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    pub(crate) layer_norm_eps: f64,
    #[serde(default = "default_act")]
    pub(crate) hidden_act: String,
}

fn default_eps() -> f64 {
    1e-12
}

fn default_act() -> String {
    "gelu".to_owned()
}

struct Linear {
    /// `[in, out]`, contiguous: the transpose of the stored weight.
    weight_t: Tensor,
    bias: Tensor,
}

impl Linear {
    fn load(weights: &Weights, name: &str) -> candle_core::Result<Self> {
        Ok(Self {
            weight_t: weights.get(&format!("{name}.weight"))?.t()?.contiguous()?,
            bias: weights.get(&format!("{name}.bias"))?,
        })
    }

    /// Several projections of the same input as one: their weights side by side.
    fn fused(parts: &[Linear]) -> candle_core::Result<Self> {
        let weights: Vec<&Tensor> = parts.iter().map(|l| &l.weight_t).collect();
        let biases: Vec<&Tensor> = parts.iter().map(|l| &l.bias).collect();
        Ok(Self { weight_t: Tensor::cat(&weights, 1)?.contiguous()?, bias: Tensor::cat(&biases, 0)? })
    }

    /// `x · Wᵀ`, without the bias, for a `[rows, in]` input.
    fn matmul(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight_t)
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.matmul(x)?.broadcast_add(&self.bias)
    }
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl LayerNorm {
    fn load(weights: &Weights, name: &str, eps: f64) -> candle_core::Result<Self> {
        // Older checkpoints name the parameters gamma and beta.
        let weight =
            weights.get(&format!("{name}.weight")).or_else(|_| weights.get(&format!("{name}.gamma")))?;
        let bias = weights.get(&format!("{name}.bias")).or_else(|_| weights.get(&format!("{name}.beta")))?;
        Ok(Self { weight, bias, eps: eps as f32 })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(x, &self.weight, &self.bias, self.eps)
    }
}

struct Layer {
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// The safetensors file's tensors, with or without a `bert.` prefix.
struct Weights {
    tensors: HashMap<String, Tensor>,
}

impl Weights {
    fn get(&self, name: &str) -> candle_core::Result<Tensor> {
        self.tensors
            .get(name)
            .or_else(|| self.tensors.get(&format!("bert.{name}")))
            .map(|t| t.to_dtype(DType::F32))
            .transpose()?
            .ok_or_else(|| candle_core::Error::Msg(format!("the weights have no tensor {name}")))
    }
}

/// A loaded BERT encoder with mean pooling.
pub(crate) struct Bert {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    token_type_embedding: Tensor,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    head_dim: usize,
    hidden: usize,
    pub(crate) max_positions: usize,
}

impl Bert {
    /// Loads `model.safetensors` described by `config`.
    pub(crate) fn load(weights_path: &Path, config: &BertConfig) -> candle_core::Result<Self> {
        if config.hidden_act != "gelu" {
            candle_core::bail!("unsupported activation {}", config.hidden_act);
        }
        if config.num_attention_heads == 0 || !config.hidden_size.is_multiple_of(config.num_attention_heads) {
            candle_core::bail!("hidden size {} is not divisible into heads", config.hidden_size);
        }
        let weights = Weights { tensors: candle_core::safetensors::load(weights_path, &Device::Cpu)? };
        let eps = config.layer_norm_eps;
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let p = format!("encoder.layer.{i}");
                let q = Linear::load(&weights, &format!("{p}.attention.self.query"))?;
                let k = Linear::load(&weights, &format!("{p}.attention.self.key"))?;
                let v = Linear::load(&weights, &format!("{p}.attention.self.value"))?;
                Ok(Layer {
                    qkv: Linear::fused(&[q, k, v])?,
                    attention_out: Linear::load(&weights, &format!("{p}.attention.output.dense"))?,
                    attention_norm: LayerNorm::load(
                        &weights,
                        &format!("{p}.attention.output.LayerNorm"),
                        eps,
                    )?,
                    intermediate: Linear::load(&weights, &format!("{p}.intermediate.dense"))?,
                    output: Linear::load(&weights, &format!("{p}.output.dense"))?,
                    output_norm: LayerNorm::load(&weights, &format!("{p}.output.LayerNorm"), eps)?,
                })
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        let token_types = weights.get("embeddings.token_type_embeddings.weight")?;
        Ok(Self {
            word_embeddings: weights.get("embeddings.word_embeddings.weight")?,
            position_embeddings: weights.get("embeddings.position_embeddings.weight")?,
            // Sentence embeddings use one segment: type 0 for every token.
            token_type_embedding: token_types.get(0)?,
            embeddings_norm: LayerNorm::load(&weights, "embeddings.LayerNorm", eps)?,
            layers,
            heads: config.num_attention_heads,
            head_dim: config.hidden_size / config.num_attention_heads,
            hidden: config.hidden_size,
            max_positions: config.max_position_embeddings,
        })
    }

    /// The hidden size: the length of each embedding.
    pub(crate) fn hidden(&self) -> usize {
        self.hidden
    }

    /// Mean-pooled, L2-normalised embeddings of a batch of token sequences, packed without
    /// padding: every matmul, norm and activation runs over the real tokens only, and
    /// attention keeps each sequence to itself, so a vector never depends on its batch.
    pub(crate) fn embed(&self, sequences: &[&[u32]]) -> candle_core::Result<Vec<Vec<f32>>> {
        if sequences.is_empty() {
            return Ok(Vec::new());
        }
        if sequences.iter().any(|s| s.is_empty()) {
            candle_core::bail!("an empty token sequence");
        }
        if let Some(long) = sequences.iter().find(|s| s.len() > self.max_positions) {
            candle_core::bail!("{} tokens exceed the model's {} positions", long.len(), self.max_positions);
        }
        let h = self.hidden;
        let mut offsets = Vec::with_capacity(sequences.len() + 1);
        offsets.push(0);
        for s in sequences {
            offsets.push(offsets[offsets.len() - 1] + s.len());
        }
        let rows = offsets[sequences.len()];
        let dev = Device::Cpu;

        // Embeddings: word + position + type, as [rows, hidden].
        let ids: Vec<u32> = sequences.iter().flat_map(|s| s.iter().copied()).collect();
        let positions: Vec<u32> = sequences.iter().flat_map(|s| 0..s.len() as u32).collect();
        let ids = Tensor::from_vec(ids, rows, &dev)?;
        let positions = Tensor::from_vec(positions, rows, &dev)?;
        let mut x = (self.word_embeddings.embedding(&ids)?
            + self.position_embeddings.embedding(&positions)?)?
        .broadcast_add(&self.token_type_embedding)?;
        x = self.embeddings_norm.forward(&x)?;

        let attention = Attention { heads: self.heads, head_dim: self.head_dim, offsets: &offsets };
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x)?;
            let context = qkv.apply_op1_no_bwd(&attention)?;
            let attended = layer.attention_out.forward(&context)?;
            x = layer.attention_norm.forward(&(attended + &x)?)?;

            let inner =
                layer.intermediate.matmul(&x)?.apply_op2_no_bwd(&layer.intermediate.bias, &BiasGelu)?;
            let out = layer.output.forward(&inner)?;
            x = layer.output_norm.forward(&(out + &x)?)?;
        }

        // Mean over each sequence's tokens, then unit length.
        let x = x.flatten_all()?.to_vec1::<f32>()?;
        Ok(offsets
            .windows(2)
            .map(|span| {
                let mut mean = vec![0f32; h];
                for row in x[span[0] * h..span[1] * h].chunks_exact(h) {
                    for (m, v) in mean.iter_mut().zip(row) {
                        *m += v;
                    }
                }
                let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
                mean.iter().map(|v| v / norm).collect()
            })
            .collect())
    }
}
