//! What the evaluator reads off an answer's text: phrase lists (hedges, buzzwords, blame,
//! reasoning, STAR markers, plans) and the features counted with them.

use viva_domain::evaluation::Star;

use crate::text::{self, Word};

const HEDGES: &[&str] = &[
    "i would",
    "i'd",
    "i will",
    "i'll",
    "we would",
    "we'd",
    "i think",
    "probably",
    "maybe",
    "usually",
    "generally",
    "typically",
    "normally",
    "i always",
    "try to",
    "i guess",
    "hopefully",
];
const BUZZWORDS: &[&str] = &[
    "synergy",
    "synergies",
    "leverage",
    "best practices",
    "best-in-class",
    "paradigm",
    "holistic",
    "cutting-edge",
    "game changer",
    "game-changer",
    "world-class",
    "outside the box",
    "move the needle",
    "circle back",
    "low-hanging fruit",
    "value-add",
    "disruptive",
    "seamless",
    "seamlessly",
    "next-gen",
    "ai-powered",
    "data-driven",
    "cloud-native",
    "end-to-end",
    "robust",
    "scalable",
    "bleeding edge",
    "mindset",
    "ecosystem",
];
const BLAME: &[&str] = &[
    "their fault",
    "his fault",
    "her fault",
    "the fault of",
    "threw me under",
    "fault was",
    "because of them",
    "because of him",
    "because of her",
    "not my fault",
    "wasn't my fault",
    "wasn't my job",
    "not my job",
    "not my problem",
    "blame",
    "they didn't",
    "they never",
    "nobody told",
    "no one told",
    "they should have",
    "management didn't",
    "wasn't on me",
    "out of my hands",
];
/// Statements that fit any question: habits and beliefs instead of something that happened.
const PLATITUDES: &[&str] = &[
    "communication is key",
    "is key",
    "the key is",
    "the key thing",
    "the most important thing",
    "it's important to",
    "it is important to",
    "it's really important",
    "i always make sure",
    "i make sure",
    "i always try",
    "i always",
    "i try to",
    "i believe in",
    "i believe that",
    "i'm passionate",
    "i am passionate",
    "passionate about",
    "team player",
    "on the same page",
    "everyone is aligned",
    "aligned on",
    "at the end of the day",
    "go above and beyond",
    "whatever it takes",
    "hard worker",
    "work hard",
    "people person",
    "every situation is different",
    "it depends on the situation",
    "case by case",
    "open and honest",
    "open door",
    "lead by example",
    "leading by example",
    "continuous improvement",
    "learning experience",
    "you have to",
    "you need to",
    "you should",
    "you want to",
    "you just",
    "in general",
    "generally speaking",
    "as a rule",
    "i'm the kind of person",
    "i'm someone who",
    "i am someone who",
    "i pride myself",
    "i thrive",
    "big picture",
    "win-win",
    "the right thing",
];
/// Red flags an interviewer notes at once: running down others, the rehearsed non-weakness,
/// dodging the question, cutting corners.
const RED_FLAGS: &[&str] = &[
    "perfectionist",
    "perfectionism",
    "i work too hard",
    "work too much",
    "i care too much",
    "care too much",
    "too detail-oriented",
    "too dedicated",
    "toxic",
    "incompetent",
    "clueless",
    "useless",
    "idiots",
    "stupid",
    "micromanag",
    "terrible manager",
    "bad manager",
    "hated",
    "never listened",
    "didn't listen",
    "nobody listened",
    "nobody really listened",
    "i can't think of",
    "can't really think of",
    "i've never had",
    "i have never had",
    "never really had",
    "haven't really had",
    "i don't really have",
    "i don't have any weakness",
    "i don't really make mistakes",
    "not really applicable",
    "didn't tell anyone",
    "nobody noticed",
    "no one noticed",
    "nobody would notice",
    "cover it up",
    "covered it up",
    "just quit",
    "not my responsibility",
];
/// Sweeping claims: an answer that makes many and qualifies none overclaims.
const ABSOLUTES: &[&str] = &[
    "always",
    "never",
    "everything",
    "every time",
    "all of this",
    "completely",
    "totally",
    "guarantee",
    "guarantees",
    "out of the box",
    "solved problem",
    "automatically",
    "for you",
    "no need",
    "don't need to",
    "doesn't matter",
    "rarely need",
    "don't really",
    "no overhead",
    "zero risk",
    "obviously",
    "100%",
];
/// Qualifications: conditions, limits and costs stated next to a claim.
const QUALIFIERS: &[&str] = &[
    "unless",
    "except",
    "the catch",
    "the cost",
    "the downside",
    "trade-off",
    "tradeoff",
    "depends on whether",
    "as long as",
    "only if",
    "only when",
    "but",
    "however",
    "although",
    "if the",
    "when the",
];
const MONTHS_AND_DAYS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "weekend",
    "quarter",
    "sprint",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "day",
    "days",
    "hours",
    "minutes",
];
pub(super) const REASONING: &[&str] = &[
    "because",
    "so that",
    "trade-off",
    "tradeoff",
    "trade off",
    "which means",
    "for example",
    "for instance",
    "instead of",
    "rather than",
    "however",
    "depends",
    "the reason",
    "in order to",
    "the downside",
    "downside",
    "on the other hand",
    "whereas",
    "the risk",
    "the cost",
];
const SITUATION: &[&str] = &[
    "when i was",
    "at my last",
    "at my previous",
    "in my previous",
    "in my last",
    "last year",
    "a few months",
    "a couple of years",
    "we had",
    "there was",
    "our team",
    "at the time",
    "i was working",
    "i worked",
    "i was on",
    "i joined",
    "years ago",
    "last quarter",
    "at a",
];
const TASK: &[&str] = &[
    "my task",
    "my goal",
    "i needed to",
    "i had to",
    "my job was",
    "my responsibility",
    "i was asked",
    "i was responsible",
    "the goal was",
    "we needed to",
    "the challenge",
    "i owned",
    "i was tasked",
    "my role",
];
const RESULT: &[&str] = &[
    "as a result",
    "result",
    "outcome",
    "reduced",
    "increased",
    "improved",
    "saved",
    "dropped",
    "grew",
    "went from",
    "fell",
    "raised",
    "launched",
    "in the end",
    "which led",
    "ended up",
    "since then",
    "after that",
    "cut",
    "doubled",
    "halved",
    "shipped",
    "closed",
    "renewed",
    "recovered",
    "resolved",
    "lower",
    "higher",
];
const PLAN: &[&str] = &[
    "first",
    "then",
    "next",
    "after that",
    "finally",
    "step",
    "i would start",
    "i'd start",
    "before",
    "stakeholder",
    "priorit",
    "escalate",
    "communicat",
    "follow up",
    "measure",
    "metric",
    "check",
];
const PAST_IRREGULAR: &[&str] = &[
    "built",
    "wrote",
    "led",
    "ran",
    "made",
    "set",
    "took",
    "found",
    "sent",
    "spoke",
    "began",
    "chose",
    "drove",
    "gave",
    "got",
    "kept",
    "knew",
    "left",
    "met",
    "paid",
    "put",
    "rewrote",
    "saw",
    "sold",
    "spent",
    "split",
    "told",
    "thought",
    "won",
    "brought",
    "bought",
    "caught",
    "taught",
    "went",
    "did",
    "had",
    "sat",
    "held",
    "rebuilt",
    "undertook",
    "oversaw",
    "dug",
    "cut",
    "shut",
    "wound",
    "sought",
];

