//! Question reuse and answer-leak detection (SPEC REPORT-3).
//!
//! - [`usage`]: how often each bank question has been asked, to how many distinct candidates,
//!   and when last, most exposed first, with a suggestion to retire a question once
//!   `retire_after_candidates` candidates have seen it (its good answers may be circulating).
//! - [`check`]: the `check_answer_similarity` job's work. Every stored answer of at least
//!   [`fingerprint::MIN_WORDS`] words is fingerprinted (word 3-shingles, a MinHash signature
//!   of 96 values, 32 LSH bands of 3), and the answers to the same question by *other*
//!   candidates that share an LSH bucket with it are found through the bucket index and
//!   verified exactly: the shingle sets' Jaccard similarity and containment, and the cosine
//!   similarity of the two answers' embeddings. A verified pair becomes a flag for staff.
//! - [`flags`]: the flags for HR users and admins, and their review.
//!
//! # When a pair is a near-copy
//!
//! Answers by different candidates to one question share vocabulary and stock phrases ("a hash
//! map stores key-value pairs", "in my last role"), so some overlap is normal. In the test
//! corpus (1,000 answers drawn from shared phrasings) 8.6% of honest pairs have a Jaccard
//! similarity above 0.1 and the closest pair 0.31, with at most 0.62 of one answer's shingles
//! in another. A lightly edited copy keeps most of its shingles: each changed word breaks at
//! most three, so a copy with a few words changed, a sentence moved and a word inserted stays
//! near 0.8 (the planted one: 0.82).
//!
//! - **With an embedder**: the pair is flagged when the Jaccard similarity is at least
//!   [`MIN_JACCARD`] (or the containment at least [`MIN_CONTAINMENT`], for an answer pasted
//!   inside a longer one) **and** the embeddings' cosine is at least [`MIN_COSINE`]. The text
//!   bars sit above the overlap honest answers reach; the cosine confirms that the two say the
//!   same thing rather than share boilerplate (a quoted question, a pasted snippet). Cosine
//!   alone would not do: MiniLM puts honest answers to one question at 0.53–0.94 (median 0.81)
//!   and the planted copy at 0.99.
//! - **Without one** (no embedding provider, or it failed on the job's last attempt): text
//!   overlap alone decides, so the bars are higher, [`TEXT_ONLY_MIN_JACCARD`] (or containment
//!   [`TEXT_ONLY_MIN_CONTAINMENT`]); the flag records that no cosine was computed.
//!
//! LSH makes a pair candidates with probability `1 − (1 − s³)³²` for Jaccard similarity `s`:
//! 0.98 at 0.5, 0.88 at 0.4, 0.03 at 0.1. A new answer is therefore compared with a few dozen
//! others (about 6 of 1,000 in the test corpus), not with every answer to its question, and at
//! most [`MAX_BUCKET_MATES`], those sharing the most buckets first. Copies just over the
//! Jaccard bar can be missed (12% at 0.4); lightly edited ones, at 0.5 and above, are found.

pub mod check;
pub mod fingerprint;
pub mod flags;
pub mod usage;

use fingerprint::Overlap;

/// Default of `retire_after_candidates`.
pub const DEFAULT_RETIRE_AFTER_CANDIDATES: i64 = 50;

/// Least Jaccard similarity of a flagged pair when embeddings confirm it.
pub const MIN_JACCARD: f32 = 0.40;
/// Least containment (shared shingles over the shorter answer's) of a flagged pair when
/// embeddings confirm it.
pub const MIN_CONTAINMENT: f32 = 0.80;
/// Least cosine similarity of the two answers' embeddings for a flag.
pub const MIN_COSINE: f32 = 0.90;
/// Least Jaccard similarity of a pair flagged on text alone.
pub const TEXT_ONLY_MIN_JACCARD: f32 = 0.55;
/// Least containment of a pair flagged on text alone.
pub const TEXT_ONLY_MIN_CONTAINMENT: f32 = 0.90;
/// Most answers verified against one new answer.
pub const MAX_BUCKET_MATES: i64 = 200;

/// Whether the text overlap is worth an embedding: enough for a flag if the cosine agrees.
pub fn text_suspicious(overlap: Overlap) -> bool {
    overlap.jaccard >= MIN_JACCARD || overlap.containment >= MIN_CONTAINMENT
}

/// Whether two answers are near-copies: their text overlap and, when an embedder gave one, the
/// cosine similarity of their embeddings (see the module's documentation for the thresholds).
pub fn is_near_copy(overlap: Overlap, cosine: Option<f32>) -> bool {
    match cosine {
        Some(cosine) => text_suspicious(overlap) && cosine >= MIN_COSINE,
        None => overlap.jaccard >= TEXT_ONLY_MIN_JACCARD || overlap.containment >= TEXT_ONLY_MIN_CONTAINMENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(jaccard: f32, containment: f32) -> Overlap {
        Overlap { jaccard, containment }
    }

    #[test]
    fn embeddings_lower_the_text_bar_but_must_agree() {
        assert!(is_near_copy(o(0.45, 0.6), Some(0.95)));
        assert!(!is_near_copy(o(0.45, 0.6), Some(0.80)), "different meaning, shared boilerplate");
        assert!(!is_near_copy(o(0.45, 0.6), None), "text alone needs more");
        assert!(is_near_copy(o(0.60, 0.75), None));
        assert!(is_near_copy(o(0.30, 0.92), None), "pasted inside a longer answer");
        assert!(is_near_copy(o(0.30, 0.85), Some(0.93)));
        assert!(!is_near_copy(o(0.30, 0.75), Some(0.93)));
        assert!(!is_near_copy(o(0.2, 0.35), Some(0.99)), "same meaning in other words is no copy");
    }
}
