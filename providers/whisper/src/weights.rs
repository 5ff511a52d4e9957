//! CTranslate2's Whisper variables under the names candle-transformers' `Whisper::load` reads
//! (Hugging Face's layout), with the dimensions read off their shapes.
//!
//! CTranslate2 fuses a self-attention's query, key and value projections into one
//! `linear_0` (`[3·d, d]`) and a cross-attention's key and value into `linear_1` (`[2·d, d]`);
//! they are split back here. Whisper's key projections have no bias: CTranslate2 stores zeros
//! for it, and a bias on the keys shifts every score of a query by the same amount, which
//! softmax ignores, so dropping it is exact.

use std::collections::HashMap;

use candle_core::Tensor;
use candle_transformers::models::whisper::Config;

use crate::ct2::Ct2Model;

/// The tensors by candle name, and the model's dimensions.
pub(crate) struct Weights {
    pub(crate) tensors: HashMap<String, Tensor>,
    pub(crate) config: Config,
}

/// Maps every variable of a parsed `WhisperSpec` model.
pub(crate) fn from_ct2(model: &Ct2Model<'_>, suppress_tokens: Vec<u32>) -> Result<Weights, String> {
    if model.spec != "WhisperSpec" {
        return Err(format!("the model is a {}, not a Whisper model", model.spec));
    }
    let mut map = Mapper { model, tensors: HashMap::new() };
    let conv1 = map.tensor("encoder/conv1/weight")?;
    let (d_model, num_mel_bins) = match conv1.dims() {
        [d, mels, 3] => (*d, *mels),
        other => return Err(format!("encoder/conv1/weight has shape {other:?}, expected [d, mels, 3]")),
    };
    map.tensors.insert("model.encoder.conv1.weight".to_owned(), conv1);
    map.copy("encoder/conv1/bias", "model.encoder.conv1.bias")?;
    map.copy("encoder/conv2/weight", "model.encoder.conv2.weight")?;
    map.copy("encoder/conv2/bias", "model.encoder.conv2.bias")?;
    let encoder_layers = count_layers(model, "encoder");
    let decoder_layers = count_layers(model, "decoder");
    if encoder_layers == 0 || decoder_layers == 0 {
        return Err("the model has no encoder or no decoder layers".to_owned());
    }
    for i in 0..encoder_layers {
        let (from, to) = (format!("encoder/layer_{i}"), format!("model.encoder.layers.{i}"));
        map.self_attention(&from, &to, d_model)?;
        map.ffn(&from, &to)?;
    }
    map.layer_norm("encoder/layer_norm", "model.encoder.layer_norm")?;

    let embeddings = map.tensor("decoder/embeddings/weight")?;
    let vocab_size = embeddings.dim(0).map_err(|e| e.to_string())?;
    map.tensors.insert("model.decoder.embed_tokens.weight".to_owned(), embeddings);
    let positions = map.tensor("decoder/position_encodings/encodings")?;
    let max_target_positions = positions.dim(0).map_err(|e| e.to_string())?;
    map.tensors.insert("model.decoder.embed_positions.weight".to_owned(), positions);
    for i in 0..decoder_layers {
        let (from, to) = (format!("decoder/layer_{i}"), format!("model.decoder.layers.{i}"));
        map.self_attention(&from, &to, d_model)?;
        map.cross_attention(&from, &to, d_model)?;
        map.ffn(&from, &to)?;
    }
    map.layer_norm("decoder/layer_norm", "model.decoder.layer_norm")?;

    // The encoder's positions are fixed sinusoids (candle-transformers computes its own);
    // their count is the encoder's context, 1,500 steps of 20 ms for the 30 s window.
    let encoder_positions = map.tensor("encoder/position_encodings/encodings")?;
    let max_source_positions = encoder_positions.dim(0).map_err(|e| e.to_string())?;
    map.tensors.insert("model.encoder.embed_positions.weight".to_owned(), encoder_positions);
    let heads = |name: &str| -> Result<usize, String> {
        let value = model.get(name)?.integer(name)?;
        usize::try_from(value)
            .ok()
            .filter(|h| *h > 0 && d_model % h == 0)
            .ok_or_else(|| format!("{name} is {value}, which does not divide the model width {d_model}"))
    };
    let config = Config {
        num_mel_bins,
        max_source_positions,
        d_model,
        encoder_attention_heads: heads("encoder/num_heads")?,
        encoder_layers,
        vocab_size,
        max_target_positions,
        decoder_attention_heads: heads("decoder/num_heads")?,
        decoder_layers,
        suppress_tokens,
    };
    Ok(Weights { tensors: map.tensors, config })
}

