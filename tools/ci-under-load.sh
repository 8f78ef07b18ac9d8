#!/usr/bin/env bash
# Runs CI (.ci/run) on fresh clones of this repository's HEAD while two busy processes load both cores, N times
# in a row, and prints one line per run: exit code and wall time. It shows whether the test command passes on a
# loaded 2-core machine (it must: no test may depend on wall-clock speed).
#   bash tools/ci-under-load.sh [runs (default 5)]
set -uo pipefail
runs="${1:-5}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
busy=()
stop_busy() { for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done; busy=(); }
trap 'stop_busy; rm -rf "$work"' EXIT INT TERM

printf '%-4s %-6s %-9s %s\n' run exit seconds log
for i in $(seq 1 "$runs"); do
  clone="$work/run-$i"
  git clone --quiet "$repo" "$clone"
  # Two spinning processes: each takes a core for the whole run.
  for _ in 1 2; do node -e 'for (;;) {}' & busy+=("$!"); done
  start=$(date +%s)
  (cd "$clone" && CI=true bash .ci/run) >"$work/run-$i.log" 2>&1
  code=$?
  seconds=$(( $(date +%s) - start ))
  stop_busy
  log="$repo/test-artifacts/ci-under-load-$i.log"
  mkdir -p "$(dirname "$log")" && cp "$work/run-$i.log" "$log"
  printf '%-4s %-6s %-9s %s\n' "$i" "$code" "$seconds" "$log"
  rm -rf "$clone"
done
