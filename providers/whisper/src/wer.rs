//! Word error rate, for the tests and the benchmark against faster-whisper.

/// Lower-case words of `text`: letters, digits and apostrophes; everything else separates.
pub fn normalized_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Substitutions, deletions and insertions turning `reference`'s words into `hypothesis`'s
/// (after [`normalized_words`]), per reference word: 0 for a perfect transcript. An empty
/// reference gives 0 for an empty hypothesis and 1 otherwise.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
    let (r, h) = (normalized_words(reference), normalized_words(hypothesis));
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    word_errors(&r, &h) as f64 / r.len() as f64
}

/// The edit distance between two word sequences.
pub fn word_errors(reference: &[String], hypothesis: &[String]) -> usize {
    let mut previous: Vec<usize> = (0..=hypothesis.len()).collect();
    for (i, r) in reference.iter().enumerate() {
        let mut current = vec![i + 1; hypothesis.len() + 1];
        for (j, h) in hypothesis.iter().enumerate() {
            let substitution = previous[j] + usize::from(r != h);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[hypothesis.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_edits_per_reference_word() {
        assert_eq!(word_error_rate("Hello, world!", "hello world"), 0.0);
        assert_eq!(word_error_rate("a b c d", "a x c"), 0.5);
        assert_eq!(word_error_rate("a b", "a b c d"), 1.0);
        assert_eq!(word_error_rate("", ""), 0.0);
        assert_eq!(word_error_rate("", "words"), 1.0);
        assert_eq!(normalized_words("It's 'quoted' — done."), vec!["it's", "quoted", "done"]);
    }
}
