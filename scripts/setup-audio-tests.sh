#!/usr/bin/env bash
# Prepares what spoken answers need, from Debian's packages:
#   ffmpeg     decodes uploaded audio (WebM/Opus, Ogg, WAV, MP3, MP4, FLAC) in Viva's sandboxed
#              child, at run time and in the tests; the tests also make their own clips with it
#   espeak-ng  speaks the sentences of the committed audio fixtures (scripts/make-audio-fixtures.sh)
# Idempotent: installs only what is missing. Exit 0: ready. Exit 1: not, with why on stderr.
set -euo pipefail

fail() {
  echo "setup-audio-tests: $1" >&2
  exit 1
}

missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
[ "${#missing[@]}" = 0 ] && exit 0

command -v apt-get >/dev/null 2>&1 \
  || fail "${missing[*]} missing and apt-get is not available to install them"
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "${missing[*]} missing; install them as root (apt-get install ${missing[*]})"
  sudo="sudo"
fi
echo "setup-audio-tests: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
  || fail "apt-get could not install ${missing[*]}"
