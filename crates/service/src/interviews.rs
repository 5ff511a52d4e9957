//! Interviews: scheduling, practice, the lifecycle, answers, results, reads and what live
//! events show (SPEC INT-2 to INT-5, INT-8 to INT-10, CAND-2, CAND-4).
//!
//! Every change to one interview locks its row first, so answers and transitions happen one at
//! a time, the state machine in `domain` decides each transition, and the events a change
//! publishes reach subscribers in the order the changes committed. [`access`] is the one access
//! policy of interviews and of everything in them.

pub mod access;
pub mod answers;
pub mod reads;
pub mod results;
pub mod schedule;
pub mod spoken;

pub use access::{Viewer, viewer_of, visible};
pub use answers::{AnswerRequest, end, start, submit_all, submit_answer};
pub use reads::{EventData, EventView, Include, InterviewPage, current_question, get, list, load_event};
pub use results::{ResultRequest, cancel, override_score, reevaluate, submit_result};
pub use schedule::{MAX_QUESTIONS, PracticeRequest, ScheduleRequest, schedule, start_practice};