fn count_layers(model: &Ct2Model<'_>, side: &str) -> usize {
    (0..).take_while(|i| model.contains(&format!("{side}/layer_{i}/ffn/linear_0/weight"))).count()
}

struct Mapper<'m, 'a> {
    model: &'m Ct2Model<'a>,
    tensors: HashMap<String, Tensor>,
}

impl Mapper<'_, '_> {
    fn tensor(&self, name: &str) -> Result<Tensor, String> {
        self.model.get(name)?.tensor(name)
    }

    fn copy(&mut self, from: &str, to: &str) -> Result<(), String> {
        let tensor = self.tensor(from)?;
        self.tensors.insert(to.to_owned(), tensor);
        Ok(())
    }

    fn linear(&mut self, from: &str, to: &str) -> Result<(), String> {
        self.copy(&format!("{from}/weight"), &format!("{to}.weight"))?;
        self.copy(&format!("{from}/bias"), &format!("{to}.bias"))
    }

    fn layer_norm(&mut self, from: &str, to: &str) -> Result<(), String> {
        self.copy(&format!("{from}/gamma"), &format!("{to}.weight"))?;
        self.copy(&format!("{from}/beta"), &format!("{to}.bias"))
    }

    /// Splits a fused projection (`parts` of `[d, d]` stacked) into the named candle linears;
    /// `None` bias names drop that part's bias (the key's).
    fn split(&mut self, from: &str, d: usize, targets: &[(&str, bool)]) -> Result<(), String> {
        let weight = self.tensor(&format!("{from}/weight"))?;
        let bias = self.tensor(&format!("{from}/bias"))?;
        let parts = targets.len();
        if weight.dims() != [parts * d, d] || bias.dims() != [parts * d] {
            return Err(format!(
                "{from} has shape {:?} and bias {:?}, expected [{}, {d}]",
                weight.dims(),
                bias.dims(),
                parts * d
            ));
        }
        for (k, (to, with_bias)) in targets.iter().enumerate() {
            let part = weight.narrow(0, k * d, d).map_err(|e| e.to_string())?;
            self.tensors.insert(format!("{to}.weight"), part);
            if *with_bias {
                let part = bias.narrow(0, k * d, d).map_err(|e| e.to_string())?;
                self.tensors.insert(format!("{to}.bias"), part);
            }
        }
        Ok(())
    }

    fn self_attention(&mut self, from: &str, to: &str, d: usize) -> Result<(), String> {
        let (q, k, v) = (
            format!("{to}.self_attn.q_proj"),
            format!("{to}.self_attn.k_proj"),
            format!("{to}.self_attn.v_proj"),
        );
        self.split(&format!("{from}/self_attention/linear_0"), d, &[(&q, true), (&k, false), (&v, true)])?;
        self.linear(&format!("{from}/self_attention/linear_1"), &format!("{to}.self_attn.out_proj"))?;
        self.layer_norm(&format!("{from}/self_attention/layer_norm"), &format!("{to}.self_attn_layer_norm"))
    }

    fn cross_attention(&mut self, from: &str, to: &str, d: usize) -> Result<(), String> {
        self.linear(&format!("{from}/attention/linear_0"), &format!("{to}.encoder_attn.q_proj"))?;
        let (k, v) = (format!("{to}.encoder_attn.k_proj"), format!("{to}.encoder_attn.v_proj"));
        self.split(&format!("{from}/attention/linear_1"), d, &[(&k, false), (&v, true)])?;
        self.linear(&format!("{from}/attention/linear_2"), &format!("{to}.encoder_attn.out_proj"))?;
        self.layer_norm(&format!("{from}/attention/layer_norm"), &format!("{to}.encoder_attn_layer_norm"))
    }

    fn ffn(&mut self, from: &str, to: &str) -> Result<(), String> {
        self.linear(&format!("{from}/ffn/linear_0"), &format!("{to}.fc1"))?;
        self.linear(&format!("{from}/ffn/linear_1"), &format!("{to}.fc2"))?;
        self.layer_norm(&format!("{from}/ffn/layer_norm"), &format!("{to}.final_layer_norm"))
    }
}