pub(super) struct Features {
    pub(super) fillers: Vec<(String, u32)>,
    pub(super) filler_total: u32,
    pub(super) hedges: Vec<usize>,
    pub(super) buzzwords: Vec<usize>,
    pub(super) blame: Vec<usize>,
    pub(super) reasoning: u32,
    pub(super) numbers: Vec<usize>,
    pub(super) actions: Vec<usize>,
    pub(super) star: Star,
    pub(super) plan_markers: u32,
    pub(super) words: u32,
    pub(super) sentences: u32,
    pub(super) long_sentences: u32,
    /// Where a platitude or a habit stated in general terms starts.
    pub(super) platitudes: Vec<usize>,
    /// Where a red flag starts: running others down, a rehearsed non-weakness, a dodge.
    pub(super) red_flags: Vec<usize>,
    /// Where a name starts: a capitalised word inside a sentence (a product, a team, a person).
    pub(super) names: Vec<usize>,
    /// Words that anchor a story in time or measure it (months, weeks, a quarter, hours).
    pub(super) time_words: u32,
    /// Sweeping claims not matched by as many qualifications.
    pub(super) overclaims: u32,
}

impl Features {
    /// How specific the answer is, 0 to 1: numbers, things the speaker did, names, time.
    pub(super) fn specificity(&self) -> f32 {
        // Saturating, not capped: the sixth number still says a little more than the fifth.
        let soft = |x: usize, n: f32| 1.0 - (-(x as f32) / n).exp();
        0.35 * soft(self.numbers.len(), 3.0)
            + 0.35 * soft(self.actions.len(), 3.0)
            + 0.2 * soft(self.names.len(), 3.0)
            + 0.1 * soft(self.time_words as usize, 2.0)
    }

