# Shared by scripts/fetch-model.sh and scripts/fetch-whisper.sh, which source it after defining
# fail() (their one-line reason, then exit 1).

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# One line of reason from a failed command's log: its last line that says ERROR, else its last line.
reason_from() {
  local line
  line="$(grep -E 'ERROR|Error' "$1" | tail -n 1 || true)"
  [ -n "$line" ] || line="$(grep -v '^[[:space:]]*$' "$1" | tail -n 1 || true)"
  printf '%s' "${line:-no output}" | tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//' | cut -c1-300
}

# Checks python3 and pip, creates the target's parent ($parent) and a scratch directory
# ($work); $stage (empty here) is the caller's half-built model directory. Both are removed at
# exit.
prepare_fetch() {
  command -v python3 >/dev/null 2>&1 || fail "python3 is not installed"
  python3 -m pip --version >/dev/null 2>&1 || fail "pip is not available for python3 (on Debian: apt-get install python3-pip)"
  parent="$(dirname "$1")"
  mkdir -p "$parent" 2>/dev/null || fail "cannot create $parent"
  work="$(mktemp -d)"
  stage=""
  trap cleanup_fetch EXIT
}

cleanup_fetch() {
  rm -rf "$work"
  if [ -n "$stage" ]; then rm -rf "$stage"; fi
}
