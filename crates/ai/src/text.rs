//! Plain-text analysis the evaluator's rules are built on: words, sentences, light stemming,
//! filler words and the phrases that mark a story's parts.

/// A word of the text, lower-cased, with its byte span in the original.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Word {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The words of a text: runs of letters, digits and inner apostrophes or hyphens.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let inner_joiner = (c == '\'' || c == '’' || c == '-' || c == '.' || c == '%')
            && start.is_some()
            && chars.get(i + 1).is_some_and(|(_, n)| n.is_alphanumeric())
            && (c != '.' || chars.get(i.wrapping_sub(1)).is_some_and(|(_, p)| p.is_ascii_digit()));
        if c.is_alphanumeric() || inner_joiner {
            start.get_or_insert(at);
        } else if let Some(s) = start.take() {
            out.push(Word { text: text[s..at].to_lowercase().replace('’', "'"), start: s, end: at });
        }
        if c == '%' && start.is_none() && out.last().is_some_and(|w: &Word| w.end == at) {
            // "40%" keeps its sign: a number with a unit is a specific.
            if let Some(last) = out.last_mut() {
                last.end = at + 1;
                last.text.push('%');
            }
        }
    }
    if let Some(s) = start {
        out.push(Word { text: text[s..].to_lowercase().replace('’', "'"), start: s, end: text.len() });
    }
    out
}

/// The sentences of a text, trimmed, with their byte spans.
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).map(|(_, n)| *n);
        let ends = matches!(c, '.' | '!' | '?' | '\n')
            && next.is_none_or(|n| n.is_whitespace() || n == '"' || n == '\'')
            // "e.g." and "3.5" are not sentence ends.
            && !(c == '.' && text[start..at].ends_with(|p: char| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit()));
        if ends {
            push_trimmed(text, start, at + c.len_utf8(), &mut out);
            start = at + c.len_utf8();
        }
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if piece.trim().chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
        out.push((start + lead, end - trail));
    }
}

/// A crude English stem: enough to match "monitor", "monitoring" and "monitored".
pub(crate) fn stem(word: &str) -> String {
    let w = word.trim_matches('\'');
    for suffix in [
        "ations", "ation", "ings", "ing", "ness", "ments", "ment", "ies", "ied", "ers", "ed", "es", "er",
        "ly", "s",
    ] {
        if let Some(stripped) = w.strip_suffix(suffix)
            && stripped.chars().count() >= 3
        {
            return stripped.to_owned();
        }
    }
    w.to_owned()
}

/// Words that carry no topic.
pub(crate) fn is_stopword(word: &str) -> bool {
    const STOP: &[&str] = &[
        "a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to", "in", "on", "at", "for",
        "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that",
        "these", "those", "i", "we", "you", "they", "he", "she", "my", "our", "your", "their", "me", "us",
        "them", "do", "did", "does", "have", "has", "had", "not", "no", "what", "how", "when", "where",
        "which", "who", "would", "will", "can", "could", "should", "about", "into", "than", "there", "here",
        "just", "also", "very", "all", "any", "some",
    ];
    STOP.contains(&word)
}

/// Filler words and phrases, as spoken.
pub(crate) const FILLERS: &[&str] = &[
    "um",
    "uh",
    "er",
    "erm",
    "ah",
    "hmm",
    "you know",
    "basically",
    "sort of",
    "kind of",
    "literally",
    "i mean",
    "like,",
    "stuff like that",
    "and stuff",
    "or whatever",
    "whatever",
    "so yeah",
    "i guess",
    "honestly",
];

/// Counts each filler in `lower` (the lower-cased text), on word boundaries.
pub(crate) fn filler_counts(lower: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for filler in FILLERS {
        let n = count_phrase(lower, filler);
        if n > 0 {
            out.push(((*filler).trim_end_matches(',').to_owned(), n));
        }
    }
    // "like" as a filler: "was like", "it's like", "like, " counted above; "like um".
    let extra = count_phrase(lower, "was like") + count_phrase(lower, "it's like");
    if extra > 0 {
        match out.iter_mut().find(|(w, _)| w == "like") {
            Some((_, n)) => *n += extra,
            None => out.push(("like".to_owned(), extra)),
        }
    }
    out
}

