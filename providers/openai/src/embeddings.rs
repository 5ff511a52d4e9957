//! Embeddings: `POST {base_url}/embeddings`.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use viva_domain::ai::AiError;

use crate::OpenAi;
use crate::errors;

/// How many texts one request embeds at most (OpenAI accepts up to 2048; smaller batches keep
/// each request well inside the timeout on local servers).
pub const EMBEDDING_BATCH: usize = 256;

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    input: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<usize>,
}

#[derive(Deserialize)]
struct WireResponse {
    data: Vec<WireEmbedding>,
}

#[derive(Deserialize)]
struct WireEmbedding {
    #[serde(default)]
    index: Option<usize>,
    embedding: Vec<f32>,
}

impl OpenAi {
    /// One unit vector per text, in order, in batches of [`EMBEDDING_BATCH`].
    pub(crate) async fn embed_all(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AiError> {
        let Some(model) = &self.embedding_model else {
            return Err(AiError::Unavailable(
                "no embedding model is configured for the OpenAI-compatible provider".to_owned(),
            ));
        };
        if texts.iter().any(|t| t.trim().is_empty()) {
            return Err(AiError::InvalidInput("cannot embed an empty text".to_owned()));
        }
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(EMBEDDING_BATCH) {
            vectors.extend(self.embed_batch(model, batch).await?);
        }
        Ok(vectors)
    }

    async fn embed_batch(&self, model: &str, texts: &[String]) -> Result<Vec<Vec<f32>>, AiError> {
        let body = WireRequest { model, input: texts, dimensions: self.embedding_dimensions };
        let reply = self.exchange(self.client.post(self.endpoint("embeddings")).json(&body)).await?;
        let body = self.success(reply)?;
        let wire: WireResponse =
            serde_json::from_slice(&body).map_err(|e| errors::unparsable("the embeddings reply", &e))?;
        let vectors = in_input_order(wire.data, texts.len())?;
        vectors.into_iter().map(|v| self.checked_unit(v)).collect()
    }

    /// `vector` at unit length, if its length is the one expected (configured, or learned from
    /// the first reply).
    fn checked_unit(&self, mut vector: Vec<f32>) -> Result<Vec<f32>, AiError> {
        let len = vector.len();
        if len == 0 {
            return Err(AiError::InvalidOutput("the server returned an empty embedding".to_owned()));
        }
        let expected = match self.embedding_dimensions {
            Some(configured) => configured,
            None => {
                match self.learned_dimensions.compare_exchange(0, len, Ordering::Relaxed, Ordering::Relaxed) {
                    Ok(_) => len,
                    Err(learned) => learned,
                }
            }
        };
        if len != expected {
            return Err(AiError::InvalidOutput(format!(
                "the server returned an embedding of {len} dimensions where {expected} were expected"
            )));
        }
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        if !norm.is_finite() || norm <= f32::EPSILON {
            return Err(AiError::InvalidOutput(
                "the server returned a zero or non-finite embedding".to_owned(),
            ));
        }
        vector.iter_mut().for_each(|x| *x /= norm);
        Ok(vector)
    }
}

/// The vectors ordered by their `index` (or as sent, when the server gives none), exactly one
/// per input.
fn in_input_order(data: Vec<WireEmbedding>, expected: usize) -> Result<Vec<Vec<f32>>, AiError> {
    if data.len() != expected {
        return Err(AiError::InvalidOutput(format!(
            "the server returned {} embeddings for {expected} texts",
            data.len()
        )));
    }
    if data.iter().all(|d| d.index.is_none()) {
        return Ok(data.into_iter().map(|d| d.embedding).collect());
    }
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; expected];
    for item in data {
        let slot = item.index.and_then(|i| slots.get_mut(i)).filter(|s| s.is_none()).ok_or_else(|| {
            AiError::InvalidOutput(
                "the server returned embeddings with missing, repeated or out-of-range indexes".to_owned(),
            )
        })?;
        *slot = Some(item.embedding);
    }
    // Every slot is filled: as many items as slots, each in a distinct one.
    Ok(slots.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(index: Option<usize>, x: f32) -> WireEmbedding {
        WireEmbedding { index, embedding: vec![x] }
    }

    #[test]
    fn vectors_are_put_in_input_order() {
        let ordered = in_input_order(vec![item(Some(1), 1.0), item(Some(0), 0.0)], 2).unwrap();
        assert_eq!(ordered, vec![vec![0.0], vec![1.0]]);
        let unindexed = in_input_order(vec![item(None, 5.0), item(None, 6.0)], 2).unwrap();
        assert_eq!(unindexed, vec![vec![5.0], vec![6.0]]);
    }

    #[test]
    fn wrong_counts_and_indexes_are_invalid_output() {
        assert!(in_input_order(vec![item(Some(0), 0.0)], 2).is_err());
        assert!(in_input_order(vec![item(Some(0), 0.0), item(Some(0), 1.0)], 2).is_err());
        assert!(in_input_order(vec![item(Some(0), 0.0), item(Some(2), 1.0)], 2).is_err());
        assert!(in_input_order(vec![item(Some(0), 0.0), item(None, 1.0)], 2).is_err());
    }
}
