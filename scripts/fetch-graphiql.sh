#!/usr/bin/env bash
# Makes sure GraphiQL's scripts and styles are on this machine, outside the repository, so that
# Viva serves its console itself (it works without internet access).
#
#   scripts/fetch-graphiql.sh              fetch the assets if they are missing
#   scripts/fetch-graphiql.sh --print-dir  print the assets directory and exit
#
# Directory: $VIVA_GRAPHIQL_ASSETS, else ${XDG_CACHE_HOME:-$HOME/.cache}/viva/graphiql.
# The files come from the npm registry's releases of graphiql, react, react-dom and graphql-ws,
# taken with `npm pack` (which checks each tarball against the registry's integrity), checked
# again against the integrity pinned below, and unpacked; only the five browser bundles are kept.
# Exit 0: the assets are there. Exit 1: they are not, with one line on stderr saying why; the
# console page then says how to get them, and the API is unaffected.
set -euo pipefail

# package@version, the sha512 integrity npm reports for its tarball, the file inside, and the
# name it is served under.
ASSETS=(
  "graphiql@3.9.0|sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA==|package/graphiql.min.js|graphiql.min.js"
  "graphiql@3.9.0|sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA==|package/graphiql.min.css|graphiql.min.css"
  "react@18.3.1|sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==|package/umd/react.production.min.js|react.production.min.js"
  "react-dom@18.3.1|sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==|package/umd/react-dom.production.min.js|react-dom.production.min.js"
  "graphql-ws@5.16.2|sha512-E1uccsZxt/96jH/OwmLPuXMACILs76pKF2i3W861LpKBCYtGIyPQGtWLuBLkND4ox1KHns70e83PS4te50nvPQ==|package/umd/graphql-ws.min.js|graphql-ws.min.js"
)
MARKER=".viva-graphiql"
# Bump when ASSETS changes, so existing caches are refreshed.
MARKER_CONTENT="graphiql@3.9.0 react@18.3.1 react-dom@18.3.1 graphql-ws@5.16.2"

dir="${VIVA_GRAPHIQL_ASSETS:-${XDG_CACHE_HOME:-$HOME/.cache}/viva/graphiql}"

case "${1:-}" in
  "") ;;
  --print-dir)
    echo "$dir"
    exit 0
    ;;
  -h | --help)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: $0 [--print-dir]" >&2
    exit 2
    ;;
esac

fail() {
  echo "fetch-graphiql: could not fetch GraphiQL's assets into $dir: $1; /graphiql will say how to get them (the API is unaffected)" >&2
  exit 1
}

complete() {
  [ "$(cat "$1/$MARKER" 2>/dev/null || true)" = "$MARKER_CONTENT" ] || return 1
  local entry
  for entry in "${ASSETS[@]}"; do
    [ -s "$1/${entry##*|}" ] || return 1
  done
}

if complete "$dir"; then
  exit 0
fi

command -v npm >/dev/null 2>&1 || fail "npm is not installed (Debian: apt-get install npm)"
command -v tar >/dev/null 2>&1 || fail "tar is not installed"

mkdir -p "$(dirname "$dir")" || fail "cannot create $(dirname "$dir")"
work="$(mktemp -d "$(dirname "$dir")/.graphiql-fetch.XXXXXX")" || fail "cannot create a staging directory"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/packs" "$work/unpacked" "$work/assets"

declare -A packed=()
for entry in "${ASSETS[@]}"; do
  IFS='|' read -r spec integrity inner name <<<"$entry"
  if [ -z "${packed[$spec]:-}" ]; then
    json="$(cd "$work/packs" && npm pack "$spec" --json --silent 2>"$work/npm.log")" \
      || fail "npm pack $spec failed: $(tail -n 1 "$work/npm.log")"
    got="$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["integrity"])' 2>/dev/null)" \
      || fail "npm pack $spec printed no integrity"
    [ "$got" = "$integrity" ] || fail "$spec has integrity $got, expected $integrity"
    file="$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["filename"])')"
    mkdir -p "$work/unpacked/$spec"
    tar -xzf "$work/packs/$file" -C "$work/unpacked/$spec" || fail "cannot unpack $file"
    packed[$spec]=1
  fi
  [ -s "$work/unpacked/$spec/$inner" ] || fail "$spec has no $inner"
  cp "$work/unpacked/$spec/$inner" "$work/assets/$name"
done
printf '%s' "$MARKER_CONTENT" >"$work/assets/$MARKER"

rm -rf "$dir.old"
[ -e "$dir" ] && mv "$dir" "$dir.old"
mv "$work/assets" "$dir" || fail "cannot move the assets into place"
rm -rf "$dir.old"
echo "fetch-graphiql: GraphiQL's assets are in $dir" >&2
