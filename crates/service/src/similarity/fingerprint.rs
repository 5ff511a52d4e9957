//! Text fingerprints for finding near-copies: normalised words, word 3-shingles, a MinHash
//! signature and its LSH bands, and the exact overlap of two shingle sets. Pure functions; the
//! hashes are Viva's own (FNV-1a and the SplitMix64 finaliser), so stored fingerprints stay
//! comparable across Rust versions and builds.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Words per shingle. Three words keep stock phrases ("a hash map", "in my last role") short
/// enough that sharing a few of them adds little overlap, while a copied sentence shares most
/// of its shingles.
pub const SHINGLE_WORDS: usize = 3;
/// LSH bands.
pub const BANDS: usize = 32;
/// MinHash values per band.
pub const ROWS_PER_BAND: usize = 3;
/// MinHash values per signature.
pub const SIGNATURE_LEN: usize = BANDS * ROWS_PER_BAND;
/// Answers with fewer words than this are not compared: short answers to one question say the
/// same few things in the same few words ("A hash map stores key-value pairs."), so their
/// overlap says nothing about copying.
pub const MIN_WORDS: usize = 25;

/// The words of a text, lowercased, with punctuation dropped: apostrophes join
/// (`don't` → `dont`), anything else that is not a letter or digit separates words
/// (`key-value` → `key`, `value`).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            current.extend(ch.to_lowercase());
        } else if matches!(ch, '\'' | '\u{2019}') {
            // Within a word: "don't", "candidate's".
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The hashes of a text's distinct word 3-shingles, sorted (empty under three words).
pub fn shingles(words: &[String]) -> Vec<u64> {
    let set: HashSet<u64> = words
        .windows(SHINGLE_WORDS)
        .map(|window| {
            let mut hash = FNV_OFFSET;
            for (i, word) in window.iter().enumerate() {
                if i > 0 {
                    hash = fnv(hash, b" ");
                }
                hash = fnv(hash, word.as_bytes());
            }
            mix(hash)
        })
        .collect();
    let mut sorted: Vec<u64> = set.into_iter().collect();
    sorted.sort_unstable();
    sorted
}

/// The MinHash signature of a shingle set: for each of [`SIGNATURE_LEN`] hash functions, the
/// least hash of any shingle. Two sets agree on one value with probability equal to their
/// Jaccard similarity.
pub fn signature(shingles: &[u64]) -> Vec<u64> {
    (0..SIGNATURE_LEN)
        .map(|i| {
            let seed = mix(0x9e37_79b9_7f4a_7c15_u64.wrapping_mul(i as u64 + 1));
            shingles.iter().map(|&s| mix(s ^ seed)).min().unwrap_or(u64::MAX)
        })
        .collect()
}

/// The LSH bucket of each band of a signature: a hash of the question key, the band's number
/// and its [`ROWS_PER_BAND`] values, so one 64-bit key stands for (question, band, bucket). Two
/// answers to the same question share a bucket when they agree on a whole band, which for
/// Jaccard similarity `s` happens in at least one of the [`BANDS`] bands with probability
/// `1 − (1 − s³)³²`: 0.98 at s = 0.5, 0.88 at 0.4, 0.58 at 0.3, 0.03 at 0.1.
pub fn bands(question_key: Uuid, signature: &[u64]) -> Vec<i64> {
    signature
        .chunks(ROWS_PER_BAND)
        .enumerate()
        .map(|(band, rows)| {
            let mut hash = fnv(FNV_OFFSET, question_key.as_bytes());
            hash = fnv(hash, &(band as u64).to_le_bytes());
            for value in rows {
                hash = fnv(hash, &value.to_le_bytes());
            }
            // The stored form is PostgreSQL's bigint: the same 64 bits, read as signed.
            i64::from_le_bytes(mix(hash).to_le_bytes())
        })
        .collect()
}

/// The key answers are grouped by: the bank question's id, or (for a question written for
/// one interview, or a follow-up) a hash of its normalised text, so the same words asked twice
/// are one question.
pub fn question_key(bank_question: Option<Uuid>, text: &str) -> Uuid {
    if let Some(id) = bank_question {
        return id;
    }
    let digest = Sha256::digest(format!("viva-question-text\0{}", words(text).join(" ")));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// How much two shingle sets overlap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overlap {
    /// Shared shingles over all distinct shingles of both.
    pub jaccard: f32,
    /// Shared shingles over the smaller set's size: high when one answer is pasted inside a
    /// longer one.
    pub containment: f32,
}

/// The exact overlap of two sorted shingle sets.
pub fn overlap(a: &[u64], b: &[u64]) -> Overlap {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    let smaller = a.len().min(b.len());
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { (n as f64 / d as f64) as f32 };
    Overlap { jaccard: ratio(shared, union), containment: ratio(shared, smaller) }
}

/// The sentences of a text (split after `.`, `!` or `?` followed by white space, and at line
/// breaks), trimmed, at most `max`; the text itself when it has no sentence break.
pub fn sentences(text: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|(_, c)| c.is_whitespace());
        if ch == '\n' || (matches!(ch, '.' | '!' | '?') && next_is_space) {
            let end = i + ch.len_utf8();
            let piece = text[start..end].trim();
            if piece.chars().any(char::is_alphanumeric) {
                out.push(piece);
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if rest.chars().any(char::is_alphanumeric) {
        out.push(rest);
    }
    out.truncate(max);
    out
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// SplitMix64's finaliser: spreads every input bit over the output.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = "A hash map stores key-value pairs. The hash function turns each key into an index \
        in an array of buckets, so a lookup is O(1) on average. When two keys land in the same bucket \
        we have a collision, which chaining handles with a short list per bucket. In my last role I \
        used one to cache user sessions by token, and it cut our p99 latency from 80 ms to 12 ms.";

    #[test]
    fn words_are_lowercased_without_punctuation() {
        assert_eq!(
            words("Don't panic: it's O(1), key-value!"),
            ["dont", "panic", "its", "o", "1", "key", "value"]
        );
        assert!(words(" ... ").is_empty());
    }

    #[test]
    fn identical_texts_overlap_fully_and_formatting_does_not_matter() {
        let a = shingles(&words(ANSWER));
        let b = shingles(&words(&ANSWER.to_uppercase().replace(". ", ".\n")));
        assert_eq!(overlap(&a, &b), Overlap { jaccard: 1.0, containment: 1.0 });
        assert_eq!(signature(&a), signature(&b));
        let key = Uuid::now_v7();
        assert_eq!(bands(key, &signature(&a)), bands(key, &signature(&b)));
        assert_ne!(
            bands(key, &signature(&a)),
            bands(Uuid::now_v7(), &signature(&a)),
            "bands are per question"
        );
    }

    #[test]
    fn a_light_edit_keeps_most_shingles_and_minhash_estimates_jaccard() {
        let edited = ANSWER
            .replace("cache user sessions", "cache login sessions")
            .replace("a short list", "a small linked list")
            .replace("In my last role", "At my previous job");
        let a = shingles(&words(ANSWER));
        let b = shingles(&words(&edited));
        let exact = overlap(&a, &b).jaccard;
        assert!((0.5..0.9).contains(&exact), "{exact}");
        let (sa, sb) = (signature(&a), signature(&b));
        let agree = sa.iter().zip(&sb).filter(|(x, y)| x == y).count() as f32 / SIGNATURE_LEN as f32;
        assert!((agree - exact).abs() < 0.12, "estimate {agree} vs exact {exact}");
        let key = Uuid::now_v7();
        let (ba, bb) = (bands(key, &sa), bands(key, &sb));
        assert!(ba.iter().zip(&bb).any(|(x, y)| x == y), "a near-copy shares a bucket");
    }

    #[test]
    fn containment_sees_an_answer_pasted_inside_a_longer_one() {
        let longer = format!(
            "{ANSWER} Besides that, I would mention that Python dictionaries and Java's HashMap are both \
             built this way, and that a good hash function matters more than people think."
        );
        let o = overlap(&shingles(&words(ANSWER)), &shingles(&words(&longer)));
        assert!(o.containment > 0.95 && o.jaccard < o.containment, "{o:?}");
    }

    #[test]
    fn question_keys_are_the_bank_id_or_the_normalised_text() {
        let id = Uuid::now_v7();
        assert_eq!(question_key(Some(id), "anything"), id);
        assert_eq!(question_key(None, "What is a hash map?"), question_key(None, "what is a  HASH map"));
        assert_ne!(question_key(None, "What is a hash map?"), question_key(None, "What is a heap?"));
    }

    #[test]
    fn sentences_split_on_ends_and_line_breaks() {
        assert_eq!(sentences("One. Two! Three?\nFour", 10), ["One.", "Two!", "Three?", "Four"]);
        assert_eq!(sentences("v1.2 is out. Yes", 10), ["v1.2 is out.", "Yes"]);
        assert_eq!(sentences("a. b. c.", 2).len(), 2);
        assert!(sentences("  ...  ", 3).is_empty());
    }
}
