//! `transcribe_answer`: turns a spoken answer's audio into a transcript with timed segments,
//! then queues its evaluation.
//!
//! The audio is decoded first, in the sandboxed child ([`viva_media`]), which checks that it
//! plays, is no longer than allowed, and measures it; then the transcription chain hears it,
//! reporting segments as they are decoded: each is saved on the transcript and announced as
//! `TRANSCRIPT_PARTIAL`. The finished transcript, its delivery measures (pace, long pauses,
//! fillers) and `TRANSCRIPT_FINAL` are written in one transaction with the evaluation's job.
//!
//! A file at fault (damaged, silent container, too long) fails the transcript at once with a
//! reason a person can act on; so does the last attempt when the providers keep failing. A
//! failed transcript still lets the answer be evaluated, on its typed text if it has any, so
//! the interview is never left waiting.

use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use viva_domain::ai::{AiError, Audio, TranscriptSegment};
use viva_domain::vocab::{InterviewEventKind, TranscriptStatus};
use viva_domain::{AnswerId, BackgroundJobId};
use viva_jobs::{Handler, JobError, JobInfo, JobKind, JobSpec};
use viva_store::models::interview as interviews;
use viva_store::models::media;

use super::{check_answer_similarity, evaluate_answer};
use crate::objects::ObjectKey;
use crate::{Service, ServiceError, ServiceResult};

/// Transcribes one spoken answer.
pub struct TranscribeAnswer;

/// Which answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    /// The answer.
    pub answer_id: AnswerId,
}

impl JobSpec for TranscribeAnswer {
    const KIND: JobKind = JobKind::TranscribeAnswer;
    type Payload = Payload;
}

#[async_trait::async_trait]
impl Handler<Service> for TranscribeAnswer {
    async fn run(&self, service: &Service, job: &JobInfo, payload: Payload) -> Result<(), JobError> {
        let last_attempt = job.attempt >= Self::MAX_ATTEMPTS;
        match transcribe(service, payload.answer_id).await {
            Ok(()) => Ok(()),
            Err(Failure::Input(reason)) => Ok(fail(service, payload.answer_id, &reason).await?),
            Err(Failure::Ours(err)) if last_attempt => {
                tracing::error!(error = %err, answer = %payload.answer_id, job = %job.id, "a spoken answer could not be transcribed");
                let reason = "the audio could not be transcribed (the speech-to-text service kept failing); \
                              the answer is evaluated on its typed text";
                Ok(fail(service, payload.answer_id, reason).await?)
            }
            Err(Failure::Ours(err)) => Err(err.into()),
        }
    }
}

/// Enqueues the transcription of an answer; call in the transaction that stored it.
pub async fn enqueue(
    conn: &mut viva_store::AsyncPgConnection,
    answer_id: AnswerId,
) -> ServiceResult<BackgroundJobId> {
    Ok(viva_jobs::enqueue::<TranscribeAnswer>(conn, &Payload { answer_id }).await?)
}

