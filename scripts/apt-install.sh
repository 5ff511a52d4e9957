#!/usr/bin/env bash
# Installs Debian packages for one of the setup scripts, as root or through sudo, refreshing the
# package lists only when a first try fails. Messages start with the caller's name.
#   scripts/apt-install.sh CALLER PACKAGE...
# Exit 0: installed. Exit 1: not, with why on stderr.
set -euo pipefail

caller="$1"
shift
fail() {
  echo "$caller: $1" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "$* missing and apt-get is not available to install them"
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "$* missing; install them as root (apt-get install $*)"
  sudo="sudo"
fi
echo "$caller: installing $*" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 \
  || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y --no-install-recommends "$@" >/dev/null; } \
  || fail "apt-get could not install $*"
