//! Interview mutations: each parses its input and calls one use case of the service layer.

use async_graphql::{Context, ID, Object, Upload};
use viva_domain::Role;
use viva_service::interviews::{self as service, Viewer};

use super::inputs::{
    AnswerInput, InterviewResultInput, PracticeInput, ScheduleInterviewInput, SubmitAnswerPayload,
};
use super::spoken::{self, RecordingUpload};
use super::types::{Answer, Interview};
use crate::auth::context::ContextExt;
use crate::error::AppResult;
use crate::graphql::people::parse_id;

/// Interview mutations.
#[derive(Default)]
pub struct InterviewMutation;

#[Object]
impl InterviewMutation {
    /// Schedules an interview: HR users for their assigned candidates, admins for anyone. The
    /// candidate is notified.
    async fn schedule_interview(
        &self,
        ctx: &Context<'_>,
        input: ScheduleInterviewInput,
    ) -> AppResult<Interview> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let request = input.parse()?;
        let ip = ctx.client().ip;
        let interview =
            service::schedule(&ctx.services()?.service, &principal, request, ip.as_deref()).await?;
        Ok(Interview { interview, viewer: Viewer::Staff })
    }

    /// Starts a practice session at once: questions from the bank for a role and difficulty.
    /// Candidates.
    async fn start_practice_interview(
        &self,
        ctx: &Context<'_>,
        input: PracticeInput,
    ) -> AppResult<Interview> {
        let principal = ctx.require_role(&[Role::Candidate])?;
        let interview = service::start_practice(&ctx.services()?.service, &principal, input.into()).await?;
        Ok(Interview { interview, viewer: Viewer::Candidate })
    }

    /// Starts a scheduled interview, within its window. The candidate.
    async fn start_interview(&self, ctx: &Context<'_>, interview_id: ID) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let interview = service::start(&ctx.services()?.service, &principal, id).await?;
        Ok(Interview { interview, viewer: Viewer::Candidate })
    }

    /// Submits one answer; it is stored before this returns. The interview completes when its
    /// last question is answered. Repeating a call with the same idempotency key (and the same
    /// content) returns the stored answer and stores nothing twice. The candidate.
    ///
    /// A spoken answer sends its `audio` as a GraphQL multipart upload (WebM or Ogg with Opus,
    /// as browsers record, WAV, MP3, MP4/M4A or FLAC, judged by content; at most
    /// `max_audio_bytes` and `max_audio_seconds`), with or without `text`. It is transcribed in
    /// the background: `interviewEvents` carries `TRANSCRIPT_PARTIAL` as it is heard, then
    /// `TRANSCRIPT_FINAL` (or `TRANSCRIPT_FAILED`), and the evaluation follows. `recordings`
    /// (camera, screen or both; WebM or MP4 video, at most `max_recording_bytes` each, one of
    /// each kind) are kept for the people who may see the answer.
    async fn submit_answer(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        input: AnswerInput,
        audio: Option<Upload>,
        recordings: Option<Vec<RecordingUpload>>,
    ) -> AppResult<SubmitAnswerPayload> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let mut request = input.parse()?;
        request.media = spoken::uploads(ctx, audio, recordings).await?;
        let (answer, interview) =
            service::submit_answer(&ctx.services()?.service, &principal, id, request).await?;
        Ok(SubmitAnswerPayload {
            answer: Answer(answer),
            interview: Interview { interview, viewer: Viewer::Candidate },
        })
    }

    /// Submits every answer at once, for clients that send them at the end, and completes the
    /// interview. All are stored or none. The candidate.
    async fn submit_all_answers(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        answers: Vec<AnswerInput>,
    ) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let requests = answers.into_iter().map(AnswerInput::parse).collect::<AppResult<Vec<_>>>()?;
        let interview = service::submit_all(&ctx.services()?.service, &principal, id, requests).await?;
        Ok(Interview { interview, viewer: Viewer::Candidate })
    }

    /// Ends an interview early, with the answers given so far. The candidate.
    async fn end_interview(&self, ctx: &Context<'_>, interview_id: ID) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let interview = service::end(&ctx.services()?.service, &principal, id).await?;
        Ok(Interview { interview, viewer: Viewer::Candidate })
    }

    /// Cancels an interview that is scheduled or in progress: its HR user or an admin, or the
    /// candidate for their own practice session. The candidate of a scheduled one is notified.
    async fn cancel_interview(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        reason: Option<String>,
    ) -> AppResult<Interview> {
        let principal = ctx.principal()?;
        let id = parse_id(&interview_id, "interviewId")?;
        let ip = ctx.client().ip;
        let (interview, viewer) =
            service::cancel(&ctx.services()?.service, &principal, id, reason.as_deref(), ip.as_deref())
                .await?;
        Ok(Interview { interview, viewer })
    }

    /// Records the result of a completed interview (again, to revise it): its HR user or an
    /// admin. The candidate is notified.
    async fn submit_interview_result(
        &self,
        ctx: &Context<'_>,
        interview_id: ID,
        input: InterviewResultInput,
    ) -> AppResult<Interview> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let id = parse_id(&interview_id, "interviewId")?;
        let ip = ctx.client().ip;
        let interview =
            service::submit_result(&ctx.services()?.service, &principal, id, input.into(), ip.as_deref())
                .await?;
        Ok(Interview { interview, viewer: Viewer::Staff })
    }

    /// Evaluates an answer again (SPEC INT-7): with the configured providers in order, or with
    /// the one chat `provider` named (`offline` for the rules), so that HR can re-score an
    /// answer with another provider and compare. The new evaluation becomes current and every
    /// earlier one stays in `Answer.evaluations`. Its HR user or an admin. It runs in the
    /// background: watch `interviewEvents` for ANSWER_EVALUATED.
    async fn evaluate_response(
        &self,
        ctx: &Context<'_>,
        answer_id: ID,
        provider: Option<String>,
    ) -> AppResult<Answer> {
        evaluate_again(ctx, &answer_id, provider.as_deref()).await
    }

    /// Evaluates an answer again with the configured providers.
    #[graphql(
        deprecation = "Use evaluateResponse, which can also name the provider; removed in the next release."
    )]
    async fn reevaluate_answer(&self, ctx: &Context<'_>, answer_id: ID) -> AppResult<Answer> {
        evaluate_again(ctx, &answer_id, None).await
    }

    /// Gives an answer a person's score with the reason, once the interview is over; the AI's
    /// score is kept beside it. Its HR user or an admin.
    async fn override_answer_score(
        &self,
        ctx: &Context<'_>,
        answer_id: ID,
        score: i32,
        reason: String,
    ) -> AppResult<Answer> {
        let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
        let answer_id = parse_id(&answer_id, "answerId")?;
        let ip = ctx.client().ip;
        let answer = service::override_score(
            &ctx.services()?.service,
            &principal,
            answer_id,
            score,
            &reason,
            ip.as_deref(),
        )
        .await?;
        Ok(Answer(answer))
    }
}

/// `evaluateResponse` and its deprecated alias.
async fn evaluate_again(ctx: &Context<'_>, answer_id: &ID, provider: Option<&str>) -> AppResult<Answer> {
    let principal = ctx.require_role(&[Role::Admin, Role::Hr])?;
    let answer_id = parse_id(answer_id, "answerId")?;
    let ip = ctx.client().ip;
    let service = &ctx.services()?.service;
    Ok(Answer(service::reevaluate(service, &principal, answer_id, provider, ip.as_deref()).await?))
}
