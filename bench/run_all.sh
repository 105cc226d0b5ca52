#!/usr/bin/env bash
# Every benchmark, in order, one after the other (never two at once: they would skew each other).
# Usage: bench/run_all.sh            full run (about 30-45 min on 2 CPUs; the growth preload dominates and is
#                                    bounded per vendor and size by BENCH_PRELOAD_BUDGET seconds, default 300)
#        BENCH_QUICK=1 bench/run_all.sh   smoke run (a few minutes, small sizes, short wrk runs)
# Output is shown and also written to bench/results/last_run.md.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
mkdir -p bench/results
OUT=bench/results/last_run.md
if [ "${BENCH_QUICK:-}" = 1 ]; then
  STORE="--sizes 1000,10000"; STARTUP="--runs 2 --prism-runs 1"; HTTP="--rounds 1 --seconds 1"; GROWTH="--sizes 100,1000 --rounds 1 --seconds 1"
  INPROC="--requests 200"
else
  STORE=""; STARTUP=""; HTTP=""; INPROC=""; GROWTH="--preload-budget ${BENCH_PRELOAD_BUDGET:-300}"
fi
run() {  # name, args...
  local name=$1; shift
  if [ ! -f "bench/$name.py" ]; then echo "(bench/$name.py does not exist: skipped)"; return; fi
  echo; echo "## $name"; echo
  local t0=$SECONDS
  $PY "bench/$name.py" "$@"
  echo "($name: exit $?, $((SECONDS - t0)) s)"
}
{
  echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $($PY --version 2>&1);" \
       "load average before: $(cut -d' ' -f1-3 /proc/loadavg); git $(git rev-parse --short HEAD 2>/dev/null)"
  run bench_store $STORE
  run bench_core
  run bench_startup $STARTUP
  run bench_http $HTTP
  run bench_inprocess $INPROC
  run bench_growth $GROWTH
  run bench_simulation
  echo
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$OUT"
