//! Long-form transcription as OpenAI's `transcribe` (and faster-whisper) do it, decoding
//! greedily: 30 s windows of the log-mel spectrogram, each encoded once and decoded with
//! timestamp tokens; the
//! timestamps split the window's text into segments and say where the next window starts
//! (after the last complete segment, so a sentence cut by the window's end is decoded again
//! whole). Earlier text is the prompt of the next window. A window that is digital silence is
//! skipped without running the model; one the model judges to hold no speech (its no-speech
//! probability over 0.6 with a low average log-probability) gives no segments.

use candle_core::Tensor;
use tokenizers::Tokenizer;
use viva_domain::ai::{Transcript, TranscriptSegment};

use crate::decoder::{DecoderState, TextDecoder};
use crate::encoder::AudioEncoder;
use crate::mel::{HOP, MelSpectrogram, SAMPLE_RATE};
use crate::tokens::SpecialTokens;

/// Mel frames in one window (30 s).
const WINDOW_FRAMES: usize = 3_000;
/// Mel frames per timestamp step (timestamps are 20 ms apart, frames 10 ms).
const FRAMES_PER_TIMESTAMP: usize = 2;
/// Seconds per timestamp step.
const TIMESTAMP_SECONDS: f64 = 0.02;
/// Above this no-speech probability (with a low average log-probability) a window is silent.
const NO_SPEECH_THRESHOLD: f32 = 0.6;
/// The average log-probability under which a likely no-speech window is skipped.
const LOGPROB_THRESHOLD: f32 = -1.0;
/// A window whose root mean square stays under this (−60 dBFS) is silence; the model is not run.
const SILENCE_RMS: f32 = 0.001;
/// The first timestamp may be at most this many steps in (1 s), as in OpenAI's decoder.
const MAX_INITIAL_TIMESTAMP: u32 = 50;

/// What a window decoded to.
struct WindowResult {
    tokens: Vec<u32>,
    avg_logprob: f32,
    no_speech_prob: f32,
}

/// The model's parts that transcription uses.
pub(crate) struct Engine {
    pub(crate) encoder: AudioEncoder,
    pub(crate) decoder: TextDecoder,
    pub(crate) mel: MelSpectrogram,
    pub(crate) tokenizer: Tokenizer,
    pub(crate) tokens: SpecialTokens,
}

fn inference(e: candle_core::Error) -> String {
    format!("inference failed: {e}")
}

impl Engine {
    /// Transcribes 16 kHz mono samples, handing each segment to `on_segment` as it is decoded
    /// and giving up between windows once `keep_going` says so.
    pub(crate) fn transcribe(
        &mut self,
        pcm: &[f32],
        language: Option<&str>,
        on_segment: &mut (dyn FnMut(&TranscriptSegment) + Send),
        keep_going: &(dyn Fn() -> bool + Sync),
    ) -> Result<Transcript, String> {
        let duration = pcm.len() as f64 / SAMPLE_RATE as f64;
        let content_frames = pcm.len() / HOP;
        let mut segments: Vec<TranscriptSegment> = Vec::new();
        let mut language_token = match (self.tokens.multilingual(), language) {
            (true, Some(code)) => self.tokens.language_token(code),
            _ => None,
        };
        // Computed on the first window with sound, as most recordings are a single window.
        let mut mel: Option<Tensor> = None;
        let mut history: Vec<u32> = Vec::new();
        let mut seek = 0;
        while seek < content_frames {
            if !keep_going() {
                return Err("transcription abandoned: nobody is waiting for it".to_owned());
            }
            let window_frames = WINDOW_FRAMES.min(content_frames - seek);
            let samples = &pcm[seek * HOP..((seek + window_frames) * HOP).min(pcm.len())];
            if rms(samples) < SILENCE_RMS {
                seek += window_frames;
                continue;
            }
            let mel = match &mut mel {
                Some(mel) => mel,
                None => mel.insert(self.mel.compute(pcm, HOP).map_err(inference)?),
            };
            // A short window is padded in the normalised log-mel domain, with zeros, as
            // faster-whisper does (OpenAI pads the audio instead); the weights are the ones
            // faster-whisper runs, and on short clips the two paddings give different words.
            let window = mel
                .narrow(1, seek, window_frames)
                .and_then(|m| m.pad_with_zeros(1, 0, WINDOW_FRAMES - window_frames))
                .and_then(|m| m.unsqueeze(0))
                .map_err(inference)?;
            let audio = self.encoder.forward(&window).map_err(inference)?;
            if self.tokens.multilingual() && language_token.is_none() {
                language_token = Some(self.detect_language(&audio)?);
            }
            let result = self.decode_window(&audio, language_token, &history)?;
            if result.no_speech_prob > NO_SPEECH_THRESHOLD && result.avg_logprob < LOGPROB_THRESHOLD {
                seek += window_frames;
                continue;
            }
            let offset = seek as f64 * HOP as f64 / SAMPLE_RATE as f64;
            let (found, advance, consumed) = self.segments(&result.tokens, offset, window_frames);
            for segment in found {
                let segment = TranscriptSegment {
                    start: segment.start.min(duration),
                    end: segment.end.min(duration).max(segment.start.min(duration)),
                    text: segment.text,
                };
                on_segment(&segment);
                segments.push(segment);
            }
            // The prompt of the next window is the text kept, not a cut-off tail decoded again.
            history.extend(&result.tokens[..consumed]);
            seek += advance.clamp(1, window_frames);
        }
        let text = segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
        let language = match language_token {
            Some(t) => self.tokens.languages.get(&t).cloned(),
            None if !self.tokens.multilingual() => Some("en".to_owned()),
            None => None,
        };
        Ok(Transcript { text, language, duration_seconds: Some(duration), segments })
    }

