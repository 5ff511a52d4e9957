//! Adaptive follow-ups (INT-6): a vague or weak answer gets one question that probes its
//! weakest point, quoting the answer where that helps.

use viva_domain::evaluation::{Evaluation, LengthVerdict};
use viva_domain::interview::QuestionKind;

use crate::evaluator::QuestionContext;

/// Below this overall score an answer is probed.
pub const FOLLOW_UP_BELOW: i32 = 60;

/// A follow-up question and why it was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    /// The question.
    pub text: String,
    /// The weakness it probes, for reviewers.
    pub reason: String,
}

/// Whether an answer deserves a follow-up: it scored below [`FOLLOW_UP_BELOW`], or below 70
/// while missing most of the expected ideas. Strong answers get none.
pub fn wanted(evaluation: &Evaluation) -> bool {
    let a = &evaluation.analysis;
    let weak_coverage = !a.keywords_missing.is_empty()
        && a.keywords_missing.len() * 2 > a.keywords_covered.len() + a.keywords_missing.len();
    evaluation.scores.overall < FOLLOW_UP_BELOW || (weak_coverage && evaluation.scores.overall < 70)
}

/// The follow-up an answer deserves, if any, from the rules: the weakest point found by the
/// evaluation, quoting the question. Strong answers get none.
pub fn plan(question: &QuestionContext<'_>, evaluation: &Evaluation) -> Option<FollowUp> {
    if !wanted(evaluation) {
        return None;
    }
    let a = &evaluation.analysis;
    let topic = first_clause(question.text);
    let (text, reason) = if evaluation.scores.relevance < 35 {
        (
            format!(
                "Let's come back to the question: {} What is the first thing you would focus on, and why?",
                question.text.trim()
            ),
            "the answer did not address the question".to_owned(),
        )
    } else if a.length == LengthVerdict::TooShort {
        (
            format!("Could you take me through that in more detail, with a concrete example of {topic}?"),
            "the answer was too short to judge".to_owned(),
        )
    } else if question.kind == QuestionKind::Behavioural && !a.star.action {
        (
            "Can you tell me about a specific time this actually happened — what did you yourself do, step by step?"
                .to_owned(),
            "the answer described no actions the candidate took".to_owned(),
        )
    } else if question.kind == QuestionKind::Behavioural && !a.star.result {
        (
            "What was the outcome, and how did you know it had worked? Any numbers you can share?".to_owned(),
            "the story had no result".to_owned(),
        )
    } else if let Some(missing) = a.keywords_missing.first() {
        (
            format!(
                "You didn't mention {missing}. How does it come into {topic}, and what trade-offs would you weigh?"
            ),
            format!("the answer did not cover {missing}"),
        )
    } else {
        (
            format!("What would you do differently if you faced {topic} again?"),
            "the answer stayed general".to_owned(),
        )
    };
    Some(FollowUp { text, reason })
}

/// The question's gist for weaving into a follow-up: lower-cased, without its lead-in.
fn first_clause(question: &str) -> String {
    let q = question.trim().trim_end_matches(['?', '.']);
    let lower = q.to_lowercase();
    for lead in [
        "tell me about a time you ",
        "tell me about a time when ",
        "describe a time you ",
        "describe a time when ",
        "how would you ",
        "how do you ",
        "what is ",
        "what are ",
        "explain ",
    ] {
        if let Some(rest) = lower.strip_prefix(lead) {
            return format!("this ({})", rest.split([',', ';']).next().unwrap_or(rest).trim());
        }
    }
    "this".to_owned()
}
