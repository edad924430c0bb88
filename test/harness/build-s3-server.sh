#!/usr/bin/env bash
# Builds the Versity S3 Gateway (versitygw, an S3 server over a POSIX directory) from Go modules and caches
# it by version, the way build-control-plane.sh caches Kubernetes. Prints the directory that holds the
# binary on its last line of stdout. The versitygw release is pinned here and nowhere else.
set -euo pipefail

VERSITYGW_VERSION="${FURNACE_VERSITYGW_VERSION:-v1.8.0}"
CACHE_ROOT="${FURNACE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/furnace-test}"
BIN_DIR="$CACHE_ROOT/versitygw-$VERSITYGW_VERSION"
PROXY="${GOPROXY:-https://proxy.golang.org}"
PROXY="${PROXY%%,*}"

log() { echo "build-s3-server: $*" >&2; }
die() { echo "build-s3-server: $*" >&2; exit 1; }
# Go from go.dev lives in /usr/local/go, which a non-interactive shell may not have on PATH.
command -v go >/dev/null 2>&1 || [[ ! -x /usr/local/go/bin/go ]] || PATH="/usr/local/go/bin:$PATH"

if [[ -x "$BIN_DIR/versitygw" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null || die "Go is not installed (needed to build versitygw from modules; install Go 1.26 from go.dev)"
command -v curl >/dev/null || die "curl is not installed"

info_url="$PROXY/github.com/versity/versitygw/@v/$VERSITYGW_VERSION.info"
curl -fsS --max-time 60 -o /dev/null "$info_url" ||
  die "cannot fetch $info_url: the Go module proxy is unreachable or does not have versitygw $VERSITYGW_VERSION"

work="$CACHE_ROOT/build-versitygw-$VERSITYGW_VERSION"
mkdir -p "$work" "$BIN_DIR"
start=$(date +%s)
log "building versitygw $VERSITYGW_VERSION (the first build takes a few minutes)"
# `go install module@version` builds with the module's own go.mod and go.sum (checked against the sum
# database), into a GOBIN of our own; the .tmp rename keeps a half-written binary out of the cache.
if ! GOBIN="$work/bin" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
  "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" >"$work/build.log" 2>&1; then
  tail -n 20 "$work/build.log" >&2
  die "go install github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION failed; full log: $work/build.log"
fi
cp "$work/bin/versitygw" "$BIN_DIR/versitygw.tmp"
mv "$BIN_DIR/versitygw.tmp" "$BIN_DIR/versitygw"
log "built in $(( $(date +%s) - start )) s"
echo "$BIN_DIR"
