//! Whisper on candle against faster-whisper, on the very same CTranslate2 files: the spoken
//! fixtures transcribed greedily on 2 threads by both, word error rate and real-time factor
//! (transcription time over audio time; lower is faster) for tiny.en and base, side by side.
//!
//!   cargo bench -p viva-whisper --bench whisper
//!
//! Needs both models (`scripts/fetch-whisper.sh` and `scripts/fetch-whisper.sh base`) and,
//! for the reference, faster-whisper in the Python venv of `scripts/python-env.sh` (or a
//! Python named by `VIVA_REFERENCE_PYTHON`); without it only candle's figures are printed.
//! `VIVA_BENCH_REPEAT` sets the timed passes (default 3): candle and faster-whisper take turns,
//! and each clip's fastest run counts; a warm-up run's text is the one scored. Both sides get
//! their audio from ffmpeg.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use viva_media::{AudioDecoder, DecodeLimits};
use viva_whisper::wer::{normalized_words, word_errors};
use viva_whisper::{Model, Options};

const THREADS: usize = 2;

/// The `viva` binary's allocator, so that tensors are allocated as in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Clip {
    path: PathBuf,
    text: String,
    pcm: Vec<f32>,
}

/// One engine's results on one model.
struct Run {
    texts: Vec<String>,
    wall: Vec<f64>,
}

fn fixtures() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    ["teamwork.wav", "database.webm", "conflict.ogg", "project.ogg"]
        .iter()
        .map(|name| {
            let stem = name.split('.').next().unwrap();
            let text = std::fs::read_to_string(dir.join(format!("{stem}.txt"))).unwrap();
            (dir.join(name), text.trim().to_owned())
        })
        .collect()
}

/// Corpus word error rate: all clips' edits over all reference words.
fn wer(clips: &[Clip], texts: &[String]) -> f64 {
    let (errors, words) = clips.iter().zip(texts).fold((0, 0), |(e, w), (clip, text)| {
        let reference = normalized_words(&clip.text);
        (e + word_errors(&reference, &normalized_words(text)), w + reference.len())
    });
    errors as f64 / words as f64
}

fn rtf(clips: &[Clip], wall: &[f64]) -> f64 {
    wall.iter().sum::<f64>() / clips.iter().map(|c| c.pcm.len() as f64 / 16_000.0).sum::<f64>()
}

fn load(dir: &Path) -> Model {
    let started = Instant::now();
    let model =
        Model::load(dir, Options { threads: THREADS, ..Options::default() }).expect("the model loads");
    println!("  candle: loaded {} in {:.2} s", model.name(), started.elapsed().as_secs_f64());
    model
}

/// One timed pass of candle over the clips (after a warm-up whose texts are scored).
fn candle_pass(model: &mut Model, clips: &[Clip], run: &mut Run) {
    for (i, clip) in clips.iter().enumerate() {
        if run.texts.len() <= i {
            run.texts.push(model.transcribe_pcm(&clip.pcm, None, &mut |_| {}).expect("transcribes").text);
            run.wall.push(f64::INFINITY);
        }
        let started = Instant::now();
        model.transcribe_pcm(&clip.pcm, None, &mut |_| {}).expect("transcribes");
        run.wall[i] = run.wall[i].min(started.elapsed().as_secs_f64());
    }
}

