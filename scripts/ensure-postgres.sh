#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the user `postgres`.
# Starts an installed cluster that is down; on a machine without PostgreSQL, installs Debian's
# package and lets local TCP connections in without a password (a development machine only).
set -euo pipefail

HOST=127.0.0.1
PORT=5432

ready() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT" -U postgres
}

wait_ready() {
  for _ in $(seq 1 60); do
    ready && return 0
    sleep 0.5
  done
  echo "PostgreSQL did not start on $HOST:$PORT" >&2
  return 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

start_clusters() {
  local started=1
  for version in $(ls /etc/postgresql 2>/dev/null); do
    for cluster in $(ls "/etc/postgresql/$version" 2>/dev/null); do
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start 2>/dev/null || true
      started=0
    done
  done
  return $started
}

if ready; then
  exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: installing Debian's postgresql package" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  installed_here=1
fi

if ! start_clusters; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  as_root pg_createcluster "$version" main >/dev/null
  installed_here=1
  start_clusters || true
fi

if [ "${installed_here:-0}" = 1 ]; then
  # A cluster this script created: trust local TCP connections, as the test suite expects.
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    if ! grep -q "viva: trust local tcp" "$hba"; then
      as_root sed -i '1i # viva: trust local tcp (development machine)\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
  done
  for version in $(ls /etc/postgresql); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
  done
fi

wait_ready
echo "PostgreSQL is ready on $HOST:$PORT" >&2
