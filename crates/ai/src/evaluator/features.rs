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
    }
}
