#!/usr/bin/env bash
# Runs the named test tiers (unit, app, process, fault, kube, node, browser, or all) with node:test.
# Installs what they need first; starts one shared control plane when the kube tier runs.
set -euo pipefail
cd "$(dirname "$0")/.."

tiers=("$@")
[[ ${#tiers[@]} -gt 0 && ${tiers[0]} != all ]] || tiers=(unit app process fault kube node browser)

bash test/setup.sh

# Files that spend nearly all their minutes waiting, with no cluster: a sink kept down for two minutes, recorders
# held to 4 % of a core until a kill catches them. They run one at a time beside the other tiers' files
# instead of after them (about six minutes of CI). A file that shares the control plane never goes here.
waiting=(test/fault/kill-at-each-stage.test.ts test/fault/sink-outage.test.ts)
# Files that start a real node of their own, run before the run's shared node starts (two kube-proxies on one
# machine would rewrite each other's chains).
alone=(test/node/node-teardown.test.ts)

pure_files=() # unit and app: in-process, no cluster, nothing shared between files
files=()
beside=()
alone_files=()
for tier in "${tiers[@]}"; do
  [[ -d test/$tier ]] || { echo "unknown test tier: $tier" >&2; exit 2; }
  while IFS= read -r f; do
    if [[ $tier == unit || $tier == app ]]; then
      pure_files+=("$f")
    elif printf '%s\n' "${alone[@]}" | grep -qxF "$f"; then
      alone_files+=("$f")
    elif printf '%s\n' "${waiting[@]}" | grep -qxF "$f"; then
      beside+=("$f")
    else
      files+=("$f")
    fi
  done < <(find "test/$tier" -name '*.test.ts' | sort)
done
((${#files[@]} + ${#pure_files[@]} + ${#beside[@]} + ${#alone_files[@]} > 0)) || { echo "no test files in tiers: ${tiers[*]}" >&2; exit 1; }

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
joined() { bash test/background-builds.sh join "$builds" "$1"; }

mkdir -p test-results
status=0
# Unit and app files two at a time: most of their time is each file's start (tsx), and they share nothing.
# Unit files first: they need no build, so they run while the S3 server (app files' catalog stores) builds.
unit_files=() app_files=()
for f in ${pure_files[@]+"${pure_files[@]}"}; do
  if [[ $f == test/unit/* ]]; then unit_files+=("$f"); else app_files+=("$f"); fi
done
pure() { node --import tsx --test --test-reporter=spec --test-concurrency=2 --test-timeout=600000 "$@" || status=$?; }
((${#unit_files[@]} == 0)) || pure "${unit_files[@]}"
if [[ -f $builds/s3.chain ]]; then
  # Tests start the S3 test server from here without asking the build script again.
  FURNACE_TEST_S3_BIN_DIR=$(joined s3)
  export FURNACE_TEST_S3_BIN_DIR
fi
((${#app_files[@]} == 0)) || pure "${app_files[@]}"

# The kube tier and the fault tier (whose cluster test kills the cluster-mode server) share one control plane.
# Files of the process, browser and fault tiers that need no cluster run first, while Kubernetes may still be
# building (a fresh machine waits minutes for it here); the guard in test/harness/before-cluster.ts stops one
# that starts a cluster anyway.
early=() later=()
if ((${#files[@]} > 0)); then
  mapfile -t early < <(printf '%s\n' "${files[@]}" | grep -vE '^test/(kube|node)/' |
    xargs -r node --import tsx test/harness/cluster-free-files.ts)
  for f in "${files[@]}"; do
    printf '%s\n' ${early[@]+"${early[@]}"} | grep -qxF "$f" || later+=("$f")
  done
  files=(${later[@]+"${later[@]}"})
fi
if ((${#early[@]} > 0)); then
  FURNACE_TEST_BEFORE_CLUSTER=1 node --import tsx --test --test-reporter=spec --test-concurrency=1 \
    --test-timeout=600000 "${early[@]}" || status=$?
fi

if printf '%s\n' "${tiers[@]}" | grep -qxE 'kube|fault|node'; then
  FURNACE_TEST_BIN_DIR=$(joined k8s)
  export FURNACE_TEST_BIN_DIR
fi
if printf '%s\n' "${tiers[@]}" | grep -qxE 'kube|fault'; then
  state_dir=$(mktemp -d -t furnace-cp-XXXXXX)
  node --import tsx test/harness/control-plane-cli.ts start "$state_dir"
  cleanup+=("node --import tsx test/harness/control-plane-cli.ts stop '$state_dir'")
  export FURNACE_TEST_CONTROL_PLANE=$state_dir/control-plane.json
fi

# The node tier: a real kubelet, containerd, kube-proxy and CoreDNS with a control plane of their own
# (test/harness/node/), shared by the tier's files through FURNACE_TEST_NODE (its node.json). The image builds
# are joined before the teardown test: it compares the machine's mounts and cgroups, which a podman build
# changes while it runs.
if printf '%s\n' "${tiers[@]}" | grep -qx node; then
  FURNACE_TEST_COREDNS_BIN_DIR=$(joined coredns)
  export FURNACE_TEST_COREDNS_BIN_DIR
  joined images >/dev/null || status=1 # the tier's images test builds again and names the Dockerfile that failed
  if ((${#alone_files[@]} > 0)); then
    node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 "${alone_files[@]}" || status=$?
  fi
  node_dir=$(mktemp -d -t furnace-node-XXXXXX)
  node --import tsx test/harness/node/node-cli.ts start "$node_dir"
  cleanup+=("node --import tsx test/harness/node/node-cli.ts stop '$node_dir'")
  export FURNACE_TEST_NODE=$node_dir/node.json
fi
# The other tiers one file at a time whatever the core count: kube files share one control plane and its cluster-scoped
# objects (the README walk's Furnace is unscoped, as the README installs it), and the timing-sensitive
# process and browser tiers were written for a machine that is not running ten of them at once. Every
# background build has been joined by now (an unjoined one would take the cores these tiers time on).
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