/// Why a transcription stopped.
enum Failure {
    /// The recording is at fault: failing again will not help.
    Input(String),
    /// We are: retried.
    Ours(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for Failure {
    fn from(err: E) -> Self {
        Self::Ours(err.into())
    }
}

async fn transcribe(service: &Service, answer_id: AnswerId) -> Result<(), Failure> {
    let mut conn = service.pool.get().await?;
    let Some(transcript) = media::transcript_of(&mut conn, answer_id).await? else { return Ok(()) };
    if transcript.status != TranscriptStatus::Pending {
        return Ok(());
    }
    let Some(answer) = interviews::find_answer(&mut conn, answer_id).await? else { return Ok(()) };
    let Some(audio) = media::audio_of(&mut conn, answer_id).await? else {
        return Err(Failure::Input("the answer's audio is missing".to_owned()));
    };
    drop(conn);
    if audio.deleted_at.is_some() {
        return Err(Failure::Input("the audio was deleted before it could be transcribed".to_owned()));
    }
    let bytes = match service.objects.get(&ObjectKey::parse(&audio.object_key)?).await {
        Ok(bytes) => bytes,
        Err(ServiceError::NotFound(_)) => {
            return Err(Failure::Input("the audio file is gone from storage".to_owned()));
        }
        Err(err) => return Err(err.into()),
    };
    let spoken = &service.config.spoken;
    let decoded = spoken.decoder()?.decode(&bytes, &spoken.decode_limits()).await;
    let duration = match decoded {
        Ok(pcm) => pcm.duration_seconds(),
        Err(err) if err.is_input_fault() => return Err(Failure::Input(capitalised(&err.to_string()))),
        Err(err) => return Err(Failure::Ours(ServiceError::internal(err))),
    };
    let audio = Audio { bytes, mime_type: audio.media_type, language: None };
    if service.ai.registry.transcription.is_empty() {
        return Err(Failure::Input(
            "this server has no speech-to-text provider, so the audio could not be transcribed; \
             the answer is evaluated on its typed text"
                .to_owned(),
        ));
    }

    let (sender, mut heard) = mpsc::unbounded_channel::<TranscriptSegment>();
    let registry = &service.ai.registry;
    let listen = async move {
        let on_segment = move |segment: &TranscriptSegment| {
            let _ = sender.send(segment.clone());
        };
        // The closure, and with it the sender, is dropped when this block ends: the progress
        // loop below then sees the channel close.
        registry.transcription.transcribe_streaming(&audio, &on_segment).await
    };
    let interview_id = answer.interview_id;
    let progress = async {
        let mut so_far: Vec<TranscriptSegment> = Vec::new();
        while let Some(segment) = heard.recv().await {
            so_far.push(segment);
            if let Err(err) = save_partial(service, interview_id, answer_id, &so_far).await {
                tracing::warn!(error = %err, answer = %answer_id, "a partial transcript could not be saved");
            }
        }
    };
    let (heard, ()) = tokio::join!(listen, progress);
    let (transcript, model) = match heard {
        Ok(heard) => heard,
        Err(AiError::InvalidInput(reason)) => return Err(Failure::Input(capitalised(&reason))),
        Err(err) => return Err(Failure::Ours(ServiceError::internal(err))),
    };
    let text = transcript.text.trim().to_owned();
    let duration = transcript.duration_seconds.unwrap_or(duration);
    let segments = if transcript.segments.is_empty() && !text.is_empty() {
        vec![TranscriptSegment { start: 0.0, end: duration, text: text.clone() }]
    } else {
        transcript.segments
    };
    let delivery = viva_ai::speech::delivery(&segments, duration);
    let segments_json = serde_json::to_value(&segments).map_err(ServiceError::internal)?;
    let delivery_json = serde_json::to_value(&delivery).map_err(ServiceError::internal)?;
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let Some(interview) = interviews::lock(conn, interview_id).await? else { return Ok(()) };
        let done = media::Finished {
            text: &text,
            language: transcript.language.as_deref(),
            duration_seconds: duration,
            segments: &segments_json,
            provider: model.provider.as_str(),
            model: &model.model,
            delivery: &delivery_json,
        };
        if !media::finish(conn, answer_id, &done).await? {
            return Ok(());
        }
        interviews::publish(conn, interview.id, InterviewEventKind::TranscriptFinal, answer_id).await?;
        evaluate_answer::enqueue(conn, answer_id, None, None).await?;
        check_answer_similarity::enqueue(conn, answer_id).await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Saves the segments heard so far and announces them.
async fn save_partial(
    service: &Service,
    interview: viva_domain::InterviewId,
    answer: AnswerId,
    segments: &[TranscriptSegment],
) -> ServiceResult<()> {
    let json = serde_json::to_value(segments).map_err(ServiceError::internal)?;
    let mut conn = service.pool.get().await?;
    if media::set_partial(&mut conn, answer, &json).await? {
        interviews::publish(&mut conn, interview, InterviewEventKind::TranscriptPartial, answer).await?;
    }
    Ok(())
}

/// Fails the transcript with `reason`, announces it, and lets the answer be evaluated on what
/// was typed.
async fn fail(service: &Service, answer_id: AnswerId, reason: &str) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let Some(answer) = interviews::find_answer(conn, answer_id).await? else { return Ok(()) };
        let Some(interview) = interviews::lock(conn, answer.interview_id).await? else { return Ok(()) };
        if !media::fail(conn, answer_id, reason).await? {
            return Ok(());
        }
        interviews::publish(conn, interview.id, InterviewEventKind::TranscriptFailed, answer_id).await?;
        evaluate_answer::enqueue(conn, answer_id, None, None).await?;
        Ok(())
    })
    .await
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
