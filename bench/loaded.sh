#!/usr/bin/env bash
# Runs a command several times with cores held by busy loops, and counts how often it fails:
#   bench/loaded.sh BUSY RUNS COMMAND...
# BUSY busy loops (one per core to hold) run for the whole time; each run's output goes to
# $TMPDIR/loaded-N.log, and the last line says how many runs failed.
set -uo pipefail
busy=$1 runs=$2
shift 2
pids=()
for _ in $(seq "$busy"); do
  (while :; do :; done) &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
failed=0
for i in $(seq "$runs"); do
  log="${TMPDIR:-/tmp}/loaded-$i.log"
  start=$(date +%s.%N)
  if "$@" >"$log" 2>&1; then verdict=ok; else verdict=FAIL; failed=$((failed + 1)); fi
  printf '%s run %d: %s in %.1fs (%s)\n' "$busy busy" "$i" "$verdict" "$(echo "$(date +%s.%N) - $start" | bc)" "$log"
done
echo "$failed of $runs runs failed with $busy core(s) held busy"
