#!/usr/bin/env bash
# Prints the environment `make run` serves with. The access-token signing key is generated once
# per machine and kept outside the repository, so sessions survive restarts of the dev server.
set -euo pipefail
state="${XDG_STATE_HOME:-$HOME/.local/state}/viva"
mkdir -p "$state"
if [ ! -s "$state/jwt-secret" ]; then
  (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' > "$state/jwt-secret")
fi
echo "export VIVA_ENVIRONMENT=development"
echo "export VIVA_DATABASE_URL=${VIVA_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/viva}"
echo "export VIVA_LISTEN=${VIVA_LISTEN:-127.0.0.1:8000}"
echo "export VIVA_JWT_SECRET=$(cat "$state/jwt-secret")"