    /// How much of the answer is talk that fits any question, 0 to 1: platitudes per sentence
    /// in excess of what the specifics around them earn.
    pub(super) fn genericity(&self) -> f32 {
        let sentences = self.sentences.max(1) as f32;
        let rate = self.platitudes.len() as f32 / sentences;
        let earned = self.specificity();
        (rate * 1.2 - earned * 0.8).clamp(0.0, 1.0)
    }
}

pub(super) fn features(answer: &str, words: &[Word], sentences: &[(usize, usize)]) -> Features {
    let lower = answer.to_lowercase().replace('’', "'");
    let hits = |list: &[&str]| -> Vec<usize> {
        let mut at: Vec<usize> = list.iter().flat_map(|p| text::find_phrase_all(&lower, p)).collect();
        at.sort_unstable();
        at
    };
    let count = |list: &[&str]| hits(list).len() as u32;
    let fillers = text::filler_counts(&lower);
    let numbers: Vec<usize> =
        words.iter().filter(|w| w.text.chars().any(|c| c.is_ascii_digit())).map(|w| w.start).collect();
    let number_words =
        ["one", "two", "three", "four", "five", "ten", "twenty", "hundred", "thousand", "half", "percent"];
    let numeric = numbers.len() + words.iter().filter(|w| number_words.contains(&w.text.as_str())).count();
    // "I/we" followed within two words by a past-tense verb: something the speaker did.
    let actions: Vec<usize> = words
        .iter()
        .enumerate()
        .filter(|(_, w)| matches!(w.text.as_str(), "i" | "we"))
        .filter_map(|(i, w)| {
            words[i + 1..(i + 3).min(words.len())]
                .iter()
                .any(|v| {
                    (v.text.ends_with("ed")
                        && v.text.len() > 4
                        && !matches!(v.text.as_str(), "need" | "feed"))
                        || PAST_IRREGULAR.contains(&v.text.as_str())
                })
                .then_some(w.start)
        })
        .collect();
    let star = Star {
        situation: count(SITUATION) > 0,
        task: count(TASK) > 0,
        action: actions.len() >= 2,
        result: count(RESULT) > 0 && (numeric > 0 || count(RESULT) >= 2),
    };
    let mut platitudes = hits(PLATITUDES);
    platitudes.dedup();
    let mut red_flags = hits(RED_FLAGS);
    red_flags.dedup();
    let sentence_starts: Vec<usize> = sentences.iter().map(|&(s, _)| s).collect();
    let names: Vec<usize> = words
        .iter()
        .filter(|w| {
            answer[w.start..].starts_with(|c: char| c.is_uppercase())
                && w.text != "i"
                && !w.text.starts_with("i'")
                && !sentence_starts.contains(&w.start)
                && !answer[..w.start].trim_end().ends_with([':', '"', '(', '\''])
        })
        .map(|w| w.start)
        .collect();
    let time_words = words.iter().filter(|w| MONTHS_AND_DAYS.contains(&w.text.as_str())).count() as u32;
    let lengths: Vec<usize> =
        sentences.iter().map(|&(s, e)| words.iter().filter(|w| w.start >= s && w.end <= e).count()).collect();
    Features {
        filler_total: fillers.iter().map(|(_, n)| n).sum(),
        fillers,
        hedges: hits(HEDGES),
        buzzwords: hits(BUZZWORDS),
        blame: hits(BLAME),
        reasoning: count(REASONING),
        numbers,
        actions,
        star,
        plan_markers: count(PLAN),
        words: words.len() as u32,
        sentences: sentences.len().max(usize::from(!words.is_empty())) as u32,
        long_sentences: lengths.iter().filter(|n| **n > 40).count() as u32,
        platitudes,
        red_flags,
        names,
        time_words,
        overclaims: count(ABSOLUTES).saturating_sub(count(QUALIFIERS)),
    }
}
