//! The strengths, improvements and feedback of an evaluation, each quoting the answer.

use viva_domain::evaluation::{Analysis, LengthVerdict, Scores};
use viva_domain::interview::QuestionKind;

use super::features::{Features, REASONING};
use super::{QuestionContext, Semantics};
use crate::text::{self, Word};

/// Writes the strengths, improvements and feedback, quoting the answer.
pub(super) struct Notes<'n> {
    pub(super) question: &'n QuestionContext<'n>,
    pub(super) answer: &'n str,
    pub(super) words: &'n [Word],
    pub(super) sentences: &'n [(usize, usize)],
    pub(super) sem: &'n Semantics,
    pub(super) f: &'n Features,
    pub(super) analysis: &'n Analysis,
    pub(super) off_topic: bool,
    pub(super) hypothetical: bool,
}

impl Notes<'_> {
    fn quote(&self, at: usize, max_words: usize) -> String {
        let end = self.words.iter().find(|w| w.start >= at).map_or(at, |w| w.end);
        text::excerpt(self.answer, at, end, max_words)
    }

    pub(super) fn strengths(&self) -> Vec<String> {
        let mut out = Vec::new();
        let covered: Vec<(usize, usize)> = self.sem.keywords.iter().flatten().copied().collect();
        if !self.analysis.keywords_covered.is_empty() && !self.off_topic {
            let names =
                self.analysis.keywords_covered.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
            let example = covered.first().map(|&(s, _)| self.quote(s, 12)).unwrap_or_default();
            out.push(format!("Covered what the question looks for ({names}), for example: \"{example}\"."));
        }
        if let Some(&at) = self.f.numbers.first() {
            out.push(format!("Made it concrete with numbers: \"{}\".", self.quote(at, 12)));
        }
        if self.question.kind != QuestionKind::Technical
            && self.f.actions.len() >= 2
            && self.f.blame.is_empty()
        {
            out.push(format!(
                "Owned the actions in the first person: \"{}\".",
                self.quote(self.f.actions[0], 10)
            ));
        }
        if self.question.kind == QuestionKind::Behavioural && self.f.star.parts() >= 3 {
            out.push("Told it as a story with a clear situation, task, action and result.".to_owned());
        }
        if self.f.reasoning >= 2 && self.question.kind != QuestionKind::Behavioural {
            let lower = self.answer.to_lowercase();
            let at = REASONING.iter().filter_map(|p| text::find_phrase_all(&lower, p).first().copied()).min();
            if let Some(at) = at {
                out.push(format!("Explained the reasoning and trade-offs: \"{}\".", self.quote(at, 12)));
            }
        }
        if self.f.filler_total == 0
            && self.analysis.length == LengthVerdict::Appropriate
            && self.f.long_sentences == 0
        {
            out.push(format!(
                "Clear delivery: {} words in {} sentences with no filler words.",
                self.f.words, self.f.sentences
            ));
        }
        // Every strength points at the answer: without a quoted one, the most on-point sentence.
        if !self.off_topic
            && !out.iter().any(|o| quotes_a_passage(o))
            && let Some(at) = self.most_relevant_sentence()
        {
            out.insert(0, format!("Answered the question head-on: \"{}\".", self.quote(at, 14)));
        }
        out.truncate(4);
        out
    }

    pub(super) fn improvements(&self) -> Vec<String> {
        let mut out = Vec::new();
        if (self.off_topic || self.sem.question < 0.2)
            && let Some(at) = self.least_relevant_sentence()
        {
            out.push(format!(
                "Stay on the question (\"{}\"): \"{}\" does not answer it.",
                text::clean_quote(self.question.text),
                self.quote(at, 14)
            ));
        }
        if self.hypothetical {
            out.push(format!(
                "Describe a real time you did this, not what you would do: \"{}\".",
                self.quote(self.f.hedges[0], 10)
            ));
        }
        if !self.f.blame.is_empty() {
            out.push(format!(
                "\"{}\" puts the blame on others; say what you owned and what you would do differently.",
                self.quote(self.f.blame[0], 12)
            ));
        }
        if let Some(&at) = self.f.red_flags.first() {
            out.push(format!(
                "\"{}\" is a red flag for an interviewer; answer with something real you did and owned.",
                self.quote(at, 12)
            ));
        }
        if self.f.genericity() >= 0.25
            && let Some(&at) = self.f.platitudes.first()
        {
            out.push(format!(
                "\"{}\" could be said by anyone; say what you did, when, and what came of it.",
                self.quote(at, 12)
            ));
        }
        if self.f.filler_total >= 3 {
            let mut fillers = self.f.fillers.clone();
            fillers.sort_by_key(|f| std::cmp::Reverse(f.1));
            let list: Vec<String> = fillers.iter().take(3).map(|(w, n)| format!("\"{w}\" ({n}×)")).collect();
            out.push(format!("Cut the filler words: {}.", list.join(", ")));
        }
        if self.f.buzzwords.len() >= 2 {
            out.push(format!(
                "Replace buzzwords with specifics: \"{}\" says little about what you actually did.",
                self.quote(self.f.buzzwords[0], 10)
            ));
        }
        if !self.analysis.keywords_missing.is_empty() && !self.off_topic {
            let missing =
                self.analysis.keywords_missing.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
            match self.vaguest_sentence() {
                Some(at) => out.push(format!(
                    "Go deeper where it stays general, as in \"{}\"; the answer does not cover {missing}.",
                    self.quote(at, 12)
                )),
                None => out.push(format!("The answer does not cover {missing}.")),
            }
        }
        if self.question.kind == QuestionKind::Behavioural
            && !self.f.star.result
            && !self.off_topic
            && let Some(&(s, _)) = self.sentences.last()
        {
            out.push(format!(
                "End with the outcome and how you measured it; the story stops at \"{}\".",
                self.quote(s, 10)
            ));
        }
        if self.f.numbers.is_empty()
            && self.question.kind != QuestionKind::Technical
            && !self.off_topic
            && let Some(at) = self.vaguest_sentence()
        {
            let quote = self.quote(at, 12);
            if !out.iter().any(|o| o.contains(&quote)) {
                out.push(format!("Add numbers or concrete detail to claims like \"{quote}\"."));
            }
        }
        if self.analysis.length == LengthVerdict::TooShort {
            let said = self.words.first().map(|w| self.quote(w.start, 12)).unwrap_or_default();
            out.push(format!(
                "At {} words (\"{said}\") the answer is too short for a {}-second question; develop it with an example.",
                self.f.words, self.question.time_limit_seconds
            ));
        }
        if self.analysis.length == LengthVerdict::TooLong {
            out.push(format!(
                "At {} words the answer runs past its time; lead with the point.",
                self.f.words
            ));
        }
        if self.f.long_sentences > 0 {
            out.push("Break up the longest sentences; several run past forty words.".to_owned());
        }
        // Every list of improvements points at the answer: the vaguest sentence, if nothing else.
        if !out.iter().any(|o| quotes_a_passage(o))
            && let Some(at) = self.vaguest_sentence().or_else(|| self.least_relevant_sentence())
        {
            out.insert(
                0,
                format!(
                    "Back up statements like \"{}\" with an example, a number or the reason behind it.",
                    self.quote(at, 12)
                ),
            );
        }
        if out.is_empty() {
            out.push(
                "Close with one sentence on what you learned or would do differently next time.".to_owned(),
            );
        }
        out.truncate(4);
        out
    }

    fn most_relevant_sentence(&self) -> Option<usize> {
        self.sentences
            .iter()
            .zip(&self.sem.sentence_relevance)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|((s, _), _)| *s)
            .or_else(|| self.words.first().map(|w| w.start))
    }

    fn least_relevant_sentence(&self) -> Option<usize> {
        self.sentences
            .iter()
            .zip(&self.sem.sentence_relevance)
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|((s, _), _)| *s)
    }

    /// The sentence with the fewest specifics: no numbers, no covered keyword, least relevant.
    fn vaguest_sentence(&self) -> Option<usize> {
        let covered: Vec<(usize, usize)> = self.sem.keywords.iter().flatten().copied().collect();
        self.sentences
            .iter()
            .zip(&self.sem.sentence_relevance)
            .filter(|((s, e), _)| {
                !self.f.numbers.iter().any(|n| n >= s && n < e)
                    && !covered.iter().any(|(ks, _)| ks >= s && ks < e)
            })
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|((s, _), _)| *s)
    }

    pub(super) fn feedback(&self, scores: &Scores, strengths: &[String], improvements: &[String]) -> String {
        let a = self.analysis;
        let mut parts = Vec::new();
        parts.push(format!(
            "Overall {}/100 (content {}, communication {}, technical depth {}, relevance {}).",
            scores.overall, scores.content, scores.communication, scores.technical_depth, scores.relevance
        ));
        let total = a.keywords_covered.len() + a.keywords_missing.len();
        if total > 0 {
            parts.push(format!(
                "It covers {} of the {} key points expected.",
                a.keywords_covered.len(),
                total
            ));
        }
        if self.question.kind == QuestionKind::Behavioural {
            let missing: Vec<&str> = [
                (!a.star.situation).then_some("the situation"),
                (!a.star.task).then_some("your task"),
                (!a.star.action).then_some("your own actions"),
                (!a.star.result).then_some("the result"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if missing.is_empty() {
                parts.push("The story has all four STAR parts.".to_owned());
            } else {
                parts.push(format!("The story leaves out {}.", missing.join(", ")));
            }
        }
        if let Some(wpm) = a.words_per_minute {
            parts.push(format!("Pace: about {} words a minute.", wpm.round()));
        }
        if let Some(first) = strengths.first() {
            parts.push(format!("Best: {first}"));
        }
        if let Some(first) = improvements.first() {
            parts.push(format!("First thing to work on: {first}"));
        }
        parts.join(" ")
    }
}

/// Whether a note quotes a passage of the answer (three words or more), not a single word.
fn quotes_a_passage(note: &str) -> bool {
    note.split('"').skip(1).step_by(2).any(|q| q.split_whitespace().count() >= 3)
}