    /// The most likely language token of a window.
    fn detect_language(&self, audio: &Tensor) -> Result<u32, String> {
        let mut state = self.decoder.start(audio).map_err(inference)?;
        let hidden = self.decoder.step(&[self.tokens.sot], &mut state).map_err(inference)?;
        let logits = self.decoder.logits(&hidden, 0).map_err(inference)?;
        self.tokens
            .languages
            .keys()
            .copied()
            .filter(|t| (*t as usize) < logits.len())
            .max_by(|a, b| logits[*a as usize].total_cmp(&logits[*b as usize]))
            .ok_or_else(|| "the model knows no languages".to_owned())
    }

    /// Greedy decoding of one window after a prompt of earlier text.
    fn decode_window(
        &self,
        audio: &Tensor,
        language: Option<u32>,
        history: &[u32],
    ) -> Result<WindowResult, String> {
        let max_tokens = self.decoder.max_tokens();
        let mut prompt = Vec::with_capacity(max_tokens / 2 + 4);
        if !history.is_empty() {
            prompt.push(self.tokens.sot_prev);
            let keep = history.len().min(max_tokens / 2 - 1);
            prompt.extend(&history[history.len() - keep..]);
        }
        let sot_index = prompt.len();
        prompt.push(self.tokens.sot);
        if self.tokens.multilingual() {
            prompt.extend(language);
            prompt.push(self.tokens.transcribe);
        }
        let mut state: DecoderState = self.decoder.start(audio).map_err(inference)?;
        let hidden = self.decoder.step(&prompt, &mut state).map_err(inference)?;
        let no_speech_prob = {
            let logits = self.decoder.logits(&hidden, sot_index).map_err(inference)?;
            softmax_at(&logits, self.tokens.no_speech as usize)
        };
        let mut logits = self.decoder.logits(&hidden, prompt.len() - 1).map_err(inference)?;
        let mut tokens: Vec<u32> = Vec::new();
        let mut sum_logprob = 0f32;
        let sample_len = max_tokens / 2;
        for _ in 0..sample_len {
            self.filter(&mut logits, &tokens);
            let (next, logprob) = argmax_logprob(&logits);
            sum_logprob += logprob;
            if next == self.tokens.eot || state.len() >= max_tokens {
                break;
            }
            tokens.push(next);
            let hidden = self.decoder.step(&[next], &mut state).map_err(inference)?;
            logits = self.decoder.logits(&hidden, 0).map_err(inference)?;
        }
        let avg_logprob = sum_logprob / (tokens.len() + 1) as f32;
        Ok(WindowResult { tokens, avg_logprob, no_speech_prob })
    }

