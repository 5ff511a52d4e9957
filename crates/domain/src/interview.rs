//! Interviews: their lifecycle as an explicit state machine, question kinds, and scores.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where an interview stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InterviewStatus {
    /// Planned; the candidate may start it within its window.
    Scheduled,
    /// The candidate is answering.
    InProgress,
    /// Every answer is in (or the candidate ended it).
    Completed,
    /// A result has been recorded.
    Evaluated,
    /// Called off before it was completed.
    Cancelled,
    /// Its window passed before it was started.
    Expired,
}

/// What can happen to an interview.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterviewEvent {
    /// The candidate starts answering.
    Start,
    /// The last answer arrives, or the candidate ends it.
    Complete,
    /// A result is recorded (again, for a re-evaluation).
    Evaluate,
    /// Someone calls it off.
    Cancel,
    /// Its window passes unstarted.
    Expire,
}

/// A transition the state machine does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("an interview that is {from} cannot be {}", event.past_tense())]
pub struct IllegalTransition {
    /// The state it was in.
    pub from: InterviewStatus,
    /// What was attempted.
    pub event: InterviewEvent,
}

impl InterviewEvent {
    fn past_tense(self) -> &'static str {
        match self {
            InterviewEvent::Start => "started",
            InterviewEvent::Complete => "completed",
            InterviewEvent::Evaluate => "evaluated",
            InterviewEvent::Cancel => "cancelled",
            InterviewEvent::Expire => "expired",
        }
    }
}

impl InterviewStatus {
    /// Every status.
    pub const ALL: [InterviewStatus; 6] = [
        InterviewStatus::Scheduled,
        InterviewStatus::InProgress,
        InterviewStatus::Completed,
        InterviewStatus::Evaluated,
        InterviewStatus::Cancelled,
        InterviewStatus::Expired,
    ];

    /// The state after `event`, or why it cannot happen.
    pub fn apply(self, event: InterviewEvent) -> Result<InterviewStatus, IllegalTransition> {
        use InterviewEvent as E;
        use InterviewStatus as S;
        match (self, event) {
            (S::Scheduled, E::Start) => Ok(S::InProgress),
            (S::InProgress, E::Complete) => Ok(S::Completed),
            (S::Completed | S::Evaluated, E::Evaluate) => Ok(S::Evaluated),
            (S::Scheduled | S::InProgress, E::Cancel) => Ok(S::Cancelled),
            (S::Scheduled, E::Expire) => Ok(S::Expired),
            (from, event) => Err(IllegalTransition { from, event }),
        }
    }

    /// Whether nothing more will happen to it but (re-)evaluation.
    pub fn is_finished(self) -> bool {
        !matches!(self, InterviewStatus::Scheduled | InterviewStatus::InProgress)
    }

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewStatus::Scheduled => "SCHEDULED",
            InterviewStatus::InProgress => "IN_PROGRESS",
            InterviewStatus::Completed => "COMPLETED",
            InterviewStatus::Evaluated => "EVALUATED",
            InterviewStatus::Cancelled => "CANCELLED",
            InterviewStatus::Expired => "EXPIRED",
        }
    }
}

impl fmt::Display for InterviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str().to_lowercase().replace('_', " "))
    }
}

impl TryFrom<String> for InterviewStatus {
    type Error = crate::error::UnknownVariant;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or(crate::error::UnknownVariant { kind: "interview status", value })
    }
}

/// What a question tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuestionKind {
    /// Past experience, answered with a story (STAR).
    Behavioural,
    /// Knowledge and craft of the role.
    Technical,
    /// A hypothetical scenario.
    Situational,
}

/// How hard a question or an interview is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Difficulty {
    /// Entry level.
    Easy,
    /// Mid level.
    Medium,
    /// Senior level.
    Hard,
}

macro_rules! simple_text_enum {
    ($ty:ty, $kind:literal, [$($variant:ident => $text:literal),+]) => {
        impl $ty {
            /// The stable text form.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl TryFrom<String> for $ty {
            type Error = crate::error::UnknownVariant;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                match value.as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(crate::error::UnknownVariant { kind: $kind, value }),
                }
            }
        }
    };
}

simple_text_enum!(QuestionKind, "question kind", [Behavioural => "BEHAVIOURAL", Technical => "TECHNICAL", Situational => "SITUATIONAL"]);
simple_text_enum!(Difficulty, "difficulty", [Easy => "EASY", Medium => "MEDIUM", Hard => "HARD"]);

/// Where a job is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LocationType {
    /// Fully remote.
    Remote,
    /// Partly in an office.
    Hybrid,
    /// In an office.
    OnSite,
}

simple_text_enum!(LocationType, "location type", [Remote => "REMOTE", Hybrid => "HYBRID", OnSite => "ON_SITE"]);

/// A score out of 100.
pub fn check_score(score: i32) -> Result<i32, crate::error::FieldError> {
    if (0..=100).contains(&score) {
        Ok(score)
    } else {
        Err(crate::error::FieldError::new("score", "must be between 0 and 100"))
    }
}

/// The letter grade of a score out of 100.
pub fn grade(score: i32) -> &'static str {
    match score {
        90.. => "A",
        80..=89 => "B",
        70..=79 => "C",
        60..=69 => "D",
        _ => "F",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InterviewEvent as E;
    use InterviewStatus as S;

    #[test]
    fn the_happy_path() {
        let s = S::Scheduled.apply(E::Start).unwrap();
        let s = s.apply(E::Complete).unwrap();
        let s = s.apply(E::Evaluate).unwrap();
        assert_eq!(s, S::Evaluated);
        assert_eq!(s.apply(E::Evaluate).unwrap(), S::Evaluated, "re-evaluation is allowed");
    }

    #[test]
    fn every_other_transition_is_refused() {
        let allowed = [
            (S::Scheduled, E::Start),
            (S::InProgress, E::Complete),
            (S::Completed, E::Evaluate),
            (S::Evaluated, E::Evaluate),
            (S::Scheduled, E::Cancel),
            (S::InProgress, E::Cancel),
            (S::Scheduled, E::Expire),
        ];
        for from in S::ALL {
            for event in [E::Start, E::Complete, E::Evaluate, E::Cancel, E::Expire] {
                let result = from.apply(event);
                assert_eq!(result.is_ok(), allowed.contains(&(from, event)), "{from:?} + {event:?}");
            }
        }
        let err = S::Completed.apply(E::Start).unwrap_err();
        assert_eq!(err.to_string(), "an interview that is completed cannot be started");
    }

    #[test]
    fn statuses_round_trip_and_grades_follow_scores() {
        for s in S::ALL {
            assert_eq!(S::try_from(s.as_str().to_owned()).unwrap(), s);
        }
        assert_eq!((grade(95), grade(85), grade(72), grade(60), grade(10)), ("A", "B", "C", "D", "F"));
        assert!(check_score(101).is_err() && check_score(-1).is_err() && check_score(0).is_ok());
    }
}
