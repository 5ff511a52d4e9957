//! The platform's closed vocabularies: what a background job does, what a notification is about,
//! what happened in an interview, which action the audit log records, where an interview's
//! questions came from. Each is stored as checked text and maps to its GraphQL enum in the API;
//! nothing outside this module spells the stored forms.

use std::fmt;
use std::str::FromStr;

use crate::error::UnknownVariant;

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownVariant { kind: $kind, value: s.to_owned() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownVariant;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary! {
    /// What a background job does.
    JobKind, "job kind" {
        /// Evaluates one answer through the AI registry.
        EvaluateAnswer => "evaluate_answer",
        /// Considers a follow-up question after an evaluated answer.
        PlanFollowUp => "plan_follow_up",
        /// Records the AI result of a fully evaluated interview.
        CompleteInterview => "complete_interview",
        /// Delivers one email over SMTP.
        SendEmail => "send_email",
        /// Sends a password-reset link to an address, if it has an account.
        PasswordReset => "password_reset",
        /// Expires interviews whose window passed unstarted or unfinished (periodic).
        ExpireInterviews => "expire_interviews",
        /// Purges expired sessions, tokens, throttles and stale email bodies (periodic).
        PurgeExpired => "purge_expired",
        /// Renders an interview report as a PDF and stores it.
        RenderReport => "render_report",
        /// Extracts, analyses and embeds an uploaded resume.
        AnalyzeResume => "analyze_resume",
        /// Fingerprints a stored answer and flags near-copies of other candidates' answers to
        /// the same question.
        CheckAnswerSimilarity => "check_answer_similarity",
        /// Transcribes a spoken answer, then queues its evaluation.
        TranscribeAnswer => "transcribe_answer",
    }
}

vocabulary! {
    /// What a notification is about.
    NotificationKind, "notification kind" {
        /// A message arrived.
        NewMessage => "NEW_MESSAGE",
        /// An HR user applied to be mapped to you.
        HrApplication => "HR_APPLICATION",
        /// An admin invited you.
        HrInvitation => "HR_INVITATION",
        /// Your application or invitation was decided.
        MappingDecided => "MAPPING_DECIDED",
        /// You were unmapped from your admin.
        HrUnmapped => "HR_UNMAPPED",
        /// A candidate was assigned (to you, or you to a recruiter).
        CandidateAssigned => "CANDIDATE_ASSIGNED",
        /// An assignment ended.
        CandidateUnassigned => "CANDIDATE_UNASSIGNED",
        /// An interview was scheduled for you.
        InterviewScheduled => "INTERVIEW_SCHEDULED",
        /// An interview scheduled for you was cancelled.
        InterviewCancelled => "INTERVIEW_CANCELLED",
        /// Your interview's results are available.
        ResultsAvailable => "RESULTS_AVAILABLE",
    }
}

vocabulary! {
    /// Something that happened in an interview, published on the interview's topic.
    InterviewEventKind, "interview event kind" {
        /// The candidate started it.
        InterviewStarted => "INTERVIEW_STARTED",
        /// An answer was stored.
        AnswerReceived => "ANSWER_RECEIVED",
        /// Every question was answered, or the candidate ended it.
        InterviewCompleted => "INTERVIEW_COMPLETED",
        /// Its result was recorded.
        InterviewEvaluated => "INTERVIEW_EVALUATED",
        /// A person's score replaced the AI's for an answer.
        ScoreOverridden => "SCORE_OVERRIDDEN",
        /// It was cancelled.
        InterviewCancelled => "INTERVIEW_CANCELLED",
        /// Its window passed.
        InterviewExpired => "INTERVIEW_EXPIRED",
        /// The AI began evaluating an answer.
        EvaluationStarted => "EVALUATION_STARTED",
        /// An answer's evaluation was stored.
        AnswerEvaluated => "ANSWER_EVALUATED",
        /// A follow-up question was added after a vague or weak answer.
        FollowUpAdded => "FOLLOW_UP_ADDED",
        /// More of a spoken answer was transcribed; the transcript so far comes with it.
        TranscriptPartial => "TRANSCRIPT_PARTIAL",
        /// A spoken answer's transcript is complete; its evaluation follows.
        TranscriptFinal => "TRANSCRIPT_FINAL",
        /// A spoken answer could not be transcribed; the transcript says why.
        TranscriptFailed => "TRANSCRIPT_FAILED",
    }
}

vocabulary! {
    /// Where an interview's questions came from.
    QuestionSource, "question source" {
        /// Chosen from the bank for the role and difficulty, mixing question types.
        Bank => "BANK",
        /// Exactly the questions listed.
        Explicit => "EXPLICIT",
        /// The questions listed, topped up from the bank.
        Mixed => "MIXED",
        /// Planned from the bank by meaning against the job's description and a context.
        Generated => "GENERATED",
    }
}

vocabulary! {
    /// The file format of an exported interview report.
    ReportFormat, "report format" {
        /// A printable document with charts (rendered by a job).
        Pdf => "PDF",
        /// One row per answer.
        Csv => "CSV",
        /// The report exactly as the `interviewReport` query returns it.
        Json => "JSON",
    }
}

vocabulary! {
    /// Where an exported report's file is.
    ExportStatus, "export status" {
        /// Being produced.
        Pending => "PENDING",
        /// Stored and downloadable.
        Ready => "READY",
        /// Could not be produced.
        Failed => "FAILED",
        /// Its file was deleted after the retention period.
        Expired => "EXPIRED",
    }
}

vocabulary! {
    /// The document format of a resume, from its content.
    ResumeFormat, "resume format" {
        /// A PDF.
        Pdf => "PDF",
        /// A Word (Office Open XML) document.
        Docx => "DOCX",
    }
}

vocabulary! {
    /// What a file attached to an answer holds.
    MediaKind, "media kind" {
        /// The spoken answer's audio, which is transcribed.
        Audio => "AUDIO",
        /// A camera recording.
        Camera => "CAMERA",
        /// A screen recording.
        Screen => "SCREEN",
        /// Camera and screen in one recording.
        Combined => "COMBINED",
    }
}

vocabulary! {
    /// Where a spoken answer's transcript stands.
    TranscriptStatus, "transcript status" {
        /// Waiting for, or in, transcription; segments arrive as they are heard.
        Pending => "PENDING",
        /// Complete.
        Done => "DONE",
        /// The audio could not be transcribed; the transcript says why.
        Failed => "FAILED",
    }
}

vocabulary! {
    /// Where a resume's analysis stands.
    ResumeStatus, "resume status" {
        /// Uploaded; being read and analysed.
        Pending => "PENDING",
        /// Read and analysed; searchable.
        Analysed => "ANALYSED",
        /// Could not be read; the resume says why.
        Failed => "FAILED",
    }
}

vocabulary! {
    /// Where a staff review of a suspected copied answer stands.
    FlagReview, "flag review" {
        /// Not reviewed yet.
        Open => "OPEN",
        /// Reviewed: the answers are alike by chance, or for an innocent reason.
        Dismissed => "DISMISSED",
        /// Reviewed: one answer was copied from the other, or both from one source.
        Confirmed => "CONFIRMED",
    }
}

vocabulary! {
    /// What the audit log records.
    AuditAction, "audit action" {
        /// An account was registered.
        UserRegistered => "USER_REGISTERED",
        /// Someone tried to register an address that has an account.
        RegistrationForExistingAccount => "REGISTRATION_FOR_EXISTING_ACCOUNT",
        /// A sign-in succeeded.
        LoginSucceeded => "LOGIN_SUCCEEDED",
        /// A sign-in failed.
        LoginFailed => "LOGIN_FAILED",
        /// A deactivated account tried to sign in.
        LoginRefusedDeactivated => "LOGIN_REFUSED_DEACTIVATED",
        /// A rotated refresh token was presented again; its family was revoked.
        RefreshTokenReused => "REFRESH_TOKEN_REUSED",
        /// A session signed out.
        Logout => "LOGOUT",
        /// Every session of an account signed out.
        LogoutEverywhere => "LOGOUT_EVERYWHERE",
        /// An email address was verified.
        EmailVerified => "EMAIL_VERIFIED",
        /// A password reset was asked for.
        PasswordResetRequested => "PASSWORD_RESET_REQUESTED",
        /// A password was reset with a link.
        PasswordReset => "PASSWORD_RESET",
        /// A password was changed by its owner.
        PasswordChanged => "PASSWORD_CHANGED",
        /// An owner deleted their account.
        AccountDeletedByOwner => "ACCOUNT_DELETED_BY_OWNER",
        /// An admin deleted an account.
        UserDeleted => "USER_DELETED",
        /// An admin account was created from the command line (`viva admin create`).
        AdminCreatedByCli => "ADMIN_CREATED_BY_CLI",
        /// An admin reactivated an account.
        UserActivated => "USER_ACTIVATED",
        /// An admin deactivated an account.
        UserDeactivated => "USER_DEACTIVATED",
        /// An HR user applied to an admin.
        HrApplied => "HR_APPLIED",
        /// An HR user withdrew an application.
        HrApplicationCancelled => "HR_APPLICATION_CANCELLED",
        /// An admin invited an HR user.
        HrInvited => "HR_INVITED",
        /// An admin accepted an HR user's application.
        HrApplicationAccepted => "HR_APPLICATION_ACCEPTED",
        /// An admin rejected an HR user's application.
        HrApplicationRejected => "HR_APPLICATION_REJECTED",
        /// An HR user accepted an admin's invitation.
        HrInvitationAccepted => "HR_INVITATION_ACCEPTED",
        /// An HR user declined an admin's invitation.
        HrInvitationDeclined => "HR_INVITATION_DECLINED",
        /// An HR user was unmapped.
        HrUnmapped => "HR_UNMAPPED",
        /// A candidate was assigned to an HR user.
        CandidateAssigned => "CANDIDATE_ASSIGNED",
        /// A candidate was moved to another HR user.
        CandidateReassigned => "CANDIDATE_REASSIGNED",
        /// A candidate's assignment ended.
        CandidateUnassigned => "CANDIDATE_UNASSIGNED",
        /// An interview was scheduled.
        InterviewScheduled => "INTERVIEW_SCHEDULED",
        /// An interview was cancelled.
        InterviewCancelled => "INTERVIEW_CANCELLED",
        /// A person recorded an interview's result.
        InterviewResultSubmitted => "INTERVIEW_RESULT_SUBMITTED",
        /// A person replaced an answer's AI score.
        ScoreOverridden => "SCORE_OVERRIDDEN",
        /// A re-evaluation of an answer was asked for.
        AnswerReevaluationRequested => "ANSWER_REEVALUATION_REQUESTED",
    }
}

/// Who an event on the bus is for: its topic, spelled `user:<id>` or `interview:<id>` on the
/// wire. Subscribers listen to one topic and check access themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// One user's notifications and access changes.
    User(crate::UserId),
    /// What happens in one interview.
    Interview(crate::InterviewId),
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Topic::User(id) => write!(f, "user:{id}"),
            Topic::Interview(id) => write!(f, "interview:{id}"),
        }
    }
}

