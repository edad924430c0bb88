#!/usr/bin/env bash
# Installs what the test tiers need, or fails with one line naming what is missing.
# Idempotent and quick when everything is already there. With --system, only the machine's part (Debian
# packages, tracefs, br_netfilter), not the npm dependencies and the UI bundle.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "furnace test setup: $*" >&2; exit 1; }
# Go from go.dev lives in /usr/local/go, which a non-interactive shell may not have on PATH.
command -v go >/dev/null 2>&1 || [[ ! -x /usr/local/go/bin/go ]] || PATH="/usr/local/go/bin:$PATH"

# Every command the tests start is a row of test/commands.tsv (the harness refuses any other): a `debian`
# row whose command is missing is installed from its package; a missing `machine` row is not ours to
# install; `build` and `project` rows are made by the build scripts and npm ci. /usr/sbin and /sbin hold
# several of them and are on root's PATH, not always on a user's.
PATH="$PATH:/usr/sbin:/sbin"
missing=()
absent=()
while IFS=$'\t' read -r cmd from pkg || [[ -n $cmd ]]; do
  [[ -n $cmd && $cmd != \#* ]] || continue
  command -v "$cmd" >/dev/null 2>&1 && continue
  case $from in
    debian) [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg") ;;
    machine) absent+=("$cmd ($pkg)") ;;
  esac
done <test/commands.tsv
((${#absent[@]} == 0)) || die "not on this machine, and no Debian package of ours installs them: ${absent[*]}"
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
  fi
  echo "furnace test setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed; cannot install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
fi

# bpftrace's tracepoints and kprobes need tracefs; some machines boot without it mounted.
if [[ ! -d /sys/kernel/tracing/events ]]; then
  [[ $(id -u) -eq 0 ]] || die "tracefs is not mounted (run: sudo mount -t tracefs nodev /sys/kernel/tracing)"
  mount -t tracefs nodev /sys/kernel/tracing || die "mounting tracefs on /sys/kernel/tracing failed"
fi

# The real node's Services: a pod's packet to a Service whose endpoint is on the same bridge must pass iptables.
if [[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
  modprobe br_netfilter 2>/dev/null || die "the br_netfilter module is not loaded (run: sudo modprobe br_netfilter)"
fi

# `setup.sh --system` stops here: what the background builds need is in place (.ci/run starts them before npm ci).
[[ ${1:-} != --system ]] || exit 0

# npm dependencies: reinstall when the lockfile changed since the last install. npm runs on the Node that
# runs them (24, fetched first by with-node24.sh where the machine's is older, as `npm start` installs), so
# its engine check sees that Node, not the machine's.
stamp=node_modules/.furnace-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  echo "furnace test setup: npm ci" >&2
  bash scripts/with-node24.sh npm ci --no-audit --no-fund >/dev/null || die "npm ci failed (is the npm registry reachable?)"
  echo "$want" >"$stamp"
fi

# The web UI bundle (ui/dist): the server serves it and the browser tier drives it.
node --import tsx ui/build.ts >/dev/null || die "building the web UI failed (npm run build:ui)"
