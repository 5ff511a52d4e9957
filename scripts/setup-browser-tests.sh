#!/usr/bin/env bash
# Prepares what the browser tests need, outside the repository: Debian's Chromium, and
# playwright-core from the npm registry (it drives that Chromium; its own browser download is
# never used), plus GraphiQL's assets. Also graphql-http (with its peer graphql), whose
# serverAudits tests/browser/graphql-http-audit.cjs runs against a live server.
#
#   scripts/setup-browser-tests.sh              install what is missing
#   scripts/setup-browser-tests.sh --print-dir  print where playwright-core is installed
#
# playwright-core, graphql-http and graphql go into
# ${XDG_CACHE_HOME:-$HOME/.cache}/viva/browser-tests/node_modules.
# Exit 0: ready. Exit 1: not, with one line on stderr saying why.
set -euo pipefail

PLAYWRIGHT_VERSION="1.65.1"
GRAPHQL_HTTP_VERSION="1.23.1"
GRAPHQL_VERSION="16.15.0"
dir="${XDG_CACHE_HOME:-$HOME/.cache}/viva/browser-tests"

case "${1:-}" in
  "") ;;
  --print-dir)
    echo "$dir"
    exit 0
    ;;
  *)
    echo "usage: $0 [--print-dir]" >&2
    exit 2
    ;;
esac

fail() {
  echo "setup-browser-tests: $1" >&2
  exit 1
}

if ! command -v chromium >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || fail "chromium is missing and apt-get is not available to install it"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "chromium is missing; install Debian's chromium package (as root)"
    sudo="sudo"
  fi
  echo "setup-browser-tests: installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y --no-install-recommends chromium >/dev/null; } \
    || fail "apt-get could not install chromium"
fi

command -v node >/dev/null 2>&1 || fail "node is not installed (Debian: apt-get install nodejs npm)"
installed="$(node -p "require('$dir/node_modules/playwright-core/package.json').version" 2>/dev/null || true)"
if [ "$installed" != "$PLAYWRIGHT_VERSION" ]; then
  command -v npm >/dev/null 2>&1 || fail "npm is not installed (Debian: apt-get install npm)"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
  # playwright-core has no install script and downloads no browser.
  (cd "$dir" && npm install --silent --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null) \
    || fail "npm could not install playwright-core@$PLAYWRIGHT_VERSION into $dir"
fi

installed_http="$(node -p "require('$dir/node_modules/graphql-http/package.json').version" 2>/dev/null || true)"
installed_graphql="$(node -p "require('$dir/node_modules/graphql/package.json').version" 2>/dev/null || true)"
if [ "$installed_http" != "$GRAPHQL_HTTP_VERSION" ] || [ "$installed_graphql" != "$GRAPHQL_VERSION" ]; then
  command -v npm >/dev/null 2>&1 || fail "npm is not installed (Debian: apt-get install npm)"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
  # Neither has an install script; graphql is graphql-http's peer dependency.
  (cd "$dir" && npm install --silent --no-audit --no-fund \
    "graphql-http@$GRAPHQL_HTTP_VERSION" "graphql@$GRAPHQL_VERSION" >/dev/null) \
    || fail "npm could not install graphql-http@$GRAPHQL_HTTP_VERSION and graphql@$GRAPHQL_VERSION into $dir"
fi

"$(dirname "$0")/fetch-graphiql.sh" || fail "GraphiQL's assets are missing"
