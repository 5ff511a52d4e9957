#!/usr/bin/env bash
# Writes the spoken-answer fixtures of the transcription tests and benchmark
# (providers/whisper/tests/fixtures): interview answers with known text, spoken by espeak-ng and
# encoded by ffmpeg the ways recordings reach Viva: WAV (16-bit PCM), WebM/Opus (what browsers'
# MediaRecorder writes) and Ogg/Opus. The expected text of each clip is written next to it as
# <name>.txt. Installs espeak-ng and ffmpeg from Debian's packages when they are missing
# (scripts/setup-audio-tests.sh).
#
#   scripts/make-audio-fixtures.sh [OUT_DIR]
#
# Deterministic for a given espeak-ng and ffmpeg; the committed files are what the tests read,
# so rerun this only to change the set.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/providers/whisper/tests/fixtures}"

fail() {
  echo "make-audio-fixtures: $1" >&2
  exit 1
}

"$root/scripts/setup-audio-tests.sh" || fail "espeak-ng and ffmpeg are needed (scripts/setup-audio-tests.sh installs them)"

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# name|format|voice|words per minute|text
clips=(
  "teamwork|wav|en-us|150|In my last role I led a team of four engineers. We shipped the new billing system two weeks ahead of schedule."
  "database|webm|en-gb|145|I would add an index on the customer column and check the query plan before and after the change."
  "conflict|ogg|en-us|155|When two colleagues disagreed about the design, I asked each of them to write down their goals. Then we chose the option that met both."
  "project|ogg|en-gb|150|The project I am proudest of is a search service for our support team. It started as a small prototype that I built over a weekend. Within a month, every agent used it to find old tickets, and the average time to answer a customer fell by a third. I learned that talking to the people who will use a tool is worth more than any amount of planning. Later we moved it to the cloud and added monitoring, so that the whole team could rely on it during the busiest season of the year. Next year I would like to lead the design of a new product from the very first sketch to its launch."
)

for clip in "${clips[@]}"; do
  IFS='|' read -r name format voice wpm text <<<"$clip"
  espeak-ng -v "$voice" -s "$wpm" -w "$work/$name.raw.wav" "$text" || fail "espeak-ng could not speak $name"
  case "$format" in
    wav) args=(-ar 16000 -ac 1 -c:a pcm_s16le -fflags +bitexact -flags:a +bitexact) ;;
    webm) args=(-ar 48000 -ac 1 -c:a libopus -b:a 24k -f webm -fflags +bitexact -flags:a +bitexact) ;;
    ogg) args=(-ar 48000 -ac 1 -c:a libopus -b:a 24k -f ogg -fflags +bitexact -flags:a +bitexact) ;;
  esac
  ffmpeg -nostdin -hide_banner -loglevel error -y -i "$work/$name.raw.wav" -map_metadata -1 "${args[@]}" \
    "$out/$name.$format" || fail "ffmpeg could not encode $name as $format"
  printf '%s\n' "$text" >"$out/$name.txt"
done
echo "make-audio-fixtures: wrote ${#clips[@]} clips to $out ($(du -sh "$out" | cut -f1))"
