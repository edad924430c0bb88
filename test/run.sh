#!/usr/bin/env bash
# Runs the named test tiers (unit, app, process, fault, kube, node, browser, or all) with node:test.
# Installs what they need first; starts one shared control plane when the kube tier runs.
set -euo pipefail
cd "$(dirname "$0")/.."

tiers=("$@")
[[ ${#tiers[@]} -gt 0 && ${tiers[0]} != all ]] || tiers=(unit app process fault kube node browser)

bash test/setup.sh
# setup.sh built (or found cached) the S3 test server; tests start it from here without asking again.
FURNACE_TEST_S3_BIN_DIR=$(bash test/harness/build-s3-server.sh | tail -n 1)
export FURNACE_TEST_S3_BIN_DIR

# Files that spend nearly all their minutes waiting, with no cluster: a sink kept down for two minutes, recorders
# held to 4 % of a core until a kill catches them. They run one at a time beside the other tiers' files
# instead of after them (about six minutes of CI). A file that shares the control plane never goes here.
waiting=(test/fault/kill-at-each-stage.test.ts test/fault/sink-outage.test.ts)

pure_files=() # unit and app: in-process, no cluster, nothing shared between files
files=()
beside=()
for tier in "${tiers[@]}"; do
  [[ -d test/$tier ]] || { echo "unknown test tier: $tier" >&2; exit 2; }
  while IFS= read -r f; do
    if [[ $tier == unit || $tier == app ]]; then
      pure_files+=("$f")
    elif printf '%s\n' "${waiting[@]}" | grep -qxF "$f"; then
      beside+=("$f")
    else
      files+=("$f")
    fi
  done < <(find "test/$tier" -name '*.test.ts' | sort)
done
((${#files[@]} + ${#pure_files[@]} + ${#beside[@]} > 0)) || { echo "no test files in tiers: ${tiers[*]}" >&2; exit 1; }

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
beside_pid=
if ((${#beside[@]} > 0)); then
  # Its report goes to a file and is printed whole when both are done, so the two never interleave.
  beside_log=test-results/beside.log
  node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 "${beside[@]}" \
    >"$beside_log" 2>&1 &
  beside_pid=$!
  cleanup+=("kill $beside_pid 2>/dev/null")
fi
if ((${#files[@]} > 0)); then
  node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 "${files[@]}" || status=$?
fi
if [[ -n $beside_pid ]]; then
  beside_status=0
  wait "$beside_pid" || beside_status=$?
  echo "--- run beside the files above: ${beside[*]}"
  cat "$beside_log"
  ((beside_status == 0)) || status=$beside_status
fi
exit "$status"
