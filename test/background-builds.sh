#!/usr/bin/env bash
# The expensive builds the test tiers need, run in the background while other work goes on, joined by the
# tier that needs each one. On a fresh machine they are most of a CI run's first half (Go modules to fetch and
# compile, debootstrap, apt and npm inside the image builds); with everything cached each step takes a second.
# The steps and their caches are the build scripts' own (same keys, same directories); this script only orders
# and overlaps them.
#
#   background-builds.sh start DIR TIER...   starts the steps those tiers need, detached; returns at once
#   background-builds.sh join DIR STEP [BY]  waits for one step; prints its output's last line (a directory)
#                                            or, if it failed, its log's last 40 lines, and exits 1; BY (who
#                                            waited) goes into test-results/timings.jsonl with the seconds
#   background-builds.sh stop DIR            kills whatever is still running
#
# Steps: s3 (versitygw: app, process, kube and fault tiers), k8s (the control plane and the node's Kubernetes
# binaries: kube, fault and node tiers), coredns (node tier), images (both Furnace images from their
# Dockerfiles and the stand-in base, saved as archives in DIR/images for the node tier's files to import once:
# node tier). Two chains: versitygw then Kubernetes (each Go build uses
# every core; the app tier needs versitygw first); beside them the images (mostly network and disk:
# debootstrap, apt, npm ci), then CoreDNS, so that both are ready when the node tier joins them, right after
# Kubernetes.
# Each step writes DIR/<step>.log (its stderr and stdout), DIR/<step>.out (stdout's last line), then
# DIR/<step>.rc and DIR/<step>.seconds when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "furnace background builds: $*" >&2; exit 1; }

script_of() {
  case $1 in
    s3) echo test/harness/build-s3-server.sh ;;
    k8s) echo test/harness/build-control-plane.sh ;;
    coredns) echo test/harness/build-coredns.sh ;;
    images) echo "test/harness/images/build-images.sh --save $2/images server sidecar" ;;
    *) die "unknown step '$1' (steps: s3, k8s, coredns, images)" ;;
  esac
}

# Which steps the named tiers need, as "go chain|other chain", each in the order it runs.
steps_for() {
  local tiers=" $* " go=() other=()
  [[ $tiers =~ \ (app|process|kube|fault)\  ]] && go+=(s3)
  [[ $tiers =~ \ (kube|fault|node)\  ]] && go+=(k8s)
  [[ $tiers =~ \ node\  ]] && other+=(images coredns)
  echo "${go[*]:-}|${other[*]:-}"
}

# Runs the steps one after another in a session of their own (so that stop can kill the whole group), niced:
# the tiers in the foreground time things, and the builds only wait on the network and disk in part.
start_chain() {
  local dir=$1 name=$2
  shift 2
  (($# > 0)) || return 0
  setsid bash -c '
    dir=$1; shift
    for step in "$@"; do
      script=$(bash test/background-builds.sh script-of "$step" "$dir")
      begin=$(date +%s)
      echo "$begin" >"$dir/$step.started"
      rc=0
      # shellcheck disable=SC2086
      nice -n 10 bash $script >"$dir/$step.stdout" 2>"$dir/$step.log" || rc=$?
      cat "$dir/$step.stdout" >>"$dir/$step.log"
      tail -n 1 "$dir/$step.stdout" >"$dir/$step.out"
      echo $(( $(date +%s) - begin )) >"$dir/$step.seconds"
      echo "$rc" >"$dir/$step.rc"
    done
  ' chain "$dir" "$@" </dev/null >"$dir/$name.chain.log" 2>&1 &
  echo $! >"$dir/$name.pid"
  for step in "$@"; do echo "$name" >"$dir/$step.chain"; done
}

cmd=${1:-}
case $cmd in
  script-of) script_of "$2" "${3:-}" ;;
  start)
    dir=$2
    shift 2
    mkdir -p "$dir"
    IFS='|' read -r go other <<<"$(steps_for "$@")"
    # shellcheck disable=SC2086
    start_chain "$dir" go $go
    # shellcheck disable=SC2086
    start_chain "$dir" other $other
    ;;
  join)
    dir=$2 step=$3
    script=$(script_of "$step" "$dir")
    [[ -f $dir/$step.chain ]] || die "$step was not started in $dir (start it with the tiers that need it)"
    pid=$(cat "$dir/$(cat "$dir/$step.chain").pid")
    waited=$(date +%s)
    while [[ ! -f $dir/$step.rc ]]; do
      kill -0 "$pid" 2>/dev/null || [[ -f $dir/$step.rc ]] ||
        die "the background build of $step ($script) ended without finishing (killed?); log: $dir/$step.log"
      sleep 0.2
    done
    rc=$(cat "$dir/$step.rc")
    if [[ $rc != 0 ]]; then
      tail -n 40 "$dir/$step.log" >&2
      die "the background build of $step ($script) failed with exit code $rc; the lines above are the end of its log ($dir/$step.log)"
    fi
    built=$(cat "$dir/$step.seconds")
    echo "furnace background builds: $step ready ($built s to build, $(($(date +%s) - waited)) s waited for)" >&2
    # A row of the run's timing table (test/harness/timing-table.ts): the build, and who waited how long.
    if [[ -n ${4:-} ]]; then
      mkdir -p test-results
      printf '{"kind":"build","step":"%s","started":%s,"seconds":%s,"waited":%s,"by":"%s"}\n' "$step" \
        "$(cat "$dir/$step.started")" "$built" "$(($(date +%s) - waited))" "$4" >>test-results/timings.jsonl
    fi
    cat "$dir/$step.out"
    ;;
  stop)
    dir=$2
    for pidfile in "$dir"/*.pid; do
      [[ -f $pidfile ]] || continue
      kill -- "-$(cat "$pidfile")" 2>/dev/null || true
    done
    ;;
  *) die "usage: background-builds.sh start DIR TIER... | join DIR STEP | stop DIR" ;;
esac
