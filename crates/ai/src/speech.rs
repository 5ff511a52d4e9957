//! Delivery measures of a spoken answer, from its transcript's timing: how fast, how many long
//! silences, how many filler words.

use serde::{Deserialize, Serialize};
use viva_domain::ai::TranscriptSegment;

use crate::text;

/// A silence between two stretches of speech at least this long, in seconds, is a long pause.
pub const LONG_PAUSE_SECONDS: f64 = 3.0;

/// How an answer was spoken.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeechDelivery {
    /// Words spoken per minute of speech (from the first word to the last); none without speech.
    pub words_per_minute: Option<f64>,
    /// Silences of [`LONG_PAUSE_SECONDS`] or more between segments, and before the first.
    pub long_pauses: u32,
    /// The longest silence, in seconds.
    pub longest_pause_seconds: f64,
    /// Filler words ("um", "uh", "you know", …) in the transcript.
    pub filler_words: u32,
    /// The words of the transcript.
    pub words: u32,
}

/// Measures `segments` (in order) of a recording lasting `duration_seconds`.
pub fn delivery(segments: &[TranscriptSegment], duration_seconds: f64) -> SpeechDelivery {
    let spoken: Vec<&TranscriptSegment> = segments.iter().filter(|s| !s.text.trim().is_empty()).collect();
    let transcript = spoken.iter().map(|s| s.text.trim()).collect::<Vec<_>>().join(" ");
    let words = u32::try_from(text::words(&transcript).len()).unwrap_or(u32::MAX);
    let filler_words = text::filler_counts(&transcript.to_lowercase()).iter().map(|(_, n)| n).sum();
    let (mut long_pauses, mut longest) = (0, 0f64);
    let mut last_end = 0f64;
    for segment in &spoken {
        let gap = (segment.start - last_end).max(0.0);
        longest = longest.max(gap);
        if gap >= LONG_PAUSE_SECONDS {
            long_pauses += 1;
        }
        last_end = last_end.max(segment.end);
    }
    let speaking = match (spoken.first(), spoken.last()) {
        (Some(first), Some(last)) => (last.end.min(duration_seconds.max(last.end)) - first.start).max(0.0),
        _ => 0.0,
    };
    let words_per_minute = (words > 0 && speaking >= 1.0).then(|| f64::from(words) * 60.0 / speaking);
    SpeechDelivery { words_per_minute, long_pauses, longest_pause_seconds: longest, filler_words, words }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(start: f64, end: f64, text: &str) -> TranscriptSegment {
        TranscriptSegment { start, end, text: text.to_owned() }
    }

    #[test]
    fn pace_pauses_and_fillers_come_from_the_timing() {
        let segments = [
            segment(0.5, 4.5, "Um, I led the migration of our billing system."),
            segment(9.0, 12.5, "Uh, it took, you know, three months."),
            segment(13.0, 15.5, "We cut costs by a third."),
        ];
        let measured = delivery(&segments, 16.0);
        assert_eq!(measured.words, 22);
        // 22 words over the 15 s from the first word to the last.
        assert_eq!(measured.words_per_minute, Some(88.0));
        assert_eq!(measured.long_pauses, 1);
        assert!((measured.longest_pause_seconds - 4.5).abs() < 1e-9);
        assert_eq!(measured.filler_words, 3);
    }

    #[test]
    fn silence_has_no_pace() {
        let measured = delivery(&[], 30.0);
        assert_eq!(measured.words, 0);
        assert_eq!(measured.words_per_minute, None);
        assert_eq!(measured.long_pauses, 0);
    }
}
