#!/usr/bin/env bash
# Creates (or updates) the Python venv used by the embedding reference tooling and prints the
# path of its python on stdout; everything else goes to stderr, so callers can do
#   py="$(scripts/python-env.sh)" && "$py" scripts/python/parity_reference.py --model DIR
# The venv lives outside the repository, at ${XDG_CACHE_HOME:-$HOME/.cache}/viva/venv. A stamp
# file inside it records the sha256 of scripts/python/requirements.txt; when it matches, nothing
# is installed and the script only prints the path.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$root/scripts/python/requirements.txt"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/viva/venv"
py="$venv/bin/python"
stamp="$venv/.viva-requirements.sha256"

fail() {
  echo "python-env: $*" >&2
  exit 1
}

command -v python3 >/dev/null 2>&1 || fail "python3 not found; install Python 3.10+ (e.g. apt-get install python3 python3-venv)"
[ -f "$requirements" ] || fail "missing $requirements"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"

if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$py"
  exit 0
fi

if [ ! -x "$py" ]; then
  echo "python-env: creating venv at $venv" >&2
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2 || fail "could not create a venv at $venv (on Debian: apt-get install python3-venv)"
fi

echo "python-env: installing $(grep -cv '^\s*\(#\|$\)' "$requirements") pinned requirements into $venv (torch is large; first run takes a few minutes)" >&2
rm -f "$stamp"
"$py" -m pip install --disable-pip-version-check --no-input -q -r "$requirements" >&2 \
  || fail "pip install -r $requirements failed (is the Python package index reachable?)"
echo "$want" > "$stamp"
echo "$py"