    /// OpenAI's logit filters for greedy decoding with timestamps: suppressed tokens, no blank
    /// start, timestamps in pairs and never going back, a first timestamp within 1 s, and a
    /// timestamp whenever all timestamps together are likelier than any single text token.
    fn filter(&self, logits: &mut [f32], sampled: &[u32]) {
        let t = &self.tokens;
        let ts = t.timestamp_begin as usize;
        let mut ban = |range: std::ops::Range<usize>| {
            let end = range.end.min(logits.len());
            logits[range.start.min(end)..end].fill(f32::NEG_INFINITY);
        };
        for &s in &t.suppress {
            ban(s as usize..s as usize + 1);
        }
        // Every special token between the end of text and the timestamps (start of transcript,
        // languages, tasks, no-timestamps) is the prompt's, never the output's.
        ban(t.eot as usize + 1..ts);
        if sampled.is_empty() {
            for &s in &t.suppress_begin {
                ban(s as usize..s as usize + 1);
            }
        }
        let is_ts = |tok: u32| tok >= t.timestamp_begin;
        let last_was_ts = sampled.last().is_some_and(|&tok| is_ts(tok));
        let penultimate_was_ts = sampled.len() < 2 || is_ts(sampled[sampled.len() - 2]);
        if last_was_ts {
            if penultimate_was_ts {
                ban(ts..usize::MAX);
            } else {
                ban(0..t.eot as usize);
            }
        }
        if let Some(&last_ts) = sampled.iter().rev().find(|&&tok| is_ts(tok)) {
            let floor = if last_was_ts && !penultimate_was_ts { last_ts } else { last_ts + 1 };
            ban(ts..floor as usize);
        }
        if sampled.is_empty() {
            ban(0..ts);
            ban(ts + MAX_INITIAL_TIMESTAMP as usize + 1..usize::MAX);
        }
        let ts = ts.min(logits.len());
        let (log_z, _) = log_sum_exp(logits);
        let timestamps = log_sum_exp(&logits[ts..]).0 - log_z;
        let best_text = logits[..ts].iter().copied().fold(f32::NEG_INFINITY, f32::max) - log_z;
        if timestamps > best_text {
            logits[..ts].fill(f32::NEG_INFINITY);
        }
    }

    /// Splits a window's tokens into segments at pairs of timestamps; returns them, how many
    /// frames to move on and how many of the tokens they used.
    fn segments(
        &self,
        tokens: &[u32],
        offset: f64,
        window_frames: usize,
    ) -> (Vec<TranscriptSegment>, usize, usize) {
        let begin = self.tokens.timestamp_begin;
        let is_ts = |t: &u32| *t >= begin;
        let seconds = |t: u32| offset + f64::from(t - begin) * TIMESTAMP_SECONDS;
        let mut out = Vec::new();
        let single_ending =
            tokens.len() >= 2 && !is_ts(&tokens[tokens.len() - 2]) && is_ts(&tokens[tokens.len() - 1]);
        let mut cuts: Vec<usize> =
            (1..tokens.len()).filter(|&i| is_ts(&tokens[i - 1]) && is_ts(&tokens[i])).collect();
        if cuts.is_empty() {
            let end = tokens
                .iter()
                .rev()
                .find(|t| is_ts(t))
                .filter(|&&t| t != begin)
                .map_or(offset + window_frames as f64 * HOP as f64 / SAMPLE_RATE as f64, |&t| seconds(t));
            if let Some(segment) = self.segment(tokens, offset, end) {
                out.push(segment);
            }
            return (out, window_frames, tokens.len());
        }
        if single_ending {
            cuts.push(tokens.len());
        }
        let mut last = 0;
        for &cut in &cuts {
            let slice = &tokens[last..cut];
            if let (Some(&first), Some(&end)) = (slice.first(), slice.last())
                && is_ts(&first)
                && is_ts(&end)
                && let Some(segment) = self.segment(slice, seconds(first), seconds(end))
            {
                out.push(segment);
            }
            last = cut;
        }
        let advance = if single_ending {
            window_frames
        } else {
            tokens
                .get(last.wrapping_sub(1))
                .filter(|t| is_ts(t))
                .map_or(window_frames, |&t| (t - begin) as usize * FRAMES_PER_TIMESTAMP)
        };
        (out, advance, last)
    }

    /// A segment of the text tokens among `tokens`, unless they say nothing.
    fn segment(&self, tokens: &[u32], start: f64, end: f64) -> Option<TranscriptSegment> {
        let text_tokens: Vec<u32> = tokens.iter().copied().filter(|&t| t < self.tokens.eot).collect();
        let text = self.tokenizer.decode(&text_tokens, true).ok()?;
        let text = text.trim();
        (!text.is_empty()).then(|| TranscriptSegment { start, end: end.max(start), text: text.to_owned() })
    }
}

fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|s| f64::from(*s) * f64::from(*s)).sum();
    (sum / samples.len() as f64).sqrt() as f32
}

/// `log Σ exp(x)` and the maximum.
fn log_sum_exp(values: &[f32]) -> (f32, f32) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        return (f32::NEG_INFINITY, max);
    }
    let sum: f32 = values.iter().map(|v| (v - max).exp()).sum();
    (max + sum.ln(), max)
}

fn softmax_at(logits: &[f32], index: usize) -> f32 {
    let (log_z, _) = log_sum_exp(logits);
    logits.get(index).map_or(0.0, |v| (v - log_z).exp())
}

/// The likeliest token and its log-probability.
fn argmax_logprob(logits: &[f32]) -> (u32, f32) {
    let (log_z, _) = log_sum_exp(logits);
    let (index, value) = logits
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| if v > best.1 { (i, v) } else { best });
    (index as u32, value - log_z)
}
