#!/usr/bin/env bash
# Prepares what spoken answers need, from Debian's packages:
#   ffmpeg     decodes uploaded audio (WebM/Opus, Ogg, WAV, MP3, MP4, FLAC) in Viva's sandboxed
#              child, at run time and in the tests; the tests also make their own clips with it
#   espeak-ng  speaks the sentences of the committed audio fixtures (scripts/make-audio-fixtures.sh)
# Idempotent: installs only what is missing. Exit 0: ready. Exit 1: not, with why on stderr.
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
[ "${#missing[@]}" = 0 ] && exit 0

exec "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" setup-audio-tests "${missing[@]}"
