"""faster-whisper on the spoken-answer clips: the reference the candle Whisper provider is
measured against (benches/whisper.rs runs this and prints both side by side).

Loads the very same CTranslate2 directory the provider reads, decodes each clip to 16 kHz mono
with ffmpeg (as Viva does), transcribes it greedily (beam_size=1, temperature 0, no VAD) on the
given number of CPU threads, and prints one JSON object on stdout:
  {"model": DIR, "compute_type": ..., "threads": N, "clips": [{"name", "seconds", "text",
   "wall_seconds"}], "load_seconds": ...}
Word error rates are computed by the Rust side, so both use one normalisation.

  python whisper_reference.py --model DIR --threads 2 CLIP [CLIP ...]
"""

import argparse
import json
import subprocess
import sys
import time

import numpy as np
from faster_whisper import WhisperModel


def decode(path: str) -> np.ndarray:
    """16 kHz mono float32 PCM of any file ffmpeg reads."""
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", path,
         "-ac", "1", "-ar", "16000", "-f", "f32le", "-"],
        check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.float32).copy()


def transcribe(model: WhisperModel, audio: np.ndarray) -> str:
    segments, _info = model.transcribe(
        audio,
        beam_size=1,
        best_of=1,
        temperature=0.0,
        vad_filter=False,
        condition_on_previous_text=True,
        without_timestamps=False,
    )
    # The generator decodes lazily: consuming it is the transcription.
    return " ".join(s.text.strip() for s in segments).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a CTranslate2 Whisper directory")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compute-type", default="float32")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per clip (the fastest counts)")
    parser.add_argument("clips", nargs="+")
    args = parser.parse_args()

    started = time.perf_counter()
    model = WhisperModel(args.model, device="cpu", compute_type=args.compute_type,
                         cpu_threads=args.threads, num_workers=1)
    load_seconds = time.perf_counter() - started
    clips = []
    for path in args.clips:
        audio = decode(path)
        text = transcribe(model, audio)  # warm-up, and the text scored
        best = float("inf")
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            transcribe(model, audio)
            best = min(best, time.perf_counter() - t0)
        clips.append({"name": path, "seconds": len(audio) / 16000.0, "text": text, "wall_seconds": best})
    json.dump({"model": args.model, "compute_type": args.compute_type, "threads": args.threads,
               "load_seconds": load_seconds, "clips": clips}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
