#!/usr/bin/env bash
# Runs the named test tiers (unit, app, process, fault, kube, node, browser, or all) with node:test.
# Installs what they need first; starts one shared control plane when the kube tier runs.
# Each phase's files run through test/harness/run-files.ts: a process per file, a limit per file, a failed file
# run once more alone at the end of its phase (flaky if it then passes). The run ends with the timing table
# (test/harness/timing-table.ts); docs/testing.md says how to read it.
set -euo pipefail
cd "$(dirname "$0")/.."

tiers=("$@")
# Node runs the TypeScript itself (it strips the types: core/typescript-args.ts), and every Node process of the
# run (runners, test files, and the servers, recorders and CLIs they start) shares one compile cache: a module
# is compiled once, not once per process.
export NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-$HOME/.cache/furnace-test/node-compile-cache}
[[ ${#tiers[@]} -gt 0 && ${tiers[0]} != all ]] || tiers=(unit app process fault kube node browser)

# The run's timings and flaky list start empty, unless .ci/run has already timed its own phases into them.
mkdir -p test-results
[[ -n ${FURNACE_TEST_TIMINGS_KEPT:-} ]] || rm -f test-results/timings.jsonl test-results/timings.json
rm -rf test-results/flaky.txt test-results/flaky test-results/logs
bash test/timed.sh set-up bash test/setup.sh

# Files that spend nearly all their minutes waiting, with no cluster: a sink kept down for two minutes, recorders
# held to 4 % of a core until a kill catches them, an operator backing off from a bad config, a server killed
# and its recording's duration awaited. They run one at a time beside the cluster phase's files instead of
# among them (about seven minutes of CI). A file that shares the control plane never goes here.
waiting=(
  test/fault/kill-at-each-stage.test.ts
  test/fault/sink-outage.test.ts
  test/process/operator-config-errors.test.ts
  test/process/server-killed-duration.test.ts
)
# Files that start a real node of their own, run before the run's shared node starts (two kube-proxies on one
# machine would rewrite each other's chains).
alone=(test/node/node-teardown.test.ts)

# in_list WORD ITEM...: whether WORD is one of the ITEMs. Not `printf | grep -q`: grep leaves at its first
# match, printf may then die of SIGPIPE, and under pipefail that reads as "not found" (a file so ran twice).
in_list() {
  local word=$1 item
  shift
  for item; do [[ $item == "$word" ]] && return 0; done
  return 1
}

pure_files=() # unit and app: in-process, no cluster, nothing shared between files
files=()
node_files=() # the node tier's, on the shared node: a control plane of its own, none of the kube tier's
waiting_files=()
alone_files=()
for tier in "${tiers[@]}"; do
  [[ -d test/$tier ]] || { echo "unknown test tier: $tier" >&2; exit 2; }
  while IFS= read -r f; do
    if [[ $tier == unit || $tier == app ]]; then
      pure_files+=("$f")
    elif in_list "$f" "${alone[@]}"; then
      alone_files+=("$f")
    elif in_list "$f" "${waiting[@]}"; then
      waiting_files+=("$f")
    elif [[ $tier == node ]]; then
      node_files+=("$f")
    else
      files+=("$f")
    fi
  done < <(find "test/$tier" -name '*.test.ts' | sort)
done
((${#files[@]} + ${#pure_files[@]} + ${#node_files[@]} + ${#waiting_files[@]} + ${#alone_files[@]} > 0)) || { echo "no test files in tiers: ${tiers[*]}" >&2; exit 1; }

cleanup=()
trap 'for c in "${cleanup[@]}"; do eval "$c" || true; done' EXIT

# The Go programs and the images build in the background (test/background-builds.sh) while the unit and app
# tiers run; each tier below joins the builds it needs, and a failed build stops the run with its log's end.
# .ci/run starts them before npm ci and the static checks and passes their directory in FURNACE_TEST_BUILDS.
builds=${FURNACE_TEST_BUILDS:-}
if [[ -z $builds ]]; then
  builds=$(mktemp -d -t furnace-builds-XXXXXX)
  bash test/background-builds.sh start "$builds" "${tiers[@]}"
  cleanup+=("bash test/background-builds.sh stop '$builds'")
fi
# joined STEP WHO: waits for a build; WHO (the phase that waited) goes into the timing table.
joined() { bash test/background-builds.sh join "$builds" "$1" "$2"; }
# run_files PHASE CONCURRENCY FILE...: runs one phase's files (test/harness/run-files.ts).
run_files() { node test/harness/run-files.ts "$@"; }

status=0
# Unit and app files in two processes each running half of them (--shared: --test-isolation=none): most of a
# small file's time is its process's start and imports, which a shared process pays once; a file that
# fails there is run again alone, in a process of its own. Unit files first: they need no build, so they run
# while the S3 server (app files' catalog stores) builds.
unit_files=() app_files=()
for f in ${pure_files[@]+"${pure_files[@]}"}; do
  if [[ $f == test/unit/* ]]; then unit_files+=("$f"); else app_files+=("$f"); fi
done
((${#unit_files[@]} == 0)) || run_files unit 2 --shared "${unit_files[@]}" || status=$?
if [[ -f $builds/s3.chain ]]; then
  # Tests start the S3 test server from here without asking the build script again.
  FURNACE_TEST_S3_BIN_DIR=$(joined s3 app)
  export FURNACE_TEST_S3_BIN_DIR
fi
((${#app_files[@]} == 0)) || run_files app 2 --shared "${app_files[@]}" || status=$?

# The kube tier and the fault tier (whose cluster test kills the cluster-mode server) share one control plane.
# Files of the process, browser and fault tiers that need no cluster run first, while Kubernetes may still be
# building (a fresh machine waits minutes for it here); the guard in test/harness/before-cluster.ts stops one
# that starts a cluster anyway.
early=() later=()
if ((${#files[@]} > 0)); then
  mapfile -t early < <(printf '%s\n' "${files[@]}" | grep -vE '^test/(kube|node)/' |
    xargs -r node test/harness/cluster-free-files.ts)
  for f in "${files[@]}"; do
    in_list "$f" ${early[@]+"${early[@]}"} || later+=("$f")
  done
  files=(${later[@]+"${later[@]}"})
fi
if ((${#early[@]} > 0)); then
  FURNACE_TEST_BEFORE_CLUSTER=1 run_files 'no cluster (process, browser, fault)' 1 "${early[@]}" || status=$?
fi

if in_list kube "${tiers[@]}" || in_list fault "${tiers[@]}" || in_list node "${tiers[@]}"; then
  FURNACE_TEST_BIN_DIR=$(joined k8s 'the cluster phases')
  export FURNACE_TEST_BIN_DIR
fi
if in_list kube "${tiers[@]}" || in_list fault "${tiers[@]}"; then
  state_dir=$(mktemp -d -t furnace-cp-XXXXXX)
  bash test/timed.sh 'control plane start' node test/harness/control-plane-cli.ts start "$state_dir"
  cleanup+=("node test/harness/control-plane-cli.ts stop '$state_dir'")
  export FURNACE_TEST_CONTROL_PLANE=$state_dir/control-plane.json
fi

# The node tier: a real kubelet, containerd, kube-proxy and CoreDNS with a control plane of their own
# (test/harness/node/), shared by the tier's files through FURNACE_TEST_NODE (its node.json). The image builds
# are joined before the teardown test: it compares the machine's mounts and cgroups, which a podman build
# changes while it runs.
if in_list node "${tiers[@]}"; then
  FURNACE_TEST_COREDNS_BIN_DIR=$(joined coredns 'the node tier')
  export FURNACE_TEST_COREDNS_BIN_DIR
  # The images' archives, imported into the shared node by its first file that needs them (loadFurnaceImages);
  # on a failed build, each file builds again and names the Dockerfile that failed.
  if archive=$(joined images 'the node tier'); then
    FURNACE_TEST_IMAGE_ARCHIVES=$(dirname "$archive")
    export FURNACE_TEST_IMAGE_ARCHIVES
  else
    status=1
  fi
  if ((${#alone_files[@]} > 0)); then
    run_files 'alone (a node of its own)' 1 "${alone_files[@]}" || status=$?
  fi
  node_dir=$(mktemp -d -t furnace-node-XXXXXX)
  bash test/timed.sh 'node start' node test/harness/node/node-cli.ts start "$node_dir"
  cleanup+=("node test/harness/node/node-cli.ts stop '$node_dir'")
  export FURNACE_TEST_NODE=$node_dir/node.json
fi
# The cluster phase: three queues at once, each one file at a time. The kube, fault and remaining files share one
# control plane and its cluster-scoped objects (the README walk's Furnace is unscoped, as the README installs it),
# so they run one after another, printed as they come. Beside them, the node tier's files on the shared node (a
# control plane of its own; they mostly wait on its pods), and the waiting files above. The timing-sensitive
# files were written for a machine that runs a few at once, not ten; every background build has been joined
# by now (an unjoined one would take the cores they time on).
lane_pids=() lane_names=() lane_logs=()
# A file of a queue beside that failed runs again once the foreground queue has run its files (this file
# exists then): without the other queue's load, which is often why it failed (test/harness/run-files.ts).
rerun_gate=test-results/foreground-queue.done
rm -f "$rerun_gate"
# run_beside PHASE LOG FILE...: runs a queue in the background; its report goes to LOG, printed whole when the
# foreground queue is done, so that queues never interleave.
run_beside() {
  local phase=$1 log=$2
  shift 2
  FURNACE_TEST_RERUN_AFTER=$rerun_gate run_files "$phase" 1 "$@" >"$log" 2>&1 &
  lane_pids+=($!) lane_names+=("$phase") lane_logs+=("$log")
  cleanup+=("kill $! 2>/dev/null")
}
((${#node_files[@]} == 0)) || run_beside 'the node tier (beside the cluster phase)' test-results/node-lane.log "${node_files[@]}"
((${#waiting_files[@]} == 0)) || run_beside 'beside (waiting files)' test-results/beside.log "${waiting_files[@]}"
if ((${#files[@]} > 0)); then
  run_files 'with a cluster (kube, fault and the rest)' 1 "${files[@]}" || status=$?
fi
touch "$rerun_gate"
for i in "${!lane_pids[@]}"; do
  lane_status=0
  wait "${lane_pids[$i]}" || lane_status=$?
  echo "--- run beside the files above: ${lane_names[$i]}"
  cat "${lane_logs[$i]}"
  ((lane_status == 0)) || status=$lane_status
done
# Last, where a log cut short still shows it: the timing table, the files that failed twice, and the count.
node test/harness/timing-table.ts 15 || status=1
exit "$status"
