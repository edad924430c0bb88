#!/usr/bin/env bash
# Runs a command and adds its seconds to test-results/timings.jsonl, as a phase of the run's timing table
# (test/harness/timing-table.ts). Its exit code is the command's.
#
#   bash test/timed.sh NAME COMMAND...
set -uo pipefail
name=$1
shift
results="$(cd "$(dirname "$0")/.." && pwd)/test-results"
mkdir -p "$results"
# The machine's busy and total CPU ticks so far (/proc/stat's first line), for how busy the cores were.
ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
read -r busy0 total0 < <(ticks)
started=$(date +%s)
"$@"
rc=$?
read -r busy1 total1 < <(ticks)
printf '{"kind":"phase","phase":"%s","started":%s,"seconds":%s,"code":%s,"cpu":%s}\n' "$name" "$started" \
  "$(($(date +%s) - started))" "$rc" "$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) 'BEGIN { printf "%.2f", t ? b / t : 0 }')" \
  >>"$results/timings.jsonl"
exit "$rc"
