#!/usr/bin/env bash
# Where a share-endpoint variant's CPU goes: perf samples (cpu-clock, call graphs) of the host process while wrk
# saturates it, with .NET frames named through the runtime's perf map, then the top frames by inclusive time
# ("children": the frame and what it calls) and by exclusive time ("self").
#
#   bash bench/profile.sh memory-hot            # the request path alone (JWT cached, in-memory, outbox off)
#   bash bench/profile.sh memory sqlite redis   # one profile per variant
#   bash bench/profile.sh flow                  # the host during full flows through the simulator (outbox, callbacks)
#
# Writes bench/results/profile-VARIANT.md and keeps the raw samples as PROFILE_DATA_DIR/abdm-profile-VARIANT.perf.data
# (default /tmp; perf report -i FILE to browse, perf script for a flame graph; the .NET names come from
# /tmp/perf-PID.map, which the runtime leaves behind).
# Settings: BENCH_DURATION (s sampled, 8), BENCH_WARMUP (s, 10: JIT tiering settles before sampling), BENCH_CONNECTIONS (32), BENCH_HOST_DIR,
# PROFILE_TOP (25), PROFILE_HZ (sampling rate, 999), PROFILE_DATA_DIR (/tmp), PROFILE_TAG (appended to the file names, for
# an A/B such as `DOTNET_gcServer=0 PROFILE_TAG=workstation-gc bash bench/profile.sh memory-hot`: DOTNET_* settings in the
# environment reach the host and are named in the report). Variants as in share-variant.sh.
# With dotnet-counters installed (dotnet tool install -g dotnet-counters) the report also summarises the runtime's
# counters over the sampled window: GC pauses, collections, thread-pool queue, lock contention, JIT time, heap growth.
#
# How the frames get names on this kind of machine (measured): dotnet-trace's kernel CPU sampling (collect-linux)
# needs user_events, which this kernel lacks, and its EventPipe thread-time sampling counts waiting threads as busy.
# perf with the cpu-clock event works, but the runtime's W^X double mapping hides JIT code from the perf map and
# ReadyToRun code is not in it: the host runs with DOTNET_PerfMapEnabled=1, DOTNET_EnableWriteXorExecute=0 and
# DOTNET_ReadyToRun=0 (everything JIT-compiled, so tiering differs slightly from production; compare shares of time,
# not absolute microseconds, and measure CPU per request with run.sh).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DURATION=${BENCH_DURATION:-8}
WARMUP=${BENCH_WARMUP:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
TOP=${PROFILE_TOP:-25}
HZ=${PROFILE_HZ:-999}
LUA="$BENCH_DIR/wrk/share.lua"
SHARE_PATH=/v0.5/patients/profile/share
VARIANTS=("$@")
[[ ${#VARIANTS[@]} -gt 0 ]] || { echo "usage: profile.sh VARIANT..." >&2; exit 2; }

log() { echo "[profile] $*" >&2; }
BENCH_WORK_PREFIX=abdm-bench-profile
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
for tool in perf wrk; do
  command -v "$tool" >/dev/null || { log "$tool is missing (apt-get install linux-perf wrk)"; exit 1; }
done

build_host
start gateway "$HOST_BIN" gateway --port 0 --token-file "$WORK/token"
GATEWAY_URL=$READY_URL
REDIS_PORT=
if [[ " ${VARIANTS[*]} " == *" redis "* ]]; then
  start_redis
fi

# report MODE FILE [TEXT]: the top frames (kernel frames left out), or only those containing TEXT.
report() {
  local mode=$1 text=${3:-}
  perf report -i "$2" --stdio --sort symbol -g none $mode 2>/dev/null \
    | awk '!/^#/ && NF' \
    | sed -E 's/^ +//; s/ +- +- *$//' \
    | awk -v top="$TOP" -v text="$text" '/\[k\]/ { next } (text == "" || index($0, text)) && n < top { print; n++ }'
}

# counters_summary CSV: GC pauses (total, per collection), collections per generation, thread-pool queue, lock
# contention, JIT time and heap growth over the sampled window, from dotnet-counters' CSV export.
counters_summary() {
  awk -F, '
    function add(key, v) { sum[key] += v; if (!(key in max) || v > max[key]) max[key] = v; if (!(key in first)) first[key] = v; last[key] = v; n[key]++ }
    NR > 1 {
      v = $5 + 0
      if ($3 ~ /^dotnet.gc.pause.time/) add("pause", v)
      else if ($3 ~ /^dotnet.gc.collections.*gen0/) add("gen0", v)
      else if ($3 ~ /^dotnet.gc.collections.*gen1/) add("gen1", v)
      else if ($3 ~ /^dotnet.gc.collections.*gen2/) add("gen2", v)
      else if ($3 ~ /^dotnet.thread_pool.queue.length/) add("queue", v)
      else if ($3 ~ /^dotnet.monitor.lock_contentions/) add("locks", v)
      else if ($3 ~ /^dotnet.jit.compilation.time/) add("jit", v)
      else if ($3 ~ /^dotnet.process.cpu.time/) add("cpu", v)
      else if ($3 ~ /^dotnet.gc.last_collection.heap.size.*gen2/) add("gen2size", v)
      else if ($3 ~ /^dotnet.process.memory.working_set/) add("ws", v)
    }
    END {
      secs = n["pause"] > 0 ? n["pause"] : 1
      gcs = sum["gen0"] + sum["gen1"] + sum["gen2"]
      printf "seconds sampled               %d\n", secs
      printf "process CPU                   %.2f cores\n", sum["cpu"] / secs
      printf "GC pause                      %.0f ms/s (%.1f%% of wall time), worst second %.0f ms\n", sum["pause"] * 1000 / secs, sum["pause"] * 100 / secs, max["pause"] * 1000
      printf "collections gen0/gen1/gen2    %d / %d / %d (the count is of the highest generation collected)\n", sum["gen0"], sum["gen1"], sum["gen2"]
      printf "mean pause per collection     %.1f ms\n", (gcs > 0 ? sum["pause"] * 1000 / gcs : 0)
      printf "gen2 size after collections   %.0f MB -> %.0f MB\n", first["gen2size"] / 1048576, last["gen2size"] / 1048576
      printf "working set                   %.0f MB -> %.0f MB\n", first["ws"] / 1048576, last["ws"] / 1048576
      printf "thread-pool queue change/s    max %+d (a growing queue means starved workers)\n", max["queue"]
      printf "lock contentions              %.0f /s\n", sum["locks"] / secs
      printf "JIT compilation               %.0f ms/s\n", sum["jit"] * 1000 / secs
    }' "$1"
}
COUNTERS_BIN=$(command -v dotnet-counters || true)
[[ -z "$COUNTERS_BIN" && -x "$HOME/.dotnet/tools/dotnet-counters" ]] && COUNTERS_BIN=$HOME/.dotnet/tools/dotnet-counters

# start_flow NAME: the full-flow driver (simulator in-process, Performance profile) in the background, warmed up for
# WARMUP s and then timed for long enough to sample; waits for the warm-up and sets pid (the host) and load (the driver).
start_flow() {
  "$HOST_BIN" flow --concurrency "$CONNECTIONS" --warmup-seconds "$WARMUP" --seconds "$((DURATION * 2 + 4))" >"$WORK/$1.flow" 2>&1 &
  load=$!
  PIDS+=("$load")
  sleep "$WARMUP"
  pid=""
  for _ in $(seq 1 50); do
    pid=$(pgrep -P "$load" -f 'host --variant' | head -1 || true)
    [[ -n "$pid" ]] && break
    sleep 0.2
  done
  [[ -n "$pid" ]] || { cat "$WORK/$1.flow" >&2; log "flow: no host process"; exit 1; }
  sleep 1
}

# start_load NAME INDEX: the variant under load for DURATION s after its warm-up (wrk against a fresh host, or the flow
# driver); sets pid (the host), load (the load generator) and result (the file its BENCH-RESULT line goes to).
start_load() {
  if [[ $variant == flow ]]; then
    start_flow "$1"
    result="$WORK/$1.flow"
    return
  fi
  # shellcheck disable=SC2046
  start "$1" "$HOST_BIN" $(host_args "$variant" "$2")
  pid=$LAST_PID
  local url=$READY_URL
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$LUA" "$url$SHARE_PATH" -- "$WORK/token" 0 >/dev/null
  result="$WORK/$1.wrk"
  wrk -t1 -c"$CONNECTIONS" -d"$((DURATION + 2))s" --latency -s "$LUA" "$url$SHARE_PATH" -- "$WORK/token" 0 >"$result" &
  load=$!
  sleep 1
}

i=0
for variant in "${VARIANTS[@]}"; do
  i=$((i + 1))
  # 1. The tail: a host with production settings (ReadyToRun, W^X), its runtime counters over a saturated window.
  counters="$WORK/$variant.counters.csv" tail_wrk=""
  if [[ -n "$COUNTERS_BIN" ]]; then
    start_load "counters-$i" "c$i"
    log "$variant: runtime counters of the host (pid $pid) for ${DURATION}s"
    "$COUNTERS_BIN" collect -p "$pid" --refresh-interval 1 --format csv -o "$counters" --counters System.Runtime \
      --duration "00:00:00:$(printf '%02d' "$DURATION")" >"$WORK/$variant.counters.log" 2>&1 || true
    wait "$load" || true
    tail_wrk=$(grep -E '^BENCH-RESULT' "$result" || true)
    stop "$pid"
  fi

  # 2. Where the CPU goes: perf samples of a host whose JIT code the perf map names (for the flow, the host is the
  # driver's child and inherits these settings; the driver and its simulator are not sampled).
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0
  start_load "host-$i" "$i"
  unset DOTNET_PerfMapEnabled DOTNET_EnableWriteXorExecute DOTNET_ReadyToRun
  log "$variant: sampling the host (pid $pid) at ${HZ} Hz for ${DURATION}s"
  data="${PROFILE_DATA_DIR:-/tmp}/abdm-profile-$variant${PROFILE_TAG:+-$PROFILE_TAG}.perf.data"
  perf record -e cpu-clock -F "$HZ" -g -p "$pid" -o "$data" -- sleep "$DURATION" >"$WORK/$variant.perf.log" 2>&1
  wait "$load" || true
  samples=$(perf report -i "$data" --stdio 2>/dev/null | awk '/^# Samples:/ && !seen { print $3; seen = 1 }')
  kernel=$(perf report -i "$data" --stdio --sort dso -g none --no-children 2>/dev/null | awk '/\[kernel/ { gsub("%", "", $1); s += $1 } END { printf "%.1f", s }')
  out="$BENCH_DIR/results/profile-$variant${PROFILE_TAG:+-$PROFILE_TAG}.md"
  settings=$(env | grep -E '^DOTNET_' | grep -v -E '^DOTNET_(CLI_|NOLOGO|GENERATE_ASPNET)' | sort | tr '\n' ' ' || true)
  {
    echo "# CPU profile: $variant${PROFILE_TAG:+ ($PROFILE_TAG)}"
    echo
    echo "\`${settings}${PROFILE_TAG:+PROFILE_TAG=$PROFILE_TAG }bash bench/profile.sh $variant\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$(git -C "$BENCH_DIR" rev-parse --short HEAD)\`, $(nproc) cores:"
    if [[ $variant == flow ]]; then
      echo "perf cpu-clock samples at ${HZ} Hz with call graphs, ${DURATION}s of the host process while $CONNECTIONS full flows ran in a"
      echo "loop through the gateway simulator (after ${WARMUP}s of them);"
    else
      echo "perf cpu-clock samples at ${HZ} Hz with call graphs, ${DURATION}s of the host process while wrk (1 thread,"
      echo "$CONNECTIONS connections) saturated it;"
    fi
    echo " $samples samples, ${kernel}% of them in the kernel (sockets, scheduling)."
    echo "Kernel frames are left out of the tables below; the percentages are of all samples. Unnamed hex frames are the"
    echo "runtime's own native code (libcoreclr has no symbols here)."
    echo
    echo "$([[ $variant == flow ]] && echo driver || echo wrk): $(grep -E '^BENCH-RESULT' "$result" || true)"
    echo
    echo "## Where the tail comes from (dotnet-counters System.Runtime, 1 s intervals, ${DURATION}s)"
    echo
    if [[ -s "$counters" ]]; then
      echo "A separate host with production runtime settings (ReadyToRun on, no perf map), same warm-up and load;"
      echo "its $([[ $variant == flow ]] && echo driver || echo wrk): $tail_wrk"
      echo
      echo '```'
      counters_summary "$counters"
      echo '```'
    else
      echo "(dotnet-counters is not installed: dotnet tool install -g dotnet-counters)"
    fi
    echo
    echo "## CPU by module (exclusive samples)"
    echo
    echo "[JIT] is managed code (ours, ASP.NET Core's, the BCL's); libcoreclr.so the runtime (GC, allocation, type checks,"
    echo "thread pool); libclrjit.so the JIT compiler itself (tiering still at work); [kernel] sockets and scheduling."
    echo
    echo '```'
    perf report -i "$data" --stdio --sort dso -g none --no-children 2>/dev/null | awk '!/^#/ && NF { sub(/tid [0-9]+/, ""); print }' | head -10
    echo '```'
    echo
    echo "## Top $TOP by inclusive time (the frame and everything it calls)"
    echo
    echo '```'
    report --children "$data"
    echo '```'
    echo
    echo "## Top $TOP of the library's own frames by inclusive time"
    echo
    echo '```'
    report --children "$data" '[Abdm.ProfileShare'
    echo '```'
    echo
    echo "## Top $TOP by exclusive time (the frame itself)"
    echo
    echo '```'
    report --no-children "$data"
    echo '```'
  } >"$out"
  stop "$pid"
  log "$variant: wrote $out (perf data: $data)"
done