fn reference_python() -> Option<PathBuf> {
    if let Some(python) = std::env::var_os("VIVA_REFERENCE_PYTHON") {
        return Some(PathBuf::from(python));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(root.join("scripts/python-env.sh")).output().ok()?;
    if !output.status.success() {
        println!("  (no Python reference: {})", String::from_utf8_lossy(&output.stderr).trim());
        return None;
    }
    Some(PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

/// One pass of faster-whisper over the clips (a warm-up and one timed run each), folded into
/// `run`; `None` when the reference cannot run.
fn faster_whisper_pass(python: &Path, dir: &Path, clips: &[Clip], run: &mut Run) -> Option<()> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/python/whisper_reference.py");
    let output = Command::new(python)
        .arg(script)
        .arg("--model")
        .arg(dir)
        .args(["--threads", &THREADS.to_string(), "--repeat", "1"])
        .args(clips.iter().map(|c| &c.path))
        .output()
        .ok()?;
    if !output.status.success() {
        println!("  faster-whisper failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let results = json["clips"].as_array()?;
    if run.texts.is_empty() {
        println!("  faster-whisper: loaded in {:.2} s", json["load_seconds"].as_f64().unwrap_or(0.0));
        run.texts = results.iter().map(|c| c["text"].as_str().unwrap_or_default().to_owned()).collect();
        run.wall = vec![f64::INFINITY; results.len()];
    }
    for (wall, result) in run.wall.iter_mut().zip(results) {
        *wall = wall.min(result["wall_seconds"].as_f64().unwrap_or(f64::INFINITY));
    }
    Some(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let repeat: usize = std::env::var("VIVA_BENCH_REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let decoder = AudioDecoder::new(env!("CARGO_BIN_EXE_viva-whisper-sandbox"), Vec::<String>::new());
    let mut clips = Vec::new();
    for (path, text) in fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let pcm =
            decoder.decode(&bytes, &DecodeLimits::default()).await.expect("the fixture decodes").samples;
        clips.push(Clip { path, text, pcm });
    }
    let audio: f64 = clips.iter().map(|c| c.pcm.len() as f64 / 16_000.0).sum();
    println!(
        "whisper: {} clips, {audio:.1} s of speech; greedy decoding, {THREADS} threads, fastest of {repeat} alternating passes",
        clips.len()
    );
    let python = reference_python();
    let mut table = Vec::new();
    for model in viva_whisper::MODELS {
        let Some(dir) = viva_whisper::locate(None, model) else {
            println!("{model}: not in the model cache; run scripts/fetch-whisper.sh {model}");
            continue;
        };
        println!("{model} ({})", dir.display());
        // The two take turns, pass after pass, so that whatever else the machine is doing
        // weighs on both alike; each clip's fastest pass counts.
        let mut candle_model = load(&dir);
        let mut ours = Run { texts: Vec::new(), wall: Vec::new() };
        let mut reference = Some(Run { texts: Vec::new(), wall: Vec::new() });
        for _ in 0..repeat {
            candle_pass(&mut candle_model, &clips, &mut ours);
            if let (Some(python), Some(run)) = (python.as_deref(), reference.as_mut())
                && faster_whisper_pass(python, &dir, &clips, run).is_none()
            {
                reference = None;
            }
        }
        let theirs = reference.filter(|r| !r.texts.is_empty());
        for (i, clip) in clips.iter().enumerate() {
            let name = clip.path.file_name().unwrap().to_string_lossy();
            let one = |run: &Run| {
                let wer = wer(std::slice::from_ref(clip), &run.texts[i..=i]);
                format!("WER {wer:.3} RTF {:.3}", run.wall[i] / (clip.pcm.len() as f64 / 16_000.0))
            };
            let reference = theirs.as_ref().map(one).unwrap_or_default();
            println!("  {name:<14} candle {}   faster-whisper {reference}", one(&ours));
            if let Some(theirs) = &theirs
                && theirs.texts[i] != ours.texts[i]
            {
                println!("    candle:         {}\n    faster-whisper: {}", ours.texts[i], theirs.texts[i]);
            }
        }
        table.push((
            model,
            wer(&clips, &ours.texts),
            rtf(&clips, &ours.wall),
            theirs.map(|t| (wer(&clips, &t.texts), rtf(&clips, &t.wall))),
        ));
    }
    println!();
    println!(
        "{:<8} {:>11} {:>11} {:>11} {:>11} {:>10} {:>11}",
        "model", "candle WER", "fw WER", "candle RTF", "fw RTF", "WER diff", "RTF ratio"
    );
    for (model, wer, rtf, reference) in table {
        match reference {
            Some((fw_wer, fw_rtf)) => println!(
                "{model:<8} {wer:>11.3} {fw_wer:>11.3} {rtf:>11.3} {fw_rtf:>11.3} {:>+10.3} {:>10.2}x",
                wer - fw_wer,
                rtf / fw_rtf
            ),
            None => {
                println!("{model:<8} {wer:>11.3} {:>11} {rtf:>11.3} {:>11} {:>10} {:>11}", "-", "-", "-", "-")
            }
        }
    }
    println!("targets: WER within 0.02 of faster-whisper's; RTF at most 1.5x faster-whisper's");
}
