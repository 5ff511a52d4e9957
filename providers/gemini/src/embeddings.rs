//! Embeddings with `embedContent` (one text) and `batchEmbedContents` (several, at most 100
//! per request), checked and scaled to unit length.

use viva_domain::ai::AiError;

use crate::http::Api;
use crate::wire::{
    BatchEmbedContentsRequest, BatchEmbedContentsResponse, Content, EmbedContentRequest, EmbedContentResponse,
};

/// The most texts `batchEmbedContents` accepts in one request.
pub(crate) const MAX_BATCH: usize = 100;

pub(crate) async fn embed(
    api: &Api,
    model: &str,
    dimensions: usize,
    texts: &[String],
) -> Result<Vec<Vec<f32>>, AiError> {
    if let Some(index) = texts.iter().position(|text| text.trim().is_empty()) {
        return Err(AiError::InvalidInput(format!(
            "text {index} is empty, and Gemini cannot embed an empty text"
        )));
    }
    let model_path = format!("models/{model}");

    let raw = match texts {
        [] => return Ok(Vec::new()),
        [text] => {
            let response: EmbedContentResponse =
                api.call(model, "embedContent", &embed_request(&model_path, text, dimensions)).await?;
            vec![response.embedding.values]
        }
        _ => {
            let mut all = Vec::with_capacity(texts.len());
            for chunk in texts.chunks(MAX_BATCH) {
                let body = BatchEmbedContentsRequest {
                    requests: chunk.iter().map(|text| embed_request(&model_path, text, dimensions)).collect(),
                };
                let response: BatchEmbedContentsResponse =
                    api.call(model, "batchEmbedContents", &body).await?;
                if response.embeddings.len() != chunk.len() {
                    return Err(AiError::InvalidOutput(format!(
                        "Gemini returned {} embeddings for {} texts",
                        response.embeddings.len(),
                        chunk.len()
                    )));
                }
                all.extend(response.embeddings.into_iter().map(|embedding| embedding.values));
            }
            all
        }
    };
    raw.into_iter().map(|vector| unit_vector(vector, dimensions)).collect()
}

fn embed_request<'a>(model_path: &'a str, text: &'a str, dimensions: usize) -> EmbedContentRequest<'a> {
    EmbedContentRequest {
        model: model_path,
        content: Content::text(None, text),
        output_dimensionality: dimensions,
    }
}

/// The vector scaled to unit length, if it has the promised length and a direction. Gemini
/// normalises only full-size (3072) embeddings; shortened ones must be normalised here.
fn unit_vector(mut vector: Vec<f32>, dimensions: usize) -> Result<Vec<f32>, AiError> {
    if vector.len() != dimensions {
        return Err(AiError::InvalidOutput(format!(
            "Gemini returned a {}-dimensional embedding where {dimensions} were asked for",
            vector.len()
        )));
    }
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if !norm.is_finite() || norm == 0.0 {
        return Err(AiError::InvalidOutput("Gemini returned an embedding with no direction".to_owned()));
    }
    vector.iter_mut().for_each(|x| *x /= norm);
    Ok(vector)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_normalised_and_checked() {
        let unit = unit_vector(vec![3.0, 4.0], 2).unwrap();
        assert!((unit[0] - 0.6).abs() < 1e-6 && (unit[1] - 0.8).abs() < 1e-6);
        assert!(matches!(unit_vector(vec![1.0], 2), Err(AiError::InvalidOutput(_))));
        assert!(matches!(unit_vector(vec![0.0, 0.0], 2), Err(AiError::InvalidOutput(_))));
        assert!(matches!(unit_vector(vec![f32::NAN, 1.0], 2), Err(AiError::InvalidOutput(_))));
    }
}
