//! The overall score as a calibrated estimate of a trained grader's mark.
//!
//! With an ideal answer, the estimate is a linear model over four measurements of how much of
//! the ideal answer the answer carries — cosine of their embeddings, share of the ideal's
//! content words the answer uses (words the question already says do not count, since
//! repeating the question earns nothing), share of the answer's own new content words that
//! the ideal answer uses, and length against the ideal's — fitted to the mean grade of two
//! human graders on real short answers (`benches/asag.rs` fits it and prints these
//! coefficients; they change only with [`super::RUBRIC_VERSION`]). The fit takes the
//! least-squares direction and then the spread, from a fixed grid, whose final scores
//! correlate best with the grades: least squares alone pulls every estimate towards the mean
//! grade, where the rules' adjustments and the scale's ends then weigh more than they should. Without an
//! ideal answer there is nothing to fit against, so the estimate rests on relevance to the
//! question, specificity and structure with fixed weights. Either way, the interview rules
//! (platitudes, red flags, blame, buzzwords, filler, hypotheticals) then adjust it.

use crate::text;

/// A linear model from [`Signals::predictors`] to a grade on a 0–5 scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibration {
    /// The grade when every predictor is zero.
    pub intercept: f32,
    /// One weight per predictor, in the order of [`Signals::predictors`].
    pub weights: [f32; PREDICTORS],
}

/// How many predictors the calibrated model reads.
pub const PREDICTORS: usize = 4;

/// The names of the predictors, in order (for reports).
pub const PREDICTOR_NAMES: [&str; PREDICTORS] =
    ["ideal cosine", "ideal recall", "answer precision", "length ratio"];

/// The coefficients of `offline-rubric-3`, fitted on the development split of the Texas
/// short-answer set (1,074 answers to 37 questions) by `benches/asag.rs`: the least-squares
/// direction, with the spread that ranks the final (adjusted, clamped) scores best.
pub const CALIBRATION: Calibration = Calibration { intercept: 0.681, weights: [4.292, 1.932, 1.599, 0.75] };

impl Calibration {
    /// The estimated grade, 0–5, before the interview rules.
    pub fn grade(&self, predictors: &[f32; PREDICTORS]) -> f32 {
        let linear: f32 = self.weights.iter().zip(predictors).map(|(w, x)| w * x).sum();
        (self.intercept + linear).clamp(0.0, 5.0)
    }
}

/// What the overall score is computed from, exposed so a benchmark can refit the calibration
/// on one set of questions and test it on another.
#[derive(Clone, Debug, PartialEq)]
pub struct Signals {
    /// Whether the question carries an ideal answer (otherwise the open-question estimate is used).
    pub has_ideal: bool,
    /// Cosine of the answer and the ideal answer (word overlap when no embedder answered).
    pub ideal_similarity: f32,
    /// Share of the ideal answer's content words, beyond the question's own, that the answer uses.
    pub ideal_recall: f32,
    /// Share of the answer's content words, beyond the question's own, that the ideal answer uses.
    pub answer_precision: f32,
    /// Natural log of the answer's content-word count over the ideal answer's, clipped to
    /// −2.5…0.5 so that length alone earns little.
    pub length_ratio: f32,
    /// Without an ideal answer: the estimate from relevance, specificity and structure, 0–1.
    pub open_estimate: f32,
    /// The interview rules' adjustment, on the 0–1 scale (negative for penalties).
    pub adjustment: f32,
    /// An upper bound on the overall score, 0–1 (an off-topic answer is capped).
    pub ceiling: f32,
}

impl Signals {
    /// The calibrated model's inputs, in the order of [`PREDICTOR_NAMES`].
    pub fn predictors(&self) -> [f32; PREDICTORS] {
        [self.ideal_similarity, self.ideal_recall, self.answer_precision, self.length_ratio]
    }

    /// The overall score, 0–100, under `calibration`.
    pub fn overall(&self, calibration: &Calibration) -> f32 {
        let base =
            if self.has_ideal { calibration.grade(&self.predictors()) / 5.0 } else { self.open_estimate };
        100.0 * (base + self.adjustment).clamp(0.0, self.ceiling)
    }
}

/// The word-level measurements against the ideal answer.
pub(super) struct Overlap {
    pub(super) recall: f32,
    pub(super) precision: f32,
    pub(super) length_ratio: f32,
}

/// Content-word stems of a text.
fn content_stems(t: &str) -> Vec<String> {
    text::words(t).into_iter().filter(|w| !text::is_stopword(&w.text)).map(|w| text::stem(&w.text)).collect()
}

/// How many distinct content words the answer uses that the question does not.
pub(super) fn new_content_words(question: &str, answer: &str) -> usize {
    let asked: std::collections::HashSet<String> = content_stems(question).into_iter().collect();
    let new: std::collections::HashSet<String> =
        content_stems(answer).into_iter().filter(|w| !asked.contains(w)).collect();
    new.len()
}

/// Compares the answer's content words with the ideal answer's, leaving out the question's.
pub(super) fn overlap(question: &str, ideal: &str, answer: &str) -> Overlap {
    use std::collections::HashSet;
    let asked: HashSet<String> = content_stems(question).into_iter().collect();
    let ideal_words = content_stems(ideal);
    let answer_words = content_stems(answer);
    let ideal_set: HashSet<&String> = ideal_words.iter().collect();
    let answer_set: HashSet<&String> = answer_words.iter().collect();
    let ideal_new: HashSet<&String> = ideal_set.iter().copied().filter(|w| !asked.contains(*w)).collect();
    let recall = if ideal_new.is_empty() {
        0.0
    } else {
        ideal_new.iter().filter(|w| answer_set.contains(*w)).count() as f32 / ideal_new.len() as f32
    };
    let answer_new: Vec<&String> = answer_words.iter().filter(|w| !asked.contains(*w)).collect();
    let precision = if answer_new.is_empty() {
        0.0
    } else {
        answer_new.iter().filter(|w| ideal_set.contains(*w)).count() as f32 / answer_new.len() as f32
    };
    let length_ratio =
        (((answer_words.len() + 1) as f32).ln() - ((ideal_words.len() + 1) as f32).ln()).clamp(-2.5, 0.5);
    Overlap { recall, precision, length_ratio }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeating_the_question_earns_no_recall() {
        let o = overlap(
            "What is a stack?",
            "A stack keeps items in last in first out order.",
            "A stack is a stack of things.",
        );
        assert_eq!(o.recall, 0.0);
        let o = overlap(
            "What is a stack?",
            "A stack keeps items in last in first out order.",
            "Items come out last in, first out.",
        );
        assert!(o.recall > 0.5, "{}", o.recall);
    }

    #[test]
    fn the_grade_stays_on_its_scale() {
        let c = CALIBRATION;
        assert_eq!(c.grade(&[10.0, 10.0, 10.0, 10.0]), 5.0);
        assert_eq!(c.grade(&[-10.0, 0.0, 0.0, -10.0]), 0.0);
    }
}
