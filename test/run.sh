#!/usr/bin/env bash
# Runs the named test tiers (unit, app, process, fault, kube, browser, or all) with node:test.
# Installs what they need first; starts one shared control plane when the kube tier runs.
set -euo pipefail
cd "$(dirname "$0")/.."

tiers=("$@")
[[ ${#tiers[@]} -gt 0 && ${tiers[0]} != all ]] || tiers=(unit app process fault kube browser)

bash test/setup.sh
# setup.sh built (or found cached) the S3 test server; tests start it from here without asking again.
FURNACE_TEST_S3_BIN_DIR=$(bash test/harness/build-s3-server.sh | tail -n 1)
export FURNACE_TEST_S3_BIN_DIR

pure_files=() # unit and app: in-process, no cluster, nothing shared between files
files=()
for tier in "${tiers[@]}"; do
  [[ -d test/$tier ]] || { echo "unknown test tier: $tier" >&2; exit 2; }
  while IFS= read -r f; do
    if [[ $tier == unit || $tier == app ]]; then pure_files+=("$f"); else files+=("$f"); fi
  done < <(find "test/$tier" -name '*.test.ts' | sort)
done
((${#files[@]} + ${#pure_files[@]} > 0)) || { echo "no test files in tiers: ${tiers[*]}" >&2; exit 1; }

cleanup=()
trap 'for c in "${cleanup[@]}"; do eval "$c" || true; done' EXIT

# The kube tier and the fault tier (whose cluster test kills the cluster-mode server) share one control plane.
if printf '%s\n' "${tiers[@]}" | grep -qxE 'kube|fault'; then
  bin_dir=$(bash test/harness/build-control-plane.sh | tail -n 1)
  state_dir=$(mktemp -d -t furnace-cp-XXXXXX)
  export FURNACE_TEST_BIN_DIR=$bin_dir
  node --import tsx test/harness/control-plane-cli.ts start "$state_dir"
  cleanup+=("node --import tsx test/harness/control-plane-cli.ts stop '$state_dir'")
  export FURNACE_TEST_CONTROL_PLANE=$state_dir/control-plane.json
fi

mkdir -p test-results
# Unit and app files two at a time: most of their time is each file's start (tsx), and they share nothing.
# The other tiers one file at a time whatever the core count: kube files share one control plane and its cluster-scoped
# objects (the README walk's Furnace is unscoped, as the README installs it), and the timing-sensitive
# process and browser tiers were written for a machine that is not running ten of them at once.
status=0
if ((${#pure_files[@]} > 0)); then
  node --import tsx --test --test-reporter=spec --test-concurrency=2 --test-timeout=600000 "${pure_files[@]}" || status=$?
fi
if ((${#files[@]} > 0)); then
  node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 "${files[@]}" || status=$?
fi
exit "$status"