impl FromStr for Topic {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownVariant { kind: "event topic", value: s.to_owned() };
        let (kind, id) = s.split_once(':').ok_or_else(unknown)?;
        let id: uuid::Uuid = id.parse().map_err(|_| unknown())?;
        match kind {
            "user" => Ok(Topic::User(crate::UserId(id))),
            "interview" => Ok(Topic::Interview(crate::InterviewId(id))),
            _ => Err(unknown()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_round_trips_through_its_stored_form() {
        for kind in JobKind::ALL {
            assert_eq!(kind.as_str().parse::<JobKind>().unwrap(), *kind);
        }
        for kind in NotificationKind::ALL {
            assert_eq!(kind.as_str().parse::<NotificationKind>().unwrap(), *kind);
        }
        for kind in InterviewEventKind::ALL {
            assert_eq!(kind.as_str().parse::<InterviewEventKind>().unwrap(), *kind);
        }
        for action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>().unwrap(), *action);
        }
        for source in QuestionSource::ALL {
            assert_eq!(source.as_str().parse::<QuestionSource>().unwrap(), *source);
        }
        assert!("evaluate_response".parse::<JobKind>().is_err());
    }

    #[test]
    fn topics_round_trip_and_refuse_anything_else() {
        let id = uuid::Uuid::now_v7();
        for topic in [Topic::User(crate::UserId(id)), Topic::Interview(crate::InterviewId(id))] {
            assert_eq!(topic.to_string().parse::<Topic>().unwrap(), topic);
        }
        assert!(format!("job:{id}").parse::<Topic>().is_err());
        assert!("user:not-a-uuid".parse::<Topic>().is_err());
    }
}