/// Occurrences of `phrase` in `text` that start and end on word boundaries.
pub(crate) fn count_phrase(text: &str, phrase: &str) -> u32 {
    find_phrase_all(text, phrase).len() as u32
}

/// Byte offsets of each occurrence of `phrase` on word boundaries.
pub(crate) fn find_phrase_all(text: &str, phrase: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(phrase) {
        let at = from + i;
        let end = at + phrase.len();
        let before = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = phrase.ends_with(|c: char| !c.is_alphanumeric())
            || text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            found.push(at);
        }
        from = at + phrase.len().max(1);
    }
    found
}

/// A short quotable excerpt of `text` around the byte span, cut at word boundaries: at most
/// `max_words` words, taken from the sentence that holds the span.
pub(crate) fn excerpt(text: &str, start: usize, end: usize, max_words: usize) -> String {
    let sentence =
        sentences(text).into_iter().find(|(s, e)| *s <= start && end <= *e).unwrap_or((start, end));
    let piece = &text[sentence.0..sentence.1];
    let ws = words(piece);
    if ws.len() <= max_words {
        return clean_quote(piece);
    }
    let rel = start.saturating_sub(sentence.0);
    let centre = ws.iter().position(|w| w.end > rel).unwrap_or(0);
    let first = centre.saturating_sub(max_words / 3).min(ws.len() - max_words);
    let last = first + max_words - 1;
    clean_quote(&piece[ws[first].start..ws[last].end])
}

/// Trims a quotation and flattens its whitespace.
pub(crate) fn clean_quote(piece: &str) -> String {
    let flat: Vec<&str> = piece.split_whitespace().collect();
    flat.join(" ").trim_end_matches(['.', ',', ';', ':', '!', '?']).replace('"', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_numbers_contractions_and_percentages() {
        let w: Vec<String> = words("I'd cut p99 latency by 40% (from 3.5s), we’re done.")
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(w, ["i'd", "cut", "p99", "latency", "by", "40%", "from", "3.5s", "we're", "done"]);
    }

    #[test]
    fn sentences_split_on_ends_but_not_decimals() {
        let text = "We shipped v2.5 on time. Errors fell 3.5 percent! Then what?";
        let s: Vec<&str> = sentences(text).into_iter().map(|(a, b)| &text[a..b]).collect();
        assert_eq!(s, ["We shipped v2.5 on time.", "Errors fell 3.5 percent!", "Then what?"]);
    }

    #[test]
    fn stems_match_inflections() {
        assert_eq!(stem("monitoring"), stem("monitored"));
        assert_eq!(stem("tests"), stem("test"));
        assert_eq!(stem("is"), "is");
    }

    #[test]
    fn fillers_are_counted_on_word_boundaries() {
        let counts = filler_counts("um so i was like, basically done, you know. umbrella. basically.");
        assert!(counts.contains(&("um".to_owned(), 1)), "{counts:?}");
        assert!(counts.contains(&("basically".to_owned(), 2)));
        assert!(counts.contains(&("you know".to_owned(), 1)));
        assert!(counts.iter().any(|(w, n)| w == "like" && *n >= 1));
    }

    #[test]
    fn excerpts_are_short_and_from_the_text() {
        let text = "First sentence here. The latency dropped from 900 milliseconds to 120 milliseconds after we added an index on the orders table, which everyone noticed.";
        let at = text.find("900").unwrap();
        let quote = excerpt(text, at, at + 3, 8);
        assert!(quote.contains("900"));
        assert!(text.contains(&quote), "{quote}");
        assert!(quote.split_whitespace().count() <= 8);
    }
}
