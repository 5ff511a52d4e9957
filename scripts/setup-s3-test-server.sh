#!/usr/bin/env bash
# Installs moto's S3-compatible server (PyPI `moto[server]`, pinned) into a venv outside the
# repository, for the end-to-end test that keeps Viva's files in an S3 bucket. Prints the path of
# its `moto_server` program on stdout; everything else goes to stderr.
#   scripts/setup-s3-test-server.sh              install if missing, print the program
#   scripts/setup-s3-test-server.sh --print-dir  print the program's path without installing
# Exit 0: ready. Exit 1: not, with why on stderr.
set -euo pipefail

MOTO="moto[server]==5.2.5"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/viva/venv-s3"
program="$venv/bin/moto_server"
stamp="$venv/.viva-moto"

fail() {
  echo "setup-s3-test-server: $*" >&2
  exit 1
}

if [ "${1:-}" = "--print-dir" ]; then
  echo "$program"
  exit 0
fi
if [ -x "$program" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$MOTO" ]; then
  echo "$program"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || fail "python3 not found"
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2 || fail "could not create a venv at $venv (on Debian: apt-get install python3-venv)"
fi
echo "setup-s3-test-server: installing $MOTO into $venv" >&2
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q "$MOTO" >&2 \
  || fail "pip install $MOTO failed (is the Python package index reachable?)"
[ -x "$program" ] || fail "$program is missing after the install"
echo "$MOTO" > "$stamp"
echo "$program"
