#!/usr/bin/env bash
# Builds CoreDNS (the cluster DNS of the test node) from Go modules and caches it by version. Only the plugins
# a cluster's DNS needs are compiled in (kubernetes, cache, errors, health, ready, log): the node reaches no
# upstream resolver, and the full plugin set would pull every cloud SDK into the build.
# Prints the directory that holds the binary on its last line of stdout. The version is pinned in versions.sh.
set -euo pipefail

# shellcheck source=./versions.sh
source "$(dirname "$0")/versions.sh"
CACHE_ROOT="${FURNACE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/furnace-test}"
BIN_DIR="$CACHE_ROOT/coredns-$COREDNS_VERSION"

log() { echo "build-coredns: $*" >&2; }
die() { echo "build-coredns: $*" >&2; exit 1; }
command -v go >/dev/null 2>&1 || [[ ! -x /usr/local/go/bin/go ]] || PATH="/usr/local/go/bin:$PATH"

if [[ -x "$BIN_DIR/coredns" ]]; then
  echo "$BIN_DIR"
  exit 0
fi
command -v go >/dev/null || die "Go is not installed (needed to build CoreDNS from modules)"

work="$CACHE_ROOT/build-coredns-$COREDNS_VERSION"
mkdir -p "$work" "$BIN_DIR"
cat >"$work/go.mod" <<MOD
module furnace.test/coredns

go 1.26.0

require github.com/coredns/coredns $COREDNS_VERSION
MOD
cat >"$work/main.go" <<'GO'
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() { coremain.Run() }
GO

cd "$work"
log "resolving modules for CoreDNS $COREDNS_VERSION"
if ! go mod tidy >"$work/tidy.log" 2>&1; then
  tail -n 20 "$work/tidy.log" >&2
  die "go mod tidy failed (is the Go module proxy reachable?); full log: $work/tidy.log"
fi
start=$(date +%s)
log "building coredns"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/coredns.tmp" .
mv "$BIN_DIR/coredns.tmp" "$BIN_DIR/coredns"
log "built in $(( $(date +%s) - start )) s"
echo "$BIN_DIR"
