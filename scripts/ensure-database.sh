#!/usr/bin/env bash
# Creates the database named in VIVA_DATABASE_URL if it does not exist yet.
set -euo pipefail
url="${VIVA_DATABASE_URL:?VIVA_DATABASE_URL is not set}"
name="${url##*/}"
name="${name%%\?*}"
server="${url%/*}/postgres"
if ! psql "$server" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
  psql "$server" -qc "CREATE DATABASE \"$name\""
  echo "created database $name" >&2
fi
